extension DriftReport {
    /// A few lines for a terminal or CI log: one per output, the first drifting layer, the verdict.
    public func summary() -> String {
        var lines = ["ferry verify: \(candidate) against \(source), \(sampleCount) sample\(sampleCount == 1 ? "" : "s"); budget: \(budget.isEmpty ? "none" : budget.bounds.map(Self.label).joined(separator: ", "))"]
        let width = outputs.map(\.name.count).max() ?? 0
        for output in outputs {
            let d = output.drift
            var fields = ["max_abs \(ReportNumber.text(d.maxAbs))", "mean_abs \(ReportNumber.text(d.meanAbs))", "rel \(ReportNumber.text(d.rel))",
                          "cosine \(ReportNumber.text(d.cosine))", "snr_db \(ReportNumber.text(d.snrDB))"]
            if let top1 = d.top1, let topK = d.topK { fields += ["top1 \(ReportNumber.text(top1))", "top\(d.k ?? 0) \(ReportNumber.text(topK))"] }
            let failed = output.checks.contains { !$0.passed }
            lines.append("  \(output.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(fields.joined(separator: "  "))  \(failed ? "OVER" : "ok")")
        }
        if !layerBound.isEmpty {
            if let first = firstDrift {
                lines.append("  first layer over \(layerBound.bounds.map(\.condition).joined(separator: ", ")): \(first.value) (\(first.opType) '\(first.node)'), cosine \(ReportNumber.text(first.drift.cosine)), \(first.index + 1) of \(layers.count) compared")
            } else {
                lines.append("  no layer over \(layerBound.bounds.map(\.condition).joined(separator: ", ")) (\(layers.count) compared)")
            }
        }
        if passed {
            lines.append("PASS: within budget")
        } else {
            lines.append("FAIL: " + violations.map { "\($0.output) \($0.bound.metric.rawValue) \(ReportNumber.text($0.value)) (bound \($0.bound.metric.comparison) \(ReportNumber.plain($0.bound.value)))" }.joined(separator: "; "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
