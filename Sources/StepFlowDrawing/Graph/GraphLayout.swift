import StepFlow

/// A graph laid out for one width and glyph set, ready to be painted with any
/// statuses and highlighted step.
///
/// Drawing a graph has two stages. Laying it out (layers, order within each
/// layer, box sizes, columns, edge lanes, and how far names must be clipped to
/// fit the width) is the costly one, and depends only on the graph, the width,
/// the glyphs and whether statuses are shown at all. Painting puts each step's
/// status glyph and the highlighted step's double border on that layout. A
/// console that redraws a run many times a second lays the graph out once and
/// paints it each frame:
///
/// ```swift
/// let layout = GraphLayout(graph, width: 60)
/// let lines = layout.drawing(statuses: ["step_0": .running], highlighted: "step_0").lines
/// ```
///
/// `GraphDrawing(graph, options:)` is the two stages in one call, so a painted
/// layout is exactly the drawing made from the same options.
package struct GraphLayout: Sendable {
    /// The width asked for, if any.
    package let width: Int?
    /// The glyphs the layout is measured in.
    package let glyphs: GraphGlyphs
    /// Whether the boxes have room for a status glyph.
    package let showsStatuses: Bool

    /// The graph with every step pending and none highlighted: sizes do not depend on either.
    private let input: DrawingInput
    private let stage: Stage

    private enum Stage: Sendable {
        /// Layers that fit, at one clipping level.
        case layered(Layered)
        /// Nothing in layers fits: the compact list, cheap enough to redo whole at paint time.
        case compact(width: Int)
    }

    private struct Layered: Sendable {
        let graph: LayeredGraph
        let metrics: BoxMetrics
        let x: [Int]
        let routing: EdgeRouting
        let painter: LayeredPainter
        let clipped: Bool
    }

    /// Clipping levels tried in turn when the drawing is too wide:
    /// the longest step name and the longest route key, in columns.
    private static let clipLevels: [(Int?, Int?)] = [
        (nil, nil), (32, 16), (24, 12), (20, 10), (16, 8), (16, 6), (12, 6), (8, 6),
    ]

    /// Lays `graph` out for `width` columns (`nil`: the full drawing) in `glyphs`,
    /// with room for status glyphs when `showsStatuses` is true.
    package init(_ graph: WorkflowGraph, width: Int? = nil, glyphs: GraphGlyphs = .unicode, showsStatuses: Bool = true)
    {
        self.width = width
        self.glyphs = glyphs
        self.showsStatuses = showsStatuses
        let input = DrawingInput(
            graph: graph, options: .init(width: width, glyphs: glyphs, statuses: showsStatuses ? [:] : nil))
        self.input = input
        let limit = width.map { max($0, GraphDrawing.minimumWidth) }
        let layered = LayeredGraph(input)
        let ordering = LayerOrdering(layered)
        for (level, caps) in Self.clipLevels.enumerated() {
            var metrics = BoxMetrics(
                input: input, graph: layered, ordering: ordering, maxLabelWidth: caps.0, maxRouteWidth: caps.1)
            // A level that clips nothing draws what the previous level drew.
            if level > 0 && !metrics.clipped { continue }
            // Skip the work when even packing each layer tight cannot fit.
            if let limit, HorizontalPlacement.packedWidth(graph: layered, ordering: ordering, metrics: metrics) > limit
            {
                continue
            }
            let placement = HorizontalPlacement(graph: layered, ordering: ordering, metrics: &metrics)
            let routing = EdgeRouting(graph: layered, ordering: ordering, metrics: metrics, x: placement.x)
            if let limit, routing.width > limit { continue }
            stage = .layered(
                Layered(
                    graph: layered, metrics: metrics, x: placement.x, routing: routing,
                    painter: LayeredPainter(routing: routing, layerCount: layered.layerCount), clipped: level > 0))
            return
        }
        stage = .compact(width: limit ?? GraphDrawing.minimumWidth)
    }

    /// The drawing with each step's status (a step missing from `statuses` is
    /// pending) and `highlighted` drawn with a double border.
    ///
    /// Statuses are drawn only when the layout ``showsStatuses``.
    package func drawing(statuses: [String: StepStatus] = [:], highlighted: String? = nil) -> GraphDrawing {
        let painted = input.painted(statuses: showsStatuses ? statuses : nil, highlighted: highlighted)
        switch stage {
        case .layered(let layout):
            var metrics = layout.metrics
            if showsStatuses {
                for (index, node) in painted.nodes.enumerated() {
                    if let status = node.status { metrics.showStatus(painted.glyphs.status(status), node: index) }
                }
            }
            let result = layout.painter.paint(
                input: painted, graph: layout.graph, metrics: metrics, x: layout.x, routing: layout.routing)
            return GraphDrawing(
                lines: result.lines, width: layout.routing.width, style: layout.clipped ? .clipped : .layered,
                frames: result.frames)
        case .compact(let width):
            let compact = CompactDrawing(input: painted, width: width)
            let drawn = compact.lines.reduce(0) { max($0, DisplayWidth.width(of: $1)) }
            return GraphDrawing(lines: compact.lines, width: drawn, style: .compact, frames: compact.frames)
        }
    }
}

extension DrawingInput {
    /// The same input with statuses (`nil`: none shown) and a highlighted step;
    /// labels and edges are kept, so nothing is sanitised or resolved again.
    func painted(statuses: [String: StepStatus]?, highlighted: String?) -> DrawingInput {
        var copy = self
        copy.nodes = nodes.map { node in
            DrawingInput.Node(
                id: node.id, label: node.label, isEnd: node.isEnd, requiresApproval: node.requiresApproval,
                status: node.isEnd ? nil : statuses.map { $0[node.id] ?? .pending },
                highlighted: highlighted == node.id)
        }
        return copy
    }
}
