import Foundation
import Synchronization

/// Continues recorded runs exactly once: what a service runs next to a store
/// so that runs outlive the processes that started them (SPEC §9 "Continuing").
///
/// ```swift
/// let worker = Worker(store: store, workflows: [try AnyWorkflow(RefundWorkflow())])
/// let service = Task { try await worker.run() }   // until cancelled
/// // …
/// service.cancel()   // graceful: the running step finishes and is recorded, the run is let go
/// ```
///
/// A worker continues two kinds of runs of its registered workflows:
/// - a run waiting at a gate whose request is decided (by anyone, or by the
///   deadline, which the worker applies itself) and whose owner let go of it
///   or stopped renewing its lease;
/// - a run left running by a process that died (its lease ran out): from its
///   last recorded step. A step that was recorded never runs again; the step
///   the dead process was in runs again (at least once, for that one step).
///
/// Each continue claims the run with a guarded update that fences out any
/// earlier owner, then runs its remaining steps, recording each under the
/// worker's lease. At a later gate the worker writes the request and lets the
/// run go (it does not wait), unless its own ``approvalHandler`` decides.
///
/// A run whose workflow's definition fingerprint differs from the registered
/// one is never claimed: the store lists it, and ``Event/definitionChanged(run:registeredFingerprint:)``
/// reports it once.
///
/// Several workers (in one process or many) may serve one store: each run is
/// continued by exactly one of them. A worker continues one run at a time.
public final class Worker: Sendable {
    /// What a worker did, as it happens (for logs and tests).
    public enum Event: Sendable {
        /// A run was continued here; the result says how far it got (paused again, succeeded, failed,
        /// or `running` when the worker stopped and handed it back).
        case continued(WorkflowResult<AnyState>)
        /// Requests whose deadlines passed were decided with their default outcomes.
        case deadlinesApplied([DecisionRecord])
        /// A run of a registered workflow whose definition changed: shown in the store, not continued.
        case definitionChanged(run: RunRecord, registeredFingerprint: String)
        /// The store failed; the worker tries again after ``Worker/pollInterval``.
        case storeFailed(StoreError)
    }

    /// What resuming a checkpoint through the store came to (see ``resume(_:decision:)``).
    public enum ResumeOutcome: Sendable {
        /// The decision won and this worker continued the run: its result.
        case continued(WorkflowResult<AnyState>)
        /// The decision won, but another worker claimed the run first and continues it.
        case continuedElsewhere(RunRecord)
        /// Nothing was decided or run: why ("Already decided by X at T", "already resumed"),
        /// and the decision that won before, if one did.
        case refused(reason: String, winner: DecisionRecord?)
    }

    /// The store the worker serves.
    public let store: any RunStore
    /// The owner id the worker claims runs with (unique per worker).
    public let owner: String
    /// How long a claimed run's lease lasts without renewal.
    public let leaseDuration: Duration
    /// How often ``run()`` looks for work when nothing in the store changed
    /// (lapsed leases and passed deadlines change nothing in it).
    public let pollInterval: Duration
    /// Decides the requests of runs this worker continues, if set; without
    /// one, the worker writes the request and lets the run go.
    public let approvalHandler: ApprovalHandler?

    private let workflows: [String: AnyWorkflow]
    private let hooks: [WorkflowHook]
    private let onEvent: @Sendable (Event) -> Void
    private let reportedChanges = Mutex<Set<String>>([])
    /// When runs were last listed for changed definitions (a listing per pass would cost every decision).
    private let lastChangeScan = Mutex<ContinuousClock.Instant?>(nil)
    /// Called at named points; the crash tests kill the process there.
    package let crashPoint: (@Sendable (String) -> Void)?

    /// A worker for `workflows` on `store`.
    ///
    /// Its `owner` id must be unique per worker (the default is); `hooks` are
    /// the hooks of the runs it continues; `onEvent` is told of every run
    /// continued, deadline applied, changed definition and store failure.
    public convenience init(
        store: any RunStore, workflows: [AnyWorkflow], owner: String = RunLease.makeOwnerID(),
        leaseDuration: Duration = .seconds(30), pollInterval: Duration = .seconds(1),
        approvalHandler: ApprovalHandler? = nil, hooks: [WorkflowHook] = [],
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.init(
            store: store, workflows: workflows, owner: owner, leaseDuration: leaseDuration,
            pollInterval: pollInterval, approvalHandler: approvalHandler, hooks: hooks, onEvent: onEvent,
            crashPoint: nil)
    }

