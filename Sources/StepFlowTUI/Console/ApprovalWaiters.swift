import StepFlow
import Synchronization

/// The approval handlers of the console's runs, waiting for the operator.
///
/// A handler registers itself and tells the loop with an `.approvalNeeded`
/// message. A run can ask before the loop has heard that it started (the engine
/// runs as soon as it is started), so its messages are held until the run is
/// announced: the loop always sees `.runStarted` first.
final class ApprovalWaiters: Sendable {
    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<ApprovalAnswer, Never>] = [:]
        /// The run each waiting handler belongs to.
        var runKeys: [Int: Int] = [:]
        var announced: Set<Int> = []
        var held: [Int: [ConsoleMessage]] = [:]
        /// Asks whose task was cancelled before they began waiting.
        var withdrawn: Set<Int> = []
        /// Set on shutdown: a request that comes later is postponed at once.
        var closed = false
    }

    private let state = Mutex(State())
    private let inbox: ConsoleInbox

    init(inbox: ConsoleInbox) {
        self.inbox = inbox
    }

    /// For a run's approval handler: asks the operator and waits for the answer.
    ///
    /// A recorded run cancels the ask when the request was decided elsewhere
    /// first: the ask then ends (postponed, which the run ignores), and the
    /// run's `approvalDecided` event closes the prompt.
    func ask(_ request: ApprovalRequest, runKey: Int) async -> ApprovalAnswer {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    guard !state.closed, state.withdrawn.remove(id) == nil else { return false }
                    let message = ConsoleMessage.approvalNeeded(runKey: runKey, approvalID: id, request)
                    state.waiting[id] = continuation
                    state.runKeys[id] = runKey
                    if state.announced.contains(runKey) {
                        inbox.post(message)
                    } else {
                        state.held[runKey, default: []].append(message)
                    }
                    return true
                }
                if !open { continuation.resume(returning: .postponed) }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                let waiting = state.waiting.removeValue(forKey: id)
                state.runKeys[id] = nil
                if waiting == nil { state.withdrawn.insert(id) }
                return waiting
            }
            continuation?.resume(returning: .postponed)
        }
    }

    /// Called once `.runStarted` of the run is posted: its held requests follow it.
    func announce(runKey: Int) {
        state.withLock { state in
            state.announced.insert(runKey)
            for message in state.held.removeValue(forKey: runKey) ?? [] { inbox.post(message) }
        }
    }

    /// Answers the handler waiting with this id (if it still waits).
    func answer(_ approvalID: Int, with answer: ApprovalAnswer) {
        let continuation = state.withLock { state in
            state.runKeys[approvalID] = nil
            return state.waiting.removeValue(forKey: approvalID)
        }
        continuation?.resume(returning: answer)
    }

    /// How many handlers wait for an answer.
    var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }

    /// Postpones every waiting handler and every later one, and returns the keys of their runs.
    ///
    /// Those runs pause and save their checkpoints on the way out, so they must
    /// not also be cancelled: a cancellation racing the postponement could fail
    /// the run instead of pausing it.
    @discardableResult
    func postponeAll() -> Set<Int> {
        let (pending, runKeys) = state.withLock { state in
            state.closed = true
            defer {
                state.waiting = [:]
                state.runKeys = [:]
            }
            return (Array(state.waiting.values), Set(state.runKeys.values))
        }
        for continuation in pending { continuation.resume(returning: .postponed) }
        return runKeys
    }
}
