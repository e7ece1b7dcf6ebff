import FerryIR

/// SpaceToDepth: moves spatial blocks into channels (NCHW), the inverse of DepthToSpace in
/// DCR (default) or CRD order.
struct SpaceToDepth: Operator {
    static let opType = "SpaceToDepth"
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
        guard h % b == 0, w % b == 0 else { throw KernelError("spatial size \(h)x\(w) is not divisible by blocksize \(b)") }
        let split = x.reshaped([n, c, h / b, b, w / b, b])
        let perm = crd ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4]
        return [Transpose.apply(split, perm).reshaped([n, c * b * b, h / b, w / b])]
    }
}
