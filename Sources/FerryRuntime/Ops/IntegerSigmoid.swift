import CFerryKernels
import Foundation
import FerryIR

/// IntegerSigmoid and IntegerTanh (`ai.ferry`): TFLite's int16 LOGISTIC and TANH (input zero
/// point 0, output 1/32768 with zero point 0), as its Prepare sets them up: a power-of-two
/// input scale of 2⁻¹² (LOGISTIC; 2⁻¹² or 2⁻¹¹ for TANH) is used as it is, any other scale is
/// rescaled by a 16-bit multiplier and left shift to 1/(3·4096); the result is read from the
/// interpolated table of sigmoid(i/24).
struct Int16TableActivation: Sendable {
    let multiplier: Int32
    let leftShift: Int32

    init(_ node: NodeContext, tanh: Bool) throws {
        let x = try IntegerTensorParams(node, "x")
        guard x.zeroPoint == 0 else { throw node.invalid("x_zero_point", "int16 LOGISTIC/TANH need zero point 0") }
        // TFLite's CheckedLog2, in float.
        let log2 = Float(Foundation.log(x.scale)) * (1 / Float(Foundation.log(Float(2))))
        let rounded = log2.rounded(.toNearestOrAwayFromZero)
        var shift = Int32(15 - 3) + Int32(rounded)
        let pot = abs(log2 - rounded) < 1e-3 && (shift == 0 || (tanh && shift == 1))
        var m: Int32 = 0
        if !pot {
            var multiplier = Double(x.scale) * 4096.0 * 3.0
            shift = 0
            while multiplier <= 32767.0 / 2.0 && shift <= 30 {
                shift += 1
                multiplier *= 2
            }
            m = Int32(multiplier)
        }
        multiplier = m
        leftShift = shift
    }
}

struct IntegerSigmoid: Operator {
    static let opType = "IntegerSigmoid"
    static let domain = "ai.ferry"
    let table: Int16TableActivation
    init(_ node: NodeContext) throws { table = try Int16TableActivation(node, tanh: false) }
    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        try runInt16(inputs) { ferry_logistic_s16($0, $1, $2, table.multiplier, table.leftShift) }
    }
}

/// Applies an int16 → int16 elementwise C kernel.
func runInt16(_ inputs: [Tensor?], _ kernel: (UnsafePointer<Int16>, UnsafeMutablePointer<Int16>, Int) -> Void) throws -> [Tensor] {
    let x = try inputs.required(0)
    guard x.dataType == .int16 else { throw KernelError("expects an int16 input, got \(x.dataType)") }
    let out = Tensor(dataType: .int16, shape: x.shape, zeroed: false)
    kernel(UnsafePointer(x.storage.bytes.assumingMemoryBound(to: Int16.self)), out.storage.bytes.assumingMemoryBound(to: Int16.self), x.count)
    return [out]
}
