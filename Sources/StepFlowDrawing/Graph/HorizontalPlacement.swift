/// The column of every object: each layer keeps its order and its spacing, and
/// within that each object moves as close as it can to the objects it is
/// connected to, so edges run straight where they can.
///
/// 1. Passes alternate down and up the layers; in each, a layer is placed with
///    ``OrderedPlacement`` towards its neighbours in the layer just placed.
///    Dummy points weigh more than boxes, so long edges keep straight lanes and
///    boxes make room around them.
/// 2. The positions are rounded to columns, then small bends are removed: an
///    object moves sideways within the room its neighbours leave when more of
///    its segments then run straight, and a box a little too narrow to take
///    all its incoming edges straight is widened (``BoxMetrics/widen(_:left:right:graph:)``).
struct HorizontalPlacement {
    /// Each object's leftmost column.
    private(set) var x: [Int]

    /// The most columns a box is widened by to take its incoming edges straight.
    static let maximumWidening = 8

    init(graph: LayeredGraph, ordering: LayerOrdering, metrics: inout BoxMetrics, passes: Int = 5) {
        let objects = graph.objectCount
        let entryOffset = Self.entryOffsets(graph: graph, ordering: ordering, metrics: metrics)

        // Minimum distance between each object and the next one in its layer.
        var separation = [Int](repeating: 0, count: objects)
        var position = [Double](repeating: 0, count: objects)
        for layer in ordering.layers {
            var cursor = 0
            for (index, object) in layer.enumerated() {
                let a = Int(object)
                position[a] = Double(cursor)
                guard index + 1 < layer.count else { continue }
                separation[a] = Self.separation(Int(a), Int(layer[index + 1]), graph: graph, metrics: metrics)
                cursor += separation[a]
            }
        }

        var desired: [Double] = []
        var weights: [Double] = []
        var separations: [Double] = []
        for pass in 0..<passes {
            let downwards = pass % 2 == 0
            let order =
                downwards
                ? Array(1..<max(1, ordering.layers.count))
                : Array((0..<max(0, ordering.layers.count - 1)).reversed())
            for layer in order {
                let members = ordering.layers[layer]
                desired.removeAll(keepingCapacity: true)
                weights.removeAll(keepingCapacity: true)
                separations.removeAll(keepingCapacity: true)
                for object in members {
                    let o = Int(object)
                    var sum = 0.0
                    var count = 0
                    if downwards {
                        for slot in Int(graph.upStart[o])..<Int(graph.upStart[o + 1]) {
                            let segment = Int(graph.upSegments[slot])
                            let upper = Int(graph.segmentUpper[segment])
                            sum += position[upper] + Double(metrics.exitOffset[segment] - entryOffset[segment])
                            count += 1
                        }
                    } else {
                        for slot in Int(graph.downStart[o])..<Int(graph.downStart[o + 1]) {
                            let segment = Int(graph.downSegments[slot])
                            let lower = Int(graph.segmentLower[segment])
                            sum += position[lower] + Double(entryOffset[segment] - metrics.exitOffset[segment])
                            count += 1
                        }
                    }
                    if count == 0 {
                        desired.append(position[o])
                        weights.append(0.25)
                    } else {
                        desired.append(sum / Double(count))
                        weights.append(graph.nodeOf[o] < 0 ? 8 : Double(count))
                    }
                    separations.append(Double(separation[o]))
                }
                let placed = OrderedPlacement.solve(desired: desired, weights: weights, separations: separations)
                for (index, object) in members.enumerated() { position[Int(object)] = placed[index] }
            }
        }

        // Whole columns, spacing kept.
        var x = [Int](repeating: 0, count: objects)
        for layer in ordering.layers {
            var previous: Int?
            for object in layer {
                let o = Int(object)
                var column = Int((position[o] + 0.5).rounded(.down))
                if let previous { column = max(column, x[previous] + separation[previous]) }
                x[o] = column
                previous = o
            }
        }
        var tidy = Straightening(graph: graph, ordering: ordering, separation: separation)
        tidy.straighten(&x, metrics: metrics, downwards: true)
        tidy.straighten(&x, metrics: metrics, downwards: false)
        if tidy.widen(&x, metrics: &metrics, limit: Self.maximumWidening) {
            tidy.straighten(&x, metrics: metrics, downwards: true)
        }
        // Leftmost column 0.
        let leftmost = x.min() ?? 0
        if leftmost != 0 {
            for index in x.indices { x[index] -= leftmost }
        }
        self.x = x
    }

    /// The width of the widest layer with every object packed as tight as its
    /// spacing allows: no placement can be narrower.
    static func packedWidth(graph: LayeredGraph, ordering: LayerOrdering, metrics: BoxMetrics) -> Int {
        var widest = 0
        for layer in ordering.layers {
            var cursor = 0
            var reach = 0
            for (index, object) in layer.enumerated() {
                let o = Int(object)
                reach = max(reach, cursor + metrics.extent[o] + 1)
                if index + 1 < layer.count {
                    cursor += separation(o, Int(layer[index + 1]), graph: graph, metrics: metrics)
                }
            }
            widest = max(widest, reach)
        }
        return widest
    }

    /// The distance from object `a`'s left edge to the next object `b`'s: a blank
    /// column (two between boxes), and room for `a`'s route labels before `b`'s first edge.
    static func separation(_ a: Int, _ b: Int, graph: LayeredGraph, metrics: BoxMetrics) -> Int {
        separation(
            width: metrics.width[a], extent: metrics.extent[a], firstExitAfter: metrics.firstExit[b],
            bothBoxes: graph.nodeOf[a] >= 0 && graph.nodeOf[b] >= 0)
    }

    /// The same from raw sizes: the left object's width and extent, the right one's first exit.
    static func separation(width: Int, extent: Int, firstExitAfter: Int, bothBoxes: Bool) -> Int {
        max(width + (bothBoxes ? 2 : 1), extent + 2 - firstExitAfter)
    }

    /// Entries spread two columns apart, centred, in the order of their upper ends.
    private static func entryOffsets(graph: LayeredGraph, ordering: LayerOrdering, metrics: BoxMetrics) -> [Int] {
        var offsets = [Int](repeating: 0, count: graph.segmentCount)
        var entries: [(Int32, Int, Int32)] = []
        for object in 0..<graph.objectCount where graph.nodeOf[object] >= 0 {
            let first = Int(graph.upStart[object])
            let last = Int(graph.upStart[object + 1])
            guard last > first else { continue }
            entries.removeAll(keepingCapacity: true)
            for slot in first..<last {
                let segment = graph.upSegments[slot]
                entries.append(
                    (
                        ordering.position[Int(graph.segmentUpper[Int(segment)])], metrics.exitOffset[Int(segment)],
                        segment
                    ))
            }
            entries.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            let start = (metrics.width[object] - 1 - 2 * (entries.count - 1)) / 2
            for (index, entry) in entries.enumerated() { offsets[Int(entry.2)] = start + 2 * index }
        }
        return offsets
    }
}
