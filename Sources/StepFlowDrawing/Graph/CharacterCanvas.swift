/// A grid of terminal cells that boxes, lines and text are painted onto, then
/// turned into lines of text.
///
/// A cell holds nothing, a line mask (joined with any line already there, so
/// crossings and corners come out right), or one grapheme. A wide grapheme
/// takes its cell and a continuation cell to its right. Cells are 32-bit codes
/// in one flat array, so painting a 2000-step graph stays cheap.
struct CharacterCanvas {
    let width: Int
    let height: Int
    private var cells: [UInt32]
    /// Graphemes of more than one scalar, referenced from cells by index.
    private var clusters: [String] = []

    private static let blank: UInt32 = 0
    private static let continuation: UInt32 = 0xFFFF_FFFF
    private static let lineTag: UInt32 = 0x8000_0000
    private static let clusterTag: UInt32 = 0x4000_0000

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = [UInt32](repeating: Self.blank, count: self.width * self.height)
    }

    /// Adds line directions to a cell (ignored outside the canvas or over text).
    mutating func addLine(_ mask: UInt8, row: Int, column: Int) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        let index = row * width + column
        let cell = cells[index]
        if cell == Self.blank {
            cells[index] = Self.lineTag | UInt32(mask)
        } else if cell & Self.lineTag != 0 && cell != Self.continuation {
            cells[index] = cell | UInt32(mask)
        }
    }

    /// A vertical line from `top` to `bottom` (inclusive) in `column`.
    mutating func drawVertical(column: Int, from top: Int, to bottom: Int) {
        let (low, high) = top <= bottom ? (top, bottom) : (bottom, top)
        guard low < high else { return }
        addLine(LineMask.down, row: low, column: column)
        var row = low + 1
        while row < high {
            addLine(LineMask.up | LineMask.down, row: row, column: column)
            row += 1
        }
        addLine(LineMask.up, row: high, column: column)
    }

    /// A horizontal line from `left` to `right` (inclusive) in `row`.
    mutating func drawHorizontal(row: Int, from left: Int, to right: Int) {
        let (low, high) = left <= right ? (left, right) : (right, left)
        guard low < high else { return }
        addLine(LineMask.right, row: row, column: low)
        var column = low + 1
        while column < high {
            addLine(LineMask.left | LineMask.right, row: row, column: column)
            column += 1
        }
        addLine(LineMask.left, row: row, column: high)
    }

    /// Puts one single-column scalar in a cell, replacing what was there.
    mutating func put(_ scalar: Unicode.Scalar, row: Int, column: Int) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        cells[row * width + column] = scalar.value
    }

    /// Writes text measured with ``DisplayWidth`` from `column`, cutting it at
    /// `limit` (exclusive); returns the column after the text.
    @discardableResult
    mutating func write(_ text: String, row: Int, column: Int, limit: Int? = nil) -> Int {
        guard row >= 0, row < height else { return column }
        let end = min(limit ?? width, width)
        var x = column
        for character in text {
            let scalars = character.unicodeScalars
            let columns = DisplayWidth.width(of: character)
            if columns == 0 {
                // A lone zero-width cluster joins the grapheme before it.
                appendToPrevious(character, row: row, column: x)
                continue
            }
            if x + columns > end { break }
            if x >= 0 {
                let index = row * width + x
                if scalars.count == 1, let scalar = scalars.first {
                    cells[index] = scalar.value
                } else {
                    cells[index] = Self.clusterTag | UInt32(clusters.count)
                    clusters.append(String(character))
                }
                if columns == 2 { cells[index + 1] = Self.continuation }
            }
            x += columns
        }
        return x
    }

    private mutating func appendToPrevious(_ character: Character, row: Int, column: Int) {
        var x = column - 1
        while x >= 0 && cells[row * width + x] == Self.continuation { x -= 1 }
        guard x >= 0 else { return }
        let index = row * width + x
        let cell = cells[index]
        if cell & Self.lineTag != 0 || cell == Self.blank { return }
        if cell & Self.clusterTag != 0 {
            clusters[Int(cell & ~Self.clusterTag)].append(character)
        } else if let scalar = Unicode.Scalar(cell) {
            cells[index] = Self.clusterTag | UInt32(clusters.count)
            clusters.append(String(Character(scalar)) + String(character))
        }
    }

    /// The canvas as lines, trailing blanks removed, lines drawn with `glyphs`.
    func lines(glyphs: GlyphTable) -> [String] {
        // Each line glyph's UTF-8 bytes, four slots per mask, the length in the fourth.
        var lineBytes = [UInt8](repeating: 0, count: 64)
        for mask in 0..<16 {
            let bytes = Self.utf8(glyphs.line(UInt8(mask)))
            for (index, byte) in bytes.enumerated() { lineBytes[mask * 4 + index] = byte }
            lineBytes[mask * 4 + 3] = UInt8(bytes.count)
        }
        var result: [String] = []
        result.reserveCapacity(height)
        // At most 4 bytes a cell, plus whatever multi-scalar graphemes need.
        let capacity = width * 4 + clusters.reduce(0) { $0 + $1.utf8.count }
        var scratch = [UInt8](repeating: 0, count: max(1, capacity))
        cells.withUnsafeBufferPointer { cells in
            lineBytes.withUnsafeBufferPointer { lineBytes in
                scratch.withUnsafeMutableBufferPointer { bytes in
                    for row in 0..<height {
                        let base = row * width
                        var count = 0
                        var lastVisible = 0
                        for column in 0..<width {
                            let cell = cells[base + column]
                            if cell == Self.blank {
                                bytes[count] = 0x20
                                count += 1
                                continue
                            }
                            if cell < 0x80 {
                                bytes[count] = UInt8(truncatingIfNeeded: cell)
                                count += 1
                            } else if cell == Self.continuation {
                                continue
                            } else if cell & Self.lineTag != 0 {
                                let slot = Int(cell & 15) * 4
                                for index in 0..<Int(lineBytes[slot + 3]) {
                                    bytes[count] = lineBytes[slot + index]
                                    count += 1
                                }
                            } else if cell & Self.clusterTag != 0 {
                                for byte in clusters[Int(cell & ~Self.clusterTag)].utf8 {
                                    bytes[count] = byte
                                    count += 1
                                }
                            } else {
                                count = Self.writeUTF8(cell, to: bytes, at: count)
                            }
                            lastVisible = count
                        }
                        result.append(
                            String(decoding: UnsafeBufferPointer(rebasing: bytes[..<lastVisible]), as: UTF8.self))
                    }
                }
            }
        }
        return result
    }

    private static func utf8(_ scalar: Unicode.Scalar) -> [UInt8] {
        Array(String(Character(scalar)).utf8)
    }

    /// Writes a scalar's UTF-8 bytes at `index`; returns the index after them.
    private static func writeUTF8(_ value: UInt32, to bytes: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        switch value {
        case 0..<0x80:
            bytes[index] = UInt8(value)
            return index + 1
        case 0x80..<0x800:
            bytes[index] = UInt8(0xC0 | (value >> 6))
            bytes[index + 1] = UInt8(0x80 | (value & 0x3F))
            return index + 2
        case 0x800..<0x10000:
            bytes[index] = UInt8(0xE0 | (value >> 12))
            bytes[index + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
            bytes[index + 2] = UInt8(0x80 | (value & 0x3F))
            return index + 3
        default:
            bytes[index] = UInt8(0xF0 | (value >> 18))
            bytes[index + 1] = UInt8(0x80 | ((value >> 12) & 0x3F))
            bytes[index + 2] = UInt8(0x80 | ((value >> 6) & 0x3F))
            bytes[index + 3] = UInt8(0x80 | (value & 0x3F))
            return index + 4
        }
    }
}
