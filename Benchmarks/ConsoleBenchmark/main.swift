import Foundation
import StepFlow
import StepFlowExamples
import StepFlowTUI
import Synchronization

// Feeds engine events through the console's model and view:
// events per second, frame time at 80x24 and 200x60, and peak memory.
//
//     swift build -c release --product stepflow-console-benchmarks
//     .build/release/stepflow-console-benchmarks [--events N]

let arguments = CommandLine.arguments
let totalEvents = arguments.firstIndex(of: "--events").flatMap { Int(arguments[$0 + 1]) } ?? 1_000_000

/// The real events of one run of the branching refund (routes, skipped steps) and
/// the composition example (child workflows), recorded through a hook.
func recordEvents() async -> [WorkflowEvent] {
    let recorded = Mutex<[WorkflowEvent]>([])
    let hook = WorkflowHook { event in recorded.withLock { $0.append(event) } }
    _ = await BranchingRefundWorkflow().run(BranchingRefundState(orderID: "o1", amount: 300), hooks: [hook])
    _ = await WorkflowCompositionWorkflow().run(OrderState(orderID: "o2", amount: 120, country: "DE"), hooks: [hook])
    return recorded.withLock { $0 }
}

/// Peak resident memory of this process, in MiB (VmHWM).
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return .nan }
    return kilobytes / 1024
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

let events = await recordEvents()
let catalog = ExampleCatalog.catalog
guard let index = catalog.entries.firstIndex(where: { $0.name == "branching-refund" }) else {
    fatalError("the example catalog has no branching-refund")
}
guard let firstEvent = events.first else { fatalError("the recorded runs emitted no events") }
var model = ConsoleModel(
    catalog: catalog.entries.map(CatalogItem.init), width: 80, height: 24, colors: true, unicode: true)
_ = ConsoleUpdate.update(
    &model,
    .runStarted(
        key: 1, runID: firstEvent.runID, catalogIndex: index, state: AnyState(JSONValue.object([:])), at: Date()))

print("Console: \(totalEvents) engine events through update, frames through the view")
print("recorded events replayed: \(events.count) per cycle")
let clock = ContinuousClock()
var memory: [(Int, Double)] = []
let start = clock.now
var fed = 0
var checkpoints = Set([totalEvents / 10, totalEvents / 2, totalEvents])
while fed < totalEvents {
    for event in events where fed < totalEvents {
        _ = ConsoleUpdate.update(&model, .event(runKey: 1, event))
        fed += 1
        if checkpoints.contains(fed) {
            memory.append((fed, peakMemoryMiB()))
            checkpoints.remove(fed)
        }
    }
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
print(
    String(
        format: "update: %.0f events/s (%.3f µs/event)", Double(totalEvents) / seconds,
        seconds * 1e6 / Double(totalEvents)))

for (width, height) in [(80, 24), (200, 60)] {
    _ = ConsoleUpdate.update(&model, .resize(width: width, height: height))
    var samples: [Double] = []
    var cells = 0
    for frame in 0..<2000 {
        // Alternate panes so the graph and the state inspector are both drawn.
        if frame % 500 == 0 { _ = ConsoleUpdate.update(&model, .key(.tab)) }
        _ = ConsoleUpdate.update(&model, .tick(Date()))
        let before = clock.now
        let grid = ConsoleView.render(model)
        let took = clock.now - before
        cells &+= grid.cells.count
        samples.append(Double(took.components.attoseconds) * 1e-12 + Double(took.components.seconds) * 1e6)
    }
    print(
        String(
            format: "frame %dx%d: median %.0f µs, p99 %.0f µs (%d cells drawn)", width, height,
            median(samples), samples.sorted()[samples.count * 99 / 100], cells))
}
for (count, mib) in memory {
    print(String(format: "peak memory after %7d events: %.1f MiB", count, mib))
}
print("log entries kept: \(model.runs[0].log.count) (bounded), dropped: \(model.runs[0].log.dropped)")
