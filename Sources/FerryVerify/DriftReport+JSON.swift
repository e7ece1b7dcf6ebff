extension DriftReport {
    /// The report as JSON (format `ferry-drift-report`, version 1). Keys come in a fixed order and
    /// every key is always present (null when it does not apply); non-finite numbers are the
    /// strings `"inf"`, `"-inf"`, `"nan"`.
    public func json() -> String {
        JSONValue.object([
            ("format", .string("ferry-drift-report")),
            ("version", .integer(1)),
            ("source", .string(source)),
            ("candidate", .string(candidate)),
            ("samples", .integer(sampleCount)),
            ("passed", .bool(passed)),
            ("budget", .array(budget.bounds.map(Self.json))),
            ("outputs", .array(outputs.map(Self.json))),
            ("violations", .array(violations.map(Self.json))),
            ("layers", .object([
                ("bound", .array(layerBound.bounds.map(Self.json))),
                ("samples", .integer(layerSampleCount)),
                ("compared", .integer(layers.count)),
                ("skipped", .integer(layersSkipped)),
                ("first_drift", firstDrift.map(Self.json) ?? .null),
                ("values", .array(layers.map(Self.json))),
            ])),
        ]).render()
    }

    static func json(_ bound: DriftBound) -> JSONValue {
        .object([
            ("output", bound.output.map(JSONValue.string) ?? .null),
            ("metric", .string(bound.metric.rawValue)),
            ("op", .string(bound.metric.comparison)),
            ("bound", .number(bound.value)),
        ])
    }

    static func json(_ check: BoundCheck) -> JSONValue {
        .object([
            ("output", .string(check.output)),
            ("metric", .string(check.bound.metric.rawValue)),
            ("op", .string(check.bound.metric.comparison)),
            ("bound", .number(check.bound.value)),
            ("value", .number(check.value)),
            ("passed", .bool(check.passed)),
        ])
    }

    static func json(_ output: OutputDrift) -> JSONValue {
        .object([
            ("name", .string(output.name)),
            ("source_dtype", .string(output.sourceType.description)),
            ("candidate_dtype", .string(output.candidateType.description)),
            ("dequantized", .bool(output.dequantized)),
            ("shape", .array(output.shape.map(JSONValue.integer))),
            ("classifier", .bool(output.classifier)),
            ("metrics", metrics(output.drift, agreement: true)),
            ("checks", .array(output.checks.map(json))),
        ])
    }

    static func json(_ layer: LayerDrift) -> JSONValue {
        .object([
            ("index", .integer(layer.index)),
            ("value", .string(layer.value)),
            ("node", .string(layer.node)),
            ("op", .string(layer.opType)),
            ("dequantized", .bool(layer.dequantized)),
            ("metrics", metrics(layer.drift, agreement: false)),
            ("exceeds", .array(layer.exceeded.map { .string($0.condition) })),
        ])
    }

    static func metrics(_ drift: AggregateDrift, agreement: Bool) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("max_abs", .number(drift.maxAbs)),
            ("mean_abs", .number(drift.meanAbs)),
            ("rel", .number(drift.rel)),
            ("rel_mean", .number(drift.relMean)),
            ("cosine", .number(drift.cosine)),
            ("cosine_mean", .number(drift.cosineMean)),
            ("snr_db", .number(drift.snrDB)),
            ("snr_db_mean", .number(drift.snrDBMean)),
        ]
        if agreement {
            members += [
                ("top1", drift.top1.map(JSONValue.number) ?? .null),
                ("topk", drift.topK.map(JSONValue.number) ?? .null),
                ("k", drift.k.map(JSONValue.integer) ?? .null),
            ]
        }
        return .object(members)
    }
}
