import Foundation

/// What an audit-log entry records: the run's own events and the store's.
public struct RunEventKind: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The kind's name as stored.
    public let rawValue: String

    /// A kind named `rawValue`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A kind named by a literal.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The kind's name.
    public var description: String { rawValue }

    /// Reads a kind stored as a plain string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Writes the kind as a plain string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // The engine's events (``WorkflowEvent``).

    /// A run started (again, after a continue).
    public static let workflowStarted: RunEventKind = "workflow_started"
    /// A step started.
    public static let stepStarted: RunEventKind = "step_started"
    /// A step finished.
    public static let stepFinished: RunEventKind = "step_finished"
    /// A run finished.
    public static let workflowFinished: RunEventKind = "workflow_finished"
    /// An attempt failed and another is scheduled.
    public static let retryScheduled: RunEventKind = "retry_scheduled"
    /// A step asked for approval (payload: step, request id, message).
    public static let approvalRequested: RunEventKind = "approval_requested"
    /// A gated step took its decision: the engine's `approvalDecided` event
    /// (payload: step, approved, decided by, reason, identity source, receipt).
    public static let approvalApplied: RunEventKind = "approval_applied"
    /// A child workflow started.
    public static let childWorkflowStarted: RunEventKind = "child_workflow_started"
    /// A child workflow finished.
    public static let childWorkflowFinished: RunEventKind = "child_workflow_finished"

    // The store's own events, appended in the transaction that caused them.

    /// A decision won (payload: request id, outcome, approver, identity source, receipt).
    public static let approvalDecided: RunEventKind = "approval_decided"
    /// A decision was refused (payload: request id, approver, why).
    public static let decisionRefused: RunEventKind = "decision_refused"
    /// A worker claimed the run (payload: owner, version).
    public static let runClaimed: RunEventKind = "run_claimed"
    /// The owner let go of the run (payload: owner).
    public static let runReleased: RunEventKind = "run_released"
    /// Someone cancelled the run (payload: by, reason).
    public static let runCancelled: RunEventKind = "run_cancelled"
    /// The run was imported from a checkpoint paused elsewhere (payload: step, checkpoint's creation time).
    public static let runImported: RunEventKind = "run_imported"
}

/// An event to append to a run's audit log; the store numbers it.
public struct EventDraft: Sendable, Hashable {
    /// What happened.
    public var kind: RunEventKind
    /// Its details.
    public var payload: StoredJSON
    /// When it happened (`nil`: the store's clock at the write).
    public var at: Date?

    /// Describes an event.
    public init(_ kind: RunEventKind, payload: StoredJSON = .emptyObject, at: Date? = nil) {
        self.kind = kind
        self.payload = payload
        self.at = at
    }
}

/// One entry of a run's audit log: numbered from 1 in the order written, never rewritten.
public struct RunEvent: Sendable, Hashable, Codable {
    /// The run.
    public var runID: String
    /// The position in the run's log, from 1, without gaps.
    public var sequence: Int
    /// What happened.
    public var kind: RunEventKind
    /// Its details.
    public var payload: StoredJSON
    /// When it happened.
    public var at: Date

    /// Creates an event (stores build these from their rows).
    public init(runID: String, sequence: Int, kind: RunEventKind, payload: StoredJSON, at: Date) {
        self.runID = runID
        self.sequence = sequence
        self.kind = kind
        self.payload = payload
        self.at = at
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case sequence = "seq"
        case kind, payload, at
    }
}
