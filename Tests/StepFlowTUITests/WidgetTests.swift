import Foundation
import Testing

@testable import StepFlow
@testable import StepFlowTUI

@Suite("Rect")
struct RectTests {
    @Test("dividing keeps every row and column, and never makes a negative size")
    func divide() {
        let area = Rect(row: 2, column: 3, width: 20, height: 10)
        let (top, bottom) = area.divided(atRow: 4)
        #expect(top == Rect(row: 2, column: 3, width: 20, height: 4))
        #expect(bottom == Rect(row: 6, column: 3, width: 20, height: 6))
        let (left, right) = area.divided(atColumn: 25)
        #expect(left == area)
        #expect(right.isEmpty && right.column == area.right)
        #expect(area.divided(atRow: -3).top.isEmpty)
        #expect(Rect(row: 0, column: 0, width: -4, height: 3).width == 0)
    }

    @Test("inset, clamp and centre")
    func insetClampCentre() {
        let area = Rect(row: 1, column: 1, width: 10, height: 6)
        #expect(area.inset(by: 1) == Rect(row: 2, column: 2, width: 8, height: 4))
        #expect(area.inset(rows: 1, columns: 2) == Rect(row: 2, column: 3, width: 6, height: 4))
        #expect(area.inset(by: 4).isEmpty)
        #expect(
            area.clamped(to: Rect(row: 0, column: 5, width: 100, height: 3))
                == Rect(row: 1, column: 5, width: 6, height: 2))
        #expect(area.clamped(to: Rect(row: 50, column: 50, width: 2, height: 2)).isEmpty)
        #expect(area.centered(width: 4, height: 2) == Rect(row: 3, column: 4, width: 4, height: 2))
        #expect(area.centered(width: 40, height: 40) == area)
        #expect(
            area.contains(row: 1, column: 10) && !area.contains(row: 1, column: 11) && !area.contains(row: 7, column: 1)
        )
    }
}

@Suite("Widgets draw only inside their area")
struct WidgetClipTests {
    static let marker = "#"

    /// A grid whose every cell holds the marker.
    static func markedGrid(width: Int = 90, height: Int = 30) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        for row in 0..<height { grid.put(String(repeating: marker, count: width), row: row, column: 0) }
        return grid
    }

    /// One of each widget, fed from a run waiting for approval, with text long enough to run past any area.
    static func widgets() throws -> [(String, any Widget)] {
        var (model, request) = try modelWaitingForApproval()
        send(&model, fraudCheckStarted(for: request))
        let theme = Theme(model)
        let run = model.runs[0]
        let long = String(repeating: "a notice far too long for any pane ", count: 8)
        var editor = StateEditor(catalogIndex: 0, text: model.catalog[0].defaultStateText + "\n" + long)
        editor.row = 1
        let mermaid =
            "flowchart TD\n" + (0..<40).map { "    step_\($0)[\"\(long)\"] --> step_\($0 + 1)" }.joined(separator: "\n")
        let graph = model.catalog[run.catalogIndex].graph
        return [
            ("header", Header(model: model, theme: theme)),
            ("key bar", KeyBar(entries: KeyHelp.all(for: model), theme: theme)),
            ("notice", NoticeLine(text: long)),
            ("catalog", CatalogList(catalog: model.catalog, selection: 2, focused: true, theme: theme)),
            ("runs", RunList(runs: model.runs, selection: 0, focused: true, theme: theme)),
            ("no runs", RunList(runs: [], selection: 0, focused: false, theme: theme)),
            ("steps", StepList(run: run, focused: true, now: model.now, theme: theme)),
            (
                "graph",
                GraphPane(graph: graph, run: run, focused: true, theme: theme, layouts: GraphLayoutCache(capacity: 1))
            ),
            ("events", EventLog(run: run, focused: true, theme: theme)),
            ("state", StateInspector(run: run, theme: theme)),
            (
                "approval",
                ApprovalDialog(
                    prompt: try #require(model.prompt), request: request, pendingCount: 2, theme: theme,
                    keys: KeyHelp.hint(for: model))
            ),
            (
                "editor",
                StateEditorDialog(editor: editor, workflowName: long, theme: theme, keys: KeyHelp.hint(for: model))
            ),
            ("help", HelpOverlay(entries: KeyHelp.all(for: model), theme: theme, keys: KeyHelp.hint(for: model))),
            ("quit", QuitDialog(waitingCount: 1, theme: theme, keys: KeyHelp.hint(for: model))),
            (
                "mermaid",
                MermaidOverlay(workflow: "approval-refund", text: mermaid, theme: theme, keys: KeyHelp.hint(for: model))
            ),
            ("too small", TooSmallMessage(minimumWidth: 60, minimumHeight: 16)),
        ]
    }

    static let areas = [
        Rect(row: 3, column: 5, width: 70, height: 22),
        Rect(row: 10, column: 40, width: 30, height: 6),
        Rect(row: 28, column: 80, width: 20, height: 5),
    ]

    @Test(
        "each widget, rendered into a grid full of markers, draws in its area and leaves every cell outside it alone",
        arguments: areas)
    func clipped(area: Rect) throws {
        for (name, widget) in try Self.widgets() {
            var grid = Self.markedGrid()
            widget.render(into: &grid, area: area)
            let inside = area.clamped(to: grid.bounds)
            var drewInside = false
            for row in 0..<grid.height {
                for column in 0..<grid.width {
                    let changed = grid[row, column].text != Self.marker
                    if inside.contains(row: row, column: column) {
                        drewInside = drewInside || changed
                    } else {
                        #expect(!changed, "\(name) drew at \(row),\(column) outside \(area)")
                    }
                }
            }
            // An area hanging off the grid only has to draw nothing out of place (and not trap).
            #expect(drewInside || inside != area, "\(name) drew nothing in \(area)")
            #expect(grid.clip == grid.bounds, "\(name) left the clip set")
        }
    }

    @Test("the clip is what keeps a widget in: drawn unclipped, a long notice runs past its area")
    func clipIsEnforcement() {
        let area = Rect(row: 3, column: 5, width: 20, height: 1)
        let notice = NoticeLine(text: String(repeating: "long ", count: 20))
        var unclipped = Self.markedGrid()
        notice.draw(into: &unclipped, area: area)
        #expect(unclipped[3, area.right].text != Self.marker)
        var clipped = Self.markedGrid()
        notice.render(into: &clipped, area: area)
        #expect(clipped[3, area.right].text == Self.marker)
        // Clipped at the area's edge, the text still ends in an ellipsis.
        #expect(clipped[3, area.right - 1].text == "…")
    }

    @Test("clips nest: an inner area is cut to the outer one, and each is restored afterwards")
    func nestedClips() {
        var grid = CellGrid(width: 10, height: 4)
        grid.withClip(Rect(row: 0, column: 2, width: 5, height: 4)) { outer in
            outer.withClip(Rect(row: 1, column: 4, width: 20, height: 1)) { inner in
                #expect(inner.clip == Rect(row: 1, column: 4, width: 3, height: 1))
                inner.fill(inner.bounds, style: CellStyle(reverse: true))
                inner.box(inner.bounds)
            }
            #expect(outer.clip == Rect(row: 0, column: 2, width: 5, height: 4))
        }
        #expect(grid.clip == grid.bounds)
        let changed = (0..<4).flatMap { row in (0..<10).filter { grid[row, $0] != .blank }.map { (row, $0) } }
        #expect(changed.map(\.0) == [1, 1, 1] && changed.map(\.1) == [4, 5, 6])
    }
}
