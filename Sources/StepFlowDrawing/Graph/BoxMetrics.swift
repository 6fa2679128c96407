/// The size of every object at one level of label clipping: box widths, the
/// text inside each box, where each edge leaves a box, and how far each route
/// label reaches to the right of its edge.
///
/// A box is three rows high: border, text, border. Edges leave through the
/// bottom border, left to right in the order of their lower ends; a route
/// label is written one column right of its edge, in the row under the box, so
/// ports are spaced to keep labels apart.
struct BoxMetrics {
    /// Each object's width in columns (1 for a dummy).
    private(set) var width: [Int]
    /// The text inside each node's box (empty for dummies).
    private(set) var content: [String]
    /// The width of `content`.
    private(set) var contentWidth: [Int]
    /// Each segment's column within its upper object's box.
    private(set) var exitOffset: [Int]
    /// The route label written beside a segment (the top segment of a route edge).
    private(set) var label: [String?]
    /// The width of each segment's label, 0 without one.
    private(set) var labelWidth: [Int]
    /// Each object's rightmost used column, relative to its left edge: its box or its last label.
    private(set) var extent: [Int]
    /// Each object's leftmost exit column (0 without exits).
    private(set) var firstExit: [Int]
    /// The number of segments entering each object from above.
    private(set) var entryCount: [Int]
    /// Whether any label was clipped.
    private(set) var clipped = false

    /// Columns between a label and the edge it belongs to.
    static let labelGap = 2

    init(
        input: DrawingInput, graph: LayeredGraph, ordering: LayerOrdering,
        maxLabelWidth: Int?, maxRouteWidth: Int?
    ) {
        let objects = graph.objectCount
        width = [Int](repeating: 1, count: objects)
        content = [String](repeating: "", count: input.nodes.count)
        contentWidth = [Int](repeating: 0, count: input.nodes.count)
        exitOffset = [Int](repeating: 0, count: graph.segmentCount)
        label = [String?](repeating: nil, count: graph.segmentCount)
        labelWidth = [Int](repeating: 0, count: graph.segmentCount)
        extent = [Int](repeating: 0, count: objects)
        firstExit = [Int](repeating: 0, count: objects)
        entryCount = [Int](repeating: 0, count: objects)
        let glyphs = input.glyphs

        // Route labels sit beside the top segment of their edge.
        for (position, edge) in input.edges.enumerated() {
            guard let text = edge.label else { continue }
            let segment = Int(graph.edgeFirstSegment[position])
            var shown = text
            if let maxRouteWidth, DisplayWidth.width(of: text) > maxRouteWidth {
                shown = DisplayWidth.clip(text, toWidth: maxRouteWidth, ellipsis: glyphs.ellipsis)
                clipped = true
            }
            label[segment] = shown
            labelWidth[segment] = DisplayWidth.width(of: shown)
        }

        var exits: [(Int32, Int32, Int32)] = []
        for object in 0..<objects {
            entryCount[object] = Int(graph.upStart[object + 1] - graph.upStart[object])
            let node = Int(graph.nodeOf[object])
            // Exits, left to right by where they lead.
            exits.removeAll(keepingCapacity: true)
            for slot in Int(graph.downStart[object])..<Int(graph.downStart[object + 1]) {
                let segment = graph.downSegments[slot]
                exits.append(
                    (ordering.position[Int(graph.segmentLower[Int(segment)])], graph.segmentEdge[Int(segment)], segment)
                )
            }
            if exits.count > 1 { exits.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 } }
            guard node >= 0 else {
                // A dummy: one column, the edge passes straight through.
                extent[object] = 0
                continue
            }
            var relative: [Int] = []
            relative.reserveCapacity(exits.count)
            var cursor = 0
            for index in exits.indices {
                if index > 0 {
                    let previous = Int(exits[index - 1].2)
                    cursor += labelWidth[previous] > 0 ? labelWidth[previous] + Self.labelGap + 1 : 2
                }
                relative.append(cursor)
            }
            let span = relative.last ?? 0
            // Ports keep one border column clear at each end: `└─┬──┬─┘`.
            let frameWidth = max(exits.count > 1 ? span + 5 : 0, 2 * entryCount[object] + 1, 5)
            // A box made wide by its edges shows as much of its name as fits in it.
            let nodeInfo = input.nodes[node]
            let markers = (nodeInfo.status == nil ? 0 : 2) + (nodeInfo.requiresApproval ? 2 : 0)
            let cap = maxLabelWidth.map { max($0, frameWidth - 4 - markers) }
            let text = Self.content(of: nodeInfo, maxLabelWidth: cap, glyphs: glyphs, clipped: &clipped)
            content[node] = text
            contentWidth[node] = DisplayWidth.width(of: text)
            let boxWidth = max(contentWidth[node] + 4, frameWidth)
            width[object] = boxWidth
            let start = (boxWidth - 1 - span) / 2
            var reach = boxWidth - 1
            for (index, exit) in exits.enumerated() {
                let segment = Int(exit.2)
                exitOffset[segment] = start + relative[index]
                if labelWidth[segment] > 0 {
                    reach = max(reach, exitOffset[segment] + Self.labelGap + labelWidth[segment] - 1)
                }
            }
            extent[object] = reach
            firstExit[object] = exits.isEmpty ? 0 : start
        }
    }

    /// Makes a box wider by `left` columns on its left and `right` on its right;
    /// its ports keep their columns (the box's left edge moves left by `left`).
    mutating func widen(_ object: Int, left: Int, right: Int, graph: LayeredGraph) {
        width[object] += left + right
        extent[object] = max(extent[object] + left, width[object] - 1)
        for slot in Int(graph.downStart[object])..<Int(graph.downStart[object + 1]) {
            exitOffset[Int(graph.downSegments[slot])] += left
        }
        if graph.downStart[object] < graph.downStart[object + 1] { firstExit[object] += left }
    }

    /// Puts `glyph` in place of the status glyph a node's text starts with.
    ///
    /// Every status glyph is one column, so no size changes: a layout is painted
    /// again with new statuses without being laid out again.
    mutating func showStatus(_ glyph: Unicode.Scalar, node: Int) {
        var text = String(glyph)
        text.unicodeScalars.append(contentsOf: content[node].unicodeScalars.dropFirst())
        content[node] = text
    }

    /// `[status ]label[ approval]`, the label clipped to `maxLabelWidth`.
    static func content(
        of node: DrawingInput.Node, maxLabelWidth: Int?, glyphs: GlyphTable, clipped: inout Bool
    ) -> String {
        var label = node.label
        if let maxLabelWidth, DisplayWidth.width(of: label) > maxLabelWidth {
            label = DisplayWidth.clip(label, toWidth: maxLabelWidth, ellipsis: glyphs.ellipsis)
            clipped = true
        }
        var text = ""
        if let status = node.status {
            text.unicodeScalars.append(glyphs.status(status))
            text += " "
        }
        text += label
        if node.requiresApproval {
            text += " "
            text.unicodeScalars.append(glyphs.approval)
        }
        return text
    }
}
