import Foundation
import Synchronization

/// How a recorded run's gate gets its decision from the store: an in-process
/// handler's answer submitted like any console's, racing decisions made
/// elsewhere; a plain wait; or a pause.
enum StoreGate {
    /// What the gate goes on with.
    enum Answer {
        /// The winning decision, and the handler's metadata when the handler's own answer won.
        case decided(DecisionRecord, metadata: [String: JSONValue])
        /// Pause: leave the request pending for a worker.
        case pause
        /// The handler threw, the run was cancelled, or the store failed.
        case failed(any Error)
    }

    /// Waits for the decision of `request` (written already, with `stateHash`).
    ///
    /// - With a handler, it is asked while the store is watched: whichever
    ///   comes first wins. The handler's answer goes through ``RunStore/decide(_:)``;
    ///   if someone decided first, their decision is the one applied. If the
    ///   store refuses the handler's approver (not allowed, or the starter
    ///   approving), the refusal is logged and the wait goes on for an allowed
    ///   decision. A decision made elsewhere first cancels the handler's task.
    /// - Without one: pause in pause mode, else wait for the store's decision.
    static func decision(
        for request: ApprovalRequest, stateHash: String, store: any RunStore, options: RunOptions
    ) async -> Answer {
        guard let requestID = request.requestID else { return .failed(StoreError.requestNotFound("")) }
        guard let handler = options.approvalHandler else {
            if options.pauseOnApproval && options.canPause { return .pause }
            do {
                return .decided(try await store.waitForDecision(on: requestID), metadata: [:])
            } catch {
                return .failed(error)
            }
        }
        let waiting = Task { try await store.waitForDecision(on: requestID) }
        let asking = Task { try await handler.answer(request) }
        defer {
            waiting.cancel()
            asking.cancel()
        }
        let given: ApprovalDecision
        switch await firstOf(asking, waiting) {
        case .second(.success(let record)):
            return .decided(record, metadata: [:])
        case .second(.failure(let error)), .first(.failure(let error)):
            return .failed(error)
        case .first(.success(.postponed)):
            guard options.canPause else {
                return .failed(
                    ApprovalRequiredError(
                        "Approval for step '\(request.stepName)' was postponed, but a child workflow cannot pause."))
            }
            return .pause
        case .first(.success(.decided(let decision))):
            given = decision
        }
        let approver = given.decidedBy ?? ProcessIdentity.userName
        let source =
            given.identitySource.flatMap { $0 == .timeout ? nil : $0 }
            ?? (approver == ProcessIdentity.userName ? .osUser : .claimed)
        do {
            let result = try await store.decide(
                DecisionDraft(
                    requestID: requestID, outcome: given.approved ? .approve : .deny, reason: given.reason,
                    approver: approver, identitySource: source, seenStateHash: stateHash))
            if let record = result.decision {
                return .decided(record, metadata: result.isRecorded ? given.metadata : [:])
            }
            let record = try await withTaskCancellationHandler {
                try await waiting.value
            } onCancel: {
                waiting.cancel()
            }
            return .decided(record, metadata: [:])
        } catch {
            return .failed(error)
        }
    }
}

/// Which of two tasks finished first, with its result.
enum FirstOf<A: Sendable, B: Sendable>: Sendable {
    case first(Result<A, any Error>)
    case second(Result<B, any Error>)
}

/// Waits for the first of two tasks to finish; the other keeps running (the caller cancels it).
///
/// Unlike a task group, it never waits for the loser, so a
/// handler that ignores cancellation (a blocked prompt) cannot hold the run.
/// Cancelling the waiting task cancels both.
func firstOf<A: Sendable, B: Sendable>(_ a: Task<A, any Error>, _ b: Task<B, any Error>) async -> FirstOf<A, B> {
    let slot = ContinuationSlot<FirstOf<A, B>>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            slot.fill(continuation)
            Task { slot.resume(returning: .first(await a.result)) }
            Task { slot.resume(returning: .second(await b.result)) }
        }
    } onCancel: {
        a.cancel()
        b.cancel()
    }
}

/// A continuation resumed once, by whichever caller comes first.
private final class ContinuationSlot<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    func fill(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(returning value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}

extension ApprovalDecision {
    /// The decision a store recorded, as a step records it: outcome, reason,
    /// approver, time, how the approver is known, and the receipt.
    public init(_ record: DecisionRecord, metadata: [String: JSONValue] = [:]) {
        self.init(
            approved: record.outcome == .approve, reason: record.reason, metadata: metadata,
            decidedBy: record.approver, decidedAt: record.decidedAt, identitySource: record.identitySource,
            receipt: record.receipt)
    }
}

extension WorkflowDefinition {
    /// What happens after the gate at `index` either way, as approvers are shown it.
    ///
    /// If approved: the steps that run, in order, to END; a routed step shows
    /// its branches and the preview stops there (the route is chosen when it
    /// runs); later gated steps are marked; long paths are cut after eight
    /// steps. If denied: the run fails at the gated step.
    public func routePreview(forGateAt index: Int) -> RoutePreview {
        let denied = "the run fails at \(plans[index].name)"
        var path: [String] = []
        var current = index
        while current < plans.count {
            let plan = plans[current]
            let label = current != index && plan.approval != nil ? "\(plan.name) (approval)" : plan.name
            if let routes = steps[current].routes {
                let branches = routes.map { route -> String in
                    switch route.target {
                    case .end: "\(route.key): END"
                    case .step(let target): "\(route.key): \(target)"
                    }
                }
                path.append("\(label) → (\(branches.joined(separator: " | ")))")
                return RoutePreview(ifApproved: path.joined(separator: " → "), ifDenied: denied)
            }
            if path.count == 8 {
                path.append("…")
                return RoutePreview(ifApproved: path.joined(separator: " → "), ifDenied: denied)
            }
            path.append(label)
            current += 1
        }
        path.append("END")
        return RoutePreview(ifApproved: path.joined(separator: " → "), ifDenied: denied)
    }
}
