import FerryIR
import FerryPasses
import FerryRuntime

/// The graph as the Core ML exporter sees it: pass-throughs removed, constants folded (shape
/// subgraphs vanish; float16 Casts and DequantizeLinear of weights stay, they carry compressed
/// weights on purpose), and every value typed with its inferred shape (nil dims where dynamic).
struct PreparedGraph {
    var graph: Graph
    var opsets: [String: Int]
    var types: [String: ValueType]
}

enum ExportPreparation {
    static func prepare(_ model: Model) throws -> PreparedGraph {
        let pipeline = PassPipeline([RemovePassThrough(), ConstantFolding(maxGrowthBytes: Int.max), DeadCodeElimination()])
        var folded: Model
        do {
            folded = try pipeline.run(model).0
            try folded.graph.sortAndVerify()
        } catch {
            throw CoreMLExportError.preparation("\(error)")
        }
        let inferred: Model
        do {
            inferred = try ShapeInference.infer(folded)
        } catch {
            throw CoreMLExportError.preparation("\(error)")
        }
        var types: [String: ValueType] = [:]
        for info in inferred.graph.inputs + inferred.graph.outputs + Array(inferred.graph.valueInfo.values) {
            if let type = info.type { types[info.name] = type }
        }
        for (name, tensor) in folded.graph.initializers {
            types[name] = ValueType(dataType: tensor.dataType, dims: tensor.shape)
        }
        return PreparedGraph(graph: folded.graph, opsets: folded.opsets, types: types)
    }
}
