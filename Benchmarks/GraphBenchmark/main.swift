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
import StepFlowDrawing
import StepFlowTestSupport

/// A benchmark graph: the seeded generator the drawing tests use, with routed
/// steps jumping up to 8 steps ahead and, rarely, to END.
func makeGraph(steps count: Int, seed: UInt64) -> WorkflowGraph {
    randomDrawingGraph(steps: count, seed: seed, routeChance: 0.33, endChance: 0.04, maxSkip: 8)
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
if let profile = CommandLine.arguments.first(where: { $0.hasPrefix("--profile=") }),
    let steps = Int(profile.dropFirst(10))
{
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
    Case(
        name: "200 steps, statuses + highlight", graph: graph200,
        options: .init(statuses: statuses, highlighted: "step_7"), runs: quick ? 5 : 41),
    Case(
        name: "200 steps, ASCII, width 100", graph: graph200, options: .init(width: 100, glyphs: .ascii),
        runs: quick ? 5 : 41),
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
    // Warm-up; each timed run replaces the drawing the table reports.
    var drawing = GraphDrawing(benchCase.graph, options: benchCase.options)
    checksum &+= drawing.lines.count
    var times: [Double] = []
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
        "\(drawing.lines.count) x \(drawing.width)", drawing.style.rawValue,
        String(format: "%.2f", median), String(format: "%.2f", times[0]), "\(benchCase.runs)",
    ])
}
let widths = header.indices.map { column in rows.reduce(header[column].count) { max($0, $1[column].count) } }
func format(_ row: [String]) -> String {
    row.enumerated().map { column, cell in
        column == 0
            ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            : String(repeating: " ", count: widths[column] - cell.count) + cell
    }.joined(separator: "  ")
}
print(format(header))
print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
for row in rows { print(format(row)) }
print()
print("checksum: \(checksum)")
