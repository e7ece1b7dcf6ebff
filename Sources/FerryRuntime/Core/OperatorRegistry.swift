import FerryIR

/// Every operator the reference core runs, read top to bottom. An op is registered here and
/// nowhere else; `OperatorRegistryTests` checks that each file under Ops/ is listed.
public enum OperatorRegistry {
    static let operators: [any Operator.Type] = [
        // Elementwise math
        Abs.self, Acos.self, Acosh.self, Add.self, Asin.self, Asinh.self, Atan.self, Atanh.self,
        Ceil.self, Clip.self, Cos.self, Cosh.self, Div.self, Erf.self, Exp.self, Floor.self,
        IsInf.self, IsNaN.self, Log.self, Max.self, Mean.self, Min.self, Mod.self, Mul.self,
        Neg.self, Pow.self, Reciprocal.self, Round.self, Sign.self, Sin.self, Sinh.self,
        Sqrt.self, Sub.self, Sum.self, Tan.self, Tanh.self,
        // Activations
        Celu.self, Elu.self, Gelu.self, HardSigmoid.self, HardSwish.self, LeakyRelu.self,
        Mish.self, PRelu.self, Relu.self, Selu.self, Sigmoid.self, Softplus.self, Softsign.self,
        Shrink.self, Swish.self, ThresholdedRelu.self,
        // Neural network layers
        AveragePool.self, BatchNormalization.self, Conv.self, ConvTranspose.self, Einsum.self,
        Gemm.self, GlobalAveragePool.self, GRU.self, LSTM.self, RNN.self, Resize.self, Upsample.self,
        GlobalMaxPool.self, Hardmax.self, InstanceNormalization.self, LayerNormalization.self,
        LogSoftmax.self, LpPool.self, LRN.self, MatMul.self, MaxPool.self, Softmax.self,
        // Reductions and selection
        ArgMax.self, ArgMin.self, ReduceL1.self, ReduceL2.self, ReduceLogSum.self,
        ReduceLogSumExp.self, ReduceMax.self, ReduceMean.self, ReduceMin.self, ReduceProd.self,
        ReduceSum.self, ReduceSumSquare.self, TopK.self, CumSum.self, NonZero.self,
        // Logic and comparison
        And.self, Equal.self, Greater.self, GreaterOrEqual.self, Less.self, LessOrEqual.self,
        Not.self, Or.self, Where.self, Xor.self,
        // Shapes and data movement
        Concat.self, Constant.self, ConstantOfShape.self, DepthToSpace.self, Expand.self,
        Flatten.self, Gather.self, GatherElements.self, Pad.self, RangeOperator.self, Reshape.self,
        Shape.self, Size.self, Slice.self, SpaceToDepth.self, Split.self, Squeeze.self,
        Tile.self, Transpose.self, Unsqueeze.self, EyeLike.self, GatherND.self, OneHot.self,
        ScatterElements.self, ScatterND.self, Trilu.self,
        // Control flow
        If.self, Loop.self,
        // Quantization
        DequantizeLinear.self, QuantizeLinear.self,
        // Types and plumbing
        Cast.self, CastLike.self, Dropout.self, Identity.self,
        // Fused ops written by Ferry's passes and 16-bit Q/DQ (ONNX Runtime's com.microsoft definitions)
        FusedConv.self, FusedGemm.self, ContribQuantizeLinear.self, ContribDequantizeLinear.self, MatMulNBits.self,
        // Integer ops computing as TFLite's reference kernels (written by the integer lowering)
        HybridInputQuantization.self, IntegerAdd.self, IntegerAveragePool.self, IntegerConv.self, IntegerFullyConnected.self, IntegerHardSwish.self, IntegerLookupTable.self,
        IntegerMean.self, IntegerMul.self, IntegerSigmoid.self, IntegerSoftmax.self, IntegerSub.self, IntegerTanh.self,
    ]

    static let byName: [String: any Operator.Type] = {
        var table: [String: any Operator.Type] = [:]
        for op in operators { table[key(op.domain, op.opType)] = op }
        return table
    }()

    private static func key(_ domain: String, _ opType: String) -> String { domain.isEmpty ? opType : domain + "::" + opType }

    /// Names of the default-domain operators the reference core runs, sorted.
    public static var supportedOperators: [String] { operators.filter { $0.domain.isEmpty }.map { $0.opType }.sorted() }

    /// Every registered op as "domain::opType" ("opType" in the default domain), sorted.
    public static var allOperatorTypes: [String] { operators.map { key($0.domain, $0.opType) }.sorted() }

    /// The Swift type implementing each registered op, sorted (one file per type under Ops/).
    public static var implementationNames: [String] { operators.map { String(describing: $0) }.sorted() }

    /// Whether the core runs `opType` of `domain` ("" or "ai.onnx" for the default domain).
    public static func supports(_ opType: String, domain: String) -> Bool {
        byName[key(domain == "ai.onnx" ? "" : domain, opType)] != nil
    }

    static func makeKernel(_ context: NodeContext) throws -> any Kernel {
        let node = context.node
        let domain = node.domain == "ai.onnx" ? "" : node.domain
        guard let op = byName[key(domain, node.opType)] else {
            throw GraphError.unsupportedOperator(node: node.label, opType: node.opType, domain: node.domain)
        }
        return try op.init(context)
    }
}
