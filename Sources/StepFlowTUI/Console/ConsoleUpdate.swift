import Foundation
import StepFlow

/// What reaches the console's update function.
public enum ConsoleMessage: Sendable {
    /// A key press.
    case key(Key)
    /// The terminal changed size.
    case resize(width: Int, height: Int)
    /// Time passed (spinners, countdowns, elapsed time).
    case tick(Date)
    /// A run was started by the controller.
    case runStarted(key: Int, runID: String, catalogIndex: Int, state: AnyState, at: Date)
    /// An engine event of a run (its children's events included).
    case event(runKey: Int, WorkflowEvent)
    /// A run waits for a decision; `approvalID` names the waiting handler.
    case approvalNeeded(runKey: Int, approvalID: Int, ApprovalRequest)
    /// A run ended.
    case runFinished(runKey: Int, status: RunStatus, checkpointPath: String?, at: Date)
    /// Something outside the console went wrong (shown in the footer).
    case notice(String)
    /// SIGINT, SIGTERM or SIGHUP arrived.
    case interrupted(signal: Int32)
}

/// What the update function asks the outside world to do.
public enum ConsoleCommand: Hashable, Sendable {
    /// Start a run of a catalog workflow with this state text.
    case startRun(catalogIndex: Int, stateJSON: String)
    /// Answer the approval with this id.
    case answer(approvalID: Int, approved: Bool, reason: String?)
    /// Postpone the approval with this id: its run pauses and saves its checkpoint
    /// (a child workflow, which cannot pause, fails instead).
    case postpone(approvalID: Int)
    /// Write Mermaid text to a file.
    case saveMermaid(workflow: String, text: String)
    /// Leave: postpone every waiting approval, then give the terminal back.
    case quit
}

/// The console's pure update: a message changes the model and may ask for commands.
public enum ConsoleUpdate {
    /// Applies a message.
    public static func update(_ model: inout ConsoleModel, _ message: ConsoleMessage) -> [ConsoleCommand] {
        switch message {
        case .key(let key):
            return handle(key, in: &model)
        case .resize(let width, let height):
            model.width = width
            model.height = height
            return []
        case .tick(let now):
            model.now = now
            return []
        case .runStarted(let key, let runID, let index, let state, let at):
            let item = model.catalog[index]
            let steps = item.graph.nodes.filter { $0.kind == .step }.map { StepRow(name: $0.label, gated: $0.requiresApproval) }
            model.runs.append(RunView(
                key: key, runID: runID, workflowName: item.name, catalogIndex: index, startedAt: at, steps: steps,
                state: state))
            model.screen = .run(key)
            model.runFocus = .steps
            return []
        case .event(let runKey, let event):
            guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else { return [] }
            RunEvents.apply(event, to: &model.runs[index], now: model.now)
            return []
        case .approvalNeeded(let runKey, let approvalID, let request):
            guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else { return [] }
            model.runs[index].pendingApprovals.append(PendingApproval(id: approvalID, request: request))
            if model.screen == .run(runKey), model.prompt == nil, model.overlay == nil, model.editor == nil {
                model.prompt = ApprovalPrompt(runKey: runKey)
            }
            return []
        case .runFinished(let runKey, let status, let path, let at):
            guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else { return [] }
            model.runs[index].status = status
            model.runs[index].checkpointPath = path
            model.runs[index].finishedAt = at
            model.runs[index].pendingApprovals = []
            if model.prompt?.runKey == runKey { model.prompt = nil }
            if let path { model.notice = "\(model.runs[index].workflowName) paused; checkpoint saved to \(path)" }
            return []
        case .notice(let text):
            model.notice = text
            return []
        case .interrupted(let signal):
            model.quitting = true
            model.interruptedBy = signal
            return [.quit]
        }
    }

    // MARK: - Keys

    private static func handle(_ key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        if model.width < ConsoleModel.minimumWidth || model.height < ConsoleModel.minimumHeight {
            if key == .character("q") || key == .control("c") { return requestQuit(&model) }
            return []
        }
        if model.prompt != nil { return promptKey(key, in: &model) }
        if let overlay = model.overlay { return overlayKey(key, overlay, in: &model) }
        if model.editor != nil { return editorKey(key, in: &model) }
        switch key {
        case .character("?"):
            model.overlay = .help
            return []
        case .character("q"):
            return requestQuit(&model)
        default:
            break
        }
        switch model.screen {
        case .home: return homeKey(key, in: &model)
        case .run(let runKey): return runKey_(key, runKey, in: &model)
        }
    }

    private static func requestQuit(_ model: inout ConsoleModel) -> [ConsoleCommand] {
        if model.hasActiveRuns {
            model.overlay = .confirmQuit
            return []
        }
        model.quitting = true
        return [.quit]
    }

