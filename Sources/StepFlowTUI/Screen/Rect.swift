/// A rectangle of cells on the screen: where a widget may draw.
///
/// Sizes are never negative: cutting more rows or columns than a rectangle has
/// gives an empty one, so layout arithmetic on a small terminal cannot trap.
public struct Rect: Hashable, Sendable {
    /// The top row.
    public var row: Int
    /// The leftmost column.
    public var column: Int
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// Creates a rectangle; a negative size counts as zero.
    public init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The row just below the rectangle.
    public var bottom: Int { row + height }
    /// The column just right of the rectangle.
    public var right: Int { column + width }
    /// Whether it holds no cell.
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// Whether the cell at (`row`, `column`) is inside.
    public func contains(row: Int, column: Int) -> Bool {
        row >= self.row && row < bottom && column >= self.column && column < right
    }

    /// The rectangle shrunk by `margin` cells on every side (inside a box border: 1).
    public func inset(by margin: Int) -> Rect {
        inset(rows: margin, columns: margin)
    }

    /// The rectangle shrunk by `rows` at the top and bottom and `columns` at each side.
    public func inset(rows: Int, columns: Int) -> Rect {
        Rect(row: row + rows, column: column + columns, width: width - 2 * columns, height: height - 2 * rows)
    }

    /// The first `count` rows, and the rows below them.
    public func divided(atRow count: Int) -> (top: Rect, bottom: Rect) {
        let count = min(max(0, count), height)
        return (
            Rect(row: row, column: column, width: width, height: count),
            Rect(row: row + count, column: column, width: width, height: height - count)
        )
    }

    /// The first `count` columns, and the columns right of them.
    public func divided(atColumn count: Int) -> (left: Rect, right: Rect) {
        let count = min(max(0, count), width)
        return (
            Rect(row: row, column: column, width: count, height: height),
            Rect(row: row, column: column + count, width: width - count, height: height)
        )
    }

    /// The part inside `other` (empty when they do not overlap): a rectangle clamped to the grid.
    public func clamped(to other: Rect) -> Rect {
        let top = max(row, other.row)
        let left = max(column, other.column)
        return Rect(
            row: top, column: left, width: min(right, other.right) - left, height: min(bottom, other.bottom) - top)
    }

    /// A rectangle of at most `width` × `height` centred in this one (a dialog).
    public func centered(width: Int, height: Int) -> Rect {
        let w = min(width, self.width)
        let h = min(height, self.height)
        return Rect(row: row + (self.height - h) / 2, column: column + (self.width - w) / 2, width: w, height: h)
    }
}
