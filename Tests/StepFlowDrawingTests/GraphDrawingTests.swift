import Foundation
import StepFlow
import StepFlowDrawing
import StepFlowTestSupport
import Testing

// Issue 4: workflow graphs drawn in the terminal. Golden drawings live in
// Golden/; re-record them with STEPFLOW_RECORD_GOLDENS=1 and read each one
// before committing it.

enum DrawingSamples {
    static let linear = drawingGraph(
        "refund-workflow",
        [
            DrawingStep("check_order"), DrawingStep("verify_policy"), DrawingStep("generate_response"),
        ])

    static let branchingRefund = drawingGraph(
        "branching-refund",
        [
            DrawingStep(
                "evaluate_refund",
                routes: [
                    ("auto_approve", "issue_refund"), ("review", "manual_review"), ("deny", "END"),
                ]),
            DrawingStep("manual_review", routes: [("approve", "issue_refund"), ("reject", "END")]),
            DrawingStep("issue_refund"),
            DrawingStep("notify_customer"),
        ])

    static let threeRoutes = drawingGraph(
        "support-triage",
        [
            DrawingStep(
                "classify_ticket",
                routes: [
                    ("billing", "billing_queue"), ("technical", "technical_queue"), ("spam", "END"),
                ]),
            DrawingStep("billing_queue", routes: [("done", "send_reply")]),
            DrawingStep("technical_queue"),
            DrawingStep("send_reply"),
        ])

    static let approvals = drawingGraph(
        "payout-approvals",
        [
            DrawingStep("prepare_payout"),
            DrawingStep(
                "manager_approval", routes: [("approved", "finance_approval"), ("rejected", "END")], approval: true),
            DrawingStep("finance_approval", approval: true),
            DrawingStep("pay_out"),
        ])

    static let diamond = drawingGraph(
        "diamond",
        [
            DrawingStep("start", routes: [("fast", "fast_path"), ("slow", "slow_path")]),
            DrawingStep("fast_path", routes: [("done", "merge_results")]),
            DrawingStep("slow_path"),
            DrawingStep("merge_results"),
        ])

    static let skip = drawingGraph(
        "skip-ahead",
        [
            DrawingStep("triage", routes: [("urgent", "resolve"), ("normal", "gather_details")]),
            DrawingStep("gather_details"),
            DrawingStep("reproduce"),
            DrawingStep("diagnose"),
            DrawingStep("write_fix"),
            DrawingStep("resolve"),
        ])

    static let wideNames = drawingGraph(
        "wide-names",
        [
            DrawingStep(
                "validate_the_customer_shipping_address_against_the_carrier_database_before_dispatch",
                routes: [("ok", "注文を確認する"), ("住所が無効", "END")]),
            DrawingStep("注文を確認する", approval: true),
            DrawingStep("cafe\u{301}_cre\u{300}me"),
            DrawingStep("배송_완료"),
        ])

    static let statusGraph = drawingGraph(
        "status-overlay",
        [
            DrawingStep("load_order"), DrawingStep("charge_card"), DrawingStep("send_gift"),
            DrawingStep("approve_refund", approval: true), DrawingStep("issue_refund"), DrawingStep("notify"),
        ])

    static let statuses: [String: StepStatus] = [
        "step_0": .succeeded, "step_1": .failed, "step_2": .skipped,
        "step_3": .paused, "step_4": .running, "step_5": .pending,
    ]
}

@Suite("GraphDrawing: golden drawings")
struct GraphDrawingGoldenTests {
    private func draw(_ graph: WorkflowGraph, _ options: GraphDrawing.Options = .init()) -> [String] {
        GraphDrawing.render(graph, options: options)
    }

    @Test("a linear workflow")
    func linear() throws {
        expectGolden(draw(DrawingSamples.linear), named: "linear")
    }

    @Test("the branching refund, in Unicode and ASCII")
    func branchingRefund() throws {
        expectGolden(draw(DrawingSamples.branchingRefund), named: "branching-refund")
        expectGolden(draw(DrawingSamples.branchingRefund, .init(glyphs: .ascii)), named: "branching-refund-ascii")
    }

    @Test("a step with three routes, one of them to END")
    func threeRoutes() throws {
        expectGolden(draw(DrawingSamples.threeRoutes), named: "three-routes")
    }

    @Test("approval-gated steps carry the approval marker")
    func approvals() throws {
        expectGolden(draw(DrawingSamples.approvals), named: "approval-gates")
        expectGolden(draw(DrawingSamples.approvals, .init(glyphs: .ascii)), named: "approval-gates-ascii")
    }

