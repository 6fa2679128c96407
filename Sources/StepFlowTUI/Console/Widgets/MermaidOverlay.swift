/// A workflow's Mermaid text, to read or save.
struct MermaidOverlay: Widget {
    let workflow: String
    let text: String
    let theme: Theme
    /// The keys of this mode, from its key map (the footer shows the same).
    let keys: String

    func draw(into grid: inout CellGrid, area: Rect) {
        let lines = text.split(separator: "\n").map(String.init)
        let box = Dialog.frame(
            width: area.width - 4, height: min(area.height - 2, lines.count + 4), title: "Mermaid: \(workflow)",
            ascii: theme.ascii, in: area, into: &grid)
        let inner = box.inset(rows: 1, columns: 2)
        let (body, _) = inner.divided(atRow: inner.height - 1)
        for (index, line) in lines.prefix(body.height).enumerated() {
            grid.put(line, row: body.row + index, column: body.column, limit: body.width)
        }
        grid.put(
            "\(keys)   (saves \(workflow).mmd)", row: inner.bottom - 1, column: inner.column,
            style: CellStyle(dim: true))
    }
}
