import FerryIR

extension IRBuilder {
    /// classify: the probability dictionary reads back as the probabilities it holds (in class
    /// order), so the source's output is compared; the predicted label, a string the source
    /// does not have, is left out of the read model.
    func readClassify(_ r: MILOperationReader) throws {
        let outputs = r.operation.outputs
        guard outputs.count == 2, outputs[1].type.dictionaryValue != nil else { throw r.fail("classify makes a label and a dictionary") }
        guard case .value(.strings(let labels))? = r.operation.inputs.first(where: { $0.parameter == "classes" })?.arguments.first else {
            throw r.fail("classes must be an inline list of strings")
        }
        let type = try r.type("probabilities")
        guard type.shape.reduce(1, { $0 * ($1 ?? 0) }) == labels.count else {
            throw r.fail("\(labels.count) classes for probabilities of shape \(type.shape.map { $0 ?? -1 })")
        }
        let probabilities = try r.value("probabilities")
        define(outputs[1].name, type) { target in node("Identity", [probabilities], [target]) }
        omitted.insert(outputs[0].name)
    }
}
