import CFerryKernels
import FerryIR

/// Nodes a run computes as one kernel when nobody observes the values between them:
/// - a float Conv and the Clip that alone reads it: the clamp goes in as the convolution
///   stores its output (Relu is not fused: its NaN gives 0, the clamp's gives NaN);
/// - a QuantizeLinear whose only reader is a DequantizeLinear with the same per-tensor
///   parameters (every activation of a QDQ model): one pass from float to float, without the
///   integer tensor; after a Conv the convolution applies it to each block of output it finishes.
///
/// A fused chain computes the bits its nodes compute one by one (tested against them, NaN, ±∞
/// and −0 included), so whether a run fuses — it does not when a caller observes a value in
/// between, as calibration and per-layer drift do — never changes a result.
struct StepChain {
    /// The steps, first to last: the chain runs in place of the first, the others are skipped.
    let steps: [Int]
    /// Values only the chain reads; it runs fused only when none of them is observed.
    let hidden: [Int]
    let kernel: ChainKernel
    /// The node types joined by "+", as profiles name the chain.
    let opType: String

    /// Chains of `steps` whose hidden values are read once, by the next node of the chain, and
    /// are not graph outputs (`kept`); `constant` gives a slot's tensor when it is a constant.
    /// A chain headed by a Conv and ending in a fake quantization is followed by the chain of
    /// its last two steps: a run fuses the first chain in the list whose hidden values it does
    /// not observe and whose steps no fused chain has taken.
    static func find(steps: [ExecutionPlan.Step], readers: [Int: [Int]], kept: Set<Int>, constant: (Int) -> Tensor?) -> [StepChain] {
        /// The step that alone reads `step`'s only output, once, with constants for its other inputs.
        func soleReader(of step: Int) -> (step: Int, value: Int)? {
            let outputs = steps[step].outputs.filter { $0 >= 0 }
            guard outputs.count == 1, let value = outputs.first, !kept.contains(value),
                  let found = readers[value], found.count == 1, let reader = found.first, reader > step else { return nil }
            let others = steps[reader].inputs.enumerated().filter { $0.element != value }
            guard steps[reader].inputs.filter({ $0 == value }).count == 1, steps[reader].inputs.first == value,
                  others.allSatisfy({ $0.element < 0 || constant($0.element) != nil }) else { return nil }
            return (reader, value)
        }
        func constants(of step: Int) -> [Tensor?] { steps[step].inputs.map { $0 < 0 ? nil : constant($0) } }

        var chains: [StepChain] = []
        var claimed = Set<Int>()
        for head in steps.indices where !claimed.contains(head) {
            var members = [head], hidden: [Int] = []
            var convolution: Conv?
            if var conv = steps[head].kernel as? Conv, conv.activation == nil {
                if let (reader, value) = soleReader(of: head), let clip = steps[reader].kernel as? Clip,
                   let bounds = clip.constantBounds(constants(of: reader)) {
                    conv.activation = .clip(min: bounds.lo, max: bounds.hi)
                    members.append(reader)
                    hidden.append(value)
                }
                convolution = conv
            }
            // The QuantizeLinear: the head itself, or the reader of the convolution's output.
            var quantize: Int?
            if steps[head].kernel is QuantizeLinear {
                quantize = head
            } else if convolution != nil, let (reader, value) = soleReader(of: members.last!), steps[reader].kernel is QuantizeLinear {
                quantize = reader
                hidden.append(value)
            }
            var fakeQuantization: ChainKernel.FakeQuantization?
            if let q = quantize, let (d, quantized) = soleReader(of: q),
               let parameters = ChainKernel.FakeQuantization(steps[q].kernel, constants(of: q), steps[d].kernel, constants(of: d)) {
                if q != head { members.append(q) }
                members.append(d)
                hidden.append(quantized)
                fakeQuantization = parameters
            } else if quantize != head, quantize != nil {
                hidden.removeLast()
            }
            guard members.count > 1 else { continue }
            // The convolution quantizes its output block by block as it computes it.
            convolution?.fakeQuantization = fakeQuantization
            func chain(_ members: [Int], _ hidden: [Int], _ convolution: Conv?) -> StepChain {
                let written = members.map { ChainKernel.Member(kernel: steps[$0].kernel, constants: constants(of: $0)) }
                return StepChain(steps: members, hidden: hidden,
                                 kernel: ChainKernel(convolution: convolution, fakeQuantization: fakeQuantization, asWritten: written),
                                 opType: members.map { steps[$0].opType }.joined(separator: "+"))
            }
            chains.append(chain(members, hidden, convolution))
            if convolution != nil, fakeQuantization != nil, members.count > 2 {
                // Its QuantizeLinear → DequantizeLinear alone, for runs that observe the
                // convolution's output (per-layer drift) but not the integer value.
                chains.append(chain(Array(members.suffix(2)), [hidden.last!], nil))
            }
            claimed.formUnion(members)
        }
        return chains
    }
}

