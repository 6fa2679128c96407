import CNcurses

/// Facts about the terminal library the console is built on.
enum TerminalLibrary {
    /// The ncurses version linked into this build, for example `ncurses 6.4.20221231`.
    static var version: String {
        String(cString: stepflow_curses_version())
    }
}
