/// The console's modes: whoever has the keys.
///
/// Each mode has one key map, and the footer and the `?` overlay are drawn
/// from that same map.
enum ConsoleMode: CaseIterable, Hashable, Sendable {
    /// The terminal is below the minimum size: only quitting works.
    case tooSmall
    /// The `?` overlay.
    case help
    /// "Quit while work is active?"
    case quitDialog
    /// A workflow's Mermaid text.
    case mermaid
    /// The approval prompt.
    case prompt
    /// The approval prompt's reason field, while typing.
    case reasonField
    /// The JSON state editor.
    case editor
    /// The catalog and the session's runs.
    case home
    /// One run.
    case runView

    /// The mode that gets the keys of `model`.
    init(_ model: ConsoleModel) {
        self = Self.resolve(model, seeingHelp: true)
    }

    /// The mode under the help overlay: the view whose keys `?` lists.
    static func belowHelp(_ model: ConsoleModel) -> ConsoleMode {
        resolve(model, seeingHelp: false)
    }

    /// Who gets the keys, first match wins: a too-small terminal, the prompt,
    /// an overlay, the editor, then the screen.
    private static func resolve(_ model: ConsoleModel, seeingHelp: Bool) -> ConsoleMode {
        if isTooSmall(model) { return .tooSmall }
        if let prompt = model.prompt { return prompt.editingReason ? .reasonField : .prompt }
        switch model.overlay {
        case .help where seeingHelp: return .help
        case .confirmQuit: return .quitDialog
        case .mermaid: return .mermaid
        case .help, nil: break
        }
        if model.editor != nil { return .editor }
        if case .run(let key) = model.screen, model.run(key) != nil { return .runView }
        return .home
    }

    private static func isTooSmall(_ model: ConsoleModel) -> Bool {
        model.width < ConsoleModel.minimumWidth || model.height < ConsoleModel.minimumHeight
    }

    /// The key map of this mode.
    var keyMap: [KeyBinding] {
        switch self {
        case .tooSmall: KeyMaps.tooSmall
        case .help: KeyMaps.help
        case .quitDialog: KeyMaps.quitDialog
        case .mermaid: KeyMaps.mermaid
        case .prompt: KeyMaps.prompt
        case .reasonField: KeyMaps.reasonField
        case .editor: KeyMaps.editor
        case .home: KeyMaps.home
        case .runView: KeyMaps.runView
        }
    }

    /// What `key` does in this mode, or `nil` when it does nothing here.
    func action(for key: Key) -> KeyAction? {
        for binding in keyMap {
            if let action = binding.action(for: key) { return action }
        }
        return nil
    }
}

/// Which keys a binding answers: one key, or any printable character (typing).
enum KeyPattern: Hashable, Sendable {
    /// Exactly this key.
    case key(Key)
    /// Any printable character: text typed into a field.
    case anyCharacter

    func matches(_ key: Key) -> Bool {
        switch self {
        case .key(let bound): return bound == key
        case .anyCharacter:
            if case .character = key { return true }
            return false
        }
    }
}

/// One line of help and the keys behind it: how help names the keys, what they
/// do, the footer's short word for it, and the action of each key.
struct KeyBinding: Sendable {
    /// How help names the keys, for example `j/k, ↓/↑`.
    let label: String
    /// What the keys do, as the `?` overlay says it.
    let help: String
    /// The footer's short text; `nil` keeps the binding out of the footer.
    let footer: String?
    /// Each key (or pattern) and its action, in the order they are matched.
    let actions: [(pattern: KeyPattern, action: KeyAction)]

    init(_ label: String, _ help: String, footer: String? = nil, _ actions: [(KeyPattern, KeyAction)]) {
        self.label = label
        self.help = help
        self.footer = footer
        self.actions = actions.map { (pattern: $0.0, action: $0.1) }
    }

    /// A binding whose keys all do the same.
    init(_ label: String, _ help: String, footer: String? = nil, keys: [Key], _ action: KeyAction) {
        self.init(label, help, footer: footer, keys.map { (.key($0), action) })
    }

    /// The action of `key`, if this binding holds it.
    func action(for key: Key) -> KeyAction? {
        actions.first { $0.pattern.matches(key) }?.action
    }

