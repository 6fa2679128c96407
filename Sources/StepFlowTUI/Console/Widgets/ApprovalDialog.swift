import StepFlow

/// The approval prompt: what is asked and by which step, the state it would act on, the reason, the keys.
///
/// The reason shown is the one typed so far. Nothing is decided here.
struct ApprovalDialog: Widget {
    let prompt: ApprovalPrompt
    let request: ApprovalRequest
    /// How many approvals the run waits for (the prompt answers the first).
    let pendingCount: Int
    let theme: Theme
    /// The keys of this mode, from its key map (the footer shows the same).
    let keys: String

    func draw(into grid: inout CellGrid, area: Rect) {
        let title = pendingCount > 1 ? "Approval needed (1 of \(pendingCount))" : "Approval needed"
        let box = Dialog.frame(width: 72, height: 16, title: title, ascii: theme.ascii, in: area, into: &grid)
        var lines: [TextLines.Line] = [
            .init("Workflow: \(request.workflowName)  (run \(request.runID.prefix(8)))"),
            .init("Step:     \(request.stepName)", style: CellStyle(bold: true)),
            .init("Message:  \(request.message ?? "(none)")"),
            .init("Metadata: \(PromptApprover.summary(.object(request.metadata)))"),
            .init("State:    \(PromptApprover.summary(request.state.json))"),
            .init(""),
            .init(
                "Reason:   \(prompt.reason)\(prompt.editingReason ? "_" : "")",
                style: prompt.editingReason ? CellStyle(reverse: true) : .plain),
            .init(""),
        ]
        lines.append(.init(keys, style: prompt.editingReason ? CellStyle(dim: true) : CellStyle(bold: true)))
        lines.append(.init("Nothing is approved until you press a.", style: CellStyle(dim: true)))
        TextLines(lines: lines).draw(into: &grid, area: box.inset(rows: 1, columns: 2))
    }
}
