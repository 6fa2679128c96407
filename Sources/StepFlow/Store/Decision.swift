import Foundation

/// How the store knows who decided.
public enum ApproverIdentitySource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The OS user of the deciding process (asserted by the system).
    case osUser = "os_user"
    /// A name the decider gave (`--as`): recorded, not verified.
    case claimed
    /// Nobody: the deadline passed and the default outcome was recorded.
    case timeout

    /// How the source reads in messages.
    public var label: String {
        switch self {
        case .osUser: "OS user"
        case .claimed: "claimed, not verified"
        case .timeout: "deadline"
        }
    }
}

/// A decision someone submits on an approval request.
public struct DecisionDraft: Sendable, Hashable {
    /// The request decided.
    public var requestID: String
    /// Approve or deny.
    public var outcome: ApprovalOutcome
    /// Why, in the approver's words.
    public var reason: String?
    /// Who decides.
    public var approver: String
    /// How that name is known (``ApproverIdentitySource/timeout`` is the store's own).
    public var identitySource: ApproverIdentitySource
    /// The hash of the state the approver was shown (``ApprovalRequestRecord/stateHash``).
    public var seenStateHash: String
    /// Names this attempt: a retry with the same key gets the first attempt's receipt back.
    public var idempotencyKey: String

    /// Describes a decision.
    public init(
        requestID: String, outcome: ApprovalOutcome, reason: String? = nil, approver: String,
        identitySource: ApproverIdentitySource, seenStateHash: String,
        idempotencyKey: String = UUID().uuidString.lowercased()
    ) {
        self.requestID = requestID
        self.outcome = outcome
        self.reason = reason
        self.approver = approver
        self.identitySource = identitySource
        self.seenStateHash = seenStateHash
        self.idempotencyKey = idempotencyKey
    }
}

