import FerryIR

/// Slice: takes starts..<ends with steps along the given axes, numpy-style with clamping; the
/// bounds are attributes before opset 10 and inputs from then on.
struct Slice: Operator {
    static let opType = "Slice"
    static let shapeDependsOnValues: [Int] = [1, 2, 3, 4]
    let attributes: (starts: [Int], ends: [Int], axes: [Int]?)?

    init(_ node: NodeContext) throws {
        if node.opset < 10 {
            guard let starts = try node.ints("starts"), let ends = try node.ints("ends") else {
                throw node.invalid("starts", "and 'ends' are required before opset 10")
            }
            attributes = (starts, ends, try node.ints("axes"))
        } else {
            attributes = nil
        }
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        let starts: [Int], ends: [Int], axesGiven: [Int]?, steps: [Int]?
        if let attributes {
            (starts, ends, axesGiven, steps) = (attributes.starts, attributes.ends, attributes.axes, nil)
        } else {
            starts = try inputs.required(1).integers()
            ends = try inputs.required(2).integers()
            axesGiven = inputs.optional(3)?.integers()
            steps = inputs.optional(4)?.integers()
        }
        let axes = try (axesGiven ?? Array(0..<starts.count)).map { try Axis.normalize($0, rank: x.rank) }
        guard starts.count == ends.count, axes.count == starts.count, steps == nil || steps!.count == starts.count else {
            throw KernelError("starts, ends, axes and steps have different lengths")
        }
        var begin = Array(repeating: 0, count: x.rank)
        var step = Array(repeating: 1, count: x.rank)
        var shape = x.shape
        for (i, axis) in axes.enumerated() {
            let size = x.shape[axis]
            let s = steps?[i] ?? 1
            guard s != 0 else { throw KernelError("step 0 on axis \(axis)") }
            var start = starts[i] < 0 ? starts[i] + size : starts[i]
            var end = ends[i] < 0 ? ends[i] + size : ends[i]
            if s > 0 {
                start = min(max(start, 0), size)
                end = min(max(end, 0), size)
                shape[axis] = end > start ? (end - start + s - 1) / s : 0
            } else {
                start = min(max(start, -1), size - 1)
                end = min(max(end, -1), size - 1)
                shape[axis] = start > end ? (start - end - s - 1) / (-s) : 0
            }
            begin[axis] = start
            step[axis] = s
        }
        let inStrides = Tensor.strides(of: x.shape)
        let base = (0..<x.rank).reduce(0) { $0 + begin[$1] * inStrides[$1] }
        let strides = (0..<x.rank).map { inStrides[$0] * step[$0] }
        let sources = Tensor.stridedSources(shape: shape, strides: strides, base: base)
        return [x.gathering(sources, shape: shape)]
    }
}
