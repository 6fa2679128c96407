/// Lines of text filling a pane, scrolled by an offset; a selected line is
/// drawn in reverse video across the whole width.
struct TextLines: Widget {
    /// One line and how it looks.
    struct Line {
        var text: String
        var style: CellStyle = .plain
        var selected = false
    }

    var lines: [Line]
    /// Lines scrolled off the top; the last line always stays in view.
    var offset = 0

    func draw(into grid: inout CellGrid, area: Rect) {
        guard !area.isEmpty else { return }
        let visible = lines.dropFirst(min(offset, max(0, lines.count - 1))).prefix(area.height)
        for (index, line) in visible.enumerated() {
            let row = area.row + index
            var style = line.style
            if line.selected {
                style.reverse = true
                grid.fill(Rect(row: row, column: area.column, width: area.width, height: 1), style: style)
            }
            grid.put(line.text, row: row, column: area.column, style: style, limit: area.width)
        }
    }
}

extension TextLines.Line {
    /// A plain, unselected line.
    init(_ text: String, style: CellStyle = .plain) {
        self.init(text: text, style: style, selected: false)
    }
}
