import FerryIR

/// Where: picks from x where the condition holds and from y elsewhere, all three broadcast.
struct Where: Operator {
    static let opType = "Where"

    init(_ node: NodeContext) throws {}

    func run(_ inputs: [Tensor?], _ context: ExecutionContext) throws -> [Tensor] {
        let condition = try inputs.required(0), x = try inputs.required(1), y = try inputs.required(2)
        guard condition.dataType == .bool else { throw KernelError("condition must be bool, got \(condition.dataType)") }
        guard x.dataType == y.dataType else { throw KernelError("x and y have different element types (\(x.dataType), \(y.dataType))") }
        let shape = try Broadcast.checkedShape([condition.shape, x.shape, y.shape])
        let out = Tensor(dataType: x.dataType, shape: shape)
        if out.count == 0 { return [out] }
        let walk = BroadcastWalk(inputs: [condition.shape, x.shape, y.shape], outShape: shape)
        let length = walk.rowLength
        let sc = walk.rowStride(0), sx = walk.rowStride(1), sy = walk.rowStride(2)
        if x.dataType == .string {
            let c = condition.elements(as: Bool.self), xs = x.storage.strings, ys = y.storage.strings
            for row in 0..<walk.rowCount {
                let oc = walk.offset(row: row, input: 0), ox = walk.offset(row: row, input: 1), oy = walk.offset(row: row, input: 2)
                for j in 0..<length { out.storage.strings[row * length + j] = c[oc + j * sc] ? xs[ox + j * sx] : ys[oy + j * sy] }
            }
            return [out]
        }
        let size = x.dataType.byteSize
        let pc = condition.storage.bytes.assumingMemoryBound(to: Bool.self)
        let px = UnsafeRawPointer(x.storage.bytes), py = UnsafeRawPointer(y.storage.bytes), po = out.storage.bytes
        context.parallelFor(walk.rowCount) { rows in
            for row in rows {
                let oc = walk.offset(row: row, input: 0), ox = walk.offset(row: row, input: 1), oy = walk.offset(row: row, input: 2)
                for j in 0..<length {
                    let source = pc[oc + j * sc] ? px + (ox + j * sx) * size : py + (oy + j * sy) * size
                    (po + (row * length + j) * size).copyMemory(from: source, byteCount: size)
                }
            }
        }
        return [out]
    }
}
