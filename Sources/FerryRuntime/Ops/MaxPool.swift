import FerryIR

/// MaxPool: the maximum over each window; the optional second output holds flat indices.
struct MaxPool: Operator {
    static let opType = "MaxPool"
    let window: WindowAttributes
    let columnMajorIndices: Bool

    init(_ node: NodeContext) throws {
        window = try WindowAttributes(node, ceilMode: true)
        guard window.kernelShape != nil else { throw node.invalid("kernel_shape", "is required") }
        columnMajorIndices = try node.int("storage_order", default: 0) != 0
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        if x.dataType.isInteger { return try MaxPool.integer(x, window, context) }
        return try computingInFloat32(inputs) { inputs in
            let x = try inputs.required(0)
            guard x.rank >= 3 else { throw KernelError("expects N×C×spatial, got \(x.shape)") }
            let geometry = try window.resolve(input: Array(x.shape[2...]), kernel: window.kernelShape!)
            let (out, indices) = Pooling.run(x, geometry: geometry, kind: .max, context: context)
            if columnMajorIndices, let indices {
                // Re-express each index in column-major order within its plane.
                let spatial = Array(x.shape[2...]), size = spatial.reduce(1, *)
                let rowStrides = Tensor.strides(of: spatial)
                var colStrides = [Int](repeating: 1, count: spatial.count)
                for axis in 1..<max(spatial.count, 1) { colStrides[axis] = colStrides[axis - 1] * spatial[axis - 1] }
                let converted = indices.integers().map { flat -> Int64 in
                    let plane = flat / size, within = flat % size
                    var result = 0
                    for axis in 0..<spatial.count { result += ((within / rowStrides[axis]) % spatial[axis]) * colStrides[axis] }
                    return Int64(plane * size + result)
                }
                return [out, Tensor(shape: indices.shape, values: converted)]
            }
            return [out] + (indices.map { [$0] } ?? [])
        }
    }

    /// int8/uint8 max pooling (exact, via Float which holds every 8-bit value).
    static func integer(_ x: Tensor, _ window: WindowAttributes, _ context: ExecutionContext) throws -> [Tensor] {
        let asFloat = try Cast.convert(x, to: .float32)
        let geometry = try window.resolve(input: Array(x.shape[2...]), kernel: window.kernelShape!)
        let (out, _) = Pooling.run(asFloat, geometry: geometry, kind: .max, context: context)
        return [try Cast.convert(out, to: x.dataType)]
    }
}
