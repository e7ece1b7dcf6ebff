import CCoreML
import FerryIR

typealias CProgram = CoreML__Specification__MILSpec__Program
typealias CFunction = CoreML__Specification__MILSpec__Function
typealias CBlock = CoreML__Specification__MILSpec__Block
typealias COperation = CoreML__Specification__MILSpec__Operation
typealias CNamedValueType = CoreML__Specification__MILSpec__NamedValueType
typealias CValueType = CoreML__Specification__MILSpec__ValueType
typealias CTensorType = CoreML__Specification__MILSpec__TensorType
typealias CDimension = CoreML__Specification__MILSpec__Dimension
typealias CValue = CoreML__Specification__MILSpec__Value
typealias CTensorValue = CoreML__Specification__MILSpec__TensorValue
typealias CArgument = CoreML__Specification__MILSpec__Argument
typealias CBinding = CoreML__Specification__MILSpec__Argument__Binding

extension SpecEncoder {
    func program(_ program: MILProgram, _ arena: CArena, _ blobs: inout BlobStorageWriter) -> UnsafeMutablePointer<CProgram> {
        let result: UnsafeMutablePointer<CProgram> = arena.message(core_ml__specification__milspec__program__init)
        result.pointee.version = 1
        var entries: [UnsafeMutablePointer<CoreML__Specification__MILSpec__Program__FunctionsEntry>?] = []
        for (name, function) in program.functions {
            let entry: UnsafeMutablePointer<CoreML__Specification__MILSpec__Program__FunctionsEntry> =
                arena.message(core_ml__specification__milspec__program__functions_entry__init)
            entry.pointee.key = arena.string(name)
            entry.pointee.value = self.function(function, arena, &blobs)
            entries.append(entry)
        }
        result.pointee.n_functions = entries.count
        result.pointee.functions = arena.array(entries)
        return result
    }

    private func function(_ function: MILFunction, _ arena: CArena, _ blobs: inout BlobStorageWriter) -> UnsafeMutablePointer<CFunction> {
        let result: UnsafeMutablePointer<CFunction> = arena.message(core_ml__specification__milspec__function__init)
        let inputs = function.inputs.map { namedType($0, arena) as UnsafeMutablePointer<CNamedValueType>? }
        result.pointee.n_inputs = inputs.count
        result.pointee.inputs = arena.array(inputs)
        result.pointee.opset = arena.string(function.opset)
        let block: UnsafeMutablePointer<CBlock> = arena.message(core_ml__specification__milspec__block__init)
        var operations: [UnsafeMutablePointer<COperation>?] = []
        for operation in function.operations { operations.append(self.operation(operation, arena, &blobs)) }
        block.pointee.n_operations = operations.count
        block.pointee.operations = arena.array(operations)
        let outputs = function.outputs.map { arena.string($0) as UnsafeMutablePointer<CChar>? }
        block.pointee.n_outputs = outputs.count
        block.pointee.outputs = arena.array(outputs)
        let entry: UnsafeMutablePointer<CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry> =
            arena.message(core_ml__specification__milspec__function__block_specializations_entry__init)
        entry.pointee.key = arena.string(function.opset)
        entry.pointee.value = block
        result.pointee.n_block_specializations = 1
        result.pointee.block_specializations = arena.array([entry as UnsafeMutablePointer?])
        return result
    }

