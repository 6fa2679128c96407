import Foundation
import Synchronization

/// A recorded run's link to its store: the lease it writes with, the events
/// waiting to be written with the next record, and whether the run is still
/// this process's to write.
///
/// One per run, made by the engine. Every write goes through it; the first
/// one refused (the run was taken over or cancelled, the store is unusable)
/// ends the run here: the recorder keeps that error and writes nothing more.
/// While the run is this process's, a heartbeat renews the lease every third
/// of the lease's duration, so no worker takes over a run whose owner lives.
final class RunRecorder: Sendable {
    let store: any RunStore
    let owner: String
    let leaseDuration: Duration
    /// Who started the run (the OS user unless the options say).
    let startedBy: String
    private let crashPoint: (@Sendable (String) -> Void)?

    private struct State {
        var lease: RunLease?
        var pending: [EventDraft] = []
        var failure: (any Error)?
        var heartbeat: Task<Void, Never>?
    }

    private let state: Mutex<State>

    /// A recorder for a run of `options.store`; with `lease`, a run this process already owns (a continued one).
    init(store: any RunStore, options: RunOptions, lease: RunLease?) {
        self.store = store
        self.owner = lease?.owner ?? options.owner ?? ProcessIdentity.ownerID
        self.leaseDuration = options.leaseDuration
        self.startedBy = options.startedBy ?? ProcessIdentity.userName
        self.crashPoint = options.crashPoint
        self.state = Mutex(State(lease: lease))
        if lease != nil { startHeartbeat() }
    }

    deinit {
        state.withLock { $0.heartbeat?.cancel() }
    }

    /// The lease writes go with.
    var lease: RunLease? { state.withLock { $0.lease } }

    /// The error that ended the run here, once a write was refused.
    var failure: (any Error)? { state.withLock { $0.failure } }

    /// Stops at a named point when a crash test asks to.
    func reach(_ point: String) {
        crashPoint?(point)
    }

    // MARK: The audit log

    /// Keeps an event for the next write.
    func log(_ event: WorkflowEvent) {
        log(EventDraft(event))
    }

    /// Keeps an audit-log entry for the next write (built directly when no hook or stream needs the event).
    func log(_ draft: EventDraft) {
        state.withLock { $0.pending.append(draft) }
    }

    /// The events kept since the last write, in order, and `extra` after them.
    func takePending(adding extra: EventDraft? = nil) -> [EventDraft] {
        state.withLock { state in
            defer { state.pending = [] }
            guard let extra else { return state.pending }
            return state.pending + [extra]
        }
    }

    // MARK: Writes

    /// Creates the run's row with its first event, owned by this process.
    func create(_ run: NewRun) async -> (any Error)? {
        do {
            let lease = try await store.createRun(run)
            state.withLock { $0.lease = lease }
            startHeartbeat()
            return nil
        } catch {
            return lost(error, release: false)
        }
    }

    /// Records a finished step and the events up to it.
    func recordStep(nextStepIndex: Int, state runState: StoredJSON, result: StoredJSON, routeTrace: [RouteDecision]?)
        async -> (any Error)?
    {
        guard let lease = writableLease() else { return failure }
        let record = StepRecord(
            nextStepIndex: nextStepIndex, state: runState, result: result, routeTrace: routeTrace,
            events: takePending())
        do {
            try await shielded { [store] in try await store.recordStep(record, lease: lease) }
            return nil
        } catch {
            return lost(error, release: true)
        }
    }

    /// Writes an approval request with the events up to it; the run is then waiting.
    func requestApproval(_ draft: ApprovalRequestDraft, event: EventDraft) async
        -> Result<ApprovalRequestRecord, any Error>
    {
        guard let lease = writableLease() else { return .failure(failure ?? CancellationError()) }
        let events = takePending(adding: event)
        do {
            return .success(
                try await shielded { [store] in try await store.requestApproval(draft, events: events, lease: lease) })
        } catch {
            return .failure(lost(error, release: true))
        }
    }

    /// Takes the run back after its request was decided: status running, a new lease.
    func reclaim() async -> (any Error)? {
        guard let lease = writableLease() else { return failure }
        do {
            let claimed = try await shielded { [store, owner, leaseDuration] in
                try await store.claimRun(lease.runID, owner: owner, leaseDuration: leaseDuration)
            }
            state.withLock { $0.lease = claimed.lease }
            return nil
        } catch {
            return lost(error, release: false)
        }
    }

