// StepFlow graph drawing benchmark: layout + render of large workflow graphs.
//
//   swift build -c release --product stepflow-graph-benchmarks --scratch-path .build-graphdraw-rel
//   .build-graphdraw-rel/release/stepflow-graph-benchmarks [--quick | --show=STEPS | --profile=STEPS]
//
// Each case builds a graph with routes (a third of the steps route to one to
// three later steps, a few of them to END), then times `GraphDrawing(graph)`:
// layering, ordering, placement, routing and painting the text lines.

import Foundation
import StepFlow

/// SplitMix64, so every run draws the same graphs.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A workflow graph as SPEC §8 exports it: routed steps jump up to `maxSkip`
/// steps ahead (or, rarely, to END); the other steps run on to the next one.
func makeGraph(steps count: Int, seed: UInt64, routeChance: Double = 0.33, endChance: Double = 0.04, maxSkip: Int = 8) -> WorkflowGraph {
    var random = SeededGenerator(seed: seed)
    let words = ["check", "refund", "review", "notify", "approve", "ship", "bill", "audit", "score", "triage"]
    let keys = ["yes", "no", "approve", "deny", "retry_later", "escalate", "manual review", "fraud"]
    var nodes: [WorkflowGraph.Node] = []
    for index in 0..<count {
        let name = (0..<Int.random(in: 1...3, using: &random)).map { _ in words.randomElement(using: &random)! }
            .joined(separator: "_") + "_\(index)"
        nodes.append(.init(id: "step_\(index)", label: name, kind: .step, requiresApproval: Int.random(in: 0..<10, using: &random) == 0))
    }
    var edges: [WorkflowGraph.Edge] = []
    var toEnd = false
    for index in 0..<count {
        if index + 1 < count && Double.random(in: 0..<1, using: &random) < routeChance {
            for (number, key) in keys.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)).enumerated() {
                if Double.random(in: 0..<1, using: &random) < endChance || (number == 0 && index + 1 == count) {
                    edges.append(.init(source: "step_\(index)", target: "end_0", kind: .route, routeKey: key))
                    toEnd = true
                } else {
                    let target = Int.random(in: (index + 1)...min(count - 1, index + maxSkip), using: &random)
                    edges.append(.init(source: "step_\(index)", target: "step_\(target)", kind: .route, routeKey: key))
                }
            }
        } else if index + 1 < count {
            edges.append(.init(source: "step_\(index)", target: "step_\(index + 1)", kind: .linear))
        }
    }
    if toEnd { nodes.append(.init(id: "end_0", label: "END", kind: .end)) }
    return WorkflowGraph(workflowName: "benchmark-\(count)", nodes: nodes, edges: edges)
}

struct Case {
    let name: String
    let graph: WorkflowGraph
    let options: GraphDrawing.Options
    let runs: Int
}

let quick = CommandLine.arguments.contains("--quick")
// `--show=N`: print the drawing of the N-step benchmark graph instead of timing.
if let show = CommandLine.arguments.first(where: { $0.hasPrefix("--show=") }), let steps = Int(show.dropFirst(7)) {
    for line in GraphDrawing.render(makeGraph(steps: steps, seed: UInt64(steps))) { print(line) }
    exit(0)
}
// `--profile=N`: draw the N-step benchmark graph 20 times, untimed, for perf.
if let profile = CommandLine.arguments.first(where: { $0.hasPrefix("--profile=") }), let steps = Int(profile.dropFirst(10)) {
    let graph = makeGraph(steps: steps, seed: UInt64(steps))
    var total = 0
    for _ in 0..<20 { total &+= GraphDrawing(graph).lines.count }
    print("profile: 20 drawings of \(steps) steps, \(total) lines")
    exit(0)
}
#if DEBUG
print("warning: this is a debug build; build with -c release for meaningful numbers")
#endif

let graph200 = makeGraph(steps: 200, seed: 200)
let graph2000 = makeGraph(steps: 2000, seed: 2000)
var statuses: [String: StepStatus] = [:]
for (index, node) in graph200.nodes.enumerated() where node.kind == .step {
    statuses[node.id] = StepStatus.allCases[index % StepStatus.allCases.count]
}
let cases = [
    Case(name: "200 steps, full size", graph: graph200, options: .init(), runs: quick ? 5 : 41),
    Case(name: "200 steps, statuses + highlight", graph: graph200, options: .init(statuses: statuses, highlighted: "step_7"), runs: quick ? 5 : 41),
    Case(name: "200 steps, ASCII, width 100", graph: graph200, options: .init(width: 100, glyphs: .ascii), runs: quick ? 5 : 41),
    Case(name: "2000 steps, full size", graph: graph2000, options: .init(), runs: quick ? 3 : 11),
    Case(name: "2000 steps, width 120", graph: graph2000, options: .init(width: 120), runs: quick ? 3 : 11),
]

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

print("StepFlow graph drawing benchmark (layout + render, median of runs)")
print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")
print()
let header = ["case", "nodes", "edges", "lines x cols", "style", "median ms", "min ms", "runs"]
var rows: [[String]] = []
let clock = ContinuousClock()
var checksum = 0
for benchCase in cases {
    // Warm-up.
    checksum &+= GraphDrawing(benchCase.graph, options: benchCase.options).lines.count
    var times: [Double] = []
    var drawing: GraphDrawing?
    for _ in 0..<benchCase.runs {
        let start = clock.now
        let result = GraphDrawing(benchCase.graph, options: benchCase.options)
        times.append(milliseconds(clock.now - start))
        checksum &+= result.lines.count
        drawing = result
    }
    times.sort()
    let median = times[times.count / 2]
    rows.append([
        benchCase.name, "\(benchCase.graph.nodes.count)", "\(benchCase.graph.edges.count)",
        "\(drawing!.lines.count) x \(drawing!.width)", drawing!.style.rawValue,
        String(format: "%.2f", median), String(format: "%.2f", times[0]), "\(benchCase.runs)",
    ])
}
let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
func format(_ row: [String]) -> String {
    row.enumerated().map { column, cell in
        column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            : String(repeating: " ", count: widths[column] - cell.count) + cell
    }.joined(separator: "  ")
}
print(format(header))
print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
for row in rows { print(format(row)) }
print()
print("checksum: \(checksum)")
