import FerryIR

/// The scale and zero point of a QuantizeLinear/DequantizeLinear pair, per tensor or per axis,
/// applied as the reference core applies them.
public struct LinearQuantization: Sendable, Equatable {
    public var scales: [Float]
    public var zeroPoints: [Int]
    /// The axis of per-axis parameters (negative counts from the end); unused per tensor.
    public var axis: Int
    /// The integer type of the quantized side.
    public var type: DataType

    public init(scales: [Float], zeroPoints: [Int], axis: Int = 1, type: DataType) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.axis = axis
        self.type = type
    }

    /// Parameters from scale and zero-point tensors (the zero point's type is the integer type;
    /// without one, `defaultType`). Blocked quantization is not supported.
    init(scale: Tensor, zeroPoint: Tensor?, axis: Int, defaultType: DataType, value: String) throws {
        guard scale.dataType.isFloatingPoint else { throw VerifyError.quantization(value: value, reason: "scale is \(scale.dataType), not floating point") }
        guard scale.rank <= 1 else { throw VerifyError.quantization(value: value, reason: "blocked quantization (scale of rank \(scale.rank)) is not supported") }
        scales = scale.doubles().map { Float($0) }
        let type = zeroPoint?.dataType ?? defaultType
        guard type.isInteger else { throw VerifyError.quantization(value: value, reason: "zero point is \(type), not an integer type") }
        self.type = type
        zeroPoints = zeroPoint?.integers() ?? Array(repeating: 0, count: scales.count)
        guard zeroPoints.count == scales.count, !scales.isEmpty else {
            throw VerifyError.quantization(value: value, reason: "\(scales.count) scales and \(zeroPoints.count) zero points")
        }
        self.axis = axis
    }

    /// The parameter index of every element of a tensor of `shape`.
    func parameterIndex(shape: [Int]) throws -> (Int) -> Int {
        if scales.count == 1 { return { _ in 0 } }
        let axis = self.axis < 0 ? self.axis + shape.count : self.axis
        guard axis >= 0, axis < shape.count, shape[axis] == scales.count else {
            throw VerifyError.quantization(value: "", reason: "\(scales.count) per-axis scales do not fit axis \(self.axis) of shape \(VerifyError.shape(shape))")
        }
        let inner = shape[(axis + 1)...].reduce(1, *)
        let size = shape[axis]
        return { ($0 / inner) % size }
    }

    /// `saturate(round_half_to_even(x / scale) + zero_point)`, dividing in float32, into `target`
    /// (by default `type`; a graph input's declared type when its zero point is implicit).
    public func quantize(_ tensor: Tensor, to target: DataType? = nil) throws -> Tensor {
        let index = try parameterIndex(shape: tensor.shape)
        let values = tensor.doubles()
        let target = target ?? type
        guard target.isInteger, let element = target.numericType else { throw VerifyError.quantization(value: "", reason: "cannot quantize to \(target)") }
        func open<T: NumericElement>(_: T.Type) -> Tensor {
            let low = T.lowest.doubleValue, high = T.highest.doubleValue
            var out = [T]()
            out.reserveCapacity(values.count)
            for (i, v) in values.enumerated() {
                let p = index(i)
                let q = Double((Float(v) / scales[p]).rounded(.toNearestOrEven)) + Double(zeroPoints[p])
                out.append(T(castingFrom: q.isNaN ? 0 : min(max(q, low), high)))
            }
            return Tensor(shape: tensor.shape, values: out)
        }
        return open(element)
    }

    /// `(q − zero_point) · scale` in float32, as Double values for comparison.
    public func dequantize(_ tensor: Tensor) throws -> [Double] {
        let index = try parameterIndex(shape: tensor.shape)
        return tensor.doubles().enumerated().map { i, q in
            let p = index(i)
            return Double(Float(q - Double(zeroPoints[p])) * scales[p])
        }
    }
}
