import Foundation

/// Command-line settings.
struct BenchConfig {
    /// Timed samples per case; the table reports their median and minimum.
    var samples = 9
    /// Target wall time of one sample.
    var sampleTarget: Duration = .milliseconds(120)
    /// Warm-up time per case (at least one run is always made).
    var warmup: Duration = .milliseconds(100)
    /// Whether `--quick` was given.
    var quick = false
    /// `--json`: only the JSON cases (checkpoints and states of the example catalog).
    var jsonOnly = false
    /// `--profile`: only run the no-hook linear case, untimed, for a profiler.
    var profileRuns: Int?
    /// `--steps=N`: the workflow size for `--profile` (default 1000).
    var profileSteps = 1000
    /// `--outputs`: `--profile` runs steps that return a String output.
    var profileOutputs = false
    /// `--profile-json[=RUNS]`: only write and read back the example checkpoints and states, untimed.
    var profileJSONRuns: Int?
    /// `--only=TEXT`: only the JSON cases (and profiled examples) whose workflow name contains TEXT.
    var only: String?

    static func parse(_ arguments: [String]) -> BenchConfig {
        var config = BenchConfig()
        for argument in arguments {
            switch argument {
            case "--quick":
                config.quick = true
                config.samples = 3
                config.sampleTarget = .milliseconds(10)
                config.warmup = .milliseconds(5)
            case "--profile":
                config.profileRuns = 200
            case let flag where flag.hasPrefix("--profile="):
                guard let runs = Int(flag.dropFirst("--profile=".count)), runs > 0 else {
                    FileHandle.standardError.write(Data("--profile=RUNS needs a positive number\n".utf8))
                    exit(2)
                }
                config.profileRuns = runs
            case let flag where flag.hasPrefix("--steps="):
                guard let steps = Int(flag.dropFirst("--steps=".count)), steps > 0 else {
                    FileHandle.standardError.write(Data("--steps=N needs a positive number\n".utf8))
                    exit(2)
                }
                config.profileSteps = steps
            case "--outputs":
                config.profileOutputs = true
            case "--json":
                config.jsonOnly = true
            case let flag where flag.hasPrefix("--only="):
                config.only = String(flag.dropFirst("--only=".count))
            case "--profile-json":
                config.profileJSONRuns = 200
            case let flag where flag.hasPrefix("--profile-json="):
                guard let runs = Int(flag.dropFirst("--profile-json=".count)), runs > 0 else {
                    FileHandle.standardError.write(Data("--profile-json=RUNS needs a positive number\n".utf8))
                    exit(2)
                }
                config.profileJSONRuns = runs
            case "-h", "--help":
                print(
                    """
                    usage: stepflow-benchmarks [--quick] [--json] [--only=TEXT] | [--profile[=RUNS] [--steps=N] [--outputs] | --profile-json[=RUNS] [--only=TEXT]]

                    Measures StepFlow's engine overhead in a release build.
                      --quick          fewer, shorter samples (a smoke run; numbers are noisier)
                      --json           only the JSON cases (example checkpoints and states)
                      --profile[=RUNS] no table: run the no-hook linear workflow RUNS times
                                       (default 200), for perf or valgrind
                      --steps=N        the workflow size for --profile (default 1000)
                      --outputs        --profile runs steps that return a String output
                      --profile-json[=RUNS]
                                       no table: write and read back every example checkpoint
                                       and default state RUNS times (default 200)
                      --only=TEXT      JSON cases and --profile-json: only examples whose name
                                       contains TEXT
                    """)
                exit(0)
            default:
                FileHandle.standardError.write(Data("unknown argument '\(argument)' (try --help)\n".utf8))
                exit(2)
            }
        }
        return config
    }
}

