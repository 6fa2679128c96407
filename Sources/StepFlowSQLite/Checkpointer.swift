import Dispatch
import GRDB
import Synchronization

/// Copies the WAL back into the database file on a thread of its own, so that
/// no write waits for a checkpoint's fsyncs.
///
/// In WAL mode with `synchronous = NORMAL` a commit appends to the WAL and
/// syncs nothing; the syncs happen when the WAL is checkpointed into the
/// database file, which SQLite does by default inside the commit that takes
/// the WAL past 1,000 pages: on a busy disk that one commit of a run's step
/// then takes tens of milliseconds. Here every `every`-th commit of this store
/// starts a passive checkpoint (it never blocks writers or readers) on a
/// connection of its own, and the writer's automatic checkpoint is left only
/// as a fallback at a larger WAL (``fallbackPages``).
final class Checkpointer: Sendable {
    /// The writer's automatic checkpoint, kept for when the background one cannot keep up.
    static let fallbackPages = 10_000

    private struct State {
        var commits = 0
        var running = false
        var connection: DatabaseQueue?
    }

    private let path: String
    private let every: Int
    private let state = Mutex(State())

    init(path: String, every: Int = 256) {
        self.path = path
        self.every = every
    }

    /// A commit happened; every `every`-th one starts a checkpoint unless one is running.
    func noteCommit() {
        let start = state.withLock { state -> Bool in
            state.commits += 1
            guard state.commits >= every, !state.running else { return false }
            state.commits = 0
            state.running = true
            return true
        }
        guard start else { return }
        DispatchQueue.global(qos: .utility).async { self.checkpoint() }
    }

    private func checkpoint() {
        defer { state.withLock { $0.running = false } }
        do {
            let connection = try state.withLock { state in
                if let connection = state.connection { return connection }
                var configuration = Configuration()
                configuration.label = "StepFlow.Checkpointer"
                let connection = try DatabaseQueue(path: path, configuration: configuration)
                state.connection = connection
                return connection
            }
            try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch {
            // Busy with another process's checkpoint, or the file went away: the writer's fallback remains.
        }
    }
}
