import FerryIR
import Foundation

/// Input samples for running a model many times: each sample feeds every graph input once.
///
/// `load(specs:inputs:)` reads the `--data` (and `--calibration`) forms the CLI accepts:
/// - `FILE.npz`: one array per graph input, named after it (other arrays, such as `labels`, are
///   ignored; a single-input model also accepts an archive holding exactly one array);
/// - `FILE.npy`: the one input of a single-input model;
/// - `FOLDER`: every `.npy`/`.npz` file in it, sorted by name, each read as above;
/// - `NAME=FILE` (FILE a `.npy`, `.npz` or folder of `.npy`): the samples of input NAME; give one
///   per input of a multi-input model, with equal sample counts.
///
/// An array holds one sample when its shape is the input's; a stack of samples when it has one
/// more axis than the input (axis 0 indexes the samples); and, when the input's first dimension
/// is a fixed size `d` (a batch of 1, say) and the array has the input's rank, `n·d` rows on that
/// axis are `n` samples of `d` rows (the fixtures' layout: `array[i:i+1]` is sample `i`).
/// Element types must match the input's exactly. Samples keep file and spec order.
public struct SampleSet: Sendable {
    /// Feeds by graph-input name, one dictionary per sample.
    public var samples: [[String: Tensor]]

    public init(samples: [[String: Tensor]]) {
        self.samples = samples
    }

    public var count: Int { samples.count }

    /// The first `limit` samples (all of them when there are fewer).
    public func prefix(_ limit: Int) -> SampleSet {
        SampleSet(samples: Array(samples.prefix(max(0, limit))))
    }

    /// Reads samples for a model whose runtime inputs are `inputs` (`Graph.runtimeInputs`).
    /// `files` holds arrays already read (`SampleFiles.prefetch`); other files are read here.
    public static func load(specs: [String], inputs: [ValueInfo], files: SampleFiles = SampleFiles()) throws -> SampleSet {
        guard !specs.isEmpty else { throw SampleSetError.noData }
        guard !inputs.isEmpty else { throw SampleSetError.modelHasNoInputs }
        var samples: [[String: Tensor]] = []
        var perInput: [String: (spec: String, tensors: [Tensor])] = [:]
        for spec in specs {
            if let (name, path) = namedSpec(spec) {
                guard let input = inputs.first(where: { $0.name == name }) else {
                    throw SampleSetError.unknownInput(spec: spec, name: name, inputs: inputs.map(\.name))
                }
                guard perInput[name] == nil else { throw SampleSetError.duplicateInput(spec: spec, name: name) }
                perInput[name] = (spec, try tensors(for: input, path: path, files: files))
            } else {
                samples += try wholeSamples(path: spec, inputs: inputs, files: files)
            }
        }
        if !perInput.isEmpty {
            for input in inputs where perInput[input.name] == nil {
                throw SampleSetError.missingInput(file: specs.joined(separator: " "), input: input.name)
            }
            let counts = inputs.map { perInput[$0.name]!.tensors.count }
            guard Set(counts).count == 1 else {
                throw SampleSetError.countMismatch(file: specs.joined(separator: " "),
                                                   counts: inputs.map { ($0.name, perInput[$0.name]!.tensors.count) })
            }
            for index in 0..<counts[0] {
                samples.append(Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, perInput[$0.name]!.tensors[index]) }))
            }
        }
        guard !samples.isEmpty else { throw SampleSetError.empty(specs: specs) }
        return SampleSet(samples: samples)
    }

    /// `NAME=FILE`, when the part before `=` is a plain name (not a path).
    static func namedSpec(_ spec: String) -> (String, String)? {
        guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex, !spec[..<equals].contains("/") else { return nil }
        return (String(spec[..<equals]), String(spec[spec.index(after: equals)...]))
    }

    /// Whole samples from a bare `.npz`, `.npy` or folder.
    static func wholeSamples(path: String, inputs: [ValueInfo], files: SampleFiles) throws -> [[String: Tensor]] {
        switch try FileKind(path: path) {
        case .folder(let paths):
            return try paths.flatMap { try wholeSamples(path: $0, inputs: inputs, files: files) }
        case .npy:
            guard inputs.count == 1 else { throw SampleSetError.npyNeedsOneInput(file: path, inputs: inputs.map(\.name)) }
            return try split(files.npy(path), for: inputs[0], file: path).map { [inputs[0].name: $0] }
        case .npz:
            let arrays = try files.npz(path)
            var columns: [[Tensor]] = []
            for input in inputs {
                let array = try pick(arrays, for: input, file: path, alone: inputs.count == 1)
                columns.append(try split(array, for: input, file: "\(path):\(input.name)"))
            }
            guard Set(columns.map(\.count)).count == 1 else {
                throw SampleSetError.countMismatch(file: path, counts: zip(inputs, columns).map { ($0.name, $1.count) })
            }
            return (0..<columns[0].count).map { index in
                Dictionary(uniqueKeysWithValues: zip(inputs, columns).map { ($0.name, $1[index]) })
            }
        }
    }

    /// The samples of one input from the FILE of `NAME=FILE`.
    static func tensors(for input: ValueInfo, path: String, files: SampleFiles) throws -> [Tensor] {
        switch try FileKind(path: path) {
        case .folder(let paths): return try paths.flatMap { try tensors(for: input, path: $0, files: files) }
        case .npy: return try split(files.npy(path), for: input, file: path)
        case .npz: return try split(pick(files.npz(path), for: input, file: path, alone: true), for: input, file: "\(path):\(input.name)")
        }
    }

    /// The array named after `input`; with `alone`, also the only array of a one-array archive.
    static func pick(_ arrays: [(name: String, tensor: Tensor)], for input: ValueInfo, file: String, alone: Bool) throws -> Tensor {
        if let match = arrays.first(where: { $0.name == input.name }) { return match.tensor }
        if alone, arrays.count == 1 { return arrays[0].tensor }
        throw SampleSetError.missingArray(file: file, input: input.name, available: arrays.map(\.name))
    }

    static func readNPY(_ path: String) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SampleSetError.unreadable(file: path, reason: error.localizedDescription)
        }
        return try NPY.read(data, file: path)
    }
}

