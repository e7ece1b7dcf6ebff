import FerryIR
import FerryPasses
import FerryRuntime
import Foundation
import NCNNFormat
import Testing

/// Every fixture is exported (float32, float16) and run back in the reference core, or refused
/// with the node named; exports are byte-identical run to run.
@Suite struct NCNNFixtureTests {
    @Test(arguments: NCNNFixtures.names)
    func float32ExportRunsLikeTheSource(_ name: String) throws {
        let model = try NCNNFixtures.optimized(name)
        if let refusal = NCNNFixtures.refused[name] {
            #expect {
                _ = try NCNNExporter.export(model)
            } throws: { error in
                guard case NCNNExportError.unsupportedOp(let node, let op, _) = error else { return false }
                return op == refusal.op && node.contains(refusal.node)
            }
            return
        }
        let exported = try NCNNExporter.export(model)
        let again = try NCNNExporter.export(model)
        #expect(exported.paramBytes == again.paramBytes && exported.binBytes == again.binBytes, "\(name): export is not deterministic")
        let readBack = try exported.readBack(like: model)
        let agreement = try compare(model, readBack, samples: try NCNNFixtures.samples(name))
        #expect(!agreement.isEmpty)
        for (output, a) in agreement {
            #expect(a.relativeMaxError <= 1e-4, "\(name) \(output): max error \(a.relativeMaxError) of the output range")
        }
    }

    @Test(arguments: NCNNFixtures.names.filter { NCNNFixtures.refused[$0] == nil })
    func rawFixtureExportsWithoutFerryPasses(_ name: String) throws {
        // The exporter folds constants and shape arithmetic itself (the LSTM fixture's initial state).
        let model = try NCNNFixtures.model(name)
        let exported = try NCNNExporter.export(model)
        let agreement = try compare(model, try exported.readBack(like: model), samples: try NCNNFixtures.samples(name, limit: 2))
        for (output, a) in agreement {
            #expect(a.relativeMaxError <= 1e-4, "\(name) \(output): max error \(a.relativeMaxError)")
        }
    }

    @Test(arguments: ["digits_cnn", "mobilenet_v2_w035", "lstm", "transformer_encoder"])
    func float16WeightsAreStoredHalfSizeAndReadBackExactly(_ name: String) throws {
        let float = try NCNNFixtures.optimized(name)
        let half = try WeightOnlyQuantizer(mode: .fp16).apply(to: float)
        let exported32 = try NCNNExporter.export(float)
        let exported16 = try NCNNExporter.export(half, options: NCNNExportOptions(weights: .float16))
        #expect(Double(exported16.binBytes.count) < 0.62 * Double(exported32.binBytes.count),
                "\(name): fp16 .bin is \(exported16.binBytes.count) bytes, float32 \(exported32.binBytes.count)")
        let agreement = try compare(half, try exported16.readBack(like: half), samples: try NCNNFixtures.samples(name, limit: 4))
        for (output, a) in agreement {
            #expect(a.relativeMaxError <= 1e-4, "\(name) \(output): fp16 read-back differs from the fp16 model by \(a.relativeMaxError)")
        }
    }

    @Test(arguments: ["digits_cnn", "mobilenet_v2_w035", "mobilenet_v3_small_w050", "keras_digits"])
    func int8WeightsFollowTheQDQScales(_ name: String) throws {
        let float = try NCNNFixtures.optimized(name)
        let calibration = try NCNNFixtures.samples(name, "calibration.npz", limit: 32)
        let names = float.graph.runtimeInputs.map(\.name) + float.graph.nodes.flatMap(\.outputs).filter { !$0.isEmpty }
        let statistics = try ActivationRecorder.record(model: float, names: names, samples: calibration, method: .minmax, threads: 1)
        let qdq = try QDQQuantizer(options: QuantizationOptions(mode: .int8), statistics: statistics).apply(to: float)
        let exported = try NCNNExporter.export(qdq, options: NCNNExportOptions(weights: .int8))
        #expect(!exported.int8Layers.isEmpty)
        let text = String(decoding: exported.paramBytes, as: UTF8.self)
        #expect(text.contains(" 8=1"), "int8 layers carry int8_scale_term")
        // The int8 weights NCNN gets are the QDQ graph's, value for value (NCNN may store a
        // MatMul weight transposed, so each tensor is compared as a sorted multiset), with the
        // reciprocal scales.
        let readBack = try exported.readBack(like: float)
        // Per-channel int8 weights (a DequantizeLinear with more than one scale reads them).
        func int8Weights(_ model: Model) -> [[Int8]] {
            model.graph.nodes.filter { $0.opType == "DequantizeLinear" && (model.graph.initializers[$0.inputs[1]]?.count ?? 0) > 1 }
                .compactMap { model.graph.initializers[$0.inputs[0]] }.filter { $0.dataType == .int8 }
                .map { $0.elements(as: Int8.self).sorted() }.sorted { $0.lexicographicallyPrecedes($1) }
        }
        let written = int8Weights(readBack), quantized = int8Weights(qdq)
        #expect(written.count == exported.int8Layers.count && written.count == quantized.count,
                "\(name): \(written.count) int8 weights written for \(quantized.count) in the QDQ graph")
        #expect(written == quantized, "\(name): the int8 weights written differ from the QDQ graph's")
        // A layout or scale mistake gives cosines near 0; symmetric activations (NCNN) cost some
        // accuracy against the asymmetric QDQ graph, which tests/test_ncnn.py measures in NCNN.
        let agreement = try compare(float, readBack, samples: try NCNNFixtures.samples(name, limit: 8))
        for (output, a) in agreement {
            #expect(a.cosine >= 0.8, "\(name) \(output): int8 NCNN cosine \(a.cosine) against float")
        }
        let again = try NCNNExporter.export(qdq, options: NCNNExportOptions(weights: .int8))
        #expect(again.paramBytes == exported.paramBytes && again.binBytes == exported.binBytes)
    }
}
