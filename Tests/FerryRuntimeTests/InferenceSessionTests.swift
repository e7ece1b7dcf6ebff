import FerryIR
import FerryRuntime
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct InferenceSessionTests {
    func model(_ nodes: [Node], inputs: [ValueInfo], outputs: [String], initializers: [String: Tensor] = [:], opset: Int = 17) -> Model {
        Model(graph: Graph(nodes: nodes, inputs: inputs, outputs: outputs.map { ValueInfo(name: $0, type: nil) }, initializers: initializers),
              opsets: ["": opset])
    }

    @Test func broadcastsAndChainsOps() throws {
        let m = model([
            Node(name: "add", opType: "Add", inputs: ["x", "b"], outputs: ["s"]),
            Node(name: "relu", opType: "Relu", inputs: ["s"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, shape: [.symbol("batch"), .fixed(3)]))],
           outputs: ["y"], initializers: ["b": Tensor(shape: [3], values: [Float](arrayLiteral: -1, 0, 1))])
        let session = try InferenceSession(model: m)
        let out = try session.run(["x": Tensor(shape: [2, 3], values: [Float](arrayLiteral: 0, 0, 0, 2, -2, 2))])
        #expect(out[0].shape == [2, 3])
        #expect(out[0].elements(as: Float.self) == [0, 0, 1, 1, 0, 3])
    }

    /// y = relu((x + b) · −b), b = [−1, 0, 1]: a constant branch and intermediates to observe.
    func addMulRelu() -> Model {
        model([
            Node(name: "add", opType: "Add", inputs: ["x", "b"], outputs: ["s"]),
            Node(name: "neg", opType: "Neg", inputs: ["b"], outputs: ["nb"]),
            Node(name: "mul", opType: "Mul", inputs: ["s", "nb"], outputs: ["p"]),
            Node(name: "relu", opType: "Relu", inputs: ["p"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", type: ValueType(dataType: .float32, shape: [.fixed(3)]))],
           outputs: ["y"], initializers: ["b": Tensor(shape: [3], values: [Float](arrayLiteral: -1, 0, 1))])
    }

    /// Observed values are the ones a run computes (inputs, constants and intermediates that are
    /// not graph outputs included), each seen once, and unnamed values are not handed over.
    @Test func observerSeesIntermediatesAsComputed() throws {
        let m = addMulRelu()
        let session = try InferenceSession(model: m)
        var seen: [(String, [Float])] = []
        let out = try session.run(["x": Tensor(shape: [3], values: [Float](arrayLiteral: 1, 2, 3))], observing: ["x", "s", "nb", "p", "y", "absent"]) {
            seen.append(($0, $1.elements(as: Float.self)))
        }
        #expect(out[0].elements(as: Float.self) == [0, 0, 0])
        let byName = Dictionary(seen, uniquingKeysWith: { a, _ in a })
        #expect(seen.count == 5 && byName.count == 5)
        #expect(byName["x"] == [1, 2, 3] && byName["s"] == [0, 2, 4] && byName["nb"] == [1, 0, -1])
        #expect(byName["p"] == [0, 0, -4] && byName["y"] == [0, 0, 0])
        #expect(seen.firstIndex { $0.0 == "s" }! < seen.firstIndex { $0.0 == "p" }!)
    }

    /// A run advanced node by node sees the same values in the same order and gives the same
    /// outputs as one call; runs of one session on several threads at once do not interfere.
    @Test func stepwiseAndConcurrentRunsMatchOneCall() throws {
        let m = addMulRelu()
        let session = try InferenceSession(model: m)
        let feeds = ["x": Tensor(shape: [3], values: [Float](arrayLiteral: 1, 2, 3))]
        let names: Set<String> = ["x", "b", "s", "nb", "p", "y"]
        var once: [(String, [Float])] = []
        let expected = try session.run(feeds, observing: names) { once.append(($0, $1.elements(as: Float.self))) }
        let run = try session.start(feeds, observing: names)
        var stepped: [(String, [Float])] = []
        while try run.advance({ stepped.append(($0, $1.elements(as: Float.self))) }) {}
        #expect(run.finished)
        #expect(stepped.map(\.0) == once.map(\.0) && stepped.map(\.1) == once.map(\.1))
        #expect(try run.outputs()[0].elements(as: Float.self) == expected[0].elements(as: Float.self))
        #expect(Set(session.valueNames) == ["x", "b", "s", "nb", "p", "y"])
        let concurrent = try ConcurrentWork.map(8, workers: 4) { i in
            try session.run(["x": Tensor(shape: [3], values: [Float(i), 2, 3])], threads: 1)[0].elements(as: Float.self)
        }
        for (i, values) in concurrent.enumerated() {
            #expect(values == (try session.run(["x": Tensor(shape: [3], values: [Float(i), 2, 3])])[0].elements(as: Float.self)))
        }
    }

    /// relu → conv → clip → conv → add (the relu's output again): `second` replaces the last
    /// conv's weights, `quantizeBetween` fake-quantizes the clip's output before it.
    func convChain(second: [Float]? = nil, quantizeBetween: Bool = false, withoutRelu: Bool = false) -> Model {
        let w1 = Tensor(shape: [2, 2, 3, 3], values: (0..<36).map { Float(($0 * 7) % 11) / 10 - 0.5 })
        let w2 = Tensor(shape: [2, 2, 1, 1], values: second ?? [0.5, -0.25, 0.75, 1])
        var nodes = [
            Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["a"]),
            Node(name: "conv1", opType: "Conv", inputs: ["a", "w1"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "clip", opType: "Clip", inputs: ["c", "lo", "hi"], outputs: ["d"]),
            Node(name: "conv2", opType: "Conv", inputs: [quantizeBetween ? "d2" : "d", "w2"], outputs: ["e"]),
            Node(name: "add", opType: "Add", inputs: ["e", "a"], outputs: ["y"]),
        ]
        if withoutRelu { nodes.removeFirst() }
        if quantizeBetween {
            nodes.insert(contentsOf: [Node(name: "q", opType: "QuantizeLinear", inputs: ["d", "s", "z"], outputs: ["dq"]),
                                      Node(name: "dq", opType: "DequantizeLinear", inputs: ["dq", "s", "z"], outputs: ["d2"])], at: 3)
        }
        return model(nodes, inputs: [ValueInfo(name: withoutRelu ? "a" : "x", type: ValueType(dataType: .float32, shape: [.fixed(1), .fixed(2), .fixed(4), .fixed(4)]))],
                     outputs: ["y"], initializers: ["w1": w1, "w2": w2, "lo": Tensor(scalar: Float(0)), "hi": Tensor(scalar: Float(6)),
                                                    "s": Tensor(scalar: Float(0.05)), "z": Tensor(scalar: Int8(0))])
    }

    /// A session that differs from another from some node on resumes there from the other's
    /// values (moved back to the start of a fused chain that reaches past it), with the outputs
    /// of a whole run; a value the other run freed or never formed is not handed out.
    @Test func runsResumeWhereTwoSessionsDiffer() throws {
        let float = try InferenceSession(model: convChain())
        let feeds = ["x": Tensor(shape: [1, 2, 4, 4], values: (0..<32).map { Float(($0 * 5) % 9) / 4 - 1 })]
        for (candidate, skipped, names) in [(convChain(second: [0.5, -0.25, 0.75, 0.5]), 3, ["a", "d"]),
                                            (convChain(quantizeBetween: true), 1, ["a"]), (convChain(), 5, ["y"])] {
            let session = try InferenceSession(model: candidate)
            let point = session.resumePoint(sharingWith: float)
            #expect(point.skippedSteps == skipped && point.names == names)
            let run = try float.start(feeds, threads: 1, observing: [])
            let given = try #require(try run.values(point.names))
            let resumed = try session.run(resumingAt: point, given: given, threads: 1)
            #expect(resumed[0].elements(as: Float.self) == (try session.run(feeds))[0].elements(as: Float.self))
        }
        let run = try float.start(feeds, threads: 1, observing: [])
        #expect(run.heldBytes == 0)
        #expect(try run.values(["c"]) == nil)   // inside the fused conv + clip
        #expect(run.heldBytes == 2 * 32 * 4)    // a and d (the input is the caller's)
        #expect(try run.values(["e"]) != nil)
        #expect(try run.values(["d"]) == nil)   // freed once conv2 read it
        #expect(try run.values(["absent"]) == nil)
        #expect(float.stepComputing("d") == 2 && float.stepComputing("x") == -1 && float.stepComputing("absent") == nil)
        // Its convolution reads a feed where the float model computes the value: nothing shared.
        #expect(try InferenceSession(model: convChain(withoutRelu: true)).resumePoint(sharingWith: float).skippedSteps == 0)
        let point = try InferenceSession(model: convChain(quantizeBetween: true)).resumePoint(sharingWith: float)
        #expect(throws: RuntimeError.self) { try float.run(resumingAt: point, given: [feeds["x"]!]) }
    }

    @Test func resultsAreFoldedInIndexOrder() throws {
        var folded: [Int] = []
        try ConcurrentWork.forEachInOrder(40, workers: 3, { index in
            if index % 7 == 0 { usleep(2000) }  // finishes out of order
            return index * index
        }, fold: { index, square in
            #expect(square == index * index)
            folded.append(index)
        })
        #expect(folded == Array(0..<40))
        // The first error in index order, and nothing folded past it.
        struct Failure: Error, Equatable { let index: Int }
        folded = []
        #expect(throws: Failure(index: 5)) {
            try ConcurrentWork.forEachInOrder(40, workers: 3, { index in
                if index == 9 { throw Failure(index: 9) }
                if index == 5 { usleep(5000); throw Failure(index: 5) }
                return index
            }, fold: { index, _ in folded.append(index) })
        }
        #expect(folded == Array(0..<5))
    }

    @Test func backgroundWorkRunsAlongsideAndReportsItsError() throws {
        struct Failure: Error {}
        let done = Mutex(false)
        let value = try ConcurrentWork.run({ 42 }, alongside: { done.withLock { $0 = true } })
        #expect(value == 42 && done.withLock { $0 })
        #expect(throws: Failure.self) { try ConcurrentWork.run({ 1 }, alongside: { throw Failure() }) }
    }

    @Test func symbolicDimsMustAgreeAcrossInputs() throws {
        let type = ValueType(dataType: .float32, shape: [.symbol("n")])
        let m = model([Node(name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["y"])],
                      inputs: [ValueInfo(name: "a", type: type), ValueInfo(name: "b", type: type)], outputs: ["y"])
        let session = try InferenceSession(model: m)
        #expect(throws: RuntimeError.self) {
            try session.run(["a": Tensor(shape: [2], values: [Float](arrayLiteral: 1, 2)), "b": Tensor(shape: [3], values: [Float](arrayLiteral: 1, 2, 3))])
        }
    }

    @Test func runtimeShapeErrorsNameTheNode() throws {
        let m = model([Node(name: "join", opType: "Concat", inputs: ["a", "b"], outputs: ["y"], attributes: ["axis": .int(0)])],
                      inputs: [ValueInfo(name: "a", type: nil), ValueInfo(name: "b", type: nil)], outputs: ["y"])
        let session = try InferenceSession(model: m)
        do {
            _ = try session.run(["a": Tensor(shape: [1, 2], values: [Float](arrayLiteral: 1, 2)), "b": Tensor(shape: [1, 3], values: [Float](arrayLiteral: 1, 2, 3))])
            Issue.record("expected a shape error")
        } catch let error as RuntimeError {
            #expect(error.description.contains("'join' (Concat)"))
        }
    }

    @Test func unknownAttributesAreRefusedAtCreation() {
        let m = model([Node(name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"], attributes: ["alpha": .float(1)])],
                      inputs: [ValueInfo(name: "x", type: nil)], outputs: ["y"])
        #expect(throws: RuntimeError.self) { try InferenceSession(model: m) }
    }

    @Test func ifRunsTheChosenBranchWithOuterValues() throws {
        let thenBranch = Graph(nodes: [Node(name: "t", opType: "Add", inputs: ["x", "x"], outputs: ["r"])], outputs: [ValueInfo(name: "r", type: nil)])
        let elseBranch = Graph(nodes: [Node(name: "e", opType: "Neg", inputs: ["x"], outputs: ["r2"])], outputs: [ValueInfo(name: "r2", type: nil)])
        let m = model([Node(name: "if", opType: "If", inputs: ["c"], outputs: ["y"],
                            attributes: ["then_branch": .graph(thenBranch), "else_branch": .graph(elseBranch)])],
                      inputs: [ValueInfo(name: "x", type: nil), ValueInfo(name: "c", type: nil)], outputs: ["y"])
        let session = try InferenceSession(model: m)
        let x = Tensor(shape: [2], values: [Float](arrayLiteral: 1, -3))
        #expect(try session.run(["x": x, "c": Tensor(scalar: true)])[0].elements(as: Float.self) == [2, -6])
        #expect(try session.run(["x": x, "c": Tensor(scalar: false)])[0].elements(as: Float.self) == [-1, 3])
    }
}
