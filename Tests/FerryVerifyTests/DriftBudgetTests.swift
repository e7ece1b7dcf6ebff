import FerryVerify
import Foundation
import Testing

@Suite struct DriftBudgetTests {
    @Test func parsesGlobalAndPerOutputBounds() throws {
        let budget = try DriftBudget.parse(["cosine=0.98", "logits:top1=0.9", "dense/BiasAdd:0:rel=0.1", "cosine=0.97"])
        #expect(budget.bounds == [
            DriftBound(metric: .cosine, value: 0.97),   // the later token replaces the earlier
            DriftBound(output: "logits", metric: .top1, value: 0.9),
            DriftBound(output: "dense/BiasAdd:0", metric: .rel, value: 0.1),
        ])
        #expect(budget.bounds[2].token == "dense/BiasAdd:0:rel=0.1")
    }

    @Test(arguments: [
        ("cosin=0.9", "unknown metric 'cosin'"),
        ("cosine", "expects METRIC=VALUE"),
        ("cosine=abc", "'abc' is not a number"),
        ("cosine=1.5", "cosine must be a number in [-1, 1]"),
        ("top1=2", "top1 must be a fraction"),
        ("max_abs=-1", "max_abs must be a number ≥ 0"),
        ("snr_db=inf", "snr_db must be a finite number"),
        (":cosine=0.9", "empty output name"),
    ])
    func badTokensAreNamed(token: String, words: String) {
        do {
            _ = try DriftBudget.parse([token])
            Issue.record("\(token) was accepted")
        } catch let error as VerifyError {
            #expect(error.description.contains("'\(token)'"), "\(error)")
            #expect(error.description.contains(words), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func noneIsAloneAndEmpty() throws {
        #expect(try DriftBudget.parse(["none"]).isEmpty)
        #expect(throws: VerifyError.self) { try DriftBudget.parse(["none", "cosine=0.9"]) }
    }

    @Test func layerBoundsRefuseOutputsAndAgreement() {
        #expect(throws: VerifyError.self) { try DriftBudget.parse(["logits:cosine=0.9"], flag: "--layer-bound", perLayer: true) }
        #expect(throws: VerifyError.self) { try DriftBudget.parse(["top1=0.9"], flag: "--layer-bound", perLayer: true) }
        #expect((try? DriftBudget.parse(["snr_db=20"], perLayer: true))?.bounds == [DriftBound(metric: .snrDB, value: 20)])
    }

    @Test func flagsOverrideConfigAndDefaultAppliesOnlyWithoutBounds() throws {
        let config = DriftBudget([DriftBound(metric: .cosine, value: 0.9), DriftBound(metric: .maxAbs, value: 1)])
        #expect(try DriftBudget.resolve(flags: [], config: nil, fallback: .default) == .default)
        #expect(try DriftBudget.resolve(flags: [], config: config, fallback: .default) == config)
        let merged = try DriftBudget.resolve(flags: ["cosine=0.999"], config: config, fallback: .default)
        #expect(merged.bounds == [DriftBound(metric: .cosine, value: 0.999), DriftBound(metric: .maxAbs, value: 1)])
        #expect(try DriftBudget.resolve(flags: ["none"], config: config, fallback: .default).isEmpty)
        #expect(try DriftBudget.resolve(flags: ["rel=0.1"], config: nil, fallback: .default).bounds == [DriftBound(metric: .rel, value: 0.1)])
    }

    @Test func defaultBudget() {
        #expect(DriftBudget.default.bounds == [DriftBound(metric: .cosine, value: 0.99), DriftBound(metric: .top1, value: 0.99)])
        #expect(DriftBudget.defaultLayerBound.bounds == [DriftBound(metric: .cosine, value: 0.99)])
    }

    @Test func whichBoundsApplyToWhichOutput() {
        let budget = DriftBudget([DriftBound(metric: .top1, value: 0.99), DriftBound(metric: .cosine, value: 0.99),
                                  DriftBound(output: "label", metric: .maxAbs, value: 0),
                                  DriftBound(output: "probs", metric: .cosine, value: 0.5)])
        #expect(budget.bounds(for: "probs", floating: true, classifier: true).map(\.token) == ["probs:cosine=0.5", "top1=0.99"])
        #expect(budget.bounds(for: "embedding", floating: true, classifier: false).map(\.token) == ["cosine=0.99"])
        #expect(budget.bounds(for: "label", floating: false, classifier: false).map(\.token) == ["label:max_abs=0"])
    }

    @Test func directions() {
        #expect(DriftMetric.maxAbs.allows(0.1, bound: 0.1) && !DriftMetric.maxAbs.allows(0.2, bound: 0.1))
        #expect(DriftMetric.cosine.allows(0.995, bound: 0.99) && !DriftMetric.cosine.allows(0.98, bound: 0.99))
        #expect(!DriftMetric.cosine.allows(.nan, bound: -1) && !DriftMetric.rel.allows(.nan, bound: 100))
    }

    @Test func configFile() throws {
        let text = """
        {"max_drift": {"cosine": 0.98, "logits": {"top1": 0.9, "max_abs": 0.5}},
         "layer_bound": {"snr_db": 20}, "top_k": 3, "classifiers": ["logits"]}
        """
        let config = try VerifyConfig.parse(Data(text.utf8), file: "c.json")
        #expect(config.maxDrift?.bounds == [DriftBound(metric: .cosine, value: 0.98),
                                            DriftBound(output: "logits", metric: .maxAbs, value: 0.5),
                                            DriftBound(output: "logits", metric: .top1, value: 0.9)])
        #expect(config.layerBound?.bounds == [DriftBound(metric: .snrDB, value: 20)])
        #expect(config.topK == 3 && config.classifiers == ["logits"])
        #expect(try VerifyConfig.parse(Data(#"{"max_drift": "none"}"#.utf8), file: "c.json").maxDrift == DriftBudget.none)
    }

    @Test(arguments: [
        (#"{"max_drfit": {}}"#, "'max_drfit': unknown key"),
        (#"{"max_drift": {"cosine": true}}"#, "'max_drift.cosine': expected a number"),
        (#"{"max_drift": {"logits": {"cosin": 1}}}"#, "'max_drift.logits.cosin': unknown metric"),
        (#"{"max_drift": {"cosine": 3}}"#, "'max_drift.cosine': cosine must be"),
        (#"{"layer_bound": {"top1": 0.5}}"#, "'layer_bound.top1'"),
        (#"{"top_k": 0}"#, "'top_k'"),
        ("[1]", "expected a JSON object"),
        ("{", "not valid JSON"),
    ])
    func badConfigsNameTheKey(text: String, words: String) {
        do {
            _ = try VerifyConfig.parse(Data(text.utf8), file: "c.json")
            Issue.record("\(text) was accepted")
        } catch let error as VerifyError {
            #expect(error.description.hasPrefix("config c.json"), "\(error)")
            #expect(error.description.contains(words), "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
