import CCoreML
import FerryIR

extension SpecDecoder {
    func program(_ program: UnsafeMutablePointer<CProgram>) throws -> MILProgram {
        guard program.pointee.version == 1 else { throw CoreMLReadError.spec(file: file, "MIL program version \(program.pointee.version); only 1 is known") }
        var functions: [(name: String, function: MILFunction)] = []
        for entry in try messages(program.pointee.functions, program.pointee.n_functions, field: "program.functions") {
            let name = swiftString(entry.pointee.key)
            guard let function = entry.pointee.value else { throw CoreMLReadError.spec(file: file, "function '\(name)' is empty") }
            functions.append((name, try self.function(function, name: name)))
        }
        return MILProgram(functions: functions)
    }

    private func function(_ function: UnsafeMutablePointer<CFunction>, name: String) throws -> MILFunction {
        let opset = swiftString(function.pointee.opset)
        let inputs = try messages(function.pointee.inputs, function.pointee.n_inputs, field: "function '\(name)' inputs").map { try namedType($0) }
        let blocks = try messages(function.pointee.block_specializations, function.pointee.n_block_specializations,
                                  field: "function '\(name)' blocks")
        guard let entry = blocks.first(where: { swiftString($0.pointee.key) == opset }), let block = entry.pointee.value else {
            throw CoreMLReadError.spec(file: file, "function '\(name)' has no block for its opset '\(opset)'")
        }
        let operations = try messages(block.pointee.operations, block.pointee.n_operations, field: "function '\(name)' operations")
            .map { try operation($0) }
        let outputs = repeated(block.pointee.outputs, block.pointee.n_outputs).map { swiftString($0) }
        return MILFunction(inputs: inputs, opset: opset, operations: operations, outputs: outputs)
    }

    private func operation(_ operation: UnsafeMutablePointer<COperation>) throws -> MILOperation {
        let type = swiftString(operation.pointee.type)
        var inputs: [(parameter: String, arguments: [MILArgument])] = []
        for entry in try messages(operation.pointee.inputs, operation.pointee.n_inputs, field: "op \(type) inputs") {
            let parameter = swiftString(entry.pointee.key)
            var arguments: [MILArgument] = []
            if let argument = entry.pointee.value {
                for binding in try messages(argument.pointee.arguments, argument.pointee.n_arguments, field: "op \(type) input '\(parameter)'") {
                    switch binding.pointee.binding_case {
                    case CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_NAME:
                        arguments.append(.name(swiftString(binding.pointee.name)))
                    case CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_VALUE:
                        arguments.append(.value(try value(binding.pointee.value, where: "\(type).\(parameter)")))
                    default:
                        throw CoreMLReadError.spec(file: file, "op \(type): input '\(parameter)' has an empty binding")
                    }
                }
            }
            inputs.append((parameter, arguments))
        }
        let outputs = try messages(operation.pointee.outputs, operation.pointee.n_outputs, field: "op \(type) outputs").map { try namedType($0) }
        var attributes: [(name: String, value: MILValue)] = []
        for entry in try messages(operation.pointee.attributes, operation.pointee.n_attributes, field: "op \(type) attributes") {
            let name = swiftString(entry.pointee.key)
            attributes.append((name, try value(entry.pointee.value, where: "\(type) '\(outputs.first?.name ?? "")' attribute \(name)")))
        }
        guard operation.pointee.n_blocks == 0 else {
            throw CoreMLReadError.unsupportedOp(op: type, output: outputs.first?.name ?? "", reason: "ops with nested blocks (control flow) are not read")
        }
        return MILOperation(type: type, inputs: inputs, outputs: outputs, attributes: attributes)
    }

    private func namedType(_ named: UnsafeMutablePointer<CNamedValueType>) throws -> MILNamedType {
        let name = swiftString(named.pointee.name)
        return MILNamedType(name, try tensorType(named.pointee.type, where: "value '\(name)'"))
    }

    private func tensorType(_ type: UnsafeMutablePointer<CValueType>?, where place: String) throws -> MILTensorType {
        if let type, type.pointee.type_case == CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_DICTIONARY_TYPE, let dictionary = type.pointee.dictionarytype {
            let key = try tensorType(dictionary.pointee.keytype, where: place + " key")
            let value = try tensorType(dictionary.pointee.valuetype, where: place + " value")
            guard key.shape.isEmpty, value.shape.isEmpty, key.dictionaryValue == nil, value.dictionaryValue == nil else {
                throw CoreMLReadError.spec(file: file, "\(place): only dictionaries of scalars are read")
            }
            return .dictionary(key: key.dataType, value: value.dataType)
        }
        guard let type, type.pointee.type_case == CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TENSOR_TYPE, let tensor = type.pointee.tensortype else {
            throw CoreMLReadError.spec(file: file, "\(place): only tensor types are read (no lists, tuples, dictionaries or states)")
        }
        guard let dataType = MILDataType(rawValue: Int32(bitPattern: tensor.pointee.datatype.rawValue)) else {
            throw CoreMLReadError.spec(file: file, "\(place): MIL data type \(tensor.pointee.datatype.rawValue) is not read")
        }
        let dims = try messages(tensor.pointee.dimensions, tensor.pointee.n_dimensions, field: "\(place) dimensions").map { dim -> Int? in
            guard dim.pointee.dimension_case == CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT else { return nil }
            guard let constant = dim.pointee.constant else { throw CoreMLReadError.spec(file: file, "\(place): a constant dimension without its size") }
            return Int(constant.pointee.size)
        }
        guard dims.count == Int(tensor.pointee.rank) else {
            throw CoreMLReadError.spec(file: file, "\(place): rank \(tensor.pointee.rank) with \(dims.count) dimensions")
        }
        return MILTensorType(dataType, dims)
    }

