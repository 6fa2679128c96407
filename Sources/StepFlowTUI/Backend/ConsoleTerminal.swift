/// What the console loop needs from a terminal. Two implementations: the ncurses
/// backend (the only code that imports CNcurses) and ``ScriptedTerminal`` for tests.
public protocol ConsoleTerminal: AnyObject {
    /// The size in cells.
    var size: (width: Int, height: Int) { get }
    /// Whether colour may be used.
    var colors: Bool { get }
    /// The next key; `.some(nil)` after a resize; `nil` when nothing arrived in a short wait.
    func readKey() -> Key??
    /// Shows a frame.
    func draw(_ grid: CellGrid)
    /// Forces the next frame to be drawn whole.
    func invalidate()
    /// Gives the terminal back.
    func close()
}

extension NcursesTerminal: ConsoleTerminal {}
