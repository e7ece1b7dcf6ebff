import FerryFlatBuffers
import FerryIR

/// ORT format tensors: dims, element type and little-endian raw bytes (strings as
/// string_data). Raw data starts 16-byte aligned, so a runtime may use it in place.
enum ORTTensor {
    static let dataAlignment = 16

    static func write(_ tensor: Tensor, name: String, into builder: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset {
        guard tensor.dataType.rawValue <= ORTSchema.largestDataType else {
            throw ORTError.unsupported(what: "tensor '\(name)'", reason: "is \(tensor.dataType), which the ORT format has no encoding for")
        }
        guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
            throw ORTError.unsupported(what: "tensor '\(name)'", reason: "has a negative dimension in shape \(tensor.shape)")
        }
        var raw: FlatBufferBuilder.Offset?
        var strings: FlatBufferBuilder.Offset?
        if tensor.dataType == .string {
            let values = tensor.storage.strings
            guard values.count == tensor.count else {
                throw ORTError.unsupported(what: "tensor '\(name)'", reason: "holds \(values.count) strings, but shape \(tensor.shape) needs \(tensor.count)")
            }
            strings = builder.createVector(offsets: values.map { builder.createSharedString($0) })
        } else {
            guard tensor.storage.byteCount >= tensor.byteCount else {
                throw ORTError.unsupported(what: "tensor '\(name)'", reason: "storage has \(tensor.storage.byteCount) bytes, but \(tensor.dataType)\(tensor.shape) needs \(tensor.byteCount)")
            }
            raw = builder.createVector(bytes: UnsafeRawBufferPointer(start: tensor.storage.bytes, count: tensor.byteCount), alignment: dataAlignment)
        }
        let dims = builder.createVector(tensor.shape.map { Int64($0) })
        let nameOffset = builder.createSharedString(name)
        builder.startTable(fieldCount: ORTSchema.Tensor.fieldCount)
        builder.add(ORTSchema.Tensor.name, offset: nameOffset)
        builder.add(ORTSchema.Tensor.dims, offset: dims)
        builder.add(ORTSchema.Tensor.dataType, tensor.dataType.rawValue, default: 0)
        builder.add(ORTSchema.Tensor.rawData, offset: raw)
        builder.add(ORTSchema.Tensor.stringData, offset: strings)
        return builder.endTable()
    }
}

/// ORT format ValueInfo: a name with a tensor type and, when known, its shape.
enum ORTValueInfo {
    static func writeUntyped(name: String, into builder: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        let nameOffset = builder.createSharedString(name)
        builder.startTable(fieldCount: ORTSchema.ValueInfo.fieldCount)
        builder.add(ORTSchema.ValueInfo.name, offset: nameOffset)
        return builder.endTable()
    }

    static func write(name: String, type: ValueType, into builder: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var shape: FlatBufferBuilder.Offset?
        if let dims = type.shape {
            let dimensions = dims.map { dim -> FlatBufferBuilder.Offset in
                let param: FlatBufferBuilder.Offset?
                if case .symbol(let symbol) = dim { param = builder.createSharedString(symbol) } else { param = nil }
                builder.startTable(fieldCount: ORTSchema.DimensionValue.fieldCount)
                switch dim {
                case .fixed(let value):
                    builder.add(ORTSchema.DimensionValue.dimType, ORTSchema.DimensionValue.value, default: 0)
                    builder.add(ORTSchema.DimensionValue.dimValue, Int64(value), default: 0)
                case .symbol:
                    builder.add(ORTSchema.DimensionValue.dimType, ORTSchema.DimensionValue.param, default: 0)
                    builder.add(ORTSchema.DimensionValue.dimParam, offset: param)
                case .unknown:
                    break
                }
                let value = builder.endTable()
                builder.startTable(fieldCount: ORTSchema.Dimension.fieldCount)
                builder.add(ORTSchema.Dimension.value, offset: value)
                return builder.endTable()
            }
            let vector = builder.createVector(offsets: dimensions)
            builder.startTable(fieldCount: ORTSchema.Shape.fieldCount)
            builder.add(ORTSchema.Shape.dim, offset: vector)
            shape = builder.endTable()
        }
        builder.startTable(fieldCount: ORTSchema.TensorTypeAndShape.fieldCount)
        builder.add(ORTSchema.TensorTypeAndShape.elemType, type.dataType.rawValue, default: 0)
        builder.add(ORTSchema.TensorTypeAndShape.shape, offset: shape)
        let tensorType = builder.endTable()
        builder.startTable(fieldCount: ORTSchema.TypeInfo.fieldCount)
        builder.add(ORTSchema.TypeInfo.valueType, ORTSchema.TypeInfo.tensorType, default: 0)
        builder.add(ORTSchema.TypeInfo.value, offset: tensorType)
        let typeInfo = builder.endTable()
        let nameOffset = builder.createSharedString(name)
        builder.startTable(fieldCount: ORTSchema.ValueInfo.fieldCount)
        builder.add(ORTSchema.ValueInfo.name, offset: nameOffset)
        builder.add(ORTSchema.ValueInfo.type, offset: typeInfo)
        return builder.endTable()
    }
}
