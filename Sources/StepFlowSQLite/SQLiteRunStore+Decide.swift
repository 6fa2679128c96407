import Foundation
import GRDB
import StepFlow

extension SQLiteRunStore {
    /// Decides a request in one IMMEDIATE transaction; see ``RunStore/decide(_:)``.
    public func decide(_ draft: DecisionDraft) async throws -> DecisionResult {
        guard draft.identitySource != .timeout else {
            throw StoreError(
                .invalidArgument, "Only the store decides by timeout; a person decides as OS user or claimed.")
        }
        let now = clock.now()
        return try await write { db in try self.decide(db, draft, now: now) }
    }

    /// Decides every overdue pending request with its default outcome.
    public func decideExpiredApprovals() async throws -> [DecisionRecord] {
        let now = clock.now()
        // Workers ask every pass; most passes find nothing due, and a read takes no write lock.
        let anyDue = try await read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM approvals WHERE status = 'pending' AND deadline_at <= ? LIMIT 1",
                arguments: [now.storeMilliseconds]) ?? false
        }
        guard anyDue else { return [] }
        return try await write { db in
            let due = try String.fetchAll(
                db,
                sql: """
                    SELECT approval_id FROM approvals WHERE status = 'pending' AND deadline_at <= ?
                    ORDER BY deadline_at, rowid
                    """,
                arguments: [now.storeMilliseconds])
            return try due.compactMap { id in
                guard let request = try Self.fetchRequest(db, id) else { return nil }
                return try self.decideByTimeout(db, request, now: now)
            }
        }
    }

    /// SPEC §9 "Deciding", inside one IMMEDIATE transaction: the checks read a
    /// state no other writer can change before the commit, and the decision is
    /// still written through the guarded statement the PostgreSQL backend needs.
    private func decide(_ db: Database, _ draft: DecisionDraft, now: Date) throws -> DecisionResult {
        guard let request = try Self.fetchRequest(db, draft.requestID) else { return .noSuchRequest(draft.requestID) }
        if let existing = try Self.fetchDecision(db, request.id) {
            if existing.idempotencyKey == draft.idempotencyKey { return .alreadyRecorded(existing) }
            return try refuse(db, draft, request, .alreadyDecided(existing), now: now)
        }
        if request.status == .cancelled {
            return try refuse(
                db, draft, request, .requestClosed(requestID: request.id, status: request.status), now: now)
        }
        if let deadline = request.deadline, now >= deadline, let record = try decideByTimeout(db, request, now: now) {
            return try refuse(db, draft, request, .alreadyDecided(record), now: now)
        }
        if let refusal = request.refusal(of: draft.approver, deciding: draft.outcome) {
            return try refuse(db, draft, request, refusal, now: now)
        }
        guard draft.seenStateHash == request.stateHash else {
            return try refuse(
                db, draft, request, .staleState(requestHash: request.stateHash, seenHash: draft.seenStateHash), now: now
            )
        }
        let record = DecisionRecord(
            requestID: request.id, runID: request.runID, outcome: draft.outcome, reason: draft.reason,
            approver: draft.approver, identitySource: draft.identitySource, seenStateHash: draft.seenStateHash,
            idempotencyKey: draft.idempotencyKey, decidedAt: now,
            receipt: DecisionReceipt(
                requestID: request.id, outcome: draft.outcome, approver: draft.approver, decidedAt: now,
                seenStateHash: draft.seenStateHash))
        guard try recordDecision(db, record, now: now) else {
            // Unreachable while writes are serialised; kept so the guard, not the checks above, has the last word.
            guard let winner = try Self.fetchDecision(db, request.id) else {
                return .requestClosed(
                    requestID: request.id, status: try Self.fetchRequest(db, request.id)?.status ?? .cancelled)
            }
            return .alreadyDecided(winner)
        }
        return .decided(record)
    }

    /// Decides `request` with its default outcome, as of its deadline.
    private func decideByTimeout(_ db: Database, _ request: ApprovalRequestRecord, now: Date) throws -> DecisionRecord?
    {
        guard let deadline = request.deadline, let outcome = request.defaultOutcome else { return nil }
        let record = DecisionRecord(
            requestID: request.id, runID: request.runID, outcome: outcome, reason: "The deadline passed.",
            approver: "timeout", identitySource: .timeout, seenStateHash: request.stateHash,
            idempotencyKey: "timeout:\(request.id)", decidedAt: deadline,
            receipt: DecisionReceipt(
                requestID: request.id, outcome: outcome, approver: "timeout", decidedAt: deadline,
                seenStateHash: request.stateHash))
        return try recordDecision(db, record, now: now) ? record : nil
    }

    /// The guarded write: the request moves from pending only if it still is,
    /// on the state the decider saw; then the decision row and its event.
    private func recordDecision(_ db: Database, _ record: DecisionRecord, now: Date) throws -> Bool {
        try db.cachedStatement(
            sql: """
                UPDATE approvals SET status = ? WHERE approval_id = ? AND status = 'pending' AND state_hash = ?
                """
        ).execute(arguments: [ApprovalStatus(record.outcome).rawValue, record.requestID, record.seenStateHash])
        guard db.changesCount == 1 else { return false }
        crashPoint("decide.afterRequest")
        try db.cachedStatement(
            sql: """
                INSERT INTO decisions (approval_id, run_id, outcome, reason, approver, identity_source, seen_state_hash,
                    idempotency_key, decided_at, receipt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            record.requestID, record.runID, record.outcome.rawValue, record.reason, record.approver,
            record.identitySource.rawValue, record.seenStateHash, record.idempotencyKey,
            record.decidedAt.storeMilliseconds, record.receipt.value,
        ])
        crashPoint("decide.afterDecision")
        let payload: JSONValue = [
            "request_id": .string(record.requestID), "outcome": .string(record.outcome.rawValue),
            "approver": .string(record.approver), "identity_source": .string(record.identitySource.rawValue),
            "receipt": .string(record.receipt.value),
        ]
        try Self.appendStoreEvents(
            db, runID: record.runID, [EventDraft(.approvalDecided, payload: StoredJSON(payload))], now: now)
        return true
    }

    /// Logs a refused decision in the run's audit log and returns the refusal.
    private func refuse(
        _ db: Database, _ draft: DecisionDraft, _ request: ApprovalRequestRecord, _ result: DecisionResult, now: Date
    ) throws -> DecisionResult {
        let payload: JSONValue = [
            "request_id": .string(request.id), "approver": .string(draft.approver),
            "identity_source": .string(draft.identitySource.rawValue), "outcome": .string(draft.outcome.rawValue),
            "refused": .string(result.code),
        ]
        try Self.appendStoreEvents(
            db, runID: request.runID, [EventDraft(.decisionRefused, payload: StoredJSON(payload))], now: now)
        return result
    }
}
