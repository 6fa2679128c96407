import Foundation

/// Drives a real terminal: a tmux session on a private server, running a shell
/// in which the test types commands and reads the screen.
package final class TmuxSession {
    /// The private tmux server of this test process (`tmux -L`).
    package static let socket = "stepflow-tests-\(ProcessInfo.processInfo.processIdentifier)"
    /// The session's name on that server.
    package let name: String
    private var commands = 0

    /// Starts a shell in a `width`×`height` pane with `environment` set, and
    /// returns once its prompt is on screen (creating the session again if a
    /// loaded machine lost it on the way).
    package static func start(width: Int, height: Int, environment: [String: String] = [:]) async throws -> TmuxSession
    {
        let session = TmuxSession(width: width, height: height, environment: environment)
        for _ in 0..<3 {
            try session.create()
            if (try? await session.waitFor("$", timeout: 20)) != nil { return session }
        }
        throw TmuxError("tmux did not start a shell in session \(session.name)")
    }

    private let width: Int
    private let height: Int
    private let environment: [String: String]

    private init(width: Int, height: Int, environment: [String: String]) {
        name = "s\(UUID().uuidString.prefix(8))"
        self.width = width
        self.height = height
        self.environment = environment
    }

    private func create() throws {
        _ = try? Self.tmux(["kill-session", "-t", name])
        // The test runner's own NO_COLOR would reach the shell through the tmux
        // server; a session has it only when the test sets it.
        let unset = environment["NO_COLOR"] == nil ? ["-u", "NO_COLOR"] : []
        let exports = environment.map { "\($0.key)=\($0.value)" }
        try Self.tmux(
            [
                "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                "env",
            ] + unset + exports + ["PS1=$ ", "bash", "--norc", "--noprofile"])
    }

    deinit {
        _ = try? Self.tmux(["kill-session", "-t", name])
    }

    /// Types keys (tmux key names such as `Enter`, `C-c`, `Escape`, or plain words).
    package func send(_ keys: String...) throws {
        try Self.tmux(["send-keys", "-t", name] + keys)
    }

    /// Types text literally.
    package func type(_ text: String) throws {
        try Self.tmux(["send-keys", "-t", name, "-l", text])
    }

    /// Runs a shell command in the pane; returns the marker it prints with its
    /// exit code when it ends (`DONE<n> EXIT=<code>`), unique per command.
    @discardableResult
    package func run(_ command: String) throws -> String {
        commands += 1
        let marker = "DONE\(commands)"
        // Built by the shell from two halves, so the typed line never matches the marker.
        try type("\(command); echo \"DO\"\"NE\(commands) EXIT=$?\"")
        try send("Enter")
        return marker
    }

    /// Waits for a command started with ``run(_:)`` to end; returns its exit code and the screen.
    package func exitCode(of marker: String, timeout: TimeInterval = 60) async throws -> (code: Int32, screen: String) {
        let screen = try await waitFor("\(marker) EXIT=", timeout: timeout)
        let tail = screen.components(separatedBy: "\(marker) EXIT=").last ?? ""
        let code = Int32(tail.prefix { $0.isNumber }) ?? -1
        return (code, screen)
    }

    /// The screen's text (with `escapes`, the colour and attribute sequences too).
    package func screen(escapes: Bool = false) throws -> String {
        // -J joins lines the terminal wrapped, so long messages can be matched whole.
        try Self.tmux(["capture-pane", "-p", "-J", "-t", name] + (escapes ? ["-e"] : []))
    }

    /// Waits until the screen contains `text`; returns the screen.
    ///
    /// Polls the screen rather than sleeping a guessed time. It suspends between
    /// looks, so a waiting test never blocks a thread that other tests (and the
    /// engine) need.
    @discardableResult
    package func waitFor(_ text: String, timeout: TimeInterval = 60) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.contains(text) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TmuxError("timed out waiting for \"\(text)\"; the screen was:\n\(last)")
    }

    /// Resizes the window.
    package func resize(width: Int, height: Int) throws {
        try Self.tmux(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The process ids of the programs the pane's shell is running.
    package func foregroundChildren() throws -> [Int32] {
        let shell = try Self.tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let output = try Self.run("/usr/bin/pgrep", ["-P", shell])
        return output.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Runs tmux on the private server; returns what it printed.
    @discardableResult
    package static func tmux(_ arguments: [String]) throws -> String {
        try run("/usr/bin/env", ["tmux", "-L", socket] + arguments)
    }

    /// Runs a command and returns its standard output.
    ///
    /// posix_spawn and waitpid rather than Foundation's Process: the tmux server
    /// that `new-session` forks inherits the descriptors Process watches for the
    /// child's exit, so Process would wait forever. Output goes through a file
    /// for the same reason.
    @discardableResult
    package static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer {
            for argument in argv { free(argument) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TmuxError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    /// Whether tmux is installed.
    package static var isAvailable: Bool {
        (try? run("/usr/bin/env", ["tmux", "-V"]))?.hasPrefix("tmux") ?? false
    }
}

/// What went wrong driving tmux, in one sentence.
package struct TmuxError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
