/// MIL-valid identifiers (`[A-Za-z_][A-Za-z0-9_]*`) for value names, unique within a program.
struct IdentifierTable {
    private var taken = Set<String>()

    /// A fresh identifier based on `name`: invalid characters become `_`, a leading digit gets a
    /// `_` prefix, and a clash gets the first free `_N` suffix. Same names in, same names out.
    mutating func fresh(_ name: String) -> String {
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