    private func value(_ value: UnsafeMutablePointer<CValue>?, where place: String) throws -> MILValue {
        guard let value else { throw CoreMLReadError.spec(file: file, "\(place): missing value") }
        if let type = value.pointee.type, type.pointee.type_case == CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_LIST_TYPE {
            return try stringList(value, where: place)
        }
        let type = try tensorType(value.pointee.type, where: place)
        let shape = type.shape.compactMap { $0 }
        guard shape.count == type.shape.count else { throw CoreMLReadError.spec(file: file, "\(place): a constant with unknown dims") }
        let count = shape.reduce(1, *)
        switch value.pointee.value_case {
        case CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE:
            guard let weights else { throw CoreMLReadError.spec(file: file, "\(place) is in a weight file, but the package has none") }
            guard let blob = value.pointee.blobfilevalue else { throw CoreMLReadError.spec(file: file, "\(place): a file value without its offset") }
            return .tensor(try weights.tensor(at: blob.pointee.offset, type: type.dataType.irType, shape: shape))
        case CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE:
            guard let immediate = value.pointee.immediatevalue,
                  immediate.pointee.value_case == CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR,
                  let tensor = immediate.pointee.tensor else {
                throw CoreMLReadError.spec(file: file, "\(place): only tensor immediate values are read")
            }
            return try immediateTensor(tensor, type: type.dataType, shape: shape, count: count, where: place)
        default:
            throw CoreMLReadError.spec(file: file, "\(place): value has neither an immediate nor a file value")
        }
    }

    /// A list of string scalars (classify's `classes`).
    private func stringList(_ value: UnsafeMutablePointer<CValue>, where place: String) throws -> MILValue {
        guard value.pointee.value_case == CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE,
              let immediate = value.pointee.immediatevalue,
              immediate.pointee.value_case == CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_LIST,
              let list = immediate.pointee.list else {
            throw CoreMLReadError.spec(file: file, "\(place): a list that is not an immediate list value")
        }
        var strings: [String] = []
        for item in repeated(list.pointee.values, list.pointee.n_values) {
            guard case .string(let string) = try self.value(item, where: place + " item") else {
                throw CoreMLReadError.spec(file: file, "\(place): only lists of strings are read")
            }
            strings.append(string)
        }
        return .strings(strings)
    }

    private func immediateTensor(_ tensor: UnsafeMutablePointer<CTensorValue>, type: MILDataType, shape: [Int], count: Int,
                                 where place: String) throws -> MILValue {
        func mismatch(_ found: Int) -> CoreMLReadError {
            .spec(file: file, "\(place): \(found) values for shape \(shape)")
        }
        let t = tensor.pointee
        switch (t.value_case, type) {
        case (CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS, .string):
            guard t.strings.pointee.n_values == 1, shape.isEmpty else { throw CoreMLReadError.spec(file: file, "\(place): only string scalars are read") }
            return .string(swiftString(t.strings.pointee.values[0]))
        case (CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_FLOATS, .float32):
            let values = repeated(t.floats.pointee.values, t.floats.pointee.n_values)
            guard values.count == count else { throw mismatch(values.count) }
            return .tensor(Tensor(shape: shape, values: values))
        case (CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_INTS, .int32):
            let values = repeated(t.ints.pointee.values, t.ints.pointee.n_values)
            guard values.count == count else { throw mismatch(values.count) }
            return .tensor(Tensor(shape: shape, values: values))
        case (CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_LONG_INTS, .int64):
            let values = repeated(t.longints.pointee.values, t.longints.pointee.n_values)
            guard values.count == count else { throw mismatch(values.count) }
            return .tensor(Tensor(shape: shape, values: values))
        case (CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BOOLS, .bool):
            let values = repeated(t.bools.pointee.values, t.bools.pointee.n_values).map { $0 != 0 }
            guard values.count == count else { throw mismatch(values.count) }
            return .tensor(Tensor(shape: shape, values: values))
        case (CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BYTES, _) where [.float16, .int8, .uint8, .uint32].contains(type):
            let bytes = t.bytes.pointee.values
            let result = Tensor(dataType: type.irType, shape: shape, zeroed: false)
            guard bytes.len == result.byteCount else { throw mismatch(bytes.len / max(type.irType.byteSize, 1)) }
            if bytes.len > 0 { result.storage.bytes.copyMemory(from: bytes.data, byteCount: bytes.len) }
            return .tensor(result)
        default:
            throw CoreMLReadError.spec(file: file, "\(place): immediate value field \(t.value_case.rawValue) does not fit type \(type)")
        }
    }
}