    @Test("a diamond: two routes that meet again")
    func diamond() throws {
        expectGolden(draw(DrawingSamples.diamond), named: "diamond")
    }

    @Test("a route that skips over several layers runs in its own lane")
    func skip() throws {
        expectGolden(draw(DrawingSamples.skip), named: "skip-layers")
    }

    @Test("long and wide (CJK) names, full size and clipped to 60 columns")
    func wideNames() throws {
        expectGolden(draw(DrawingSamples.wideNames), named: "wide-names")
        expectGolden(draw(DrawingSamples.wideNames, .init(width: 60)), named: "wide-names-width-60")
        expectGolden(draw(DrawingSamples.wideNames, .init(width: 60, glyphs: .ascii)), named: "wide-names-ascii")
    }

    @Test("a generated 50-step graph")
    func generated() throws {
        expectGolden(draw(randomDrawingGraph(steps: 50, seed: 50)), named: "generated-50")
    }

    @Test("statuses and a highlighted step, in Unicode and ASCII")
    func statusOverlay() throws {
        let options = GraphDrawing.Options(statuses: DrawingSamples.statuses, highlighted: "step_4")
        expectGolden(draw(DrawingSamples.statusGraph, options), named: "status-overlay")
        var ascii = options
        ascii.glyphs = .ascii
        expectGolden(draw(DrawingSamples.statusGraph, ascii), named: "status-overlay-ascii")
    }

    @Test("the branching refund degrades: clipped route keys at 28 columns, a compact list at 24")
    func narrow() throws {
        let clipped = GraphDrawing(DrawingSamples.branchingRefund, options: .init(width: 28))
        #expect(clipped.style == .clipped)
        expectGolden(clipped.lines, named: "branching-refund-width-28")
        let compact = GraphDrawing(
            DrawingSamples.branchingRefund, options: .init(width: 24, statuses: [:], highlighted: "step_1"))
        #expect(compact.style == .compact)
        expectGolden(compact.lines, named: "branching-refund-width-24")
    }
}

@Suite("GraphDrawing: behaviour")
struct GraphDrawingBehaviourTests {
    @Test("every golden sample traces cleanly: edges connect, labels sit beside their own edge")
    func samplesTrace() throws {
        let samples = [
            DrawingSamples.linear, DrawingSamples.branchingRefund, DrawingSamples.threeRoutes,
            DrawingSamples.approvals, DrawingSamples.diamond, DrawingSamples.skip, DrawingSamples.wideNames,
            randomDrawingGraph(steps: 50, seed: 50),
        ]
        for graph in samples {
            let drawing = GraphDrawing(graph)
            #expect(drawing.style == .layered)
            #expect(try checkLayeredDrawing(graph, drawing) == [], "\(graph.workflowName)")
        }
    }

    @Test("each status shows its own glyph inside its step's box", arguments: GraphGlyphs.allCases)
    func statusGlyphs(glyphs: GraphGlyphs) {
        let drawing = GraphDrawing(
            DrawingSamples.statusGraph, options: .init(glyphs: glyphs, statuses: DrawingSamples.statuses))
        let grid = DrawnGrid(drawing.lines)
        for (id, status) in DrawingSamples.statuses {
            let frame = drawing.frames[id]!
            let inside = String(
                grid.cells[frame.row + 1][(frame.column + 1)..<(frame.column + frame.width - 1)].compactMap { $0 })
            let first = inside.first { $0 != " " }
            #expect(first == glyphs.symbol(for: status), "\(id) \(status): '\(inside)'")
        }
        // The six glyphs differ, so no status is told apart by colour alone.
        #expect(Set(StepStatus.allCases.map { glyphs.symbol(for: $0) }).count == StepStatus.allCases.count)
    }

    @Test("a step missing from the statuses is shown as pending")
    func missingStatusIsPending() {
        let drawing = GraphDrawing(DrawingSamples.linear, options: .init(statuses: ["step_0": .running]))
        #expect(drawing.lines[1].contains("▶ check_order"))
        #expect(drawing.lines.contains { $0.contains("· verify_policy") })
    }

    @Test("status changes do not move anything: the console can redraw in place")
    func statusesKeepLayout() {
        let graph = DrawingSamples.branchingRefund
        let before = GraphDrawing(graph, options: .init(statuses: [:]))
        let after = GraphDrawing(
            graph, options: .init(statuses: ["step_0": .succeeded, "step_1": .running], highlighted: "step_1"))
        #expect(before.frames == after.frames)
        #expect(before.lines.map { DisplayWidth.width(of: $0) } == after.lines.map { DisplayWidth.width(of: $0) })
    }

