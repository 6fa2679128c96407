/// Paints a routed layered layout onto a ``CharacterCanvas``: edges first, then
/// the boxes over them, then ports, arrowheads and route labels.
struct LayeredPainter {
    /// The first row of each layer.
    let layerTop: [Int]
    let height: Int

    init(routing: EdgeRouting, layerCount: Int) {
        var tops: [Int] = []
        tops.reserveCapacity(layerCount)
        var row = 0
        for layer in 0..<layerCount {
            tops.append(row)
            row += NodeBox.height + (layer < routing.gapHeight.count ? routing.gapHeight[layer] : 0)
        }
        layerTop = tops
        height = layerCount > 0 ? row : 0
    }

    func paint(
        input: DrawingInput, graph: LayeredGraph, metrics: BoxMetrics, x: [Int], routing: EdgeRouting
    ) -> (lines: [String], frames: [String: GraphDrawing.Frame]) {
        var canvas = CharacterCanvas(width: routing.width, height: height)
        var points: [(Int, Int)] = []
        for (position, edge) in input.edges.enumerated() {
            let first = Int(graph.edgeFirstSegment[position])
            let count = Int(graph.edgeSegmentCount[position])
            points.removeAll(keepingCapacity: true)
            let upperLayer = Int(graph.layerOf[edge.upper])
            points.append((routing.exitColumn[first], layerTop[upperLayer] + NodeBox.height - 1))
            for segment in first..<(first + count) {
                let gapTop = layerTop[Int(graph.layerOf[Int(graph.segmentUpper[segment])])] + NodeBox.height
                let exit = routing.exitColumn[segment]
                let entry = routing.entryColumn[segment]
                if routing.jogRow[segment] >= 0 {
                    let jog = routing.jogColumn[segment]
                    points.append((exit, gapTop + routing.jogRow[segment]))
                    points.append((jog, gapTop + routing.jogRow[segment]))
                    points.append((jog, gapTop + routing.trackRow[segment]))
                    points.append((entry, gapTop + routing.trackRow[segment]))
                } else if routing.trackRow[segment] >= 0 {
                    points.append((exit, gapTop + routing.trackRow[segment]))
                    points.append((entry, gapTop + routing.trackRow[segment]))
                }
            }
            let last = first + count - 1
            points.append((routing.entryColumn[last], layerTop[Int(graph.layerOf[edge.lower])]))
            for index in 1..<points.count {
                let (x0, y0) = points[index - 1]
                let (x1, y1) = points[index]
                if x0 == x1 {
                    canvas.drawVertical(column: x0, from: y0, to: y1)
                } else {
                    canvas.drawHorizontal(row: y0, from: x0, to: x1)
                }
            }
        }

        var frames: [String: GraphDrawing.Frame] = [:]
        frames.reserveCapacity(input.nodes.count)
        for (index, node) in input.nodes.enumerated() {
            let top = layerTop[Int(graph.layerOf[index])]
            let box = NodeBox(
                row: top, column: x[index], width: metrics.width[index], content: metrics.content[index],
                contentWidth: metrics.contentWidth[index], glyphs: NodeBox.glyphs(for: node, table: input.glyphs))
            box.draw(on: &canvas)
            if frames[node.id] == nil {
                frames[node.id] = GraphDrawing.Frame(
                    row: top, column: x[index], width: box.width, height: NodeBox.height)
            }
        }

        // Ports and arrowheads on the borders, then the route labels.
        for (position, edge) in input.edges.enumerated() {
            let first = Int(graph.edgeFirstSegment[position])
            let last = first + Int(graph.edgeSegmentCount[position]) - 1
            let upperGlyphs = NodeBox.glyphs(for: input.nodes[edge.upper], table: input.glyphs)
            let lowerGlyphs = NodeBox.glyphs(for: input.nodes[edge.lower], table: input.glyphs)
            let upperRow = layerTop[Int(graph.layerOf[edge.upper])] + NodeBox.height - 1
            let lowerRow = layerTop[Int(graph.layerOf[edge.lower])]
            canvas.put(
                edge.reversed ? input.glyphs.arrowUp : upperGlyphs.portDown, row: upperRow,
                column: routing.exitColumn[first])
            canvas.put(
                edge.reversed ? lowerGlyphs.portUp : input.glyphs.arrowDown, row: lowerRow,
                column: routing.entryColumn[last])
            if let label = metrics.label[first] {
                canvas.write(label, row: upperRow + 1, column: routing.exitColumn[first] + BoxMetrics.labelGap)
            }
        }
        return (canvas.lines(glyphs: input.glyphs), frames)
    }
}
