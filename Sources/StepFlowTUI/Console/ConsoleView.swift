import StepFlow
import StepFlowDrawing

/// Draws the model into a cell grid: immediate mode, the whole screen each frame.
///
/// This file is the layout: it cuts the screen into rectangles and hands each
/// to a widget (`Console/Widgets/`), which draws only inside it.
package enum ConsoleView {
    /// The model as a grid of its size.
    package static func render(_ model: ConsoleModel) -> CellGrid {
        render(model, graphLayouts: .shared)
    }

    /// The model as a grid, with graph layouts taken from `graphLayouts`.
    static func render(_ model: ConsoleModel, graphLayouts: GraphLayoutCache) -> CellGrid {
        var grid = CellGrid(width: model.width, height: model.height)
        let screen = grid.bounds
        guard model.width >= ConsoleModel.minimumWidth, model.height >= ConsoleModel.minimumHeight else {
            TooSmallMessage(minimumWidth: ConsoleModel.minimumWidth, minimumHeight: ConsoleModel.minimumHeight)
                .render(into: &grid, area: screen)
            return grid
        }
        let theme = Theme(model)
        // A header row; the body; a notice row and the key bar at the bottom.
        let (header, belowHeader) = screen.divided(atRow: 1)
        let (body, bottom) = belowHeader.divided(atRow: belowHeader.height - 2)
        let (notice, footer) = bottom.divided(atRow: 1)

        Header(model: model, theme: theme).render(into: &grid, area: header)
        switch model.screen {
        case .home:
            home(model, theme, in: body, into: &grid)
        case .run(let key):
            if let run = model.run(key) { runView(run, model, theme, graphLayouts, in: body, into: &grid) }
        }
        if let text = model.notice { NoticeLine(text: text).render(into: &grid, area: notice) }
        KeyBar(entries: KeyHelp.bar(for: model), theme: theme).render(into: &grid, area: footer)

        // Dialogs, over everything else, centred on the whole screen; their key hints come from the key maps.
        let keys = KeyHelp.hint(for: model)
        if let editor = model.editor {
            let name =
                model.catalog.indices.contains(editor.catalogIndex) ? model.catalog[editor.catalogIndex].name : ""
            StateEditorDialog(editor: editor, workflowName: name, theme: theme, keys: keys).render(
                into: &grid, area: screen)
        }
        if let prompt = model.prompt, let run = model.run(prompt.runKey), let request = run.waiting {
            ApprovalDialog(
                prompt: prompt, request: request, pendingCount: run.pendingApprovals.count, theme: theme, keys: keys
            )
            .render(into: &grid, area: screen)
        }
        switch model.overlay {
        case .help:
            HelpOverlay(entries: KeyHelp.all(for: model), theme: theme, keys: keys).render(into: &grid, area: screen)
        case .confirmQuit:
            QuitDialog(waitingCount: model.waitingCount, theme: theme, keys: keys).render(into: &grid, area: screen)
        case .mermaid(let workflow, let text):
            MermaidOverlay(workflow: workflow, text: text, theme: theme, keys: keys).render(into: &grid, area: screen)
        case nil: break
        }
        return grid
    }

    /// The catalog on top (at most half the body, less when it is short), the session's runs below.
    private static func home(_ model: ConsoleModel, _ theme: Theme, in body: Rect, into grid: inout CellGrid) {
        let (catalog, runs) = body.divided(atRow: min(model.catalog.count + 2, body.height / 2 + 2))
        CatalogList(
            catalog: model.catalog, selection: model.catalogSelection, focused: model.homeFocus == .catalog,
            theme: theme
        )
        .render(into: &grid, area: catalog)
        guard runs.height >= 3 else { return }
        RunList(runs: model.runs, selection: model.runSelection, focused: model.homeFocus == .runs, theme: theme)
            .render(into: &grid, area: runs)
    }

    /// Steps on the left, the graph (or the state, while focused) on the right, the event log below.
    private static func runView(
        _ run: RunView, _ model: ConsoleModel, _ theme: Theme, _ graphLayouts: GraphLayoutCache,
        in body: Rect, into grid: inout CellGrid
    ) {
        let (panes, log) = body.divided(atRow: body.height - max(4, body.height / 3))
        let (steps, right) = panes.divided(atColumn: body.width * 9 / 20)
        StepList(run: run, focused: model.runFocus == .steps, now: model.now, theme: theme).render(
            into: &grid, area: steps)
        if model.runFocus == .state {
            StateInspector(run: run, theme: theme).render(into: &grid, area: right)
        } else {
            GraphPane(
                graph: model.catalog[run.catalogIndex].graph, run: run, focused: model.runFocus == .graph,
                theme: theme, layouts: graphLayouts
            )
            .render(into: &grid, area: right)
        }
        EventLog(run: run, focused: model.runFocus == .log, theme: theme).render(into: &grid, area: log)
    }
}
