import Foundation
import StepFlow

// Recorded runs of ``LoggedRefund`` across real processes: a run owned by one
// process decided by many at once, and processes killed with SIGKILL at
// chosen points of a run, then continued by a worker in another process.

/// A line a `workflow` probe wrote, read as a message (`nil` once it died).
private func nextMessage(_ probe: ProbeProcess) async -> ProbeMessage? {
    while let line = await probe.nextLine() {
        if let message = try? ProbeMessage(line: line) { return message }
    }
    return nil
}

/// The next message of kind `op` (skipping others), or `nil` once the probe died.
private func next(_ op: String, from probe: ProbeProcess) async -> ProbeMessage? {
    while let message = await nextMessage(probe) {
        if message.op == op { return message }
    }
    return nil
}

// MARK: - Deciders racing while the owner waits

/// One round: the owner's run, eight deciders, and how often the gated step ran.
package struct OwnedRaceRound: Sendable, CustomStringConvertible {
    package var race: RaceRound
    package var runID: String
    /// How the owner's run ended ("succeeded").
    package var finished: String?
    /// How many times the gated step's body ran.
    package var gatedStepRuns: Int
    /// The approver recorded on the gated step's result.
    package var appliedApprover: String?

    package var isClean: Bool {
        race.isClean && finished == "succeeded" && gatedStepRuns == 1 && appliedApprover == race.storedWinner
    }

    package var description: String {
        "\(race); run \(runID) \(finished ?? "unfinished"), gated step ran \(gatedStepRuns)×, "
            + "applied \(appliedApprover ?? "none")"
    }
}

/// A process that owns recorded runs and waits at their gates, and deciders
/// in other processes racing to decide each request at the same instant.
package final class OwnedDecisionRace: Sendable {
    private let store: any RunStore
    private let log: StepLog
    private let owner: ProbeProcess
    private let race: DecisionRace

    /// Starts the owner (who will run `rounds` runs) and `processes` deciders.
    package init(launcher: ProbeLauncher, store: any RunStore, log: StepLog, processes: Int, rounds: Int)
        async throws
    {
        self.store = store
        self.log = log
        race = try await DecisionRace(launcher: launcher, store: store, processes: processes)
        owner = try launcher.start("workflow", ["--log", log.path, "--mode", "wait", "--runs", String(rounds)])
    }

    /// The owner's next run: its request decided by every decider at once, then continued by the owner.
    package func round() async throws -> OwnedRaceRound {
        guard let requested = await next("requested", from: owner), let runID = requested.runID,
            let requestID = requested.requestID, let hash = requested.stateHash
        else { throw StoreError(.unavailable, "the owner died before its request: \(await owner.exit())") }
        let race = try await race.race(runID: runID, requestID: requestID, stateHash: hash, claim: false)
        let finished = await next("finished", from: owner)
        let steps = try await store.stepResults(of: runID).map { try $0.decode(as: StepResult.self) }
        return OwnedRaceRound(
            race: race, runID: runID, finished: finished?.result,
            gatedStepRuns: log.count("issue_refund", run: runID),
            appliedApprover: steps.first { $0.stepName == "issue_refund" }?.approvalDecision?.decidedBy)
    }

    /// Lets every process end.
    package func stop() async -> [ProbeProcess.Exit] {
        var exits = await race.stop()
        exits.append(await owner.finish())
        return exits
    }
}

// MARK: - Killed at chosen points of a run

/// Where a process running recorded runs is killed with SIGKILL.
package enum RunCrashPoint: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The owner, after the first step was recorded, before the gate's request is written.
    case beforeRequest = "before the request is written"
    /// The owner, waiting for a decision (killed by the controller once the request is pending).
    case whileWaiting = "while waiting"
    /// The owner's in-process handler, inside the deciding transaction.
    case duringDecision = "during the decision"
    /// The owner, right after its handler's decision was committed.
    case afterDecision = "right after the decision"
    /// The owner, right after the first step was recorded.
    case afterStep = "right after a step finished"
    /// The owner, after the first step's body ran, before it was recorded: that step runs again (at least once).
    case beforeRecord = "after a step's body, before its record"
    /// A worker, right after it claimed a decided run.
    case duringContinue = "during continue, after the claim"
    /// A worker, right after it recorded the gated step it continued.
    case afterContinuedStep = "during continue, after a step"

    package var description: String { rawValue }

    /// The probe's arguments: mode and crash point.
    fileprivate var probe: (mode: String, crash: String?) {
        switch self {
        case .beforeRequest: ("wait", "engine.beforeRequest")
        case .whileWaiting: ("wait", nil)
        case .duringDecision: ("handler", "decide.afterRequest")
        case .afterDecision: ("handler", "engine.afterDecision")
        case .afterStep: ("wait", "engine.afterRecord")
        case .beforeRecord: ("wait", "engine.beforeRecord")
        case .duringContinue: ("pause", "worker.afterClaim")
        case .afterContinuedStep: ("pause", "engine.afterRecord")
        }
    }

    /// How many times each step must have run in the end.
    package var expectedRuns: [String: Int] {
        ["check": self == .beforeRecord ? 2 : 1, "issue_refund": 1, "notify": 1]
    }

    /// Who must be recorded as the gated step's approver.
    package var expectedApprover: String {
        self == .afterDecision ? "probe-approver" : "controller"
    }
}