/// The kernel of a `StepChain`: the first member's inputs in, the last member's output out.
struct ChainKernel: Kernel {
    /// QuantizeLinear → DequantizeLinear with one scale and zero point, as floats.
    struct FakeQuantization {
        let scale: Float, zero: Float, low: Float, high: Float

        init?(_ quantizeKernel: any Kernel, _ qInputs: [Tensor?], _ dequantizeKernel: any Kernel, _ dqInputs: [Tensor?]) {
            let zeroPoint = qInputs.count > 2 ? qInputs[2] : nil, dqZeroPoint = dqInputs.count > 2 ? dqInputs[2] : nil
            guard let quantize = quantizeKernel as? QuantizeLinear, let dequantize = dequantizeKernel as? DequantizeLinear,
                  quantize.blockSize == 0, quantize.precision ?? .float32 == .float32,
                  dequantize.blockSize == 0, dequantize.outputType ?? .float32 == .float32,
                  qInputs.count >= 2, dqInputs.count >= 2, let qScale = qInputs[1], let dqScale = dqInputs[1],
                  // The per-tensor float32 case, as QuantizeLinear's own fast path reads it.
                  let (scale, zero) = PerTensorQuantization.scalar(qScale, zeroPoint),
                  let (dqScaleValue, dqZero) = PerTensorQuantization.scalar(dqScale, dqZeroPoint),
                  scale.bitPattern == dqScaleValue.bitPattern, zero == dqZero else { return nil }
            let type = quantize.outputType ?? zeroPoint?.dataType ?? .uint8
            guard zeroPoint.map({ $0.dataType == type }) ?? true, dqZeroPoint.map({ $0.dataType == type }) ?? true else { return nil }
            let range: (Int, Int)
            switch type {
            case .int8: range = (Int(Int8.min), Int(Int8.max))
            case .uint8: range = (0, Int(UInt8.max))
            case .int16: range = (Int(Int16.min), Int(Int16.max))
            case .uint16: range = (0, Int(UInt16.max))
            default: return nil
            }
            self.scale = scale
            self.zero = Float(zero)
            low = Float(range.0)
            high = Float(range.1)
        }

        /// Quantizes and dequantizes `count` floats from `source` into `target` (may be the same).
        func apply(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, _ count: Int, _ context: ExecutionContext) {
            let chunk = 1 << 16
            context.parallelFor((count + chunk - 1) / chunk) { range in
                let start = range.lowerBound * chunk, end = Swift.min(count, range.upperBound * chunk)
                ferry_fake_quantize_f32(source + start, target + start, end - start, scale, zero, low, high)
            }
        }
    }

    /// A member as written, with its constant inputs (nil for the value the chain passes on).
    struct Member {
        let kernel: any Kernel
        let constants: [Tensor?]
    }

    /// The Conv that heads the chain, with the Clip that followed it as its activation.
    let convolution: Conv?
    let fakeQuantization: FakeQuantization?
    /// The members one by one: what runs when the input is not float32 (the fused paths
    /// compute float32 only).
    let asWritten: [Member]

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        guard let x = inputs.first ?? nil, x.dataType == .float32 else {
            return try runAsWritten(inputs, context)
        }
        // The convolution carries the fake quantization, which it applies as it goes.
        if let convolution { return try convolution.run(inputs, context) }
        guard let fakeQuantization else { return try runAsWritten(inputs, context) }
        let y = Tensor(dataType: .float32, shape: x.shape, zeroed: false)
        fakeQuantization.apply(x.storage.bytes.assumingMemoryBound(to: Float.self), y.storage.bytes.assumingMemoryBound(to: Float.self),
                               x.count, context)
        return [y]
    }

    private func runAsWritten(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        var values = try asWritten[0].kernel.run(inputs, context)
        for member in asWritten.dropFirst() {
            var arguments = member.constants
            arguments[0] = values[0]
            values = try member.kernel.run(arguments, context)
        }
        return values
    }
}

extension Clip {
    /// The bounds when they are float32 constants (or attributes, before opset 11), as the
    /// kernel applies them: an absent bound is ±∞ from opset 11, ±greatest finite before.
    func constantBounds(_ inputs: [Tensor?]) -> (lo: Float, hi: Float)? {
        if let attributeMin, let attributeMax { return (attributeMin, attributeMax) }
        func bound(_ index: Int, _ absent: Float) -> Float? {
            guard index < inputs.count, let tensor = inputs[index] else { return absent }
            guard tensor.dataType == .float32, tensor.count == 1 else { return nil }
            return tensor.withElements(as: Float.self) { $0[0] }
        }
        guard let lo = bound(1, -.infinity), let hi = bound(2, .infinity) else { return nil }
        return (lo, hi)
    }
}