    /// A worker for every workflow of `catalog`.
    public convenience init(
        store: any RunStore, catalog: WorkflowCatalog, owner: String = RunLease.makeOwnerID(),
        leaseDuration: Duration = .seconds(30), pollInterval: Duration = .seconds(1),
        approvalHandler: ApprovalHandler? = nil, hooks: [WorkflowHook] = [],
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.init(
            store: store, workflows: catalog.entries.map(\.workflow), owner: owner, leaseDuration: leaseDuration,
            pollInterval: pollInterval, approvalHandler: approvalHandler, hooks: hooks, onEvent: onEvent)
    }

    package init(
        store: any RunStore, workflows: [AnyWorkflow], owner: String, leaseDuration: Duration,
        pollInterval: Duration, approvalHandler: ApprovalHandler?, hooks: [WorkflowHook],
        onEvent: @escaping @Sendable (Event) -> Void, crashPoint: (@Sendable (String) -> Void)?
    ) {
        self.store = store
        self.workflows = Dictionary(workflows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.approvalHandler = approvalHandler
        self.hooks = hooks
        self.onEvent = onEvent
        self.crashPoint = crashPoint
    }

    /// The registered workflows by name, with the fingerprints runs must have to be continued.
    public var fingerprints: [String: String] {
        workflows.mapValues(\.fingerprint)
    }

    // MARK: Serving

    /// Continues claimable runs until the task running it is cancelled.
    ///
    /// It wakes on every change to the store (a decision from any process) and
    /// every ``pollInterval``. Cancelling it is graceful: it claims nothing
    /// more, lets the step that is running finish and be recorded, lets go of
    /// the run, and returns. Store failures that may pass (a busy or
    /// unreachable store) are reported and retried; others are thrown.
    public func run() async throws {
        while !Task.isCancelled {
            do {
                let token = try await store.changeToken()
                _ = try await runPending()
                _ = try await store.nextChange(after: token, timeout: pollInterval)
            } catch is CancellationError {
                return
            } catch let error as StoreError where error.code == .unavailable {
                onEvent(.storeFailed(error))
                do {
                    try await Task.sleep(for: pollInterval)
                } catch {
                    return
                }
            }
        }
    }

    /// One pass: applies passed deadlines, then continues every run it can
    /// claim, one after another; returns their results.
    ///
    /// Stops claiming once its task is cancelled.
    @discardableResult
    public func runPending() async throws -> [WorkflowResult<AnyState>] {
        let applied = try await store.decideExpiredApprovals()
        if !applied.isEmpty { onEvent(.deadlinesApplied(applied)) }
        var results: [WorkflowResult<AnyState>] = []
        let wanted = fingerprints
        while !Task.isCancelled,
            let claimed = try await store.claimNextRun(owner: owner, workflows: wanted, leaseDuration: leaseDuration)
        {
            results.append(await drive(claimed))
        }
        try await reportChangedDefinitions()
        return results
    }

    /// Claims run `runID` and continues it (the command line's "continue this run").
    ///
    /// Throws ``StoreError`` when it cannot be claimed: ``StoreError/Code/notClaimable``
    /// while its request is pending, ``StoreError/Code/leaseHeld`` while its
    /// owner lives, ``StoreError/Code/runFinished``, ``StoreError/Code/runNotFound``;
    /// and an ``ApprovalResumeError`` naming the workflow when it is not
    /// registered or its definition changed.
    public func continueRun(_ runID: String) async throws -> WorkflowResult<AnyState> {
        guard let run = try await store.run(runID) else { throw StoreError.runNotFound(runID) }
        guard let workflow = workflows[run.workflowName] else {
            throw ApprovalResumeError(
                "Run \(runID) belongs to workflow '\(run.workflowName)', which this worker does not have.")
        }
        guard workflow.fingerprint == run.definitionFingerprint else {
            throw ApprovalResumeError(Self.changedMessage(run, registered: workflow.fingerprint))
        }
        return await drive(try await store.claimRun(runID, owner: owner, leaseDuration: leaseDuration))
    }

    /// Resumes a checkpoint (a JSON file's bytes) through the store, exactly once.
    ///
    /// The paused run is imported into the store (nothing is written if the
    /// store has it already), `decision` is submitted through the guarded
    /// transaction as the decision of its ``ApprovalDecision/decidedBy`` (the
    /// OS user when `nil`; claimed when it names someone else), and only if it
    /// wins is the run claimed and continued here. A second resume of the same
    /// checkpoint is ``ResumeOutcome/refused(reason:winner:)`` with "Already
    /// decided by X at T"; nothing runs twice.
    ///
    /// Throws an ``ApprovalResumeError`` when the checkpoint cannot be read,
    /// names a workflow this worker does not have, or its definition changed.
    public func resume(checkpoint data: Data, decision: ApprovalDecision) async throws -> ResumeOutcome {
        struct Header: Decodable {
            let workflowName: String
            enum CodingKeys: String, CodingKey { case workflowName = "workflow_name" }
        }
        let name: String
        do {
            name = try StepFlowJSON.decoder.decode(Header.self, from: data).workflowName
        } catch {
            throw ApprovalResumeError("The checkpoint is not valid JSON (corrupt or truncated file).", cause: error)
        }
        guard let workflow = workflows[name] else {
            throw ApprovalResumeError("The checkpoint belongs to workflow '\(name)', which this worker does not have.")
        }
        return try await resume(workflow.checkpoint(json: data), decision: decision)
    }

    /// Resumes a checkpoint read already (see ``resume(checkpoint:decision:)``).
    public func resume(_ checkpoint: ApprovalPause<AnyState>, decision: ApprovalDecision) async throws
        -> ResumeOutcome
    {
        guard let workflow = workflows[checkpoint.workflowName] else {
            throw ApprovalResumeError(
                "The checkpoint belongs to workflow '\(checkpoint.workflowName)', which this worker does not have.")
        }
        let signal = StopSignal()
        let options = runOptions(stop: signal)
        let task = Task { [store] in
            await workflow.resumeThroughStore(checkpoint, decision: decision, store: store, options: options)
        }
        let outcome = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            signal.stop()
        }
        switch outcome {
        case .continued(let result):
            onEvent(.continued(result))
            return .continued(result)
        case .continuedElsewhere(let run):
            return .continuedElsewhere(run)
        case .refused(let reason, let winner):
            return .refused(reason: reason, winner: winner)
        }
    }

