/// The second stage of ``HorizontalPlacement``: sideways moves and widenings
/// that only ever reduce the number of bent segments.
struct Straightening {
    let graph: LayeredGraph
    let ordering: LayerOrdering
    var separation: [Int]
    private var candidates: [Int] = []
    private var group: [Int] = []

    init(graph: LayeredGraph, ordering: LayerOrdering, separation: [Int]) {
        self.graph = graph
        self.ordering = ordering
        self.separation = separation
    }

    /// Whether a segment can run straight down: its exit column lies over its lower end's entry range.
    private func straight(_ segment: Int, _ x: [Int], _ metrics: BoxMetrics) -> Bool {
        let column = x[Int(graph.segmentUpper[segment])] + metrics.exitOffset[segment]
        let lower = Int(graph.segmentLower[segment])
        if graph.nodeOf[lower] < 0 { return column == x[lower] }
        return column >= x[lower] + 1 && column <= x[lower] + metrics.width[lower] - 2
    }

    private func bends(_ o: Int, _ x: [Int], _ metrics: BoxMetrics) -> Int {
        var count = 0
        for slot in Int(graph.upStart[o])..<Int(graph.upStart[o + 1])
        where !straight(Int(graph.upSegments[slot]), x, metrics) {
            count += 1
        }
        for slot in Int(graph.downStart[o])..<Int(graph.downStart[o + 1])
        where !straight(Int(graph.downSegments[slot]), x, metrics) {
            count += 1
        }
        return count
    }

    /// One pass over the layers: each object takes the shift that leaves the fewest bends, if fewer than now.
    ///
    /// The shifts tried are those that straighten one of the object's segments.
    /// A dummy moves together with the rest of its lane in the pass's direction
    /// (up to ``laneLimit`` dummies), so a lane shifts as a whole.
    mutating func straighten(_ x: inout [Int], metrics: BoxMetrics, downwards: Bool) {
        let layerCount = ordering.layers.count
        for step in 0..<layerCount {
            let members = ordering.layers[downwards ? step : layerCount - 1 - step]
            for object in members {
                let o = Int(object)
                let current = bends(o, x, metrics)
                guard current > 0 else { continue }
                collectShifts(o, x, metrics)
                lane(from: o, downwards: downwards)
                var before = 0
                for member in group { before += bends(member, x, metrics) }
                var best = (count: before, shift: 0)
                for shift in candidates where shift != 0 && fits(shift, x) {
                    for member in group { x[member] += shift }
                    var count = 0
                    for member in group { count += bends(member, x, metrics) }
                    for member in group { x[member] -= shift }
                    if count < best.count
                        || (count == best.count && best.shift != 0
                            && (abs(shift), shift) < (abs(best.shift), best.shift))
                    {
                        best = (count, shift)
                    }
                }
                if best.shift != 0 {
                    for member in group { x[member] += best.shift }
                }
            }
        }
    }

    /// The most dummies of one lane moved together.
    static let laneLimit = 64

    /// The objects moved together with `o`: `o`, and if it is a dummy, the
    /// dummies after it along its edge in the direction of the pass.
    private mutating func lane(from o: Int, downwards: Bool) {
        group.removeAll(keepingCapacity: true)
        group.append(o)
        var current = o
        while graph.nodeOf[current] < 0 && group.count < Self.laneLimit {
            let next =
                downwards
                ? Int(graph.segmentLower[Int(graph.downSegments[Int(graph.downStart[current])])])
                : Int(graph.segmentUpper[Int(graph.upSegments[Int(graph.upStart[current])])])
            guard graph.nodeOf[next] < 0 else { break }
            group.append(next)
            current = next
        }
    }

    /// Whether every object of the group can move by `shift` within the room its neighbours leave.
    private func fits(_ shift: Int, _ x: [Int]) -> Bool {
        for member in group {
            let layer = ordering.layers[Int(graph.layerOf[member])]
            let index = Int(ordering.position[member])
            let target = x[member] + shift
            if index > 0, target < x[Int(layer[index - 1])] + separation[Int(layer[index - 1])] { return false }
            if index + 1 < layer.count, target + separation[member] > x[Int(layer[index + 1])] { return false }
        }
        return true
    }

