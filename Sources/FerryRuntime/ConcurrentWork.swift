import Dispatch
import Foundation
import Synchronization

/// Work spread over threads whose results do not depend on how it was spread: each index's
/// result lands in its own slot and is read in index order once every worker has finished.
public enum ConcurrentWork {
    /// `body(0..<count)` on up to `workers` threads, results in index order; the first error in
    /// index order is rethrown after all have finished. Each worker takes the next index no one
    /// has claimed, so one slow index does not leave the other threads idle.
    public static func map<T>(_ count: Int, workers: Int, _ body: (Int) throws -> T) throws -> [T] {
        try map(count, workers: workers, state: {}) { index, _ in try body(index) }.results
    }

    /// As `map`, each worker also folding its indices into a state of its own (made by
    /// `state`), returned one per worker. Which indices a worker takes depends on timing, so
    /// callers merge the states with an operation whose result does not depend on how the
    /// indices were grouped (exact minima, maxima and counts), or keep per-index values in the
    /// results.
    public static func map<T, State>(_ count: Int, workers: Int, state: () -> State,
                                     _ body: (Int, inout State) throws -> T) throws -> (results: [T], states: [State]) {
        guard workers > 1, count > 1 else {
            var local = state()
            let results = try (0..<count).map { try body($0, &local) }
            return (results, [local])
        }
        let threads = Swift.min(workers, count)
        let slots = Slots<T>(count: count)
        let states = Slots<State>(count: threads)
        let claimed = Counter()
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(state) { state in
                let shared = UncheckedBody(body, state)
                DispatchQueue.concurrentPerform(iterations: threads) { worker in
                    var local = shared.state()
                    while let index = claimed.next(below: count) {
                        slots.results[index] = Result { try shared.body(index, &local) }
                    }
                    states.results[worker] = .success(local)
                }
            }
        }
        let results = try slots.results.map { result in
            guard let result else { throw ConcurrentWorkError.missingResult }
            return try result.get()
        }
        return (results, try states.results.map { try ($0 ?? .failure(ConcurrentWorkError.missingResult)).get() })
    }

    /// `body(0..<count)` on up to `workers` threads, each result handed to `fold` in index
    /// order as soon as it and every earlier one exist (`fold` runs on one thread at a time:
    /// the one that completed the run of finished indices). No worker waits for a batch to end,
    /// and no more results are held than the workers are out of order. The first error in
    /// index order, from `body` or `fold`, stops the handing out of indices and is rethrown
    /// once every worker has finished; `fold` sees no index after it.
    public static func forEachInOrder<T>(_ count: Int, workers: Int, _ body: (Int) throws -> T,
                                         fold: (Int, T) throws -> Void) throws {
        guard workers > 1, count > 1 else {
            for index in 0..<count { try fold(index, try body(index)) }
            return
        }
        let order = InOrder<T>(count: count)
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(fold) { fold in
                let shared = UncheckedFold(body, fold)
                DispatchQueue.concurrentPerform(iterations: Swift.min(workers, count)) { _ in
                    while let index = order.claim() {
                        order.finish(index, Result { try shared.body(index) }, shared.fold)
                    }
                }
            }
        }
        if let failure = order.failure { throw failure }
    }

    /// `a` and `b`, side by side when `concurrently` (each on its own thread), else one after
    /// the other.
    public static func both<A, B>(_ a: () throws -> A, _ b: () throws -> B, concurrently: Bool) throws -> (A, B) {
        guard concurrently else { return (try a(), try b()) }
        let results = try map(2, workers: 2) { index -> Either<A, B> in index == 0 ? .first(try a()) : .second(try b()) }
        guard case .first(let x) = results[0], case .second(let y) = results[1] else { throw ConcurrentWorkError.missingResult }
        return (x, y)
    }

    /// `body` on this thread while `background` runs on a thread of its own, then waits for
    /// both; the first error is `body`'s, else `background`'s. Unlike `both`, `body` does not
    /// run inside a concurrent loop, where libdispatch would narrow the loops `body` starts
    /// itself; and `background` does not hold one of libdispatch's worker threads, so a loop
    /// `body` starts meanwhile still gets every worker (the kernel shares the cores out).
    public static func run<T>(_ body: () throws -> T, alongside background: @escaping () throws -> Void) throws -> T {
        let task = BackgroundTask(background)
        let done = DispatchSemaphore(value: 0)
        Thread {
            task.run()
            done.signal()
        }.start()
        let result = Result { try body() }
        done.wait()
        let value = try result.get()
        try task.failure.map { throw $0 }
        return value
    }
}

/// A closure run once on another thread, and the error it threw; read only after it has run.
private final class BackgroundTask: @unchecked Sendable {
    private let work: () throws -> Void
    private(set) var failure: (any Error)?
    init(_ work: @escaping () throws -> Void) { self.work = work }
    func run() {
        do { try work() } catch { failure = error }
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

/// Hands non-escaping closures to the workers of one `concurrentPerform`, which all return
/// before the closures' scope ends.
private struct UncheckedBody<T, State>: @unchecked Sendable {
    let body: (Int, inout State) throws -> T
    let state: () -> State
    init(_ body: @escaping (Int, inout State) throws -> T, _ state: @escaping () -> State) {
        self.body = body
        self.state = state
    }
}

/// The next unclaimed index, for workers taking indices one at a time.
private final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    func next(below count: Int) -> Int? {
        let index = value.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
}

/// The closures of one `forEachInOrder`, whose workers all return before their scope ends.
private struct UncheckedFold<T>: @unchecked Sendable {
    let body: (Int) throws -> T
    let fold: (Int, T) throws -> Void
    init(_ body: @escaping (Int) throws -> T, _ fold: @escaping (Int, T) throws -> Void) {
        self.body = body
        self.fold = fold
    }
}

/// Indices handed out in order, and results folded in order, under one lock.
private final class InOrder<T>: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var claimed = 0
    private var folded = 0
    private var finished: [Int: Result<T, any Error>] = [:]
    /// Read once every worker has returned.
    private(set) var failure: (any Error)?

    init(count: Int) { self.count = count }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil, claimed < count else { return nil }
        claimed += 1
        return claimed - 1
    }

    func finish(_ index: Int, _ result: Result<T, any Error>, _ fold: (Int, T) throws -> Void) {
        lock.lock()
        defer { lock.unlock() }
        finished[index] = result
        while failure == nil, let ready = finished.removeValue(forKey: folded) {
            do {
                try fold(folded, try ready.get())
            } catch {
                failure = error
            }
            folded += 1
        }
    }
}
