import FerryBundle
import Foundation

extension Delta {
    /// Level for patches. Long-distance matching finds what two versions share at any level; on
    /// a 2 MB fine-tune, levels 3, 9 and 19 gave the same 80 KB patch, level 19 taking 14× longer.
    public static let defaultLevel: Int32 = 3

    /// A zstd frame that rebuilds `new` from `old` (apply it with ``Delta/apply(_:to:expectedSize:file:)``).
    public static func make(from old: Data, to new: Data, level: Int32 = defaultLevel) throws -> Data {
        try Zstd.compress(new, level: level, reference: old, file: "delta")
    }
}
