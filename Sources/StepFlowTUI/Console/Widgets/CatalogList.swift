import StepFlow
import StepFlowDrawing

/// The home screen's list of workflows that can be started: name, step count, summary.
struct CatalogList: Widget {
    let catalog: [CatalogItem]
    let selection: Int
    let focused: Bool
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Workflows", style: theme.border(focused: focused), ascii: theme.ascii)
        let inner = area.inset(by: 1)
        let nameWidth = min(24, catalog.map { DisplayWidth.width(of: $0.name) }.max() ?? 10)
        for (index, item) in catalog.enumerated().prefix(inner.height) {
            let selected = focused && index == selection
            let style = selected ? CellStyle(reverse: true) : .plain
            let row = inner.row + index
            if selected { grid.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: style) }
            let steps = String(item.stepCount).leftPadded(to: 2) + (item.stepCount == 1 ? " step " : " steps")
            let line = DisplayWidth.pad(item.name, toWidth: nameWidth) + "  " + steps + "  " + item.summary
            grid.put(
                (selected ? theme.pointer : "  ") + line, row: row, column: inner.column, style: style,
                limit: inner.width)
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
