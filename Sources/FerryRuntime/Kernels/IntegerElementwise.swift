import FerryIR

/// TFLite's int8 and int16 ADD/SUB: both inputs scaled to a shared fixed-point scale (left
/// shift 20 for int8, 15 for int16: TFLite's general-scale int16 path), summed, then
/// requantized to the output (reference_integer_ops::AddFunc).
struct IntegerAddition: Sendable {
    let a: IntegerTensorParams
    let b: IntegerTensorParams
    let y: IntegerTensorParams
    let range: ActivationRange
    let aScale: Requantizer
    let bScale: Requantizer
    let yScale: Requantizer
    let subtract: Bool
    let rounding: IntegerRounding

    init(_ node: NodeContext, subtract: Bool) throws {
        a = try IntegerTensorParams(node, "a")
        b = try IntegerTensorParams(node, "b")
        y = try IntegerTensorParams(node, "y")
        range = try ActivationRange(node, type: .int16)
        rounding = try node.rounding()
        self.subtract = subtract
        let twiceMax = 2 * Double(Swift.max(a.scale, b.scale))
        aScale = Requantizer(Double(a.scale) / twiceMax, rounding)
        bScale = Requantizer(Double(b.scale) / twiceMax, rounding)
        yScale = Requantizer(twiceMax / (Double(1 << 20) * Double(y.scale)), rounding)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x1 = try inputs.required(0), x2 = try inputs.required(1)
        switch (x1.dataType, x2.dataType) {
        case (.int8, .int8): return [try add(x1, x2, Int8.self, leftShift: 20, yScale, context)]
        case (.int16, .int16):
            let twiceMax = 2 * Double(Swift.max(a.scale, b.scale))
            let scale = Requantizer(twiceMax / (Double(1 << 15) * Double(y.scale)), rounding)
            return [try add(x1, x2, Int16.self, leftShift: 15, scale, context)]
        default: throw KernelError("expects two int8 or two int16 inputs, got \(x1.dataType) and \(x2.dataType)")
        }
    }

    private func add<T: FixedWidthInteger & TensorElement>(_ x1: Tensor, _ x2: Tensor, _: T.Type, leftShift: Int32, _ sy: Requantizer,
                                                           _ context: ExecutionContext) throws -> Tensor {
        let (za, zb, zy) = (a.zeroPoint, b.zeroPoint, y.zeroPoint)
        let (lo, hi) = (Swift.max(range.min, Int32(T.min)), Swift.min(range.max, Int32(T.max)))
        let (sa, sb, sub) = (aScale, bScale, subtract)
        return try mapBinary(x1, x2, context) { (p: T, q: T) -> T in
            let shiftedA = (Int32(p) - za) << leftShift
            let shiftedB = (Int32(q) - zb) << leftShift
            let scaledA = sa.apply(shiftedA), scaledB = sb.apply(shiftedB)
            let raw = sy.apply(sub ? scaledA - scaledB : scaledA + scaledB) + zy
            return T(Swift.min(hi, Swift.max(lo, raw)))
        }
    }
}

/// TFLite's int8 and int16 MUL: (a − za)(b − zb) requantized by sa·sb/sy (reference_integer_ops::MulElementwise).
struct IntegerMultiplication: Sendable {
    let a: IntegerTensorParams
    let b: IntegerTensorParams
    let y: IntegerTensorParams
    let range: ActivationRange
    let scale: Requantizer

    init(_ node: NodeContext) throws {
        a = try IntegerTensorParams(node, "a")
        b = try IntegerTensorParams(node, "b")
        y = try IntegerTensorParams(node, "y")
        range = try ActivationRange(node, type: .int16)
        scale = Requantizer(Double(a.scale) * Double(b.scale) / Double(y.scale), try node.rounding())
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x1 = try inputs.required(0), x2 = try inputs.required(1)
        switch (x1.dataType, x2.dataType) {
        case (.int8, .int8): return [try multiply(x1, x2, Int8.self, context)]
        case (.int16, .int16): return [try multiply(x1, x2, Int16.self, context)]
        default: throw KernelError("expects two int8 or two int16 inputs, got \(x1.dataType) and \(x2.dataType)")
        }
    }

    private func multiply<T: FixedWidthInteger & TensorElement>(_ x1: Tensor, _ x2: Tensor, _: T.Type, _ context: ExecutionContext) throws -> Tensor {
        let (za, zb, zy) = (a.zeroPoint, b.zeroPoint, y.zeroPoint)
        let (lo, hi, s) = (Swift.max(range.min, Int32(T.min)), Swift.min(range.max, Int32(T.max)), scale)
        return try mapBinary(x1, x2, context) { (p: T, q: T) -> T in
            let raw = s.apply((Int32(p) - za) &* (Int32(q) - zb)) + zy
            return T(Swift.min(hi, Swift.max(lo, raw)))
        }
    }
}
