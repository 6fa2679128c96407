/// A key press, as the console's update function sees it.
public enum Key: Hashable, Sendable {
    /// A printable character.
    case character(Character)
    /// Arrow keys.
    case up, down, left, right
    /// Page keys.
    case pageUp, pageDown, home, end
    /// Enter / Return.
    case enter
    /// Escape.
    case escape
    /// Tab and Shift-Tab.
    case tab, backTab
    /// Backspace.
    case backspace
    /// Delete.
    case delete
    /// Ctrl plus a letter (for example `.control("r")`).
    case control(Character)

    /// The key as help text names it: `j`, `↑`, `Shift-Tab`, `Ctrl-R`, `Space`.
    public var name: String {
        switch self {
        case .character(" "): "Space"
        case .character(let character): String(character)
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Delete"
        case .control(let letter): "Ctrl-\(letter.uppercased())"
        }
    }
}

/// What a terminal reports to the console loop.
public enum TerminalInput: Hashable, Sendable {
    /// A key press.
    case key(Key)
    /// The terminal now has this size in cells.
    case resize(width: Int, height: Int)
}

extension Key: ExpressibleByExtendedGraphemeClusterLiteral {
    /// A printable character written as a literal: `"j"` is `.character("j")`.
    public init(extendedGraphemeClusterLiteral character: Character) {
        self = .character(character)
    }
}
