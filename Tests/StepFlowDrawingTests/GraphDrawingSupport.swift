import Foundation
import StepFlow
import StepFlowDrawing
import Testing

// Helpers for the graph drawing tests: a checker that traces edges on the drawn
// grid. Graphs written as step lists, the seeded random graphs and the golden
// files come from StepFlowTestSupport.

// MARK: Tracing edges on the drawn grid

/// The drawing as a grid of display cells; a wide character's second cell is `nil`.
struct DrawnGrid {
    let cells: [[Character?]]

    init(_ lines: [String]) {
        cells = lines.map { line in
            var row: [Character?] = []
            for character in line {
                row.append(character)
                if DisplayWidth.width(of: character) == 2 { row.append(nil) }
            }
            return row
        }
    }

    subscript(row: Int, column: Int) -> Character? {
        guard row >= 0, row < cells.count, column >= 0, column < cells[row].count else { return " " }
        return cells[row][column]
    }

    /// The text from a cell to the end of its row.
    func text(row: Int, from column: Int) -> String {
        guard row >= 0, row < cells.count, column < cells[row].count else { return "" }
        return String(cells[row][max(0, column)...].compactMap { $0 })
    }
}

/// Reads the edges of a layered drawing back from its characters.
///
/// From every port on a box's bottom border it follows the line cell by cell:
/// `│ ─` keep going, a corner turns, `┼` crosses straight over, and the walk must
/// end on a `▼` in the top border of a box. Any other character on the way
/// (a blank, text, a box) is a broken or misdrawn edge.
struct EdgeTracer {
    struct Trace: Equatable {
        /// The node the port belongs to and the node the line reaches.
        let source: String
        let target: String
        /// The text written from the label column, beside the line just under the box.
        let besideText: String
    }

    let grid: DrawnGrid
    let frames: [String: GraphDrawing.Frame]
    /// The node id whose box covers each cell.
    private var owner: [[String?]]

    private static let masks: [Character: UInt8] = [
        "│": 3, "─": 12, "┌": 10, "┐": 6, "└": 9, "┘": 5, "┼": 15,
    ]

    init(lines: [String], frames: [String: GraphDrawing.Frame]) {
        grid = DrawnGrid(lines)
        self.frames = frames
        let width = grid.cells.map(\.count).max() ?? 0
        var owner = [[String?]](repeating: [String?](repeating: nil, count: width), count: grid.cells.count)
        for (id, frame) in frames {
            for row in frame.row..<(frame.row + frame.height) where row < owner.count {
                for column in frame.column..<(frame.column + frame.width) where column < width {
                    owner[row][column] = id
                }
            }
        }
        self.owner = owner
    }

    private func ownerOf(_ row: Int, _ column: Int) -> String? {
        guard row >= 0, row < owner.count, column >= 0, column < owner[row].count else { return nil }
        return owner[row][column]
    }

    /// Every edge found by following the lines from every box's ports.
    func traces() throws -> [Trace] {
        var result: [Trace] = []
        for (id, frame) in frames.sorted(by: { $0.key < $1.key }) {
            let bottom = frame.row + frame.height - 1
            for column in (frame.column + 1)..<(frame.column + frame.width - 1) {
                guard let glyph = grid[bottom, column], glyph == "┬" || glyph == "╤" else { continue }
                let target = try follow(fromRow: bottom + 1, column: column, source: id)
                result.append(
                    Trace(source: id, target: target, besideText: grid.text(row: bottom + 1, from: column + 2)))
            }
        }
        return result
    }

    struct Broken: Error, CustomStringConvertible {
        let description: String
    }

