import Foundation
import StepFlow
import StepFlowExamples

/// Every case, in table order.
///
/// Runs off the main actor, so the timed loops call the (nonisolated) engine
/// without an executor hop per run.
func runAllCases(config: BenchConfig) async throws -> (rows: [CaseResult], checksum: Checksum) {
    var rows: [CaseResult] = []
    var checksum = Checksum()
    let initial = BenchState()
    let noopHook = WorkflowHook { _ in }

    // 1. Linear no-op steps, definition built once; without hooks and with one no-op hook.
    for hooked in [false, true] {
        for n in [10, 100, 1000, 10_000] {
            let definition = try LinearWorkflow(count: n).definition()
            let options = hooked ? RunOptions(hooks: [noopHook]) : RunOptions()
            let probe = await definition.run(initial, options: options)
            check(probe.status == .succeeded && probe.steps.count == n, "linear N=\(n) did not run \(n) steps")
            rows.append(
                try await measure(
                    hooked ? "linear, 1 no-op hook" : "linear, no hooks", n: n, unitsPerRun: n, unit: "step",
                    config: config, checksum: &checksum
                ) {
                    let result = await definition.run(initial, options: options)
                    return result.steps.count &+ (result.succeeded ? 0 : 1_000_000)
                })
        }
    }

    // 1b. Steps that return a String output (encoded to JSON per step), no hooks.
    for n in [10, 1000] {
        let definition = try LinearWorkflow(count: n, returningOutput: true).definition()
        let probe = await definition.run(initial)
        check(
            probe.status == .succeeded && probe.steps.last?.output == .string("done"),
            "linear output N=\(n) did not record its outputs")
        rows.append(
            try await measure(
                "linear, String outputs", n: n, unitsPerRun: n, unit: "step", config: config, checksum: &checksum
            ) {
                let result = await definition.run(initial)
                return result.steps.count &+ (result.succeeded ? 0 : 1_000_000)
            })
    }

    // 2. For comparison at N=1000: `workflow.run` (rebuilds steps and validates on every call),
    //    and `workflow.definition()` alone (the build + validation part).
    let workflow1000 = LinearWorkflow(count: 1000)
    let probe = await workflow1000.run(initial)
    check(probe.status == .succeeded && probe.steps.count == 1000, "workflow.run N=1000 did not run 1000 steps")
    rows.append(
        try await measure(
            "linear, workflow.run (validates)", n: 1000, unitsPerRun: 1000, unit: "step",
            config: config, checksum: &checksum
        ) {
            let result = await workflow1000.run(initial)
            return result.steps.count &+ (result.succeeded ? 0 : 1_000_000)
        })
    rows.append(
        try await measure(
            "workflow.definition() only", n: 1000, unitsPerRun: 1000, unit: "step",
            config: config, checksum: &checksum
        ) {
            try workflow1000.definition().steps.count
        })

    // 3. A step that fails twice, then succeeds (retries: 2, zero delay).
    let flaky = try FlakyWorkflow().definition()
    let flakyProbe = await flaky.run(initial)
    check(
        flakyProbe.status == .succeeded && flakyProbe.steps.first?.attempts == 3,
        "the flaky step did not succeed on attempt 3")
    rows.append(
        try await measure(
            "retry: fail, fail, succeed", n: 1, unitsPerRun: 1, unit: "run", config: config, checksum: &checksum
        ) {
            let result = await flaky.run(initial)
            return (result.steps.first?.attempts ?? 0) &+ (result.succeeded ? 0 : 1_000_000)
        })

    // 4. Pause -> JSON -> decode -> resume, on 3 steps with the middle one gated.
    let approval = try ApprovalWorkflow().definition()
    let pauseOptions = RunOptions(pauseOnApproval: true)
    let paused = await approval.run(initial, options: pauseOptions)
    guard paused.status == .paused, let checkpoint = paused.checkpoint else {
        fatalError("benchmark setup error: the approval workflow did not pause")
    }
    let data = try checkpoint.jsonData()
    let decoded = try ApprovalPause<BenchState>(jsonData: data)
    let resumed = await approval.resume(from: decoded, decision: .approve())
    check(resumed.status == .succeeded && resumed.steps.count == 3, "the resumed run did not finish 3 steps")

    rows.append(
        try await measure(
            "pause→JSON→decode→resume", n: 3, unitsPerRun: 1, unit: "run", config: config, checksum: &checksum
        ) {
            let paused = await approval.run(initial, options: pauseOptions)
            guard let checkpoint = paused.checkpoint else { return 1_000_000 }
            let data = try checkpoint.jsonData()
            let decoded = try ApprovalPause<BenchState>(jsonData: data)
            let resumed = await approval.resume(from: decoded, decision: .approve())
            return data.count &+ resumed.steps.count &+ (resumed.succeeded ? 0 : 1_000_000)
        })
    // The round trip's parts, each alone.
    rows.append(
        try await measure(
            "  part: run to the pause", n: 3, unitsPerRun: 1, unit: "run", config: config, checksum: &checksum
        ) {
            let paused = await approval.run(initial, options: pauseOptions)
            return paused.steps.count &+ (paused.checkpoint == nil ? 1_000_000 : 0)
        })
    rows.append(
        try await measure(
            "  part: checkpoint.jsonData()", n: 3, unitsPerRun: 1, unit: "run", config: config, checksum: &checksum
        ) {
            try checkpoint.jsonData().count
        })
    rows.append(
        try await measure(
            "  part: ApprovalPause(jsonData:)", n: 3, unitsPerRun: 1, unit: "run", config: config, checksum: &checksum
        ) {
            try ApprovalPause<BenchState>(jsonData: data).steps.count
        })
    rows.append(
        try await measure(
            "  part: resume(from:decision:)", n: 3, unitsPerRun: 1, unit: "run", config: config, checksum: &checksum
        ) {
            let resumed = await approval.resume(from: decoded, decision: .approve())
            return resumed.steps.count &+ (resumed.succeeded ? 0 : 1_000_000)
        })

    rows += try await runJSONCases(config: config, checksum: &checksum)
    return (rows, checksum)
}

