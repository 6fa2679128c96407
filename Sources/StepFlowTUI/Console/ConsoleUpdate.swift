import Foundation
import StepFlow

/// What reaches the console's update function: input, time, and what the
/// outside world (runs, effects, signals) reports back.
package enum ConsoleMessage: Sendable {
    /// A key press.
    case key(Key)
    /// The terminal changed size.
    case resize(width: Int, height: Int)
    /// Time passed (spinners, countdowns, elapsed time): sent by a timer while something moves.
    case tick(Date)
    /// A run was started (the answer to ``ConsoleCommand/startRun(catalogIndex:stateJSON:)``).
    case runStarted(key: Int, runID: String, catalogIndex: Int, state: AnyState, at: Date)
    /// A run could not start: its state text does not decode; `reason` says why.
    case runStartRejected(catalogIndex: Int, stateJSON: String, reason: String)
    /// An engine event of a run (its children's events included), stamped with
    /// the time it arrived; `nil` stands for the model's current time.
    case event(runKey: Int, WorkflowEvent, at: Date? = nil)
    /// A run waits for a decision; `approvalID` names the waiting handler.
    case approvalNeeded(runKey: Int, approvalID: Int, ApprovalRequest)
    /// A run ended.
    case runFinished(runKey: Int, status: RunStatus, checkpointPath: String?, at: Date)
    /// Mermaid text was written to this file.
    case mermaidSaved(path: String)
    /// Mermaid text could not be written to this file.
    case mermaidNotSaved(path: String, reason: String)
    /// Something outside the console went wrong (shown in the footer).
    case notice(String)
    /// SIGINT, SIGTERM or SIGHUP arrived.
    case interrupted(signal: Int32)
}

/// What the update function asks the outside world to do.
///
/// The console performs each one; what comes of it returns as a ``ConsoleMessage``.
package enum ConsoleCommand: Hashable, Sendable {
    /// Start a run of a catalog workflow with this state text; answered by
    /// ``ConsoleMessage/runStarted(key:runID:catalogIndex:state:at:)`` or
    /// ``ConsoleMessage/runStartRejected(catalogIndex:stateJSON:reason:)``.
    case startRun(catalogIndex: Int, stateJSON: String)
    /// Answer the approval with this id.
    case answer(approvalID: Int, approved: Bool, reason: String?)
    /// Postpone the approval with this id: its run pauses and saves its checkpoint
    /// (a child workflow, which cannot pause, fails instead).
    case postpone(approvalID: Int)
    /// Write Mermaid text to `WORKFLOW.mmd` in the current folder; answered by
    /// ``ConsoleMessage/mermaidSaved(path:)`` or ``ConsoleMessage/mermaidNotSaved(path:reason:)``.
    case saveMermaid(workflow: String, text: String)
    /// Leave: postpone every waiting approval, then give the terminal back.
    case quit
}

