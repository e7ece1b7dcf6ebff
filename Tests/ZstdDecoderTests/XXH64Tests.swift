import Foundation
import XCTest
import ZstdDecoder

final class XXH64Tests: XCTestCase {
    func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { XXH64.hash($0, seed: seed) }
    }

    /// Reference values from xxHash's own sanity checks (xxhsum's test vectors).
    func testKnownValues() {
        XCTAssertEqual(hash([]), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(hash(Array("a".utf8)), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(hash(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        XCTAssertEqual(hash(Array("Nobody inspects the spammish repetition".utf8)), 0xFBCE_A83C_8A37_8BF1)
    }
}
