import Foundation

/// Where recorded runs, their audit logs, approval requests and decisions live,
/// shared by every process that opens the same store (SPEC §9).
///
/// The engine drives a recorded run through it like this:
///
/// ```swift
/// var lease = try await store.createRun(NewRun(…, owner: me, leaseDuration: .seconds(30)))
/// try await store.recordStep(StepRecord(nextStepIndex: 1, state: …, events: […]), lease: lease)
/// // A gated step: write the request before anyone is asked, then wait.
/// let request = try await store.requestApproval(draft, lease: lease)
/// let decision = try await store.waitForDecision(on: request.id, keeping: lease)
/// lease = try await store.claimRun(request.runID, owner: me, leaseDuration: .seconds(30)).lease
/// try await store.finishRun(RunCompletion(status: .succeeded, state: …), lease: lease)
/// ```
///
/// An in-process handler answers through ``decide(_:)`` like any console; a
/// ``DecisionResult/alreadyDecided(_:)`` answer means someone else won, and the
/// run continues with the winner's decision. A worker continues runs whose
/// owner is gone with ``claimNextRun(owner:workflows:leaseDuration:)``.
///
/// Every write that changes a run carries its ``RunLease`` and is refused with
/// ``StoreError/Code/fencedOut`` once someone else claimed the run. Errors
/// thrown are ``StoreError``s (and `CancellationError` from the waits).
public protocol RunStore: Sendable {
    /// The clock that stamps records and decides when deadlines pass and leases end.
    var clock: StoreClock { get }

    // MARK: Writing a run

    /// Creates a running run owned by `run.owner`, appending `run.events`; returns the owner's lease.
    func createRun(_ run: NewRun) async throws -> RunLease

    /// Records a finished step (state, next index, result, route trace) and its events in one transaction.
    func recordStep(_ step: StepRecord, lease: RunLease) async throws

    /// Appends events to the run's log, in order; returns them numbered.
    @discardableResult
    func appendEvents(_ events: [EventDraft], lease: RunLease) async throws -> [RunEvent]

    /// Writes an approval request and marks the run waiting on it, with `events`, in one transaction.
    func requestApproval(_ request: ApprovalRequestDraft, events: [EventDraft], lease: RunLease) async throws
        -> ApprovalRequestRecord

    /// Ends the run (succeeded or failed) and lets go of it.
    ///
    /// A waiting run may be finished too (its owner gave up on the gate: a
    /// hook or handler failed, its task was cancelled); a request still
    /// pending is closed (``ApprovalStatus/cancelled``).
    @discardableResult
    func finishRun(_ completion: RunCompletion, lease: RunLease) async throws -> RunRecord

    /// Records a run paused elsewhere (a checkpoint read from a file): waiting
    /// on a new pending request, owned by nobody, with its recorded steps, in
    /// one transaction.
    ///
    /// Idempotent by run id: if the store already has the run, nothing is
    /// written and the run is returned as it is (waiting, continued, finished).
    func importRun(_ run: ImportedRun) async throws -> RunRecord

    // MARK: Deciding

    /// Decides a request in one guarded transaction: exactly one decision wins (SPEC §9 "Deciding").
    ///
    /// A request whose deadline has passed is first decided by its default
    /// outcome, so a late decision gets ``DecisionResult/alreadyDecided(_:)``.
    func decide(_ decision: DecisionDraft) async throws -> DecisionResult

    /// Decides every pending request whose deadline has passed with its default
    /// outcome, through the same guarded statement; returns those decisions.
    @discardableResult
    func decideExpiredApprovals() async throws -> [DecisionRecord]

    // MARK: Ownership

    /// Claims a run to continue it: one whose request is decided, or one left
    /// running by an owner whose lease expired (or `owner`'s own).
    ///
    /// The version is bumped, fencing out the previous owner.
    func claimRun(_ runID: String, owner: String, leaseDuration: Duration) async throws -> ClaimedRun

    /// Claims the longest-waiting claimable run of the given workflows (name to
    /// definition fingerprint), if any; runs whose fingerprint differs are left.
    func claimNextRun(owner: String, workflows: [String: String], leaseDuration: Duration) async throws
        -> ClaimedRun?

    /// Extends a lease by `duration` from now.
    func renewLease(_ lease: RunLease, duration: Duration) async throws -> RunLease

    /// Lets go of a run without finishing it, so any worker may claim it at once.
    func releaseRun(_ lease: RunLease) async throws

    /// Cancels an unfinished run (no lease needed: anyone may), closing its pending request.
    @discardableResult
    func cancelRun(_ runID: String, by canceller: String, reason: String?) async throws -> RunRecord

    // MARK: Reading

    /// The run `runID`, if any.
    func run(_ runID: String) async throws -> RunRecord?

    /// Runs matching `filter`, newest first.
    func runs(_ filter: RunFilter) async throws -> [RunRecord]

