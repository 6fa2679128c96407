import Foundation

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
    /// Called when a turn brought no key and no message. ncurses has already
    /// waited inside `readKey`; a terminal whose `readKey` returns at once
    /// suspends here instead, so the loop never blocks a thread of the pool.
    func idle() async
    /// Whether the terminal has gone away (hung up); the console then shuts down
    /// as for SIGHUP instead of reading nothing forever.
    var hungUp: Bool { get }
}

extension NcursesTerminal: ConsoleTerminal {
    func idle() async {}

    var hungUp: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }
}
