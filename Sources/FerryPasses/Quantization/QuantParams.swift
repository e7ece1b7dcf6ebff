import CFerryKernels
import FerryIR
import Foundation

/// The scale and zero point of one quantized tensor (per tensor), as the TFLite int8 spec sets them.
public struct QuantParams: Sendable, Equatable, CustomStringConvertible {
    public var scale: Float
    public var zeroPoint: Int
    public var type: DataType

    public init(scale: Float, zeroPoint: Int, type: DataType) {
        self.scale = scale
        self.zeroPoint = zeroPoint
        self.type = type
    }

    public static func range(of type: DataType) -> (Int, Int) {
        switch type {
        case .int8: return (-128, 127)
        case .uint8: return (0, 255)
        case .int16: return (-32768, 32767)
        case .int32: return (Int(Int32.min), Int(Int32.max))
        default: preconditionFailure("\(type) is not a quantized type")
        }
    }

    /// Asymmetric params covering [lo, hi] (widened to hold 0, as zero must be exact); int16
    /// activations are symmetric with zero point 0, as TFLite's 16×8 mode requires.
    public static func activation(lo: Double, hi: Double, type: DataType) -> QuantParams {
        let lo = Swift.min(lo, 0), hi = Swift.max(hi, 0)
        let (qmin, qmax) = range(of: type)
        if type == .int16 {
            let bound = Swift.max(abs(lo), abs(hi))
            return QuantParams(scale: bound > 0 ? Float(bound / Double(qmax)) : 1, zeroPoint: 0, type: type)
        }
        guard hi > lo else { return QuantParams(scale: 1, zeroPoint: type == .int8 ? 0 : qmin, type: type) }
        let scale = (hi - lo) / Double(qmax - qmin)
        // The zero point nudged to an integer, as TFLite's converter does.
        let zeroFromMin = Double(qmin) - lo / scale
        let zero = Int(Swift.min(Swift.max(zeroFromMin.rounded(.toNearestOrAwayFromZero), Double(qmin)), Double(qmax)))
        return QuantParams(scale: Float(scale), zeroPoint: zero, type: type)
    }

    /// Quantizes one value: round half away from zero (TFLite's `TfLiteRound`), then clamp.
    public func quantize(_ value: Float) -> Int {
        let (qmin, qmax) = QuantParams.range(of: type)
        let q = (Double(value) / Double(scale)).rounded(.toNearestOrAwayFromZero) + Double(zeroPoint)
        return Int(Swift.min(Swift.max(q, Double(qmin)), Double(qmax)))
    }

    public var description: String { "\(type) scale \(scale) zero \(zeroPoint)" }
}

/// Symmetric per-channel weight quantization (zero point 0, range ±127 for int8 as the TFLite
/// spec requires).
public enum WeightQuantizer {
    /// Quantizes float32 `weight` along `axis`; returns the int8 tensor and one scale per channel.
    public static func perChannel(_ weight: Tensor, axis: Int, bits: Int = 8, name: String) throws -> (Tensor, [Float]) {
        let channels = weight.shape[axis]
        let inner = weight.shape[(axis + 1)...].reduce(1, *)
        let outer = weight.shape[..<axis].reduce(1, *)
        var scales = [Float](repeating: 0, count: channels)
        let q = Tensor(dataType: .int8, shape: weight.shape, zeroed: false)
        let status = weight.withElements(as: Float.self) { values in
            scales.withUnsafeMutableBufferPointer { scales in
                ferry_quantize_symmetric_per_channel(values.baseAddress, outer, channels, inner, Float((1 << (bits - 1)) - 1),
                                                     scales.baseAddress, q.storage.bytes.assumingMemoryBound(to: Int8.self))
            }
        }
        guard status == 0 else { throw PassError.nonFiniteWeight(name: name) }
        return (q, scales)
    }

    /// Quantizes a bias to int32 with scale inputScale·weightScale[c] (zero point 0).
    public static func bias(_ bias: Tensor, inputScale: Float, weightScales: [Float]) -> (Tensor, [Float]) {
        let values = bias.elements(as: Float.self)
        let scales = weightScales.count == values.count ? weightScales.map { $0 * inputScale } : values.map { _ in weightScales[0] * inputScale }
        let q: [Int32] = zip(values, scales).map { value, scale in
            let v = (Double(value) / Double(scale)).rounded(.toNearestOrAwayFromZero)
            return Int32(Swift.min(Swift.max(v, Double(Int32.min)), Double(Int32.max)))
        }
        return (Tensor(shape: bias.shape, values: q), scales)
    }
}
