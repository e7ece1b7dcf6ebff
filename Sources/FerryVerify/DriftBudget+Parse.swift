extension DriftBudget {
    /// Parses `--max-drift` values: `METRIC=VALUE` or `OUTPUT:METRIC=VALUE` per token, or the
    /// single token `none` (an empty budget). Later tokens on the same output and metric replace
    /// earlier ones. Errors name the token at fault.
    ///
    /// With `perLayer` (for `--layer-bound`), tokens cannot name an output, and `top1`/`topk`
    /// are refused since layers are not classifiers.
    public static func parse(_ tokens: [String], flag: String = "--max-drift", perLayer: Bool = false) throws -> DriftBudget {
        if tokens.contains(where: { $0.lowercased() == "none" }) {
            guard tokens.count == 1 else {
                throw VerifyError.budget(token: tokens.joined(separator: " "), reason: "\(flag) none cannot be combined with bounds")
            }
            return .none
        }
        var budget = DriftBudget()
        for token in tokens {
            budget.set(try parseBound(token, flag: flag, perLayer: perLayer))
        }
        return budget
    }

    /// One `[OUTPUT:]METRIC=VALUE`. The output is everything before the last `:`, so names that
    /// hold colons (`dense/BiasAdd:0`) work.
    static func parseBound(_ token: String, flag: String, perLayer: Bool) throws -> DriftBound {
        func bad(_ reason: String) -> VerifyError { .budget(token: token, reason: reason) }
        guard let equals = token.lastIndex(of: "=") else { throw bad("\(flag) expects METRIC=VALUE or OUTPUT:METRIC=VALUE") }
        let target = String(token[..<equals]).trimmingCharacters(in: .whitespaces)
        let valueText = String(token[token.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        var output: String?
        var metricName = target
        if let colon = target.lastIndex(of: ":") {
            output = String(target[..<colon])
            metricName = String(target[target.index(after: colon)...])
            guard !output!.isEmpty else { throw bad("empty output name before ':'") }
            if perLayer { throw bad("\(flag) applies to every layer; it cannot name an output") }
        }
        guard let metric = DriftMetric(rawValue: metricName.lowercased()) else {
            throw bad("unknown metric '\(metricName)' (metrics: \(DriftMetric.names))")
        }
        if perLayer && metric.isAgreement { throw bad("\(metric.rawValue) is a classifier metric; layers are bound by \(DriftMetric.allCases.filter { !$0.isAgreement }.map(\.rawValue).joined(separator: ", "))") }
        guard let value = Double(valueText) else { throw bad("'\(valueText)' is not a number") }
        return try bound(output: output, metric: metric, value: value, token: token)
    }

    static func bound(output: String?, metric: DriftMetric, value: Double, token: String) throws -> DriftBound {
        guard metric.accepts(bound: value) else {
            let range: String
            switch metric {
            case .maxAbs, .meanAbs, .rel: range = "a number ≥ 0"
            case .cosine: range = "a number in [-1, 1]"
            case .snrDB: range = "a finite number of dB"
            case .top1, .topK: range = "a fraction in [0, 1]"
            }
            throw VerifyError.budget(token: token, reason: "\(metric.rawValue) must be \(range)")
        }
        return DriftBound(output: output, metric: metric, value: value)
    }

    /// The budget given by flags over one from a config file; the default when neither gives
    /// any bound. `none` in the flags clears every bound, the config's included.
    public static func resolve(flags: [String], config: DriftBudget?, flag: String = "--max-drift",
                               perLayer: Bool = false, fallback: DriftBudget) throws -> DriftBudget {
        if flags.isEmpty { return config ?? fallback }
        let parsed = try parse(flags, flag: flag, perLayer: perLayer)
        if parsed.isEmpty { return .none }
        return (config ?? DriftBudget()).merged(with: parsed)
    }
}
