import FerryIR
import Foundation
import TensorIO
import Testing
import ZIPFoundation

@Suite struct SampleSetTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-sampleset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func float(_ name: String, _ dims: [Dim]) -> ValueInfo {
        ValueInfo(name: name, type: ValueType(dataType: .float32, shape: dims))
    }

    func ramp(_ shape: [Int], from start: Float = 0) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { start + Float($0) })
    }

    @discardableResult
    func npy(_ name: String, _ tensor: Tensor) throws -> String {
        let url = folder.appendingPathComponent(name)
        try NPY.encode(tensor).write(to: url)
        return url.path
    }

    func npz(_ name: String, _ arrays: [(String, Tensor)], compressed: Bool = false) throws -> String {
        try npz(name, arrays.map { ($0.0, try NPY.encode($0.1)) }, compressed: compressed)
    }

    func npz(_ name: String, _ members: [(String, Data)], compressed: Bool = false) throws -> String {
        let url = folder.appendingPathComponent(name)
        let archive = try Archive(url: url, accessMode: .create)
        for (key, data) in members {
            try archive.addEntry(with: key + ".npy", type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return url.path
    }

    /// Members read in 1 MiB chunks straight into their tensors, stored or deflated; a member
    /// whose data does not match its header is refused by name.
    @Test func largeMembersStreamIntoTheirTensors() throws {
        let big = ramp([3, 300_000])
        for compressed in [false, true] {
            let path = try npz("big-\(compressed).npz", [("x", big)], compressed: compressed)
            let arrays = try NPZ.read(path: path)
            #expect(arrays.count == 1 && arrays[0].name == "x" && arrays[0].tensor.shape == [3, 300_000])
            #expect(arrays[0].tensor.elements(as: Float.self) == big.elements(as: Float.self))
        }
        let flags = try npz("flags.npz", [("b", Tensor(shape: [3], values: [Bool](arrayLiteral: true, false, true)))])
        #expect(try NPZ.read(path: flags)[0].tensor.elements(as: Bool.self) == [true, false, true])
        let encoded = try NPY.encode(big)
        for (name, data) in [("short", encoded.dropLast(4)), ("long", encoded + Data(count: 4)), ("headless", Data([0x93, 0x4E]))] {
            let path = try npz("\(name).npz", [("x", Data(data))])
            do {
                _ = try NPZ.read(path: path)
                Issue.record("the \(name) member was read")
            } catch {
                #expect(error is NPY.Failure && "\(error)".contains("\(path):x.npy"), "\(error)")
            }
        }
    }

    /// Loads `specs` directly and from files read ahead (`SampleFiles.prefetch`, as `ferry
    /// convert` does while the model loads); both must give the same samples.
    func load(_ specs: [String], _ inputs: [ValueInfo]) throws -> SampleSet {
        let direct = try SampleSet.load(specs: specs, inputs: inputs)
        let prefetched = try SampleSet.load(specs: specs, inputs: inputs, files: SampleFiles.prefetch(specs: specs))
        #expect(direct.samples.map { $0.mapValues(\.shape) } == prefetched.samples.map { $0.mapValues(\.shape) })
        #expect(direct.samples.map { $0.mapValues { $0.elements(as: Float.self) } } == prefetched.samples.map { $0.mapValues { $0.elements(as: Float.self) } })
        return direct
    }

    @Test func stackedArraySplitsOnANewFirstAxis() throws {
        let set = try SampleSet.load(specs: [try npy("x.npy", ramp([3, 1, 4]))], inputs: [float("x", [.fixed(1), .fixed(4)])])
        #expect(set.count == 3)
        #expect(set.samples[2]["x"]!.shape == [1, 4])
        #expect(set.samples[2]["x"]!.elements(as: Float.self) == [8, 9, 10, 11])
    }

    @Test func alignedSamplesShareTheArraysMemory() throws {
        // Rows of 16 floats start 64 bytes apart: views of the array read from the file.
        let set = try SampleSet.load(specs: [try npy("x.npy", ramp([3, 16]))], inputs: [float("x", [.fixed(16)])])
        #expect(set.count == 3)
        #expect(set.samples[1]["x"]!.storage.bytes == set.samples[0]["x"]!.storage.bytes + 64)
        #expect(set.samples[2]["x"]!.elements(as: Float.self) == (32..<48).map(Float.init))
    }

    @Test func arrayOfTheInputsShapeIsOneSample() throws {
        let set = try SampleSet.load(specs: [try npy("x.npy", ramp([1, 4]))], inputs: [float("x", [.fixed(1), .fixed(4)])])
        #expect(set.count == 1 && set.samples[0]["x"]!.shape == [1, 4])
        // With a symbolic batch the whole array is one sample.
        let batch = try SampleSet.load(specs: [try npy("b.npy", ramp([5, 4]))], inputs: [float("x", [.symbol("n"), .fixed(4)])])
        #expect(batch.count == 1 && batch.samples[0]["x"]!.shape == [5, 4])
    }

    @Test func rowsOfAFixedBatchAreSamples() throws {
        let set = try SampleSet.load(specs: [try npy("x.npy", ramp([6, 4]))], inputs: [float("x", [.fixed(2), .fixed(4)])])
        #expect(set.count == 3)
        #expect(set.samples[1]["x"]!.shape == [2, 4])
        #expect(set.samples[1]["x"]!.elements(as: Float.self).first == 8)
    }

    @Test func fixtureArchiveIgnoresLabels() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/digits_cnn/eval.npz").path
        let set = try SampleSet.load(specs: [path], inputs: [float("input", [1, 1, 8, 8].map { .fixed($0) })])
        #expect(set.count == 360)
        #expect(set.samples[359]["input"]!.shape == [1, 1, 8, 8])
        #expect(set.prefix(32).count == 32)
    }

    @Test func multiInputArchiveAndNamedFiles() throws {
        let inputs = [float("a", [.fixed(2)]), float("b", [.fixed(3)])]
        let archive = try npz("data.npz", [("b", ramp([4, 3], from: 100)), ("a", ramp([4, 2])), ("labels", ramp([4]))])
        let set = try load([archive], inputs)
        #expect(set.count == 4)
        #expect(set.samples[3]["a"]!.elements(as: Float.self) == [6, 7])
        #expect(set.samples[3]["b"]!.elements(as: Float.self) == [109, 110, 111])
        let named = try load(["a=\(try npy("a.npy", ramp([2, 2])))", "b=\(try npy("b.npy", ramp([2, 3])))"], inputs)
        #expect(named.count == 2 && named.samples[1]["b"]!.elements(as: Float.self) == [3, 4, 5])
    }

    @Test func folderIsReadInByteOrder() throws {
        let sub = folder.appendingPathComponent("set")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        for (name, value) in [("b.npy", 2), ("a.npy", 1), ("10.npy", 0), ("B.npy", 3)] {
            try NPY.encode(Tensor(shape: [1], values: [Float(value)])).write(to: sub.appendingPathComponent(name))
        }
        try Data("notes".utf8).write(to: sub.appendingPathComponent("README.txt"))
        let set = try load([sub.path], [float("x", [.fixed(1)])])
        #expect(set.samples.map { $0["x"]!.elements(as: Float.self)[0] } == [0, 3, 1, 2])   // "10", "B", "a", "b"
    }

    /// The error loading `specs`, the same whether or not the files were read ahead.
    func error(_ specs: [String], _ inputs: [ValueInfo]) -> String {
        func attempt(_ files: SampleFiles) -> String {
            do {
                _ = try SampleSet.load(specs: specs, inputs: inputs, files: files)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let direct = attempt(SampleFiles())
        #expect(attempt(SampleFiles.prefetch(specs: specs)) == direct)
        return direct
    }

    @Test func errorsNameTheFileAndInput() throws {
        let x = [float("x", [.fixed(1), .fixed(4)])]
        let ints = try npy("ints.npy", Tensor(shape: [1, 4], values: [Int32](arrayLiteral: 1, 2, 3, 4)))
        #expect(error([ints], x) == "\(ints): input 'x' should be float32, got int32")
        let wrong = try npy("wrong.npy", ramp([2, 3]))
        #expect(error([wrong], x).hasPrefix("\(wrong): input 'x' should have shape [1,4]"))
        #expect(error([wrong], x).hasSuffix("got [2,3]"))
        #expect(error(["/nonexistent/d.npz"], x) == "data file /nonexistent/d.npz does not exist")
        let two = [float("a", [.fixed(2)]), float("b", [.fixed(3)])]
        #expect(error([try npy("one.npy", ramp([2]))], two).contains("a .npy holds one array but the model has 2 inputs"))
        let onlyA = try npz("only-a.npz", [("a", ramp([2])), ("labels", ramp([1]))])
        #expect(error([onlyA], two) == "\(onlyA): no array for input 'b' (it has 'a', 'labels')")
        #expect(error(["a=\(try npy("a2.npy", ramp([2, 2])))"], two).contains("no data for input 'b'"))
        #expect(error(["a=\(try npy("a3.npy", ramp([2, 2])))", "b=\(try npy("b3.npy", ramp([3, 3])))"], two)
            .contains("different sample counts ('a': 2, 'b': 3)"))
        #expect(error(["z=\(wrong)"], x).contains("no input 'z'"))
        let text = folder.appendingPathComponent("x.txt").path
        try Data().write(to: URL(fileURLWithPath: text))
        #expect(error([text], x).contains("expected a .npy, a .npz or a folder"))
        #expect(error([], x) == "no sample data given")
    }
}