/// What a data path names: a folder (with its data files, sorted by name) or one array file.
enum FileKind {
    case folder([String])
    case npy
    case npz

    init(path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw SampleSetError.missingFile(path)
        }
        if isFolder.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw SampleSetError.unreadable(file: path, reason: error.localizedDescription)
            }
            // Sorted by UTF-8 bytes, not by locale, so every machine reads the same order.
            let files = names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".npy") || $0.hasSuffix(".npz")) }
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            guard !files.isEmpty else { throw SampleSetError.emptyFolder(path) }
            self = .folder(files.map { (path as NSString).appendingPathComponent($0) })
            return
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "npy": self = .npy
        case "npz": self = .npz
        default: throw SampleSetError.unsupportedFile(path)
        }
    }
}

/// The arrays of the files a set of specs names, read ahead of `SampleSet.load` (say, while
/// the model loads on another thread), or the error reading each; `load` reads the others.
public struct SampleFiles: Sendable {
    private var npy: [String: Result<Tensor, any Error>] = [:]
    private var npz: [String: Result<[(name: String, tensor: Tensor)], any Error>] = [:]

    public init() {}

    /// Reads every .npy and .npz file `specs` names (folders listed); errors wait for `load`,
    /// which reports them where it would have met them.
    public static func prefetch(specs: [String]) -> SampleFiles {
        var files = SampleFiles()
        for spec in specs {
            let path = SampleSet.namedSpec(spec)?.1 ?? spec
            guard let kind = try? FileKind(path: path) else { continue }
            let paths: [String]
            if case .folder(let listed) = kind { paths = listed } else { paths = [path] }
            for file in paths {
                switch try? FileKind(path: file) {
                case .npy?: files.npy[file] = Result { try SampleSet.readNPY(file) }
                case .npz?: files.npz[file] = Result { try NPZ.read(path: file) }
                default: break
                }
            }
        }
        return files
    }

    func npy(_ path: String) throws -> Tensor { try npy[path]?.get() ?? SampleSet.readNPY(path) }
    func npz(_ path: String) throws -> [(name: String, tensor: Tensor)] { try npz[path]?.get() ?? NPZ.read(path: path) }
}
