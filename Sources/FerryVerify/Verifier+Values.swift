import FerryIR
import FerryRuntime

/// A tensor as the values to compare, after dequantizing when it is a quantized integer value.
struct ComparableValues {
    var values: [Double]
    var shape: [Int]
    /// Floating point, or dequantized to it.
    var floating: Bool
    var dequantized: Bool
    /// An integer tensor compared by value.
    var integer: Bool
}

extension Verifier {
    /// Runs one sample through `session` (on `threads`, else the session's own), quantizing
    /// float samples for integer inputs.
    func execute(_ session: InferenceSession, _ sample: [String: Tensor], _ boundary: IntegerBoundary, _ label: String,
                 threads: Int? = nil, observing names: Set<String> = [],
                 _ observe: (String, Tensor) throws -> Void = { _, _ in }) throws -> [String: Tensor] {
        let feeds = try feeds(session, sample, boundary, label)
        do {
            let values = names.isEmpty ? try session.run(feeds, threads: threads)
                : try session.run(feeds, threads: threads, observing: names, observe)
            return Dictionary(zip(session.outputNames, values), uniquingKeysWith: { first, _ in first })
        } catch let error as RuntimeError {
            throw VerifyError.model(label, message: error.description)
        }
    }

    /// A run of one sample through `session` that the caller advances node by node (see
    /// `InferenceSession.start`); its errors name the model as `execute`'s do.
    func start(_ session: InferenceSession, _ sample: [String: Tensor], _ boundary: IntegerBoundary, _ label: String,
               threads: Int?, observing names: Set<String>) throws -> LabelledRun {
        let feeds = try feeds(session, sample, boundary, label)
        do {
            return LabelledRun(run: try session.start(feeds, threads: threads, observing: names), outputNames: session.outputNames, label: label)
        } catch let error as RuntimeError {
            throw VerifyError.model(label, message: error.description)
        }
    }

    /// The sample's tensors for each input of `session`.
    private func feeds(_ session: InferenceSession, _ sample: [String: Tensor], _ boundary: IntegerBoundary,
                       _ label: String) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for input in session.inputs {
            guard let tensor = sample[input.name] else { throw VerifyError.missingFeed(model: label, input: input.name) }
            feeds[input.name] = try feed(tensor, for: input, boundary: boundary, label: label)
        }
        return feeds
    }

    /// The sample as the input takes it: quantized with the DequantizeLinear that reads an
    /// integer input when the sample is float; unchanged otherwise (the session checks it).
    func feed(_ tensor: Tensor, for input: ValueInfo, boundary: IntegerBoundary, label: String) throws -> Tensor {
        guard let type = input.type?.dataType, type != tensor.dataType, type.isInteger, tensor.dataType.isFloatingPoint else {
            return tensor
        }
        guard let parameters = boundary.dequantized[input.name] else {
            if let problem = boundary.problems[input.name] { throw VerifyError.model(label, message: problem) }
            throw VerifyError.inputType(model: label, input: input.name, expected: type, actual: tensor.dataType)
        }
        do {
            return try parameters.quantize(tensor, to: type)
        } catch let VerifyError.quantization(_, reason) {
            throw VerifyError.quantization(value: input.name, reason: "\(label): \(reason)")
        }
    }

    /// The values of `tensor` to compare. Integer graph outputs written by a QuantizeLinear, and
    /// integer values read by a DequantizeLinear, are dequantized with its parameters.
    func comparable(_ tensor: Tensor, name: String, boundary: IntegerBoundary) throws -> ComparableValues {
        if tensor.dataType.isFloatingPoint {
            return ComparableValues(values: tensor.doubles(), shape: tensor.shape, floating: true, dequantized: false, integer: false)
        }
        if tensor.dataType.isInteger {
            let parameters = boundary.outputs[name] ?? boundary.dequantized[name]
            if let parameters {
                do {
                    return ComparableValues(values: try parameters.dequantize(tensor), shape: tensor.shape, floating: true, dequantized: true, integer: false)
                } catch let VerifyError.quantization(_, reason) {
                    throw VerifyError.quantization(value: name, reason: reason)
                }
            }
            return ComparableValues(values: tensor.doubles(), shape: tensor.shape, floating: false, dequantized: false, integer: true)
        }
        if tensor.dataType == .bool {
            return ComparableValues(values: tensor.doubles(), shape: tensor.shape, floating: false, dequantized: false, integer: false)
        }
        throw VerifyError.cannotCompare(output: name, reason: "\(tensor.dataType) values have no numeric drift")
    }
}

/// A stepwise run whose runtime errors name the model they came from.
struct LabelledRun {
    let run: StepwiseRun
    let outputNames: [String]
    let label: String

    var finished: Bool { run.finished }

    func advance(_ observe: (String, Tensor) throws -> Void) throws {
        do {
            try run.advance(observe)
        } catch let error as RuntimeError {
            throw VerifyError.model(label, message: error.description)
        }
    }

    func outputs() throws -> [String: Tensor] {
        do {
            return Dictionary(zip(outputNames, try run.outputs()), uniquingKeysWith: { first, _ in first })
        } catch let error as RuntimeError {
            throw VerifyError.model(label, message: error.description)
        }
    }
}
