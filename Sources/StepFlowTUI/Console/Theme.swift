import Foundation
import StepFlow

/// Glyphs and styles for the current terminal.
struct Theme {
    let colors: Bool
    let unicode: Bool

    init(_ model: ConsoleModel) {
        colors = model.colors
        unicode = model.unicode
    }

    /// Plain ASCII only: borders in `+-|`, no Unicode glyphs.
    var ascii: Bool { !unicode }
    var bar: CellStyle { CellStyle(reverse: true) }
    var separator: String { unicode ? " │ " : " | " }
    var pointer: String { unicode ? "▸ " : "> " }
    var flag: String { unicode ? "⚑" : "!" }
    var times: String { unicode ? "×" : "x" }
    var child: String { unicode ? "↳" : "->" }
    var badge: CellStyle { CellStyle(bold: true, reverse: true, color: colors ? .yellow : nil) }
    var focused: CellStyle { CellStyle(bold: true, color: colors ? .blue : nil) }

    /// A pane's border: emphasised while the pane has the focus.
    func border(focused: Bool) -> CellStyle { focused ? self.focused : .plain }

    func status(_ status: RunStatus) -> CellStyle {
        guard colors else { return status == .failed ? CellStyle(bold: true) : .plain }
        switch status {
        case .succeeded: return CellStyle(color: .green)
        case .failed: return CellStyle(bold: true, color: .red)
        case .running: return CellStyle(color: .cyan)
        case .paused: return CellStyle(bold: true, color: .yellow)
        case .skipped, .pending: return CellStyle(dim: true)
        }
    }

    /// The status glyph (never colour alone); a running step spins with time.
    func glyph(_ status: RunStatus, spinner now: Date? = nil) -> String {
        switch status {
        case .pending: return unicode ? "·" : "."
        case .running:
            guard let now else { return unicode ? "▶" : ">" }
            let frames = unicode ? ["◐", "◓", "◑", "◒"] : ["|", "/", "-", "\\"]
            return frames[Int(now.timeIntervalSinceReferenceDate * 8) % frames.count]
        case .succeeded: return unicode ? "✓" : "+"
        case .failed: return unicode ? "✗" : "x"
        case .skipped: return unicode ? "–" : "-"
        case .paused: return unicode ? "‖" : "="
        }
    }
}