/// What one kill left, once another process continued the run.
package struct RunCrashRound: Sendable, CustomStringConvertible {
    package var point: RunCrashPoint
    package var runID: String
    /// How the killed process ended (it must be SIGKILL).
    package var exit: ProbeProcess.Exit
    /// How the run ended after the worker continued it.
    package var status: StoredRunStatus?
    /// How many approval requests the run has (a lost one would be 0, a repeated one 2).
    package var requests: Int
    /// How many times each step ran, from the step log.
    package var runs: [String: Int]
    /// The approver recorded on the gated step.
    package var approver: String?
    /// Broken store invariants.
    package var violations: [String]

    package var isClean: Bool {
        exit == .signalled(SIGKILL) && status == .succeeded && requests == 1 && runs == point.expectedRuns
            && approver == point.expectedApprover && violations.isEmpty
    }

    package var description: String {
        "\(point): \(exit), run \(runID) \(status?.rawValue ?? "missing"), \(requests) request(s), ran \(runs), "
            + "approver \(approver ?? "none")" + (violations.isEmpty ? "" : ", violations \(violations)")
    }
}

package enum RunCrashScenario {
    /// The lease of the killed process's runs: short, so the worker need not wait long after the kill.
    static let leaseMilliseconds = "80"

    /// Kills a process at `point` of a recorded run, then continues the run
    /// from this process with a ``Worker`` (deciding its request as
    /// "controller" when one is pending) and reports what happened.
    package static func round(_ point: RunCrashPoint, launcher: ProbeLauncher, store: any RunStore, log: StepLog)
        async throws -> RunCrashRound
    {
        let (mode, crash) = point.probe
        var arguments = ["--log", log.path, "--mode", mode, "--lease-ms", leaseMilliseconds]
        let continuesInWorker = point == .duringContinue || point == .afterContinuedStep
        if let crash, !continuesInWorker { arguments += ["--crash", crash] }
        let probe = try launcher.start("workflow", arguments)
        guard let started = await next("started", from: probe), let runID = started.runID else {
            throw StoreError(.unavailable, "the probe died before starting a run: \(await probe.exit())")
        }
        var exit: ProbeProcess.Exit
        switch point {
        case .whileWaiting:
            guard await next("requested", from: probe) != nil else {
                throw StoreError(.unavailable, "the probe died before its request: \(await probe.exit())")
            }
            probe.kill()
            exit = await probe.exit()
        case .duringContinue, .afterContinuedStep:
            // The run pauses and is let go; once decided, a worker process claims it and dies.
            exit = await probe.finish()
            let request = try await store.pendingRequest(of: runID)
            _ = try await store.decide(controllerDecision(request))
            let worker = try launcher.start(
                "worker", ["--log", log.path, "--once", "--lease-ms", leaseMilliseconds, "--crash", crash ?? ""])
            exit = await worker.exit()
        default:
            exit = await probe.exit()
        }
        try await continueToTheEnd(runID, store: store, log: log)
        let steps = try await store.stepResults(of: runID).map { try $0.decode(as: StepResult.self) }
        let runs = Dictionary(log.steps(of: runID).map { ($0, 1) }, uniquingKeysWith: +)
        return RunCrashRound(
            point: point, runID: runID, exit: exit, status: try await store.run(runID)?.status,
            requests: try await store.approvalRequests(of: runID).count, runs: runs,
            approver: steps.first { $0.stepName == "issue_refund" }?.approvalDecision?.decidedBy,
            violations: try await StoreInvariants.violations(in: store, runIDs: [runID]))
    }

    private static func controllerDecision(_ request: ApprovalRequestRecord) -> DecisionDraft {
        DecisionDraft(
            requestID: request.id, outcome: .approve, reason: "continued after a crash", approver: "controller",
            identitySource: .claimed, seenStateHash: request.stateHash)
    }

    /// What a service does after a crash: a worker continues the run (once
    /// the dead owner's lease ran out), and "controller" decides its request
    /// whenever one is pending, until the run has finished.
    private static func continueToTheEnd(_ runID: String, store: any RunStore, log: StepLog) async throws {
        let worker = Worker(
            store: store, workflows: [try AnyWorkflow(LoggedRefund(log: log))], owner: "controller-worker")
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let token = try await store.changeToken()
            guard let run = try await store.run(runID), !run.status.isFinished else { return }
            for request in try await store.approvalRequests(of: runID) where request.status == .pending {
                _ = try await store.decide(controllerDecision(request))
            }
            _ = try await worker.runPending()
            // Nothing in the store changes when a lease runs out: look again shortly.
            _ = try await store.nextChange(after: token, timeout: .milliseconds(20))
        }
        throw StoreWaitTimedOut(what: "run \(runID) to be continued to its end")
    }
}