/// The console's pure update: a message changes the model and may ask for commands.
///
/// Nothing else changes the model. Keys are looked up in the key map of the
/// current ``ConsoleMode``; a key no binding holds does nothing.
package enum ConsoleUpdate {
    /// Applies a message.
    package static func update(_ model: inout ConsoleModel, _ message: ConsoleMessage) -> [ConsoleCommand] {
        switch message {
        case .key(let key):
            guard let action = ConsoleMode(model).action(for: key) else { return [] }
            return perform(action, key: key, in: &model)
        case .resize(let width, let height):
            model.width = width
            model.height = height
            return []
        case .tick(let now):
            model.now = now
            return []
        case .runStarted(let key, let runID, let index, let state, let at):
            advanceClock(&model, to: at)
            let item = model.catalog[index]
            let steps = item.graph.nodes.filter { $0.kind == .step }.map {
                StepRow(name: $0.label, gated: $0.requiresApproval)
            }
            model.runs.append(
                RunView(
                    key: key, runID: runID, workflowName: item.name, catalogIndex: index, startedAt: at, steps: steps,
                    state: state))
            model.editor = nil
            model.screen = .run(key)
            model.runFocus = .steps
            return []
        case .runStartRejected(let index, let text, let reason):
            // Started from the command line there is no editor yet: open one on the text.
            if model.editor == nil { model.editor = StateEditor(catalogIndex: index, text: text) }
            model.editor?.error = reason
            return []
        case .event(let runKey, let event, let at):
            if let at { advanceClock(&model, to: at) }
            guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else { return [] }
            RunEvents.apply(event, to: &model.runs[index], at: at ?? model.now)
            if model.prompt?.runKey == runKey, model.runs[index].pendingApprovals.isEmpty { model.prompt = nil }
            return []
        case .approvalNeeded(let runKey, let approvalID, let request):
            guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else { return [] }
            model.runs[index].pendingApprovals.append(PendingApproval(id: approvalID, request: request))
            if model.screen == .run(runKey), model.prompt == nil, model.overlay == nil, model.editor == nil {
                model.prompt = ApprovalPrompt(runKey: runKey)
            }
            return []
        case .runFinished(let runKey, let status, let path, let at):
            advanceClock(&model, to: at)
            guard let index = model.runs.firstIndex(where: { $0.key == runKey }) else { return [] }
            model.runs[index].status = status
            model.runs[index].checkpointPath = path
            model.runs[index].finishedAt = at
            model.runs[index].pendingApprovals = []
            if model.prompt?.runKey == runKey { model.prompt = nil }
            if let path { model.notice = "\(model.runs[index].workflowName) paused; checkpoint saved to \(path)" }
            return []
        case .mermaidSaved(let path):
            model.notice = "Mermaid saved to \(path)"
            return []
        case .mermaidNotSaved(let path, let reason):
            model.notice = "cannot save \(path): \(reason)"
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

    /// How often the console needs a `.tick`: four times a second while a step
    /// runs (its spinner, a retry countdown), once a second while a run is only
    /// active (its elapsed time, waiting for approval), and never otherwise, so an
    /// idle console sleeps until a key or an event arrives.
    package static func tickInterval(for model: ConsoleModel) -> Duration? {
        let active = model.runs.filter { $0.status == .running }
        if active.isEmpty { return nil }
        return active.contains { $0.steps.contains { $0.status == .running } } ? .milliseconds(250) : .seconds(1)
    }

    /// A message stamped with a time also tells the time: the clock never goes back.
    private static func advanceClock(_ model: inout ConsoleModel, to time: Date) {
        if time > model.now { model.now = time }
    }

    // MARK: - Keys

    private static func perform(_ action: KeyAction, key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        switch action {
        case .showHelp:
            model.overlay = .help
        case .quit:
            return requestQuit(&model)
        case .moveSelection(let delta):
            moveHome(by: delta, &model)
        case .switchList:
            model.homeFocus = model.homeFocus == .catalog && !model.runs.isEmpty ? .runs : .catalog
        case .openSelection:
            if model.homeFocus == .catalog, model.catalog.indices.contains(model.catalogSelection) {
                model.editor = StateEditor(
                    catalogIndex: model.catalogSelection, text: model.catalog[model.catalogSelection].defaultStateText)
            } else if model.homeFocus == .runs, model.runs.indices.contains(model.runSelection) {
                openRun(model.runs[model.runSelection].key, &model)
            }
        case .showCatalogMermaid:
            if model.catalog.indices.contains(model.catalogSelection) {
                let item = model.catalog[model.catalogSelection]
                model.overlay = .mermaid(workflow: item.name, text: item.graph.mermaid())
            }
        case .goHome, .switchPane, .scroll, .fold, .openPrompt, .showRunMermaid, .newRun, .switchRun:
            runViewAction(action, in: &model)
        case .approve, .deny, .postpone, .editReason, .closePrompt, .endReason, .deleteReasonCharacter, .typeReason:
            return promptAction(action, key: key, in: &model)
        case .closeOverlay:
            model.overlay = nil
        case .confirmQuit:
            model.overlay = nil
            model.quitting = true
            return [.quit]
        case .saveMermaid:
            guard case .mermaid(let workflow, let text) = model.overlay else { return [] }
            model.overlay = nil
            return [.saveMermaid(workflow: workflow, text: text)]
        case .cancelEditor, .runEditor, .moveCursor, .newline, .deleteBackward, .insert:
            return editorAction(action, key: key, in: &model)
        }
        return []
    }

    private static func requestQuit(_ model: inout ConsoleModel) -> [ConsoleCommand] {
        if model.hasActiveRuns {
            model.overlay = .confirmQuit
            return []
        }
        model.quitting = true
        return [.quit]
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

    // MARK: Run view

    private static func runViewAction(_ action: KeyAction, in model: inout ConsoleModel) {
        guard case .run(let runKey) = model.screen, let index = model.runs.firstIndex(where: { $0.key == runKey })
        else { return }
        switch action {
        case .goHome:
            model.screen = .home
            model.homeFocus = .runs
            model.runSelection = index
        case .switchPane(let delta):
            model.runFocus = next(model.runFocus, by: delta)
        case .scroll(let delta):
            scroll(&model.runs[index], pane: model.runFocus, by: delta)
        case .fold:
            if model.runFocus == .steps, model.runs[index].steps.indices.contains(model.runs[index].selectedStep) {
                model.runs[index].steps[model.runs[index].selectedStep].expanded.toggle()
            }
        case .openPrompt:
            if model.runs[index].waiting != nil { model.prompt = ApprovalPrompt(runKey: runKey) }
        case .showRunMermaid:
            let item = model.catalog[model.runs[index].catalogIndex]
            model.overlay = .mermaid(workflow: item.name, text: item.graph.mermaid())
        case .newRun:
            // Start another run: back home on the catalog.
            model.screen = .home
            model.homeFocus = .catalog
        case .switchRun(let delta):
            let target = (index + delta + model.runs.count) % model.runs.count
            openRun(model.runs[target].key, &model)
        default:
            break
        }
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
        guard let index = all.firstIndex(of: pane) else { preconditionFailure("allCases lists every pane") }
        return all[(index + delta + all.count) % all.count]
    }

    // MARK: Approval prompt

    private static func promptAction(_ action: KeyAction, key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        guard var prompt = model.prompt else { return [] }
        let reason = prompt.reason.isEmpty ? nil : prompt.reason
        switch action {
        case .approve:
            guard let id = takeFirstApproval(prompt.runKey, &model) else { return [] }
            return [.answer(approvalID: id, approved: true, reason: reason)]
        case .deny:
            guard let id = takeFirstApproval(prompt.runKey, &model) else { return [] }
            return [.answer(approvalID: id, approved: false, reason: reason)]
        case .postpone:
            guard let id = takeFirstApproval(prompt.runKey, &model) else { return [] }
            return [.postpone(approvalID: id)]
        case .closePrompt:
            // Close without deciding: the run keeps waiting; the header badge stays.
            model.prompt = nil
            return []
        case .editReason:
            prompt.editingReason = true
        case .endReason:
            prompt.editingReason = false
        case .deleteReasonCharacter:
            if !prompt.reason.isEmpty { prompt.reason.removeLast() }
        case .typeReason:
            if case .character(let character) = key { prompt.reason.append(character) }
        default:
            break
        }
        model.prompt = prompt
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

    // MARK: State editor

    private static func editorAction(_ action: KeyAction, key: Key, in model: inout ConsoleModel) -> [ConsoleCommand] {
        guard var editor = model.editor else { return [] }
        if action == .cancelEditor {
            model.editor = nil
            return []
        }
        defer { model.editor = editor }
        switch action {
        case .runEditor:
            do {
                _ = try JSONSerialization.jsonObject(with: Data(editor.text.utf8))
            } catch {
                editor.error =
                    "not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "check the brackets and quotes")"
                return []
            }
            editor.error = nil
            return [.startRun(catalogIndex: editor.catalogIndex, stateJSON: editor.text)]
        case .moveCursor(.up): editor.row = max(0, editor.row - 1)
        case .moveCursor(.down): editor.row = min(editor.lines.count - 1, editor.row + 1)
        case .moveCursor(.left): editor.column = max(0, editor.column - 1)
        case .moveCursor(.right): editor.column += 1
        case .moveCursor(.lineStart): editor.column = 0
        case .moveCursor(.lineEnd): editor.column = editor.lines[editor.row].count
        case .newline:
            let line = editor.lines[editor.row]
            let cut = line.index(line.startIndex, offsetBy: min(editor.column, line.count))
            editor.lines[editor.row] = String(line[..<cut])
            editor.lines.insert(String(line[cut...]), at: editor.row + 1)
            editor.row += 1
            editor.column = 0
        case .deleteBackward:
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
        case .insert:
            guard case .character(let character) = key else { break }
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
