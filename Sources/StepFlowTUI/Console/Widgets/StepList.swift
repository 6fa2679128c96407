import Foundation

/// The run view's steps: status glyph (spinning while running), attempts,
/// duration or retry countdown, and under each step its route, decision, last
/// error and child workflows.
struct StepList: Widget {
    let run: RunView
    let focused: Bool
    /// The frame's clock: spinners and countdowns.
    let now: Date
    let theme: Theme

    func draw(into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Steps", style: theme.border(focused: focused), ascii: theme.ascii)
        TextLines(lines: lines).draw(into: &grid, area: area.inset(by: 1))
    }

    private var lines: [TextLines.Line] {
        var lines: [TextLines.Line] = []
        for (index, step) in run.steps.enumerated() {
            var text = "\(theme.glyph(step.status, spinner: now)) \(step.name)"
            if step.gated { text += " \(theme.flag)" }
            if step.attempts > 0 { text += "  \(theme.times)\(step.attempts)" }
            if let ms = step.durationMs, step.status != .running { text += "  \(ms)ms" }
            if let retryAt = step.retryAt, step.status == .running {
                text += "  retry in \(max(0, Int(retryAt.timeIntervalSince(now).rounded(.up))))s"
            }
            lines.append(
                TextLines.Line(
                    text: text, style: theme.status(step.status), selected: focused && index == run.selectedStep))
            if let route = step.route { lines.append(.init("    route: \(route)", style: CellStyle(dim: true))) }
            if let decision = step.decision { lines.append(.init("    \(decision)")) }
            if let error = step.lastError { lines.append(.init("    error: \(error)", style: theme.status(.failed))) }
            if step.expanded {
                for child in step.children {
                    lines.append(
                        .init("    \(theme.child) \(theme.glyph(child.status)) \(child.name) \(child.status.rawValue)"))
                    for childStep in child.steps {
                        lines.append(.init("        \(childStep)", style: CellStyle(dim: true)))
                    }
                }
            } else if !step.children.isEmpty {
                lines.append(
                    .init(
                        "    \(theme.child) \(step.children.count) child workflow(s), Enter to show",
                        style: CellStyle(dim: true)))
            }
        }
        return lines
    }
}
