import StepFlow
import StepFlowDrawing

/// How a cell looks: emphasis and an optional colour.
///
/// Status is never shown by colour alone; colour only adds to a glyph or word.
public struct CellStyle: Hashable, Sendable {
    /// Bold text.
    public var bold = false
    /// Reverse video (selection, in monochrome too).
    public var reverse = false
    /// Dimmed text.
    public var dim = false
    /// A colour, dropped in monochrome.
    public var color: CellColor?

    /// Creates a style.
    public init(bold: Bool = false, reverse: Bool = false, dim: Bool = false, color: CellColor? = nil) {
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.color = color
    }

    /// No emphasis, no colour.
    public static let plain = CellStyle()
}

/// The few colours the console uses.
public enum CellColor: Int, Hashable, Sendable, CaseIterable {
    /// Failures.
    case red = 1
    /// Successes.
    case green
    /// Waiting and retries.
    case yellow
    /// Running.
    case cyan
    /// Headers.
    case blue
}

/// One terminal cell: a grapheme (or empty, for the right half of a wide one).
public struct Cell: Hashable, Sendable {
    /// The text drawn in the cell; empty for the second column of a wide character.
    public var text: String
    /// The cell's style.
    public var style: CellStyle

    /// A blank cell.
    public static let blank = Cell(text: " ", style: .plain)
}

/// An in-memory screen: the view draws here, a backend flushes it to a terminal.
///
/// Every string drawn is sanitised and measured in display columns, so wide
/// characters take two cells and control characters never reach the terminal.
/// Drawing lands only inside the current clip (the whole grid, or a widget's
/// area while it draws, see ``withClip(_:_:)``); cells outside it are left alone.
public struct CellGrid: Hashable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Cells, row by row.
    public private(set) var cells: [Cell]
    /// Where drawing lands; the whole grid except while a widget draws.
    public private(set) var clip: Rect

    /// A blank grid.
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
        clip = Rect(row: 0, column: 0, width: self.width, height: self.height)
    }

    /// The whole grid as a rectangle.
    public var bounds: Rect { Rect(row: 0, column: 0, width: width, height: height) }

    /// The cell at a position.
    public subscript(row: Int, column: Int) -> Cell {
        cells[row * width + column]
    }

    /// Runs `draw` with drawing confined to `area` (and to the current clip), then
    /// restores the clip: a widget cannot touch a cell outside the area it was given.
    public mutating func withClip(_ area: Rect, _ draw: (inout CellGrid) -> Void) {
        let saved = clip
        clip = area.clamped(to: saved)
        draw(&self)
        clip = saved
    }

    /// Draws `text` from (`row`, `column`), clipped to `limit` columns (default: to the edge of the clip).
    ///
    /// A clipped text ends with `…`. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, row: Int, column: Int, style: CellStyle = .plain, limit: Int? = nil) -> Int
    {
        guard row >= clip.row, row < clip.bottom, column >= clip.column, column < clip.right else { return 0 }
        let room = min(limit ?? (clip.right - column), clip.right - column)
        guard room > 0 else { return 0 }
        let safe = VisibleText.sanitize(text)
        let clipped = DisplayWidth.width(of: safe) > room ? DisplayWidth.clip(safe, toWidth: room) : safe
        var x = column
        for character in clipped {
            let w = DisplayWidth.width(of: character)
            guard w > 0 else { continue }
            guard x + w <= column + room else { break }
            cells[row * width + x] = Cell(text: String(character), style: style)
            if w == 2 { cells[row * width + x + 1] = Cell(text: "", style: style) }
            x += w
        }
        return x - column
    }

    /// Paints a rectangle with spaces in `style`.
    public mutating func fill(row: Int, column: Int, width w: Int, height h: Int, style: CellStyle = .plain) {
        fill(Rect(row: row, column: column, width: w, height: h), style: style)
    }

    /// Paints `area` with spaces in `style`.
    public mutating func fill(_ area: Rect, style: CellStyle = .plain) {
        let inside = area.clamped(to: clip)
        guard !inside.isEmpty else { return }
        for y in inside.row..<inside.bottom {
            for x in inside.column..<inside.right {
                cells[y * width + x] = Cell(text: " ", style: style)
            }
        }
    }

    /// Draws a single-line box border.
    public mutating func box(
        row: Int, column: Int, width w: Int, height h: Int, title: String? = nil, style: CellStyle = .plain,
        ascii: Bool = false
    ) {
        box(Rect(row: row, column: column, width: w, height: h), title: title, style: style, ascii: ascii)
    }

    /// Draws a single-line border around the edge of `area`, with `title` in its top side.
    public mutating func box(_ area: Rect, title: String? = nil, style: CellStyle = .plain, ascii: Bool = false) {
        let (row, column, w, h) = (area.row, area.column, area.width, area.height)
        guard w >= 2, h >= 2 else { return }
        let (horizontal, vertical, corners) =
            ascii ? ("-", "|", ["+", "+", "+", "+"]) : ("─", "│", ["┌", "┐", "└", "┘"])
        put(
            corners[0] + String(repeating: horizontal, count: w - 2) + corners[1], row: row, column: column,
            style: style)
        for y in row + 1..<row + h - 1 {
            put(vertical, row: y, column: column, style: style)
            put(vertical, row: y, column: column + w - 1, style: style)
        }
        put(
            corners[2] + String(repeating: horizontal, count: w - 2) + corners[3], row: row + h - 1, column: column,
            style: style)
        if let title, w > 4 {
            put(" \(title) ", row: row, column: column + 2, style: CellStyle(bold: true), limit: w - 4)
        }
    }

    /// The grid's text, one string per row, trailing spaces removed (for tests and goldens).
    public var lines: [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width { line += self[row, column].text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