    /// The footer's name for the keys: the label's first part (`Tab` of `Tab, Shift-Tab`).
    var mainLabel: String {
        label.components(separatedBy: ", ").first ?? label
    }

    /// The exact keys this binding holds (typing patterns aside).
    var keys: [Key] {
        actions.compactMap { if case .key(let key) = $0.pattern { key } else { nil } }
    }
}

/// What a key asks `update` to do.
enum KeyAction: Hashable, Sendable {
    // Home and run view
    /// Open the `?` overlay.
    case showHelp
    /// Quit, asking first while runs are active.
    case quit
    // Home
    /// Move the focused list's selection (a large delta jumps to an end).
    case moveSelection(by: Int)
    /// Switch between the catalog and the run list.
    case switchList
    /// Open the state editor for the selected workflow, or the selected run.
    case openSelection
    /// Show the selected catalog workflow's Mermaid text.
    case showCatalogMermaid
    // Run view
    /// Back to the run list.
    case goHome
    /// Focus the next or previous pane.
    case switchPane(by: Int)
    /// Move in the focused pane.
    case scroll(by: Int)
    /// Fold or unfold the selected step's child workflows.
    case fold
    /// Open the prompt of a waiting run.
    case openPrompt
    /// Show the run's workflow as Mermaid.
    case showRunMermaid
    /// Back to the catalog, to start another run.
    case newRun
    /// Open the next or previous run.
    case switchRun(by: Int)
    // Approval prompt
    /// Approve the waiting request.
    case approve
    /// Deny it.
    case deny
    /// Postpone it: the run pauses and saves its checkpoint.
    case postpone
    /// Start typing a reason.
    case editReason
    /// Close the prompt; the run keeps waiting.
    case closePrompt
    // Reason field
    /// Stop typing the reason (it is kept).
    case endReason
    /// Delete the reason's last character.
    case deleteReasonCharacter
    /// Append the typed character to the reason.
    case typeReason
    // Overlays
    /// Close the overlay.
    case closeOverlay
    /// Quit after all (in the quit question).
    case confirmQuit
    /// Save the Mermaid text to a file.
    case saveMermaid
    // State editor
    /// Close the editor without running.
    case cancelEditor
    /// Check the JSON and start the run.
    case runEditor
    /// Move the cursor.
    case moveCursor(CursorMove)
    /// Split the line at the cursor.
    case newline
    /// Delete the character before the cursor (joining lines at a line start).
    case deleteBackward
    /// Insert the typed character at the cursor.
    case insert
}

/// The editor's cursor moves.
enum CursorMove: Hashable, Sendable {
    case up, down, left, right, lineStart, lineEnd
}

/// The key map of every mode.
///
/// The order is the help's order, and the footer shows the bindings that have
/// a footer text, in the same order.
enum KeyMaps {
    static let tooSmall = [
        KeyBinding(
            "q, Ctrl-C", "quit (asks first while runs are active)", footer: "quit", keys: ["q", .control("c")], .quit)
    ]

    static let home = [
        KeyBinding(
            "j/k, ↓/↑", "move",
            [
                (.key("j"), .moveSelection(by: 1)), (.key(.down), .moveSelection(by: 1)),
                (.key("k"), .moveSelection(by: -1)), (.key(.up), .moveSelection(by: -1)),
            ]),
        KeyBinding(
            "g/G, Home/End", "first / last",
            [
                (.key("g"), .moveSelection(by: -Int.max / 2)), (.key(.home), .moveSelection(by: -Int.max / 2)),
                (.key("G"), .moveSelection(by: Int.max / 2)), (.key(.end), .moveSelection(by: Int.max / 2)),
            ]),
        KeyBinding("Enter", "edit state and run / open run", footer: "run", keys: [.enter], .openSelection),
        KeyBinding("Tab, Shift-Tab", "workflows / runs", footer: "runs", keys: [.tab, .backTab], .switchList),
        KeyBinding("m", "Mermaid of the workflow", footer: "Mermaid", keys: ["m"], .showCatalogMermaid),
        KeyBinding("?", "this help", footer: "help", keys: ["?"], .showHelp),
        KeyBinding("q", "quit", footer: "quit", keys: ["q"], .quit),
    ]

