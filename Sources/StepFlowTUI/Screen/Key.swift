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
}
