import Foundation

extension NCNNParamFile {
    /// The text form NCNN's `Net::load_param` reads: magic, counts, then one line per layer.
    public func text() -> String {
        var lines = ["\(Self.magic)", "\(layers.count) \(blobNames.count)"]
        for layer in layers {
            var fields = [layer.type.padding(toLength: max(layer.type.count, 16), withPad: " ", startingAt: 0),
                          layer.name.padding(toLength: max(layer.name.count, 24), withPad: " ", startingAt: 0),
                          "\(layer.inputs.count)", "\(layer.outputs.count)"]
            fields += layer.inputs
            fields += layer.outputs
            for id in layer.params.keys.sorted() {
                fields.append(Self.format(id: id, layer.params[id]!))
            }
            lines.append(fields.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(id: Int, _ value: NCNNParamValue) -> String {
        switch value {
        case .int(let v): return "\(id)=\(v)"
        case .float(let v): return "\(id)=\(formatFloat(v))"
        case .ints(let v): return "\(-23300 - id)=\(([v.count] + v).map(String.init).joined(separator: ","))"
        case .floats(let v): return "\(-23300 - id)=\(v.count)" + v.map { "," + formatFloat($0) }.joined()
        }
    }

    /// A float NCNN reads back exactly: it must contain '.' or 'e' (else it is an int), fit
    /// the 15 characters NCNN scans, and have at most 9 digits after the point (NCNN sums them
    /// in a 32-bit integer).
    static func formatFloat(_ value: Float) -> String {
        let shortest = value.description
        if let dot = shortest.firstIndex(of: "."), !shortest.contains("e"),
           shortest.count <= 15, shortest.distance(from: dot, to: shortest.endIndex) - 1 <= 9 {
            return shortest
        }
        if shortest.contains("e") && shortest.count <= 15 && !shortest.contains("n") && !shortest.contains("i") {
            return shortest
        }
        return String(format: "%.8e", Double(value))
    }
}
