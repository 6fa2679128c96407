import StepFlow

/// A workflow graph drawn in text for a terminal: boxes in layers top to bottom,
/// edges with arrowheads, route edges labelled with their route keys.
///
/// ```swift
/// let graph = definition.graph()
/// for line in GraphDrawing.render(graph, options: .init(width: 100)) {
///     print(line)
/// }
/// ```
///
/// Each step is a box; a step that needs an approval shows a marker after its
/// name; END is a round box alone on the last layer. Edges leave a box through
/// its bottom border and enter the next through its top border (`▼`); a route
/// edge's key is written beside it just under the box it leaves. An edge that
/// skips layers runs down a lane of its own; edges never pass through a box and
/// labels never overlap. The same graph and options always give the same text.
///
/// With ``Options/statuses``, every step's box shows its status as a glyph (see
/// ``GraphGlyphs``), and ``Options/highlighted`` draws one box with a double
/// border, so a console can redraw the graph as a run progresses; the layout
/// does not move when statuses change.
///
/// When a width is given and the full drawing is wider, it degrades in steps:
/// names and route keys are clipped (marked `…`) to shorter and shorter lengths,
/// and if that is not enough, the graph is drawn as a compact list of boxes,
/// each followed by its routes. Without a width, the full drawing is returned,
/// to be scrolled.
package struct GraphDrawing: Sendable, Hashable {
    /// How to draw a graph.
    package struct Options: Sendable, Hashable {
        /// The columns available, or `nil` for the full drawing (to scroll it).
        ///
        /// Widths below ``GraphDrawing/minimumWidth`` are treated as that minimum.
        package var width: Int?
        /// Unicode box drawing or plain ASCII.
        package var glyphs: GraphGlyphs
        /// Each step's status by node id, or `nil` to draw no statuses.
        ///
        /// When set, every step's box has a status glyph; a step missing from the
        /// dictionary is shown as pending.
        package var statuses: [String: StepStatus]?
        /// The node id of the step to draw with a double (ASCII: `#`) border.
        package var highlighted: String?

        /// Creates options; the defaults draw the full graph in Unicode with no statuses.
        package init(
            width: Int? = nil, glyphs: GraphGlyphs = .unicode,
            statuses: [String: StepStatus]? = nil, highlighted: String? = nil
        ) {
            self.width = width
            self.glyphs = glyphs
            self.statuses = statuses
            self.highlighted = highlighted
        }
    }

    /// How a drawing was fitted into its width.
    package enum Style: String, Sendable, Hashable {
        /// Layers, every name in full.
        case layered
        /// Layers, with some names or route keys clipped.
        case clipped
        /// A compact list of boxes and routes, top to bottom.
        case compact
    }

    /// Where a node's box is in the drawing, in rows and display columns from the top left.
    package struct Frame: Sendable, Hashable {
        /// The box's top row.
        package let row: Int
        /// The box's leftmost column.
        package let column: Int
        /// The box's width in columns.
        package let width: Int
        /// The box's height in rows.
        package let height: Int

        /// Creates a frame.
        package init(row: Int, column: Int, width: Int, height: Int) {
            self.row = row
            self.column = column
            self.width = width
            self.height = height
        }
    }

    /// The narrowest width a drawing is fitted into.
    package static let minimumWidth = 16

    /// The drawing, one string per row, trailing blanks removed.
    package let lines: [String]
    /// The drawing's width in display columns: no line is wider.
    package let width: Int
    /// How the drawing was fitted into the width.
    package let style: Style
    /// Each node's box by node id, so a viewer can scroll a step into view.
    package let frames: [String: Frame]

    /// Draws `graph` with `options`: lays it out (see ``GraphLayout``), then paints it.
    package init(_ graph: WorkflowGraph, options: Options = Options()) {
        let layout = GraphLayout(
            graph, width: options.width, glyphs: options.glyphs, showsStatuses: options.statuses != nil)
        self = layout.drawing(statuses: options.statuses ?? [:], highlighted: options.highlighted)
    }

    init(lines: [String], width: Int, style: Style, frames: [String: Frame]) {
        self.lines = lines
        self.width = width
        self.style = style
        self.frames = frames
    }

    /// The lines of `graph` drawn with `options`.
    package static func render(_ graph: WorkflowGraph, options: Options = Options()) -> [String] {
        GraphDrawing(graph, options: options).lines
    }
}
