import StepFlow
import StepFlowDrawing

/// The keys as the view shows them, read from the same key maps `update` uses,
/// so help cannot drift from behaviour.
enum KeyHelp {
    /// One shown key: how it is named and what it does.
    struct Entry: Hashable {
        let key: String
        let action: String
    }

    /// Every key of the current view, for the `?` overlay (the view under the
    /// overlay, not the overlay's own keys).
    static func all(for model: ConsoleModel) -> [Entry] {
        ConsoleMode.belowHelp(model).keyMap.map { Entry(key: $0.label, action: $0.help) }
    }

    /// The width of the key column in the `?` overlay: the longest label and a gap.
    static func labelWidth(_ entries: [Entry]) -> Int {
        max(14, (entries.map { DisplayWidth.width(of: $0.key) }.max() ?? 0) + 2)
    }

    /// The main keys of the mode that has the keys now, for the footer.
    static func bar(for model: ConsoleModel) -> [Entry] {
        ConsoleMode(model).keyMap.compactMap { binding in
            binding.footer.map { Entry(key: binding.mainLabel, action: $0) }
        }
    }

    /// The footer's keys as one line, for a hint inside a box (prompt, editor,
    /// Mermaid, quit question).
    static func hint(for model: ConsoleModel) -> String {
        bar(for: model).map { "\($0.key) \($0.action)" }.joined(separator: "   ")
    }
}
