import FerryIR
import CFerryKernels

/// Clip: limits every element to [min, max]; the bounds are attributes before opset 11 and
/// optional scalar inputs from then on.
struct Clip: Operator {
    static let opType = "Clip"
    let attributeMin: Float?
    let attributeMax: Float?

    init(_ node: NodeContext) throws {
        if node.opset < 11 {
            attributeMin = try node.float("min", default: -Float.greatestFiniteMagnitude)
            attributeMax = try node.float("max", default: Float.greatestFiniteMagnitude)
        } else {
            attributeMin = nil
            attributeMax = nil
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard let type = x.dataType.numericType else { throw KernelError("expects a numeric input, got \(x.dataType)") }
        func bound(_ index: Int, _ attribute: Float?) throws -> Double? {
            if let attribute { return Double(attribute) }
            guard let tensor = inputs.optional(index) else { return nil }
            guard tensor.count == 1 else { throw KernelError("input \(index) must be a scalar, has shape \(tensor.shape)") }
            return tensor.doubles()[0]
        }
        let low = try bound(1, attributeMin), high = try bound(2, attributeMax)
        if x.dataType == .float32 {
            // A vectorized C loop (Clip follows most convolutions in mobile models), same
            // operand order as the generic path below.
            let lo = low.map { Float($0) } ?? -.infinity, hi = high.map { Float($0) } ?? .infinity
            let out = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
            let source = x.storage.bytes.assumingMemoryBound(to: Float.self)
            let target = out.storage.bytes.assumingMemoryBound(to: Float.self)
            context.parallelFor(x.count, minimumChunk: 1 << 15) { range in
                ferry_clip_f32(source + range.lowerBound, target + range.lowerBound, range.count, lo, hi)
            }
            return [out]
        }
        func open<T: NumericElement>(_: T.Type) -> Tensor {
            let lo = low.map { T(castingFrom: $0) } ?? T.lowest
            let hi = high.map { T(castingFrom: $0) } ?? T.highest
            // Applied as min(max(x, lo), hi): when lo > hi every element becomes hi, as ONNX specifies.
            return mapUnary(x, context) { (v: T) -> T in Swift.min(Swift.max(v, lo), hi) }
        }
        return [open(type)]
    }
}
