import StepFlow
import StepFlowDrawing

/// The run's workflow graph, every step showing its status, the running (or waiting) step with a double border.
///
/// The layout comes from a cache; a frame only paints statuses on it.
struct GraphPane: Widget {
    let graph: WorkflowGraph
    let run: RunView
    let focused: Bool
    let theme: Theme
    var layouts: GraphLayoutCache = .shared

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Graph", style: theme.border(focused: focused), ascii: theme.ascii)
        let inner = area.inset(by: 1)
        var statuses: [String: StepStatus] = [:]
        var highlighted: String?
        for (index, step) in run.steps.enumerated() {
            statuses[WorkflowGraph.stepNodeID(index)] = step.status
            if step.status == .running || (step.status == .paused && run.waiting != nil) {
                highlighted = WorkflowGraph.stepNodeID(index)
            }
        }
        let layout = layouts.layout(of: graph, width: inner.width, glyphs: theme.ascii ? .ascii : .unicode)
        let lines = layout.drawing(statuses: statuses, highlighted: highlighted).lines.map { TextLines.Line($0) }
        TextLines(lines: lines, offset: run.scroll[.graph] ?? 0).draw(into: &grid, area: inner)
    }
}
