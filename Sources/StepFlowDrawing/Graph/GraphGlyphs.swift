import StepFlow

/// The characters a graph drawing is made of: Unicode box drawing or plain ASCII.
///
/// Both sets draw the same boxes and lines in the same places; only the characters differ.
///
/// - step box: `┌─┐ │ └─┘`, or `+-+`, `|`, `+-+`
/// - highlighted step: `╔═╗ ║ ╚═╝`, or `#=#`, `#`, `#=#`
/// - END: `╭─╮ │ ╰─╯`, or `.-.`, `( )`, `'-'`
/// - edges: `│ ─ ┌ ┐ └ ┘ ┼`, arrowhead `▼`; or `|`, `-`, `+`, arrowhead `v`
/// - statuses inside a step's box: pending `·` `.`, running `▶` `>`,
///   succeeded `✓` `+`, failed `✗` `x`, skipped `–` `-`, paused `‖` `=`
/// - a step that needs an approval: `⚑` or `?` after its name
/// - clipped text ends in `…` or `...`
///
/// Every Unicode glyph is one column wide. In ASCII, text that is not ASCII
/// (a step named in Japanese, say) is written as `\u{XXXX}` escapes, so the
/// output never holds a byte above 127.
package enum GraphGlyphs: String, Sendable, Hashable, CaseIterable {
    /// Unicode box drawing, for UTF-8 terminals.
    case unicode
    /// Plain 7-bit ASCII, for terminals and logs that cannot show Unicode.
    case ascii

    /// The set the locale can show: Unicode when the locale's character set is
    /// UTF-8, otherwise ASCII.
    ///
    /// The locale is the first non-empty value of `LC_ALL`, `LC_CTYPE` and `LANG`,
    /// as the C library reads it; no locale at all means the C locale (ASCII).
    package static func preferred(environment: [String: String]) -> GraphGlyphs {
        for key in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let value = environment[key], !value.isEmpty else { continue }
            let lowered = value.lowercased()
            return lowered.contains("utf-8") || lowered.contains("utf8") ? .unicode : .ascii
        }
        return .ascii
    }

    /// The glyph drawn inside a step's box for this status.
    package func symbol(for status: StepStatus) -> Character {
        Character(table.status(status))
    }

    /// The glyph drawn after the name of a step that needs an approval.
    package var approvalMarker: Character { Character(table.approval) }

    /// One line explaining every status glyph and the approval marker.
    package var legend: String {
        StepStatus.allCases.map { "\(symbol(for: $0)) \($0.rawValue)" }.joined(separator: "  ")
            + "  \(approvalMarker) needs approval"
    }

    var table: GlyphTable {
        switch self {
        case .unicode: .unicode
        case .ascii: .ascii
        }
    }
}

/// The characters of one glyph set, as the painter uses them.
struct GlyphTable: Sendable {
    /// Line glyphs indexed by a mask of `LineMask` directions.
    let lines: [Unicode.Scalar]
    let plain: BoxGlyphs
    let highlighted: BoxGlyphs
    let end: BoxGlyphs
    /// The arrowhead where an edge enters a box from above.
    let arrowDown: Unicode.Scalar
    /// The arrowhead where an edge drawn upwards enters the box above it.
    let arrowUp: Unicode.Scalar
    /// The arrow in a compact drawing's route lines.
    let arrowRight: Unicode.Scalar
    let ellipsis: String
    let approval: Unicode.Scalar
    let pending, running, succeeded, failed, skipped, paused: Unicode.Scalar
    /// Whether text must be written in ASCII.
    let asciiOnly: Bool

    func status(_ status: StepStatus) -> Unicode.Scalar {
        switch status {
        case .pending: pending
        case .running: running
        case .succeeded: succeeded
        case .failed: failed
        case .skipped: skipped
        case .paused: paused
        }
    }

    /// A line glyph for a set of directions.
    func line(_ mask: UInt8) -> Unicode.Scalar { lines[Int(mask & 15)] }

