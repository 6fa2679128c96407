/// How a run is driven: who approves, who listens, and whether approvals pause.
public struct RunOptions: Sendable {
    /// Decides approval requests; without one, gated steps fail or pause.
    public var approvalHandler: ApprovalHandler?
    /// Lifecycle hooks, called in this order for every event.
    public var hooks: [WorkflowHook]
    /// Whether a gated step with no handler pauses the run (with a checkpoint)
    /// instead of failing it.
    public var pauseOnApproval: Bool

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

    /// Creates run options.
    public init(approvalHandler: ApprovalHandler? = nil, hooks: [WorkflowHook] = [], pauseOnApproval: Bool = false) {
        self.approvalHandler = approvalHandler
        self.hooks = hooks
        self.pauseOnApproval = pauseOnApproval
    }

    var emitter: EventEmitter {
        EventEmitter(hooks: hooks, stream: eventStream)
    }
}
