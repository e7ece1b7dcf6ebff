import CFerryZlib
import FerryIR
import Foundation
import ZIPFoundation

/// Reads NumPy `.npz` archives (from `np.savez` or `np.savez_compressed`).
public enum NPZ {
    /// The arrays in the archive by name (the member name without `.npy`), in archive order.
    public static func read(path: String) throws -> [(name: String, tensor: Tensor)] {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw NPY.Failure.invalid(file: path, reason: "not a readable .npz (zip) archive: \(error)")
        }
        var result: [(String, Tensor)] = []
        for entry in archive where entry.type == .file {
            guard entry.uncompressedSize < 1 << 34 else {
                throw NPY.Failure.invalid(file: "\(path):\(entry.path)", reason: "member is too large")
            }
            var data = Data()
            // Grown once (to what the entry declares, up to a bound a hostile size cannot
            // exceed), filled in large chunks: calibration sets run to tens of megabytes.
            data.reserveCapacity(Int(min(entry.uncompressedSize, 1 << 28)))
            do {
                _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true) { data.append($0) }
            } catch {
                throw NPY.Failure.invalid(file: "\(path):\(entry.path)", reason: "cannot extract: \(error)")
            }
            // Checked here with zlib (several times faster than the reader's own loop).
            let crc = data.withUnsafeBytes { bytes in
                UInt32(truncatingIfNeeded: crc32_z(0, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count))
            }
            guard crc == entry.checksum else {
                throw NPY.Failure.invalid(file: "\(path):\(entry.path)", reason: "corrupt member: its CRC-32 is \(String(crc, radix: 16)), the archive says \(String(entry.checksum, radix: 16))")
            }
            let name = entry.path.hasSuffix(".npy") ? String(entry.path.dropLast(4)) : entry.path
            result.append((name, try NPY.read(data, file: "\(path):\(entry.path)")))
        }
        return result
    }
}
