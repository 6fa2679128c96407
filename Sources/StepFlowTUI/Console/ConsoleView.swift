import Foundation
import StepFlow

/// Draws the model into a cell grid: immediate mode, the whole screen each frame.
public enum ConsoleView {
    /// The model as a grid of its size.
    public static func render(_ model: ConsoleModel) -> CellGrid {
        var grid = CellGrid(width: model.width, height: model.height)
        guard model.width >= ConsoleModel.minimumWidth, model.height >= ConsoleModel.minimumHeight else {
            let message = "terminal too small (need \(ConsoleModel.minimumWidth)×\(ConsoleModel.minimumHeight))"
            grid.put(message, row: model.height / 2, column: max(0, (model.width - DisplayWidth.width(of: message)) / 2))
            return grid
        }
        let theme = Theme(model)
        header(model, theme, into: &grid)
        switch model.screen {
        case .home: home(model, theme, into: &grid)
        case .run(let key):
            if let run = model.run(key) { runView(run, model, theme, into: &grid) }
        }
        footer(model, theme, into: &grid)
        if let editor = model.editor { stateEditor(editor, model, theme, into: &grid) }
        if let prompt = model.prompt, let run = model.run(prompt.runKey), let request = run.waiting {
            approvalPrompt(prompt, request, run, theme, into: &grid)
        }
        if let overlay = model.overlay { self.overlay(overlay, model, theme, into: &grid) }
        return grid
    }

    // MARK: - Frame

    private static func header(_ model: ConsoleModel, _ theme: Theme, into grid: inout CellGrid) {
        grid.fill(row: 0, column: 0, width: grid.width, height: 1, style: theme.bar)
        var title = "StepFlow"
        if case .run(let key) = model.screen, let run = model.run(key) {
            let elapsed = Int(((run.finishedAt ?? model.now).timeIntervalSince(run.startedAt)).rounded(.down))
            let bar = theme.separator
            title += "\(bar)\(run.workflowName)\(bar)run \(run.runID.prefix(8))\(bar)\(theme.glyph(run.status)) \(run.status.rawValue)\(bar)\(elapsed)s"
        } else {
            title += "\(theme.separator)\(model.catalog.count) workflows\(theme.separator)\(model.runs.count) runs"
        }
        let waiting = model.waitingCount
        // The badge is visible from every view; the title yields room to it.
        let badge = waiting > 0 ? " \(theme.flag) \(waiting) waiting for approval " : ""
        let badgeWidth = DisplayWidth.width(of: badge)
        grid.put(title, row: 0, column: 1, style: theme.bar, limit: max(1, grid.width - badgeWidth - 2))
        if waiting > 0 {
            grid.put(badge, row: 0, column: max(0, grid.width - badgeWidth), style: theme.badge)
        }
    }

    private static func footer(_ model: ConsoleModel, _ theme: Theme, into grid: inout CellGrid) {
        let row = grid.height - 1
        grid.fill(row: row, column: 0, width: grid.width, height: 1, style: theme.bar)
        let keys = KeyHelp.bar(for: model).map { "\($0.key) \($0.action)" }.joined(separator: "  ")
        if let notice = model.notice, grid.height > 2 {
            grid.put(notice, row: row - 1, column: 1, style: CellStyle(bold: true))
        }
        grid.put(keys, row: row, column: 1, style: theme.bar)
    }

    // MARK: - Home

