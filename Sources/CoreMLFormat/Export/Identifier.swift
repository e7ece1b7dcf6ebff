/// MIL-valid identifiers (`[A-Za-z_][A-Za-z0-9_]*`) for value names, unique within a program.
///
/// With `short`, internal values get short ids (`v0`, `v1`, …) as coremltools' `var_12` names
/// are short: a name is written three times or more (the op's output, its `name` attribute,
/// each reader), and ONNX names run to 60 characters. `sources` keeps the name each id stands
/// for, so a reader can pair the program's values with the source's. Interface names (inputs,
/// outputs) stay descriptive either way.
struct IdentifierTable {
    private var taken = Set<String>()
    private let short: Bool
    private var next = 0
    /// Short id → the name it stands for (unique: a repeated name gets a `_N` suffix).
    private(set) var sources: [String: String] = [:]
    private var sourcesTaken = Set<String>()

    init(short: Bool = false) { self.short = short }

    /// A fresh identifier for an internal value made from `name`: a short id when the table is
    /// short, else as `interface`.
    mutating func fresh(_ name: String) -> String {
        guard short else { return interface(name) }
        var id = "v\(next)"
        while taken.contains(id) {
            next += 1
            id = "v\(next)"
        }
        next += 1
        taken.insert(id)
        var source = name
        var suffix = 1
        while sourcesTaken.contains(source) {
            source = "\(name)_\(suffix)"
            suffix += 1
        }
        sourcesTaken.insert(source)
        sources[id] = source
        return id
    }

    /// A fresh descriptive identifier based on `name`: invalid characters become `_`, a leading
    /// digit gets a `_` prefix, and a clash gets the first free `_N` suffix. Same names in,
    /// same names out.
    mutating func interface(_ name: String) -> String {
        var base = String(name.unicodeScalars.map { scalar -> Character in
            let ascii = scalar.isASCII ? Character(scalar) : "_"
            return ascii.isLetter || ascii.isNumber || ascii == "_" ? ascii : "_"
        })
        if base.isEmpty { base = "_" }
        if base.first!.isNumber { base = "_" + base }
        var candidate = base
        var suffix = 1
        while taken.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
