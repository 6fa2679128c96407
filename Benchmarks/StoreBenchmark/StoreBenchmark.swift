import Foundation
import GRDB
import StepFlow
import StepFlowSQLite
import StepFlowStoreContract

/// A small state like the examples' (an order to refund), as a workflow would record it.
struct RefundState: Codable, Sendable {
    var orderID = "A-1042"
    var amount = 249.99
    var currency = "EUR"
    var customer = "c-77"
    var approved = false
    var notes: [String] = ["created by the support desk"]
    var updatedAt = Date(timeIntervalSince1970: 1_800_000_000)
}

/// Timings in microseconds, with percentiles.
struct Samples {
    var values: [Double] = []

    mutating func add(_ duration: Duration) {
        values.append(duration.timeInterval * 1e6)
    }

    func percentile(_ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    var mean: Double { values.reduce(0, +) / Double(max(1, values.count)) }

    func line(_ name: String, unit: String = "µs") -> String {
        let cells = [mean, percentile(0.5), percentile(0.99)].map { String(format: "%9.1f", $0) }
        return name.padding(toLength: 58, withPad: " ", startingAt: 0) + cells.joined(separator: " ")
            + "  \(unit)  (n=\(values.count))"
    }
}

enum StoreBenchmark {
    static let clock = ContinuousClock()

    /// Runs every case off the main actor (top-level code is on it), as a service's tasks would be.
    @concurrent
    static func run(quick: Bool, only: String? = nil) async {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepflow-store-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        print("StepFlow run store benchmark (SQLite, GRDB)\(quick ? " (--quick)" : "")")
        print("cpu: \(ProcessInfo.processInfo.activeProcessorCount) cores; load average: \(loadAverage())")
        print("name".padding(toLength: 58, withPad: " ", startingAt: 0) + "     mean       p50       p99")
        do {
            if only == "recorded" {
                try await RecordedRunBenchmarks.recordedNoopStep(folder, runs: quick ? 5 : 30, steps: 200)
                try await RecordedRunBenchmarks.pauseDecideContinue(folder, count: quick ? 100 : 1_000)
                try await RecordedRunBenchmarks.crossProcessWake(folder, count: quick ? 100 : 1_000)
                print("load average after: \(loadAverage())")
                return
            }
            let n = quick ? 300 : 5_000
            try await commitFloor(folder, count: n)
            try await recordedSteps(folder, count: n, durability: .normal)
            try await recordedSteps(folder, count: quick ? 100 : 1_000, durability: .full)
            try await pauseDecideContinue(folder, count: quick ? 100 : 1_000)
            try await decidingThroughput(folder, count: quick ? 500 : 10_000)
            try await wakeUpLatency(folder, count: quick ? 100 : 1_000)
            try await RecordedRunBenchmarks.recordedNoopStep(folder, runs: quick ? 5 : 30, steps: 200)
            try await RecordedRunBenchmarks.pauseDecideContinue(folder, count: quick ? 100 : 1_000)
            try await RecordedRunBenchmarks.crossProcessWake(folder, count: quick ? 100 : 1_000)
            try jsonRoundTrip(count: quick ? 1_000 : 20_000)
            try await openCost(folder)
        } catch {
            print("error: \(error)")
            exit(1)
        }
        print("load average after: \(loadAverage())")
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ") ?? "?"
    }

    static func open(_ folder: URL, _ name: String, durability: SQLiteStoreOptions.Durability = .normal) throws
        -> SQLiteRunStore
    {
        try SQLiteRunStore(
            path: folder.appendingPathComponent(name).path,
            options: SQLiteStoreOptions(durability: durability))
    }

    /// The floor under a recorded step: one bare GRDB write transaction inserting a 200-byte row.
    static func commitFloor(_ folder: URL, count: Int) async throws {
        let pool = try DatabasePool(path: folder.appendingPathComponent("floor.sqlite").path)
        try await pool.write { try $0.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)") }
        let body = String(repeating: "x", count: 200)
        var asynchronous = Samples()
        var synchronous = Samples()
        for index in 0..<(count + 50) {
            var started = clock.now
            try await pool.write { try $0.execute(sql: "INSERT INTO t (body) VALUES (?)", arguments: [body]) }
            if index >= 50 { asynchronous.add(clock.now - started) }
            started = clock.now
            try blockingInsert(pool, body)
            if index >= 50 { synchronous.add(clock.now - started) }
        }
        print(synchronous.line("floor: bare GRDB write, 200-byte insert (blocking call)"))
        print(asynchronous.line("floor: bare GRDB write, 200-byte insert (async call)"))
    }