    /// Finishes the run with its final state, status and remaining events.
    func finish(
        _ status: StoredRunStatus, state runState: StoredJSON, lastStep: StoredJSON?, routeTrace: [RouteDecision],
        error: (any Error)?
    ) async -> (any Error)? {
        guard let lease = writableLease() else { return failure }
        stopHeartbeat()
        let completion = RunCompletion(
            status: status, state: runState, lastStep: lastStep, routeTrace: routeTrace, error: error.map(errorMessage),
            events: takePending())
        do {
            _ = try await shielded { [store] in try await store.finishRun(completion, lease: lease) }
            return nil
        } catch {
            return lost(error, release: true)
        }
    }

    /// Writes the remaining events and lets go of the run, leaving its request
    /// pending: pause mode, or a worker handing a run back.
    func letGo() async -> (any Error)? {
        guard let lease = writableLease() else { return failure }
        stopHeartbeat()
        let events = takePending()
        do {
            try await shielded { [store] in
                if !events.isEmpty { try await store.appendEvents(events, lease: lease) }
                try await store.releaseRun(lease)
            }
            state.withLock { $0.lease = nil }
            return nil
        } catch {
            return lost(error, release: true)
        }
    }

    /// Gives the run up after a local failure to prepare a write (a state that
    /// cannot be encoded): nothing more is written, and the run is let go.
    func abandon(_ error: any Error) -> any Error {
        lost(error, release: true)
    }

    /// The lease, while the run is still this process's to write.
    private func writableLease() -> RunLease? {
        state.withLock { $0.failure == nil ? $0.lease : nil }
    }

    /// Keeps the first refusal and stops writing; lets go of the run when it
    /// may still be ours (the store failed, not the lease), so a worker need
    /// not wait for the lease to run out.
    private func lost(_ error: any Error, release: Bool) -> any Error {
        let (kept, lease) = state.withLock { state -> (any Error, RunLease?) in
            if let failure = state.failure { return (failure, nil) }
            state.failure = error
            state.heartbeat?.cancel()
            state.heartbeat = nil
            return (error, state.lease)
        }
        let lostLease =
            (error as? StoreError).map { [.fencedOut, .runFinished, .runNotFound].contains($0.code) } ?? false
        if release, !lostLease, let lease {
            let store = store
            Task { try? await store.releaseRun(lease) }
        }
        return kept
    }

    /// Runs a write even if the run's task was cancelled: the write that
    /// records a cancelled run's end must still happen (GRDB's async writes
    /// give up when their task is cancelled).
    private func shielded<T: Sendable>(_ write: @escaping @Sendable () async throws -> T) async throws -> T {
        guard Task.isCancelled else { return try await write() }
        return try await Task { try await write() }.value
    }

    // MARK: Heartbeat

    private func startHeartbeat() {
        let period = leaseDuration / 3
        let task = Task { [weak self] in
            while true {
                do {
                    try await Task.sleep(for: period)
                } catch {
                    return
                }
                guard let self, await self.renew() else { return }
            }
        }
        state.withLock { state in
            state.heartbeat?.cancel()
            state.heartbeat = task
        }
    }

    private func stopHeartbeat() {
        state.withLock { state in
            state.heartbeat?.cancel()
            state.heartbeat = nil
        }
    }

    /// Renews the lease; says whether to keep renewing.
    private func renew() async -> Bool {
        guard let lease = writableLease() else { return false }
        do {
            let renewed = try await store.renewLease(lease, duration: leaseDuration)
            state.withLock { state in
                if state.lease?.version == renewed.version { state.lease?.expiresAt = renewed.expiresAt }
            }
            return true
        } catch let error as StoreError where [.fencedOut, .runFinished, .runNotFound].contains(error.code) {
            // A claim of our own (after a decision) bumps the version: only a lease still current is lost.
            let current = state.withLock { $0.lease?.version == lease.version }
            if current { _ = lost(error, release: false) }
            return !current
        } catch {
            // A busy or unreachable store: try again next period; the lease may still hold.
            return true
        }
    }
}

/// Who this process is to a store: its OS user and its owner id.
public enum ProcessIdentity {
    /// The OS user running this process (the user name of its effective uid,
    /// else `$USER`, else the uid as a number).
    public static let userName: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? String(geteuid())
    }()

    /// The owner id this process writes on the runs it records: host, process
    /// id and a random suffix (see ``RunLease/makeOwnerID()``).
    public static let ownerID: String = RunLease.makeOwnerID()
}

/// Tells a run driven by a ``Worker`` to stop before its next step.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Asks the run to stop.
    func stop() {
        flag.store(true, ordering: .releasing)
    }

    /// Whether the run was asked to stop.
    var isStopped: Bool { flag.load(ordering: .acquiring) }
}

// MARK: - Events in the audit log

