import Foundation
import GRDB
import StepFlow
import Synchronization

/// Learns of commits by any connection of any process by polling SQLite's
/// change counter (`PRAGMA data_version`) on a connection of its own.
///
/// GRDB's observation sees only this process's writes, so the counter is the
/// ground truth. The poll is a few microseconds and needs no lock on the
/// database; it runs only while someone waits. This process's own writes wake
/// waiters at once (``noteWrite()``) instead of at the next poll.
final class ChangeMonitor: Sendable {
    private struct Waiter {
        let after: UInt64
        let deadline: ContinuousClock.Instant?
        let continuation: CheckedContinuation<ChangeToken, any Error>
    }

    private struct State {
        var connection: DatabaseQueue?
        var generation: UInt64 = 0
        var dataVersion: Int64?
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiterID: UInt64 = 0
        var isPolling = false
    }

    private let path: String
    private let interval: Duration
    private let state = Mutex(State())

    init(path: String, interval: Duration) {
        self.path = path
        self.interval = interval
    }

    /// The token for the file's contents now.
    func token() throws -> ChangeToken {
        try poll()
        return state.withLock { ChangeToken($0.generation) }
    }

    /// Returns once the counter moves past `token`, or `timeout` passes.
    func next(after token: ChangeToken, timeout: Duration?) async throws -> ChangeToken {
        try poll()
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let ready: ChangeToken? = state.withLock { state in
            state.generation > token.value || timeout.map({ $0 <= .zero }) == true ? ChangeToken(state.generation) : nil
        }
        if let ready { return ready }
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let startPolling = state.withLock { state in
                    state.waiters[id] = Waiter(after: token.value, deadline: deadline, continuation: continuation)
                    defer { state.isPolling = true }
                    return !state.isPolling
                }
                // A cancellation that came before the waiter was registered found nothing to cancel.
                if Task.isCancelled { cancel(id) }
                if startPolling { startPollLoop() }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// This process committed: wake its waiters now rather than at the next poll.
    func noteWrite() {
        guard state.withLock({ !$0.waiters.isEmpty }) else { return }
        try? poll()
    }

    private func cancel(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
    }

    private func startPollLoop() {
        Task { [interval] in
            while true {
                try? await Task.sleep(for: interval)
                if !tick() { return }
            }
        }
    }

    /// One poll: wakes whoever is due; says whether anyone still waits.
    private func tick() -> Bool {
        do {
            try poll()
        } catch {
            let failed = state.withLock { state in
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            for waiter in failed { waiter.continuation.resume(throwing: error) }
        }
        let now = ContinuousClock.now
        let (expired, generation, keepPolling) = state.withLock { state in
            let expired = state.waiters.filter { $0.value.deadline.map { $0 <= now } ?? false }
            for id in expired.keys { state.waiters[id] = nil }
            state.isPolling = !state.waiters.isEmpty
            return (Array(expired.values), state.generation, state.isPolling)
        }
        for waiter in expired { waiter.continuation.resume(returning: ChangeToken(generation)) }
        return keepPolling
    }

    /// Reads the counter; when it moved, advances the generation and wakes the waiters it passes.
    private func poll() throws {
        let connection = try state.withLock { state in
            if let connection = state.connection { return connection }
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "StepFlow.ChangeMonitor"
            let connection = try DatabaseQueue(path: path, configuration: configuration)
            state.connection = connection
            return connection
        }
        let version = try connection.inDatabase { db in
            try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        }
        let woken: [(CheckedContinuation<ChangeToken, any Error>, UInt64)] = state.withLock { state in
            defer { state.dataVersion = version }
            guard let previous = state.dataVersion, previous != version else { return [] }
            state.generation += 1
            let due = state.waiters.filter { $0.value.after < state.generation }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map { ($0.continuation, state.generation) }
        }
        for (continuation, generation) in woken { continuation.resume(returning: ChangeToken(generation)) }
    }
}
