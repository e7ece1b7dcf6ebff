/// The newest ai.onnx opset each ONNX Runtime release implements, for `--ort-version`.
///
/// From ONNX Runtime's compatibility table (onnxruntime.ai/docs/reference/compatibility.html);
/// 1.32 is what the onnxruntime 1.32 wheel loads (opset 28 loads, 29 is refused). A release
/// between two rows gets the older row's opset: every release runs the opsets before its own.
public enum ONNXRuntimeVersions {
    /// (release, opset), oldest first.
    public static let table: [(release: (major: Int, minor: Int), opset: Int)] = [
        ((1, 0), 11), ((1, 3), 12), ((1, 6), 13), ((1, 8), 14), ((1, 9), 15), ((1, 11), 16),
        ((1, 12), 17), ((1, 14), 18), ((1, 15), 19), ((1, 17), 20), ((1, 18), 21), ((1, 21), 22),
        ((1, 23), 23), ((1, 32), 28),
    ]

    /// The opset for a release given as `MAJOR.MINOR` (a patch number is ignored), or nil when
    /// the text is not a version or names a release older than 1.0.
    public static func opset(for version: String) -> Int? {
        let parts = version.split(separator: ".").map { Int($0) }
        guard parts.count >= 2, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
        let release = (parts[0]!, parts[1]!)
        return table.last { $0.release.major < release.0 || ($0.release.major == release.0 && $0.release.minor <= release.1) }?.opset
    }
}