    private func operation(_ operation: MILOperation, _ arena: CArena, _ blobs: inout BlobStorageWriter) -> UnsafeMutablePointer<COperation> {
        let result: UnsafeMutablePointer<COperation> = arena.message(core_ml__specification__milspec__operation__init)
        result.pointee.type = arena.string(operation.type)
        var inputs: [UnsafeMutablePointer<CoreML__Specification__MILSpec__Operation__InputsEntry>?] = []
        for (parameter, arguments) in operation.inputs {
            let argument: UnsafeMutablePointer<CArgument> = arena.message(core_ml__specification__milspec__argument__init)
            var bindings: [UnsafeMutablePointer<CBinding>?] = []
            for argument in arguments {
                let binding: UnsafeMutablePointer<CBinding> = arena.message(core_ml__specification__milspec__argument__binding__init)
                switch argument {
                case .name(let name):
                    binding.pointee.binding_case = CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_NAME
                    binding.pointee.name = arena.string(name)
                case .value(let value):
                    binding.pointee.binding_case = CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_VALUE
                    binding.pointee.value = self.value(value, arena, &blobs, toFile: false)
                }
                bindings.append(binding)
            }
            argument.pointee.n_arguments = bindings.count
            argument.pointee.arguments = arena.array(bindings)
            let entry: UnsafeMutablePointer<CoreML__Specification__MILSpec__Operation__InputsEntry> =
                arena.message(core_ml__specification__milspec__operation__inputs_entry__init)
            entry.pointee.key = arena.string(parameter)
            entry.pointee.value = argument
            inputs.append(entry)
        }
        result.pointee.n_inputs = inputs.count
        result.pointee.inputs = arena.array(inputs)
        let outputs = operation.outputs.map { namedType($0, arena) as UnsafeMutablePointer<CNamedValueType>? }
        result.pointee.n_outputs = outputs.count
        result.pointee.outputs = arena.array(outputs)
        var attributes: [UnsafeMutablePointer<CoreML__Specification__MILSpec__Operation__AttributesEntry>?] = []
        for (name, value) in operation.attributes {
            let entry: UnsafeMutablePointer<CoreML__Specification__MILSpec__Operation__AttributesEntry> =
                arena.message(core_ml__specification__milspec__operation__attributes_entry__init)
            entry.pointee.key = arena.string(name)
            // Only a constant's payload may live in the weight file.
            entry.pointee.value = self.value(value, arena, &blobs, toFile: name != "name")
            attributes.append(entry)
        }
        result.pointee.n_attributes = attributes.count
        result.pointee.attributes = arena.array(attributes)
        return result
    }

    func namedType(_ named: MILNamedType, _ arena: CArena) -> UnsafeMutablePointer<CNamedValueType> {
        let result: UnsafeMutablePointer<CNamedValueType> = arena.message(core_ml__specification__milspec__named_value_type__init)
        result.pointee.name = arena.string(named.name)
        result.pointee.type = valueType(named.type, arena)
        return result
    }

    func valueType(_ type: MILTensorType, _ arena: CArena) -> UnsafeMutablePointer<CValueType> {
        if let value = type.dictionaryValue {
            let dictionary: UnsafeMutablePointer<CoreML__Specification__MILSpec__DictionaryType> =
                arena.message(core_ml__specification__milspec__dictionary_type__init)
            dictionary.pointee.keytype = valueType(MILTensorType(type.dataType, []), arena)
            dictionary.pointee.valuetype = valueType(MILTensorType(value, []), arena)
            let result: UnsafeMutablePointer<CValueType> = arena.message(core_ml__specification__milspec__value_type__init)
            result.pointee.type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_DICTIONARY_TYPE
            result.pointee.dictionarytype = dictionary
            return result
        }
        let tensor: UnsafeMutablePointer<CTensorType> = arena.message(core_ml__specification__milspec__tensor_type__init)
        tensor.pointee.datatype = CoreML__Specification__MILSpec__DataType(rawValue: UInt32(type.dataType.rawValue))
        tensor.pointee.rank = Int64(type.shape.count)
        let dims = type.shape.map { dim -> UnsafeMutablePointer<CDimension>? in
            let result: UnsafeMutablePointer<CDimension> = arena.message(core_ml__specification__milspec__dimension__init)
            if let dim {
                let constant: UnsafeMutablePointer<CoreML__Specification__MILSpec__Dimension__ConstantDimension> =
                    arena.message(core_ml__specification__milspec__dimension__constant_dimension__init)
                constant.pointee.size = UInt64(dim)
                result.pointee.dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT
                result.pointee.constant = constant
            } else {
                let unknown: UnsafeMutablePointer<CoreML__Specification__MILSpec__Dimension__UnknownDimension> =
                    arena.message(core_ml__specification__milspec__dimension__unknown_dimension__init)
                result.pointee.dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_UNKNOWN
                result.pointee.unknown = unknown
            }
            return result
        }
        tensor.pointee.n_dimensions = dims.count
        tensor.pointee.dimensions = arena.array(dims)
        let result: UnsafeMutablePointer<CValueType> = arena.message(core_ml__specification__milspec__value_type__init)
        result.pointee.type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TENSOR_TYPE
        result.pointee.tensortype = tensor
        return result
    }

