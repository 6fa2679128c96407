import Foundation
import StepFlowDrawing
import Testing

@testable import StepFlow
@testable import StepFlowTUI

@Suite("Graph pane")
struct GraphPaneTests {
    /// The text of `area`'s rows, trailing blanks removed.
    static func text(of grid: CellGrid, in area: Rect) -> [String] {
        (area.row..<area.bottom).map { row in
            var line = (area.column..<area.right).map { grid[row, $0].text }.joined()
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    @Test(
        "across many frames with changing statuses the graph is laid out once per width, and each frame shows what a fresh drawing shows"
    )
    func laidOutOnce() throws {
        let layouts = GraphLayoutCache(capacity: 4)
        var (model, request) = try modelWaitingForApproval()
        send(&model, .key(.escape), .key(.tab))  // close the prompt; focus the graph
        let graph = model.catalog[model.runs[0].catalogIndex].graph
        for frame in 0..<30 {
            let index = frame % 3
            let status = StepStatus.allCases[frame % StepStatus.allCases.count]
            let name = model.runs[0].steps[index].name
            send(
                &model,
                .event(
                    runKey: 1,
                    .stepFinished(
                        StepFinishedEvent(
                            workflowName: request.workflowName, runID: request.runID, stepName: name, stepIndex: index,
                            state: request.state, result: StepResult(stepName: name, status: status, attempts: 1)))),
                .tick(model.now.addingTimeInterval(0.25)))
            let grid = ConsoleView.render(model, graphLayouts: layouts)

            let run = model.runs[0]
            var statuses: [String: StepStatus] = [:]
            var highlighted: String?
            for (index, step) in run.steps.enumerated() {
                statuses[WorkflowGraph.stepNodeID(index)] = step.status
                if step.status == .running || (step.status == .paused && run.waiting != nil) {
                    highlighted = WorkflowGraph.stepNodeID(index)
                }
            }
            let pane = Rect(
                row: 2, column: model.width * 9 / 20 + 1, width: model.width - model.width * 9 / 20 - 2, height: 10)
            let fresh = GraphDrawing.render(
                graph,
                options: .init(
                    width: pane.width, glyphs: .unicode, statuses: statuses, highlighted: highlighted))
            let shown = Self.text(of: grid, in: pane)
            #expect(Array(shown.prefix(fresh.count)) == Array(fresh.prefix(pane.height)), "frame \(frame)")
        }
        #expect(layouts.layoutsComputed == 1)
        send(&model, .resize(width: 120, height: 40))
        _ = ConsoleView.render(model, graphLayouts: layouts)
        send(&model, .resize(width: 80, height: 24))
        _ = ConsoleView.render(model, graphLayouts: layouts)
        #expect(layouts.layoutsComputed == 2)
    }

    @Test("the cache is bounded: past its capacity the oldest layout is dropped and computed again when needed")
    func bounded() {
        let layouts = GraphLayoutCache(capacity: 2)
        let graph = exampleModel().catalog[0].graph
        for width in [40, 50, 60, 40] { _ = layouts.layout(of: graph, width: width, glyphs: .unicode) }
        #expect(layouts.layoutsComputed == 4)
        _ = layouts.layout(of: graph, width: 60, glyphs: .unicode)
        _ = layouts.layout(of: graph, width: 60, glyphs: .ascii)
        #expect(layouts.layoutsComputed == 5)
    }
}
