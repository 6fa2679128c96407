import Foundation
import StepFlow

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

    return (rows, checksum)
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