    /// GRDB's blocking write (an async context would pick the async overload).
    static func blockingInsert(_ pool: DatabasePool, _ body: String) throws {
        try pool.write { try $0.execute(sql: "INSERT INTO t (body) VALUES (?)", arguments: [body]) }
    }

    /// One recorded step: encode the state and the step's result, one transaction with the row update and two events.
    static func recordedSteps(_ folder: URL, count: Int, durability: SQLiteStoreOptions.Durability) async throws {
        let store = try open(folder, "steps-\(durability).sqlite", durability: durability)
        var state = RefundState()
        var lease = try await store.createRun(
            NewRun(
                workflowName: "refund", definitionFingerprint: "fp", state: try StoredJSON(encoding: state),
                owner: "bench", leaseDuration: .seconds(600)))
        var write = Samples()
        var total = Samples()
        for index in 0..<(count + 50) {
            if index % 500 == 499 {
                // A long run's row grows with its step list: start a fresh run now and then, as real runs end.
                lease = try await store.createRun(
                    NewRun(
                        workflowName: "refund", definitionFingerprint: "fp", state: try StoredJSON(encoding: state),
                        owner: "bench", leaseDuration: .seconds(600)))
            }
            let started = clock.now
            state.amount += 1
            let record = StepRecord(
                nextStepIndex: index % 500 + 1, state: try StoredJSON(encoding: state),
                result: StoredJSON(["step_name": "noop", "status": "succeeded", "attempts": 1]),
                events: [
                    EventDraft(.stepStarted, payload: StoredJSON(["step": "noop"])),
                    EventDraft(.stepFinished, payload: StoredJSON(["step": "noop", "status": "succeeded"])),
                ])
            let encoded = clock.now
            try await store.recordStep(record, lease: lease)
            let done = clock.now
            if index >= 50 {
                write.add(done - encoded)
                total.add(done - started)
            }
        }
        print(write.line("recorded step, \(durability): the transaction"))
        print(total.line("recorded step, \(durability): encode state + transaction"))
    }

    /// In one process: write a request, a waiter blocked on it, another task decides, the waiter wakes and claims.
    static func pauseDecideContinue(_ folder: URL, count: Int) async throws {
        let store = try open(folder, "pause.sqlite")
        var wake = Samples()
        var cycle = Samples()
        for index in 0..<(count + 20) {
            let started = clock.now
            let lease = try await store.createRun(
                NewRun(
                    workflowName: "refund", definitionFingerprint: "fp", state: try StoredJSON(encoding: RefundState()),
                    owner: "bench", leaseDuration: .seconds(60)))
            let request = try await store.requestApproval(
                ApprovalRequestDraft(stepName: "refund", stepIndex: 1, state: try StoredJSON(encoding: RefundState())),
                lease: lease)
            let waiter = Task { try await store.waitForDecision(on: request.id, keeping: lease) }
            // Let the waiter reach its wait (not timed).
            try await Task.sleep(for: .milliseconds(1))
            let decideAt = clock.now
            _ = try await store.decide(
                DecisionDraft(
                    requestID: request.id, outcome: .approve, approver: "alice", identitySource: .osUser,
                    seenStateHash: request.stateHash))
            _ = try await waiter.value
            let woke = clock.now
            let claimed = try await store.claimRun(lease.runID, owner: "bench", leaseDuration: .seconds(60))
            _ = try await store.finishRun(RunCompletion(status: .succeeded, state: .emptyObject), lease: claimed.lease)
            let done = clock.now
            if index >= 20 {
                wake.add(woke - decideAt)
                cycle.add((done - started) - .milliseconds(1))
            }
        }
        print(wake.line("pause→continue, 1 process: decide → waiter resumes"))
        print(cycle.line("pause→continue, 1 process: create…request…decide…claim…finish"))
    }

