import StepFlow
import StepFlowDrawing

/// Every key of the view in front, from the same list the key bar shows.
struct HelpOverlay: Widget {
    let entries: [KeyHelp.Entry]
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        let box = Dialog.frame(width: 60, height: entries.count + 4, title: "Keys", ascii: theme.ascii, in: area, into: &grid)
        let text = box.inset(rows: 1, columns: 2)
        let (keys, _) = text.divided(atRow: text.height - 1)
        for (index, entry) in entries.prefix(keys.height).enumerated() {
            grid.put(DisplayWidth.pad(entry.key, toWidth: 14) + entry.action, row: keys.row + index, column: keys.column, limit: keys.width)
        }
        grid.put("Esc or ? closes", row: text.bottom - 1, column: text.column, style: CellStyle(dim: true))
    }
}
