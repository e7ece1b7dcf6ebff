import FerryIR

extension Verifier {
    func makeReport(samples: Int, layerSamples: Int, budget: DriftBudget, layerBound: DriftBudget, outputs: [OutputState],
                    order: [(value: String, node: Node)], layers: [String: LayerState]) -> DriftReport {
        let outputDrifts = outputs.map { state -> OutputDrift in
            let drift = state.accumulator.result
            let checks = budget.bounds(for: state.name, floating: state.floating, classifier: state.classifier).compactMap { bound -> BoundCheck? in
                guard let value = drift.value(of: bound.metric) else { return nil }
                return BoundCheck(output: state.name, bound: bound, value: value, passed: bound.metric.allows(value, bound: bound.value))
            }
            return OutputDrift(name: state.name, sourceType: state.sourceType, candidateType: state.candidateType,
                               dequantized: state.dequantized, floating: state.floating, shape: state.shape,
                               classifier: state.classifier, drift: drift, checks: checks)
        }
        var layerDrifts: [LayerDrift] = []
        for (value, node) in order {
            guard let state = layers[value] else { continue }
            let drift = state.accumulator.result
            let exceeded = layerBound.bounds.filter { bound in
                drift.value(of: bound.metric).map { !bound.metric.allows($0, bound: bound.value) } ?? false
            }
            layerDrifts.append(LayerDrift(index: layerDrifts.count, value: value, node: node.name, opType: node.opType,
                                          dequantized: state.dequantized, drift: drift, exceeded: exceeded))
        }
        return DriftReport(source: sourceLabel, candidate: candidateLabel, sampleCount: samples, layerSampleCount: layerSamples, budget: budget,
                           layerBound: layerBound, outputs: outputDrifts, layers: layerDrifts,
                           layersSkipped: order.count - layerDrifts.count)
    }
}
