import Foundation
import Testing

@testable import StepFlow
@testable import StepFlowTUI

/// Walks every mode of the console with a broad set of keys: what a key does
/// must be in that mode's help, and what help lists must do something.
@Suite("Key maps")
struct KeyMapTests {
    /// Every printable ASCII character, the arrows and editing keys, and Ctrl-letters.
    static let allKeys: [Key] =
        (32...126).map { .character(Character(UnicodeScalar(UInt8($0)))) }
        + [
            .up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .enter, .escape, .tab, .backTab, .backspace,
            .delete,
        ]
        + "abcdefghijklmnopqrstuvwxyz".map { .control($0) }

    /// Models of each mode in which every bound key has something to do: lists
    /// with a selection in the middle, several runs, a waiting approval, text
    /// around the cursor.
    static func samples(_ mode: ConsoleMode) throws -> [ConsoleModel] {
        let (waiting, _) = try modelWaitingForApproval()
        var runView = waiting
        send(
            &runView, .key(.escape),
            .runStarted(key: 2, runID: "run2", catalogIndex: 0, state: AnyState(JSONValue.object([:])), at: runView.now)
        )
        send(&runView, .key("]"), .key(.escape), .key(.down))
        switch mode {
        case .tooSmall:
            var active = waiting
            active.width = 30
            return [exampleModel(width: 30, height: 10), active]
        case .help:
            var model = exampleModel()
            model.overlay = .help
            return [model]
        case .quitDialog:
            var model = runView
            model.overlay = .confirmQuit
            return [model]
        case .mermaid:
            var model = exampleModel()
            model.overlay = .mermaid(workflow: "refund-workflow", text: model.catalog[0].graph.mermaid())
            return [model]
        case .prompt:
            return [waiting]
        case .reasonField:
            var model = waiting
            model.prompt?.editingReason = true
            model.prompt?.reason = "ok"
            return [model]
        case .editor:
            var top = exampleModel()
            top.editor = StateEditor(catalogIndex: 0, text: "{\n\"a\": 1}")
            top.editor?.column = 1
            var bottom = top
            bottom.editor?.row = 1
            return [top, bottom]
        case .home:
            var model = runView
            model.screen = .home
            model.catalogSelection = 1
            var runs = model
            runs.homeFocus = .runs
            return [model, runs]
        case .runView:
            return [runView]
        }
    }

    /// Whether `key` changes the model or asks for a command.
    static func acts(_ key: Key, on model: ConsoleModel) -> Bool {
        var changed = model
        return !ConsoleUpdate.update(&changed, .key(key)).isEmpty || changed != model
    }

    @Test("every sample is in the mode it stands for", arguments: ConsoleMode.allCases)
    func samplesAreInTheirMode(_ mode: ConsoleMode) throws {
        for model in try Self.samples(mode) { #expect(ConsoleMode(model) == mode) }
    }

    @Test("a key that does anything is in the mode's key map, hence in its help", arguments: ConsoleMode.allCases)
    func everyHandledKeyIsListed(_ mode: ConsoleMode) throws {
        for model in try Self.samples(mode) {
            for key in Self.allKeys where Self.acts(key, on: model) {
                #expect(
                    mode.keyMap.contains { $0.action(for: key) != nil },
                    "\(key.name) acts in \(mode) but is not in its help")
            }
        }
    }

    @Test("every key the help lists does something", arguments: ConsoleMode.allCases)
    func everyListedKeyActs(_ mode: ConsoleMode) throws {
        let samples = try Self.samples(mode)
        for binding in mode.keyMap {
            for (pattern, _) in binding.actions {
                let keys: [Key] =
                    switch pattern {
                    case .key(let key): [key]
                    case .anyCharacter: (32...126).map { .character(Character(UnicodeScalar(UInt8($0)))) }
                    }
                for key in keys {
                    #expect(
                        samples.contains { Self.acts(key, on: $0) },
                        "\(key.name) is listed in \(mode) as \"\(binding.help)\" but does nothing")
                }
            }
        }
    }

    @Test(
        "each binding's label names each of its keys, and no key is bound twice in a mode",
        arguments: ConsoleMode.allCases)
    func labelsNameTheirKeys(_ mode: ConsoleMode) {
        var seen: Set<Key> = []
        for binding in mode.keyMap {
            let names = Set(binding.label.split { $0 == "," || $0 == "/" || $0 == " " }.map(String.init))
            for key in binding.keys {
                #expect(names.contains(key.name), "\"\(binding.label)\" does not name \(key.name)")
                #expect(seen.insert(key).inserted, "\(key.name) is bound twice in \(mode)")
            }
        }
    }

    @Test("the footer and ? are read from the key maps, in every mode", arguments: ConsoleMode.allCases)
    func helpComesFromTheMaps(_ mode: ConsoleMode) throws {
        let model = try #require(try Self.samples(mode).first)
        let bar = KeyHelp.bar(for: model)
        #expect(!bar.isEmpty)
        #expect(
            bar
                == mode.keyMap.compactMap { binding in
                    binding.footer.map { KeyHelp.Entry(key: binding.mainLabel, action: $0) }
                })
        // `?` lists the view under the help overlay, with every binding of its map.
        let below = ConsoleMode.belowHelp(model)
        #expect(KeyHelp.all(for: model) == below.keyMap.map { KeyHelp.Entry(key: $0.label, action: $0.help) })
        #expect(KeyHelp.hint(for: model) == bar.map { "\($0.key) \($0.action)" }.joined(separator: "   "))
    }

    @Test("the footer follows the mode: typing a reason, Mermaid, the quit question, help")
    func footerPerMode() throws {
        var (model, _) = try modelWaitingForApproval()
        send(&model, .key("r"))
        #expect(KeyHelp.bar(for: model).map(\.key) == ["Enter", "Backspace", "text"])
        send(&model, .key(.enter), .key(.escape), .key("q"))
        #expect(KeyHelp.bar(for: model).map(\.key) == ["y", "n"])
        send(&model, .key(.escape), .key("m"))
        #expect(KeyHelp.bar(for: model).map(\.key) == ["s", "Esc"])
        send(&model, .key(.escape), .key("?"))
        #expect(KeyHelp.bar(for: model).map(\.key) == ["Esc"])
        #expect(KeyHelp.all(for: model).contains(KeyHelp.Entry(key: "[ ]", action: "previous / next run")))
    }
}
