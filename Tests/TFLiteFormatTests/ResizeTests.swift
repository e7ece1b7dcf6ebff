import FerryIR
import FerryRuntime
import TFLiteFormat
import XCTest

/// Resize → RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR with the attributes and opset defaults
/// the writers share (`ResizeAttributes`): the written model read back and run against the source.
final class ResizeTests: XCTestCase {
    /// A Resize of a 1×2×4×5 input by constant scales [1, 1, 2, 2] (input 1 in opset 10, 2 from 11).
    private func resize(_ attributes: [String: Attribute], opset: Int) -> Model {
        let scales = Tensor(shape: [4], values: [Float](arrayLiteral: 1, 1, 2, 2))
        let inputs = opset < 11 ? ["x", "scales"] : ["x", "", "scales"]
        let graph = Graph(name: "resize", nodes: [Node(name: "up", opType: "Resize", inputs: inputs, outputs: ["y"], attributes: attributes)],
                          inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, dims: [1, 2, 4, 5]))],
                          outputs: [ValueInfo(name: "y", type: nil)], initializers: ["scales": scales])
        return Model(graph: graph, opsets: ["": opset])
    }

    private func assertReadBackMatches(_ model: Model, file: StaticString = #filePath, line: UInt = #line) throws {
        let imported = try TFLiteImporter.importModel(bytes: try TFLiteExporter.export(model))
        let x = Tensor(shape: [1, 2, 4, 5], values: (0..<40).map { Float(sin(Double($0) * 0.7)) })
        let expected = try InferenceSession(model: model).run(["x": x])[0]
        let actual = try InferenceSession(model: imported).run(["x": x])[0]
        XCTAssertEqual(actual.shape, expected.shape, file: file, line: line)
        for (a, e) in zip(actual.elements(as: Float.self), expected.elements(as: Float.self)) {
            XCTAssertEqual(a, e, accuracy: 1e-5, file: file, line: line)
        }
    }

    /// Opset 10's Resize has no coordinate_transformation_mode: it samples asymmetric, not
    /// opset 11's half_pixel default.
    func testOpsetTenLinearSamplesAsymmetric() throws {
        try assertReadBackMatches(resize(["mode": .string("linear")], opset: 10))
    }

    func testHalfPixelLinearAndAntialiasedUpsampling() throws {
        try assertReadBackMatches(resize(["mode": .string("linear")], opset: 13))
        // Antialiasing only changes downscaling.
        try assertReadBackMatches(resize(["mode": .string("linear"), "antialias": .int(1)], opset: 18))
    }

    func testKeepAspectRatioPolicyIsRefusedNamingIt() {
        XCTAssertThrowsError(try TFLiteExporter.export(resize(["keep_aspect_ratio_policy": .string("not_larger")], opset: 18))) { error in
            XCTAssertTrue("\(error)".contains("keep_aspect_ratio_policy"), "\(error)")
        }
    }
}
