/// One dimension of a value's shape: a known size, a named symbol (`batch`), or unknown.
public enum Dim: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)
    case unknown

    public var value: Int? {
        if case .fixed(let size) = self { return size }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let size): return String(size)
        case .symbol(let name): return name
        case .unknown: return "?"
        }
    }
}

/// The type of a value in the graph: its element type and, when known, its shape.
public struct ValueType: Sendable, Hashable, CustomStringConvertible {
    public var dataType: DataType
    /// `nil` when even the rank is unknown.
    public var shape: [Dim]?

    public init(dataType: DataType, shape: [Dim]?) {
        self.dataType = dataType
        self.shape = shape
    }

    public init(dataType: DataType, dims: [Int]) {
        self.init(dataType: dataType, shape: dims.map { .fixed($0) })
    }

    /// The shape when every dimension is known.
    public var staticShape: [Int]? {
        guard let shape else { return nil }
        var dims: [Int] = []
        for dim in shape {
            guard let size = dim.value else { return nil }
            dims.append(size)
        }
        return dims
    }

    public var description: String {
        guard let shape else { return "\(dataType)[*]" }
        return "\(dataType)[\(shape.map(\.description).joined(separator: ","))]"
    }
}

/// A named, typed value: a graph input or output, or an annotated intermediate.
public struct ValueInfo: Sendable, Hashable {
    public var name: String
    public var type: ValueType?
    public var docString: String

    public init(name: String, type: ValueType?, docString: String = "") {
        self.name = name
        self.type = type
        self.docString = docString
    }
}