    /// Decisions per second on one store: one process, then several at once.
    static func decidingThroughput(_ folder: URL, count: Int) async throws {
        let path = folder.appendingPathComponent("decide.sqlite").path
        let store = try SQLiteRunStore(path: path)
        let state = try StoredJSON(encoding: RefundState())
        func makeRequests(_ prefix: String, _ count: Int) async throws {
            for index in 0..<count {
                let lease = try await store.createRun(
                    NewRun(
                        id: "\(prefix)-run-\(index)", workflowName: "refund", definitionFingerprint: "fp", state: state,
                        owner: "bench", leaseDuration: .seconds(600)))
                _ = try await store.requestApproval(
                    ApprovalRequestDraft(id: "\(prefix)-\(index)", stepName: "refund", stepIndex: 0, state: state),
                    lease: lease)
            }
        }
        try await makeRequests("one", count)
        var started = clock.now
        for index in 0..<count {
            _ = try await store.decide(
                DecisionDraft(
                    requestID: "one-\(index)", outcome: .approve, approver: "alice", identitySource: .osUser,
                    seenStateHash: state.sha256))
        }
        var elapsed = clock.now - started
        print(rate("deciding, 1 process, one after another", count, elapsed))

        let benchmark = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for processes in [2, 4, 8] {
            let prefix = "p\(processes)"
            try await makeRequests(prefix, count)
            var workers: [ProbeProcess] = []
            let share = count / processes
            for worker in 0..<processes {
                workers.append(
                    try ProbeProcess(
                        executable: benchmark,
                        arguments: [
                            "decide-worker", path, prefix, String(worker * share), String(share), state.sha256,
                        ]))
            }
            for worker in workers { _ = await worker.nextLine() }
            started = clock.now
            for worker in workers { try worker.send("go") }
            for worker in workers { _ = await worker.nextLine() }
            elapsed = clock.now - started
            for worker in workers { _ = await worker.finish() }
            print(rate("deciding, \(processes) processes at once", share * processes, elapsed))
        }
    }

    static func rate(_ name: String, _ count: Int, _ elapsed: Duration) -> String {
        let perSecond = Double(count) / elapsed.timeInterval
        return name.padding(toLength: 58, withPad: " ", startingAt: 0)
            + String(format: "%9.0f decisions/s (%d in %.2f s)", perSecond, count, elapsed.timeInterval)
    }

    /// A waiter in another process, woken by a decision made here: decide → seen, over `count` decisions.
    static func wakeUpLatency(_ folder: URL, count: Int) async throws {
        for interval in [5, 1] {
            let path = folder.appendingPathComponent("wake-\(interval).sqlite").path
            let store = try SQLiteRunStore(path: path)
            let state = try StoredJSON(encoding: RefundState())
            for index in 0..<count {
                let lease = try await store.createRun(
                    NewRun(
                        id: "run-\(index)", workflowName: "refund", definitionFingerprint: "fp", state: state,
                        owner: "bench", leaseDuration: .seconds(600)))
                _ = try await store.requestApproval(
                    ApprovalRequestDraft(id: "req-\(index)", stepName: "refund", stepIndex: 0, state: state),
                    lease: lease)
            }
            let waiter = try ProbeProcess(
                executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                arguments: ["wait-worker", path, String(count), String(interval)])
            _ = await waiter.nextLine()
            var latency = Samples()
            for index in 0..<count {
                // A gap so the waiter is really waiting (not timed).
                try await Task.sleep(for: .milliseconds(Int.random(in: 3...8)))
                let decidedAt = DispatchTime.now().uptimeNanoseconds
                _ = try await store.decide(
                    DecisionDraft(
                        requestID: "req-\(index)", outcome: .approve, approver: "alice", identitySource: .osUser,
                        seenStateHash: state.sha256))
                guard let line = await waiter.nextLine(), let seen = UInt64(line.split(separator: " ").last ?? "")
                else {
                    throw StoreError(.unavailable, "the waiter died")
                }
                latency.add(.nanoseconds(Int64(seen) - Int64(decidedAt)))
            }
            _ = await waiter.finish()
            print(latency.line("wake-up across processes (poll every \(interval) ms): decide → seen"))
        }
    }