    private static func homeKey(_ key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        switch key {
        case .tab, .backTab:
            model.homeFocus = model.homeFocus == .catalog && !model.runs.isEmpty ? .runs : .catalog
        case .down, .character("j"):
            moveHome(by: 1, &model)
        case .up, .character("k"):
            moveHome(by: -1, &model)
        case .home, .character("g"):
            moveHome(by: -Int.max / 2, &model)
        case .end, .character("G"):
            moveHome(by: Int.max / 2, &model)
        case .enter:
            if model.homeFocus == .catalog, model.catalog.indices.contains(model.catalogSelection) {
                model.editor = StateEditor(
                    catalogIndex: model.catalogSelection, text: model.catalog[model.catalogSelection].defaultStateText)
            } else if model.homeFocus == .runs, model.runs.indices.contains(model.runSelection) {
                openRun(model.runs[model.runSelection].key, &model)
            }
        case .character("m"):
            if model.catalog.indices.contains(model.catalogSelection) {
                let item = model.catalog[model.catalogSelection]
                model.overlay = .mermaid(workflow: item.name, text: item.graph.mermaid())
            }
        default:
            break
        }
        return []
    }

    private static func moveHome(by delta: Int, _ model: inout ConsoleModel) {
        switch model.homeFocus {
        case .catalog: model.catalogSelection = clamp(model.catalogSelection + delta, count: model.catalog.count)
        case .runs: model.runSelection = clamp(model.runSelection + delta, count: model.runs.count)
        }
    }

    private static func openRun(_ key: Int, _ model: inout ConsoleModel) {
        model.screen = .run(key)
        model.runFocus = .steps
        if model.run(key)?.waiting != nil { model.prompt = ApprovalPrompt(runKey: key) }
    }

    private static func runKey_(_ key: Key, _ runKey: Int, in model: inout ConsoleModel) -> [ConsoleCommand] {
        guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else {
            model.screen = .home
            return []
        }
        switch key {
        case .escape, .backspace, .character("h"):
            model.screen = .home
            model.homeFocus = .runs
            model.runSelection = index
        case .tab:
            model.runFocus = next(model.runFocus, by: 1)
        case .backTab:
            model.runFocus = next(model.runFocus, by: -1)
        case .down, .character("j"):
            scroll(&model.runs[index], pane: model.runFocus, by: 1)
        case .up, .character("k"):
            scroll(&model.runs[index], pane: model.runFocus, by: -1)
        case .pageDown:
            scroll(&model.runs[index], pane: model.runFocus, by: 10)
        case .pageUp:
            scroll(&model.runs[index], pane: model.runFocus, by: -10)
        case .enter, .character(" "):
            if model.runFocus == .steps, model.runs[index].steps.indices.contains(model.runs[index].selectedStep) {
                model.runs[index].steps[model.runs[index].selectedStep].expanded.toggle()
            }
        case .character("a"):
            if model.runs[index].waiting != nil { model.prompt = ApprovalPrompt(runKey: runKey) }
        case .character("m"):
            let item = model.catalog[model.runs[index].catalogIndex]
            model.overlay = .mermaid(workflow: item.name, text: item.graph.mermaid())
        case .character("n"):
            // Start another run: back home on the catalog.
            model.screen = .home
            model.homeFocus = .catalog
        case .character("]"):
            switchRun(by: 1, from: index, &model)
        case .character("["):
            switchRun(by: -1, from: index, &model)
        default:
            break
        }
        return []
    }

    private static func switchRun(by delta: Int, from index: Int, _ model: inout ConsoleModel) {
        guard !model.runs.isEmpty else { return }
        let target = (index + delta + model.runs.count) % model.runs.count
        openRun(model.runs[target].key, &model)
    }

    private static func scroll(_ run: inout RunView, pane: RunPane, by delta: Int) {
        if pane == .steps {
            run.selectedStep = clamp(run.selectedStep + delta, count: run.steps.count)
        } else if pane == .log {
            // The log is read from its newest line: up goes back in history.
            run.scroll[.log] = min(max(0, run.log.count - 1), max(0, (run.scroll[.log] ?? 0) - delta))
        } else {
            run.scroll[pane] = max(0, (run.scroll[pane] ?? 0) + delta)
        }
    }

    private static func next(_ pane: RunPane, by delta: Int) -> RunPane {
        let all = RunPane.allCases
        let index = all.firstIndex(of: pane)!
        return all[(index + delta + all.count) % all.count]
    }

    // MARK: Approval prompt

