import CNcurses
import Dispatch
import Foundation
import Synchronization

/// The one place that talks to ncurses.
///
/// ncurses is not thread-safe, so the type is isolated to the main actor: the
/// compiler checks that every call is made from the console loop's one thread.
@MainActor
final class NcursesTerminal {
    private var screen: OpaquePointer?
    private var previous: CellGrid?
    let colors: Bool
    /// The fatal-signal dispositions replaced while the terminal is open.
    private var fatalSignals: SignalDispositions?
    private var inputWatch: InputWatch?
    private let resizeWatch: ResizeWatch

    /// Opens the terminal, or throws one clear sentence when it cannot.
    init(environment: [String: String]) throws(InputError) {
        setlocale(LC_ALL, "")
        // The shell's mode, saved before ncurses changes it, for the fatal-signal path.
        var shellMode = termios()
        let hasShellMode = tcgetattr(STDIN_FILENO, &shellMode) == 0
        // Before newterm, which installs its own SIGWINCH handler only where there is none.
        resizeWatch = ResizeWatch()
        // newterm returns NULL instead of exiting, so a bad TERM is reported, not fatal.
        guard let opened = stepflow_newterm() else {
            resizeWatch.cancel()
            throw InputError(
                "cannot open the terminal (TERM=\(environment["TERM"] ?? "unset")); use 'stepflow-tui run NAME --plain'."
            )
        }
        screen = opened
        set_term(opened)
        guard stepflow_has_cursor_addressing() != 0 else {
            endwin()
            delscreen(opened)
            resizeWatch.cancel()
            throw InputError(Self.cannotDraw(environment))
        }
        cbreak()
        noecho()
        nonl()
        keypad(stepflow_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        // Never wait inside ncurses: the loop sleeps until input is ready instead.
        wtimeout(stepflow_stdscr(), 0)
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        colors = !noColor && has_colors()
        if colors {
            start_color()
            use_default_colors()
            let palette: [(CellColor, Int16)] = [(.red, 1), (.green, 2), (.yellow, 3), (.cyan, 6), (.blue, 4)]
            for (color, code) in palette { init_pair(Int16(color.rawValue), code, -1) }
        }
        fatalSignals = FatalSignalReset.install(
            terminalMode: hasShellMode ? shellMode : nil, reset: Self.resetSequence())
    }

    /// What ends full-screen mode by hand: keypad off, leave the alternate
    /// screen, cursor visible, plain attributes (from terminfo; xterm's where it has none).
    private static func resetSequence() -> [UInt8] {
        let capabilities = [("rmkx", ""), ("rmcup", "\u{1B}[?1049l"), ("cnorm", "\u{1B}[?25h"), ("sgr0", "\u{1B}[0m")]
        return capabilities.flatMap { name, fallback -> [UInt8] in
            guard let value = tigetstr(name), Int(bitPattern: value) != -1 else { return Array(fallback.utf8) }
            return Array(String(cString: value).utf8)
        }
    }

    /// The sentence for a terminal that cannot draw a full screen.
    nonisolated static func cannotDraw(_ environment: [String: String]) -> String {
        "this terminal (TERM=\(environment["TERM"] ?? "unset")) cannot draw the console; use 'stepflow-tui run NAME' for plain lines."
    }

    /// Whether the environment names a terminal that cannot draw a full screen.
    nonisolated static func isDumb(_ environment: [String: String]) -> Bool {
        let term = environment["TERM"] ?? ""
        return term.isEmpty || term == "dumb"
    }

    /// The terminal's size in cells.
    var size: (width: Int, height: Int) {
        (Int(stepflow_cols()), Int(stepflow_lines()))
    }

    /// The next key or resize that is already there; `nil` at once when there is none.
    func readInput() -> TerminalInput? {
        if resizeWatch.takeResize(), let resized = resizeToWindow() {
            return resized
        }
        while true {
            var character: wint_t = 0
            let result = wget_wch(stepflow_stdscr(), &character)
            if result == ERR {
                // Drained: ncurses' own buffer is empty too, so the watch may fire again.
                inputWatch?.rearm()
                return nil
            }
            if result == stepflow_key_code_yes(), Int32(character) == KEY_RESIZE {
                previous = nil
                return .resize(width: size.width, height: size.height)
            }
            // Keys the console has no name for are skipped, not reported as "nothing".
            if let key = Self.key(result: result, character: character) { return .key(key) }
        }
    }

    private static func key(result: Int32, character: wint_t) -> Key? {
        if result == stepflow_key_code_yes() {
            switch Int32(character) {
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
            default: return nil
            }
        }
        switch character {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(UInt8(character) + 96)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// Calls `wake` from another thread whenever standard input becomes readable
    /// or the window changes size.
    func watchInput(_ wake: @escaping @Sendable () -> Void) {
        inputWatch = InputWatch(wake)
        resizeWatch.onResize(wake)
    }

    /// Tells ncurses the window's new size (it has no SIGWINCH handler of its
    /// own here) and reports it; the next frame is drawn whole.
    private func resizeToWindow() -> TerminalInput? {
        var window = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0, window.ws_row > 0, window.ws_col > 0 else {
            return nil
        }
        resizeterm(Int32(window.ws_row), Int32(window.ws_col))
        previous = nil
        return .resize(width: size.width, height: size.height)
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

    /// Gives the terminal back: normal mode, cursor visible, the fatal-signal
    /// dispositions as they were.
    func close() {
        inputWatch?.cancel()
        inputWatch = nil
        resizeWatch.cancel()
        guard let screen else { return }
        curs_set(1)
        endwin()
        delscreen(screen)
        self.screen = nil
        fatalSignals?.restore()
        fatalSignals = nil
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

/// Watches standard input for the loop without reading it (only ncurses reads, on the loop's thread).
///
/// The source is level-triggered, so it pauses after each wake until the loop
/// has drained the input; otherwise it would fire nonstop.
///
/// Its handler runs on a global queue and touches only what is thread-safe: the
/// source's suspend and resume, and an atomic.
private final class InputWatch {
    private let source: any DispatchSourceRead
    /// Set (after suspending) when the source fired and waits to be re-armed.
    private let paused = Atomic(false)

    init(_ wake: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            source.suspend()
            paused.store(true, ordering: .sequentiallyConsistent)
            wake()
        }
        source.resume()
    }

    /// Lets the source fire again (after the loop read everything there was).
    func rearm() {
        if paused.exchange(false, ordering: .sequentiallyConsistent) { source.resume() }
    }

    func cancel() {
        source.cancel()
        // A suspended source must be resumed before it is released.
        rearm()
    }
}

/// SIGWINCH as a flag and a wake for the loop, so an idle console sleeps until something happens.
///
/// Without it the loop would ask ncurses for a resize every so often. It owns
/// SIGWINCH while the terminal is open and puts the previous disposition back.
private final class ResizeWatch {
    private let previous = SignalDispositions([SIGWINCH])
    private let source: any DispatchSourceSignal
    private let state = ResizeState()

    init() {
        // Not the default any more, so ncurses leaves SIGWINCH alone; the source then takes it.
        signal(SIGWINCH, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { @Sendable [state] in state.raise() }
        source.resume()
    }

    /// Calls `wake` (from another thread) after each resize.
    func onResize(_ wake: @escaping @Sendable () -> Void) {
        state.wake.withLock { $0 = wake }
    }

    /// Whether the window changed size since the last call.
    func takeResize() -> Bool {
        state.pending.exchange(false, ordering: .sequentiallyConsistent)
    }

    /// Stops watching and puts SIGWINCH back as it was.
    func cancel() {
        source.cancel()
        previous.restore()
    }
}

/// What the SIGWINCH source shares with the loop.
private final class ResizeState: Sendable {
    let pending = Atomic(false)
    let wake = Mutex<(@Sendable () -> Void)?>(nil)

    func raise() {
        pending.store(true, ordering: .sequentiallyConsistent)
        wake.withLock { $0 }?()
    }
}
