import FerryIR

/// Typed attribute reading as both the reference core (`NodeContext`) and the format writers
/// (`NodeAttributes`, whose type errors are the writer's own) do it, so that attributes shared
/// by both (`WindowAttributes`) are parsed by one initializer.
public protocol AttributeReading {
    func int(_ name: String, default fallback: Int) throws -> Int
    func ints(_ name: String) throws -> [Int]?
    func string(_ name: String, default fallback: String) throws -> String
    /// The error for attribute `name` holding a value the op does not define.
    func invalidValue(_ name: String, _ reason: String) -> any Error
}

extension NodeContext: AttributeReading {
    public func invalidValue(_ name: String, _ reason: String) -> any Error { invalid(name, reason) }
}

extension NodeAttributes: AttributeReading {
    /// A neutral `LoweringError`, which each writer maps to its own error naming the node.
    public func invalidValue(_ name: String, _ reason: String) -> any Error { LoweringError.invalidAttribute(name: name, reason: reason) }
}
