import Foundation
import StepFlowTestSupport
import Testing

/// The console dying of a fatal signal (a crash, a Swift trap, an abort) still
/// gives the terminal back: normal mode, main screen, cursor visible.
@Suite("Console fatal signals", .serialized, .enabled(if: TmuxSession.isAvailable, "needs tmux"))
struct ConsoleTrapTests {
    let binary = BuiltProduct.directory.appendingPathComponent("stepflow-tui").path

    @Test(
        "a fatal signal restores the terminal mode and screen, and the process dies of that signal",
        arguments: [SIGSEGV, SIGILL, SIGABRT])
    func fatalSignalRestoresTheTerminal(_ number: Int32) async throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tmux = try await TmuxSession.start(
            width: 100, height: 30,
            environment: [
                "LANG": "C.UTF-8", "TERM": "xterm-256color", "STEPFLOW_CHECKPOINT_DIR": folder.path,
                "STEPFLOW_STORE": folder.appendingPathComponent("store.sqlite").path,
            ])
        let console = try tmux.run(binary)
        try await tmux.waitFor("Workflows")
        #expect(try tmux.display("#{alternate_on} #{cursor_flag}") == "1 0", "the console is full screen")
        let pid = try #require(try tmux.foregroundChildren().first)
        kill(pid, number)
        let (code, _) = try await tmux.exitCode(of: console)
        #expect(code == 128 + number)
        #expect(try tmux.display("#{alternate_on} #{cursor_flag}") == "0 1", "main screen, cursor visible")
        let marker = try tmux.run(
            "stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | sort | sed 's/^/FLAG:/' | tr '\\n' ' '; echo"
        )
        let (sttyCode, screen) = try await tmux.exitCode(of: marker)
        #expect(sttyCode == 0)
        #expect(screen.contains("FLAG:echo FLAG:icanon"), "the terminal is back in normal mode:\n\(screen)")
    }
}

extension TmuxSession {
    /// A tmux format of the pane (`#{alternate_on}`, `#{cursor_flag}` ...).
    func display(_ format: String) throws -> String {
        try Self.tmux(["display-message", "-p", "-t", name, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
