import Foundation
import StepFlow

/// How to start a probe process on the store under test.
package struct ProbeLauncher: Sendable {
    /// The probe executable.
    package let executable: URL
    /// The arguments that name the store (`--store PATH`).
    package let storeArguments: [String]

    package init(executable: URL, storeArguments: [String]) {
        self.executable = executable
        self.storeArguments = storeArguments
    }

    /// Starts the probe in `mode`.
    package func start(_ mode: String, _ arguments: [String] = []) throws -> ProbeProcess {
        try ProbeProcess(executable: executable, arguments: [mode] + storeArguments + arguments)
    }
}

// MARK: - Racing deciders

/// One round of many processes deciding one request at the same instant.
package struct RaceRound: Sendable, CustomStringConvertible {
    /// How many processes raced.
    package var processes: Int
    /// How many were told they won.
    package var decided = 0
    /// How many were told "already decided" naming the stored winner.
    package var alreadyDecidedByWinner = 0
    /// Every other answer, as "approver: result".
    package var unexpected: [String] = []
    /// How many claimed the run afterwards (it must be continued once).
    package var claims = 0
    /// How many claims there must be: one when the requester is gone, none when its owner waits and continues it.
    package var expectedClaims = 1
    /// The decision's approver, as stored.
    package var storedWinner: String?

    /// Exactly one win, everyone else told who won, one claim.
    package var isClean: Bool {
        decided == 1 && alreadyDecidedByWinner == processes - 1 && unexpected.isEmpty && claims == expectedClaims
            && storedWinner != nil
    }

    package var description: String {
        "decided \(decided), already decided by winner \(alreadyDecidedByWinner), claims \(claims), "
            + "winner \(storedWinner ?? "none")" + (unexpected.isEmpty ? "" : ", unexpected \(unexpected)")
    }
}

