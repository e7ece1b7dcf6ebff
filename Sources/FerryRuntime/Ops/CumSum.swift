import FerryIR

/// CumSum: running sums along an axis, optionally exclusive and/or from the end.
struct CumSum: Operator {
    static let opType = "CumSum"
    let exclusive: Bool
    let reverse: Bool

    init(_ node: NodeContext) throws {
        exclusive = try node.int("exclusive", default: 0) != 0
        reverse = try node.int("reverse", default: 0) != 0
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let axis = try Axis.normalize(try inputs.required(1).integers()[0], rank: x.rank)
        guard let type = x.dataType.numericType else { throw KernelError("expects a numeric input, got \(x.dataType)") }
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        func open<T: NumericElement>(_: T.Type) -> Tensor {
            let values = x.elements(as: T.self)
            var out = [T](repeating: T.zero, count: values.count)
            for o in 0..<outer {
                for i in 0..<inner {
                    var sum = T.zero
                    for step in 0..<length {
                        let j = reverse ? length - 1 - step : step
                        let index = (o * length + j) * inner + i
                        if exclusive { out[index] = sum; sum = T.add(sum, values[index]) } else { sum = T.add(sum, values[index]); out[index] = sum }
                    }
                }
            }
            return Tensor(shape: x.shape, values: out)
        }
        return [open(type)]
    }
}
