/// The bottom bar: the main keys of the view in front.
struct KeyBar: Widget {
    let entries: [KeyHelp.Entry]
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.fill(area, style: theme.bar)
        let keys = entries.map { "\($0.key) \($0.action)" }.joined(separator: "  ")
        grid.put(keys, row: area.row, column: area.column + 1, style: theme.bar)
    }
}
