/// One state of a sequence-code decoding table, with the code's value already resolved:
/// the value is `baseValue` plus `extraBits` bits; the next state is `baseline` plus `bitCount` bits.
struct SequenceCell {
    var baseValue: UInt32
    var baseline: UInt16
    var extraBits: UInt8
    var bitCount: UInt8
}

/// A decoding table for literal lengths, match lengths or offsets.
struct SequenceTable {
    var accuracyLog: Int
    var cells: [SequenceCell]

    /// The three kinds of sequence code and how a code turns into a value (RFC 8878 §3.1.1.3.2.1).
    enum Kind {
        case literalLength, matchLength, offset

        var name: String {
            switch self {
            case .literalLength: return "literal length"
            case .matchLength: return "match length"
            case .offset: return "offset"
            }
        }

        var maxSymbol: Int {
            switch self {
            case .literalLength: return 35
            case .matchLength: return 52
            case .offset: return 31
            }
        }

        var maxAccuracyLog: Int { self == .offset ? 8 : 9 }

        func value(of code: Int) -> (base: UInt32, extraBits: UInt8) {
            switch self {
            case .literalLength: return (literalLengthBase[code], literalLengthBits[code])
            case .matchLength: return (matchLengthBase[code], matchLengthBits[code])
            case .offset: return (UInt32(1) << UInt32(code), UInt8(code))
            }
        }
    }

    init(_ kind: Kind, distribution: FSEDistribution) {
        accuracyLog = distribution.accuracyLog
        cells = distribution.decodingTable().map { cell in
            let value = kind.value(of: Int(cell.symbol))
            return SequenceCell(baseValue: value.base, baseline: cell.baseline, extraBits: value.extraBits, bitCount: cell.bitCount)
        }
    }

    /// RLE mode: every sequence uses `code`.
    init(_ kind: Kind, code: Int) {
        let value = kind.value(of: code)
        accuracyLog = 0
        cells = [SequenceCell(baseValue: value.base, baseline: 0, extraBits: value.extraBits, bitCount: 0)]
    }

    static let predefinedLiteralLengths = SequenceTable(.literalLength, distribution: FSEDistribution(accuracyLog: 6, counts: [
        4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1,
    ]))
    static let predefinedMatchLengths = SequenceTable(.matchLength, distribution: FSEDistribution(accuracyLog: 6, counts: [
        1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
    ]))
    static let predefinedOffsets = SequenceTable(.offset, distribution: FSEDistribution(accuracyLog: 5, counts: [
        1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
    ]))
}

private let literalLengthBase: [UInt32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
    8192, 16384, 32768, 65536,
]
private let literalLengthBits: [UInt8] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
    13, 14, 15, 16,
]
private let matchLengthBase: [UInt32] = (0..<32).map { UInt32($0 + 3) } + [
    35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
    4099, 8195, 16387, 32771, 65539,
]
private let matchLengthBits: [UInt8] = [UInt8](repeating: 0, count: 32) + [
    1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
    12, 13, 14, 15, 16,
]
