/// Orthogonal routes for every segment in the gaps between layers.
///
/// A segment leaves its upper object at an exit column, runs down to a
/// horizontal track of its own, across to its entry column, and down into its
/// lower object. Tracks that do not overlap share a row. A segment whose exit
/// column is another segment's entry column must turn before that one arrives;
/// when such rules form a cycle, one segment first steps aside to a free column
/// on a row above all tracks (a dogleg). Gap rows, top to bottom: the route
/// label row (if any label starts in the gap), dogleg rows, track rows.
struct EdgeRouting {
    /// Each segment's column where it leaves its upper object.
    private(set) var exitColumn: [Int]
    /// Each segment's column where it enters its lower object.
    private(set) var entryColumn: [Int]
    /// Each segment's track, as a row offset within its gap, or -1 when it runs straight down.
    private(set) var trackRow: [Int]
    /// Each dogleg's row offset within its gap, or -1.
    private(set) var jogRow: [Int]
    /// Each dogleg's free column, or -1.
    private(set) var jogColumn: [Int]
    /// Rows in each gap (at least 1).
    private(set) var gapHeight: [Int]
    /// Columns the drawing needs.
    private(set) var width: Int

    init(graph: LayeredGraph, ordering: LayerOrdering, metrics: BoxMetrics, x: [Int]) {
        let segments = graph.segmentCount
        exitColumn = [Int](repeating: 0, count: segments)
        entryColumn = [Int](repeating: 0, count: segments)
        trackRow = [Int](repeating: -1, count: segments)
        jogRow = [Int](repeating: -1, count: segments)
        jogColumn = [Int](repeating: -1, count: segments)
        let gaps = max(0, ordering.layers.count - 1)
        gapHeight = [Int](repeating: 1, count: gaps)
        width = 0

        var width = 0
        for object in 0..<graph.objectCount { width = max(width, x[object] + metrics.extent[object] + 1) }
        for segment in 0..<segments {
            exitColumn[segment] = x[Int(graph.segmentUpper[segment])] + metrics.exitOffset[segment]
        }
        assignEntries(graph: graph, ordering: ordering, metrics: metrics, x: x)

        // Which segment leaves at each column, for the gap being routed.
        var exitAt = [Int32](repeating: -1, count: width + 2)
        var used = [Bool](repeating: false, count: width + 2)
        var members: [Int] = []
        var router = GapRouter()
        for gap in 0..<gaps {
            members.removeAll(keepingCapacity: true)
            var labels = false
            for object in ordering.layers[gap] {
                let o = Int(object)
                for slot in Int(graph.downStart[o])..<Int(graph.downStart[o + 1]) {
                    let segment = Int(graph.downSegments[slot])
                    members.append(segment)
                    if metrics.labelWidth[segment] > 0 { labels = true }
                }
            }
            let (jogs, tracks) = router.route(
                members, exit: exitColumn, entry: entryColumn, exitAt: &exitAt, used: &used, width: &width,
                trackRow: &trackRow, jogRow: &jogRow, jogColumn: &jogColumn)
            let top = labels ? 1 : 0
            for segment in members {
                if trackRow[segment] >= 0 { trackRow[segment] += top + jogs }
                if jogRow[segment] >= 0 { jogRow[segment] += top }
            }
            gapHeight[gap] = max(1, top + jogs + tracks)
        }
        self.width = width
    }

    /// Entry columns: a dummy's own column; in a box, as close above each source's
    /// exit as the box allows, two columns apart, inside the borders.
    private mutating func assignEntries(graph: LayeredGraph, ordering: LayerOrdering, metrics: BoxMetrics, x: [Int]) {
        var entries: [(Int, Int)] = []
        var desired: [Double] = []
        for object in 0..<graph.objectCount {
            let first = Int(graph.upStart[object])
            let last = Int(graph.upStart[object + 1])
            guard last > first else { continue }
            if graph.nodeOf[object] < 0 {
                for slot in first..<last { entryColumn[Int(graph.upSegments[slot])] = x[object] }
                continue
            }
            entries.removeAll(keepingCapacity: true)
            for slot in first..<last {
                let segment = Int(graph.upSegments[slot])
                entries.append((exitColumn[segment], segment))
            }
            entries.sort { $0.0 < $1.0 }
            let count = entries.count
            let low = x[object] + 1
            let high = x[object] + metrics.width[object] - 2
            desired.removeAll(keepingCapacity: true)
            for (index, entry) in entries.enumerated() {
                desired.append(Double(min(max(entry.0, low + 2 * index), high - 2 * (count - 1 - index))))
            }
            let placed = OrderedPlacement.solve(
                desired: desired, weights: [Double](repeating: 1, count: count),
                separations: [Double](repeating: 2, count: count))
            var columns = placed.map { Int(($0 + 0.5).rounded(.down)) }
            for index in 0..<count {
                columns[index] = max(columns[index], index == 0 ? low : columns[index - 1] + 2)
            }
            for index in stride(from: count - 1, through: 0, by: -1) {
                columns[index] = min(columns[index], index == count - 1 ? high : columns[index + 1] - 2)
            }
            for (index, entry) in entries.enumerated() { entryColumn[entry.1] = columns[index] }
        }
    }
}
