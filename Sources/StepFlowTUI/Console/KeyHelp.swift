/// The keys of each view: the footer shows the main ones, `?` all of them.
enum KeyHelp {
    struct Entry { let key: String; let action: String }

    static func all(for model: ConsoleModel) -> [Entry] {
        if model.prompt != nil {
            return [.init(key: "a", action: "approve"), .init(key: "d", action: "deny"), .init(key: "r", action: "type a reason"),
                    .init(key: "p", action: "postpone (pause, save checkpoint)"), .init(key: "Esc", action: "close; the run keeps waiting")]
        }
        if model.editor != nil {
            return [.init(key: "arrows", action: "move"), .init(key: "Ctrl-R", action: "check the JSON and run"), .init(key: "Esc", action: "cancel")]
        }
        switch model.screen {
        case .home:
            return [.init(key: "j/k, arrows", action: "move"), .init(key: "g/G", action: "first / last"), .init(key: "Tab", action: "workflows / runs"),
                    .init(key: "Enter", action: "edit state and run / open run"), .init(key: "m", action: "Mermaid of the workflow"),
                    .init(key: "?", action: "this help"), .init(key: "q", action: "quit")]
        case .run:
            return [.init(key: "Tab", action: "next pane (steps, graph, state, log)"), .init(key: "j/k, arrows", action: "move / scroll"),
                    .init(key: "PgUp/PgDn", action: "scroll faster"), .init(key: "Enter", action: "fold child workflows"),
                    .init(key: "a", action: "answer the waiting approval"), .init(key: "[ ]", action: "previous / next run"),
                    .init(key: "n", action: "start another run"), .init(key: "m", action: "Mermaid"), .init(key: "Esc", action: "home"),
                    .init(key: "?", action: "this help"), .init(key: "q", action: "quit")]
        }
    }

    static func bar(for model: ConsoleModel) -> [Entry] {
        if model.prompt != nil { return Array(all(for: model).prefix(4)) }
        if model.editor != nil { return all(for: model) }
        switch model.screen {
        case .home: return [.init(key: "Enter", action: "run"), .init(key: "Tab", action: "runs"), .init(key: "m", action: "Mermaid"), .init(key: "?", action: "help"), .init(key: "q", action: "quit")]
        case .run: return [.init(key: "Tab", action: "pane"), .init(key: "a", action: "approve"), .init(key: "Esc", action: "home"), .init(key: "?", action: "help"), .init(key: "q", action: "quit")]
        }
    }
}