    /// Every pending approval request, oldest first.
    func pendingApprovals() async throws -> [ApprovalRequestRecord]

    /// The approval request `requestID`, if any.
    func approvalRequest(_ requestID: String) async throws -> ApprovalRequestRecord?

    /// Every approval request of run `runID`, oldest first.
    func approvalRequests(of runID: String) async throws -> [ApprovalRequestRecord]

    /// The results of the run's recorded steps, in run order.
    func stepResults(of runID: String) async throws -> [StoredJSON]

    /// The run's events after sequence number `sequence`, in order, at most `limit`.
    func events(of runID: String, after sequence: Int, limit: Int?) async throws -> [RunEvent]

    /// The decision of request `requestID`, if it has one.
    func decision(for requestID: String) async throws -> DecisionRecord?

    // MARK: Changes

    /// A token for the store's contents now; take it *before* reading, then wait with ``nextChange(after:timeout:)``.
    func changeToken() async throws -> ChangeToken

    /// Waits until anything (this process or another) changes the store after
    /// `token`, or `timeout` passes; returns the token then.
    ///
    /// Waiting holds no lock. A change may wake it spuriously; re-read and wait again.
    func nextChange(after token: ChangeToken, timeout: Duration?) async throws -> ChangeToken
}

/// A position in a store's history of changes, for ``RunStore/nextChange(after:timeout:)``.
///
/// Tokens compare only within the store instance that gave them.
public struct ChangeToken: Sendable, Hashable, Comparable {
    /// The position: larger is later.
    public let value: UInt64

    /// A token at `value`.
    public init(_ value: UInt64) {
        self.value = value
    }

    /// Whether `lhs` is earlier than `rhs`.
    public static func < (lhs: ChangeToken, rhs: ChangeToken) -> Bool {
        lhs.value < rhs.value
    }
}

extension RunStore {
    /// Appends events to the run's log, in order.
    @discardableResult
    public func appendEvents(_ events: EventDraft..., lease: RunLease) async throws -> [RunEvent] {
        try await appendEvents(events, lease: lease)
    }

    /// Writes an approval request and marks the run waiting on it.
    public func requestApproval(_ request: ApprovalRequestDraft, lease: RunLease) async throws
        -> ApprovalRequestRecord
    {
        try await requestApproval(request, events: [], lease: lease)
    }

    /// The run's whole log after `sequence`.
    public func events(of runID: String, after sequence: Int = 0) async throws -> [RunEvent] {
        try await events(of: runID, after: sequence, limit: nil)
    }

    /// Waits for any change after `token`.
    public func nextChange(after token: ChangeToken) async throws -> ChangeToken {
        try await nextChange(after: token, timeout: nil)
    }

    /// Waits for request `requestID` to be decided and returns the decision.
    ///
    /// Wakes on every change to the store (a decision from any process), and
    /// at the request's deadline, which it then applies itself. With `lease`,
    /// renews it whenever half of `leaseDuration` has passed, so no worker
    /// takes the run over while its owner waits. Throws
    /// ``StoreError/Code/runFinished`` if the run is cancelled meanwhile.
    public func waitForDecision(
        on requestID: String, keeping lease: RunLease? = nil, leaseDuration: Duration = .seconds(30)
    ) async throws -> DecisionRecord {
        let renewalPeriod = leaseDuration / 2
        var nextRenewal = lease.map { _ in clock.now().addingTimeInterval(renewalPeriod.timeInterval) }
        while true {
            try Task.checkCancellation()
            let token = try await changeToken()
            if let decision = try await decision(for: requestID) { return decision }
            guard let request = try await approvalRequest(requestID) else {
                throw StoreError.requestNotFound(requestID)
            }
            if request.status == .cancelled {
                guard let run = try await run(request.runID) else { throw StoreError.runNotFound(request.runID) }
                throw StoreError.runFinished(run)
            }
            var now = clock.now()
            if let deadline = request.deadline, now >= deadline {
                try await decideExpiredApprovals()
                continue
            }
            if let lease, let due = nextRenewal, now >= due {
                _ = try await renewLease(lease, duration: leaseDuration)
                now = clock.now()
                nextRenewal = now.addingTimeInterval(renewalPeriod.timeInterval)
            }
            let wake = [request.deadline, nextRenewal].compactMap { $0 }.min()
            let timeout = wake.map { Duration.milliseconds(max(0, $0.storeMilliseconds - now.storeMilliseconds)) }
            _ = try await nextChange(after: token, timeout: timeout)
        }
    }

    /// Every change to the store, as tokens, until the task reading it is cancelled.
    public func changes() -> AsyncThrowingStream<ChangeToken, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var token = try await changeToken()
                    while true {
                        token = try await nextChange(after: token, timeout: nil)
                        continuation.yield(token)
                    }
                } catch {
                    continuation.finish(throwing: error is CancellationError ? nil : error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

extension Duration {
    /// The duration in seconds.
    package var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