    private static func home(_ model: ConsoleModel, _ theme: Theme, into grid: inout CellGrid) {
        let top = 1, bottom = grid.height - 2
        let catalogHeight = min(model.catalog.count + 2, (bottom - top) / 2 + 2)
        grid.box(row: top, column: 0, width: grid.width, height: catalogHeight, title: "Workflows",
                 style: model.homeFocus == .catalog ? theme.focused : .plain, ascii: !model.unicode)
        let nameWidth = min(24, model.catalog.map { DisplayWidth.width(of: $0.name) }.max() ?? 10)
        for (index, item) in model.catalog.enumerated() where index < catalogHeight - 2 {
            let selected = model.homeFocus == .catalog && index == model.catalogSelection
            let style = selected ? CellStyle(reverse: true) : .plain
            let row = top + 1 + index
            if selected { grid.fill(row: row, column: 1, width: grid.width - 2, height: 1, style: style) }
            let steps = String(item.stepCount).leftPadded(to: 2) + (item.stepCount == 1 ? " step " : " steps")
            let line = DisplayWidth.pad(item.name, toWidth: nameWidth) + "  " + steps + "  " + item.summary
            grid.put((selected ? theme.pointer : "  ") + line, row: row, column: 1, style: style, limit: grid.width - 2)
        }
        let runsTop = top + catalogHeight
        let runsHeight = bottom - runsTop
        guard runsHeight >= 3 else { return }
        grid.box(row: runsTop, column: 0, width: grid.width, height: runsHeight, title: "Runs this session",
                 style: model.homeFocus == .runs ? theme.focused : .plain, ascii: !model.unicode)
        if model.runs.isEmpty {
            grid.put("No runs yet: pick a workflow above and press Enter.", row: runsTop + 1, column: 2, style: CellStyle(dim: true))
            return
        }
        let visible = runsHeight - 2
        let first = max(0, model.runSelection - visible + 1)
        for (offset, run) in model.runs.dropFirst(first).prefix(visible).enumerated() {
            let index = first + offset
            let selected = model.homeFocus == .runs && index == model.runSelection
            let style = selected ? CellStyle(reverse: true) : .plain
            let row = runsTop + 1 + offset
            if selected { grid.fill(row: row, column: 1, width: grid.width - 2, height: 1, style: style) }
            var line = "\(theme.glyph(run.status)) \(run.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(run.workflowName)  run \(run.runID.prefix(8))"
            if run.waiting != nil { line += "  \(theme.flag) waiting for approval" }
            if let path = run.checkpointPath { line += "  checkpoint: \(path)" }
            grid.put((selected ? theme.pointer : "  ") + line, row: row, column: 1, style: style, limit: grid.width - 2)
        }
    }

    // MARK: - Run view

    private static func runView(_ run: RunView, _ model: ConsoleModel, _ theme: Theme, into grid: inout CellGrid) {
        let top = 1, bottom = grid.height - 2
        let logHeight = max(4, (bottom - top) / 3)
        let bodyHeight = bottom - top - logHeight
        let leftWidth = grid.width * 9 / 20
        steps(run, model, theme, row: top, column: 0, width: leftWidth, height: bodyHeight, into: &grid)
        if model.runFocus == .state {
            state(run, model, theme, row: top, column: leftWidth, width: grid.width - leftWidth, height: bodyHeight, into: &grid)
        } else {
            graph(run, model, theme, row: top, column: leftWidth, width: grid.width - leftWidth, height: bodyHeight, into: &grid)
        }
        log(run, model, theme, row: top + bodyHeight, height: logHeight, into: &grid)
    }

    private static func steps(_ run: RunView, _ model: ConsoleModel, _ theme: Theme, row: Int, column: Int, width: Int, height: Int, into grid: inout CellGrid) {
        grid.box(row: row, column: column, width: width, height: height, title: "Steps",
                 style: model.runFocus == .steps ? theme.focused : .plain, ascii: !model.unicode)
        var lines: [(String, CellStyle, Bool)] = []
        for (index, step) in run.steps.enumerated() {
            var text = "\(theme.glyph(step.status, spinner: model.now)) \(step.name)"
            if step.gated { text += " \(theme.flag)" }
            if step.attempts > 0 { text += "  \(theme.times)\(step.attempts)" }
            if let ms = step.durationMs, step.status != .running { text += "  \(ms)ms" }
            if let retryAt = step.retryAt, step.status == .running {
                text += "  retry in \(max(0, Int(retryAt.timeIntervalSince(model.now).rounded(.up))))s"
            }
            lines.append((text, theme.status(step.status), index == run.selectedStep && model.runFocus == .steps))
            if let route = step.route { lines.append(("    route: \(route)", CellStyle(dim: true), false)) }
            if let decision = step.decision { lines.append(("    \(decision)", .plain, false)) }
            if let error = step.lastError { lines.append(("    error: \(error)", theme.status(.failed), false)) }
            if step.expanded {
                for child in step.children {
                    lines.append(("    \(theme.child) \(theme.glyph(child.status)) \(child.name) \(child.status.rawValue)", .plain, false))
                    for childStep in child.steps { lines.append(("        \(childStep)", CellStyle(dim: true), false)) }
                }
            } else if !step.children.isEmpty {
                lines.append(("    \(theme.child) \(step.children.count) child workflow(s), Enter to show", CellStyle(dim: true), false))
            }
        }
        draw(lines, offset: 0, row: row + 1, column: column + 1, width: width - 2, height: height - 2, into: &grid)
    }

