/// The left-to-right order of the objects in each layer, chosen to reduce edge
/// crossings: barycenter sweeps down and up the layers, ties broken by
/// declaration order, keeping the order with the fewest crossings seen.
///
/// The result depends only on the graph, so the same graph always gets the same
/// order (and the same drawing).
struct LayerOrdering {
    /// The objects of each layer, left to right.
    private(set) var layers: [[Int32]]
    /// Each object's index in its layer.
    private(set) var position: [Int32]
    /// The number of crossings between segments in the chosen order.
    private(set) var crossings: Int

    /// Where a segment sits among its upper object's edges (`below`) and its lower
    /// object's edges (`above`), as a fraction of a position: the children of one
    /// step line up in the order its routes are declared.
    private let subPosition: [(below: Double, above: Double)]

    init(_ graph: LayeredGraph, sweeps: Int = 6) {
        var subPosition = [(below: Double, above: Double)](repeating: (0, 0), count: graph.segmentCount)
        for object in 0..<graph.objectCount {
            let downFirst = Int(graph.downStart[object])
            let downCount = Int(graph.downStart[object + 1]) - downFirst
            for slot in downFirst..<(downFirst + downCount) {
                subPosition[Int(graph.downSegments[slot])].below = Double(slot - downFirst) / Double(downCount + 1)
            }
            let upFirst = Int(graph.upStart[object])
            let upCount = Int(graph.upStart[object + 1]) - upFirst
            for slot in upFirst..<(upFirst + upCount) {
                subPosition[Int(graph.upSegments[slot])].above = Double(slot - upFirst) / Double(upCount + 1)
            }
        }
        self.subPosition = subPosition
        layers = graph.layers
        position = [Int32](repeating: 0, count: graph.objectCount)
        crossings = 0
        Self.updatePositions(layers, into: &position)
        // The first pass places each layer under its predecessors.
        sweep(graph, downwards: true)
        crossings = Self.countCrossings(graph, layers: layers, position: position)
        var best = (layers, position, crossings)
        var downwards = false
        var idle = 0
        // Sweep until the crossings stop falling for two sweeps (one each way).
        for _ in 0..<sweeps where best.2 > 0 && idle < 2 {
            sweep(graph, downwards: downwards)
            downwards.toggle()
            let count = Self.countCrossings(graph, layers: layers, position: position)
            if count < best.2 {
                best = (layers, position, count)
                idle = 0
            } else {
                idle += 1
            }
        }
        (layers, position, crossings) = best
    }

    /// Reorders every layer by the mean position of its neighbours in the layer
    /// above (`downwards`) or below.
    private mutating func sweep(_ graph: LayeredGraph, downwards: Bool) {
        let order = downwards ? Array(1..<max(1, layers.count)) : Array((0..<max(0, layers.count - 1)).reversed())
        var keyed: [(Double, Int64, Int32)] = []
        for layer in order {
            keyed.removeAll(keepingCapacity: true)
            for object in layers[layer] {
                let o = Int(object)
                var sum = 0.0
                var count = 0
                if downwards {
                    for slot in Int(graph.upStart[o])..<Int(graph.upStart[o + 1]) {
                        let segment = Int(graph.upSegments[slot])
                        sum += Double(position[Int(graph.segmentUpper[segment])]) + subPosition[segment].below
                        count += 1
                    }
                } else {
                    for slot in Int(graph.downStart[o])..<Int(graph.downStart[o + 1]) {
                        let segment = Int(graph.downSegments[slot])
                        sum += Double(position[Int(graph.segmentLower[segment])]) + subPosition[segment].above
                        count += 1
                    }
                }
                let barycenter = count > 0 ? sum / Double(count) : Double(position[o])
                keyed.append((barycenter, graph.tieKey[o], object))
            }
            keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            for (index, entry) in keyed.enumerated() {
                layers[layer][index] = entry.2
                position[Int(entry.2)] = Int32(index)
            }
        }
    }

    private static func updatePositions(_ layers: [[Int32]], into position: inout [Int32]) {
        for layer in layers {
            for (index, object) in layer.enumerated() { position[Int(object)] = Int32(index) }
        }
    }

    /// Segment crossings between every pair of adjacent layers (inversions of the
    /// lower ends when the segments are listed by their upper ends).
    static func countCrossings(_ graph: LayeredGraph, layers: [[Int32]], position: [Int32]) -> Int {
        var total = 0
        var lowers: [Int32] = []
        var tree: [Int32] = []
        for layer in 0..<max(0, layers.count - 1) {
            lowers.removeAll(keepingCapacity: true)
            for object in layers[layer] {
                let o = Int(object)
                let first = lowers.count
                for slot in Int(graph.downStart[o])..<Int(graph.downStart[o + 1]) {
                    lowers.append(position[Int(graph.segmentLower[Int(graph.downSegments[slot])])])
                }
                if lowers.count - first > 1 { lowers[first...].sort() }
            }
            guard lowers.count > 1 else { continue }
            // Fenwick tree over the lower layer's positions: count earlier segments ending further right.
            let size = layers[layer + 1].count
            tree.removeAll(keepingCapacity: true)
            tree.append(contentsOf: repeatElement(0, count: size + 1))
            for (seen, lower) in lowers.enumerated() {
                var index = Int(lower) + 1
                var notGreater = 0
                while index > 0 {
                    notGreater += Int(tree[index])
                    index -= index & -index
                }
                total += seen - notGreater
                index = Int(lower) + 1
                while index <= size {
                    tree[index] += 1
                    index += index & -index
                }
            }
        }
        return total
    }
}
