extension Graph {
    /// Puts the nodes in topological order and checks that every value is defined exactly once
    /// before it is read. `outerScope` names the values an enclosing graph provides to a subgraph.
    /// Throws `GraphError` naming the node at fault.
    public mutating func sortAndVerify(outerScope: Set<String> = []) throws {
        var defined = Set(inputs.map(\.name)).union(initializers.keys)
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty {
                if producer[output] != nil || defined.contains(output) {
                    throw GraphError.duplicateDefinition(value: output, node: node.label)
                }
                producer[output] = index
            }
        }
        // Kahn's algorithm, taking ready nodes in file order so the result is deterministic.
        var pending = Array(repeating: 0, count: nodes.count)
        var consumers = Array(repeating: [Int](), count: nodes.count)
        for (index, node) in nodes.enumerated() {
            var needs = Set<Int>()
            for name in node.allReads() {
                if let source = producer[name] {
                    if source != index { needs.insert(source) } else {
                        throw GraphError.cycle(nodes: [node.label])
                    }
                } else if !defined.contains(name) && !outerScope.contains(name) {
                    throw GraphError.danglingInput(node: node.label, input: name)
                }
            }
            pending[index] = needs.count
            for source in needs { consumers[source].append(index) }
        }
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var heap = MinHeap(ready)
        ready.removeAll()
        while let next = heap.pop() {
            order.append(next)
            for consumer in consumers[next] {
                pending[consumer] -= 1
                if pending[consumer] == 0 { heap.push(consumer) }
            }
        }
        if order.count != nodes.count {
            let stuck = (0..<nodes.count).filter { pending[$0] > 0 }.map { nodes[$0].label }
            throw GraphError.cycle(nodes: stuck)
        }
        nodes = order.map { nodes[$0] }
        for node in nodes { for output in node.outputs where !output.isEmpty { defined.insert(output) } }
        for output in outputs where !defined.contains(output.name) && !outerScope.contains(output.name) {
            throw GraphError.undefinedOutput(output.name)
        }
        // Subgraphs see everything defined so far in this graph and its enclosing scopes.
        let scope = defined.union(outerScope)
        for index in nodes.indices {
            for (key, attribute) in nodes[index].attributes {
                switch attribute {
                case .graph(var subgraph):
                    try subgraph.sortAndVerify(outerScope: scope)
                    nodes[index].attributes[key] = .graph(subgraph)
                case .graphs(var subgraphs):
                    for i in subgraphs.indices { try subgraphs[i].sortAndVerify(outerScope: scope) }
                    nodes[index].attributes[key] = .graphs(subgraphs)
                default:
                    break
                }
            }
        }
    }
}

extension Node {
    /// Every value this node reads: its inputs and the outer values its subgraphs use.
    func allReads() -> Set<String> {
        var reads = Set(inputs.filter { !$0.isEmpty })
        for attribute in attributes.values {
            for subgraph in attribute.subgraphs { reads.formUnion(subgraph.outerReferences()) }
        }
        return reads
    }
}

/// A binary min-heap of node indices.
struct MinHeap {
    private var items: [Int] = []
    init(_ values: [Int]) { for value in values { push(value) } }
    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }
    mutating func pop() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && items[left] < items[smallest] { smallest = left }
                if right < items.count && items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
