import Foundation

/// Where a recorded run stands (SPEC §9).
public enum StoredRunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// An owner is running its steps (or will, once it claims it after a crash).
    case running
    /// Stopped at a gated step until its approval request is decided.
    case waiting
    /// Stopped at a gated step with a checkpoint exported for a later resume.
    case paused
    /// Finished without error.
    case succeeded
    /// Finished with an error.
    case failed
    /// Stopped for good by someone (see ``RunRecord/cancelledBy``).
    case cancelled

    /// Whether the run is over: no more steps, claims or decisions.
    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: true
        case .running, .waiting, .paused: false
        }
    }
}

/// A run as the store holds it: identity, progress, state and ownership.
public struct RunRecord: Sendable, Hashable, Codable {
    /// The run's id.
    public var id: String
    /// The workflow's name.
    public var workflowName: String
    /// The definition fingerprint the run was started with; a changed workflow does not continue it.
    public var definitionFingerprint: String
    /// Where the run stands.
    public var status: StoredRunStatus
    /// The step to run next (or the gated step a waiting run stopped at).
    public var stepIndex: Int
    /// The state after the last recorded step.
    public var state: StoredJSON
    /// The route trace so far.
    public var routeTrace: [RouteDecision]
    /// How many step results are recorded (see ``RunStore/stepResults(of:)``).
    public var stepCount: Int
    /// The approval request of the gate at ``stepIndex``, while that gate is open or decided but not yet passed.
    public var approvalRequestID: String?
    /// The process that runs it now, if any.
    public var owner: String?
    /// When the owner's lease ends; after that, another worker may claim the run.
    public var leaseExpiresAt: Date?
    /// Bumped by every claim, release, finish and cancel: the fencing token a lease carries.
    public var version: Int
    /// Who started the run (refused as approver when a request refuses self-approval).
    public var startedBy: String?
    /// Who cancelled the run, if it was cancelled.
    public var cancelledBy: String?
    /// The failure's message, or the cancellation's reason.
    public var error: String?
    /// How many events the run's audit log holds (the last event's sequence number).
    public var eventCount: Int
    /// When the run was created.
    public var createdAt: Date
    /// When the run's row last changed.
    public var updatedAt: Date
    /// When the run finished, if it has.
    public var finishedAt: Date?

    /// Creates a record (stores build these from their rows).
    public init(
        id: String, workflowName: String, definitionFingerprint: String, status: StoredRunStatus, stepIndex: Int,
        state: StoredJSON, routeTrace: [RouteDecision], stepCount: Int, approvalRequestID: String?,
        owner: String?, leaseExpiresAt: Date?, version: Int, startedBy: String?, cancelledBy: String?,
        error: String?, eventCount: Int, createdAt: Date, updatedAt: Date, finishedAt: Date?
    ) {
        self.id = id
        self.workflowName = workflowName
        self.definitionFingerprint = definitionFingerprint
        self.status = status
        self.stepIndex = stepIndex
        self.state = state
        self.routeTrace = routeTrace
        self.stepCount = stepCount
        self.approvalRequestID = approvalRequestID
        self.owner = owner
        self.leaseExpiresAt = leaseExpiresAt
        self.version = version
        self.startedBy = startedBy
        self.cancelledBy = cancelledBy
        self.error = error
        self.eventCount = eventCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id = "run_id"
        case workflowName = "workflow_name"
        case definitionFingerprint = "definition_fingerprint"
        case status
        case stepIndex = "step_index"
        case state
        case routeTrace = "route_trace"
        case stepCount = "step_count"
        case approvalRequestID = "approval_request_id"
        case owner
        case leaseExpiresAt = "lease_expires_at"
        case version
        case startedBy = "started_by"
        case cancelledBy = "cancelled_by"
        case error
        case eventCount = "event_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case finishedAt = "finished_at"
    }
}

/// What a run is created with.
public struct NewRun: Sendable {
    /// The run's id (the engine's run id).
    public var id: String
    /// The workflow's name.
    public var workflowName: String
    /// The workflow's definition fingerprint.
    public var definitionFingerprint: String
    /// The initial state.
    public var state: StoredJSON
    /// The process that runs it (see ``RunLease/owner``).
    public var owner: String
    /// How long the first lease lasts before another worker may take over.
    public var leaseDuration: Duration
    /// Who started it (an OS user name, for example).
    public var startedBy: String?
    /// Events to append with the row, in the same transaction (the run's start).
    public var events: [EventDraft]

    /// Describes a run to create.
    public init(
        id: String = UUID().uuidString.lowercased(), workflowName: String, definitionFingerprint: String,
        state: StoredJSON, owner: String, leaseDuration: Duration, startedBy: String? = nil,
        events: [EventDraft] = []
    ) {
        self.id = id
        self.workflowName = workflowName
        self.definitionFingerprint = definitionFingerprint
        self.state = state
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.startedBy = startedBy
        self.events = events
    }
}

/// The right to write to one run: its owner and the version it was granted at.
///
/// Every write that changes a run carries its lease; the store accepts it only
/// while the run still has this owner and version. A claim by anyone else bumps
/// the version, so a writer that lost its lease (paused, partitioned, presumed
/// dead) is refused with ``StoreError/Code/fencedOut`` instead of overwriting
/// the new owner's work.
public struct RunLease: Sendable, Hashable, Codable {
    /// The run.
    public var runID: String
    /// Who holds it: a unique id per process (see ``RunLease/makeOwnerID()``).
    public var owner: String
    /// The fencing token: the run's version when this lease was granted.
    public var version: Int
    /// When the lease ends unless renewed.
    public var expiresAt: Date

