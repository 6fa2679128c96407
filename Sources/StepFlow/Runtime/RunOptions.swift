/// How a run is driven: who approves, who listens, whether approvals pause, and
/// where the run is recorded.
///
/// A run with no ``store`` behaves exactly as SPEC §1–8 say. A run given a
/// store is recorded in it (SPEC §9):
///
/// ```swift
/// let store = try SQLiteRunStore.openDefault()
/// let result = await RefundWorkflow().run(state, options: RunOptions(store: store, startedBy: "ana"))
/// ```
///
/// - its row (workflow, definition fingerprint, state, owner and lease, who
///   started it) is written before the first step; each finished step (state,
///   next step, result, route trace) and the events up to it are written in
///   one transaction before the next step starts; the finish writes the final
///   state and status. A step's events reach the audit log with its record, so
///   a step still running shows in the run's ``RunRecord/stepIndex``, not yet in
///   its log;
/// - at a gated step, the approval request is written before any hook or
///   handler hears of it, and the run waits for the store's decision (see
///   ``ApprovalHandler`` for how an in-process handler takes part, and
///   ``pauseOnApproval`` for handing the wait over to a ``Worker``);
/// - while it runs, the lease is renewed every third of ``leaseDuration``; a
///   process that dies stops renewing, and once the lease runs out a ``Worker``
///   continues the run from its last recorded step. A step that finished is
///   never run again; the step the process died in runs again (at least once).
///
/// **When the store refuses a write.** If another process has taken the run
/// over (``StoreError/Code/fencedOut``), the run was cancelled
/// (``StoreError/Code/runFinished``), or the store cannot be written, this
/// process stops driving the run at once and writes nothing more to it: no
/// later step starts here, and the returned result is `failed` with that
/// ``StoreError`` as its error (a step that ran but could not be recorded keeps
/// its result in ``WorkflowResult/steps``, and will run again wherever the run
/// continues). Hooks still see `workflowFinished` for the local result. A run
/// whose row cannot be created (a duplicate id, an unusable store) runs no
/// step and emits no event.
///
/// Child workflows started from a recorded run are not recorded on their own:
/// their results are part of the parent step's recorded result.
public struct RunOptions: Sendable {
    /// Decides approval requests; without one, gated steps fail or pause (or,
    /// in a recorded run, wait for a decision in the store).
    public var approvalHandler: ApprovalHandler?
    /// Lifecycle hooks, called in this order for every event.
    public var hooks: [WorkflowHook]
    /// Whether a gated step with no handler pauses the run (with a checkpoint)
    /// instead of failing it.
    ///
    /// In a recorded run the request stays pending in the store, the run's
    /// lease is released, and a ``Worker`` continues the run once it is
    /// decided; the checkpoint is still returned, as an export.
    public var pauseOnApproval: Bool
    /// Where the run is recorded; `nil` (the default) records nothing.
    public var store: (any RunStore)?
    /// Who started the run; `nil` means the OS user of this process.
    ///
    /// It is recorded with the run, and refused as approver by gates that refuse self-approval.
    public var startedBy: String?
    /// How long a recorded run's lease lasts without renewal: how long after
    /// this process dies a ``Worker`` may take the run over.
    public var leaseDuration: Duration
    /// The owner written on a recorded run; `nil` means this process's id
    /// (``ProcessIdentity/ownerID``).
    public var owner: String?

    /// Where events also go (the handle's stream; children share their parent's).
    var eventStream: EventSink?
    /// A run id chosen before the run starts (for handles and child events).
    var runID: String?
    /// Whether the run may pause; child workflows cannot, having no checkpoint of their own.
    var canPause = true
    /// A random number in 0..<1 for backoff jitter; replaceable in tests.
    var randomUnit: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// Waits a retry delay; replaceable in tests, so they check the delays asked for without waiting.
    ///
    /// Child workflows share their parent's.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// The recorded run's link to its store, made by the engine for each run.
    var recorder: RunRecorder?
    /// Set by a ``Worker`` that is shutting down: the run stops before its next step.
    var stopSignal: StopSignal?
    /// Called at named points of a recorded run; the crash tests kill the process there.
    package var crashPoint: (@Sendable (String) -> Void)?

    /// Creates run options for a run that is not recorded.
    public init(approvalHandler: ApprovalHandler? = nil, hooks: [WorkflowHook] = [], pauseOnApproval: Bool = false) {
        self.approvalHandler = approvalHandler
        self.hooks = hooks
        self.pauseOnApproval = pauseOnApproval
        self.leaseDuration = .seconds(30)
    }

    /// Creates run options for a run recorded in `store`, started by `startedBy`
    /// (`nil`: the OS user), with a lease of `leaseDuration`.
    public init(
        store: any RunStore, startedBy: String? = nil, approvalHandler: ApprovalHandler? = nil,
        hooks: [WorkflowHook] = [], pauseOnApproval: Bool = false, leaseDuration: Duration = .seconds(30)
    ) {
        self.init(approvalHandler: approvalHandler, hooks: hooks, pauseOnApproval: pauseOnApproval)
        self.store = store
        self.startedBy = startedBy
        self.leaseDuration = leaseDuration
    }

    var emitter: EventEmitter {
        EventEmitter(hooks: hooks, stream: eventStream, recorder: recorder)
    }
}
