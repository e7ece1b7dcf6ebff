import FerryIR

/// DepthToSpace: moves channel blocks into spatial blocks (NCHW), in DCR or CRD order.
struct DepthToSpace: Operator {
    static let opType = "DepthToSpace"
    let blocksize: Int
    let crd: Bool

    init(_ node: NodeContext) throws {
        guard let size = try node.intIfPresent("blocksize"), size > 0 else { throw node.invalid("blocksize", "is required and must be positive") }
        blocksize = size
        let mode = try node.string("mode", default: "DCR")
        guard mode == "DCR" || mode == "CRD" else { throw node.invalid("mode", "must be DCR or CRD, not '\(mode)'") }
        crd = mode == "CRD"
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        guard x.rank == 4 else { throw KernelError("expects a 4-D NCHW input, got \(x.shape)") }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let b = blocksize
        guard c % (b * b) == 0 else { throw KernelError("channels \(c) are not divisible by blocksize² \(b * b)") }
        let split = crd ? x.reshaped([n, c / (b * b), b, b, h, w]) : x.reshaped([n, b, b, c / (b * b), h, w])
        let perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]
        return [Transpose.apply(split, perm).reshaped([n, c / (b * b), h * b, w * b])]
    }
}
