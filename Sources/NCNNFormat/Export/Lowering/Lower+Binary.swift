import FerryIR

extension NCNNEmitter {
    /// NCNN BinaryOp operation ids.
    enum BinaryOperation: Int {
        case add = 0, sub, mul, div, max, min, pow, rsub, rdiv, rpow

        /// The operation with its operands swapped.
        var swapped: BinaryOperation {
            switch self {
            case .sub: return .rsub
            case .div: return .rdiv
            case .pow: return .rpow
            case .rsub: return .sub
            case .rdiv: return .div
            case .rpow: return .pow
            default: return self
            }
        }
    }

    /// Add/Sub/Mul/Div/Max/Min/Pow → BinaryOp. A one-element constant becomes the scalar `b`;
    /// otherwise both operands are given the output's NCNN rank (NCNN aligns operands of lower
    /// rank on the outer axes, ONNX on the inner ones), a constant through MemoryData.
    func lowerBinary(_ node: Node, _ operation: BinaryOperation) throws {
        guard node.inputs.count == 2, let lhs = node.input(0), let rhs = node.input(1) else {
            throw unsupported(node, "BinaryOp takes exactly two operands")
        }
        let output = node.outputs[0]
        let outLayout = try layout(output)
        let outShape = outLayout.shape
        let outCount = outShape.reduce(1, *)
        let name = node.name.isEmpty ? output : node.name
        let blob = newBlob(output)
        for (runtime, constant, op) in [(lhs, rhs, operation), (rhs, lhs, operation.swapped)] {
            guard let c = constants[constant], c.count == 1, constants[runtime] == nil else { continue }
            guard try shape(runtime).reduce(1, *) == outCount else { continue }
            let value = try floats(c, constant)[0]
            if op == .pow && value == 2 {
                // x² as UnaryOp square (x · x, the correctly rounded x²): BinaryOp pow with the
                // scalar exponent 2 gave 2.4e38 for every element of Silero VAD's STFT in
                // ncnn 1.0.20261020 on x86-64, and a square is cheaper anyway.
                try emit("UnaryOp", name: name, inputs: [try self.blob(runtime, shape: outShape)], outputs: [blob], params: [0: .int(4)])
                define(output, blob: blob, shape: outShape)
                return
            }
            try emit("BinaryOp", name: name, inputs: [try self.blob(runtime, shape: outShape)], outputs: [blob],
                     params: [0: .int(op.rawValue), 1: .int(1), 2: .float(value)])
            define(output, blob: blob, shape: outShape)
            return
        }
        guard constants[lhs] == nil || constants[rhs] == nil else { throw unsupported(node, "both operands are constant (folding should have removed it)") }
        let rank = try shape(output).count
        func operandShape(_ value: String) throws -> [Int] {
            let s = try shape(value)
            guard s.count <= rank else { throw unsupported(node, "operand '\(value)' has a higher rank than the output") }
            if outLayout.kept.isEmpty { return [1] }
            return outLayout.kept.map { axis in
                let index = axis - (rank - s.count)
                return index >= 0 ? s[index] : 1
            }
        }
        let lhsShape = try operandShape(lhs), rhsShape = try operandShape(rhs)
        guard lhsShape.reduce(1, *) == (try shape(lhs)).reduce(1, *), rhsShape.reduce(1, *) == (try shape(rhs)).reduce(1, *) else {
            throw unsupported(node, "operands broadcast along the batch axis")
        }
        try emit("BinaryOp", name: name, inputs: [try self.blob(lhs, shape: lhsShape), try self.blob(rhs, shape: rhsShape)],
                 outputs: [blob], params: [0: .int(operation.rawValue)])
        define(output, blob: blob, shape: outShape)
    }
}
