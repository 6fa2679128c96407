import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract
import StepFlowTestSupport
import Testing

/// The store shared by real processes: racing deciders and writers killed with SIGKILL.
@Suite("SQLite store across processes")
struct MultiProcessTests {
    private func launcher(_ site: SQLiteSite) -> ProbeLauncher {
        ProbeLauncher(
            executable: BuiltProduct.directory.appendingPathComponent("stepflow-store-probe"),
            storeArguments: ["--store", site.path])
    }

    @Test("8 processes decide one request at once, 50 times: one decision, seven told who won, one continue")
    func eightProcessesRace() async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        let race = try await DecisionRace(launcher: launcher(site), store: store, processes: 8)
        var winners = Set<String>()
        for _ in 0..<50 {
            let round = try await race.round()
            #expect(round.isClean, "\(round)")
            if let winner = round.storedWinner { winners.insert(winner) }
        }
        #expect(await race.stop().allSatisfy { $0 == .exited(0) })
        #expect(try await StoreInvariants.violations(in: store).isEmpty)
        let decided = try await store.runs(RunFilter(statuses: [.running], limit: 100))
        #expect(decided.count == 50 && decided.allSatisfy { $0.owner?.hasPrefix("approver-") == true })
    }

    @Test(
        "a process killed inside a write transaction leaves nothing half-written, 20 times per point",
        arguments: CrashPoint.allCases)
    func killedMidTransaction(_ point: CrashPoint) async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        for _ in 0..<20 {
            let round = try await CrashScenario.round(point, launcher: launcher(site), store: store)
            #expect(round.isClean, "\(round)")
        }
    }

    @Test("a writer killed at arbitrary moments, 20 times: the store stays consistent and its runs continue")
    func killedAtRandomMoments() async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        for ticks in [1, 2, 3, 5, 7, 8, 11, 13, 17, 19, 23, 24, 29, 31, 33, 37, 38, 39, 40, 41] {
            let round = try await ChurnScenario.round(afterTicks: ticks, launcher: launcher(site), store: store)
            #expect(round.isClean, "\(round)")
        }
    }

    @Test(
        "8 processes decide a request while the process that owns the run waits, 50 times: one wins, the step runs once"
    )
    func eightProcessesRaceAWaitingOwner() async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        let log = StepLog(path: site.folder.appendingPathComponent("steps.log").path)
        let race = try await OwnedDecisionRace(
            launcher: launcher(site), store: store, log: log, processes: 8, rounds: 50)
        for _ in 0..<50 {
            let round = try await race.round()
            #expect(round.isClean, "\(round)")
        }
        #expect(await race.stop().allSatisfy { $0 == .exited(0) })
        #expect(try await StoreInvariants.violations(in: store).isEmpty)
        let runs = try await store.runs(RunFilter(workflowName: "logged-refund", limit: 100))
        #expect(runs.count == 50 && runs.allSatisfy { $0.status == .succeeded })
    }

    @Test(
        "a process killed at a point of a recorded run, 20 times per point: continued, nothing lost or run twice",
        arguments: RunCrashPoint.allCases)
    func killedInARecordedRun(_ point: RunCrashPoint) async throws {
        let site = try SQLiteSite()
        let store = try await site.open(clock: .system)
        let log = StepLog(path: site.folder.appendingPathComponent("steps.log").path)
        for _ in 0..<20 {
            let round = try await RunCrashScenario.round(point, launcher: launcher(site), store: store, log: log)
            #expect(round.isClean, "\(round)")
        }
    }
}