/// Probe processes that decide the same request at the same instant.
///
/// Each round writes a request and takes an exclusive lock on a barrier file;
/// it arms every probe with the request, and each probe, once armed, blocks
/// on a shared lock of the same file. Releasing the exclusive lock wakes them
/// all at once (the kernel grants the shared locks together), so they start
/// deciding within microseconds of each other, in no fixed order.
package final class DecisionRace: Sendable {
    private let store: any RunStore
    private let probes: [ProbeProcess]
    private let barrierPath: String
    private let barrier: Int32

    /// Starts `processes` probes and waits until each has opened the store.
    package init(launcher: ProbeLauncher, store: any RunStore, processes: Int) async throws {
        self.store = store
        var probes: [ProbeProcess] = []
        for index in 0..<processes {
            probes.append(try launcher.start("serve", ["--name", "approver-\(index)"]))
        }
        self.probes = probes
        barrierPath =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("stepflow-barrier-\(UUID().uuidString)").path
        barrier = open(barrierPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard barrier >= 0 else { throw StoreError(.unavailable, "the barrier file cannot be created") }
        for probe in probes {
            guard await probe.nextLine() == "ready" else {
                throw StoreError(.unavailable, "a probe did not start: \(await probe.exit())")
            }
        }
    }

    /// Runs one round on a request of a run whose requester is gone: the winner may continue it.
    package func round() async throws -> RaceRound {
        let (lease, request) = try await StoreFixtures(store: store, owner: "requester").waitingRun()
        // The requester is gone: whoever wins may continue the run.
        try await store.releaseRun(lease)
        return try await race(runID: lease.runID, requestID: request.id, stateHash: request.stateHash, claim: true)
    }

    /// Every probe decides `requestID` at the same instant; with `claim`, each then tries to claim the run.
    package func race(runID: String, requestID: String, stateHash: String, claim: Bool) async throws -> RaceRound {
        // Every probe passed the last round's gate before answering it, so this does not wait.
        _ = flock(barrier, LOCK_EX)
        for (index, probe) in probes.enumerated() {
            var arm = ProbeMessage(
                op: "arm", runID: runID, requestID: requestID, stateHash: stateHash,
                approver: "approver-\(index)", key: "key-\(index)-\(requestID)")
            arm.barrier = barrierPath
            arm.claim = claim
            try probe.send(arm.line)
        }
        for probe in probes {
            guard let line = await probe.nextLine(), (try? ProbeMessage(line: line))?.op == "armed" else {
                _ = flock(barrier, LOCK_UN)
                throw StoreError(.unavailable, "a probe died while arming: \(await probe.exit())")
            }
        }
        _ = flock(barrier, LOCK_UN)
        var round = RaceRound(processes: probes.count)
        round.expectedClaims = claim ? 1 : 0
        var replies: [ProbeMessage] = []
        for probe in probes {
            guard let line = await probe.nextLine(), let reply = try? ProbeMessage(line: line) else {
                throw StoreError(.unavailable, "a probe died while deciding: \(await probe.exit())")
            }
            replies.append(reply)
        }
        let winner = try await store.decision(for: requestID)
        round.storedWinner = winner?.approver
        for (index, reply) in replies.enumerated() {
            switch reply.result {
            case "decided" where reply.winner == "approver-\(index)" && reply.receipt == winner?.receipt.value:
                round.decided += 1
            case "already_decided" where reply.winner == winner?.approver && reply.receipt == winner?.receipt.value:
                round.alreadyDecidedByWinner += 1
            default:
                round.unexpected.append("approver-\(index): \(reply.result ?? "?") \(reply.message ?? "")")
            }
            if reply.claimed == true { round.claims += 1 }
        }
        return round
    }

    /// Closes the probes' stdin and waits for them.
    package func stop() async -> [ProbeProcess.Exit] {
        var exits: [ProbeProcess.Exit] = []
        for probe in probes { exits.append(await probe.finish()) }
        return exits
    }

    deinit {
        _ = close(barrier)
        try? FileManager.default.removeItem(atPath: barrierPath)
    }
}

// MARK: - Crashes

/// A point inside a write transaction where a probe kills itself with SIGKILL.
package enum CrashPoint: String, CaseIterable, Sendable {
    case createRun = "createRun.afterRun"
    case recordStep = "recordStep.afterRun"
    case requestApprovalAfterRun = "requestApproval.afterRun"
    case requestApprovalAfterRequest = "requestApproval.afterRequest"
    case decideAfterRequest = "decide.afterRequest"
    case decideAfterDecision = "decide.afterDecision"
    case claimRun = "claimRun.afterRun"
    case finishRun = "finishRun.afterRun"
    case cancelRun = "cancelRun.afterRun"

    /// The store operation the point is in.
    package var operation: String { String(rawValue.prefix { $0 != "." }) }
}

/// What one crash left behind.
package struct CrashRound: Sendable, CustomStringConvertible {
    package var point: CrashPoint
    /// How the probe ended (it must be SIGKILL at the point).
    package var exit: ProbeProcess.Exit
    /// Whether everything the run shows is as before the crashed transaction.
    package var unchanged: Bool
    /// Whether another process then did the same operation successfully.
    package var continued: Bool
    /// Broken store invariants afterwards.
    package var violations: [String]

    package var isClean: Bool { exit == .signalled(SIGKILL) && unchanged && continued && violations.isEmpty }

    package var description: String {
        "\(point.rawValue): \(exit), unchanged \(unchanged), continued \(continued)"
            + (violations.isEmpty ? "" : ", violations \(violations)")
    }
}

/// Everything a store shows about one run, to compare before and after a crash.
private struct RunSnapshot: Equatable {
    var run: RunRecord?
    var events: [RunEvent]
    var requests: [ApprovalRequestRecord]
    var decisions: [DecisionRecord?]

    init(_ store: any RunStore, _ runID: String) async throws {
        run = try await store.run(runID)
        events = try await store.events(of: runID)
        requests = try await store.approvalRequests(of: runID)
        var decisions: [DecisionRecord?] = []
        for request in requests { decisions.append(try await store.decision(for: request.id)) }
        self.decisions = decisions
    }
}

package enum CrashScenario {
    /// Sets up what `point` needs, has a probe die there, checks that nothing
    /// of the transaction shows, and that this process can then do it.
    package static func round(_ point: CrashPoint, launcher: ProbeLauncher, store: any RunStore) async throws
        -> CrashRound
    {
        let crasher = StoreFixtures(store: store, owner: "crasher")
        let controller = StoreFixtures(store: store, owner: "controller")
        var message = ProbeMessage(op: point.operation)
        let runID: String
        switch point {
        case .createRun:
            runID = UUID().uuidString.lowercased()
            message.owner = "crasher"
        case .recordStep, .requestApprovalAfterRun, .requestApprovalAfterRequest, .finishRun:
            // A lease of a millisecond: by the time the probe is dead, it has expired.
            let lease = try await crasher.createRun(lease: .milliseconds(1))
            runID = lease.runID
            (message.owner, message.version) = (lease.owner, lease.version)
            message.requestID = UUID().uuidString.lowercased()
        case .decideAfterRequest, .decideAfterDecision, .cancelRun:
            let (lease, request) = try await controller.waitingRun()
            runID = lease.runID
            (message.requestID, message.stateHash) = (request.id, request.stateHash)
        case .claimRun:
            let (lease, request) = try await controller.waitingRun()
            runID = lease.runID
            _ = try await store.decide(StoreFixtures.decision(request, by: "alice"))
            try await store.releaseRun(lease)
        }
        message.runID = runID
        let before = try await RunSnapshot(store, runID)
        let probe = try launcher.start("crash", ["--point", point.rawValue, "--operation", message.line])
        let exit = await probe.exit()
        let after = try await RunSnapshot(store, runID)
        let continued = try await continueAfter(point, message: message, store: store, controller: controller)
        let violations = try await StoreInvariants.violations(in: store, runIDs: [runID])
        return CrashRound(
            point: point, exit: exit, unchanged: before == after, continued: continued, violations: violations)
    }

    /// Does what the dead probe was doing, from this process.
    private static func continueAfter(
        _ point: CrashPoint, message: ProbeMessage, store: any RunStore, controller: StoreFixtures
    ) async throws -> Bool {
        let runID = message.runID ?? ""
        switch point {
        case .createRun:
            return try await controller.createRun(id: runID).runID == runID
        case .recordStep:
            let lease = try await store.claimRun(runID, owner: "controller", leaseDuration: .seconds(60)).lease
            try await store.recordStep(StepRecord(nextStepIndex: 1, state: .emptyObject), lease: lease)
            return try await store.run(runID)?.stepIndex == 1
        case .requestApprovalAfterRun, .requestApprovalAfterRequest:
            let lease = try await store.claimRun(runID, owner: "controller", leaseDuration: .seconds(60)).lease
            let request = try await store.requestApproval(
                ApprovalRequestDraft(id: message.requestID ?? "", stepName: "gate", stepIndex: 0, state: .emptyObject),
                lease: lease)
            return try await store.run(runID)?.approvalRequestID == request.id
        case .decideAfterRequest, .decideAfterDecision:
            let result = try await store.decide(
                DecisionDraft(
                    requestID: message.requestID ?? "", outcome: .deny, approver: "controller", identitySource: .osUser,
                    seenStateHash: message.stateHash ?? ""))
            if case .decided = result { return true }
            return false
        case .claimRun:
            return try await store.claimRun(runID, owner: "controller", leaseDuration: .seconds(60)).decision != nil
        case .finishRun:
            let lease = try await store.claimRun(runID, owner: "controller", leaseDuration: .seconds(60)).lease
            return try await store.finishRun(RunCompletion(status: .succeeded, state: .emptyObject), lease: lease)
                .status == .succeeded
        case .cancelRun:
            return try await store.cancelRun(runID, by: "controller", reason: nil).status == .cancelled
        }
    }
}

// MARK: - Killed at a random moment

/// What a writer killed at an arbitrary moment left behind.
package struct ChurnRound: Sendable, CustomStringConvertible {
    /// How many transactions it reported before the kill.
    package var ticks: Int
    package var exit: ProbeProcess.Exit
    /// Broken invariants right after the kill.
    package var violations: [String]
    /// Runs this process then claimed and finished.
    package var continued: Int
    /// Runs of the writer still unfinished after that (must be none).
    package var leftUnfinished: Int

    package var isClean: Bool { exit == .signalled(SIGKILL) && violations.isEmpty && leftUnfinished == 0 }

    package var description: String {
        "after \(ticks) ticks: \(exit), continued \(continued), left \(leftUnfinished)"
            + (violations.isEmpty ? "" : ", violations \(violations)")
    }
}

package enum ChurnScenario {
    /// Starts a writer, kills it after `ticks` transactions (it is then
    /// somewhere in the next one), checks the store, and finishes every run it
    /// left, as a worker would.
    package static func round(afterTicks ticks: Int, launcher: ProbeLauncher, store: any RunStore) async throws
        -> ChurnRound
    {
        // A workflow name of its own: this round's runs, and only them, are checked and continued.
        let workflow = "churn-" + UUID().uuidString.prefix(8).lowercased()
        let probe = try launcher.start("churn", ["--workflow", workflow])
        var seen = 0
        while seen < ticks, await probe.nextLine() != nil { seen += 1 }
        probe.kill()
        let exit = await probe.exit()
        let mine = RunFilter(workflowName: workflow, limit: Int.max)
        let violations = try await StoreInvariants.violations(in: store, among: mine)
        var continued = 0
        for request in try await store.pendingApprovals() where request.workflowName == workflow {
            _ = try await store.decide(
                DecisionDraft(
                    requestID: request.id, outcome: .approve, approver: "controller", identitySource: .osUser,
                    seenStateHash: request.stateHash))
        }
        while let claimed = try await store.claimNextRun(
            owner: "controller", workflows: [workflow: "fp"], leaseDuration: .seconds(60))
        {
            _ = try await store.finishRun(RunCompletion(status: .succeeded, state: .emptyObject), lease: claimed.lease)
            continued += 1
        }
        let left = try await store.runs(
            RunFilter(statuses: [.running, .waiting], workflowName: workflow, limit: 1_000))
        return ChurnRound(
            ticks: seen, exit: exit, violations: violations, continued: continued, leftUnfinished: left.count)
    }
}
