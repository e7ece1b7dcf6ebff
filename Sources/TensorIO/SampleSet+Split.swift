import FerryIR

extension SampleSet {
    /// Cuts one array into the samples it holds for `input` (see `SampleSet`), checking the
    /// element type and every fixed dimension.
    static func split(_ array: Tensor, for input: ValueInfo, file: String) throws -> [Tensor] {
        guard let type = input.type else { return [array] }
        guard array.dataType == type.dataType else {
            throw SampleSetError.wrongDType(file: file, input: input.name, expected: type.dataType, actual: array.dataType)
        }
        guard let dims = type.shape else { return [array] }
        let expected = "[\(dims.map(\.description).joined(separator: ","))]"
        let shape = array.shape
        if shape.count == dims.count + 1, fits(Array(shape.dropFirst()), dims[...]) {
            return (0..<shape[0]).map { array.rows($0, 1, keepAxis: false) }
        }
        if shape.count == dims.count, fits(shape, dims[...]) {
            return [array]
        }
        if shape.count == dims.count, let first = dims.first?.value, first > 0, shape[0] % first == 0,
           fits(Array(shape.dropFirst()), dims.dropFirst()) {
            return stride(from: 0, to: shape[0], by: first).map { array.rows($0, first, keepAxis: true) }
        }
        throw SampleSetError.wrongShape(file: file, input: input.name, expected: expected, actual: shape)
    }

    static func fits(_ shape: [Int], _ dims: ArraySlice<Dim>) -> Bool {
        guard shape.count == dims.count else { return false }
        return zip(shape, dims).allSatisfy { size, dim in dim.value.map { $0 == size } ?? true }
    }
}

extension Tensor {
    /// Rows `start..<start+count` of axis 0; without `keepAxis` (and `count` 1) axis 0 is
    /// dropped. Rows starting on a 64-byte boundary share this tensor's memory (a batch of
    /// samples read from a file is not copied again, sample by sample); others are copied.
    func rows(_ start: Int, _ count: Int, keepAxis: Bool) -> Tensor {
        let inner = Array(shape.dropFirst())
        let rowElements = inner.reduce(1, *)
        let resultShape = keepAxis ? [count] + inner : inner
        let offset = start * rowElements * dataType.byteSize
        if dataType != .string, offset % 64 == 0 {
            let view = TensorStorage(viewing: storage, offset: offset, byteCount: count * rowElements * dataType.byteSize)
            return Tensor(dataType: dataType, shape: resultShape, storage: view)
        }
        let result = Tensor(dataType: dataType, shape: resultShape, zeroed: false)
        if dataType == .string {
            result.storage.strings = Array(storage.strings[(start * rowElements)..<((start + count) * rowElements)])
        } else if result.byteCount > 0 {
            result.storage.bytes.copyMemory(from: storage.bytes + offset, byteCount: result.byteCount)
        }
        return result
    }
}
