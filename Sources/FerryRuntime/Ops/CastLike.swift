import FerryIR

/// CastLike: Cast to the element type of the second input.
struct CastLike: Operator {
    static let opType = "CastLike"

    init(_ node: NodeContext) throws { node.ignore("saturate", "round_mode") }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try Cast.convert(inputs.required(0), to: inputs.required(1).dataType)]
    }
}