    static let unicode = GlyphTable(
        lines: makeLines(
            vertical: "│", horizontal: "─", downRight: "┌", downLeft: "┐", upRight: "└", upLeft: "┘",
            teeRight: "├", teeLeft: "┤", teeDown: "┬", teeUp: "┴", cross: "┼"),
        plain: BoxGlyphs(
            topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", horizontal: "─",
            left: "│", right: "│", portDown: "┬", portUp: "┴"),
        highlighted: BoxGlyphs(
            topLeft: "╔", topRight: "╗", bottomLeft: "╚", bottomRight: "╝", horizontal: "═",
            left: "║", right: "║", portDown: "╤", portUp: "╧"),
        end: BoxGlyphs(
            topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯", horizontal: "─",
            left: "│", right: "│", portDown: "┬", portUp: "┴"),
        arrowDown: "▼", arrowUp: "▲", arrowRight: "▶", ellipsis: "…", approval: "⚑",
        pending: "·", running: "▶", succeeded: "✓", failed: "✗", skipped: "–", paused: "‖",
        asciiOnly: false)

    static let ascii = GlyphTable(
        lines: makeLines(
            vertical: "|", horizontal: "-", downRight: "+", downLeft: "+", upRight: "+", upLeft: "+",
            teeRight: "+", teeLeft: "+", teeDown: "+", teeUp: "+", cross: "+"),
        plain: BoxGlyphs(
            topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+", horizontal: "-",
            left: "|", right: "|", portDown: "+", portUp: "+"),
        highlighted: BoxGlyphs(
            topLeft: "#", topRight: "#", bottomLeft: "#", bottomRight: "#", horizontal: "=",
            left: "#", right: "#", portDown: "+", portUp: "+"),
        end: BoxGlyphs(
            topLeft: ".", topRight: ".", bottomLeft: "'", bottomRight: "'", horizontal: "-",
            left: "(", right: ")", portDown: "+", portUp: "+"),
        arrowDown: "v", arrowUp: "^", arrowRight: ">", ellipsis: "...", approval: "?",
        pending: ".", running: ">", succeeded: "+", failed: "x", skipped: "-", paused: "=",
        asciiOnly: true)

    private static func makeLines(
        vertical: Unicode.Scalar, horizontal: Unicode.Scalar, downRight: Unicode.Scalar,
        downLeft: Unicode.Scalar, upRight: Unicode.Scalar, upLeft: Unicode.Scalar,
        teeRight: Unicode.Scalar, teeLeft: Unicode.Scalar, teeDown: Unicode.Scalar,
        teeUp: Unicode.Scalar, cross: Unicode.Scalar
    ) -> [Unicode.Scalar] {
        var lines = [Unicode.Scalar](repeating: " ", count: 16)
        let (u, d, l, r) = (LineMask.up, LineMask.down, LineMask.left, LineMask.right)
        lines[Int(u)] = vertical
        lines[Int(d)] = vertical
        lines[Int(u | d)] = vertical
        lines[Int(l)] = horizontal
        lines[Int(r)] = horizontal
        lines[Int(l | r)] = horizontal
        lines[Int(d | r)] = downRight
        lines[Int(d | l)] = downLeft
        lines[Int(u | r)] = upRight
        lines[Int(u | l)] = upLeft
        lines[Int(u | d | r)] = teeRight
        lines[Int(u | d | l)] = teeLeft
        lines[Int(d | l | r)] = teeDown
        lines[Int(u | l | r)] = teeUp
        lines[Int(u | d | l | r)] = cross
        return lines
    }
}

/// The directions a line leaves a cell in; a cell's glyph is chosen from the union.
enum LineMask {
    static let up: UInt8 = 1
    static let down: UInt8 = 2
    static let left: UInt8 = 4
    static let right: UInt8 = 8
}

/// The border characters of one kind of box.
struct BoxGlyphs: Sendable {
    let topLeft, topRight, bottomLeft, bottomRight, horizontal, left, right: Unicode.Scalar
    /// The bottom border where an edge leaves downwards.
    let portDown: Unicode.Scalar
    /// The top border where an edge drawn upwards leaves.
    let portUp: Unicode.Scalar
}