    private static func graph(_ run: RunView, _ model: ConsoleModel, _ theme: Theme, row: Int, column: Int, width: Int, height: Int, into grid: inout CellGrid) {
        grid.box(row: row, column: column, width: width, height: height, title: "Graph",
                 style: model.runFocus == .graph ? theme.focused : .plain, ascii: !model.unicode)
        let item = model.catalog[run.catalogIndex]
        var statuses: [String: StepStatus] = [:]
        var highlighted: String?
        for (index, step) in run.steps.enumerated() {
            statuses[WorkflowGraph.stepNodeID(index)] = step.status
            if step.status == .running || (step.status == .paused && run.waiting != nil) {
                highlighted = WorkflowGraph.stepNodeID(index)
            }
        }
        let options = GraphDrawing.Options(
            width: width - 2, glyphs: model.unicode ? .unicode : .ascii, statuses: statuses, highlighted: highlighted)
        let lines = GraphDrawing.render(item.graph, options: options).map { ($0, CellStyle.plain, false) }
        draw(lines, offset: run.scroll[.graph] ?? 0, row: row + 1, column: column + 1, width: width - 2, height: height - 2, into: &grid)
    }

    private static func state(_ run: RunView, _ model: ConsoleModel, _ theme: Theme, row: Int, column: Int, width: Int, height: Int, into grid: inout CellGrid) {
        grid.box(row: row, column: column, width: width, height: height, title: "State",
                 style: theme.focused, ascii: !model.unicode)
        let text = (try? StepFlowJSON.prettyEncoder.encode(run.state.json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let lines = text.split(separator: "\n").map { (String($0), CellStyle.plain, false) }
        draw(lines, offset: run.scroll[.state] ?? 0, row: row + 1, column: column + 1, width: width - 2, height: height - 2, into: &grid)
    }

    private static func log(_ run: RunView, _ model: ConsoleModel, _ theme: Theme, row: Int, height: Int, into grid: inout CellGrid) {
        grid.box(row: row, column: 0, width: grid.width, height: height, title: "Events",
                 style: model.runFocus == .log ? theme.focused : .plain, ascii: !model.unicode)
        let visible = height - 2
        // Only the visible entries are formatted, so a long run costs nothing extra per frame.
        let entries = run.log.suffix(visible, skippingNewest: run.scroll[.log] ?? 0)
        let lines = entries.map { entry -> (String, CellStyle, Bool) in
            // The time of day and the event are what a watcher reads; the run id is in the header.
            let fields = entry.line.split(separator: " ").filter { !$0.hasPrefix("run=") }
            let text = fields.map { $0.hasPrefix("time=") ? String($0.dropFirst(16).prefix(8)) : String($0) }.joined(separator: " ")
            return (text, CellStyle.plain, false)
        }
        draw(Array(lines), offset: 0, row: row + 1, column: 1, width: grid.width - 2, height: visible, into: &grid)
    }

    private static func draw(_ lines: [(String, CellStyle, Bool)], offset: Int, row: Int, column: Int, width: Int, height: Int, into grid: inout CellGrid) {
        guard height > 0, width > 0 else { return }
        for (index, line) in lines.dropFirst(min(offset, max(0, lines.count - 1))).prefix(height).enumerated() {
            var style = line.1
            if line.2 {
                style.reverse = true
                grid.fill(row: row + index, column: column, width: width, height: 1, style: style)
            }
            grid.put(line.0, row: row + index, column: column, style: style, limit: width)
        }
    }

    // MARK: - Modals

    private static func modal(width: Int, height: Int, in grid: inout CellGrid, title: String, ascii: Bool) -> (row: Int, column: Int, width: Int, height: Int) {
        let w = min(width, grid.width - 2), h = min(height, grid.height - 2)
        let row = (grid.height - h) / 2, column = (grid.width - w) / 2
        grid.fill(row: row, column: column, width: w, height: h)
        grid.box(row: row, column: column, width: w, height: h, title: title, style: CellStyle(bold: true), ascii: ascii)
        return (row, column, w, h)
    }

    private static func approvalPrompt(_ prompt: ApprovalPrompt, _ request: ApprovalRequest, _ run: RunView, _ theme: Theme, into grid: inout CellGrid) {
        let count = run.pendingApprovals.count
        let title = count > 1 ? "Approval needed (1 of \(count))" : "Approval needed"
        let box = modal(width: 72, height: 16, in: &grid, title: title, ascii: !theme.unicode)
        var lines: [(String, CellStyle)] = [
            ("Workflow: \(request.workflowName)  (run \(request.runID.prefix(8)))", .plain),
            ("Step:     \(request.stepName)", CellStyle(bold: true)),
            ("Message:  \(request.message ?? "(none)")", .plain),
            ("Metadata: \(PromptApprover.summary(.object(request.metadata)))", .plain),
            ("State:    \(PromptApprover.summary(request.state.json))", .plain),
            ("", .plain),
            ("Reason:   \(prompt.reason)\(prompt.editingReason ? "_" : "")", prompt.editingReason ? CellStyle(reverse: true) : .plain),
            ("", .plain),
        ]
        lines.append(prompt.editingReason
            ? ("Type the reason; Enter to finish.", CellStyle(dim: true))
            : ("a approve   d deny   r reason   p postpone   Esc close", CellStyle(bold: true)))
        lines.append(("Nothing is approved until you press a.", CellStyle(dim: true)))
        for (index, line) in lines.enumerated() where index < box.height - 2 {
            grid.put(line.0, row: box.row + 1 + index, column: box.column + 2, style: line.1, limit: box.width - 4)
        }
    }

    private static func stateEditor(_ editor: StateEditor, _ model: ConsoleModel, _ theme: Theme, into grid: inout CellGrid) {
        let name = model.catalog.indices.contains(editor.catalogIndex) ? model.catalog[editor.catalogIndex].name : ""
        let box = modal(width: grid.width - 4, height: grid.height - 4, in: &grid, title: "Initial state: \(name)", ascii: !model.unicode)
        let visible = box.height - 4
        let first = max(0, editor.row - visible + 1)
        for (offset, line) in editor.lines.dropFirst(first).prefix(visible).enumerated() {
            let row = box.row + 1 + offset
            grid.put(line, row: row, column: box.column + 2, limit: box.width - 4)
            if first + offset == editor.row {
                let prefix = String(line.prefix(editor.column))
                let x = box.column + 2 + DisplayWidth.width(of: VisibleText.sanitize(prefix))
                if x < box.column + box.width - 2 {
                    let under = editor.column < line.count ? String(Array(line)[editor.column]) : " "
                    grid.put(under, row: row, column: x, style: CellStyle(reverse: true), limit: 1)
                }
            }
        }
        let hint = editor.error.map { "\(theme.glyph(.failed)) \($0)" } ?? "Ctrl-R run   Esc cancel   (JSON, checked before the run starts)"
        grid.put(hint, row: box.row + box.height - 2, column: box.column + 2,
                 style: editor.error == nil ? CellStyle(dim: true) : theme.status(.failed), limit: box.width - 4)
    }

    private static func overlay(_ overlay: Overlay, _ model: ConsoleModel, _ theme: Theme, into grid: inout CellGrid) {
        switch overlay {
        case .help:
            let keys = KeyHelp.all(for: model)
            let box = modal(width: 60, height: keys.count + 4, in: &grid, title: "Keys", ascii: !model.unicode)
            for (index, key) in keys.enumerated() where index < box.height - 3 {
                grid.put(DisplayWidth.pad(key.key, toWidth: KeyHelp.labelWidth(keys)) + key.action, row: box.row + 1 + index, column: box.column + 2, limit: box.width - 4)
            }
            grid.put("Esc or ? closes", row: box.row + box.height - 2, column: box.column + 2, style: CellStyle(dim: true))
        case .confirmQuit:
            let box = modal(width: 56, height: 6, in: &grid, title: "Quit?", ascii: !model.unicode)
            let waiting = model.waitingCount
            grid.put("Runs are still active\(waiting > 0 ? "; \(waiting) wait for approval" : "").", row: box.row + 1, column: box.column + 2, limit: box.width - 4)
            grid.put("Waiting runs are paused and their checkpoints saved.", row: box.row + 2, column: box.column + 2, limit: box.width - 4)
            grid.put("y quit   n stay", row: box.row + 4, column: box.column + 2, style: CellStyle(bold: true))
        case .mermaid(let workflow, let text):
            let lines = text.split(separator: "\n").map(String.init)
            let box = modal(width: grid.width - 4, height: min(grid.height - 2, lines.count + 4), in: &grid, title: "Mermaid: \(workflow)", ascii: !model.unicode)
            for (index, line) in lines.enumerated() where index < box.height - 3 {
                grid.put(line, row: box.row + 1 + index, column: box.column + 2, limit: box.width - 4)
            }
            grid.put("s save to \(workflow).mmd   Esc close", row: box.row + box.height - 2, column: box.column + 2, style: CellStyle(dim: true))
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
