import Foundation
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract

/// `count` no-op steps over the refund state.
struct NoopSteps: Workflow {
    let count: Int
    var name: String { "noop-\(count)" }
    var steps: [Step<RefundState>] {
        for index in 0..<count {
            Step("s\(index)") { (_: inout RefundState) in }
        }
    }
}

/// prepare → refund (gated) → notify; `started` is told when the gated step's body starts.
struct GatedRefund: Workflow {
    var started: @Sendable () -> Void = {}
    var name: String { "bench-refund" }
    var steps: [Step<RefundState>] {
        Step("prepare") { (state: inout RefundState) in state.notes.append("prepared") }
        Step("refund", approval: .required(message: { state in "Refund \(state.amount) for \(state.orderID)" })) {
            [started] (state: inout RefundState) in
            started()
            state.approved = true
        }
        Step("notify") { (state: inout RefundState) in state.notes.append("notified") }
    }
}

/// What recording costs through the engine.
enum RecordedRunBenchmarks {
    static let clock = ContinuousClock()

    /// A no-op step recorded through the engine, against the same run unrecorded; and where the time goes.
    static func recordedNoopStep(_ folder: URL, runs: Int, steps: Int) async throws {
        let store = try StoreBenchmark.open(folder, "engine.sqlite")
        let definition = try NoopSteps(count: steps).definition()
        let recorded = RunOptions(store: store, startedBy: "bench")
        var plain = Samples()
        var total = Samples()
        for index in 0..<(runs + 3) {
            var started = clock.now
            let unrecorded = await definition.run(RefundState())
            let plainTime = clock.now - started
            started = clock.now
            let result = await definition.run(RefundState(), options: recorded)
            let recordedTime = clock.now - started
            guard unrecorded.succeeded, result.succeeded else { throw StoreError(.unavailable, "a run failed") }
            if index >= 3 {
                plain.add(plainTime / steps)
                total.add((recordedTime - plainTime) / steps)
            }
        }
        print(plain.line("engine, no store: a no-op step (\(steps)-step runs)"))
        print(total.line("engine, recorded: overhead per no-op step (\(steps)-step runs)"))

        // The parts of one recorded step, each alone, on the same state and result.
        let state = RefundState()
        let sample = await definition.run(state, options: recorded)
        guard let result = sample.steps.first else { return }
        var encodeState = Samples()
        var encodeResult = Samples()
        var events = Samples()
        for _ in 0..<(runs * 20) {
            var started = clock.now
            _ = try StoredJSON(encoding: state)
            encodeState.add(clock.now - started)
            started = clock.now
            _ = try StoredJSON(encoding: result)
            encodeResult.add(clock.now - started)
            started = clock.now
            _ = StoredJSON(["step": "s1", "step_index": 1, "status": "succeeded", "attempts": 1, "duration_ms": 0])
            events.add(clock.now - started)
        }
        print(encodeState.line("  part: encode the state (StoredJSON)"))
        print(encodeResult.line("  part: encode the step result (StoredJSON)"))
        print(events.line("  part: one event payload through JSONValue (for scale)"))
    }

    /// Recorded 200-step no-op runs, untimed (for perf or valgrind).
    @concurrent
    static func profile(runs: Int) async {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepflow-profile-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let store = try StoreBenchmark.open(folder, "profile.sqlite")
            let definition = try NoopSteps(count: 200).definition()
            let options = RunOptions(store: store, startedBy: "bench")
            var steps = 0
            for _ in 0..<runs { steps += await definition.run(RefundState(), options: options).steps.count }
            print("recorded \(steps) steps")
        } catch {
            print("error: \(error)")
        }
    }

    /// One process: run to the gate in pause mode (recorded), decide, a worker continues to the end.
    static func pauseDecideContinue(_ folder: URL, count: Int) async throws {
        let store = try StoreBenchmark.open(folder, "pause-engine.sqlite")
        let workflow = try AnyWorkflow(GatedRefund())
        let worker = Worker(store: store, workflows: [workflow], owner: "bench-worker")
        let definition = try GatedRefund().definition()
        let options = RunOptions(store: store, startedBy: "bench", pauseOnApproval: true)
        var toPause = Samples()
        var decideContinue = Samples()
        var cycle = Samples()
        for index in 0..<(count + 20) {
            let started = clock.now
            let paused = await definition.run(RefundState(), options: options)
            let pausedAt = clock.now
            guard let request = try await store.approvalRequests(of: paused.runID).first else {
                throw StoreError(.unavailable, "no request")
            }
            let decideAt = clock.now
            _ = try await store.decide(
                DecisionDraft(
                    requestID: request.id, outcome: .approve, approver: "alice", identitySource: .osUser,
                    seenStateHash: request.stateHash))
            let results = try await worker.runPending()
            let done = clock.now
            guard results.count == 1, results[0].succeeded else { throw StoreError(.unavailable, "not continued") }
            if index >= 20 {
                toPause.add(pausedAt - started)
                decideContinue.add(done - decideAt)
                cycle.add(done - started - (decideAt - pausedAt))
            }
        }
        print(toPause.line("engine pause→continue: run to the gate, request written"))
        print(decideContinue.line("engine pause→continue: decide + worker claims, runs 2 steps"))
        print(cycle.line("engine pause→continue: the whole cycle, one process"))
    }

    /// A decision made here → the waiting step starts in another process.
    static func crossProcessWake(_ folder: URL, count: Int) async throws {
        let path = folder.appendingPathComponent("wake-engine.sqlite").path
        let store = try SQLiteRunStore(path: path)
        let waiter = try ProbeProcess(
            executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            arguments: ["gate-worker", path, String(count)])
        guard await waiter.nextLine() == "ready" else { throw StoreError(.unavailable, "the waiter did not start") }
        var latency = Samples()
        for _ in 0..<count {
            var pending: ApprovalRequestRecord?
            try await store.waitUntil("the waiter's request") {
                pending = try await store.pendingApprovals().first
                return pending != nil
            }
            guard let request = pending else { throw StoreError(.unavailable, "no request") }
            let decidedAt = DispatchTime.now().uptimeNanoseconds
            _ = try await store.decide(
                DecisionDraft(
                    requestID: request.id, outcome: .approve, approver: "alice", identitySource: .osUser,
                    seenStateHash: request.stateHash))
            guard let line = await waiter.nextLine(), let seen = UInt64(line.split(separator: " ").last ?? "") else {
                throw StoreError(.unavailable, "the waiter died")
            }
            latency.add(.nanoseconds(Int64(seen) - Int64(decidedAt)))
        }
        _ = await waiter.finish()
        print(latency.line("decided here → the waiting step starts in another process", unit: "µs"))
    }
}

extension Workers {
    /// `gate-worker PATH COUNT`: runs COUNT recorded runs of ``GatedRefund``,
    /// each waiting in the store at its gate; says when each gated body starts.
    static func gate(_ arguments: [String]) async {
        guard arguments.count == 3, let count = Int(arguments[2]) else { exit(2) }
        do {
            let store = try SQLiteRunStore(path: arguments[1])
            let definition = try GatedRefund(started: {
                ProbeWorker.say("started \(DispatchTime.now().uptimeNanoseconds)")
            }).definition()
            ProbeWorker.say("ready")
            for _ in 0..<count {
                let result = await definition.run(RefundState(), options: RunOptions(store: store))
                guard result.succeeded else { throw StoreError(.unavailable, "a waiting run failed: \(result.status)") }
            }
            _ = readLine()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
    }
}
