extension TFLiteReader {
    /// Parses the options table of union type `type`.
    static func readOptions(type: UInt8, table t: FlatBufferTable?) throws -> TFLiteOptions {
        guard type != 0 else { return .none }
        if let kind = TFLiteOptions.EmptyKind(rawValue: type) { return .empty(kind) }
        // A known union type whose table is absent reads as all defaults, as TFLite does.
        func int(_ slot: Int, _ defaultValue: Int32 = 0) throws -> Int32 { try t?.scalar(slot, default: defaultValue) ?? defaultValue }
        func bool(_ slot: Int, _ defaultValue: Bool = false) throws -> Bool { try t?.bool(slot, default: defaultValue) ?? defaultValue }
        func float(_ slot: Int) throws -> Float { try t?.float(slot, default: 0) ?? 0 }
        func ints(_ slot: Int) throws -> [Int32] { try t?.scalars(slot, as: Int32.self) ?? [] }
        func padding(_ slot: Int) throws -> TFLitePadding {
            let raw: Int8 = try t?.scalar(slot, default: 0) ?? 0
            guard let value = TFLitePadding(rawValue: raw) else { throw TFLiteReadError.invalid(field: "padding", message: "unknown padding \(raw)") }
            return value
        }
        func activation(_ slot: Int) throws -> TFLiteActivation {
            let raw: Int8 = try t?.scalar(slot, default: 0) ?? 0
            guard let value = TFLiteActivation(rawValue: raw) else {
                throw TFLiteReadError.invalid(field: "fused_activation_function", message: "unknown activation \(raw)")
            }
            return value
        }
        func tensorType(_ slot: Int) throws -> TFLiteTensorType {
            let raw: Int8 = try t?.scalar(slot, default: 0) ?? 0
            guard let value = TFLiteTensorType(rawValue: raw) else { throw TFLiteReadError.invalid(field: "type", message: "unknown tensor type \(raw)") }
            return value
        }
        switch type {
        case 1:
            return .conv2D(.init(padding: try padding(0), strideW: try int(1), strideH: try int(2), activation: try activation(3),
                                 dilationW: try int(4, 1), dilationH: try int(5, 1)))
        case 2:
            return .depthwiseConv2D(.init(padding: try padding(0), strideW: try int(1), strideH: try int(2),
                                          depthMultiplier: try int(3), activation: try activation(4),
                                          dilationW: try int(5, 1), dilationH: try int(6, 1)))
        case 5:
            return .pool2D(.init(padding: try padding(0), strideW: try int(1), strideH: try int(2),
                                 filterW: try int(3), filterH: try int(4), activation: try activation(5)))
        case 8: return .fullyConnected(.init(activation: try activation(0), keepNumDims: try bool(2)))
        case 9: return .softmax(beta: try float(0))
        case 10: return .concatenation(axis: try int(0), activation: try activation(1))
        case 11: return .add(activation: try activation(0), potScaleInt16: try bool(1, true))
        case 15: return .resizeBilinear(alignCorners: try bool(2), halfPixelCenters: try bool(3))
        case 17: return .reshape(newShape: try ints(0))
        case 19: return .spaceToDepth(blockSize: try int(0))
        case 21: return .mul(activation: try activation(0))
        case 23: return .gather(axis: try int(0), batchDims: try int(1))
        case 27: return .reducer(keepDims: try bool(0))
        case 28: return .sub(activation: try activation(0), potScaleInt16: try bool(1, true))
        case 29: return .div(activation: try activation(0))
        case 30: return .squeeze(dims: try ints(0))
        case 32:
            return .stridedSlice(.init(beginMask: try int(0), endMask: try int(1), ellipsisMask: try int(2),
                                       newAxisMask: try int(3), shrinkAxisMask: try int(4), offset: try bool(5)))
        case 35: return .split(numSplits: try int(0))
        case 37: return .cast(input: try tensorType(0), output: try tensorType(1))
        case 40: return .argMax(outputType: try tensorType(0))
        case 49:
            return .transposeConv(.init(padding: try padding(0), strideW: try int(1), strideH: try int(2), activation: try activation(3)))
        case 57: return .argMin(outputType: try tensorType(0))
        case 74: return .resizeNearestNeighbor(alignCorners: try bool(0), halfPixelCenters: try bool(1))
        case 75: return .leakyRelu(alpha: try float(0))
        case 77:
            let mode: Int8 = try t?.scalar(0, default: 0) ?? 0
            guard mode == 0 || mode == 1 else { throw TFLiteReadError.invalid(field: "mode", message: "unknown mirror pad mode \(mode)") }
            return .mirrorPad(symmetric: mode == 1)
        case 79: return .splitV(numSplits: try int(0))
        case 94: return .depthToSpace(blockSize: try int(0))
        case 101: return .batchMatMul(adjointX: try bool(0), adjointY: try bool(1))
        case 71: return .unidirectionalSequenceLSTM(.init(activation: try activation(0), cellClip: try float(1), projectionClip: try float(2),
                                                          timeMajor: try bool(3), asymmetricQuantizeInputs: try bool(4)))
        case 116: return .gelu(approximate: try bool(0))
        default: return .unsupported(type: type)
        }
    }
}