/// `--json`: the JSON cases alone.
func jsonCasesOnly(config: BenchConfig) async throws -> (rows: [CaseResult], checksum: Checksum) {
    var checksum = Checksum()
    let rows = try await runJSONCases(config: config, checksum: &checksum)
    return (rows, checksum)
}

/// The JSON cases: the example catalog's checkpoints and states, written and read back.
func runJSONCases(config: BenchConfig, checksum: inout Checksum) async throws -> [CaseResult] {
    var rows: [CaseResult] = []

    // 5. JSON of the example catalog: each paused run's checkpoint written and read back
    //    (as a console or a run store does: typed on the way out, through the erased
    //    workflow on the way in), and each default state written and read back.
    for (entry, checkpoint) in try await exampleCheckpoints(only: config.only) {
        rows.append(
            try await measure(
                "checkpoint JSON encode+decode: \(entry.name)", n: checkpoint.steps.count, unitsPerRun: 1,
                unit: "run", config: config, checksum: &checksum
            ) {
                try checkpointRoundTrip(entry, checkpoint)
            })
        let data = try checkpoint.jsonData()
        rows.append(
            try await measure(
                "  part: checkpoint.jsonData()", n: checkpoint.steps.count, unitsPerRun: 1, unit: "run",
                config: config, checksum: &checksum
            ) {
                try checkpoint.jsonData().count
            })
        rows.append(
            try await measure(
                "  part: workflow.checkpoint(json:)", n: checkpoint.steps.count, unitsPerRun: 1, unit: "run",
                config: config, checksum: &checksum
            ) {
                try entry.workflow.checkpoint(json: data).steps.count
            })
    }
    for (entry, state) in try exampleStates(only: config.only) {
        rows.append(
            try await measure(
                "state JSON encode+decode: \(entry.name)", n: nil, unitsPerRun: 1, unit: "run", config: config,
                checksum: &checksum
            ) {
                try stateRoundTrip(entry, state)
            })
    }

    return rows
}

/// The checkpoint of every example catalog workflow that pauses on its default state
/// (whose name contains `only`, if given).
func exampleCheckpoints(only: String? = nil) async throws -> [(CatalogEntry, ApprovalPause<AnyState>)] {
    var checkpoints: [(CatalogEntry, ApprovalPause<AnyState>)] = []
    for (entry, state) in try exampleStates(only: only) {
        let result = await entry.workflow.run(state, options: RunOptions(pauseOnApproval: true))
        guard result.status == .paused, let checkpoint = result.checkpoint else { continue }
        // Not compared whole: dates are written to the millisecond, so they come back truncated.
        let back = try entry.workflow.checkpoint(json: checkpoint.jsonData())
        check(
            back.runID == checkpoint.runID && back.state == checkpoint.state
                && back.steps.map(\.stepName) == checkpoint.steps.map(\.stepName),
            "\(entry.name)'s checkpoint does not survive a JSON round trip")
        checkpoints.append((entry, checkpoint))
    }
    check(only != nil || checkpoints.count >= 2, "fewer than two example workflows paused")
    return checkpoints
}

/// Every example catalog entry (whose name contains `only`, if given) with its
/// default state, typed (as a run holds it).
func exampleStates(only: String? = nil) throws -> [(CatalogEntry, AnyState)] {
    try ExampleCatalog.catalog.entries.filter { only.map($0.name.contains) ?? true }.map { entry in
        (entry, try entry.workflow.decodeState(json: entry.defaultState.jsonData()))
    }
}

/// Writes a checkpoint and reads it back through its erased workflow.
/// (Not inlined, so `valgrind --toggle-collect='*checkpointRoundTrip*'` can count it alone.)
@inline(never)
func checkpointRoundTrip(_ entry: CatalogEntry, _ checkpoint: ApprovalPause<AnyState>) throws -> Int {
    let data = try checkpoint.jsonData()
    return data.count &+ (try entry.workflow.checkpoint(json: data).steps.count)
}

/// Writes a state as compact JSON and reads it back as its workflow's state type.
@inline(never)
func stateRoundTrip(_ entry: CatalogEntry, _ state: AnyState) throws -> Int {
    let data = try StepFlowJSON.encoder.encode(state)
    let back = try entry.workflow.decodeState(json: data)
    return data.count &+ (back.base is JSONValue ? 1_000_000 : 0)
}

/// The JSON cases without timing, for running under a profiler: every example
/// checkpoint and default state, written and read back `runs` times.
func profileJSON(runs: Int, only: String?) async throws -> Int {
    let checkpoints = try await exampleCheckpoints(only: only)
    let states = try exampleStates(only: only)
    var total = 0
    for _ in 0..<runs {
        for (entry, checkpoint) in checkpoints { total &+= try checkpointRoundTrip(entry, checkpoint) }
        for (entry, state) in states { total &+= try stateRoundTrip(entry, state) }
    }
    return total
}

/// The no-hook linear case without timing, for running under a profiler;
/// with `returningOutput`, its steps return a String output.
func profileLinear(steps n: Int, runs: Int, returningOutput: Bool) async -> Int {
    let definition: WorkflowDefinition<BenchState>
    do {
        definition = try LinearWorkflow(count: n, returningOutput: returningOutput).definition()
    } catch {
        check(false, "\(error)")
        return 0
    }
    var total = 0
    for _ in 0..<runs {
        total &+= await definition.run(BenchState()).steps.count
    }
    return total
}
