import CNcurses
import Foundation

/// The one place that talks to ncurses. Every call happens on the thread that
/// created it (the console loop), because ncurses is not thread-safe.
final class NcursesTerminal {
    private var screen: OpaquePointer?
    private var previous: CellGrid?
    let colors: Bool

    /// Opens the terminal, or throws one clear sentence when it cannot.
    init(environment: [String: String]) throws(InputError) {
        setlocale(LC_ALL, "")
        // newterm returns NULL instead of exiting, so a bad TERM is reported, not fatal.
        guard let opened = stepflow_newterm() else {
            throw InputError("cannot open the terminal (TERM=\(environment["TERM"] ?? "unset")); use 'stepflow-tui run NAME --plain'.")
        }
        screen = opened
        set_term(opened)
        guard stepflow_has_cursor_addressing() != 0 else {
            endwin()
            delscreen(opened)
            throw InputError(Self.cannotDraw(environment))
        }
        cbreak()
        noecho()
        nonl()
        keypad(stepflow_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        wtimeout(stepflow_stdscr(), 40)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        colors = !noColor && has_colors()
        if colors {
            start_color()
            use_default_colors()
            let palette: [(CellColor, Int16)] = [(.red, 1), (.green, 2), (.yellow, 3), (.cyan, 6), (.blue, 4)]
            for (color, code) in palette { init_pair(Int16(color.rawValue), code, -1) }
        }
    }

    /// The sentence for a terminal that cannot draw a full screen.
    static func cannotDraw(_ environment: [String: String]) -> String {
        "this terminal (TERM=\(environment["TERM"] ?? "unset")) cannot draw the console; use 'stepflow-tui run NAME' for plain lines."
    }

    /// Whether the environment names a terminal that cannot draw a full screen.
    static func isDumb(_ environment: [String: String]) -> Bool {
        let term = environment["TERM"] ?? ""
        return term.isEmpty || term == "dumb"
    }

    /// The terminal's size in cells.
    var size: (width: Int, height: Int) {
        (Int(stepflow_cols()), Int(stepflow_lines()))
    }

    /// The next key, `nil` after the short input timeout.
    func readKey() -> Key?? {
        var character: wint_t = 0
        let result = wget_wch(stepflow_stdscr(), &character)
        if result == ERR { return .none }
        if result == stepflow_key_code_yes() {
            switch Int32(character) {
            case KEY_RESIZE: return .some(nil)
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_ENTER: return .enter
            default: return .none
            }
        }
        switch character {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(UInt8(character) + 96)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)) else { return .none }
            return .character(Character(scalar))
        }
    }

    /// Draws the rows that changed since the last frame.
    func draw(_ grid: CellGrid) {
        let full = previous?.width != grid.width || previous?.height != grid.height
        if full { clear() }
        for row in 0..<grid.height {
            if !full, let previous, (0..<grid.width).allSatisfy({ previous[row, $0] == grid[row, $0] }) { continue }
            var column = 0
            while column < grid.width {
                let style = grid[row, column].style
                var text = ""
                let start = column
                while column < grid.width, grid[row, column].style == style {
                    text += grid[row, column].text
                    column += 1
                }
                _ = stepflow_set_attributes(attributes(style))
                // The last cell of the last row would scroll some terminals: stop before it.
                if row == grid.height - 1, column == grid.width, !text.isEmpty { text.removeLast() }
                mvaddstr(Int32(row), Int32(start), text)
            }
        }
        _ = stepflow_set_attributes(0)
        refresh()
        previous = grid
    }

    /// Forces the next frame to be drawn whole (after a resize).
    func invalidate() {
        previous = nil
    }

    /// Gives the terminal back: normal mode, cursor visible.
    func close() {
        guard let screen else { return }
        curs_set(1)
        endwin()
        delscreen(screen)
        self.screen = nil
    }

    private func attributes(_ style: CellStyle) -> attr_t {
        var value: attr_t = 0
        if style.bold { value |= stepflow_attr_bold() }
        if style.reverse { value |= stepflow_attr_reverse() }
        if style.dim { value |= stepflow_attr_dim() }
        if colors, let color = style.color { value |= stepflow_color_pair(Int32(color.rawValue)) }
        return value
    }
}