    /// A value, stored in the weight file when `toFile` and the value is large enough.
    private func value(_ value: MILValue, _ arena: CArena, _ blobs: inout BlobStorageWriter, toFile: Bool) -> UnsafeMutablePointer<CValue> {
        if case .strings(let list) = value { return stringList(list, arena) }
        let result: UnsafeMutablePointer<CValue> = arena.message(core_ml__specification__milspec__value__init)
        result.pointee.type = valueType(value.type, arena)
        if toFile, case .tensor(let tensor) = value, tensor.count >= blobThreshold, let offset = blobs.append(tensor) {
            let file: UnsafeMutablePointer<CoreML__Specification__MILSpec__Value__BlobFileValue> =
                arena.message(core_ml__specification__milspec__value__blob_file_value__init)
            file.pointee.filename = arena.string(Self.weightFileName)
            file.pointee.offset = offset
            result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE
            result.pointee.blobfilevalue = file
            return result
        }
        let immediate: UnsafeMutablePointer<CoreML__Specification__MILSpec__Value__ImmediateValue> =
            arena.message(core_ml__specification__milspec__value__immediate_value__init)
        immediate.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR
        immediate.pointee.tensor = tensorValue(value, arena)
        result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE
        result.pointee.immediatevalue = immediate
        return result
    }

    /// A list of string scalars, as coremltools writes classify's `classes` (create_list_scalarvalue).
    private func stringList(_ list: [String], _ arena: CArena) -> UnsafeMutablePointer<CValue> {
        let listType: UnsafeMutablePointer<CoreML__Specification__MILSpec__ListType> = arena.message(core_ml__specification__milspec__list_type__init)
        listType.pointee.type = valueType(MILTensorType(.string, []), arena)
        let length: UnsafeMutablePointer<CDimension> = arena.message(core_ml__specification__milspec__dimension__init)
        let constant: UnsafeMutablePointer<CoreML__Specification__MILSpec__Dimension__ConstantDimension> =
            arena.message(core_ml__specification__milspec__dimension__constant_dimension__init)
        constant.pointee.size = UInt64(list.count)
        length.pointee.dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT
        length.pointee.constant = constant
        listType.pointee.length = length
        let type: UnsafeMutablePointer<CValueType> = arena.message(core_ml__specification__milspec__value_type__init)
        type.pointee.type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_LIST_TYPE
        type.pointee.listtype = listType
        let values = list.map { label -> UnsafeMutablePointer<CValue>? in
            let item: UnsafeMutablePointer<CValue> = arena.message(core_ml__specification__milspec__value__init)
            item.pointee.type = valueType(MILTensorType(.string, []), arena)
            let immediate: UnsafeMutablePointer<CoreML__Specification__MILSpec__Value__ImmediateValue> =
                arena.message(core_ml__specification__milspec__value__immediate_value__init)
            immediate.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR
            immediate.pointee.tensor = tensorValue(.string(label), arena)
            item.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE
            item.pointee.immediatevalue = immediate
            return item
        }
        let listValue: UnsafeMutablePointer<CoreML__Specification__MILSpec__ListValue> = arena.message(core_ml__specification__milspec__list_value__init)
        listValue.pointee.n_values = values.count
        listValue.pointee.values = arena.array(values)
        let immediate: UnsafeMutablePointer<CoreML__Specification__MILSpec__Value__ImmediateValue> =
            arena.message(core_ml__specification__milspec__value__immediate_value__init)
        immediate.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_LIST
        immediate.pointee.list = listValue
        let result: UnsafeMutablePointer<CValue> = arena.message(core_ml__specification__milspec__value__init)
        result.pointee.type = type
        result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE
        result.pointee.immediatevalue = immediate
        return result
    }

