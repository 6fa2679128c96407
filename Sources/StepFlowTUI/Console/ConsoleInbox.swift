import Dispatch
import Synchronization

/// The console loop's inbox: messages from every thread (runs, effects, timers,
/// signals) in arrival order, and a wait that sleeps until a message comes, the
/// terminal says input is ready, or a time runs out.
final class ConsoleInbox: Sendable {
    private struct State {
        var messages: [ConsoleMessage] = []
        /// A wake that came while nobody waited: the next wait returns at once.
        var woken = false
        var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
        var waits = 0
    }

    private let state = Mutex(State())

    /// Adds a message and wakes the loop.
    func post(_ message: ConsoleMessage) {
        let waiter = state.withLock { state in
            state.messages.append(message)
            return state.waiter.take()
        }
        waiter?.continuation.resume()
    }

    /// Wakes the loop without a message (input may be ready).
    func wake() {
        let waiter = state.withLock { state in
            if state.waiter == nil { state.woken = true }
            return state.waiter.take()
        }
        waiter?.continuation.resume()
    }

    /// Every message so far, oldest first; the inbox is then empty.
    func takeAll() -> [ConsoleMessage] {
        state.withLock { state in
            defer { state.messages = [] }
            return state.messages
        }
    }

    /// Returns when a message is there or comes, on a wake, or after `timeout`
    /// (with none, only a message or a wake ends the wait).
    func wait(timeout: Duration?) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id: Int? = state.withLock { state in
                if !state.messages.isEmpty || state.woken {
                    state.woken = false
                    return nil
                }
                state.waits += 1
                state.waiter = (state.waits, continuation)
                return state.waits
            }
            guard let id else { return continuation.resume() }
            guard let timeout else { return }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                // Only this wait's own waiter: a later wait has its own deadline.
                let waiter = state.withLock { state in state.waiter?.id == id ? state.waiter.take() : nil }
                waiter?.continuation.resume()
            }
        }
    }
}
