/// The narrow fallback: one box per node, top to bottom in declaration order, each followed by its outgoing edges.
///
/// The edges are written as `├─key─▶ target` lines. An unlabelled edge to the
/// very next box is drawn as an arrow instead.
///
/// It fits any width from ``GraphDrawing/minimumWidth`` up, by clipping names.
struct CompactDrawing {
    let lines: [String]
    let frames: [String: GraphDrawing.Frame]

    init(input: DrawingInput, width: Int) {
        let glyphs = input.glyphs
        let count = input.nodes.count
        var outgoing = [[DrawingInput.Edge]](repeating: [], count: count)
        for edge in (input.edges + input.loops).sorted(by: { $0.index < $1.index }) {
            outgoing[edge.source].append(edge)
        }
        let boxes = input.nodes.map { node -> (String, Int) in
            var clipped = false
            let extras = (node.status == nil ? 0 : 2) + (node.requiresApproval ? 2 : 0)
            let text = BoxMetrics.content(
                of: node, maxLabelWidth: max(1, width - 4 - extras), glyphs: glyphs, clipped: &clipped)
            return (text, DisplayWidth.width(of: text))
        }
        func boxWidth(_ index: Int) -> Int { min(width, max(boxes[index].1 + 4, 5)) }
        func isArrow(_ index: Int) -> Bool {
            outgoing[index].count == 1 && outgoing[index][0].label == nil && outgoing[index][0].target == index + 1
        }

        var height = 0
        for index in 0..<count {
            height += NodeBox.height + (isArrow(index) ? 0 : max(outgoing[index].count, index + 1 < count ? 1 : 0))
        }
        var canvas = CharacterCanvas(width: width, height: height)
        var frames: [String: GraphDrawing.Frame] = [:]
        var row = 0
        var arrowColumn: Int?
        for (index, node) in input.nodes.enumerated() {
            let box = NodeBox(
                row: row, column: 0, width: boxWidth(index), content: boxes[index].0,
                contentWidth: boxes[index].1, glyphs: NodeBox.glyphs(for: node, table: glyphs))
            box.draw(on: &canvas)
            if let column = arrowColumn { canvas.put(glyphs.arrowDown, row: row, column: column) }
            arrowColumn = nil
            if frames[node.id] == nil {
                frames[node.id] = GraphDrawing.Frame(row: row, column: 0, width: box.width, height: NodeBox.height)
            }
            row += NodeBox.height
            let edges = outgoing[index]
            if isArrow(index) {
                let column = min(box.width, boxWidth(index + 1)) / 2
                canvas.put(box.glyphs.portDown, row: row - 1, column: column)
                arrowColumn = column
                continue
            }
            if !edges.isEmpty { canvas.put(box.glyphs.portDown, row: row - 1, column: 1) }
            for (number, edge) in edges.enumerated() {
                let isLast = number == edges.count - 1
                canvas.put(
                    glyphs.line(isLast ? LineMask.up | LineMask.right : LineMask.up | LineMask.down | LineMask.right),
                    row: row, column: 1)
                canvas.put(glyphs.line(LineMask.left | LineMask.right), row: row, column: 2)
                let target = input.nodes[edge.target].label
                let room = max(2, width - 6)
                var column = 3
                if let key = edge.label {
                    let keyWidth = DisplayWidth.width(of: key)
                    let targetWidth = DisplayWidth.width(of: target)
                    let keyRoom = max(1, room - min(targetWidth, max(room / 2, room - keyWidth)))
                    column = canvas.write(
                        DisplayWidth.clip(key, toWidth: keyRoom, ellipsis: glyphs.ellipsis), row: row, column: column)
                }
                canvas.put(glyphs.line(LineMask.left | LineMask.right), row: row, column: column)
                canvas.put(glyphs.arrowRight, row: row, column: column + 1)
                let targetRoom = width - (column + 3)
                canvas.write(
                    DisplayWidth.clip(target, toWidth: targetRoom, ellipsis: glyphs.ellipsis), row: row,
                    column: column + 3)
                row += 1
            }
            if edges.isEmpty && index + 1 < count { row += 1 }
        }
        lines = canvas.lines(glyphs: glyphs)
        self.frames = frames
    }
}