    private static func promptKey(_ key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        guard var prompt = model.prompt else { return [] }
        if prompt.editingReason {
            switch key {
            case .enter, .tab: prompt.editingReason = false
            case .escape:
                prompt.editingReason = false
            case .backspace:
                if !prompt.reason.isEmpty { prompt.reason.removeLast() }
            case .character(let character):
                prompt.reason.append(character)
            default:
                break
            }
            model.prompt = prompt
            return []
        }
        let reason = prompt.reason.isEmpty ? nil : prompt.reason
        switch key {
        case .character("a"):
            guard let id = takeFirstApproval(prompt.runKey, &model) else { return [] }
            return [.answer(approvalID: id, approved: true, reason: reason)]
        case .character("d"):
            guard let id = takeFirstApproval(prompt.runKey, &model) else { return [] }
            return [.answer(approvalID: id, approved: false, reason: reason)]
        case .character("p"):
            guard let id = takeFirstApproval(prompt.runKey, &model) else { return [] }
            return [.postpone(approvalID: id)]
        case .character("r"):
            prompt.editingReason = true
            model.prompt = prompt
        case .escape:
            // Close without deciding: the run keeps waiting; the header badge stays.
            model.prompt = nil
        default:
            break  // Enter and everything else never decide.
        }
        return []
    }

    /// Removes the approval the prompt showed and returns its id; the prompt
    /// closes, or moves on to the run's next waiting approval.
    private static func takeFirstApproval(_ runKey: Int, _ model: inout ConsoleModel) -> Int? {
        model.prompt = nil
        guard let index = model.runs.firstIndex(where: { $0.key == runKey }),
              !model.runs[index].pendingApprovals.isEmpty
        else { return nil }
        let taken = model.runs[index].pendingApprovals.removeFirst()
        if !model.runs[index].pendingApprovals.isEmpty { model.prompt = ApprovalPrompt(runKey: runKey) }
        return taken.id
    }

    // MARK: Overlays

    private static func overlayKey(_ key: Key, _ overlay: Overlay, in model: inout ConsoleModel) -> [ConsoleCommand] {
        switch overlay {
        case .confirmQuit:
            if key == .character("y") {
                model.overlay = nil
                model.quitting = true
                return [.quit]
            }
            if key == .character("n") || key == .escape { model.overlay = nil }
            return []
        case .mermaid(let workflow, let text):
            if key == .character("s") {
                model.overlay = nil
                return [.saveMermaid(workflow: workflow, text: text)]
            }
            if key == .escape || key == .character("q") || key == .character("m") { model.overlay = nil }
            return []
        case .help:
            if key == .escape || key == .character("?") || key == .character("q") { model.overlay = nil }
            return []
        }
    }

    // MARK: State editor

    private static func editorKey(_ key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        guard var editor = model.editor else { return [] }
        if key == .escape {
            model.editor = nil
            return []
        }
        defer { model.editor = editor }
        switch key {
        case .control("r"):
            do {
                _ = try JSONSerialization.jsonObject(with: Data(editor.text.utf8))
            } catch {
                editor.error = "not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "check the brackets and quotes")"
                return []
            }
            let command = ConsoleCommand.startRun(catalogIndex: editor.catalogIndex, stateJSON: editor.text)
            editor.error = nil
            return [command]
        case .up: editor.row = max(0, editor.row - 1)
        case .down: editor.row = min(editor.lines.count - 1, editor.row + 1)
        case .left: editor.column = max(0, editor.column - 1)
        case .right: editor.column += 1
        case .home: editor.column = 0
        case .end: editor.column = editor.lines[editor.row].count
        case .enter:
            let line = editor.lines[editor.row]
            let cut = line.index(line.startIndex, offsetBy: min(editor.column, line.count))
            editor.lines[editor.row] = String(line[..<cut])
            editor.lines.insert(String(line[cut...]), at: editor.row + 1)
            editor.row += 1
            editor.column = 0
        case .backspace:
            if editor.column > 0 {
                var line = Array(editor.lines[editor.row])
                let at = min(editor.column, line.count)
                if at > 0 { line.remove(at: at - 1) }
                editor.lines[editor.row] = String(line)
                editor.column = at - 1
            } else if editor.row > 0 {
                let line = editor.lines.remove(at: editor.row)
                editor.row -= 1
                editor.column = editor.lines[editor.row].count
                editor.lines[editor.row] += line
            }
        case .character(let character):
            var line = Array(editor.lines[editor.row])
            let at = min(editor.column, line.count)
            line.insert(character, at: at)
            editor.lines[editor.row] = String(line)
            editor.column = at + 1
        default:
            break
        }
        editor.column = min(editor.column, editor.lines[editor.row].count)
        return []
    }

    private static func clamp(_ value: Int, count: Int) -> Int {
        guard count > 0 else { return 0 }
        return min(max(0, value), count - 1)
    }
}