    static let runView = [
        KeyBinding(
            "Tab, Shift-Tab", "next / previous pane (steps, graph, state, log)", footer: "pane",
            [
                (.key(.tab), .switchPane(by: 1)), (.key(.backTab), .switchPane(by: -1)),
            ]),
        KeyBinding(
            "j/k, ↓/↑", "move / scroll",
            [
                (.key("j"), .scroll(by: 1)), (.key(.down), .scroll(by: 1)),
                (.key("k"), .scroll(by: -1)), (.key(.up), .scroll(by: -1)),
            ]),
        KeyBinding(
            "PgDn/PgUp", "scroll faster", [(.key(.pageDown), .scroll(by: 10)), (.key(.pageUp), .scroll(by: -10))]),
        KeyBinding("Enter, Space", "fold child workflows", keys: [.enter, " "], .fold),
        KeyBinding("a", "answer the waiting approval", footer: "approve", keys: ["a"], .openPrompt),
        KeyBinding("[ ]", "previous / next run", [(.key("["), .switchRun(by: -1)), (.key("]"), .switchRun(by: 1))]),
        KeyBinding("n", "start another run", keys: ["n"], .newRun),
        KeyBinding("m", "Mermaid", keys: ["m"], .showRunMermaid),
        KeyBinding("Esc, Backspace, h", "home", footer: "home", keys: [.escape, .backspace, "h"], .goHome),
        KeyBinding("?", "this help", footer: "help", keys: ["?"], .showHelp),
        KeyBinding("q", "quit", footer: "quit", keys: ["q"], .quit),
    ]

    static let prompt = [
        KeyBinding("a", "approve", footer: "approve", keys: ["a"], .approve),
        KeyBinding("d", "deny", footer: "deny", keys: ["d"], .deny),
        KeyBinding("r", "type a reason", footer: "reason", keys: ["r"], .editReason),
        KeyBinding("p", "postpone (pause, save checkpoint)", footer: "postpone", keys: ["p"], .postpone),
        KeyBinding("Esc", "close; the run keeps waiting", footer: "close", keys: [.escape], .closePrompt),
    ]

    static let reasonField = [
        KeyBinding(
            "Enter, Tab, Esc", "finish the reason", footer: "finish", keys: [.enter, .tab, .escape], .endReason),
        KeyBinding(
            "Backspace", "delete the last character", footer: "delete", keys: [.backspace], .deleteReasonCharacter),
        KeyBinding("text", "type the reason", footer: "type the reason", [(.anyCharacter, .typeReason)]),
    ]

    static let editor = [
        KeyBinding(
            "↑/↓/←/→", "move the cursor",
            [
                (.key(.up), .moveCursor(.up)), (.key(.down), .moveCursor(.down)),
                (.key(.left), .moveCursor(.left)), (.key(.right), .moveCursor(.right)),
            ]),
        KeyBinding("Ctrl-R", "check the JSON and run", footer: "run", keys: [.control("r")], .runEditor),
        KeyBinding("Esc", "cancel", footer: "cancel", keys: [.escape], .cancelEditor),
        KeyBinding(
            "Home/End", "start / end of the line",
            [
                (.key(.home), .moveCursor(.lineStart)), (.key(.end), .moveCursor(.lineEnd)),
            ]),
        KeyBinding("Enter", "new line", keys: [.enter], .newline),
        KeyBinding("Backspace", "delete before the cursor", keys: [.backspace], .deleteBackward),
        KeyBinding("text", "type at the cursor", [(.anyCharacter, .insert)]),
    ]

    static let mermaid = [
        KeyBinding("s", "save to WORKFLOW.mmd in the current folder", footer: "save", keys: ["s"], .saveMermaid),
        KeyBinding("Esc, q, m", "close", footer: "close", keys: [.escape, "q", "m"], .closeOverlay),
    ]

    static let quitDialog = [
        KeyBinding(
            "y", "quit: waiting runs are paused and their checkpoints saved", footer: "quit", keys: ["y"], .confirmQuit),
        KeyBinding("n, Esc", "stay", footer: "stay", keys: ["n", .escape], .closeOverlay),
    ]

    static let help = [
        KeyBinding("Esc, ?, q", "close this help", footer: "close", keys: [.escape, "?", "q"], .closeOverlay)
    ]
}
