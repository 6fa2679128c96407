import Foundation

/// What the console loop needs from a terminal.
///
/// Two implementations: the ncurses backend (the only code that imports
/// CNcurses) and ``ScriptedTerminal`` for tests.
///
/// Isolated to the main actor, like the loop: ncurses is not thread-safe, and
/// the compiler then checks that one thread makes every terminal call.
@MainActor
public protocol ConsoleTerminal: AnyObject {
    /// The size in cells.
    var size: (width: Int, height: Int) { get }
    /// Whether colour may be used.
    var colors: Bool { get }
    /// The next key or resize that has already arrived; `nil` at once when there
    /// is none. Never waits.
    func readInput() -> TerminalInput?
    /// Shows a frame.
    func draw(_ grid: CellGrid)
    /// Gives the terminal back.
    func close()
    /// Whether the terminal has gone away (hung up); the console then shuts down
    /// as for SIGHUP instead of reading nothing forever.
    var hungUp: Bool { get }
    /// Starts calling `wake` (from any thread) whenever input may have arrived,
    /// so the loop sleeps until then instead of polling.
    func watchInput(_ wake: @escaping @Sendable () -> Void)
    /// The longest the loop sleeps unwoken before it asks for input again; `nil`
    /// when every input (keys and resizes) wakes the loop, so it can sleep until then.
    var inputPollInterval: Duration? { get }
}

extension NcursesTerminal: ConsoleTerminal {
    var hungUp: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// Keys and resizes wake the loop: an idle console does not wake at all.
    var inputPollInterval: Duration? { nil }
}
