import StepFlow

/// A graph made ready to draw: labels sanitised (and escaped to ASCII when the
/// glyphs are ASCII), edges resolved to node indexes, and each edge's drawing
/// direction fixed.
struct DrawingInput {
    struct Node {
        let id: String
        /// The safe text to show.
        let label: String
        let isEnd: Bool
        let requiresApproval: Bool
        /// The status glyph to show, when the drawing shows statuses.
        let status: StepStatus?
        let highlighted: Bool
    }

    struct Edge {
        /// Index in the graph's edge list.
        let index: Int
        let source: Int
        let target: Int
        /// The safe route key, if the edge has one.
        let label: String?
        /// The upper end of the drawn line (the source, unless the edge points back).
        let upper: Int
        let lower: Int
        /// Whether the arrowhead is at the upper end (an edge that points back up).
        var reversed: Bool { upper != source }
    }

    /// Statuses and the highlight change per paint (``GraphLayout``); nothing else does.
    var nodes: [Node]
    /// Drawable edges: both ends known, not a loop to itself.
    let edges: [Edge]
    /// Edges that cannot be drawn in layers (a step routing to itself, END to END);
    /// valid workflows have none.
    let loops: [Edge]
    let glyphs: GlyphTable

    init(graph: WorkflowGraph, options: GraphDrawing.Options) {
        let glyphs = options.glyphs.table
        self.glyphs = glyphs
        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(graph.nodes.count)
        var nodes: [Node] = []
        nodes.reserveCapacity(graph.nodes.count)
        for (index, node) in graph.nodes.enumerated() {
            if indexByID[node.id] == nil { indexByID[node.id] = index }
            let isEnd = node.kind == .end
            let status: StepStatus? = isEnd ? nil : options.statuses.map { $0[node.id] ?? .pending }
            nodes.append(
                Node(
                    id: node.id, label: Self.safe(node.label, glyphs: glyphs), isEnd: isEnd,
                    requiresApproval: node.requiresApproval && !isEnd, status: status,
                    highlighted: options.highlighted == node.id))
        }
        var edges: [Edge] = []
        var loops: [Edge] = []
        edges.reserveCapacity(graph.edges.count)
        for (index, edge) in graph.edges.enumerated() {
            guard let source = indexByID[edge.source], let target = indexByID[edge.target] else { continue }
            let label = edge.routeKey.map { Self.safe($0, glyphs: glyphs) }
            // An edge points forward when it goes to a later step or to END.
            let forward = nodes[target].isEnd ? !nodes[source].isEnd : (!nodes[source].isEnd && target > source)
            let (upper, lower) = forward ? (source, target) : (target, source)
            let resolved = Edge(index: index, source: source, target: target, label: label, upper: upper, lower: lower)
            if source == target || (nodes[source].isEnd && nodes[target].isEnd) {
                loops.append(resolved)
            } else {
                edges.append(resolved)
            }
        }
        self.nodes = nodes
        self.edges = edges
        self.loops = loops
    }

    /// Untrusted text made safe to draw: controls made visible, and in ASCII
    /// every other scalar above 127 written as `\u{XXXX}`.
    static func safe(_ text: String, glyphs: GlyphTable) -> String {
        let visible = VisibleText.sanitize(text)
        guard glyphs.asciiOnly, visible.utf8.contains(where: { $0 >= 0x80 }) else { return visible }
        var output = ""
        for scalar in visible.unicodeScalars {
            if scalar.isASCII {
                output.unicodeScalars.append(scalar)
            } else {
                output += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return output
    }
}
