/// The home screen's list of this session's runs, scrolled to keep the selection in view.
struct RunList: Widget {
    let runs: [RunView]
    let selection: Int
    let focused: Bool
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Runs this session", style: theme.border(focused: focused), ascii: theme.ascii)
        let inner = area.inset(by: 1)
        if runs.isEmpty {
            grid.put(
                "No runs yet: pick a workflow above and press Enter.", row: inner.row, column: inner.column + 1,
                style: CellStyle(dim: true))
            return
        }
        let first = max(0, selection - inner.height + 1)
        for (offset, run) in runs.dropFirst(first).prefix(inner.height).enumerated() {
            let selected = focused && first + offset == selection
            let style = selected ? CellStyle(reverse: true) : .plain
            let row = inner.row + offset
            if selected { grid.fill(Rect(row: row, column: inner.column, width: inner.width, height: 1), style: style) }
            var line =
                "\(theme.glyph(run.status)) \(run.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(run.workflowName)  run \(run.runID.prefix(8))"
            if run.waiting != nil { line += "  \(theme.flag) waiting for approval" }
            if let path = run.checkpointPath { line += "  checkpoint: \(path)" }
            grid.put(
                (selected ? theme.pointer : "  ") + line, row: row, column: inner.column, style: style,
                limit: inner.width)
        }
    }
}
