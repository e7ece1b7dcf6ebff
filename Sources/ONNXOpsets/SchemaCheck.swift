import FerryIR

/// Checks one node against its op's schema at an opset: the op exists and is not deprecated
/// there, and every attribute, input, output and element type it uses is one that version
/// has. A failure names the node and, from the op's other versions, the opset that has it.
struct SchemaCheck {
    let target: Int
    let types: [String: ValueType]

    func check(_ node: Node) throws {
        let versions = ONNXSchemas.versions(domain: node.domain, opType: node.opType)
        guard let first = versions.first else {
            throw OpsetError.opUnavailable(node: node.label, opType: node.opType, target: target,
                                           needs: "onnx \(ONNXSchemas.sourceVersion) has no op \(node.domain.isEmpty ? "" : node.domain + ".")\(node.opType)")
        }
        guard let schema = ONNXSchemas.schema(domain: node.domain, opType: node.opType, opset: target) else {
            throw OpsetError.opUnavailable(node: node.label, opType: node.opType, target: target,
                                           needs: "\(node.opType) appeared in opset \(first.sinceVersion) (needs opset \(first.sinceVersion))")
        }
        if schema.deprecated {
            throw OpsetError.opUnavailable(node: node.label, opType: node.opType, target: target,
                                           needs: "\(node.opType) is deprecated from opset \(schema.sinceVersion)")
        }
        for name in node.attributes.keys.sorted() where !schema.attributes.contains(name) {
            throw fail(node, "attribute '\(name)'", needs(versions) { $0.attributes.contains(name) })
        }
        for name in schema.requiredAttributes.sorted() where node.attributes[name] == nil {
            throw fail(node, "the required attribute '\(name)' is missing;", "opset \(schema.sinceVersion) needs it")
        }
        try checkArguments(node, node.inputs, output: false, schema: schema, versions: versions)
        try checkArguments(node, node.outputs, output: true, schema: schema, versions: versions)
    }

    private func checkArguments(_ node: Node, _ names: [String], output: Bool, schema: ONNXSchemas.Schema, versions: [ONNXSchemas.Schema]) throws {
        let kind = output ? "output" : "input"
        var present = names
        while present.last == "" { present.removeLast() }
        if let maximum = schema.maximumCount(output: output), present.count > maximum {
            let count = present.count
            throw fail(node, "\(kind) \(maximum) ('\(present[maximum])')",
                       needs(versions) { $0.maximumCount(output: output).map { $0 >= count } ?? true })
        }
        let formal = output ? schema.outputs : schema.inputs
        for (index, parameter) in formal.enumerated() where parameter.option == .single && (index >= present.count || present[index].isEmpty) {
            // Outputs may be left unnamed: ONNX allows dropping trailing optional-by-use outputs only
            // when the schema says optional, so a missing required input or output is an error.
            throw fail(node, "\(kind) \(index) (\(parameter.name)) is required there but missing;", "give it or keep the source opset")
        }
        for (index, name) in present.enumerated() where !name.isEmpty {
            guard let type = types[name]?.dataType, let parameter = schema.parameter(index, output: output),
                  let allowed = schema.allowedTypes(parameter) else { continue }
            guard !allowed.contains(type.rawValue) else { continue }
            throw fail(node, "\(kind) '\(name)' of type \(type)", needs(versions) { version in
                guard let formal = version.parameter(index, output: output), let allowed = version.allowedTypes(formal) else { return false }
                return allowed.contains(type.rawValue)
            })
        }
    }

    /// "needs opset N": the first version after the target that has what `has` asks for.
    private func needs(_ versions: [ONNXSchemas.Schema], _ has: (ONNXSchemas.Schema) -> Bool) -> String {
        if let later = versions.first(where: { $0.sinceVersion > target && has($0) }) { return "needs opset \(later.sinceVersion)" }
        if let earlier = versions.last(where: { $0.sinceVersion < target && has($0) }) { return "was removed after opset \(earlier.sinceVersion)" }
        return "is in no opset of onnx \(ONNXSchemas.sourceVersion)"
    }

    private func fail(_ node: Node, _ what: String, _ needs: String) -> OpsetError {
        .notExpressible(node: node.label, what: what, target: target, needs: needs)
    }
}
