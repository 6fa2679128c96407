import Foundation

/// On a fatal signal (a Swift trap, a crash, an abort), gives the terminal back before the process dies.
///
/// The saved terminal mode is restored with `tcsetattr` and a reset sequence
/// (leave the alternate screen, show the cursor, plain attributes) is written
/// with `write(2)`. Best effort, async-signal-safe calls only.
///
/// Then the process dies of the same signal. A fault (a trap, a bad pointer)
/// gets the previous disposition back and runs its instruction again, so the
/// Swift runtime's backtracer still reports it with its real details; a signal
/// that was sent (`kill`, `abort`) is raised again with the default disposition,
/// because the backtracer lets a process it was not called for by a fault live on.
enum FatalSignalReset {
    /// The signals handled: traps are SIGILL on x86-64 and SIGTRAP on arm64.
    static let signals = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Installs the handler; returns the dispositions it replaced, to restore at close.
    static func install(terminalMode: termios?, reset: [UInt8]) -> SignalDispositions {
        let previous = SignalDispositions(signals)
        // Everything the handler reads is written here, before any handler can run.
        RescueState.hasTerminalMode = terminalMode != nil
        if let terminalMode { RescueState.terminalMode.pointee = terminalMode }
        RescueState.resetCount = min(reset.count, RescueState.resetCapacity)
        for (index, byte) in reset.prefix(RescueState.resetCapacity).enumerated() { RescueState.reset[index] = byte }
        for number in signals {
            if let action = previous.action(for: number) { RescueState.previous[Int(number)] = action }
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = rescue
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        return previous
    }
}

/// The handler's memory: allocated once, written before the handler is
/// installed, never freed, so a handler never allocates or meets a half-written value.
private enum RescueState {
    static let resetCapacity = 256
    nonisolated(unsafe) static let terminalMode = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    nonisolated(unsafe) static var hasTerminalMode = false
    nonisolated(unsafe) static let reset = UnsafeMutablePointer<UInt8>.allocate(capacity: resetCapacity)
    nonisolated(unsafe) static var resetCount = 0
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let table = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        table.initialize(repeating: sigaction(), count: 65)
        return table
    }()
}

private func rescue(_ number: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    if RescueState.hasTerminalMode { _ = tcsetattr(STDIN_FILENO, TCSANOW, RescueState.terminalMode) }
    if RescueState.resetCount > 0 { _ = write(STDOUT_FILENO, RescueState.reset, RescueState.resetCount) }
    // A positive code is a fault the kernel raised: returning runs the faulting
    // instruction again, into the previous handler.
    if let info, info.pointee.si_code > 0 {
        _ = sigaction(number, RescueState.previous + Int(number), nil)
        return
    }
    // Sent: raised again, blocked until this handler returns, then fatal.
    _ = signal(number, SIG_DFL)
    raise(number)
}
