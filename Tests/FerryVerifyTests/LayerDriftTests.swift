import FerryIR
import FerryRuntime
import FerryVerify
import TensorIO
import Testing

@Suite struct LayerDriftTests {
    @Test(arguments: [("w1", "a", "mm1"), ("w2", "c", "mm2")])
    func firstDriftingLayerIsThePerturbedOne(weight: String, value: String, node: String) throws {
        let report = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: weight))
            .run(samples: TestModels.mlpSamples(6))
        #expect(report.layers.map(\.value) == ["a", "b", "c", "logits"])
        let first = try #require(report.firstDrift)
        #expect(first.value == value && first.node == node && first.opType == "MatMul")
        #expect(first.exceeded == [DriftBound(metric: .cosine, value: 0.99)])
        // Everything before it is untouched, bit for bit.
        for layer in report.layers.prefix(first.index) { #expect(layer.drift.maxAbs == 0) }
        #expect(!report.passed)
        #expect(report.violations.map(\.bound.metric).contains(.cosine))
    }

    @Test func identicalModelsPassWithoutDrift() throws {
        let report = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp()).run(samples: TestModels.mlpSamples(3))
        #expect(report.passed && report.firstDrift == nil)
        #expect(report.outputs[0].classifier)   // float, last dim 3
        #expect(report.outputs[0].checks.map(\.bound.token) == ["cosine=0.99", "top1=0.99"])
        #expect(report.outputs[0].drift.top1 == 1 && report.outputs[0].drift.k == 3)
        #expect(report.layers.allSatisfy { $0.drift.maxAbs == 0 })
    }

    /// Per-layer drift on the first samples only; the outputs still see every sample.
    @Test func layerSamplesLimitOnlyThePerLayerPart() throws {
        let verifier = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w1"))
        let limited = try verifier.run(samples: TestModels.mlpSamples(6), layerSamples: 2)
        let everything = try verifier.run(samples: TestModels.mlpSamples(6), layerSamples: nil)
        let firstTwo = try verifier.run(samples: TestModels.mlpSamples(6).prefix(2), layerSamples: nil)
        #expect(limited.sampleCount == 6 && limited.layerSampleCount == 2 && everything.layerSampleCount == 6)
        #expect(limited.outputs.map(\.drift.meanAbs) == everything.outputs.map(\.drift.meanAbs))
        #expect(limited.outputs.map(\.drift.cosine) == everything.outputs.map(\.drift.cosine))
        #expect(limited.layers.map(\.drift.meanAbs) == firstTwo.layers.map(\.drift.meanAbs))
        #expect(limited.layers.map(\.drift.meanAbs) != everything.layers.map(\.drift.meanAbs))
        #expect(limited.json().contains("\"samples\": 2"))
    }

    /// Stored source outputs stand in for runs of the source past the per-layer samples, and
    /// must be what the source computes on the samples it does run; samples side by side on
    /// several threads give the same report as one after another.
    @Test func storedSourceOutputsAndThreadsLeaveTheReportAsItWas() throws {
        let samples = TestModels.mlpSamples(5)
        let single = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w1"))
        let plain = try single.run(samples: samples, layerSamples: 2)
        let stored = try single.sourceOutputs(samples: samples)
        let reused = try single.run(samples: samples, layerSamples: 2, sourceOutputs: stored)
        let threaded = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w1"),
                                    sourceOptions: SessionOptions(threads: 3), candidateOptions: SessionOptions(threads: 3))
            .run(samples: samples, layerSamples: 2)
        #expect(reused.json() == plain.json() && threaded.json() == plain.json())
        // Outputs of another model are caught on the samples that run the source anyway.
        let wrong = try Verifier(source: TestModels.mlp(perturb: "w2"), candidate: TestModels.mlp()).sourceOutputs(samples: samples)
        let error = #expect(throws: VerifyError.self) {
            try single.run(samples: samples, layerSamples: 2, sourceOutputs: wrong)
        }
        #expect(error?.description == "source: the stored outputs differ from a run of it on the same sample (output 'logits')")
    }

    /// With `stopAtFailure` (the mixed-precision search needs only the verdict) a candidate
    /// stops at the first window that breaks a bound for good — a worst-sample cosine, or top-1
    /// agreement that cannot reach its bound even if every remaining row agreed — and fails as
    /// the full report does; a passing candidate's report is the full one.
    @Test func stopAtFailureKeepsTheVerdict() throws {
        let samples = TestModels.mlpSamples(12)
        let failing = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w2"))
        let full = try failing.run(samples: samples, layerBound: DriftBudget())
        let early = try failing.run(samples: samples, layerBound: DriftBudget(), stopAtFailure: true)
        #expect(!full.passed && !early.passed && early.sampleCount < full.sampleCount)
        // Agreement alone: 0.99 of 12 rows allows no flip, so the first flip settles it...
        let agreement = DriftBudget([DriftBound(metric: .top1, value: 0.99)])
        let fullTop1 = try failing.run(samples: samples, budget: agreement, layerBound: DriftBudget())
        let earlyTop1 = try failing.run(samples: samples, budget: agreement, layerBound: DriftBudget(), stopAtFailure: true)
        #expect(!fullTop1.passed && !earlyTop1.passed && earlyTop1.sampleCount < fullTop1.sampleCount)
        // ...while 0.5 leaves room for the remaining rows to agree: every sample runs.
        let loose = DriftBudget([DriftBound(metric: .top1, value: 0.5)])
        let looseFull = try failing.run(samples: samples, budget: loose, layerBound: DriftBudget())
        let looseEarly = try failing.run(samples: samples, budget: loose, layerBound: DriftBudget(), stopAtFailure: true)
        #expect(looseEarly.json() == looseFull.json())
        let passing = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp())
        #expect(try passing.run(samples: samples, layerBound: DriftBudget(), stopAtFailure: true).json()
                == passing.run(samples: samples, layerBound: DriftBudget()).json())
    }

    @Test func layerBoundNoneSkipsLayers() throws {
        let report = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w2"))
            .run(samples: TestModels.mlpSamples(2), layerBound: .none)
        #expect(report.layers.isEmpty && report.layersSkipped == 0)
        #expect(!report.passed)
    }

    @Test func classifiersCanBeNamedAndBudgetsNamedOutputsMustExist() throws {
        let verifier = try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp())
        let plain = try verifier.run(samples: TestModels.mlpSamples(1), classifiers: [])
        #expect(!plain.outputs[0].classifier && plain.outputs[0].drift.top1 == nil)
        #expect(throws: VerifyError.self) {
            try verifier.run(samples: TestModels.mlpSamples(1), budget: DriftBudget([DriftBound(output: "nope", metric: .rel, value: 1)]))
        }
        #expect(throws: VerifyError.self) { try verifier.run(samples: TestModels.mlpSamples(1), classifiers: ["nope"]) }
    }

    @Test func badModelsAreReportedWithTheirLabel() {
        var broken = TestModels.mlp()
        broken.graph.nodes[1].opType = "NoSuchOp"
        do {
            _ = try Verifier(source: TestModels.mlp(), candidate: broken, candidateLabel: "broken.onnx")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("broken.onnx: "))
        }
    }

    @Test func missingOutputsAndFeedsAreErrors() throws {
        var renamed = TestModels.mlp()
        renamed.graph.outputs[0].name = "c"
        #expect(throws: VerifyError.self) {
            try Verifier(source: TestModels.mlp(), candidate: renamed).run(samples: TestModels.mlpSamples(1))
        }
        #expect(throws: VerifyError.self) {
            try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp()).run(samples: SampleSet(samples: [["z": Tensor(shape: [1], values: [Float](arrayLiteral: 1))]]))
        }
    }

    @Test func reportsAreIdenticalForAnyThreadCount() throws {
        func report(_ threads: Int) throws -> DriftReport {
            try Verifier(source: TestModels.mlp(), candidate: TestModels.mlp(perturb: "w2"),
                         sourceOptions: SessionOptions(threads: threads), candidateOptions: SessionOptions(threads: threads))
                .run(samples: TestModels.mlpSamples(5))
        }
        let one = try report(1), three = try report(3)
        #expect(one.json() == three.json() && one.junit() == three.junit() && one.markdown() == three.markdown())
    }
}
