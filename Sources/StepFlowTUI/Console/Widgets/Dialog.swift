/// The frame every dialog shares: a cleared, bordered box with a bold title,
/// centred in its area and kept one cell clear of the area's edges.
enum Dialog {
    /// Draws the frame of a dialog of at most `width` × `height` and returns its box.
    static func frame(width: Int, height: Int, title: String, ascii: Bool, in area: Rect, into grid: inout CellGrid)
        -> Rect
    {
        let box = area.centered(width: min(width, area.width - 2), height: min(height, area.height - 2))
        grid.fill(box)
        grid.box(box, title: title, style: CellStyle(bold: true), ascii: ascii)
        return box
    }
}
