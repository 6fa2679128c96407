import Foundation
import GRDB
import StepFlow

extension SQLiteRunStore {
    // MARK: Writing a run

    /// Inserts a running run owned by `new.owner`, with its first events.
    public func createRun(_ new: NewRun) async throws -> RunLease {
        guard new.leaseDuration > .zero else {
            throw StoreError(.invalidArgument, "A run's lease must last longer than zero.")
        }
        let now = clock.now()
        let lease = RunLease(
            runID: new.id, owner: new.owner, version: 1,
            expiresAt: Date(storeMilliseconds: now.storeMilliseconds + new.leaseDuration.storeMilliseconds))
        return try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE run_id = ?", arguments: [new.id]) == true {
                throw StoreError.duplicateRun(new.id)
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO runs (run_id, workflow, fingerprint, status, step_index, state_json, owner, lease_until,
                        version, started_by, event_count, created_at, updated_at)
                    VALUES (?, ?, ?, 'running', 0, ?, ?, ?, 1, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                new.id, new.workflowName, new.definitionFingerprint, new.state.text, new.owner,
                lease.expiresAt.storeMilliseconds, new.startedBy, new.events.count, now.storeMilliseconds,
                now.storeMilliseconds,
            ])
            self.crashPoint("createRun.afterRun")
            _ = try Self.insertEvents(db, runID: new.id, lastSequence: new.events.count, new.events, now: now)
            return lease
        }
    }

    /// Records a finished step and its events, fenced by `lease`.
    public func recordStep(_ step: StepRecord, lease: RunLease) async throws {
        let now = clock.now()
        let trace = try step.routeTrace.map { try Rows.json($0) }
        try await write { db in
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET step_index = ?, state_json = ?,
                            route_trace_json = COALESCE(?, route_trace_json),
                            step_count = step_count + ?, approval_id = NULL, event_count = event_count + ?,
                            updated_at = ?
                        WHERE run_id = ? AND owner = ? AND version = ? AND status = 'running'
                        RETURNING event_count, step_count
                        """),
                arguments: [
                    step.nextStepIndex, step.state.text, trace, step.result == nil ? 0 : 1, step.events.count,
                    now.storeMilliseconds, lease.runID, lease.owner, lease.version,
                ])
            guard let row else { throw try Self.fenceFailure(db, lease, expecting: [.running]) }
            self.crashPoint("recordStep.afterRun")
            try Self.insertStep(db, runID: lease.runID, position: row[1], step.result)
            _ = try Self.insertEvents(
                db, runID: lease.runID, lastSequence: row[0], step.events, now: now, returning: false)
        }
    }

    /// Appends events to the run's log, fenced by `lease`.
    public func appendEvents(_ events: [EventDraft], lease: RunLease) async throws -> [RunEvent] {
        guard !events.isEmpty else { return [] }
        let now = clock.now()
        return try await write { db in
            let count = try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET event_count = event_count + ?, updated_at = ?
                        WHERE run_id = ? AND owner = ? AND version = ? AND status IN ('running', 'waiting')
                        RETURNING event_count
                        """),
                arguments: [events.count, now.storeMilliseconds, lease.runID, lease.owner, lease.version])
            guard let count else { throw try Self.fenceFailure(db, lease, expecting: [.running, .waiting]) }
            return try Self.insertEvents(db, runID: lease.runID, lastSequence: count, events, now: now)
        }
    }

    /// Writes the request and marks the run waiting, in one transaction.
    public func requestApproval(_ request: ApprovalRequestDraft, events: [EventDraft], lease: RunLease)
        async throws -> ApprovalRequestRecord
    {
        let now = clock.now()
        let row = try PendingRequestRow(request, at: now)
        return try await write { db in
            if let existing = try Self.fetchRequest(db, request.id) {
                // Written already (a retry after a lost reply): the same request, not a second one.
                guard existing.runID == lease.runID else {
                    throw StoreError(
                        .invalidArgument, "Approval request '\(request.id)' belongs to run \(existing.runID).")
                }
                return existing
            }
            let count = try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET status = 'waiting', approval_id = ?, step_index = ?,
                            event_count = event_count + ?, updated_at = ?
                        WHERE run_id = ? AND owner = ? AND version = ? AND status = 'running'
                        RETURNING event_count
                        """),
                arguments: [
                    request.id, request.stepIndex, events.count, now.storeMilliseconds, lease.runID, lease.owner,
                    lease.version,
                ])
            guard let count else { throw try Self.fenceFailure(db, lease, expecting: [.running]) }
            self.crashPoint("requestApproval.afterRun")
            try row.insert(db, runID: lease.runID, stepIndex: request.stepIndex)
            self.crashPoint("requestApproval.afterRequest")
            _ = try Self.insertEvents(db, runID: lease.runID, lastSequence: count, events, now: now)
            guard let record = try Self.fetchRequest(db, request.id) else {
                throw StoreError.requestNotFound(request.id)
            }
            return record
        }
    }

    /// Ends the run and lets go of it, fenced by `lease`.
    public func finishRun(_ completion: RunCompletion, lease: RunLease) async throws -> RunRecord {
        guard completion.status == .succeeded || completion.status == .failed else {
            throw StoreError(
                .invalidArgument,
                "A run finishes as succeeded or failed, not \(completion.status.rawValue); cancel it with cancelRun.")
        }
        let now = clock.now()
        let trace = try completion.routeTrace.map { try Rows.json($0) }
        return try await write { db in
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET status = ?, state_json = ?, route_trace_json = COALESCE(?, route_trace_json),
                            step_count = step_count + ?, error = ?, owner = NULL, lease_until = NULL, version = version + 1, approval_id = NULL,
                            event_count = event_count + ?, finished_at = ?, updated_at = ?
                        WHERE run_id = ? AND owner = ? AND version = ? AND status IN ('running', 'waiting')
                        RETURNING event_count, step_count
                        """),
                arguments: [
                    completion.status.rawValue, completion.state.text, trace, completion.lastStep == nil ? 0 : 1,
                    completion.error, completion.events.count, now.storeMilliseconds, now.storeMilliseconds,
                    lease.runID, lease.owner, lease.version,
                ])
            guard let row else { throw try Self.fenceFailure(db, lease, expecting: [.running, .waiting]) }
            self.crashPoint("finishRun.afterRun")
            // An owner that gives up on its gate (a failing hook or handler, a cancelled task) closes the request.
            try db.cachedStatement(
                sql: "UPDATE approvals SET status = 'cancelled' WHERE run_id = ? AND status = 'pending'"
            ).execute(arguments: [lease.runID])
            try Self.insertStep(db, runID: lease.runID, position: row[1], completion.lastStep)
            _ = try Self.insertEvents(db, runID: lease.runID, lastSequence: row[0], completion.events, now: now)
            guard let run = try Self.fetchRun(db, lease.runID) else { throw StoreError.runNotFound(lease.runID) }
            return run
        }
    }

    /// Records a run paused elsewhere as waiting on a new request, unless the run is here already.
    public func importRun(_ imported: ImportedRun) async throws -> RunRecord {
        let now = clock.now()
        let request = imported.request
        let row = try PendingRequestRow(request, at: now)
        let trace = try Rows.json(imported.routeTrace)
        return try await write { db in
            if let existing = try Self.fetchRun(db, imported.id) { return existing }
            try db.cachedStatement(
                sql: """
                    INSERT INTO runs (run_id, workflow, fingerprint, status, step_index, state_json, route_trace_json,
                        step_count, approval_id, version, started_by, event_count, created_at, updated_at)
                    VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                imported.id, imported.workflowName, imported.definitionFingerprint, imported.stepIndex,
                imported.state.text, trace, imported.steps.count, request.id, imported.startedBy,
                imported.events.count, now.storeMilliseconds, now.storeMilliseconds,
            ])
            self.crashPoint("importRun.afterRun")
            for (offset, step) in imported.steps.enumerated() {
                try Self.insertStep(db, runID: imported.id, position: offset + 1, step)
            }
            try row.insert(db, runID: imported.id, stepIndex: imported.stepIndex)
            _ = try Self.insertEvents(
                db, runID: imported.id, lastSequence: imported.events.count, imported.events, now: now)
            guard let run = try Self.fetchRun(db, imported.id) else { throw StoreError.runNotFound(imported.id) }
            return run
        }
    }

    // MARK: Ownership

    /// Claims a decided or orphaned run, bumping its version.
    public func claimRun(_ runID: String, owner: String, leaseDuration: Duration) async throws -> ClaimedRun {
        guard leaseDuration > .zero else { throw StoreError(.invalidArgument, "A lease must last longer than zero.") }
        let now = clock.now()
        return try await write { db in
            guard let claimed = try self.claim(db, runID: runID, owner: owner, leaseDuration: leaseDuration, now: now)
            else { throw try Self.claimFailure(db, runID: runID, owner: owner, now: now) }
            return claimed
        }
    }

    /// Claims the longest-waiting claimable run of the given workflows.
    public func claimNextRun(owner: String, workflows: [String: String], leaseDuration: Duration) async throws
        -> ClaimedRun?
    {
        guard leaseDuration > .zero else { throw StoreError(.invalidArgument, "A lease must last longer than zero.") }
        guard !workflows.isEmpty else { return nil }
        let now = clock.now()
        let pairs = workflows.sorted { $0.key < $1.key }
        let sql = """
            SELECT r.run_id FROM runs r LEFT JOIN approvals a ON a.approval_id = r.approval_id
            WHERE (r.owner IS NULL OR r.lease_until <= ?)
              AND (r.status = 'running' OR (r.status = 'waiting' AND a.status IN ('approved', 'denied')))
              AND (r.workflow, r.fingerprint) IN (VALUES \(pairs.map { _ in "(?, ?)" }.joined(separator: ", ")))
            ORDER BY r.updated_at, r.rowid LIMIT 1
            """
        let values: [(any DatabaseValueConvertible)?] = [now.storeMilliseconds] + pairs.flatMap { [$0.key, $0.value] }
        let arguments = StatementArguments(values)
        // A worker's pass usually finds nothing to claim: look first without taking the write lock.
        guard try await read({ db in try String.fetchOne(db, sql: sql, arguments: arguments) }) != nil else {
            return nil
        }
        return try await write { db in
            let candidates = try String.fetchAll(db, sql: sql, arguments: arguments)
            guard let runID = candidates.first else { return nil }
            return try self.claim(db, runID: runID, owner: owner, leaseDuration: leaseDuration, now: now)
        }
    }

    /// The guarded claim: succeeds only for a claimable run that nobody else holds.
    private func claim(_ db: Database, runID: String, owner: String, leaseDuration: Duration, now: Date) throws
        -> ClaimedRun?
    {
        let until = now.storeMilliseconds + leaseDuration.storeMilliseconds
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET owner = ?1, lease_until = ?2, version = version + 1, status = 'running',
                            event_count = event_count + 1, updated_at = ?3
                        WHERE run_id = ?4 AND (owner IS NULL OR lease_until <= ?3 OR owner = ?1)
                          AND (status = 'running' OR (status = 'waiting' AND EXISTS (
                              SELECT 1 FROM approvals a WHERE a.approval_id = runs.approval_id
                                  AND a.status IN ('approved', 'denied'))))
                        RETURNING version, event_count
                        """),
                arguments: [owner, until, now.storeMilliseconds, runID])
        else { return nil }
        let version: Int = row[0]
        let count: Int = row[1]
        crashPoint("claimRun.afterRun")
        let payload = try StoredJSON(encoding: ["owner": JSONValue.string(owner), "version": .integer(version)])
        _ = try Self.insertEvents(
            db, runID: runID, lastSequence: count, [EventDraft(.runClaimed, payload: payload)], now: now)
        guard let run = try Self.fetchRun(db, runID) else { throw StoreError.runNotFound(runID) }
        let request = try run.approvalRequestID.flatMap { try Self.fetchRequest(db, $0) }
        let decision = try run.approvalRequestID.flatMap { try Self.fetchDecision(db, $0) }
        let lease = RunLease(runID: runID, owner: owner, version: version, expiresAt: Date(storeMilliseconds: until))
        return ClaimedRun(
            lease: lease, run: run, steps: try Self.fetchSteps(db, runID), request: request, decision: decision)
    }

    /// Why a claim of `runID` failed.
    private static func claimFailure(_ db: Database, runID: String, owner: String, now: Date) throws -> StoreError {
        guard let run = try fetchRun(db, runID) else { return .runNotFound(runID) }
        if run.status.isFinished { return .runFinished(run) }
        // Undecided is the reason that stays after any lease runs out, so it comes first.
        if run.status == .waiting,
            try run.approvalRequestID.flatMap({ try fetchRequest(db, $0) })?.status == .pending
        {
            return .notClaimable(run, "its approval request is still pending")
        }
        if let holder = run.owner, holder != owner, let until = run.leaseExpiresAt, until > now {
            return .leaseHeld(run)
        }
        switch run.status {
        case .waiting: return .notClaimable(run, "it waits on no decided approval request")
        case .paused: return .notClaimable(run, "it is paused with an exported checkpoint")
        default: return .notClaimable(run, "it is \(run.status.rawValue)")
        }
    }

    /// Extends `lease` by `duration` from now.
    public func renewLease(_ lease: RunLease, duration: Duration) async throws -> RunLease {
        guard duration > .zero else { throw StoreError(.invalidArgument, "A lease must last longer than zero.") }
        let until = clock.now().storeMilliseconds + duration.storeMilliseconds
        try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE runs SET lease_until = ?
                    WHERE run_id = ? AND owner = ? AND version = ? AND status IN ('running', 'waiting')
                    """
            ).execute(arguments: [until, lease.runID, lease.owner, lease.version])
            if db.changesCount == 0 { throw try Self.fenceFailure(db, lease, expecting: [.running, .waiting]) }
        }
        var renewed = lease
        renewed.expiresAt = Date(storeMilliseconds: until)
        return renewed
    }

    /// Lets go of the run so any worker may claim it.
    public func releaseRun(_ lease: RunLease) async throws {
        let now = clock.now()
        try await write { db in
            let count = try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET owner = NULL, lease_until = NULL, version = version + 1,
                            event_count = event_count + 1, updated_at = ?
                        WHERE run_id = ? AND owner = ? AND version = ? AND status IN ('running', 'waiting')
                        RETURNING event_count
                        """),
                arguments: [now.storeMilliseconds, lease.runID, lease.owner, lease.version])
            guard let count else { throw try Self.fenceFailure(db, lease, expecting: [.running, .waiting]) }
            let payload = try StoredJSON(encoding: ["owner": lease.owner])
            _ = try Self.insertEvents(
                db, runID: lease.runID, lastSequence: count, [EventDraft(.runReleased, payload: payload)], now: now)
        }
    }

    /// Cancels an unfinished run and closes its pending request.
    public func cancelRun(_ runID: String, by canceller: String, reason: String?) async throws -> RunRecord {
        let now = clock.now()
        return try await write { db in
            let count = try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE runs SET status = 'cancelled', owner = NULL, lease_until = NULL, version = version + 1,
                            cancelled_by = ?, error = ?, event_count = event_count + 1, finished_at = ?, updated_at = ?
                        WHERE run_id = ? AND status IN ('running', 'waiting', 'paused')
                        RETURNING event_count
                        """),
                arguments: [canceller, reason, now.storeMilliseconds, now.storeMilliseconds, runID])
            guard let count else {
                guard let run = try Self.fetchRun(db, runID) else { throw StoreError.runNotFound(runID) }
                throw StoreError.runFinished(run)
            }
            self.crashPoint("cancelRun.afterRun")
            try db.execute(
                sql: "UPDATE approvals SET status = 'cancelled' WHERE run_id = ? AND status = 'pending'",
                arguments: [runID])
            let payload = try StoredJSON(encoding: [
                "by": JSONValue.string(canceller), "reason": reason.map(JSONValue.string) ?? .null,
            ])
            _ = try Self.insertEvents(
                db, runID: runID, lastSequence: count, [EventDraft(.runCancelled, payload: payload)], now: now)
            guard let run = try Self.fetchRun(db, runID) else { throw StoreError.runNotFound(runID) }
            return run
        }
    }

    // MARK: Shared pieces

    /// Inserts `events` as the run's last `events.count` entries, ending at
    /// `lastSequence`; returns them numbered when `returning` (a step's record does not need them).
    static func insertEvents(
        _ db: Database, runID: String, lastSequence: Int, _ events: [EventDraft], now: Date, returning: Bool = true
    ) throws -> [RunEvent] {
        guard !events.isEmpty else { return [] }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO run_events (run_id, seq, kind, payload_json, at) VALUES (?, ?, ?, ?, ?)")
        var sequence = lastSequence - events.count
        var written: [RunEvent] = []
        written.reserveCapacity(events.count)
        for event in events {
            sequence += 1
            let at = event.at.map { Date(storeMilliseconds: $0.storeMilliseconds) } ?? now
            try statement.execute(arguments: [
                runID, sequence, event.kind.rawValue, event.payload.text, at.storeMilliseconds,
            ])
            if returning {
                written.append(
                    RunEvent(runID: runID, sequence: sequence, kind: event.kind, payload: event.payload, at: at))
            }
        }
        return written
    }

    /// Appends a step result at `position`, when there is one.
    static func insertStep(_ db: Database, runID: String, position: Int, _ result: StoredJSON?) throws {
        guard let result else { return }
        try db.cachedStatement(sql: "INSERT INTO run_steps (run_id, position, result_json) VALUES (?, ?, ?)")
            .execute(arguments: [runID, position, result.text])
    }

    /// Appends the store's own events to a run, whoever owns it.
    static func appendStoreEvents(_ db: Database, runID: String, _ events: [EventDraft], now: Date) throws {
        let count = try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    UPDATE runs SET event_count = event_count + ?, updated_at = ? WHERE run_id = ? RETURNING event_count
                    """),
            arguments: [events.count, now.storeMilliseconds, runID])
        guard let count else { throw StoreError.runNotFound(runID) }
        _ = try insertEvents(db, runID: runID, lastSequence: count, events, now: now)
    }

    /// Why a write with `lease` changed nothing: no run, a finished run, a takeover, or the wrong status.
    static func fenceFailure(_ db: Database, _ lease: RunLease, expecting statuses: Set<StoredRunStatus>) throws
        -> StoreError
    {
        guard let run = try fetchRun(db, lease.runID) else { return .runNotFound(lease.runID) }
        if run.status.isFinished { return .runFinished(run) }
        if run.owner != lease.owner || run.version != lease.version { return .fencedOut(lease, current: run) }
        let expected = statuses.map(\.rawValue).sorted().joined(separator: " or ")
        return StoreError(
            .invalidArgument, "Run \(run.id) is \(run.status.rawValue), not \(expected): this write does not apply now."
        )
    }
}

