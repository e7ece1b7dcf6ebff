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
