import FerryIR
import FerryRuntime

extension Model {
    /// The model with a type in `graph.valueInfo` for every value computed from constants alone
    /// (a DequantizeLinear of int8 weights, a Cast of float16 ones): shape inference runs the
    /// graph in the reference core, which precomputes those nodes and so never observes them,
    /// but the ORT format stores every value's type. Each such node runs once, alone.
    func typingConstantNodes() throws -> Model {
        var result = self
        var constants = graph.initializers
        let typed = Set(graph.valueInfo.keys).union(graph.inputs.map(\.name)).union(graph.outputs.compactMap { $0.type == nil ? nil : $0.name })
        for node in graph.nodes {
            let inputs = node.inputs.filter { !$0.isEmpty }
            let outputs = node.outputs.filter { !$0.isEmpty }
            guard !inputs.isEmpty, inputs.allSatisfy({ constants[$0] != nil }),
                  !node.attributes.values.contains(where: { !$0.subgraphs.isEmpty }) else { continue }
            let single = Graph(name: "constant", nodes: [node], inputs: [], outputs: outputs.map { ValueInfo(name: $0, type: nil) },
                               initializers: Dictionary(uniqueKeysWithValues: Set(inputs).map { ($0, constants[$0]!) }))
            let values = try InferenceSession(model: Model(graph: single, opsets: opsets, irVersion: irVersion)).run([:])
            for (name, value) in zip(outputs, values) {
                constants[name] = value
                guard !typed.contains(name) else { continue }
                let type = ValueType(dataType: value.dataType, shape: value.shape.map { .fixed($0) })
                if let index = result.graph.outputs.firstIndex(where: { $0.name == name }) {
                    result.graph.outputs[index].type = type
                } else {
                    result.graph.valueInfo[name] = ValueInfo(name: name, type: type)
                }
            }
        }
        return result
    }
}
