/// The tensor arena a TFLite Micro interpreter needs for a model, from Ferry's own plan.
///
/// TFLM splits its arena in two: the head holds every non-constant tensor (inputs, outputs,
/// activations) and kernel scratch buffers, placed by a greedy planner that reuses memory
/// between values whose lifetimes do not overlap; the tail holds what lives as long as the
/// interpreter (per-tensor and per-node structs, each kernel's op data such as per-channel
/// multipliers). Ferry places the head the way TFLM's GreedyMemoryPlanner does (largest
/// buffer first, at the lowest offset free over its lifetime, 16-byte aligned) and bounds the
/// tail from the structures' sizes; the sum is rounded up to a kilobyte.
public struct TFLMArena: Sendable, Equatable {
    /// Bytes of the planned activations and scratch buffers.
    public var head: Int
    /// Bytes of the persistent structures (an upper bound).
    public var tail: Int
    /// What to pass as the arena size.
    public var total: Int { ((head + tail + 1023) / 1024) * 1024 }

    static let alignment = 16

    static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

    public static func plan(_ model: TFLiteModel) -> TFLMArena {
        guard let subgraph = model.subgraphs.first else { return TFLMArena(head: 0, tail: 0) }
        let head = planHead(model, subgraph)
        return TFLMArena(head: head, tail: estimateTail(model, subgraph))
    }

    struct Buffer {
        var size: Int
        var first: Int
        var last: Int
    }

    static func bytes(_ tensor: TFLiteTensor) -> Int {
        let count = tensor.shape.reduce(1) { $0 * Int($1) }
        return count * (tensor.type.dataType?.byteSize ?? 4)
    }

    /// Lifetimes of the non-constant tensors (by operator index) and the kernels' scratch
    /// buffers, placed greedily.
    static func planHead(_ model: TFLiteModel, _ subgraph: TFLiteSubgraph) -> Int {
        func isConstant(_ index: Int32) -> Bool {
            let buffer = Int(subgraph.tensors[Int(index)].buffer)
            return buffer > 0 && buffer < model.buffers.count && !model.buffers[buffer].data.isEmpty
        }
        let lastOp = max(subgraph.operators.count - 1, 0)
        var first: [Int32: Int] = [:], last: [Int32: Int] = [:]
        for input in subgraph.inputs { first[input] = 0; last[input] = 0 }
        for (index, op) in subgraph.operators.enumerated() {
            for tensor in op.outputs where tensor >= 0 && !isConstant(tensor) {
                if first[tensor] == nil { first[tensor] = index }
                last[tensor] = max(last[tensor] ?? index, index)
            }
            for tensor in op.inputs where tensor >= 0 && !isConstant(tensor) {
                if first[tensor] == nil { first[tensor] = index }
                last[tensor] = index
            }
        }
        for output in subgraph.outputs { last[output] = lastOp }
        var buffers = first.keys.sorted().map { tensor in
            Buffer(size: aligned(bytes(subgraph.tensors[Int(tensor)])), first: first[tensor]!, last: last[tensor]!)
        }
        // Scratch buffers live for their operator only.
        for (index, op) in subgraph.operators.enumerated() {
            let scratch = scratchBytes(model, subgraph, op)
            if scratch > 0 { buffers.append(Buffer(size: aligned(scratch), first: index, last: index)) }
        }
        // Largest first (ties keep their order), each at the lowest offset free for its lifetime.
        let order = buffers.indices.sorted { (buffers[$0].size, -$0) > (buffers[$1].size, -$1) }
        var placed: [(offset: Int, buffer: Buffer)] = []
        var end = 0
        for index in order {
            let buffer = buffers[index]
            let live = placed.filter { $0.buffer.first <= buffer.last && buffer.first <= $0.buffer.last }.sorted { $0.offset < $1.offset }
            var offset = 0
            for other in live {
                if offset + buffer.size <= other.offset { break }
                offset = max(offset, other.offset + other.buffer.size)
            }
            placed.append((offset, buffer))
            end = max(end, offset + buffer.size)
        }
        return end
    }

    /// Scratch memory a TFLM kernel asks for while it runs.
    static func scratchBytes(_ model: TFLiteModel, _ subgraph: TFLiteSubgraph, _ op: TFLiteOperator) -> Int {
        let code = model.operatorCodes[Int(op.opcodeIndex)].builtin
        guard let output = op.outputs.first, output >= 0 else { return 0 }
        let outputCount = subgraph.tensors[Int(output)].shape.reduce(1) { $0 * Int($1) }
        switch code {
        case .mean, .sum, .reduceMax:
            // An int32 accumulator per output plus the resolved axes and index temporaries.
            return 4 * outputCount + 64
        default:
            return 0
        }
    }

    /// An upper bound of TFLM's persistent allocations: 24-byte TfLiteEvalTensor per tensor, a
    /// 64-byte NodeAndRegistration per operator, 64-byte TfLiteTensor (and quantization data)
    /// for each graph input and output, and each kernel's op data: 128 bytes, plus a 32-bit
    /// multiplier and shift per output channel for convolutions and fully connected layers and
    /// the exp look-up tables of int8 softmax; 2 KiB for the interpreter and graph.
    static func estimateTail(_ model: TFLiteModel, _ subgraph: TFLiteSubgraph) -> Int {
        var bytes = 2048
        bytes += aligned(24 * subgraph.tensors.count)
        bytes += aligned(64 * subgraph.operators.count)
        bytes += (subgraph.inputs.count + subgraph.outputs.count) * (64 + 32 + 16)
        for op in subgraph.operators {
            let code = model.operatorCodes[Int(op.opcodeIndex)].builtin
            bytes += 128
            switch code {
            case .conv2D, .depthwiseConv2D, .fullyConnected, .transposeConv:
                if op.outputs.first.map({ $0 >= 0 }) == true {
                    let output = subgraph.tensors[Int(op.outputs[0])]
                    let channels = Int(output.shape.last ?? 1)
                    bytes += 2 * aligned(4 * channels)
                }
            case .softmax, .logSoftmax:
                bytes += 2 * 1026 + 32
            case .logistic, .tanh:
                bytes += 1024
            default:
                break
            }
        }
        return bytes
    }
}
