import StepFlow
import StepFlowDrawing

/// The JSON editor for a run's initial state, with its cursor and, once the
/// text was checked, why it cannot run yet.
struct StateEditorDialog: Widget {
    let editor: StateEditor
    let workflowName: String
    let theme: Theme
    /// The keys of this mode, from its key map (the footer shows the same).
    let keys: String

    func draw(into grid: inout CellGrid, area: Rect) {
        let box = Dialog.frame(
            width: area.width - 4, height: area.height - 4, title: "Initial state: \(workflowName)", ascii: theme.ascii,
            in: area, into: &grid)
        let text = box.inset(rows: 1, columns: 2)
        // The text, a blank row, and the hint on the last row.
        let (lines, footer) = text.divided(atRow: text.height - 2)
        let hint = footer.divided(atRow: 1).bottom
        let first = max(0, editor.row - lines.height + 1)
        for (offset, line) in editor.lines.dropFirst(first).prefix(lines.height).enumerated() {
            let row = lines.row + offset
            grid.put(line, row: row, column: lines.column, limit: lines.width)
            if first + offset == editor.row {
                let prefix = String(line.prefix(editor.column))
                let x = lines.column + DisplayWidth.width(of: VisibleText.sanitize(prefix))
                if x < lines.right {
                    let under = editor.column < line.count ? String(Array(line)[editor.column]) : " "
                    grid.put(under, row: row, column: x, style: CellStyle(reverse: true), limit: 1)
                }
            }
        }
        let message =
            editor.error.map { "\(theme.glyph(.failed)) \($0)" } ?? "\(keys)   (JSON, checked before the run starts)"
        grid.put(
            message, row: hint.row, column: hint.column,
            style: editor.error == nil ? CellStyle(dim: true) : theme.status(.failed), limit: hint.width)
    }
}
