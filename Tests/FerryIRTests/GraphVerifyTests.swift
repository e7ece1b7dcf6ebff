import FerryIR
import Testing

@Suite struct GraphVerifyTests {
    func input(_ name: String) -> ValueInfo { ValueInfo(name: name, type: ValueType(dataType: .float32, dims: [2])) }

    @Test func sortsNodesIntoTopologicalOrderKeepingFileOrderForTies() throws {
        var graph = Graph(nodes: [
            Node(name: "c", opType: "Relu", inputs: ["b"], outputs: ["y"]),
            Node(name: "a", opType: "Relu", inputs: ["x"], outputs: ["a"]),
            Node(name: "b", opType: "Add", inputs: ["a", "x"], outputs: ["b"]),
            Node(name: "side", opType: "Neg", inputs: ["x"], outputs: ["z"]),
        ], inputs: [input("x")], outputs: [input("y"), input("z")])
        try graph.sortAndVerify()
        #expect(graph.nodes.map(\.name) == ["a", "b", "c", "side"])
    }

    @Test func namesTheNodesOfACycle() {
        var graph = Graph(nodes: [
            Node(name: "first", opType: "Add", inputs: ["x", "t"], outputs: ["s"]),
            Node(name: "second", opType: "Relu", inputs: ["s"], outputs: ["t"]),
        ], inputs: [input("x")], outputs: [input("t")])
        #expect(throws: GraphError.cycle(nodes: ["'first' (Add)", "'second' (Relu)"])) { try graph.sortAndVerify() }
    }

    @Test func namesADanglingInput() {
        var graph = Graph(nodes: [Node(name: "add", opType: "Add", inputs: ["x", "w"], outputs: ["y"])],
                          inputs: [input("x")], outputs: [input("y")])
        #expect(throws: GraphError.danglingInput(node: "'add' (Add)", input: "w")) { try graph.sortAndVerify() }
    }

    @Test func refusesTwoDefinitionsOfOneValue() {
        var graph = Graph(nodes: [
            Node(name: "one", opType: "Relu", inputs: ["x"], outputs: ["y"]),
            Node(name: "two", opType: "Neg", inputs: ["x"], outputs: ["y"]),
        ], inputs: [input("x")], outputs: [input("y")])
        #expect(throws: GraphError.duplicateDefinition(value: "y", node: "'two' (Neg)")) { try graph.sortAndVerify() }
    }

    @Test func refusesAnUndefinedGraphOutput() {
        var graph = Graph(nodes: [], inputs: [input("x")], outputs: [input("nothing")])
        #expect(throws: GraphError.undefinedOutput("nothing")) { try graph.sortAndVerify() }
    }

    @Test func subgraphsMayReadOuterValuesButNotUndefinedOnes() throws {
        let body = Graph(nodes: [Node(name: "inner", opType: "Add", inputs: ["x", "outer"], outputs: ["r"])],
                         outputs: [input("r")])
        var graph = Graph(nodes: [
            Node(name: "make", opType: "Relu", inputs: ["x"], outputs: ["outer"]),
            Node(name: "branch", opType: "If", inputs: ["c"], outputs: ["y"],
                 attributes: ["then_branch": .graph(body), "else_branch": .graph(body)]),
        ], inputs: [input("x"), input("c")], outputs: [input("y")])
        try graph.sortAndVerify()
        #expect(graph.nodes.first?.name == "make")

        let broken = Graph(nodes: [Node(name: "inner", opType: "Add", inputs: ["x", "ghost"], outputs: ["r"])], outputs: [input("r")])
        var bad = Graph(nodes: [Node(name: "branch", opType: "If", inputs: ["c"], outputs: ["y"],
                                     attributes: ["then_branch": .graph(broken), "else_branch": .graph(broken)])],
                        inputs: [input("x"), input("c")], outputs: [input("y")])
        #expect(throws: GraphError.self) { try bad.sortAndVerify() }
    }
}
