import Foundation

/// The `--config FILE` of `ferry verify`: the same settings as the flags, as JSON.
///
/// ```json
/// {
///   "max_drift": {"cosine": 0.99, "top1": 0.98, "logits": {"max_abs": 0.05}},
///   "layer_bound": {"cosine": 0.95},
///   "top_k": 3,
///   "classifiers": ["logits"]
/// }
/// ```
/// `max_drift` maps metric names to bounds for every output and output names to objects of
/// their own bounds; `"none"` in place of either object removes every bound. Every key is
/// optional; flags given on the command line override the file.
public struct VerifyConfig: Sendable, Equatable {
    public var maxDrift: DriftBudget?
    public var layerBound: DriftBudget?
    public var topK: Int?
    public var classifiers: [String]?

    public init(maxDrift: DriftBudget? = nil, layerBound: DriftBudget? = nil, topK: Int? = nil, classifiers: [String]? = nil) {
        self.maxDrift = maxDrift
        self.layerBound = layerBound
        self.topK = topK
        self.classifiers = classifiers
    }

    static let keys = ["max_drift", "layer_bound", "top_k", "classifiers"]

    /// Reads and checks a config file; errors name the file and the key at fault.
    public static func load(path: String) throws -> VerifyConfig {
        guard FileManager.default.fileExists(atPath: path) else { throw VerifyError.config(file: path, key: nil, reason: "does not exist") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw VerifyError.config(file: path, key: nil, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws -> VerifyConfig {
        func bad(_ key: String?, _ reason: String) -> VerifyError { .config(file: file, key: key, reason: reason) }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch { throw bad(nil, "not valid JSON") }
        guard let object = root as? [String: Any] else { throw bad(nil, "expected a JSON object") }
        for key in object.keys.sorted() where !keys.contains(key) {
            throw bad(key, "unknown key (keys: \(keys.joined(separator: ", ")))")
        }
        var config = VerifyConfig()
        if let value = object["max_drift"] { config.maxDrift = try budget(value, key: "max_drift", file: file, perLayer: false) }
        if let value = object["layer_bound"] { config.layerBound = try budget(value, key: "layer_bound", file: file, perLayer: true) }
        if let value = object["top_k"] {
            guard let number = value as? NSNumber, !isBool(number), let k = Int(exactly: number.doubleValue), k >= 1 else {
                throw bad("top_k", "expected an integer ≥ 1")
            }
            config.topK = k
        }
        if let value = object["classifiers"] {
            guard let names = value as? [String] else { throw bad("classifiers", "expected a list of output names") }
            config.classifiers = names
        }
        return config
    }

    static func budget(_ value: Any, key: String, file: String, perLayer: Bool) throws -> DriftBudget {
        func bad(_ path: String, _ reason: String) -> VerifyError { .config(file: file, key: path, reason: reason) }
        if let text = value as? String {
            guard text.lowercased() == "none" else { throw bad(key, "expected an object of bounds or \"none\"") }
            return .none
        }
        guard let object = value as? [String: Any] else { throw bad(key, "expected an object of bounds or \"none\"") }
        var budget = DriftBudget()
        // Sorted, so that the budget (and every report) comes out the same for any key order.
        for name in object.keys.sorted() {
            let entry = object[name]!
            if let metric = DriftMetric(rawValue: name) {
                budget.set(try bound(entry, output: nil, metric: metric, path: "\(key).\(name)", file: file, perLayer: perLayer))
            } else if let inner = entry as? [String: Any] {
                if perLayer { throw bad("\(key).\(name)", "unknown metric (metrics: \(DriftMetric.names)); layer bounds cannot name outputs") }
                for metricName in inner.keys.sorted() {
                    guard let metric = DriftMetric(rawValue: metricName) else {
                        throw bad("\(key).\(name).\(metricName)", "unknown metric (metrics: \(DriftMetric.names))")
                    }
                    budget.set(try bound(inner[metricName]!, output: name, metric: metric, path: "\(key).\(name).\(metricName)", file: file, perLayer: perLayer))
                }
            } else {
                throw bad("\(key).\(name)", "unknown metric (metrics: \(DriftMetric.names)), or an output name without an object of bounds")
            }
        }
        return budget
    }

    static func bound(_ value: Any, output: String?, metric: DriftMetric, path: String, file: String, perLayer: Bool) throws -> DriftBound {
        guard let number = value as? NSNumber, !isBool(number) else {
            throw VerifyError.config(file: file, key: path, reason: "expected a number")
        }
        if perLayer && metric.isAgreement {
            throw VerifyError.config(file: file, key: path, reason: "\(metric.rawValue) is a classifier metric and cannot bound layers")
        }
        do {
            return try DriftBudget.bound(output: output, metric: metric, value: number.doubleValue, token: path)
        } catch let VerifyError.budget(_, reason) {
            throw VerifyError.config(file: file, key: path, reason: reason)
        }
    }

    /// JSONSerialization hands booleans over as NSNumber of C type `char`; `true` is not a bound.
    static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
