import Dispatch

extension ExecutionContext {
    /// Splits `0..<count` into at most `threads` contiguous chunks and runs them concurrently.
    /// Each index is handled by exactly one chunk, so as long as `body` writes only what its
    /// indices own, results do not depend on the thread count.
    @inlinable
    public func parallelFor(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = Swift.min(threads, Swift.max(1, count / Swift.max(1, minimumChunk)))
        if chunks <= 1 || count <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                if start < end { shared.value(start..<end) }
            }
        }
    }
}

/// Hands a value to concurrent workers that only read it or write disjoint parts of it.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