/// A pending approval request as its `approvals` row: written by a gate and by an import alike.
private struct PendingRequestRow {
    let request: ApprovalRequestDraft
    let requestedAt: Int64
    let deadline: Int64?
    let metadata: String
    let preview: String?
    let allowed: String

    /// Encodes the request's JSON columns once, outside the write transaction.
    init(_ request: ApprovalRequestDraft, at now: Date) throws {
        self.request = request
        requestedAt = now.storeMilliseconds
        deadline = request.deadline.map { now.storeMilliseconds + $0.duration.storeMilliseconds }
        metadata = try Rows.json(request.metadata)
        preview = try request.routePreview.map { try Rows.json($0) }
        allowed = try Rows.json(request.allowedApprovers)
    }

    /// Inserts the row, pending, for run `runID` at step `stepIndex`.
    func insert(_ db: Database, runID: String, stepIndex: Int) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO approvals (approval_id, run_id, step, step_index, message, metadata_json, state_json,
                    state_hash, route_preview_json, requested_at, deadline_at, on_timeout, allowed_approvers_json,
                    refuses_self_approval, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
                """
        ).execute(arguments: [
            request.id, runID, request.stepName, stepIndex, request.message, metadata,
            request.state.text, request.state.sha256, preview, requestedAt, deadline,
            request.deadline?.outcome.rawValue, allowed, request.refusesSelfApproval,
        ])
    }
}