    private func follow(fromRow startRow: Int, column startColumn: Int, source: String) throws -> String {
        var (row, column) = (startRow, startColumn)
        var direction: UInt8 = 2  // moving down
        var steps = 0
        let limit = grid.cells.count * max(1, grid.cells.map(\.count).max() ?? 1) + 1
        while steps < limit {
            steps += 1
            let glyph = grid[row, column]
            if glyph == "▼" {
                guard direction == 2, let target = ownerOf(row, column), frames[target]?.row == row else {
                    throw Broken(description: "arrow at row \(row) column \(column) is not on a box's top border")
                }
                return target
            }
            if let box = ownerOf(row, column) {
                throw Broken(description: "edge from \(source) runs into box \(box) at row \(row) column \(column)")
            }
            guard let glyph, let mask = Self.masks[glyph] else {
                throw Broken(
                    description:
                        "edge from \(source) breaks at row \(row) column \(column) ('\(grid[row, column].map(String.init) ?? "wide")')"
                )
            }
            let arrivedFrom: UInt8 =
                switch direction {
                case 1: 2
                case 2: 1
                case 4: 8
                default: 4
                }
            guard mask & arrivedFrom != 0 else {
                throw Broken(
                    description:
                        "edge from \(source) meets '\(glyph)' from the wrong side at row \(row) column \(column)")
            }
            if mask != 15 { direction = mask & ~arrivedFrom }
            switch direction {
            case 1: row -= 1
            case 2: row += 1
            case 4: column -= 1
            case 8: column += 1
            default: throw Broken(description: "junction '\(glyph)' at row \(row) column \(column)")
            }
        }
        throw Broken(description: "edge from \(source) loops")
    }
}

/// Whether drawn text shows `key`: in full, or clipped with an ellipsis.
func showsLabel(_ text: String, _ key: String) -> Bool {
    if text == key || text.hasPrefix(key + " ") { return true }
    guard let ellipsis = text.firstIndex(of: "…") else { return false }
    let prefix = String(text[..<ellipsis])
    return key.hasPrefix(prefix) && DisplayWidth.width(of: key) > DisplayWidth.width(of: prefix)
}

/// Checks a layered drawing of `graph`: boxes apart, every edge traced from its
/// source's box to its target's, every route key beside its own edge.
func checkLayeredDrawing(_ graph: WorkflowGraph, _ drawing: GraphDrawing) throws -> [String] {
    var problems: [String] = []
    let frames = drawing.frames
    let sorted = frames.sorted { $0.key < $1.key }
    for (i, a) in sorted.enumerated() {
        for b in sorted[(i + 1)...] {
            let apart =
                a.value.column + a.value.width <= b.value.column || b.value.column + b.value.width <= a.value.column
                || a.value.row + a.value.height <= b.value.row || b.value.row + b.value.height <= a.value.row
            if !apart { problems.append("boxes \(a.key) and \(b.key) overlap") }
        }
    }
    let tracer = EdgeTracer(lines: drawing.lines, frames: frames)
    var traces = try tracer.traces()
    for edge in graph.edges {
        let index = traces.firstIndex { trace in
            trace.source == edge.source && trace.target == edge.target
                && (edge.routeKey.map { showsLabel(trace.besideText, $0) } ?? true)
        }
        if let index {
            traces.remove(at: index)
        } else {
            problems.append("edge \(edge.source) -\(edge.routeKey ?? "")-> \(edge.target) not found in the drawing")
        }
    }
    for trace in traces { problems.append("extra line from \(trace.source) to \(trace.target)") }
    return problems
}

/// Checks a compact drawing: each route is listed under its source's box.
func checkCompactDrawing(_ graph: WorkflowGraph, _ drawing: GraphDrawing) -> [String] {
    var problems: [String] = []
    let labels = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0.label) })
    let starts = graph.nodes.compactMap { drawing.frames[$0.id]?.row }.sorted()
    for node in graph.nodes {
        guard let frame = drawing.frames[node.id] else {
            problems.append("no box for \(node.id)")
            continue
        }
        let end = starts.first { $0 > frame.row } ?? drawing.lines.count
        let listed = drawing.lines[(frame.row + frame.height)..<end].map { String($0.dropFirst(3)) }
        let outgoing = graph.edges.filter { $0.source == node.id }
        if listed.isEmpty, outgoing.count == 1, outgoing[0].routeKey == nil {
            continue  // drawn as an arrow into the next box
        }
        for (index, edge) in outgoing.enumerated() {
            guard index < listed.count else {
                problems.append("edge \(edge.source) -> \(edge.target) not listed")
                continue
            }
            let parts = listed[index].components(separatedBy: "─▶ ")
            guard parts.count == 2 else {
                problems.append("route line '\(listed[index])' has no arrow")
                continue
            }
            let key = parts[0]
            if let routeKey = edge.routeKey, !showsLabel(key, routeKey) {
                problems.append("route '\(routeKey)' shown as '\(key)'")
            }
            guard let label = labels[edge.target] else {
                problems.append("edge \(edge.source) -> \(edge.target) leads to no node")
                continue
            }
            if !showsLabel(parts[1], label) {
                problems.append("target '\(label)' shown as '\(parts[1])'")
            }
        }
    }
    return problems
}
