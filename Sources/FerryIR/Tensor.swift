#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An n-dimensional array of one element type, in row-major order.
public struct Tensor: Sendable {
    public var dataType: DataType
    public var shape: [Int]
    public let storage: TensorStorage

    /// A zero-filled tensor, or with `zeroed: false` one whose every element the caller writes.
    public init(dataType: DataType, shape: [Int], zeroed: Bool = true) {
        self.dataType = dataType
        self.shape = shape
        let count = shape.reduce(1, *)
        if dataType == .string {
            storage = TensorStorage(strings: Array(repeating: "", count: count))
        } else {
            storage = TensorStorage(byteCount: count * dataType.byteSize, zeroed: zeroed)
        }
    }

    /// A tensor over existing storage (shared, not copied).
    public init(dataType: DataType, shape: [Int], storage: TensorStorage) {
        self.dataType = dataType
        self.shape = shape
        self.storage = storage
    }

    /// A tensor holding `values` in row-major order.
    public init<T: TensorElement>(shape: [Int], values: [T]) {
        precondition(shape.reduce(1, *) == values.count, "tensor shape \(shape) does not hold \(values.count) values")
        self.init(dataType: T.dataType, shape: shape)
        if T.self == String.self {
            storage.strings = values as! [String]
        } else {
            values.withUnsafeBytes { src in
                storage.bytes.copyMemory(from: src.baseAddress!, byteCount: src.count)
            }
        }
    }

    /// A rank-0 tensor.
    public init<T: TensorElement>(scalar: T) {
        self.init(shape: [], values: [scalar])
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    public var byteCount: Int { count * dataType.byteSize }

    /// Read access to the elements as `T`, which must match `dataType`.
    @inlinable
    public func withElements<T: TensorElement, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dataType == dataType, "tensor of \(dataType) read as \(T.dataType)")
        let pointer = storage.bytes.assumingMemoryBound(to: T.self)
        return try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Write access to the elements as `T`; the caller must own the storage alone.
    @inlinable
    public func withMutableElements<T: TensorElement, R>(as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        precondition(T.dataType == dataType, "tensor of \(dataType) written as \(T.dataType)")
        let pointer = storage.bytes.assumingMemoryBound(to: T.self)
        return try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// The elements copied into an array.
    public func elements<T: TensorElement>(as type: T.Type) -> [T] {
        if T.self == String.self { return storage.strings as! [T] }
        return withElements(as: T.self) { Array($0) }
    }

    /// The same data viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "reshape \(shape) to \(newShape) changes the element count")
        return Tensor(dataType: dataType, shape: newShape, storage: storage)
    }

    /// Integer elements widened to Int (for shape-like inputs: int32/int64/uint8…).
    public func integers() -> [Int] {
        switch dataType {
        case .int64: return withElements(as: Int64.self) { $0.map { Int($0) } }
        case .int32: return withElements(as: Int32.self) { $0.map { Int($0) } }
        case .int16: return withElements(as: Int16.self) { $0.map { Int($0) } }
        case .int8: return withElements(as: Int8.self) { $0.map { Int($0) } }
        case .uint8: return withElements(as: UInt8.self) { $0.map { Int($0) } }
        case .uint16: return withElements(as: UInt16.self) { $0.map { Int($0) } }
        case .uint32: return withElements(as: UInt32.self) { $0.map { Int($0) } }
        case .uint64: return withElements(as: UInt64.self) { $0.map { Int(truncatingIfNeeded: $0) } }
        case .bool: return withElements(as: Bool.self) { $0.map { $0 ? 1 : 0 } }
        default: return doubles().map { Int($0) }
        }
    }

    /// Elements converted to Double (numeric and bool tensors).
    public func doubles() -> [Double] {
        if let type = dataType.numericType {
            return doublesOpened(type)
        }
        switch dataType {
        case .bool: return withElements(as: Bool.self) { $0.map { $0 ? 1 : 0 } }
        default: return []
        }
    }

    private func doublesOpened<T: NumericElement>(_ type: T.Type) -> [Double] {
        withElements(as: T.self) { $0.map { $0.doubleValue } }
    }

    /// Same type, shape and bytes (strings: same strings); storage shared counts as the same.
    public func hasSameBits(as other: Tensor) -> Bool {
        guard dataType == other.dataType, shape == other.shape else { return false }
        if storage === other.storage { return true }
        if dataType == .string { return storage.strings == other.storage.strings }
        return memcmp(storage.bytes, other.storage.bytes, byteCount) == 0
    }

    /// A deep copy with storage of its own.
    public func copy() -> Tensor {
        let result = Tensor(dataType: dataType, shape: shape)
        if dataType == .string {
            result.storage.strings = storage.strings
        } else {
            result.storage.bytes.copyMemory(from: storage.bytes, byteCount: byteCount)
        }
        return result
    }
}

extension Tensor {
    /// Row-major strides of `shape`, in elements.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }
}
