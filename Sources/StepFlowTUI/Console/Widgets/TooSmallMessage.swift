import StepFlow
import StepFlowDrawing

/// What the screen says below the smallest size the console draws in.
struct TooSmallMessage: Widget {
    let minimumWidth: Int
    let minimumHeight: Int

    func draw(into grid: inout CellGrid, area: Rect) {
        let message = "terminal too small (need \(minimumWidth)×\(minimumHeight))"
        let column = area.column + max(0, (area.width - DisplayWidth.width(of: message)) / 2)
        grid.put(message, row: area.row + area.height / 2, column: column)
    }
}