    /// A run record through the JSON coders StepFlow uses (ISO 8601 dates, sorted keys).
    static func jsonRoundTrip(count: Int) throws {
        let state = try StoredJSON(encoding: RefundState())
        let record = RunRecord(
            id: UUID().uuidString, workflowName: "refund", definitionFingerprint: String(repeating: "f", count: 64),
            status: .waiting, stepIndex: 2, state: state,
            routeTrace: [RouteDecision(stepName: "check", routeKey: "big", nextStep: "approve", ended: false)],
            stepCount: 1, approvalRequestID: UUID().uuidString,
            owner: "host:123:abcd", leaseExpiresAt: Date(), version: 3, startedBy: "alice", cancelledBy: nil,
            error: nil, eventCount: 9, createdAt: Date(), updatedAt: Date(), finishedAt: nil)
        let encoder = StepFlowJSON.encoder
        let decoder = StepFlowJSON.decoder
        var samples = Samples()
        var bytes = 0
        for index in 0..<(count + 100) {
            let started = clock.now
            let data = try encoder.encode(record)
            let back = try decoder.decode(RunRecord.self, from: data)
            let done = clock.now
            bytes = data.count + (back.version == 3 ? 0 : 1)
            if index >= 100 { samples.add(done - started) }
        }
        print(samples.line("run record JSON encode + decode (\(bytes) bytes)"))
        var stateSamples = Samples()
        for index in 0..<(count + 100) {
            let started = clock.now
            let text = try StoredJSON(encoding: RefundState())
            _ = try text.decode(as: RefundState.self)
            if index >= 100 { stateSamples.add(clock.now - started) }
        }
        print(stateSamples.line("example state JSON encode + decode"))
    }

    /// Opening a store of the size the benchmark left, with and without the whole-file check.
    static func openCost(_ folder: URL) async throws {
        let path = folder.appendingPathComponent("decide.sqlite").path
        let megabytes = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
        for verifies in [true, false] {
            var samples = Samples()
            for _ in 0..<10 {
                let started = clock.now
                _ = try SQLiteRunStore(path: path, options: SQLiteStoreOptions(verifiesOnOpen: verifies))
                samples.add(clock.now - started)
            }
            print(
                samples.line(String(format: "open a %.1f MB store, quick_check %@", megabytes, verifies ? "on" : "off"))
            )
        }
    }
}

/// The benchmark's own worker processes.
enum Workers {
    /// `decide-worker PATH PREFIX FIRST COUNT HASH`: says ready, waits for `go`, decides its share, says done.
    static func decide(_ arguments: [String]) async {
        guard arguments.count == 6, let first = Int(arguments[3]), let count = Int(arguments[4]) else { exit(2) }
        do {
            let store = try SQLiteRunStore(path: arguments[1])
            ProbeWorker.say("ready")
            _ = readLine()
            for index in first..<(first + count) {
                _ = try await store.decide(
                    DecisionDraft(
                        requestID: "\(arguments[2])-\(index)", outcome: .approve, approver: "worker-\(getpid())",
                        identitySource: .osUser, seenStateHash: arguments[5]))
            }
            ProbeWorker.say("done")
            _ = readLine()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
    }

    /// `wait-worker PATH COUNT INTERVAL_MS`: waits for each request in turn, saying when it saw the decision.
    static func wait(_ arguments: [String]) async {
        guard arguments.count == 4, let count = Int(arguments[2]), let interval = Int(arguments[3]) else { exit(2) }
        do {
            let store = try SQLiteRunStore(
                path: arguments[1], options: SQLiteStoreOptions(changePollInterval: .milliseconds(interval)))
            ProbeWorker.say("ready")
            for index in 0..<count {
                _ = try await store.waitForDecision(on: "req-\(index)")
                ProbeWorker.say("seen \(index) \(DispatchTime.now().uptimeNanoseconds)")
            }
            _ = readLine()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
    }
}