    @Test("the highlighted step has a double border (ASCII: #)")
    func highlighted() {
        let unicode = GraphDrawing(DrawingSamples.linear, options: .init(highlighted: "step_1"))
        let frame = unicode.frames["step_1"]!
        let grid = DrawnGrid(unicode.lines)
        #expect(grid[frame.row, frame.column] == "╔")
        #expect(grid[frame.row + 2, frame.column + frame.width - 1] == "╝")
        #expect(unicode.lines.filter { $0.contains("╔") }.count == 1)
        let ascii = GraphDrawing(DrawingSamples.linear, options: .init(glyphs: .ascii, highlighted: "step_1"))
        #expect(DrawnGrid(ascii.lines)[frame.row + 1, frame.column] == "#")
    }

    @Test("END is a round box on the last layer, alone")
    func endNode() {
        let drawing = GraphDrawing(DrawingSamples.branchingRefund)
        let end = drawing.frames["end_0"]!
        let middle = DrawnGrid(drawing.lines).text(row: end.row + 1, from: end.column)
        #expect(middle.hasPrefix("│ ") && middle.hasSuffix(" │"))
        #expect(middle.dropFirst().dropLast().trimmingCharacters(in: .whitespaces) == "END")
        #expect(DrawnGrid(drawing.lines)[end.row, end.column] == "╭")
        #expect(drawing.frames.values.allSatisfy { $0 == end || $0.row < end.row })
    }

    @Test("the same graph always gives the same text")
    func deterministic() {
        for seed in UInt64(1)...5 {
            let graph = randomDrawingGraph(steps: 40, seed: seed)
            #expect(GraphDrawing.render(graph) == GraphDrawing.render(graph))
        }
    }

    @Test("ASCII output has no byte above 127, even for CJK names and escapes in names")
    func asciiOnly() {
        let graph = drawingGraph(
            "names",
            [
                DrawingStep("注文\u{1B}[31m", routes: [("承認", "END"), ("ok", "次")]), DrawingStep("次"),
            ])
        for width in [nil, 30] {
            let text = GraphDrawing.render(graph, options: .init(width: width, glyphs: .ascii)).joined(separator: "\n")
            #expect(text.utf8.allSatisfy { $0 < 0x80 }, "\(text)")
            #expect(text.contains("\\u{6CE8}"))
        }
    }

    @Test("untrusted names never reach the terminal raw: escapes and bidi overrides are shown visibly")
    func sanitised() {
        let graph = drawingGraph(
            "evil",
            [
                DrawingStep("a\u{1B}]0;pwned\u{7}", routes: [("x\u{202E}y", "b")]), DrawingStep("b"),
            ])
        let text = GraphDrawing.render(graph).joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { VisibleText.needsEscape($0) && $0 != "\n" })
        #expect(text.contains("a\\e]0;pwned\\u{7}"))
    }

    @Test("wider than the space: clipped first, then compact, never wider than asked")
    func degradation() {
        let graph = DrawingSamples.branchingRefund
        let full = GraphDrawing(graph)
        #expect(full.style == .layered)
        #expect(GraphDrawing(graph, options: .init(width: full.width)).lines == full.lines)
        var styles: [GraphDrawing.Style] = []
        for width in stride(from: full.width, through: 16, by: -1) {
            let drawing = GraphDrawing(graph, options: .init(width: width))
            #expect(drawing.lines.allSatisfy { DisplayWidth.width(of: $0) <= width }, "width \(width)")
            if styles.last != drawing.style { styles.append(drawing.style) }
        }
        #expect(styles == [.layered, .clipped, .compact])
    }

    @Test("clipped labels end in an ellipsis and keep their box's markers")
    func clippedMarkers() {
        let drawing = GraphDrawing(DrawingSamples.wideNames, options: .init(width: 60, statuses: [:]))
        #expect(drawing.style == .clipped)
        #expect(drawing.lines.contains { $0.contains("· validate_the_customer") && $0.contains("…") })
        #expect(drawing.lines.contains { $0.contains("注文を確認する ⚑") })
    }

    @Test("an empty graph draws nothing; a lone step draws one box")
    func tiny() {
        #expect(GraphDrawing.render(WorkflowGraph(workflowName: "empty", nodes: [], edges: [])) == [])
        let one = GraphDrawing.render(drawingGraph("one", [DrawingStep("only")]))
        #expect(one == ["┌──────┐", "│ only │", "└──────┘"])
    }

    @Test("hand-made graphs with unknown ids, loops and backward edges still draw")
    func oddGraphs() throws {
        let nodes = (0..<3).map { WorkflowGraph.Node(id: "step_\($0)", label: "step_number_\($0)", kind: .step) }
        let graph = WorkflowGraph(
            workflowName: "odd", nodes: nodes,
            edges: [
                .init(source: "step_0", target: "step_1", kind: .linear),
                .init(source: "step_2", target: "step_0", kind: .route, routeKey: "back"),
                .init(source: "step_1", target: "step_1", kind: .route, routeKey: "self"),
                .init(source: "step_1", target: "nowhere", kind: .linear),
            ])
        let drawing = GraphDrawing(graph)
        #expect(drawing.lines.contains { $0.contains("▲") })
        #expect(drawing.lines.contains { $0.contains("back") })
        let compact = GraphDrawing(graph, options: .init(width: 16))
        #expect(compact.style == .compact)
        #expect(compact.lines.contains { $0.contains("self─▶ ") })
        #expect(compact.lines.allSatisfy { DisplayWidth.width(of: $0) <= 16 })
    }

    @Test("the locale decides the glyphs: UTF-8 draws Unicode, anything else ASCII")
    func preferredGlyphs() {
        #expect(GraphGlyphs.preferred(environment: ["LANG": "en_US.UTF-8"]) == .unicode)
        #expect(GraphGlyphs.preferred(environment: ["LC_ALL": "de_DE.utf8", "LANG": "C"]) == .unicode)
        #expect(GraphGlyphs.preferred(environment: ["LC_ALL": "C", "LANG": "en_US.UTF-8"]) == .ascii)
        #expect(GraphGlyphs.preferred(environment: ["LC_ALL": "", "LC_CTYPE": "C.UTF-8"]) == .unicode)
        #expect(GraphGlyphs.preferred(environment: ["LANG": "POSIX"]) == .ascii)
        #expect(GraphGlyphs.preferred(environment: [:]) == .ascii)
    }

    @Test("the legend names every status and the approval marker")
    func legend() {
        #expect(
            GraphGlyphs.unicode.legend
                == "· pending  ▶ running  ✓ succeeded  ✗ failed  – skipped  ‖ paused  ⚑ needs approval")
        #expect(GraphGlyphs.ascii.legend.utf8.allSatisfy { $0 < 0x80 })
    }
}

