/// A classifier ML Program as coremltools writes one (`_add_classify_op`): a `classify` op
/// after the probabilities, whose outputs `classLabel` (the predicted label, a string) and
/// `classLabel_probs` (label → probability) replace the probabilities among the outputs, and
/// the model description names them as predicted feature and probabilities.
enum Classifier {
    static let labelName = "classLabel"

    static func attach(labels: [String], emitter e: MILEmitter, outputs: inout [String], description: inout ModelDescription) throws {
        guard let probabilities = outputs.first, let type = e.types[probabilities], var feature = description.outputs.first else {
            throw CoreMLExportError.preparation("--labels: the model has no output to classify")
        }
        let count = type.shape.reduce(1) { $0 * ($1 ?? 0) }
        guard count == labels.count else {
            throw CoreMLExportError.preparation("--labels: \(labels.count) labels, but output '\(feature.shortDescription)' holds \(type.shape.contains(nil) ? "a dynamic number of" : "\(count)") values")
        }
        guard type.dataType == .float32 else {
            throw CoreMLExportError.preparation("--labels: output '\(feature.shortDescription)' is \(type.dataType), classify takes fp32 probabilities")
        }
        let label = e.identifiers.interface(labelName), probs = e.identifiers.interface(labelName + "_probs")
        e.operations.append(MILOperation(type: "classify",
                                         inputs: [("probabilities", [.name(probabilities)]), ("classes", [.value(.strings(labels))])],
                                         outputs: [MILNamedType(label, MILTensorType(.string, [])),
                                                   MILNamedType(probs, .dictionary(key: .string, value: .float64))],
                                         attributes: [("name", .string(label))]))
        outputs = [label, probs] + outputs.dropFirst()
        var labelFeature = FeatureDescription(name: label, dataType: .float32, shape: [])
        labelFeature.kind = .string
        feature.name = probs
        feature.kind = .stringKeyedDictionary
        feature.shape = []
        feature.ranges = nil
        description.outputs = [labelFeature, feature] + description.outputs.dropFirst()
        description.predictedFeatureName = label
        description.predictedProbabilitiesName = probs
    }
}
