import Foundation
import GRDB
import StepFlow

/// Reading records from rows, and the few encodings the columns need.
enum Rows {
    static let runColumns = """
        run_id, workflow, fingerprint, status, step_index, state_json, route_trace_json, step_count, approval_id, \
        owner, lease_until, version, started_by, cancelled_by, error, event_count, created_at, updated_at, finished_at
        """

    static func run(_ row: Row) throws -> RunRecord {
        RunRecord(
            id: row[0], workflowName: row[1], definitionFingerprint: row[2], status: try enumValue(row[3]),
            stepIndex: row[4], state: StoredJSON(trustedText: row[5]),
            routeTrace: try StoredJSON(trustedText: row[6]).decode(as: [RouteDecision].self),
            stepCount: row[7], approvalRequestID: row[8], owner: row[9],
            leaseExpiresAt: date(row[10]), version: row[11], startedBy: row[12], cancelledBy: row[13],
            error: row[14], eventCount: row[15], createdAt: Date(storeMilliseconds: row[16]),
            updatedAt: Date(storeMilliseconds: row[17]), finishedAt: date(row[18]))
    }

    static let requestColumns = """
        a.approval_id, a.run_id, r.workflow, a.step, a.step_index, a.message, a.metadata_json, a.state_json, \
        a.state_hash, a.route_preview_json, a.requested_at, a.deadline_at, a.on_timeout, a.allowed_approvers_json, \
        a.refuses_self_approval, r.started_by, a.status
        """
    static let requestFrom = "approvals a JOIN runs r ON r.run_id = a.run_id"

    static func request(_ row: Row) throws -> ApprovalRequestRecord {
        let preview: String? = row[9]
        let onTimeout: String? = row[12]
        return ApprovalRequestRecord(
            id: row[0], runID: row[1], workflowName: row[2], stepName: row[3], stepIndex: row[4], message: row[5],
            metadata: try StoredJSON(trustedText: row[6]).decode(as: [String: JSONValue].self),
            state: StoredJSON(trustedText: row[7]), stateHash: row[8],
            routePreview: try preview.map { try StoredJSON(trustedText: $0).decode(as: RoutePreview.self) },
            requestedAt: Date(storeMilliseconds: row[10]), deadline: date(row[11]),
            defaultOutcome: try onTimeout.map { try enumValue($0) },
            allowedApprovers: try StoredJSON(trustedText: row[13]).decode(as: [String].self),
            refusesSelfApproval: row[14], startedBy: row[15], status: try enumValue(row[16]))
    }

    static let decisionColumns = """
        approval_id, run_id, outcome, reason, approver, identity_source, seen_state_hash, idempotency_key, \
        decided_at, receipt
        """

    static func decision(_ row: Row) throws -> DecisionRecord {
        DecisionRecord(
            requestID: row[0], runID: row[1], outcome: try enumValue(row[2]), reason: row[3], approver: row[4],
            identitySource: try enumValue(row[5]), seenStateHash: row[6], idempotencyKey: row[7],
            decidedAt: Date(storeMilliseconds: row[8]), receipt: DecisionReceipt(value: row[9]))
    }

    static let eventColumns = "run_id, seq, kind, payload_json, at"

    static func event(_ row: Row) -> RunEvent {
        RunEvent(
            runID: row[0], sequence: row[1], kind: RunEventKind(rawValue: row[2]),
            payload: StoredJSON(trustedText: row[3]), at: Date(storeMilliseconds: row[4]))
    }

    static func date(_ milliseconds: Int64?) -> Date? {
        milliseconds.map(Date.init(storeMilliseconds:))
    }

    static func enumValue<Value: RawRepresentable>(_ raw: String) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: raw) else {
            throw StoreError(.corrupt, "The store holds '\(raw)' where a \(Value.self) is expected.")
        }
        return value
    }

    static func json(_ value: some Encodable) throws -> String {
        try StoredJSON(encoding: value).text
    }
}
