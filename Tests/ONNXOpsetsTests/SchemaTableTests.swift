import ONNXOpsets
import Testing

/// The generated schema table answers what ONNX's own schemas say (spot checks against the
/// onnx 1.23 operator changelog) and the ONNX Runtime release table maps versions as documented.
@Suite struct SchemaTableTests {
    @Test func sinceVersionsFollowTheChangelog() {
        #expect(ONNXSchemas.schema(domain: "", opType: "Softmax", opset: 12)?.sinceVersion == 11)
        #expect(ONNXSchemas.schema(domain: "", opType: "Softmax", opset: 21)?.sinceVersion == 13)
        #expect(ONNXSchemas.schema(domain: "", opType: "ReduceMean", opset: 18)?.sinceVersion == 18)
        #expect(ONNXSchemas.schema(domain: "", opType: "LayerNormalization", opset: 16) == nil)
        #expect(ONNXSchemas.schema(domain: "", opType: "Upsample", opset: 11)?.deprecated == true)
        #expect(ONNXSchemas.schema(domain: "ai.onnx", opType: "Conv", opset: 17)?.sinceVersion == 11)
    }

    @Test func kernelTypeStringsGroupArgumentsAsOnnxRuntimeDoes() throws {
        // MaxPool-12: T binds X and Y; I binds the optional Indices output.
        let maxPool = try #require(ONNXSchemas.schema(domain: "", opType: "MaxPool", opset: 12))
        let groups = Dictionary(uniqueKeysWithValues: maxPool.kernelTypeStrings.map { ($0.name, $0.arguments.map { "\($0.isOutput ? "o" : "i")\($0.index)" }) })
        #expect(groups == ["T": ["i0", "o0"], "I": ["o1"]])
        // QuantizeLinear-13's scale has a literal type, so its key is the parameter name.
        let quantize = try #require(ONNXSchemas.schema(domain: "", opType: "QuantizeLinear", opset: 13))
        #expect(Set(quantize.kernelTypeStrings.map(\.name)) == ["T1", "T2", "y_scale"])
    }

    @Test func onnxRuntimeReleasesMapToOpsets() {
        #expect(ONNXRuntimeVersions.opset(for: "1.17") == 20)
        #expect(ONNXRuntimeVersions.opset(for: "1.19.2") == 21)
        #expect(ONNXRuntimeVersions.opset(for: "1.26") == 23)
        #expect(ONNXRuntimeVersions.opset(for: "1.32.0") == 28)
        #expect(ONNXRuntimeVersions.opset(for: "2.0") == 28)
        #expect(ONNXRuntimeVersions.opset(for: "0.5") == nil)
        #expect(ONNXRuntimeVersions.opset(for: "latest") == nil)
    }
}
