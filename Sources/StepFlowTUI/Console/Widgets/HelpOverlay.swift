import StepFlow
import StepFlowDrawing

/// Every key of the view in front, from the same list the key bar shows.
struct HelpOverlay: Widget {
    let entries: [KeyHelp.Entry]
    let theme: Theme
    /// The keys of this mode, from its key map (the footer shows the same).
    let keys: String

    func draw(into grid: inout CellGrid, area: Rect) {
        let box = Dialog.frame(
            width: 60, height: entries.count + 4, title: "Keys", ascii: theme.ascii, in: area, into: &grid)
        let text = box.inset(rows: 1, columns: 2)
        let (list, _) = text.divided(atRow: text.height - 1)
        for (index, entry) in entries.prefix(list.height).enumerated() {
            grid.put(
                DisplayWidth.pad(entry.key, toWidth: KeyHelp.labelWidth(entries)) + entry.action, row: list.row + index,
                column: list.column, limit: list.width)
        }
        grid.put(keys, row: text.bottom - 1, column: text.column, style: CellStyle(dim: true))
    }
}
