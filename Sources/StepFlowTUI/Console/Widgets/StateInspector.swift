import Foundation
import StepFlow

/// The run's latest state as pretty JSON, scrolled; encoded only when drawn.
struct StateInspector: Widget {
    let run: RunView
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        // It replaces the graph only while focused, so it is always drawn focused.
        grid.box(area, title: "State", style: theme.focused, ascii: theme.ascii)
        let text =
            (try? StepFlowJSON.prettyEncoder.encode(run.state.json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let lines = text.split(separator: "\n").map { TextLines.Line(String($0)) }
        TextLines(lines: lines, offset: run.scroll[.state] ?? 0).draw(into: &grid, area: area.inset(by: 1))
    }
}