extension EventDraft {
    /// An engine event as its audit-log entry: what happened, with small
    /// payloads (the state and step results are recorded on the run itself).
    init(_ event: WorkflowEvent) {
        switch event {
        case .workflowStarted(let e):
            self.init(.workflowStarted, payload: .fields(["workflow": .text(e.workflowName)]), at: e.startedAt)
        case .stepStarted(let e):
            self = .stepStarted(e.stepName, index: e.stepIndex, at: e.startedAt)
        case .stepFinished(let e):
            self = .stepFinished(e.stepName, index: e.stepIndex, result: e.result)
        case .workflowFinished(let e):
            self.init(
                .workflowFinished,
                payload: .fields([
                    "status": .text(e.result.status.rawValue), "duration_ms": .number(e.result.durationMs),
                    "error": e.result.error.map { .text(errorMessage($0)) },
                ]),
                at: e.result.finishedAt)
        case .retryScheduled(let e):
            self.init(
                .retryScheduled,
                payload: .fields([
                    "step": .text(e.stepName), "failed_attempt": .number(e.failedAttempt),
                    "delay_ms": .number(Int(e.delay.storeMilliseconds)), "error": .text(errorMessage(e.error)),
                ]))
        case .approvalRequested(let request):
            self.init(
                .approvalRequested,
                payload: .fields([
                    "step": .text(request.stepName), "request_id": request.requestID.map { .text($0) },
                    "message": request.message.map { .text($0) },
                ]))
        case .approvalDecided(let e):
            let decision = e.decision
            self.init(
                .approvalApplied,
                payload: .fields([
                    "step": .text(e.stepName), "approved": .flag(decision.approved),
                    "decided_by": decision.decidedBy.map { .text($0) }, "reason": decision.reason.map { .text($0) },
                    "identity_source": decision.identitySource.map { .text($0.rawValue) },
                    "receipt": decision.receipt.map { .text($0.value) },
                ]),
                at: decision.decidedAt)
        case .childWorkflowStarted(let e):
            self.init(
                .childWorkflowStarted,
                payload: .fields([
                    "step": .text(e.stepName), "child_workflow": .text(e.childWorkflowName),
                    "child_run_id": .text(e.childRunID),
                ]))
        case .childWorkflowFinished(let e):
            self.init(
                .childWorkflowFinished,
                payload: .fields([
                    "step": .text(e.stepName), "child_workflow": .text(e.result.workflowName),
                    "child_run_id": .text(e.result.runID), "status": .text(e.result.status.rawValue),
                    "error": e.result.error.map { .text(errorMessage($0)) },
                ]))
        }
    }
}

extension EventDraft {
    /// `step_started`: the step and its index.
    static func stepStarted(_ step: String, index: Int, at startedAt: Date) -> EventDraft {
        EventDraft(.stepStarted, payload: .fields(["step": .text(step), "step_index": .number(index)]), at: startedAt)
    }

    /// `step_finished`: the step, its index, and the result's outline (the result itself is recorded with the step).
    static func stepFinished(_ step: String, index: Int, result: StepResult) -> EventDraft {
        EventDraft(
            .stepFinished,
            payload: .fields([
                "step": .text(step), "step_index": .number(index), "status": .text(result.status.rawValue),
                "attempts": .number(result.attempts), "duration_ms": .number(result.durationMs),
                "error": result.error.map { .text(errorMessage($0)) }, "route_key": result.routeKey.map { .text($0) },
                "next_step": result.nextStep.map { .text($0) },
            ]),
            at: result.finishedAt)
    }
}

/// A scalar in an event payload.
enum PayloadField {
    case text(String)
    case number(Int)
    case flag(Bool)
}

extension StoredJSON {
    /// A flat object of scalars, written directly as compact, sorted-keys JSON
    /// (two of these per recorded step: no encoder on that path); `nil` fields are left out.
    static func fields(_ fields: KeyValuePairs<String, PayloadField?>) -> StoredJSON {
        var present: [(String, PayloadField)] = []
        present.reserveCapacity(fields.count)
        for (key, value) in fields { if let value { present.append((key, value)) } }
        present.sort { $0.0 < $1.0 }
        var text = "{"
        for (position, (key, value)) in present.enumerated() {
            if position > 0 { text += "," }
            appendQuoted(key, to: &text)
            text += ":"
            switch value {
            case .text(let string): appendQuoted(string, to: &text)
            case .number(let number): text += String(number)
            case .flag(let flag): text += flag ? "true" : "false"
            }
        }
        text += "}"
        return StoredJSON(trustedText: text)
    }

    /// Appends `string` as a JSON string literal, escaped as RFC 8259 requires.
    private static func appendQuoted(_ string: String, to text: inout String) {
        text += "\""
        // Step names, statuses and ids need no escaping: append them whole.
        guard string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        else {
            text += string
            text += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
