import FerryIR

extension IRBuilder {
    /// constexpr_lut_to_dense and constexpr_sparse_to_dense are constants on the device: the
    /// reader expands them once, so the reference core runs the palettized or sparse numbers.
    func readCompressedWeight(_ r: MILOperationReader) throws {
        let op = r.operation
        let output = op.outputs[0]
        func attribute(_ name: String) throws -> Tensor {
            guard let tensor = op.attribute(name)?.tensor else { throw r.fail("the '\(name)' attribute is missing") }
            return tensor
        }
        let dense: Tensor
        do {
            if op.type == "constexpr_lut_to_dense" {
                dense = try WeightDecompression.lutToDense(lut: try attribute("lut"), indices: try attribute("indices"), shape: try attribute("shape"))
            } else {
                dense = try WeightDecompression.sparseToDense(nonzero: try attribute("nonzero_data"), mask: try attribute("mask"),
                                                              shape: try attribute("shape"))
            }
        } catch let error as DecompressionError {
            throw r.fail(error.reason)
        }
        guard MILDataType(dense.dataType) == output.type.dataType, dense.shape.map({ Optional($0) }) == output.type.shape else {
            throw r.fail("expands to \(dense.dataType) \(dense.shape), declared as \(output.type.dataType) \(output.type.shape.map { $0 ?? -1 })")
        }
        constants[output.name] = .tensor(dense)
        types[output.name] = output.type
    }
}