@Suite("DisplayWidth")
struct DisplayWidthTests {
    @Test("ASCII is one column a character; CJK, Hangul and fullwidth forms are two")
    func wide() {
        #expect(DisplayWidth.width(of: "refund") == 6)
        #expect(DisplayWidth.width(of: "注文を確認する") == 14)
        #expect(DisplayWidth.width(of: "배송") == 4)
        #expect(DisplayWidth.width(of: "ＡＢ") == 4)
        #expect(DisplayWidth.width(of: "📦") == 2)
    }

    @Test("combining marks and zero-width characters take no column of their own")
    func zero() {
        #expect(DisplayWidth.width(of: "cafe\u{301}") == 4)
        #expect(DisplayWidth.width(of: "a\u{200B}b") == 2)
        #expect(DisplayWidth.width(of: "👩\u{200D}💻") == 2)
        #expect(DisplayWidth.width(of: Character("e\u{301}")) == 1)
        #expect(DisplayWidth.width(of: "\u{1100}\u{1161}\u{11A8}") == 2)
    }

    @Test("box-drawing and status glyphs are one column")
    func glyphs() {
        for glyph in "│─┌┐└┘┼╔═╗║╚╝╭╮╰╯▼▲▶·✓✗–‖⚑…" {
            #expect(DisplayWidth.width(of: glyph) == 1, "\(glyph)")
        }
    }

    @Test("clipping cuts by columns, never splits a wide character, and marks the cut")
    func clip() {
        #expect(DisplayWidth.clip("evaluate_refund", toWidth: 8) == "evaluat…")
        #expect(DisplayWidth.clip("evaluate_refund", toWidth: 15) == "evaluate_refund")
        #expect(DisplayWidth.clip("注文を確認する", toWidth: 6) == "注文…")
        #expect(DisplayWidth.width(of: DisplayWidth.clip("注文を確認する", toWidth: 6)) == 5)
        #expect(DisplayWidth.clip("cafe\u{301}_creme", toWidth: 5) == "cafe\u{301}…")
        #expect(DisplayWidth.clip("abcdef", toWidth: 4, ellipsis: "...") == "a...")
        #expect(DisplayWidth.clip("abcdef", toWidth: 1) == "…")
        #expect(DisplayWidth.clip("abcdef", toWidth: 0) == "")
        #expect(DisplayWidth.pad("注", toWidth: 4) == "注  ")
    }
}
