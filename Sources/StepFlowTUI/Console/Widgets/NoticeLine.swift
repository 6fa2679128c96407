/// The one-line notice above the key bar (what just happened, or what went wrong).
struct NoticeLine: Widget {
    let text: String

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.put(text, row: area.row, column: area.column + 1, style: CellStyle(bold: true))
    }
}
