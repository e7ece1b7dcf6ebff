/// ONNX operator schemas by version (domains ai.onnx and ai.onnx.ml), from the generated table
/// in `ONNXSchemaTable.swift`: which versions an op has, what each version's inputs, outputs,
/// attributes and element types are.
public enum ONNXSchemas {
    /// One formal input or output of an operator version.
    public struct Parameter: Sendable, Equatable {
        public enum Option: Sendable, Equatable { case single, optional, variadic }
        public var name: String
        /// A type-constraint name (`T`) or a literal type (`tensor(int64)`).
        public var typeString: String
        public var option: Option
    }

    /// One version of an operator, as its schema defines it.
    public struct Schema: Sendable {
        public var domain: String
        public var opType: String
        public var sinceVersion: Int
        public var deprecated: Bool
        public var inputs: [Parameter]
        public var outputs: [Parameter]
        public var attributes: Set<String>
        public var requiredAttributes: Set<String>
        /// Type-constraint name → the ONNX element type numbers it allows.
        public var constraints: [String: Set<Int32>]

        /// The element types a parameter allows (nil: not a tensor type Ferry can check).
        public func allowedTypes(_ parameter: Parameter) -> Set<Int32>? {
            if let allowed = constraints[parameter.typeString] { return allowed }
            return ONNXSchemas.literalTypes[parameter.typeString].map { [$0] }
        }

        /// The formal parameter the `index`-th actual argument binds to (variadic last ones repeat).
        public func parameter(_ index: Int, output: Bool) -> Parameter? {
            let formal = output ? outputs : inputs
            if index < formal.count { return formal[index] }
            if let last = formal.last, last.option == .variadic { return last }
            return nil
        }

        /// The most arguments the schema takes (nil: unbounded).
        public func maximumCount(output: Bool) -> Int? {
            let formal = output ? outputs : inputs
            return formal.last?.option == .variadic ? nil : formal.count
        }

        /// The kernel type strings ONNX Runtime resolves for this version, as its
        /// KernelTypeStrResolver registers them: each type-constraint name (or, for a parameter
        /// with a literal type, the parameter's name) with the inputs and outputs that use it,
        /// inputs first, in order.
        public var kernelTypeStrings: [(name: String, arguments: [(isOutput: Bool, index: Int)])] {
            var order: [String] = []
            var groups: [String: [(isOutput: Bool, index: Int)]] = [:]
            for (isOutput, formal) in [(false, inputs), (true, outputs)] {
                for (index, parameter) in formal.enumerated() {
                    let key = constraints[parameter.typeString] != nil ? parameter.typeString : parameter.name
                    if groups[key] == nil { order.append(key) }
                    groups[key, default: []].append((isOutput, index))
                }
            }
            return order.map { ($0, groups[$0]!) }
        }
    }

    /// `tensor(float)` → 1, …: the literal type strings a schema may use instead of a constraint.
    static let literalTypes: [String: Int32] = {
        let names: [(String, Int32)] = [
            ("float", 1), ("uint8", 2), ("int8", 3), ("uint16", 4), ("int16", 5), ("int32", 6), ("int64", 7),
            ("string", 8), ("bool", 9), ("float16", 10), ("double", 11), ("uint32", 12), ("uint64", 13),
            ("bfloat16", 16), ("float8e4m3fn", 17), ("float8e4m3fnuz", 18), ("float8e5m2", 19), ("float8e5m2fnuz", 20),
            ("uint4", 21), ("int4", 22), ("float4e2m1", 23), ("float8e8m0", 24), ("uint2", 25), ("int2", 26),
            ("float6e2m3", 27), ("float6e3m2", 28),
        ]
        return Dictionary(uniqueKeysWithValues: names.map { ("tensor(\($0.0))", $0.1) })
    }()

    private struct Key: Hashable {
        var domain: String
        var opType: String
    }

    /// Every version of every op, oldest first.
    private static let byOp: [Key: [Schema]] = {
        var result: [Key: [Schema]] = [:]
        for line in table {
            let schema = parse(line)
            result[Key(domain: schema.domain, opType: schema.opType), default: []].append(schema)
        }
        return result.mapValues { $0.sorted { $0.sinceVersion < $1.sinceVersion } }
    }()

    private static func parse(_ line: String) -> Schema {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        precondition(fields.count == 5, "malformed schema table line: \(line)")
        let head = fields[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        precondition(head.count == 3, "malformed schema table line: \(line)")
        let deprecated = head[2].hasSuffix("!")
        let since = Int(deprecated ? String(head[2].dropLast()) : head[2])!
        func parameters(_ text: String) -> [Parameter] {
            text.isEmpty ? [] : text.split(separator: ",").map { item in
                var spec = String(item)
                var option = Parameter.Option.single
                if spec.hasSuffix("?") { option = .optional; spec.removeLast() }
                else if spec.hasSuffix("*") { option = .variadic; spec.removeLast() }
                let colon = spec.firstIndex(of: ":")!
                return Parameter(name: String(spec[..<colon]), typeString: String(spec[spec.index(after: colon)...]), option: option)
            }
        }
        var attributes: Set<String> = [], required: Set<String> = []
        for name in fields[3].split(separator: ",") {
            if name.hasSuffix("=") { required.insert(String(name.dropLast())); attributes.insert(String(name.dropLast())) }
            else { attributes.insert(String(name)) }
        }
        var constraints: [String: Set<Int32>] = [:]
        for item in fields[4].split(separator: ";") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            constraints[String(parts[0])] = Set(parts[1].split(separator: ",").compactMap { Int32($0) })
        }
        return Schema(domain: head[0], opType: head[1], sinceVersion: since, deprecated: deprecated,
                      inputs: parameters(fields[1]), outputs: parameters(fields[2]),
                      attributes: attributes, requiredAttributes: required, constraints: constraints)
    }

    /// Every version of an op, oldest first (empty for an op the table does not know).
    public static func versions(domain: String, opType: String) -> [Schema] {
        byOp[Key(domain: domain == "ai.onnx" ? "" : domain, opType: opType)] ?? []
    }

    /// The version of an op that a model importing `opset` of its domain uses: the newest one
    /// introduced at or before `opset` (nil when the op did not exist yet).
    public static func schema(domain: String, opType: String, opset: Int) -> Schema? {
        versions(domain: domain, opType: opType).last { $0.sinceVersion <= opset }
    }

    /// Whether the table covers the domain at all (ops of other domains are left as they are).
    public static func knows(domain: String) -> Bool {
        domain == "" || domain == "ai.onnx" || domain == "ai.onnx.ml"
    }
}
