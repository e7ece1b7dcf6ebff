/// Turns ONNX names (any string) into NCNN layer and blob names: NCNN reads names as
/// whitespace-separated tokens of at most 255 bytes, so whitespace and control characters
/// become '_', and a name already taken gets a numeric suffix. The same input gives the same names.
struct NCNNNames {
    private var taken: Set<String> = []

    /// `base` as an NCNN token: whitespace and control characters become '_', at most 240 bytes.
    static func clean(_ base: String) -> String {
        var clean = String(base.unicodeScalars.map { scalar -> Character in
            scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : Character(scalar)
        })
        if clean.isEmpty { clean = "blob" }
        while clean.utf8.count > 240 { clean.removeLast() }
        return clean
    }

    mutating func make(_ base: String) -> String {
        let clean = Self.clean(base)
        var candidate = clean
        var suffix = 2
        while taken.contains(candidate) {
            candidate = "\(clean)_\(suffix)"
            suffix += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