/// One row of the results table.
struct CaseResult {
    let name: String
    /// The step count of the workflow, when it is a size parameter.
    let n: Int?
    /// Timed runs over all samples (warm-up excluded).
    let runs: Int
    /// "step" or "run": what the median and minimum are per.
    let unit: String
    /// Median over samples, in microseconds per unit.
    let median: Double
    /// Fastest sample, in microseconds per unit.
    let min: Double
    /// Median over samples, in microseconds per run.
    let medianPerRun: Double
}

/// Values the timed closures return are summed here and printed at the end,
/// so the optimiser cannot drop the work that produced them.
struct Checksum {
    private(set) var value: UInt64 = 0
    mutating func add(_ x: Int) { value = value &* 31 &+ UInt64(truncatingIfNeeded: x) }
}

extension Duration {
    var microseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1e6 + Double(parts.attoseconds) * 1e-12
    }
}

/// Times `body`: warms up, sizes a batch so one sample takes about
/// `config.sampleTarget`, then times `config.samples` batches.
///
/// `unitsPerRun` divides each run's time (for example the step count, for µs/step).
func measure(
    _ name: String, n: Int?, unitsPerRun: Int, unit: String, config: BenchConfig, checksum: inout Checksum,
    _ body: () async throws -> Int
) async throws -> CaseResult {
    let clock = ContinuousClock()

    // Warm-up, which also estimates the time of one run.
    var warmRuns = 0
    let warmStart = clock.now
    var warmElapsed = Duration.zero
    repeat {
        checksum.add(try await body())
        warmRuns += 1
        warmElapsed = clock.now - warmStart
    } while warmElapsed < config.warmup
    let perRun = warmElapsed.microseconds / Double(warmRuns)
    let batch = max(1, Int((config.sampleTarget.microseconds / max(perRun, 0.001)).rounded(.up)))

    var perRunSamples: [Double] = []
    perRunSamples.reserveCapacity(config.samples)
    for _ in 0..<config.samples {
        var local = 0
        let start = clock.now
        for _ in 0..<batch {
            local &+= try await body()
        }
        let elapsed = clock.now - start
        checksum.add(local)
        perRunSamples.append(elapsed.microseconds / Double(batch))
    }
    perRunSamples.sort()
    let medianPerRun =
        perRunSamples.count % 2 == 1
        ? perRunSamples[perRunSamples.count / 2]
        : (perRunSamples[perRunSamples.count / 2 - 1] + perRunSamples[perRunSamples.count / 2]) / 2
    let units = Double(unitsPerRun)
    return CaseResult(
        name: name, n: n, runs: batch * config.samples, unit: unit,
        median: medianPerRun / units, min: perRunSamples[0] / units, medianPerRun: medianPerRun)
}

/// Prints the results as a fixed-width table.
func printTable(_ rows: [CaseResult]) {
    let nameWidth = max(4, rows.map(\.name.count).max() ?? 0)
    func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
    func number(_ value: Double) -> String {
        value >= 1000
            ? String(format: "%.1f", value)
            : value >= 10 ? String(format: "%.2f", value) : String(format: "%.3f", value)
    }
    let header =
        pad("case", nameWidth, right: false) + " | " + pad("N", 6) + " | " + pad("runs", 8)
        + " | " + pad("median", 10) + " | " + pad("min", 10) + " | " + pad("unit", 8) + " | " + pad("median µs/run", 13)
    print(header)
    print(String(repeating: "-", count: header.count))
    for row in rows {
        print(
            pad(row.name, nameWidth, right: false) + " | " + pad(row.n.map(String.init) ?? "-", 6)
                + " | " + pad(String(row.runs), 8) + " | " + pad(number(row.median), 10) + " | "
                + pad(number(row.min), 10)
                + " | " + pad("µs/" + row.unit, 8) + " | " + pad(number(row.medianPerRun), 13))
    }
}

/// Stops the benchmark when a workflow does not behave as the case assumes.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("benchmark setup error: \(message())\n".utf8))
        exit(1)
    }
}

/// The CPU model from /proc/cpuinfo (Linux), if readable.
func cpuModelName() -> String? {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("model name") {
        if let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
    return nil
}
