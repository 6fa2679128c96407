/// A part of the console screen that draws itself into a rectangle of the grid.
///
/// A widget is a plain value built from the model for one frame; it keeps no
/// state between frames. It implements ``draw(into:area:)``; callers use
/// ``render(into:area:)``, which clips, so nothing a widget draws can land
/// outside the area it was given.
protocol Widget {
    /// Draws the widget inside `area`.
    func draw(into grid: inout CellGrid, area: Rect)
}

extension Widget {
    /// Draws the widget inside `area`; whatever it draws outside is dropped.
    func render(into grid: inout CellGrid, area: Rect) {
        grid.withClip(area) { draw(into: &$0, area: area) }
    }
}
