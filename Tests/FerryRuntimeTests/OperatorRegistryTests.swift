import FerryRuntime
import Foundation
import Testing

/// Every operator file is registered, and the registry has no duplicates.
@Suite struct OperatorRegistryTests {
    @Test func everyOpFileIsRegisteredOnce() throws {
        let ops = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/FerryRuntime/Ops")
        let files = try FileManager.default.contentsOfDirectory(atPath: ops.path)
            .filter { $0.hasSuffix(".swift") }.map { String($0.dropLast(6)) }.sorted()
        let keys = OperatorRegistry.allOperatorTypes
        #expect(Set(keys).count == keys.count, "an op is registered twice")
        let registered = OperatorRegistry.implementationNames
        #expect(Set(files) == Set(registered), "unregistered: \(Set(files).subtracting(registered).sorted()); no file: \(Set(registered).subtracting(files).sorted())")
    }

    @Test func coversTheFoundationOperatorList() {
        // The operators the foundation issue requires the reference core to run.
        let required = """
        Conv ConvTranspose Gemm MatMul BatchNormalization Relu LeakyRelu PRelu Clip Sigmoid HardSigmoid HardSwish Tanh Elu
        Selu Gelu Erf Softplus Softmax LogSoftmax MaxPool AveragePool GlobalAveragePool GlobalMaxPool LRN Add Sub Mul Div
        Pow Sqrt Exp Log Abs Neg Reciprocal Min Max Sum Mean Floor Ceil Round Equal Less Greater Where Not And Or Cast
        Reshape Flatten Transpose Squeeze Unsqueeze Concat Split Slice Gather GatherElements Expand Tile Pad Resize Shape
        Size Constant ConstantOfShape Range Identity Dropout ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL2
        ArgMax ArgMin TopK LayerNormalization InstanceNormalization DepthToSpace SpaceToDepth Einsum LSTM GRU If
        QuantizeLinear DequantizeLinear
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let missing = Set(required).subtracting(OperatorRegistry.supportedOperators)
        #expect(missing.isEmpty, "missing: \(missing.sorted())")
    }
}