/// Proof of a winning decision: a hash over the request id, outcome, approver,
/// decision time and the state hash seen.
public struct DecisionReceipt: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The hash, 64 hexadecimal digits.
    public let value: String

    /// A receipt read back from a store.
    public init(value: String) {
        self.value = value
    }

    /// The receipt of a decision with these facts.
    public init(requestID: String, outcome: ApprovalOutcome, approver: String, decidedAt: Date, seenStateHash: String) {
        let fields = [
            "stepflow-receipt-1", requestID, outcome.rawValue, approver, String(decidedAt.storeMilliseconds),
            seenStateHash,
        ]
        // Lengths first, so no choice of field contents can collide with another's.
        value = SHA256.hex(fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n"))
    }

    /// The first 12 digits, enough to tell receipts apart on a screen.
    public var short: String { String(value.prefix(12)) }

    /// The short form.
    public var description: String { short }

    /// Reads a receipt stored as a plain string.
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    /// Writes the receipt as a plain string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// The decision that won a request: at most one per request.
public struct DecisionRecord: Sendable, Hashable, Codable {
    /// The request decided.
    public var requestID: String
    /// The request's run.
    public var runID: String
    /// Approve or deny.
    public var outcome: ApprovalOutcome
    /// Why, in the approver's words (or the deadline's).
    public var reason: String?
    /// Who decided (`timeout` for a deadline).
    public var approver: String
    /// How that name is known.
    public var identitySource: ApproverIdentitySource
    /// The state hash the approver saw.
    public var seenStateHash: String
    /// The winning attempt's idempotency key.
    public var idempotencyKey: String
    /// When it was decided (a timeout: the deadline).
    public var decidedAt: Date
    /// The receipt.
    public var receipt: DecisionReceipt

    /// Creates a record (stores build these from their rows).
    public init(
        requestID: String, runID: String, outcome: ApprovalOutcome, reason: String?, approver: String,
        identitySource: ApproverIdentitySource, seenStateHash: String, idempotencyKey: String, decidedAt: Date,
        receipt: DecisionReceipt
    ) {
        self.requestID = requestID
        self.runID = runID
        self.outcome = outcome
        self.reason = reason
        self.approver = approver
        self.identitySource = identitySource
        self.seenStateHash = seenStateHash
        self.idempotencyKey = idempotencyKey
        self.decidedAt = decidedAt
        self.receipt = receipt
    }

    /// Whether the deadline decided, not a person.
    public var timedOut: Bool { identitySource == .timeout }

    /// Whether the receipt matches the record's facts.
    public var hasValidReceipt: Bool {
        receipt
            == DecisionReceipt(
                requestID: requestID, outcome: outcome, approver: approver, decidedAt: decidedAt,
                seenStateHash: seenStateHash)
    }

    /// "approved by alice (OS user) at 2026-…" or "denied: timed out at 2026-… (the default)".
    public var summary: String {
        let at = StepFlowJSON.formatDate(decidedAt)
        if timedOut { return "\(outcome.pastTense): timed out at \(at) (the default)" }
        return "\(outcome.pastTense) by \(approver) (\(identitySource.label)) at \(at)"
    }

    private enum CodingKeys: String, CodingKey {
        case requestID = "request_id"
        case runID = "run_id"
        case outcome, reason, approver
        case identitySource = "identity_source"
        case seenStateHash = "seen_state_hash"
        case idempotencyKey = "idempotency_key"
        case decidedAt = "decided_at"
        case receipt
    }
}

/// What deciding a request came to: the win, or why not.
public enum DecisionResult: Sendable, Hashable {
    /// This decision won; its receipt is the proof.
    case decided(DecisionRecord)
    /// A retry of the decision that won (same idempotency key): the same receipt again.
    case alreadyRecorded(DecisionRecord)
    /// Someone else decided first (or the deadline did); the winner is given.
    case alreadyDecided(DecisionRecord)
    /// The approver saw a state other than the request's.
    case staleState(requestHash: String, seenHash: String)
    /// The approver is not among those the request allows.
    case approverNotAllowed(approver: String, allowed: [String])
    /// The run's starter may not approve it.
    case selfApprovalRefused(approver: String)
    /// The request was closed without a decision (the run was cancelled).
    case requestClosed(requestID: String, status: ApprovalStatus)
    /// No request has this id.
    case noSuchRequest(String)

    /// The decision this result carries: the new one, the retried one, or the winner.
    public var decision: DecisionRecord? {
        switch self {
        case .decided(let record), .alreadyRecorded(let record), .alreadyDecided(let record): record
        default: nil
        }
    }

    /// Whether the submitted decision is the one recorded (won now, or on an earlier try).
    public var isRecorded: Bool {
        switch self {
        case .decided, .alreadyRecorded: true
        default: false
        }
    }

    /// One line for the person who decided.
    public var summary: String {
        switch self {
        case .decided(let record):
            return "Recorded: \(record.summary); receipt \(record.receipt.short)."
        case .alreadyRecorded(let record):
            return "Already recorded (same attempt): \(record.summary); receipt \(record.receipt.short)."
        case .alreadyDecided(let record):
            if record.timedOut {
                return "Already decided: the deadline passed at \(StepFlowJSON.formatDate(record.decidedAt)) "
                    + "and the request was \(record.outcome.pastTense) by default."
            }
            return "Already decided by \(record.approver) at \(StepFlowJSON.formatDate(record.decidedAt)) "
                + "(\(record.outcome.pastTense))."
        case .staleState:
            return "Refused: the run's state changed since you looked; reload the request and decide again."
        case .approverNotAllowed(let approver, let allowed):
            return "Refused: \(approver) may not decide this request (allowed: \(allowed.joined(separator: ", ")))."
        case .selfApprovalRefused(let approver):
            return "Refused: \(approver) started this run and may not approve it."
        case .requestClosed(let requestID, let status):
            return "Refused: request \(requestID) is closed (\(status.rawValue)); there is nothing to decide."
        case .noSuchRequest(let requestID):
            return "Refused: no approval request '\(requestID)'."
        }
    }

    /// A short code for the result, as logged in `decision_refused` events.
    public var code: String {
        switch self {
        case .decided: "decided"
        case .alreadyRecorded: "already_recorded"
        case .alreadyDecided: "already_decided"
        case .staleState: "stale_state"
        case .approverNotAllowed: "approver_not_allowed"
        case .selfApprovalRefused: "self_approval_refused"
        case .requestClosed: "request_closed"
        case .noSuchRequest: "no_such_request"
        }
    }
}
