import FerryIR

/// One file a target writer made, with its path relative to the output folder
/// (`model.tflite`, `model.param`, `model.mlpackage/Manifest.json`, …).
public struct TargetFile: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// What a target writer made from the converted model.
public struct TargetOutput: Sendable {
    /// Every file, in the order they are written; the first is the target's main file.
    public var files: [TargetFile]
    /// The model as the target runtime will see it, read back from `files`: verification runs
    /// this, so the drift report describes the bytes the device gets.
    public var readBack: Model
    /// Lines `ferry convert` prints after the summary (an arena size, ops a runtime lacks).
    public var notes: [String]
    /// Target facts recorded in `conversion.json` under "target_details" (sorted keys).
    public var details: [String: String]
    /// Values the read-back model stores in another axis order than the source (name → perm,
    /// holding `transpose(value, perm)`), so per-layer drift compares like with like.
    public var layouts: [String: [Int]]

    public init(files: [TargetFile], readBack: Model, notes: [String] = [], details: [String: String] = [:],
                layouts: [String: [Int]] = [:]) {
        self.files = files
        self.readBack = readBack
        self.notes = notes
        self.details = details
        self.layouts = layouts
    }
}

/// A runtime format `ferry convert --target` writes. One conforming type per target, in
/// `Sources/FerryConvert/Targets/`, wrapping the format target's exporter and reader.
public protocol TargetWriter: Sendable {
    /// Writes `model` (already optimized and quantized as `options` asked) and reads it back.
    func write(_ model: Model, options: ConversionOptions) throws -> TargetOutput
}
