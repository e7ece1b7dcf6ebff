import Foundation
import TFLiteFormat

extension ConversionOptions {
    /// The support-library metadata `--target tflite` writes: names from the model, the shared
    /// `--labels`, `--input-mean`/`--input-std`, `--author`, `--license`, `--description`.
    func tfliteMetadata(for file: [UInt8]) throws -> TFLiteSupportMetadata {
        var metadata = TFLiteMetadataOptions()
        metadata.name = "ferry model"
        metadata.description = coreML.shortDescription
        metadata.version = coreML.version
        metadata.author = coreML.author
        metadata.license = coreML.license
        metadata.labels = coreML.classLabels
        if let normalization = inputNormalization {
            metadata.normalizedInput = normalization.input
            metadata.mean = normalization.mean
            metadata.std = normalization.std
        }
        do {
            return try TFLiteSupportMetadata(model: try TFLiteReader.read(file), options: metadata)
        } catch let error as TFLiteMetadataError {
            throw ConversionError.unsupported("TFLite metadata: \(error.description)")
        }
    }

    /// `labels.txt` (one label per line) when labels are given.
    var tfliteAssociatedFiles: [(name: String, bytes: [UInt8])] {
        guard let labels = coreML.classLabels else { return [] }
        return [(TFLiteMetadataOptions.labelsFile, Array(labels.map { $0 + "\n" }.joined().utf8))]
    }
}
