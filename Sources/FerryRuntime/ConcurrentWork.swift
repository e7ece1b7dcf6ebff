import Dispatch

/// Work spread over threads whose results do not depend on how it was spread: each index's
/// result lands in its own slot and is read in index order once every worker has finished.
public enum ConcurrentWork {
    /// `body(0..<count)` on up to `workers` threads (index i on worker i mod workers), results
    /// in index order; the first error in index order is rethrown after all have finished.
    public static func map<T>(_ count: Int, workers: Int, _ body: (Int) throws -> T) throws -> [T] {
        guard workers > 1, count > 1 else { return try (0..<count).map(body) }
        let slots = Slots<T>(count: count)
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedBody(body)
            DispatchQueue.concurrentPerform(iterations: Swift.min(workers, count)) { worker in
                for index in stride(from: worker, to: count, by: Swift.min(workers, count)) {
                    slots.results[index] = Result { try shared.body(index) }
                }
            }
        }
        return try slots.results.map { result in
            guard let result else { throw ConcurrentWorkError.missingResult }
            return try result.get()
        }
    }

    /// `a` and `b`, side by side when `concurrently` (each on its own thread), else one after
    /// the other.
    public static func both<A, B>(_ a: () throws -> A, _ b: () throws -> B, concurrently: Bool) throws -> (A, B) {
        guard concurrently else { return (try a(), try b()) }
        let results = try map(2, workers: 2) { index -> Either<A, B> in index == 0 ? .first(try a()) : .second(try b()) }
        guard case .first(let x) = results[0], case .second(let y) = results[1] else { throw ConcurrentWorkError.missingResult }
        return (x, y)
    }
}

private enum Either<A, B> { case first(A), second(B) }

enum ConcurrentWorkError: Error, CustomStringConvertible {
    case missingResult
    var description: String { "a worker finished without a result" }
}

/// One result slot per index, each written by the one worker that owns the index (a buffer
/// allocated up front, so no write touches shared array storage).
private final class Slots<T>: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<Result<T, Error>?>
    init(count: Int) {
        results = .allocate(capacity: count)
        results.initialize(repeating: nil)
    }
    deinit {
        results.deinitialize()
        results.deallocate()
    }
}

/// Hands a non-escaping closure to the workers of one `concurrentPerform`, which all return
/// before the closure's scope ends.
private struct UncheckedBody<T>: @unchecked Sendable {
    let body: (Int) throws -> T
    init(_ body: @escaping (Int) throws -> T) { self.body = body }
}
