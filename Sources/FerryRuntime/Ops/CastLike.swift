import FerryIR

/// CastLike: Cast to the element type of the second input, with Cast's `saturate` and
/// `round_mode`.
struct CastLike: Operator {
    static let opType = "CastLike"
    let options: Cast.Options

    init(_ node: NodeContext) throws { options = try Cast.Options(node) }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        [try Cast.convert(inputs.required(0), to: inputs.required(1).dataType, options)]
    }
}
