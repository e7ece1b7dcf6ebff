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
            // Streamed straight into the tensor the header declares, the CRC-32 (zlib's, several
            // times faster than the reader's own loop) taken as the chunks pass: calibration
            // sets run to tens of megabytes, so no intermediate copy of the member.
            let file = "\(path):\(entry.path)"
            let stream = NPYStream(file: file)
            do {
                _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true) { try stream.consume($0) }
            } catch let failure as NPY.Failure {
                throw failure
            } catch {
                throw NPY.Failure.invalid(file: file, reason: "cannot extract: \(error)")
            }
            guard stream.crc == entry.checksum else {
                throw NPY.Failure.invalid(file: file, reason: "corrupt member: its CRC-32 is \(String(stream.crc, radix: 16)), the archive says \(String(entry.checksum, radix: 16))")
            }
            let name = entry.path.hasSuffix(".npy") ? String(entry.path.dropLast(4)) : entry.path
            result.append((name, try stream.finish()))
        }
        return result
    }
}

/// An .npy array read chunk by chunk: the header is gathered, then the data goes straight into
/// the tensor it declares.
final class NPYStream {
    let file: String
    private(set) var crc: UInt32 = 0
    private var header: [UInt8] = []
    private var tensor: Tensor?
    private var written = 0

    init(file: String) { self.file = file }

    func consume(_ chunk: Data) throws {
        chunk.withUnsafeBytes { bytes in
            crc = UInt32(truncatingIfNeeded: crc32_z(UInt(crc), bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count))
        }
        guard let tensor else {
            header += chunk
            let layout = try header.withUnsafeBytes { try NPY.layout($0, file: file) }
            guard let layout else { return }
            let made = Tensor(dataType: layout.type, shape: layout.shape, zeroed: false)
            self.tensor = made
            let rest = header[layout.start...]
            header = []
            try append(Data(rest), to: made)
            return
        }
        try append(chunk, to: tensor)
    }

    private func append(_ chunk: Data, to tensor: Tensor) throws {
        guard written + chunk.count <= tensor.byteCount else { throw overrun(written + chunk.count, tensor) }
        chunk.withUnsafeBytes { bytes in
            if bytes.count > 0 { (tensor.storage.bytes + written).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        }
        written += chunk.count
    }

    private func overrun(_ bytes: Int, _ tensor: Tensor) -> NPY.Failure {
        .invalid(file: file, reason: "holds \(bytes) data bytes; \(tensor.dataType)\(tensor.shape) needs \(tensor.byteCount)")
    }

    /// The array, once every chunk has been consumed.
    func finish() throws -> Tensor {
        guard let tensor else {
            throw NPY.Failure.invalid(file: file, reason: header.count >= 10 ? "truncated header" : "missing the \\x93NUMPY magic")
        }
        guard written == tensor.byteCount else { throw overrun(written, tensor) }
        tensor.normalizeBooleans()
        return tensor
    }
}
