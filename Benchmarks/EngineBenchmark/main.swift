// StepFlow engine benchmark: the engine's overhead per step and per run.
//
//   swift build -c release --product stepflow-benchmarks --scratch-path .build-bench
//   .build-bench/release/stepflow-benchmarks [--quick] [--json] [--only=TEXT] | [--profile[=RUNS] [--steps=N] [--outputs] | --profile-json[=RUNS] [--only=TEXT]]
//
// Instruction counts, which load on the machine does not change:
//   valgrind --tool=callgrind .build-bench/release/stepflow-benchmarks --profile=RUNS
//   valgrind --tool=callgrind .build-bench/release/stepflow-benchmarks --profile-json=RUNS

import Foundation

let config = BenchConfig.parse(Array(CommandLine.arguments.dropFirst()))

/// Runs `body` on the global executor and blocks the main thread until it ends.
///
/// Not top-level `await`: an async main parks the main thread in libdispatch's
/// `sigsuspend`, where valgrind 3.19 crashes.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do {
            try await body()
        } catch {
            FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
            exit(1)
        }
        done.signal()
    }
    done.wait()
}

if let runs = config.profileRuns {
    runBlocking {
        let steps = await profileLinear(steps: config.profileSteps, runs: runs, returningOutput: config.profileOutputs)
        print("profile: \(runs) runs, \(steps) steps")
    }
    exit(0)
}

if let runs = config.profileJSONRuns {
    runBlocking {
        let total = try await profileJSON(runs: runs, only: config.only)
        print("profile-json: \(runs) runs, checksum \(total)")
    }
    exit(0)
}

#if DEBUG
print("warning: this is a debug build; build with -c release for meaningful numbers")
#endif
print("StepFlow engine benchmark\(config.quick ? " (--quick)" : "")")
print("cpu: \(cpuModelName() ?? "unknown"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("samples per case: \(config.samples), target per sample: \(config.sampleTarget), warm-up: \(config.warmup)")
print("median and min are over samples; each sample times a batch of runs.")
print()

runBlocking {
    let clock = ContinuousClock()
    let started = clock.now
    let (rows, checksum) =
        config.jsonOnly ? try await jsonCasesOnly(config: config) : try await runAllCases(config: config)
    printTable(rows)
    print()
    print("checksum: \(checksum.value)")
    print("total time: \(clock.now - started)")
}
