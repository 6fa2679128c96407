/// "Quit while runs are active?": what quitting does to waiting runs, and y / n.
struct QuitDialog: Widget {
    /// Approvals still waiting, over all runs.
    let waitingCount: Int
    let theme: Theme
    /// The keys of this mode, from its key map (the footer shows the same).
    let keys: String

    func draw(into grid: inout CellGrid, area: Rect) {
        let box = Dialog.frame(width: 56, height: 6, title: "Quit?", ascii: theme.ascii, in: area, into: &grid)
        let text = box.inset(rows: 1, columns: 2)
        let waiting = waitingCount > 0 ? "; \(waitingCount) wait for approval" : ""
        grid.put("Runs are still active\(waiting).", row: text.row, column: text.column, limit: text.width)
        grid.put(
            "Waiting runs are paused and their checkpoints saved.", row: text.row + 1, column: text.column,
            limit: text.width)
        grid.put(keys, row: text.row + 3, column: text.column, style: CellStyle(bold: true))
    }
}
