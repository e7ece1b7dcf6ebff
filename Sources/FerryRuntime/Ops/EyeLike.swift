import FerryIR

/// EyeLike: ones on the k-th diagonal of a 2-D tensor shaped like the input.
struct EyeLike: Operator {
    static let opType = "EyeLike"
    let k: Int
    let dtype: Int?

    init(_ node: NodeContext) throws {
        k = try node.int("k", default: 0)
        dtype = try node.intIfPresent("dtype")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard x.rank == 2 else { throw KernelError("expects a 2-D input, got \(x.shape)") }
        let type = dtype.flatMap { DataType(rawValue: Int32($0)) } ?? x.dataType
        let values = (0..<x.count).map { i -> Double in (i % x.shape[1]) - (i / x.shape[1]) == k ? 1 : 0 }
        return [try Cast.convert(Tensor(shape: x.shape, values: values), to: type)]
    }
}
