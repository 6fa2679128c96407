import Foundation
import StepFlow

/// A message between a controller and a probe process, one JSON object a line.
package struct ProbeMessage: Codable, Sendable, Hashable {
    /// What to do, or what was done.
    package var op: String
    package var runID: String?
    package var requestID: String?
    package var stateHash: String?
    package var approver: String?
    package var key: String?
    package var owner: String?
    package var version: Int?
    /// A decision's result code, or an error's code.
    package var result: String?
    /// The winning decision's approver.
    package var winner: String?
    package var receipt: String?
    /// Whether this probe's claim of the run succeeded.
    package var claimed: Bool?
    package var message: String?
    /// The file whose lock is the round's starting gate.
    package var barrier: String?
    /// Whether a racer claims the run after deciding (`nil`: it does); not when its owner is alive and continues it.
    package var claim: Bool?

    package init(
        op: String, runID: String? = nil, requestID: String? = nil, stateHash: String? = nil, approver: String? = nil,
        key: String? = nil, owner: String? = nil, version: Int? = nil
    ) {
        self.op = op
        self.runID = runID
        self.requestID = requestID
        self.stateHash = stateHash
        self.approver = approver
        self.key = key
        self.owner = owner
        self.version = version
    }

    package var line: String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }

    package init(line: String) throws {
        self = try JSONDecoder().decode(ProbeMessage.self, from: Data(line.utf8))
    }
}

/// What a probe process does with a store it opened, whatever the backend.
package enum ProbeWorker {
    /// Writes a line to stdout at once (stdout to a pipe is otherwise block-buffered).
    package static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The racing decider, until stdin closes.
    ///
    /// On `arm`, it answers `armed` and waits at the starting gate (a shared
    /// lock on the barrier file, which the controller holds exclusively until
    /// every probe is armed); then decides, tries to claim the run, and reports.
    package static func serve(_ store: any RunStore, name: String) async {
        say("ready")
        var gates: [String: Int32] = [:]
        while let line = readLine() {
            guard let message = try? ProbeMessage(line: line), message.op == "arm" else { continue }
            let gate = message.barrier.map { path in
                if let open = gates[path] { return open }
                let descriptor = open(path, O_RDONLY)
                gates[path] = descriptor
                return descriptor
            }
            say(ProbeMessage(op: "armed").line)
            if let gate, gate >= 0 {
                // Blocks until the controller lets go: every armed probe wakes at once.
                _ = flock(gate, LOCK_SH)
                _ = flock(gate, LOCK_UN)
            }
            say(await race(message, on: store, name: name).line)
        }
    }

    private static func race(_ armed: ProbeMessage, on store: any RunStore, name: String) async -> ProbeMessage {
        var reply = ProbeMessage(op: "raced")
        do {
            let result = try await store.decide(
                DecisionDraft(
                    requestID: armed.requestID ?? "", outcome: .approve, approver: armed.approver ?? name,
                    identitySource: .claimed, seenStateHash: armed.stateHash ?? "", idempotencyKey: armed.key ?? name))
            reply.result = result.code
            reply.winner = result.decision?.approver
            reply.receipt = result.decision?.receipt.value
            reply.message = result.summary
            if armed.claim != false {
                do {
                    _ = try await store.claimRun(armed.runID ?? "", owner: name, leaseDuration: .seconds(60))
                    reply.claimed = true
                } catch {
                    reply.claimed = false
                }
            }
        } catch {
            reply.result = "error"
            reply.message = "\(error)"
        }
        return reply
    }

    /// One operation of a crash round, with the lease or request it needs.
    package static func perform(_ operation: ProbeMessage, on store: any RunStore) async throws {
        let lease = RunLease(
            runID: operation.runID ?? "", owner: operation.owner ?? "", version: operation.version ?? 0,
            expiresAt: Date())
        switch operation.op {
        case "createRun":
            _ = try await store.createRun(
                NewRun(
                    id: operation.runID ?? "", workflowName: "crash", definitionFingerprint: "fp", state: .emptyObject,
                    owner: operation.owner ?? "", leaseDuration: .milliseconds(1),
                    events: [EventDraft(.workflowStarted)]))
        case "recordStep":
            try await store.recordStep(
                StepRecord(
                    nextStepIndex: 1, state: StoredJSON(["n": 1]), result: StoredJSON(["step": 0]),
                    events: [EventDraft(.stepStarted), EventDraft(.stepFinished)]),
                lease: lease)
        case "requestApproval":
            _ = try await store.requestApproval(
                ApprovalRequestDraft(
                    id: operation.requestID ?? "", stepName: "gate", stepIndex: 0, state: .emptyObject),
                events: [EventDraft(.approvalRequested)], lease: lease)
        case "decide":
            _ = try await store.decide(
                DecisionDraft(
                    requestID: operation.requestID ?? "", outcome: .approve, approver: "crasher",
                    identitySource: .claimed,
                    seenStateHash: operation.stateHash ?? ""))
        case "claimRun":
            _ = try await store.claimRun(operation.runID ?? "", owner: "crasher", leaseDuration: .seconds(60))
        case "finishRun":
            _ = try await store.finishRun(
                RunCompletion(status: .succeeded, state: .emptyObject, events: [EventDraft(.workflowFinished)]),
                lease: lease)
        case "cancelRun":
            _ = try await store.cancelRun(operation.runID ?? "", by: "crasher", reason: "crash test")
        default:
            throw StoreError(.invalidArgument, "unknown operation \(operation.op)")
        }
    }

    /// Writes forever (runs through their whole life: steps, a request, a
    /// decision, a claim, a finish), saying `tick` after each transaction.
    package static func churn(_ store: any RunStore, name: String, workflow: String) async throws {
        var tick = 0
        func ticked() {
            tick += 1
            say("tick \(tick)")
        }
        while true {
            var lease = try await store.createRun(
                NewRun(
                    workflowName: workflow, definitionFingerprint: "fp", state: StoredJSON(["n": 0]), owner: name,
                    leaseDuration: .milliseconds(1), events: [EventDraft(.workflowStarted)]))
            ticked()
            for index in 0..<2 {
                try await store.recordStep(
                    StepRecord(
                        nextStepIndex: index + 1, state: StoredJSON(["n": .integer(index + 1)]),
                        result: StoredJSON(["step": .integer(index)]),
                        events: [EventDraft(.stepStarted), EventDraft(.stepFinished)]),
                    lease: lease)
                ticked()
            }
            let request = try await store.requestApproval(
                ApprovalRequestDraft(stepName: "gate", stepIndex: 2, state: StoredJSON(["n": 2])),
                events: [EventDraft(.approvalRequested)], lease: lease)
            ticked()
            _ = try await store.decide(
                DecisionDraft(
                    requestID: request.id, outcome: .approve, approver: name, identitySource: .claimed,
                    seenStateHash: request.stateHash))
            ticked()
            lease = try await store.claimRun(lease.runID, owner: name, leaseDuration: .milliseconds(1)).lease
            ticked()
            _ = try await store.finishRun(
                RunCompletion(
                    status: .succeeded, state: StoredJSON(["n": 3]), lastStep: StoredJSON(["step": 2]),
                    events: [EventDraft(.stepFinished), EventDraft(.workflowFinished)]),
                lease: lease)
            ticked()
        }
    }
}
