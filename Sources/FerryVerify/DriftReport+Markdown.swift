extension DriftReport {
    /// The report as a Markdown page: verdict, output table, budget checks, layer table.
    public func markdown() -> String {
        var lines: [String] = ["# Drift report", ""]
        let verdict = passed ? "**within budget**" : "**over budget** (\(violations.count) bound\(violations.count == 1 ? "" : "s") exceeded)"
        lines.append("`\(candidate)` against `\(source)` on \(sampleCount) sample\(sampleCount == 1 ? "" : "s"): \(verdict).")
        lines += ["", "Budget: \(budget.isEmpty ? "none" : budget.bounds.map { "`\(Self.label($0))`" }.joined(separator: ", ")).", ""]
        lines += ["## Outputs", "",
                  "| output | dtype | max_abs | mean_abs | rel | cosine | snr_db | top1 | topk |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for output in outputs {
            let d = output.drift
            let dtype = output.sourceType == output.candidateType ? "\(output.sourceType)"
                : "\(output.sourceType) / \(output.candidateType)\(output.dequantized ? " (dequantized)" : "")"
            let top1 = d.top1.map(ReportNumber.text) ?? "–"
            let topk = d.topK.map { "\(ReportNumber.text($0)) (k=\(d.k ?? 0))" } ?? "–"
            lines.append("| \(Self.cell(output.name)) | \(dtype) | \(ReportNumber.text(d.maxAbs)) | \(ReportNumber.text(d.meanAbs)) | \(ReportNumber.text(d.rel)) | \(ReportNumber.text(d.cosine)) | \(ReportNumber.text(d.snrDB)) | \(top1) | \(topk) |")
        }
        lines += ["", "rel, cosine and snr_db are the worst sample's; max_abs the largest error anywhere; mean_abs over all elements; top1/topk the fraction of rows that agree.", ""]
        let checks = outputs.flatMap(\.checks)
        if !checks.isEmpty {
            lines += ["| output | bound | value | result |", "|---|---|---:|---|"]
            for check in checks {
                lines.append("| \(Self.cell(check.output)) | `\(check.bound.condition)` | \(ReportNumber.text(check.value)) | \(check.passed ? "pass" : "**FAIL**") |")
            }
            lines.append("")
        }
        lines += ["## Layers", ""]
        if layerBound.isEmpty {
            lines += ["Per-layer drift was not measured.", ""]
            return lines.joined(separator: "\n")
        }
        let bound = layerBound.bounds.map { "`\($0.condition)`" }.joined(separator: ", ")
        if let first = firstDrift {
            lines.append("First layer over the bound (\(bound)): `\(first.value)`, computed by \(first.opType) `\(first.node)` (\(first.exceeded.map(\.condition).joined(separator: ", ")) exceeded).")
        } else {
            lines.append("No layer passes the bound (\(bound)).")
        }
        lines += ["", "\(layers.count) values compared on the first \(layerSampleCount) sample\(layerSampleCount == 1 ? "" : "s"), \(layersSkipped) skipped (integer, absent from the candidate, or reshaped).", ""]
        lines += ["| # | value | op | max_abs | rel | cosine | snr_db | |", "|---:|---|---|---:|---:|---:|---:|---|"]
        for layer in layers {
            let d = layer.drift
            lines.append("| \(layer.index) | \(Self.cell(layer.value)) | \(layer.opType) | \(ReportNumber.text(d.maxAbs)) | \(ReportNumber.text(d.rel)) | \(ReportNumber.text(d.cosine)) | \(ReportNumber.text(d.snrDB)) | \(layer.exceeded.isEmpty ? "" : "over") |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    static func label(_ bound: DriftBound) -> String {
        (bound.output.map { "\($0): " } ?? "") + bound.condition
    }

    /// Table cells cannot hold `|` or line breaks.
    static func cell(_ text: String) -> String {
        "`" + text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") + "`"
    }
}
