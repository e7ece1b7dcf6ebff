import FerryIR
import Foundation

/// Reductions over a set of axes, accumulated in Double in input order and cast back.
enum Reduction {
    enum Kind { case sum, mean, max, min, prod, l1, l2, logSum, logSumExp, sumSquare }

    /// The axes a Reduce* node reduces: an attribute before the opset where they became an
    /// input (13 for ReduceSum, 18 for the rest).
    struct Attributes {
        let keepDims: Bool
        let noopWithEmptyAxes: Bool
        let attributeAxes: [Int]?
        let axesFromInput: Bool

        init(_ node: NodeContext, inputSince: Int) throws {
            keepDims = try node.int("keepdims", default: 1) != 0
            noopWithEmptyAxes = try node.int("noop_with_empty_axes", default: 0) != 0
            axesFromInput = node.opset >= inputSince
            attributeAxes = axesFromInput ? nil : try node.ints("axes")
        }

        func axes(_ inputs: [Tensor?], rank: Int) throws -> [Int]? {
            let given = axesFromInput ? inputs.optional(1)?.integers() : attributeAxes
            guard let given, !given.isEmpty else { return noopWithEmptyAxes ? [] : nil }
            return try given.map { try Axis.normalize($0, rank: rank) }
        }
    }

    static func run(_ x: Tensor, axes requested: [Int]?, keepDims: Bool, kind: Kind) throws -> Tensor {
        if x.dataType == .bfloat16 || x.dataType == .float16 {
            return try Cast.convert(run(Cast.convert(x, to: .float32), axes: requested, keepDims: keepDims, kind: kind), to: x.dataType)
        }
        if x.dataType == .bool {
            // Bool max/min are any/all: reduce as uint8 and cast back.
            return try Cast.convert(run(Cast.convert(x, to: .uint8), axes: requested, keepDims: keepDims, kind: kind), to: .bool)
        }
        let rank = x.rank
        if let requested, requested.isEmpty {
            // noop_with_empty_axes: the input unchanged (squared for ReduceSumSquare, as the
            // ONNX reference does).
            if case .sumSquare = kind { return try typed(x.doubles().map { $0 * $0 }, shape: x.shape, like: x) }
            return x
        }
        let axes = Set(requested ?? Array(0..<rank))
        return try reduce(x, axes: Array(axes).sorted(), keepDims: keepDims, kind: kind)
    }

    static func typed(_ values: [Double], shape: [Int], like x: Tensor) throws -> Tensor {
        guard let type = x.dataType.numericType else { throw KernelError("expects a numeric input, got \(x.dataType)") }
        func open<T: NumericElement>(_: T.Type) -> Tensor { Tensor(shape: shape, values: values.map { T(castingFrom: $0) }) }
        return open(type)
    }

    private static func reduce(_ x: Tensor, axes: [Int], keepDims: Bool, kind: Kind) throws -> Tensor {
        let rank = x.rank
        let axisSet = Set(axes)
        let outKeep = x.shape.enumerated().map { axisSet.contains($0.offset) ? 1 : $0.element }
        let outShape = keepDims ? outKeep : x.shape.enumerated().filter { !axisSet.contains($0.offset) }.map(\.element)
        let outCount = outKeep.reduce(1, *)
        let values = x.doubles()
        let initial: Double
        switch kind {
        case .max: initial = -.infinity
        case .min: initial = .infinity
        case .prod: initial = 1
        default: initial = 0
        }
        var acc = [Double](repeating: initial, count: outCount)
        var counts = 0
        let outStrides = Broadcast.strides(of: outKeep, in: x.shape)
        var shift = [Double](repeating: -.infinity, count: outCount)
        var index = [Int](repeating: 0, count: rank)
        func forEach(_ body: (Int, Double) -> Void) {
            for i in 0..<rank { index[i] = 0 }
            var o = 0
            for i in 0..<values.count {
                body(o, values[i])
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    o += outStrides[axis]
                    if index[axis] < x.shape[axis] { break }
                    o -= outStrides[axis] * x.shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        if values.count > 0 {
            if case .logSumExp = kind { forEach { o, v in if v > shift[o] { shift[o] = v } } }
            forEach { o, v in
                switch kind {
                case .sum, .mean, .logSum: acc[o] += v
                case .max: if v > acc[o] || v.isNaN { acc[o] = v }
                case .min: if v < acc[o] || v.isNaN { acc[o] = v }
                case .prod: acc[o] *= v
                case .l1: acc[o] += abs(v)
                case .l2, .sumSquare: acc[o] += v * v
                case .logSumExp: acc[o] += Foundation.exp(v - (shift[o].isFinite ? shift[o] : 0))
                }
            }
            counts = values.count / max(outCount, 1)
        }
        for o in 0..<outCount {
            switch kind {
            case .mean: acc[o] /= Double(counts)
            case .l2: acc[o] = acc[o].squareRoot()
            case .logSum: acc[o] = Foundation.log(acc[o])
            case .logSumExp: acc[o] = Foundation.log(acc[o]) + (shift[o].isFinite ? shift[o] : 0)
            default: break
            }
        }
        if values.isEmpty, x.dataType.isInteger {
            if case .max = kind { acc = acc.map { _ in x.dataType.numericType!.lowest.doubleValue } }
            if case .min = kind { acc = acc.map { _ in x.dataType.numericType!.highest.doubleValue } }
        }
        return try typed(acc, shape: outShape, like: x)
    }
}
