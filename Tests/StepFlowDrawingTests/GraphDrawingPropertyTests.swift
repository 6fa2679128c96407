import Foundation
import StepFlow
import StepFlowTestSupport
import Testing

@testable import StepFlowDrawing

// Property checks over 200 generated forward-only workflow graphs of 2 to 60
// steps: each drawing is read back from its characters (EdgeTracer) rather than
// from the layout's own numbers.

@Suite("GraphDrawing: properties of 200 generated graphs")
struct GraphDrawingPropertyTests {
    /// The graphs: seeds 1...200, sizes spread over 2...60, some with short skips only.
    static let graphs: [(seed: UInt64, graph: WorkflowGraph)] = (UInt64(1)...200).map { seed in
        var random = SeededGenerator(seed: seed &* 7919)
        let steps = Int.random(in: 2...60, using: &random)
        let routeChance = [0.2, 0.35, 0.6][Int(seed % 3)]
        let maxSkip: Int? = seed % 4 == 0 ? 3 : nil
        return (seed, randomDrawingGraph(steps: steps, seed: seed, routeChance: routeChance, maxSkip: maxSkip))
    }

    @Test(
        "full size: boxes apart, every edge traced from its source's box to its target's, every route key beside its own edge"
    )
    func fullSize() throws {
        var failures = 0
        for (seed, graph) in Self.graphs {
            let drawing = GraphDrawing(graph)
            #expect(drawing.style == .layered)
            let problems = try checkLayeredDrawing(graph, drawing)
            if !problems.isEmpty {
                failures += 1
                Issue.record(
                    "seed \(seed) (\(graph.nodes.count) nodes): \(problems.prefix(5))\n\(drawing.lines.joined(separator: "\n"))"
                )
            }
            if failures >= 3 { return }
        }
    }

    @Test("with a width: never wider, and still traceable (layered or clipped) or fully listed (compact)")
    func fitted() throws {
        var random = SeededGenerator(seed: 424_242)
        var styles: [GraphDrawing.Style: Int] = [:]
        var failures = 0
        for (seed, graph) in Self.graphs {
            let width = Int.random(in: 20...120, using: &random)
            let glyphs: GraphGlyphs = seed % 5 == 0 ? .ascii : .unicode
            let drawing = GraphDrawing(graph, options: .init(width: width, glyphs: glyphs))
            styles[drawing.style, default: 0] += 1
            let tooWide = drawing.lines.filter { DisplayWidth.width(of: $0) > width }
            #expect(tooWide.isEmpty, "seed \(seed) width \(width): \(tooWide.prefix(2))")
            #expect(drawing.width <= width)
            guard glyphs == .unicode else { continue }
            let problems =
                drawing.style == .compact
                ? checkCompactDrawing(graph, drawing)
                : try checkLayeredDrawing(graph, drawing)
            if !problems.isEmpty {
                failures += 1
                Issue.record(
                    "seed \(seed) width \(width) \(drawing.style): \(problems.prefix(5))\n\(drawing.lines.joined(separator: "\n"))"
                )
            }
            if failures >= 3 { return }
        }
        // The sample exercises every way of fitting.
        #expect(styles[.layered, default: 0] > 0)
        #expect(styles[.clipped, default: 0] > 0)
        #expect(styles[.compact, default: 0] > 0)
    }

    @Test("the sample reaches the rare routing case: turn-order rules in a cycle, broken by a dogleg")
    func samplesIncludeDoglegs() {
        var doglegs = 0
        for (_, graph) in Self.graphs {
            let input = DrawingInput(graph: graph, options: .init())
            let layered = LayeredGraph(input)
            let ordering = LayerOrdering(layered)
            var metrics = BoxMetrics(
                input: input, graph: layered, ordering: ordering, maxLabelWidth: nil, maxRouteWidth: nil)
            let placement = HorizontalPlacement(graph: layered, ordering: ordering, metrics: &metrics)
            let routing = EdgeRouting(graph: layered, ordering: ordering, metrics: metrics, x: placement.x)
            doglegs += routing.jogRow.filter { $0 >= 0 }.count
        }
        #expect(doglegs > 0)
    }

    @Test("ASCII draws the same picture as Unicode, character for character")
    func asciiMatchesUnicode() {
        let allowed: [Character: Set<Character>] = [
            "│": ["|", "(", ")"], "─": ["-"], "┌": ["+"], "┐": ["+"], "└": ["+"], "┘": ["+"], "┼": ["+"],
            "┬": ["+"], "┴": ["+"], "├": ["+"], "┤": ["+"], "╤": ["+"], "╧": ["+"],
            "▼": ["v"], "▲": ["^"], "╭": ["."], "╮": ["."], "╰": ["'"], "╯": ["'"], "⚑": ["?"],
        ]
        for (seed, graph) in Self.graphs.prefix(60) {
            let unicode = GraphDrawing.render(graph)
            let ascii = GraphDrawing.render(graph, options: .init(glyphs: .ascii))
            #expect(unicode.count == ascii.count)
            for (u, a) in zip(unicode, ascii) {
                let same = u.count == a.count && zip(u, a).allSatisfy { $0 == $1 || allowed[$0]?.contains($1) == true }
                #expect(same, "seed \(seed):\n\(u)\n\(a)")
                if !same { return }
            }
        }
    }

    @Test("statuses never move a box, and every step shows its status glyph")
    func statusesOverlay() {
        let statuses = StepStatus.allCases
        for (seed, graph) in Self.graphs.prefix(40) {
            var assigned: [String: StepStatus] = [:]
            for (index, node) in graph.nodes.enumerated() where node.kind == .step {
                assigned[node.id] = statuses[(index + Int(seed)) % statuses.count]
            }
            let plain = GraphDrawing(graph, options: .init(statuses: [:]))
            let live = GraphDrawing(graph, options: .init(statuses: assigned, highlighted: graph.nodes.first?.id))
            #expect(plain.frames == live.frames, "seed \(seed)")
            let grid = DrawnGrid(live.lines)
            for (id, status) in assigned {
                let frame = live.frames[id]!
                let inside = grid.text(row: frame.row + 1, from: frame.column + 1)
                #expect(
                    inside.drop { $0 == " " }.first == GraphGlyphs.unicode.symbol(for: status), "seed \(seed) \(id)")
            }
        }
    }
}
