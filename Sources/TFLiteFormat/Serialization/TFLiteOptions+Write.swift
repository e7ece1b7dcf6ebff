extension TFLiteWriter {
    /// The written options table of operator `index`, nil for `.none`.
    static func writeOptions(_ options: TFLiteOptions, operator index: Int, into b: inout FlatBufferBuilder) throws -> FlatBufferBuilder.Offset? {
        func table(_ fields: Int, _ body: (inout FlatBufferBuilder) -> Void) -> FlatBufferBuilder.Offset {
            b.startTable(fieldCount: fields)
            body(&b)
            return b.endTable()
        }
        switch options {
        case .none:
            return nil
        case .unsupported(let type):
            throw TFLiteWriteError.unsupportedOptions(operatorIndex: index, unionType: type)
        case .empty:
            return table(0) { _ in }
        case .conv2D(let o):
            return table(6) {
                $0.add(0, o.padding.rawValue, default: 0)
                $0.add(1, o.strideW, default: 0)
                $0.add(2, o.strideH, default: 0)
                $0.add(3, o.activation.rawValue, default: 0)
                $0.add(4, o.dilationW, default: 1)
                $0.add(5, o.dilationH, default: 1)
            }
        case .depthwiseConv2D(let o):
            return table(7) {
                $0.add(0, o.padding.rawValue, default: 0)
                $0.add(1, o.strideW, default: 0)
                $0.add(2, o.strideH, default: 0)
                $0.add(3, o.depthMultiplier, default: 0)
                $0.add(4, o.activation.rawValue, default: 0)
                $0.add(5, o.dilationW, default: 1)
                $0.add(6, o.dilationH, default: 1)
            }
        case .pool2D(let o):
            return table(6) {
                $0.add(0, o.padding.rawValue, default: 0)
                $0.add(1, o.strideW, default: 0)
                $0.add(2, o.strideH, default: 0)
                $0.add(3, o.filterW, default: 0)
                $0.add(4, o.filterH, default: 0)
                $0.add(5, o.activation.rawValue, default: 0)
            }
        case .fullyConnected(let o):
            return table(3) {
                $0.add(0, o.activation.rawValue, default: 0)
                $0.add(2, o.keepNumDims, default: false)
            }
        case .softmax(let beta):
            return table(1) { $0.add(0, beta, default: 0) }
        case .concatenation(let axis, let activation):
            return table(2) {
                $0.add(0, axis, default: 0)
                $0.add(1, activation.rawValue, default: 0)
            }
        case .add(let activation, let potScaleInt16), .sub(let activation, let potScaleInt16):
            return table(2) {
                $0.add(0, activation.rawValue, default: 0)
                $0.add(1, potScaleInt16, default: true)
            }
        case .mul(let activation), .div(let activation):
            return table(1) { $0.add(0, activation.rawValue, default: 0) }
        case .resizeBilinear(let alignCorners, let halfPixelCenters):
            return table(4) {
                $0.add(2, alignCorners, default: false)
                $0.add(3, halfPixelCenters, default: false)
            }
        case .resizeNearestNeighbor(let alignCorners, let halfPixelCenters):
            return table(2) {
                $0.add(0, alignCorners, default: false)
                $0.add(1, halfPixelCenters, default: false)
            }
        case .reshape(let newShape):
            let vector = b.createVector(newShape)
            return table(1) { $0.add(0, offset: vector) }
        case .gather(let axis, let batchDims):
            return table(2) {
                $0.add(0, axis, default: 0)
                $0.add(1, batchDims, default: 0)
            }
        case .reducer(let keepDims):
            return table(1) { $0.add(0, keepDims, default: false) }
        case .squeeze(let dims):
            let vector = b.createVector(dims)
            return table(1) { $0.add(0, offset: vector) }
        case .stridedSlice(let o):
            return table(6) {
                $0.add(0, o.beginMask, default: 0)
                $0.add(1, o.endMask, default: 0)
                $0.add(2, o.ellipsisMask, default: 0)
                $0.add(3, o.newAxisMask, default: 0)
                $0.add(4, o.shrinkAxisMask, default: 0)
                $0.add(5, o.offset, default: false)
            }
        case .split(let count), .splitV(let count):
            return table(1) { $0.add(0, count, default: 0) }
        case .cast(let input, let output):
            return table(2) {
                $0.add(0, input.rawValue, default: 0)
                $0.add(1, output.rawValue, default: 0)
            }
        case .argMax(let type), .argMin(let type):
            return table(1) { $0.add(0, type.rawValue, default: 0) }
        case .transposeConv(let o):
            return table(4) {
                $0.add(0, o.padding.rawValue, default: 0)
                $0.add(1, o.strideW, default: 0)
                $0.add(2, o.strideH, default: 0)
                $0.add(3, o.activation.rawValue, default: 0)
            }
        case .leakyRelu(let alpha):
            return table(1) { $0.add(0, alpha, default: 0) }
        case .mirrorPad(let symmetric):
            return table(1) { $0.add(0, Int8(symmetric ? 1 : 0), default: 0) }
        case .batchMatMul(let adjointX, let adjointY):
            return table(2) {
                $0.add(0, adjointX, default: false)
                $0.add(1, adjointY, default: false)
            }
        case .gelu(let approximate):
            return table(1) { $0.add(0, approximate, default: false) }
        case .spaceToDepth(let size), .depthToSpace(let size):
            return table(1) { $0.add(0, size, default: 0) }
        case .unidirectionalSequenceLSTM(let o):
            return table(5) {
                $0.add(0, o.activation.rawValue, default: 0)
                $0.add(1, o.cellClip, default: 0)
                $0.add(2, o.projectionClip, default: 0)
                $0.add(3, o.timeMajor, default: false)
                $0.add(4, o.asymmetricQuantizeInputs, default: false)
            }
        }
    }
}