    /// Creates a lease (stores grant these).
    public init(runID: String, owner: String, version: Int, expiresAt: Date) {
        self.runID = runID
        self.owner = owner
        self.version = version
        self.expiresAt = expiresAt
    }

    /// An owner id for this process: host, process id and a random suffix, so
    /// two processes (or two workers in one) never share one.
    public static func makeOwnerID() -> String {
        let info = ProcessInfo.processInfo
        return "\(info.hostName):\(info.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case owner, version
        case expiresAt = "expires_at"
    }
}

/// A finished step, recorded before the next one starts.
public struct StepRecord: Sendable {
    /// The step to run next.
    public var nextStepIndex: Int
    /// The state after the step.
    public var state: StoredJSON
    /// The step's result, appended to the run's step results (``RunStore/stepResults(of:)``).
    public var result: StoredJSON?
    /// The whole route trace, when the step added to it (`nil` leaves it as it is).
    public var routeTrace: [RouteDecision]?
    /// The step's events (`stepFinished` and any before it), appended in order.
    public var events: [EventDraft]

    /// Describes a finished step.
    public init(
        nextStepIndex: Int, state: StoredJSON, result: StoredJSON? = nil, routeTrace: [RouteDecision]? = nil,
        events: [EventDraft] = []
    ) {
        self.nextStepIndex = nextStepIndex
        self.state = state
        self.result = result
        self.routeTrace = routeTrace
        self.events = events
    }
}

/// How a run ends: its final status and what to record with it.
public struct RunCompletion: Sendable {
    /// ``StoredRunStatus/succeeded`` or ``StoredRunStatus/failed``.
    public var status: StoredRunStatus
    /// The final state.
    public var state: StoredJSON
    /// The last step's result, appended to the run's step results.
    public var lastStep: StoredJSON?
    /// The whole route trace, when it changed (`nil` leaves it).
    public var routeTrace: [RouteDecision]?
    /// The failure's message.
    public var error: String?
    /// The last events (`stepFinished`, `workflowFinished`), appended in order.
    public var events: [EventDraft]

    /// Describes how a run ends.
    public init(
        status: StoredRunStatus, state: StoredJSON, lastStep: StoredJSON? = nil, routeTrace: [RouteDecision]? = nil,
        error: String? = nil, events: [EventDraft] = []
    ) {
        self.status = status
        self.state = state
        self.lastStep = lastStep
        self.routeTrace = routeTrace
        self.error = error
        self.events = events
    }
}

/// A run paused elsewhere, to record as waiting on its approval request (see ``RunStore/importRun(_:)``).
public struct ImportedRun: Sendable {
    /// The run's id (kept from the checkpoint).
    public var id: String
    /// The workflow's name.
    public var workflowName: String
    /// The definition fingerprint the run was paused with.
    public var definitionFingerprint: String
    /// The state at the pause.
    public var state: StoredJSON
    /// The gated step the run stopped at.
    public var stepIndex: Int
    /// The results of the steps that ran before it, in run order.
    public var steps: [StoredJSON]
    /// The route trace so far.
    public var routeTrace: [RouteDecision]
    /// Who started the run, if known.
    public var startedBy: String?
    /// The request to write (its ``ApprovalRequestDraft/stepIndex`` is ``stepIndex``).
    public var request: ApprovalRequestDraft
    /// Events to append, in order (``RunEventKind/runImported``, say).
    public var events: [EventDraft]

    /// Describes a run to import.
    public init(
        id: String, workflowName: String, definitionFingerprint: String, state: StoredJSON, stepIndex: Int,
        steps: [StoredJSON], routeTrace: [RouteDecision], startedBy: String?, request: ApprovalRequestDraft,
        events: [EventDraft] = []
    ) {
        self.id = id
        self.workflowName = workflowName
        self.definitionFingerprint = definitionFingerprint
        self.state = state
        self.stepIndex = stepIndex
        self.steps = steps
        self.routeTrace = routeTrace
        self.startedBy = startedBy
        self.request = request
        self.events = events
    }
}

/// Which runs to list.
public struct RunFilter: Sendable, Hashable {
    /// Only runs with one of these statuses (`nil`: any).
    public var statuses: Set<StoredRunStatus>?
    /// Only runs of this workflow (`nil`: any).
    public var workflowName: String?
    /// At most this many, newest first.
    public var limit: Int

    /// Describes a listing.
    public init(statuses: Set<StoredRunStatus>? = nil, workflowName: String? = nil, limit: Int = 100) {
        self.statuses = statuses
        self.workflowName = workflowName
        self.limit = limit
    }

    /// Every run, newest first, up to 100.
    public static let all = RunFilter()
}

/// A run a worker now owns, with what it needs to continue it.
public struct ClaimedRun: Sendable, Hashable {
    /// The lease to write with.
    public var lease: RunLease
    /// The run as claimed (status ``StoredRunStatus/running``).
    public var run: RunRecord
    /// The results of the steps recorded so far, in run order.
    public var steps: [StoredJSON]
    /// The approval request of the gate the run stopped at, if any.
    public var request: ApprovalRequestRecord?
    /// That request's decision, if it has one: the answer the gated step continues with.
    public var decision: DecisionRecord?

    /// Creates a claim (stores build these).
    public init(
        lease: RunLease, run: RunRecord, steps: [StoredJSON], request: ApprovalRequestRecord?,
        decision: DecisionRecord?
    ) {
        self.lease = lease
        self.run = run
        self.steps = steps
        self.request = request
        self.decision = decision
    }
}
