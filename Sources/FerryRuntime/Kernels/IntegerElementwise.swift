import FerryIR

/// TFLite's int8 ADD/SUB: both inputs scaled to a shared fixed-point scale (left shift 20),
/// summed, then requantized to the output (reference_integer_ops::AddFunc).
struct IntegerAddition: Sendable {
    let a: IntegerTensorParams
    let b: IntegerTensorParams
    let y: IntegerTensorParams
    let range: ActivationRange
    let aScale: Requantizer
    let bScale: Requantizer
    let yScale: Requantizer
    let subtract: Bool
    static let leftShift: Int32 = 20

    init(_ node: NodeContext, subtract: Bool) throws {
        a = try IntegerTensorParams(node, "a")
        b = try IntegerTensorParams(node, "b")
        y = try IntegerTensorParams(node, "y")
        range = try ActivationRange(node)
        let rounding = try node.rounding()
        self.subtract = subtract
        let twiceMax = 2 * Double(Swift.max(a.scale, b.scale))
        aScale = Requantizer(Double(a.scale) / twiceMax, rounding)
        bScale = Requantizer(Double(b.scale) / twiceMax, rounding)
        yScale = Requantizer(twiceMax / (Double(1 << Self.leftShift) * Double(y.scale)), rounding)
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x1 = try inputs.required(0), x2 = try inputs.required(1)
        guard x1.dataType == .int8, x2.dataType == .int8 else { throw KernelError("expects int8 inputs, got \(x1.dataType) and \(x2.dataType)") }
        let (za, zb, zy) = (a.zeroPoint, b.zeroPoint, y.zeroPoint)
        let (lo, hi) = (range.min, range.max)
        let (sa, sb, sy, sub) = (aScale, bScale, yScale, subtract)
        return [try mapBinary(x1, x2, context) { (p: Int8, q: Int8) -> Int8 in
            let shiftedA = (Int32(p) - za) << Self.leftShift
            let shiftedB = (Int32(q) - zb) << Self.leftShift
            let scaledA = sa.apply(shiftedA), scaledB = sb.apply(shiftedB)
            let raw = sy.apply(sub ? scaledA - scaledB : scaledA + scaledB) + zy
            return Int8(Swift.min(hi, Swift.max(lo, raw)))
        }]
    }
}

/// TFLite's int8 MUL: (a − za)(b − zb) requantized by sa·sb/sy (reference_integer_ops::MulElementwise).
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
        range = try ActivationRange(node)
        scale = Requantizer(Double(a.scale) * Double(b.scale) / Double(y.scale), try node.rounding())
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x1 = try inputs.required(0), x2 = try inputs.required(1)
        guard x1.dataType == .int8, x2.dataType == .int8 else { throw KernelError("expects int8 inputs, got \(x1.dataType) and \(x2.dataType)") }
        let (za, zb, zy) = (a.zeroPoint, b.zeroPoint, y.zeroPoint)
        let (lo, hi, s) = (range.min, range.max, scale)
        return [try mapBinary(x1, x2, context) { (p: Int8, q: Int8) -> Int8 in
            let raw = s.apply((Int32(p) - za) * (Int32(q) - zb)) + zy
            return Int8(Swift.min(hi, Swift.max(lo, raw)))
        }]
    }
}