    // MARK: Continuing

    /// Continues a claimed run in a task of its own: cancelling the worker must
    /// not cancel the step that is running, only stop the run before the next.
    private func drive(_ claimed: ClaimedRun) async -> WorkflowResult<AnyState> {
        crashPoint?("worker.afterClaim")
        guard let workflow = workflows[claimed.run.workflowName] else {
            // claimNextRun only returns registered workflows; claimRun was checked by the caller.
            preconditionFailure("a worker claimed a run of an unregistered workflow")
        }
        let signal = StopSignal()
        let options = runOptions(stop: signal)
        let task = Task { await workflow.continueRun(claimed, options: options) }
        let result = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            signal.stop()
        }
        onEvent(.continued(result))
        return result
    }

    private func runOptions(stop: StopSignal) -> RunOptions {
        var options = RunOptions(
            store: store, approvalHandler: approvalHandler, hooks: hooks, pauseOnApproval: true,
            leaseDuration: leaseDuration)
        options.owner = owner
        options.stopSignal = stop
        options.crashPoint = crashPoint
        return options
    }

    /// Reports, once each, unfinished runs of registered workflows whose definition changed.
    private func reportChangedDefinitions() async throws {
        let now = ContinuousClock.now
        let due = lastChangeScan.withLock { last in
            guard last.map({ now - $0 >= pollInterval * 10 }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let unfinished = try await store.runs(RunFilter(statuses: [.running, .waiting, .paused], limit: 1_000))
        for run in unfinished {
            guard let workflow = workflows[run.workflowName], workflow.fingerprint != run.definitionFingerprint
            else { continue }
            guard reportedChanges.withLock({ $0.insert(run.id).inserted }) else { continue }
            onEvent(.definitionChanged(run: run, registeredFingerprint: workflow.fingerprint))
        }
    }

    /// Why a run of a changed workflow is not continued.
    static func changedMessage(_ run: RunRecord, registered: String) -> String {
        "Workflow '\(run.workflowName)' has changed since run \(run.id) was recorded (fingerprint "
            + "\(run.definitionFingerprint), now \(registered)); it is not continued: continue it with the "
            + "definition that started it."
    }
}
