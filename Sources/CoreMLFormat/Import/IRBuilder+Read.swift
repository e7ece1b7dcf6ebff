import FerryIR

/// One MIL operation being read: typed access to its parameters.
struct MILOperationReader {
    let operation: MILOperation
    let builder: IRBuilder

    var output: String { operation.outputs.first?.name ?? "" }

    func fail(_ reason: String) -> CoreMLReadError {
        .unsupportedOp(op: operation.type, output: output, reason: reason)
    }

    func has(_ parameter: String) -> Bool { operation.inputs.contains { $0.parameter == parameter } }

    private func argument(_ parameter: String) throws -> MILArgument {
        guard let arguments = operation.inputs.first(where: { $0.parameter == parameter })?.arguments, arguments.count == 1 else {
            throw fail("input '\(parameter)' is missing or not a single value")
        }
        return arguments[0]
    }

    /// The constant bound to `parameter` (a `const` output or an inline value).
    func constant(_ parameter: String) throws -> MILValue {
        switch try argument(parameter) {
        case .value(let value): return value
        case .name(let name):
            guard let value = builder.constants[name] else { throw fail("input '\(parameter)' ('\(name)') must be a constant") }
            return value
        }
    }

    func ints(_ parameter: String) throws -> [Int] {
        guard let tensor = try constant(parameter).tensor else { throw fail("input '\(parameter)' is not a tensor") }
        return tensor.integers()
    }

    func int(_ parameter: String, default fallback: Int) throws -> Int { has(parameter) ? try ints(parameter).first ?? fallback : fallback }

    func float(_ parameter: String, default fallback: Float) throws -> Float {
        guard has(parameter) else { return fallback }
        guard let tensor = try constant(parameter).tensor, let value = tensor.doubles().first else { throw fail("input '\(parameter)' is not a number") }
        return Float(value)
    }

    func bool(_ parameter: String, default fallback: Bool) throws -> Bool { has(parameter) ? try ints(parameter).first.map { $0 != 0 } ?? fallback : fallback }

    func string(_ parameter: String, default fallback: String) throws -> String {
        guard has(parameter) else { return fallback }
        guard case .string(let value) = try constant(parameter) else { throw fail("input '\(parameter)' is not a string") }
        return value
    }

    /// The IR value bound to `parameter`: a computed value, or a constant as an initializer.
    func value(_ parameter: String) throws -> String {
        switch try argument(parameter) {
        case .value(let value):
            guard let tensor = value.tensor else { throw fail("input '\(parameter)' is a string") }
            return builder.initializer(IRBuilder.irTensor(tensor), "\(output)/\(parameter)")
        case .name(let name):
            return try builder.irValue(name, for: self)
        }
    }

    /// Every IR value bound to a tuple `parameter` (concat's values).
    func values(_ parameter: String) throws -> [String] {
        guard let arguments = operation.inputs.first(where: { $0.parameter == parameter })?.arguments else { throw fail("input '\(parameter)' is missing") }
        return try arguments.map { argument in
            guard case .name(let name) = argument else { throw fail("inline values in '\(parameter)'") }
            return try builder.irValue(name, for: self)
        }
    }

    func type(_ parameter: String) throws -> MILTensorType {
        guard case .name(let name) = try argument(parameter), let type = builder.types[name] else {
            if case .value(let value) = try argument(parameter) { return value.type }
            throw fail("the type of input '\(parameter)' is unknown")
        }
        return type
    }
}

extension IRBuilder {
    /// The IR value of MIL value `name`; a constant becomes an initializer on first use.
    func irValue(_ name: String, for reader: MILOperationReader) throws -> String {
        if let constant = constants[name] {
            if let mapped = names[name] { return mapped }
            guard let tensor = constant.tensor else { throw reader.fail("'\(name)' is a string constant used as a tensor") }
            let initializer = self.initializer(IRBuilder.irTensor(tensor), sources[name] ?? name)
            names[name] = initializer
            return initializer
        }
        guard types[name] != nil else { throw reader.fail("'\(name)' is not defined before it") }
        return self.name(name)
    }

    /// An int64 initializer (shapes, axes, pads for ONNX ops).
    func int64s(_ values: [Int], _ base: String) -> String {
        initializer(Tensor(shape: [values.count], values: values.map { Int64($0) }), base)
    }

    func read(_ operation: MILOperation) throws {
        let r = MILOperationReader(operation: operation, builder: self)
        if operation.type == "const" {
            guard let value = operation.attribute("val"), let output = operation.outputs.first else { throw r.fail("a const without 'val'") }
            guard value.type.dataType == output.type.dataType, value.type.shape.map({ $0 }) == output.type.shape else {
                throw r.fail("value of type \(value.type.dataType) \(value.type.shape.map { $0 ?? -1 }) declared as \(output.type.dataType) \(output.type.shape.map { $0 ?? -1 })")
            }
            constants[output.name] = value
            types[output.name] = output.type
            return
        }
        guard let reading = IRReadings.table[operation.type] else { throw r.fail("no reference-core form is mapped for this MIL op") }
        guard operation.outputs.count >= 1 else { throw r.fail("no outputs") }
        try reading(self, r)
    }
}
