import FerryIR

/// The sliding-window attributes shared by Conv, ConvTranspose and the pools, parsed once:
/// kernel shape, strides, dilations, explicit pads and auto_pad.
public struct WindowAttributes: Sendable {
    public enum AutoPad: String, Sendable { case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID" }

    public var kernelShape: [Int]?
    public var strides: [Int]?
    public var dilations: [Int]?
    public var pads: [Int]?
    public var autoPad: AutoPad
    public var ceilMode: Bool

    /// Read from the reference core's `NodeContext` or, in a writer, from its `NodeAttributes`.
    public init(_ node: some AttributeReading, ceilMode readCeil: Bool = false) throws {
        kernelShape = try node.ints("kernel_shape")
        strides = try node.ints("strides")
        dilations = try node.ints("dilations")
        pads = try node.ints("pads")
        let mode = try node.string("auto_pad", default: "NOTSET")
        guard let autoPad = AutoPad(rawValue: mode) else {
            throw node.invalidValue("auto_pad", "must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, not '\(mode)'")
        }
        self.autoPad = autoPad
        ceilMode = readCeil ? try node.int("ceil_mode", default: 0) != 0 : false
        for (name, values) in [("strides", strides), ("dilations", dilations)] {
            if let values, values.contains(where: { $0 < 1 }) { throw node.invalidValue(name, "must be positive, got \(values)") }
        }
        if let pads, pads.contains(where: { $0 < 0 }) { throw node.invalidValue("pads", "must not be negative, got \(pads)") }
    }

    /// The geometry for an input with spatial dims `input` and kernel dims `kernel`.
    public func resolve(input: [Int], kernel: [Int]) throws -> WindowGeometry {
        let rank = input.count
        let kernel = kernelShape ?? kernel
        guard kernel.count == rank else { throw KernelError("kernel has \(kernel.count) spatial dims, input has \(rank)") }
        let strides = self.strides ?? Array(repeating: 1, count: rank)
        let dilations = self.dilations ?? Array(repeating: 1, count: rank)
        guard strides.count == rank, dilations.count == rank else {
            throw KernelError("strides \(strides) or dilations \(dilations) do not match \(rank) spatial dims")
        }
        var begin = Array(repeating: 0, count: rank), end = Array(repeating: 0, count: rank)
        var output = Array(repeating: 0, count: rank)
        for axis in 0..<rank {
            let extent = (kernel[axis] - 1) * dilations[axis] + 1
            switch autoPad {
            case .sameUpper, .sameLower:
                let out = (input[axis] + strides[axis] - 1) / strides[axis]
                let total = max(0, (out - 1) * strides[axis] + extent - input[axis])
                begin[axis] = autoPad == .sameUpper ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
                output[axis] = out
            case .valid:
                output[axis] = max(0, (input[axis] - extent) / strides[axis] + 1)
            case .notSet:
                if let pads {
                    guard pads.count == 2 * rank else { throw KernelError("pads \(pads) should have \(2 * rank) entries") }
                    begin[axis] = pads[axis]
                    end[axis] = pads[axis + rank]
                }
                let span = input[axis] + begin[axis] + end[axis] - extent
                guard span >= 0 else { throw KernelError("kernel extent \(extent) exceeds padded input \(input[axis] + begin[axis] + end[axis]) on spatial axis \(axis)") }
                if ceilMode {
                    var out = (span + strides[axis] - 1) / strides[axis] + 1
                    // The last window must start inside the input or the leading padding.
                    if (out - 1) * strides[axis] >= input[axis] + begin[axis] { out -= 1 }
                    output[axis] = out
                } else {
                    output[axis] = span / strides[axis] + 1
                }
            }
        }
        return WindowGeometry(input: input, kernel: kernel, strides: strides, dilations: dilations,
                              padBegin: begin, padEnd: end, output: output)
    }
}

/// A resolved sliding window: everything a kernel loop needs.
public struct WindowGeometry: Sendable {
    public let input: [Int]
    public let kernel: [Int]
    public let strides: [Int]
    public let dilations: [Int]
    public let padBegin: [Int]
    public let padEnd: [Int]
    public let output: [Int]

    public init(input: [Int], kernel: [Int], strides: [Int], dilations: [Int], padBegin: [Int], padEnd: [Int], output: [Int]) {
        self.input = input
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.padBegin = padBegin
        self.padEnd = padEnd
        self.output = output
    }

    /// The same geometry as 2-D (1-D windows become 1×W).
    public var as2D: WindowGeometry? {
        switch input.count {
        case 2: return self
        case 1: return WindowGeometry(input: [1] + input, kernel: [1] + kernel, strides: [1] + strides,
                                      dilations: [1] + dilations, padBegin: [0] + padBegin, padEnd: [0] + padEnd,
                                      output: [1] + output)
        default: return nil
        }
    }
}

/// Runs `body` on a float32 view of `x`, converting float16/float64/bfloat16 on the way in and
/// the results back to `x`'s type on the way out.
func computingInFloat32(_ inputs: [Tensor?], _ body: ([Tensor?]) throws -> [Tensor]) throws -> [Tensor] {
    guard let first = inputs.first ?? nil, first.dataType != .float32, first.dataType.isFloatingPoint else {
        return try body(inputs)
    }
    let original = first.dataType
    let converted = try inputs.map { try $0.map { $0.dataType == original ? try Cast.convert($0, to: .float32) : $0 } }
    return try body(converted).map { $0.dataType == .float32 ? try Cast.convert($0, to: original) : $0 }
}
