/// Draws one node's box: three rows, border glyphs chosen by kind (step, END,
/// highlighted step), the text centred on the middle row.
struct NodeBox {
    let row: Int
    let column: Int
    let width: Int
    let content: String
    let contentWidth: Int
    let glyphs: BoxGlyphs

    static let height = 3

    /// The border glyphs for a node.
    static func glyphs(for node: DrawingInput.Node, table: GlyphTable) -> BoxGlyphs {
        node.highlighted ? table.highlighted : node.isEnd ? table.end : table.plain
    }

    func draw(on canvas: inout CharacterCanvas) {
        let right = column + width - 1
        let bottom = row + 2
        canvas.put(glyphs.topLeft, row: row, column: column)
        canvas.put(glyphs.topRight, row: row, column: right)
        canvas.put(glyphs.bottomLeft, row: bottom, column: column)
        canvas.put(glyphs.bottomRight, row: bottom, column: right)
        var x = column + 1
        while x < right {
            canvas.put(glyphs.horizontal, row: row, column: x)
            canvas.put(" ", row: row + 1, column: x)
            canvas.put(glyphs.horizontal, row: bottom, column: x)
            x += 1
        }
        canvas.put(glyphs.left, row: row + 1, column: column)
        canvas.put(glyphs.right, row: row + 1, column: right)
        let start = column + max(1, (width - contentWidth) / 2)
        canvas.write(content, row: row + 1, column: start, limit: right)
    }
}
