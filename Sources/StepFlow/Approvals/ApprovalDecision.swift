import Foundation

/// A human's answer to an approval request, with who gave it and when.
public struct ApprovalDecision: Sendable, Hashable, Codable {
    /// Whether the step may run.
    public var approved: Bool
    /// Why, in the approver's words.
    @ExplicitNull public var reason: String?
    /// Extra facts recorded with the decision.
    public var metadata: [String: JSONValue]
    /// Who decided (for example the OS user name), when known.
    @ExplicitNull public var decidedBy: String?
    /// When the decision was made; the engine stamps it if it is missing.
    @ExplicitNull public var decidedAt: Date?
    /// How ``decidedBy`` is known, when a store recorded the decision (or a handler says).
    ///
    /// A handler in a recorded run that leaves it `nil` is taken as the OS user
    /// when ``decidedBy`` is `nil` or the process's OS user, else as claimed.
    public var identitySource: ApproverIdentitySource?
    /// The store's receipt for the decision, when a store recorded it.
    public var receipt: DecisionReceipt?

    /// Creates a decision.
    public init(
        approved: Bool, reason: String? = nil, metadata: [String: JSONValue] = [:],
        decidedBy: String? = nil, decidedAt: Date? = nil, identitySource: ApproverIdentitySource? = nil,
        receipt: DecisionReceipt? = nil
    ) {
        self.approved = approved
        self.reason = reason
        self.metadata = metadata
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.identitySource = identitySource
        self.receipt = receipt
    }

    /// An approval.
    public static func approve(reason: String? = nil, by approver: String? = nil) -> ApprovalDecision {
        ApprovalDecision(approved: true, reason: reason, decidedBy: approver)
    }

    /// A denial.
    public static func deny(reason: String? = nil, by approver: String? = nil) -> ApprovalDecision {
        ApprovalDecision(approved: false, reason: reason, decidedBy: approver)
    }

    /// This decision with its time set, if it had none.
    func stamped(at now: Date) -> ApprovalDecision {
        var copy = self
        if copy.decidedAt == nil { copy.decidedAt = now }
        return copy
    }

    private enum CodingKeys: String, CodingKey {
        case approved, reason, metadata
        case decidedBy = "decided_by"
        case decidedAt = "decided_at"
        // Written only when present (synthesised `encodeIfPresent`): a decision
        // without a store reads and writes exactly as before these existed.
        case identitySource = "identity_source"
        case receipt
    }

    /// Reads a decision; missing metadata is empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        approved = try c.decode(Bool.self, forKey: .approved)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        metadata = try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
        decidedBy = try c.decodeIfPresent(String.self, forKey: .decidedBy)
        decidedAt = try c.decodeIfPresent(Date.self, forKey: .decidedAt)
        identitySource = try c.decodeIfPresent(ApproverIdentitySource.self, forKey: .identitySource)
        receipt = try c.decodeIfPresent(DecisionReceipt.self, forKey: .receipt)
    }
}

extension ApprovalDecision: ExpressibleByBooleanLiteral {
    /// `true` approves and `false` denies, with no reason and empty metadata.
    public init(booleanLiteral approved: Bool) {
        self.init(approved: approved)
    }
}
