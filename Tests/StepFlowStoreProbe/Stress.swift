import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract

/// The multi-process scenarios many times on a fresh store, with counts.
enum Stress {
    /// Prints at once, even into a file (progress of a long run).
    static func say(_ line: String) {
        ProbeWorker.say(line)
    }

    @concurrent
    static func run(
        rounds: Int, processes: Int, crashRounds: Int, churnRounds: Int, ownedRounds: Int, runCrashRounds: Int
    ) async {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepflow-stress-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("stress.sqlite").path
        let launcher = ProbeLauncher(
            executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            storeArguments: ["--store", path])
        do {
            let store = try SQLiteRunStore(path: path)
            var failed = false
            failed = try await race(rounds: rounds, processes: processes, launcher: launcher, store: store) || failed
            failed = try await crashes(rounds: crashRounds, launcher: launcher, store: store) || failed
            failed = try await churn(rounds: churnRounds, launcher: launcher, store: store) || failed
            let log = StepLog(path: folder.appendingPathComponent("steps.log").path)
            failed =
                try await ownedRace(
                    rounds: ownedRounds, processes: processes, launcher: launcher, store: store, log: log) || failed
            failed = try await runCrashes(rounds: runCrashRounds, launcher: launcher, store: store, log: log) || failed
            let started = ContinuousClock.now
            let runs = try await store.runs(RunFilter(limit: Int.max)).count
            let violations = try await StoreInvariants.violations(in: store)
            say(
                "whole store afterwards: \(runs) runs, \(violations.count) broken invariants (checked in \(started.duration(to: .now)))"
            )
            for violation in violations.prefix(20) { say("  \(violation)") }
            failed = failed || !violations.isEmpty
            exit(failed ? 1 : 0)
        } catch {
            say("stress: \(error)")
            exit(2)
        }
    }

    private static func race(rounds: Int, processes: Int, launcher: ProbeLauncher, store: any RunStore) async throws
        -> Bool
    {
        guard rounds > 0 else { return false }
        let started = ContinuousClock.now
        let race = try await DecisionRace(launcher: launcher, store: store, processes: processes)
        var clean = 0
        var decided = 0
        var alreadyDecided = 0
        var claims = 0
        var winners: [String: Int] = [:]
        for round in 1...rounds {
            let result = try await race.round()
            if result.isClean { clean += 1 } else { say("race round \(round): \(result)") }
            decided += result.decided
            alreadyDecided += result.alreadyDecidedByWinner
            claims += result.claims
            winners[result.storedWinner ?? "none", default: 0] += 1
        }
        _ = await race.stop()
        say(
            """
            decision race: \(rounds) rounds × \(processes) processes in \(started.duration(to: .now))
              clean rounds (1 decided, \(processes - 1) "already decided by <winner>", 1 claim): \(clean)/\(rounds)
              decided: \(decided) (expected \(rounds)), already decided naming the winner: \(alreadyDecided) \
            (expected \(rounds * (processes - 1))), claims: \(claims) (expected \(rounds))
              winners by process: \(winners.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            """)
        return clean != rounds
    }

    private static func crashes(rounds: Int, launcher: ProbeLauncher, store: any RunStore) async throws -> Bool {
        guard rounds > 0 else { return false }
        var failed = false
        say("crash points: \(rounds) SIGKILLs at each point inside the write transaction")
        for point in CrashPoint.allCases {
            let started = ContinuousClock.now
            var clean = 0
            for round in 1...rounds {
                let result = try await CrashScenario.round(point, launcher: launcher, store: store)
                if result.isClean { clean += 1 } else { say("  round \(round): \(result)") }
            }
            failed = failed || clean != rounds
            say(
                "  \(point.rawValue): clean \(clean)/\(rounds) (killed, nothing half-written, continued) in \(started.duration(to: .now))"
            )
        }
        return failed
    }

    private static func churn(rounds: Int, launcher: ProbeLauncher, store: any RunStore) async throws -> Bool {
        guard rounds > 0 else { return false }
        let started = ContinuousClock.now
        var clean = 0
        var continued = 0
        for round in 1...rounds {
            let result = try await ChurnScenario.round(
                afterTicks: Int.random(in: 1...40), launcher: launcher, store: store)
            if result.isClean { clean += 1 } else { say("churn round \(round): \(result)") }
            continued += result.continued
        }
        say(
            """
            killed at a random moment: \(rounds) writers SIGKILLed after 1–40 transactions, in \(started.duration(to: .now))
              clean: \(clean)/\(rounds) (store consistent, every run left behind continued: \(continued) runs)
            """)
        return clean != rounds
    }

    private static func ownedRace(
        rounds: Int, processes: Int, launcher: ProbeLauncher, store: any RunStore, log: StepLog
    ) async throws -> Bool {
        guard rounds > 0 else { return false }
        let started = ContinuousClock.now
        let race = try await OwnedDecisionRace(
            launcher: launcher, store: store, log: log, processes: processes, rounds: rounds)
        var clean = 0
        var decided = 0
        var alreadyDecided = 0
        var gatedRuns = 0
        for round in 1...rounds {
            let result = try await race.round()
            if result.isClean { clean += 1 } else { say("owned race round \(round): \(result)") }
            decided += result.race.decided
            alreadyDecided += result.race.alreadyDecidedByWinner
            gatedRuns += result.gatedStepRuns
        }
        _ = await race.stop()
        say(
            """
            decision race while the owner waits: \(rounds) recorded runs × \(processes) deciding processes, \
            in \(started.duration(to: .now))
              clean rounds (1 decided, \(processes - 1) "already decided by <winner>", the owner continued, \
            the gated step ran once with the winner's decision): \(clean)/\(rounds)
              decided: \(decided) (expected \(rounds)), already decided naming the winner: \(alreadyDecided) \
            (expected \(rounds * (processes - 1))), gated step bodies run: \(gatedRuns) (expected \(rounds))
            """)
        return clean != rounds
    }

    private static func runCrashes(rounds: Int, launcher: ProbeLauncher, store: any RunStore, log: StepLog)
        async throws -> Bool
    {
        guard rounds > 0 else { return false }
        var failed = false
        say(
            "recorded runs killed with SIGKILL: \(rounds) rounds at each point, then a worker in another process continues"
        )
        for point in RunCrashPoint.allCases {
            let started = ContinuousClock.now
            var clean = 0
            var stepRuns: [String: Int] = [:]
            for round in 1...rounds {
                let result = try await RunCrashScenario.round(point, launcher: launcher, store: store, log: log)
                if result.isClean { clean += 1 } else { say("  round \(round): \(result)") }
                stepRuns.merge(result.runs, uniquingKeysWith: +)
            }
            failed = failed || clean != rounds
            let runs = ["check", "issue_refund", "notify"].map { "\($0) \(stepRuns[$0] ?? 0)" }.joined(separator: ", ")
            say(
                "  \(point.rawValue): clean \(clean)/\(rounds) (killed; continued; 1 request, decided once; "
                    + "step bodies run: \(runs)) in \(started.duration(to: .now))")
        }
        return failed
    }
}