    /// The shifts that would make each of `o`'s segments straight.
    private mutating func collectShifts(_ o: Int, _ x: [Int], _ metrics: BoxMetrics) {
        candidates.removeAll(keepingCapacity: true)
        let isDummy = graph.nodeOf[o] < 0
        let left = x[o] + 1
        let right = x[o] + metrics.width[o] - 2
        for slot in Int(graph.upStart[o])..<Int(graph.upStart[o + 1]) {
            let segment = Int(graph.upSegments[slot])
            let column = x[Int(graph.segmentUpper[segment])] + metrics.exitOffset[segment]
            if isDummy {
                candidates.append(column - x[o])
            } else if column < left {
                candidates.append(column - left)
            } else if column > right {
                candidates.append(column - right)
            }
        }
        for slot in Int(graph.downStart[o])..<Int(graph.downStart[o + 1]) {
            let segment = Int(graph.downSegments[slot])
            let column = x[o] + metrics.exitOffset[segment]
            let lower = Int(graph.segmentLower[segment])
            if graph.nodeOf[lower] < 0 {
                candidates.append(x[lower] - column)
            } else if column < x[lower] + 1 {
                candidates.append(x[lower] + 1 - column)
            } else if column > x[lower] + metrics.width[lower] - 2 {
                candidates.append(x[lower] + metrics.width[lower] - 2 - column)
            }
        }
    }

    /// Widens boxes whose incoming edges come from a little wider than their top
    /// border, when the neighbours leave room; returns whether any box changed.
    mutating func widen(_ x: inout [Int], metrics: inout BoxMetrics, limit: Int) -> Bool {
        var changed = false
        for members in ordering.layers {
            for (index, object) in members.enumerated() {
                let o = Int(object)
                let first = Int(graph.upStart[o])
                let last = Int(graph.upStart[o + 1])
                guard graph.nodeOf[o] >= 0, last - first > 1 else { continue }
                var lowest = Int.max
                var highest = Int.min
                for slot in first..<last {
                    let segment = Int(graph.upSegments[slot])
                    let column = x[Int(graph.segmentUpper[segment])] + metrics.exitOffset[segment]
                    lowest = min(lowest, column)
                    highest = max(highest, column)
                }
                let left = max(0, x[o] + 1 - lowest)
                let right = max(0, highest - (x[o] + metrics.width[o] - 2))
                guard left + right > 0, left + right <= limit else { continue }
                // The box's new size, and the spacing it then needs from its neighbours.
                let newX = x[o] - left
                let newWidth = metrics.width[o] + left + right
                let newExtent = max(metrics.extent[o] + left, newWidth - 1)
                let hasExits = graph.downStart[o] < graph.downStart[o + 1]
                let newFirstExit = metrics.firstExit[o] + (hasExits ? left : 0)
                let previous = index > 0 ? Int(members[index - 1]) : nil
                let next = index + 1 < members.count ? Int(members[index + 1]) : nil
                let leftGap = previous.map {
                    HorizontalPlacement.separation(
                        width: metrics.width[$0], extent: metrics.extent[$0], firstExitAfter: newFirstExit,
                        bothBoxes: graph.nodeOf[$0] >= 0)
                }
                let rightGap = next.map {
                    HorizontalPlacement.separation(
                        width: newWidth, extent: newExtent, firstExitAfter: metrics.firstExit[$0],
                        bothBoxes: graph.nodeOf[$0] >= 0)
                }
                if let previous, let leftGap, x[previous] + leftGap > newX { continue }
                if let next, let rightGap, newX + rightGap > x[next] { continue }
                metrics.widen(o, left: left, right: right, graph: graph)
                x[o] = newX
                if let previous, let leftGap { separation[previous] = leftGap }
                if let rightGap { separation[o] = rightGap }
                changed = true
            }
        }
        return changed
    }
}