    /// An immediate tensor in the field coremltools uses for its type: floats (fp32), ints
    /// (int32, int16, uint16), longInts (int64), bools, strings, and raw bytes for fp16, int8,
    /// uint8 and uint32.
    private func tensorValue(_ value: MILValue, _ arena: CArena) -> UnsafeMutablePointer<CTensorValue> {
        let result: UnsafeMutablePointer<CTensorValue> = arena.message(core_ml__specification__milspec__tensor_value__init)
        switch value {
        case .strings:
            preconditionFailure("string lists are written by stringList")
        case .string(let string):
            let strings: UnsafeMutablePointer<CoreML__Specification__MILSpec__TensorValue__RepeatedStrings> =
                arena.message(core_ml__specification__milspec__tensor_value__repeated_strings__init)
            strings.pointee.n_values = 1
            strings.pointee.values = arena.array([arena.string(string) as UnsafeMutablePointer<CChar>?])
            result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS
            result.pointee.strings = strings
        case .tensor(let tensor):
            switch tensor.dataType {
            case .float32:
                let floats: UnsafeMutablePointer<CoreML__Specification__MILSpec__TensorValue__RepeatedFloats> =
                    arena.message(core_ml__specification__milspec__tensor_value__repeated_floats__init)
                floats.pointee.n_values = tensor.count
                floats.pointee.values = arena.array(tensor.elements(as: Float.self))
                result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_FLOATS
                result.pointee.floats = floats
            case .int32, .int16, .uint16:
                let ints: UnsafeMutablePointer<CoreML__Specification__MILSpec__TensorValue__RepeatedInts> =
                    arena.message(core_ml__specification__milspec__tensor_value__repeated_ints__init)
                ints.pointee.n_values = tensor.count
                ints.pointee.values = arena.array(tensor.integers().map { Int32($0) })
                result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_INTS
                result.pointee.ints = ints
            case .int64:
                let ints: UnsafeMutablePointer<CoreML__Specification__MILSpec__TensorValue__RepeatedLongInts> =
                    arena.message(core_ml__specification__milspec__tensor_value__repeated_long_ints__init)
                ints.pointee.n_values = tensor.count
                ints.pointee.values = arena.array(tensor.elements(as: Int64.self))
                result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_LONG_INTS
                result.pointee.longints = ints
            case .bool:
                let bools: UnsafeMutablePointer<CoreML__Specification__MILSpec__TensorValue__RepeatedBools> =
                    arena.message(core_ml__specification__milspec__tensor_value__repeated_bools__init)
                bools.pointee.n_values = tensor.count
                bools.pointee.values = arena.array(tensor.elements(as: Bool.self).map { protobuf_c_boolean($0 ? 1 : 0) })
                result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BOOLS
                result.pointee.bools = bools
            default:
                let bytes: UnsafeMutablePointer<CoreML__Specification__MILSpec__TensorValue__RepeatedBytes> =
                    arena.message(core_ml__specification__milspec__tensor_value__repeated_bytes__init)
                bytes.pointee.values = arena.binary(UnsafeRawBufferPointer(start: tensor.storage.bytes, count: tensor.byteCount))
                result.pointee.value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BYTES
                result.pointee.bytes = bytes
            }
        }
        return result
    }
}
