import CONNX
import FerryIR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ReadContext {
    /// Converts a TensorProto, taking its bytes from `rawRange` of the mapped file when the
    /// reader stripped them, from `raw_data`, from the typed fields, or from external data.
    func tensor(_ proto: Onnx__TensorProto, rawRange: Range<Int>?) throws -> Tensor {
        let name = string(proto.name)
        func fail(_ reason: String) -> ONNXError { .invalidTensor(file: path, tensor: name, reason: reason) }
        guard proto.has_data_type != 0, let dataType = DataType(rawValue: proto.data_type) else {
            throw fail("element type \(proto.data_type) is not supported (Ferry reads float8/16/32/64, float4, float6, bfloat16, float8e8m0, int2–64, uint2–64, bool, string; not complex)")
        }
        if proto.segment != nil { throw fail("segmented tensors are not supported") }
        var shape: [Int] = []
        var count = 1
        for dim in repeatedScalars(proto.n_dims, proto.dims) {
            guard dim >= 0 else { throw fail("has negative dimension \(dim)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product < (1 << 40) else { throw fail("has too many elements (dims \(repeatedScalars(proto.n_dims, proto.dims)))") }
            count = product
            shape.append(Int(dim))
        }
        // Bytes in the file: sub-byte types are packed there, one byte per element in memory.
        let byteCount = TensorFileLayout.byteCount(dataType, count: count)

        if proto.has_data_location != 0 && proto.data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL {
            return try externalTensor(proto, name: name, dataType: dataType, shape: shape, byteCount: byteCount)
        }
        if let rawRange, let file {
            guard rawRange.count == byteCount else {
                throw fail("raw_data has \(rawRange.count) bytes, but \(dataType)\(shape) needs \(byteCount)")
            }
            // Every byte is written below: no zeroing pass (and page faults) first.
            let result = Tensor(dataType: dataType, shape: shape, zeroed: false)
            if TensorFileLayout.isUnpackedInMemory(dataType) {
                TensorFileLayout.unpack(dataType, from: file.base + rawRange.lowerBound, count: count, to: result.storage.bytes)
                file.release(rawRange)
            } else {
                file.copy(rawRange, to: result.storage.bytes)
            }
            return normalized(result)
        }
        if proto.has_raw_data != 0 {
            guard dataType != .string else { throw fail("string tensors cannot use raw_data") }
            guard proto.raw_data.len == byteCount else {
                throw fail("raw_data has \(proto.raw_data.len) bytes, but \(dataType)\(shape) needs \(byteCount)")
            }
            let result = Tensor(dataType: dataType, shape: shape, zeroed: false)
            if byteCount > 0 { fill(result, from: proto.raw_data.data, byteCount: byteCount) }
            return normalized(result)
        }
        return try typedFieldTensor(proto, dataType: dataType, shape: shape, count: count, fail: fail)
    }

    /// Copies a tensor's file bytes into its storage, unpacking the sub-byte types.
    private func fill(_ tensor: Tensor, from source: UnsafeRawPointer, byteCount: Int) {
        if TensorFileLayout.isUnpackedInMemory(tensor.dataType) {
            TensorFileLayout.unpack(tensor.dataType, from: source, count: tensor.count, to: tensor.storage.bytes)
        } else {
            tensor.storage.bytes.copyMemory(from: source, byteCount: byteCount)
        }
    }

    /// Bool bytes other than 0 and 1 would break Swift's Bool; normalize them.
    private func normalized(_ tensor: Tensor) -> Tensor {
        if tensor.dataType == .bool {
            let bytes = tensor.storage.bytes.assumingMemoryBound(to: UInt8.self)
            for index in 0..<tensor.count where bytes[index] > 1 { bytes[index] = 1 }
        }
        return tensor
    }

    private func typedFieldTensor(_ proto: Onnx__TensorProto, dataType: DataType, shape: [Int], count: Int,
                                  fail: (String) -> ONNXError) throws -> Tensor {
        func check(_ available: Int, _ field: String) throws {
            guard available == count else {
                throw fail("\(field) has \(available) values, but shape \(shape) needs \(count)")
            }
        }
        let result = Tensor(dataType: dataType, shape: shape)
        let out = result.storage.bytes
        switch dataType {
        case .float32:
            try check(proto.n_float_data, "float_data")
            if count > 0 { out.copyMemory(from: proto.float_data, byteCount: count * 4) }
        case .float64:
            try check(proto.n_double_data, "double_data")
            if count > 0 { out.copyMemory(from: proto.double_data, byteCount: count * 8) }
        case .int64:
            try check(proto.n_int64_data, "int64_data")
            if count > 0 { out.copyMemory(from: proto.int64_data, byteCount: count * 8) }
        case .uint4, .int4, .float4e2m1, .uint2, .int2:
            // Each int32_data entry holds one packed byte (two 4-bit or four 2-bit elements).
            let byteCount = TensorFileLayout.byteCount(dataType, count: count)
            guard proto.n_int32_data == byteCount else {
                throw fail("int32_data has \(proto.n_int32_data) values, but \(dataType)\(shape) packs into \(byteCount)")
            }
            let packed = UnsafeBufferPointer(start: proto.int32_data, count: byteCount).map { UInt8(truncatingIfNeeded: $0) }
            packed.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { TensorFileLayout.unpack(dataType, from: base, count: count, to: out) }
            }
        case .float6e2m3, .float6e3m2:
            try check(proto.n_int32_data, "int32_data")
            for (i, v) in UnsafeBufferPointer(start: proto.int32_data, count: count).enumerated() {
                guard (0..<64).contains(v) else { throw fail("int32_data[\(i)] is \(v), not a 6-bit code") }
                out.storeBytes(of: UInt8(v), toByteOffset: i, as: UInt8.self)
            }
        case .int32, .int16, .int8, .uint16, .uint8, .bool, .float16, .bfloat16,
             .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0:
            try check(proto.n_int32_data, "int32_data")
            let values = UnsafeBufferPointer(start: proto.int32_data, count: count)
            switch dataType.byteSize {
            case 4: for (i, v) in values.enumerated() { out.storeBytes(of: v, toByteOffset: i * 4, as: Int32.self) }
            case 2: for (i, v) in values.enumerated() { out.storeBytes(of: UInt16(truncatingIfNeeded: v), toByteOffset: i * 2, as: UInt16.self) }
            default:
                for (i, v) in values.enumerated() {
                    let byte = dataType == .bool ? UInt8(v != 0 ? 1 : 0) : UInt8(truncatingIfNeeded: v)
                    out.storeBytes(of: byte, toByteOffset: i, as: UInt8.self)
                }
            }
        case .uint32, .uint64:
            try check(proto.n_uint64_data, "uint64_data")
            let values = UnsafeBufferPointer(start: proto.uint64_data, count: count)
            for (i, v) in values.enumerated() {
                if dataType == .uint32 { out.storeBytes(of: UInt32(truncatingIfNeeded: v), toByteOffset: i * 4, as: UInt32.self) }
                else { out.storeBytes(of: v, toByteOffset: i * 8, as: UInt64.self) }
            }
        case .string:
            try check(proto.n_string_data, "string_data")
            result.storage.strings = repeatedScalars(proto.n_string_data, proto.string_data).map { string($0) }
        }
        return result
    }

    /// Reads a tensor stored in a separate file (`data_location: EXTERNAL`), which must lie in
    /// the model's folder.
    private func externalTensor(_ proto: Onnx__TensorProto, name: String, dataType: DataType, shape: [Int],
                                byteCount: Int) throws -> Tensor {
        func fail(_ reason: String) -> ONNXError { .invalidTensor(file: path, tensor: name, reason: reason) }
        var location = ""
        var offset = 0
        var length: Int? = nil
        for entry in repeated(proto.n_external_data, proto.external_data) {
            let value = string(entry.value)
            switch string(entry.key) {
            case "location": location = value
            case "offset":
                guard let parsed = Int(value), parsed >= 0 else { throw fail("external data offset '\(value)' is not a non-negative integer") }
                offset = parsed
            case "length":
                guard let parsed = Int(value), parsed >= 0 else { throw fail("external data length '\(value)' is not a non-negative integer") }
                length = parsed
            default: break
            }
        }
        guard !location.isEmpty else { throw fail("external data has no location") }
        let components = location.split(separator: "/", omittingEmptySubsequences: true)
        guard !location.hasPrefix("/"), !components.contains(".."), !location.contains("\\") else {
            throw fail("external data location '\(location)' leaves the model's folder")
        }
        guard dataType != .string else { throw fail("string tensors cannot be stored externally") }
        if let length, length != byteCount {
            throw fail("external data length \(length) does not match \(dataType)\(shape) (\(byteCount) bytes)")
        }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dataPath = folder + "/" + location
        let dataFile = try MappedFile(path: dataPath)
        guard offset <= dataFile.count, byteCount <= dataFile.count - offset else {
            throw fail("external data \(dataPath) has \(dataFile.count) bytes; the tensor needs \(byteCount) at offset \(offset)")
        }
        let result = Tensor(dataType: dataType, shape: shape)
        if TensorFileLayout.isUnpackedInMemory(dataType) {
            TensorFileLayout.unpack(dataType, from: dataFile.base + offset, count: result.count, to: result.storage.bytes)
        } else {
            dataFile.copy(offset..<(offset + byteCount), to: result.storage.bytes)
        }
        return normalized(result)
    }
}
