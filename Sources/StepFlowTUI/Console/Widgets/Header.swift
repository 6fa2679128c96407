import StepFlow
import StepFlowDrawing

/// The top bar: the run in front (workflow, run id, status, elapsed time) or
/// the session's counts, and a badge while approvals wait, seen from every view.
struct Header: Widget {
    let model: ConsoleModel
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.fill(area, style: theme.bar)
        var title = "StepFlow"
        if case .run(let key) = model.screen, let run = model.run(key) {
            let elapsed = Int(((run.finishedAt ?? model.now).timeIntervalSince(run.startedAt)).rounded(.down))
            let bar = theme.separator
            title +=
                "\(bar)\(run.workflowName)\(bar)run \(run.runID.prefix(8))\(bar)\(theme.glyph(run.status)) \(run.status.rawValue)\(bar)\(elapsed)s"
        } else {
            title += "\(theme.separator)\(model.catalog.count) workflows\(theme.separator)\(model.runs.count) runs"
        }
        let waiting = model.waitingCount
        // The title yields room to the badge.
        let badge = waiting > 0 ? " \(theme.flag) \(waiting) waiting for approval " : ""
        let badgeWidth = DisplayWidth.width(of: badge)
        grid.put(
            title, row: area.row, column: area.column + 1, style: theme.bar, limit: max(1, area.width - badgeWidth - 2))
        if waiting > 0 {
            grid.put(badge, row: area.row, column: max(area.column, area.right - badgeWidth), style: theme.badge)
        }
    }
}
