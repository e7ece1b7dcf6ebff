/// One byte range from a `Range: bytes=…` header (RFC 9110 §14).
enum ByteRange: Equatable {
    /// Serve the whole representation (no header, a syntax we ignore, or several ranges).
    case full
    /// Serve `start...end` with 206.
    case partial(ClosedRange<Int>)
    /// 416: no byte of the range exists.
    case unsatisfiable

    static func parse(_ header: String?, size: Int) -> ByteRange {
        guard let header, header.utf8.count <= 100 else { return .full }
        guard header.hasPrefix("bytes=") else { return .full }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .full }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let count = Int(last), count >= 0 else { return .full }
            guard count > 0, size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - count)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .full }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .partial(start...(size - 1)) }
        guard let end = Int(last), end >= start else { return .full }
        return .partial(start...min(end, size - 1))
    }
}
