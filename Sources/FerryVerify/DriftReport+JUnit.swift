extension DriftReport {
    /// The report as JUnit XML for CI dashboards: one test case per checked bound (a `failure`
    /// element when it is exceeded), or one per output when the budget is empty; the first
    /// drifting layer goes to `system-out`.
    public func junit() -> String {
        var cases: [String] = []
        for output in outputs {
            if output.checks.isEmpty {
                cases.append("    <testcase classname=\"\(Self.xml("ferry.verify." + output.name))\" name=\"\(Self.xml(output.name + " compared"))\"/>")
            }
            for check in output.checks {
                let name = Self.xml("\(output.name) \(check.bound.condition)")
                let open = "    <testcase classname=\"\(Self.xml("ferry.verify." + output.name))\" name=\"\(name)\""
                if check.passed {
                    cases.append(open + "/>")
                } else {
                    let message = "\(check.bound.metric.rawValue) \(ReportNumber.text(check.value)) does not satisfy \(check.bound.condition)"
                    cases.append(open + ">\n      <failure type=\"drift\" message=\"\(Self.xml(message))\">\(Self.xml(message))</failure>\n    </testcase>")
                }
            }
        }
        let failures = violations.count
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"ferry verify\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">",
            "  <testsuite name=\"\(Self.xml("drift of \(candidate) against \(source)"))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">",
        ]
        lines += cases
        var notes = ["\(sampleCount) samples"]
        if !layerBound.isEmpty {
            if let first = firstDrift {
                notes.append("first layer over the bound: \(first.value) (\(first.opType) \(first.node)), \(first.exceeded.map(\.condition).joined(separator: ", ")) exceeded")
            } else {
                notes.append("no layer passes the per-layer bound")
            }
        }
        lines.append("    <system-out>\(Self.xml(notes.joined(separator: "; ")))</system-out>")
        lines += ["  </testsuite>", "</testsuites>", ""]
        return lines.joined(separator: "\n")
    }

    /// Escapes text for an XML attribute or element; drops characters XML 1.0 cannot hold.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
