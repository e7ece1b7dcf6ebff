import FerryIR

/// Dropout at inference: the input unchanged, and an all-true mask when asked for. Training
/// mode (a true `training_mode` input) is refused: its output is random by definition.
struct Dropout: Operator {
    static let opType = "Dropout"

    init(_ node: NodeContext) throws {
        node.ignore("seed", "ratio", "is_test")
    }

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let x = try inputs.required(0)
        if let training = inputs.optional(2), training.integers().first == 1 {
            let ratio = inputs.optional(1)?.doubles().first ?? 0.5
            if ratio != 0 { throw KernelError("training_mode=true makes Dropout random; export the model in inference mode") }
        }
        let mask = Tensor(dataType: .bool, shape: x.shape)
        mask.withMutableElements(as: Bool.self) { $0.initialize(repeating: true) }
        return [x, mask]
    }
}
