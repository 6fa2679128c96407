/// The graph cut into layers, top to bottom: each node on the layer after the
/// longest path leading to it, END alone on the last layer, and a dummy point on
/// every layer a long edge crosses, so that edge gets a lane of its own.
///
/// Nodes and dummies are both *objects*; an edge is a chain of *segments*, one
/// per gap between layers, from its upper end down to its lower end. Every
/// array here is indexed by object or segment number, for speed.
struct LayeredGraph {
    /// The layer of each object.
    private(set) var layerOf: [Int32] = []
    /// The node of each object, or -1 for a dummy.
    private(set) var nodeOf: [Int32] = []
    /// The edge (index into `DrawingInput.edges`) a dummy belongs to, or -1.
    private(set) var edgeOf: [Int32] = []
    /// A declaration-order key breaking ties when ordering a layer.
    private(set) var tieKey: [Int64] = []
    /// The objects of each layer, in declaration order.
    private(set) var layers: [[Int32]] = []

    /// Segment ends: the object above and the object below.
    private(set) var segmentUpper: [Int32] = []
    private(set) var segmentLower: [Int32] = []
    /// The edge each segment belongs to.
    private(set) var segmentEdge: [Int32] = []
    /// Each edge's first (topmost) segment; its segments are consecutive.
    private(set) var edgeFirstSegment: [Int32] = []
    /// Each edge's number of segments.
    private(set) var edgeSegmentCount: [Int32] = []

    /// Segments leaving each object downwards: `downSegments[downStart[o]..<downStart[o+1]]`.
    private(set) var downStart: [Int32] = []
    private(set) var downSegments: [Int32] = []
    /// Segments reaching each object from above.
    private(set) var upStart: [Int32] = []
    private(set) var upSegments: [Int32] = []

    var objectCount: Int { layerOf.count }
    var segmentCount: Int { segmentUpper.count }
    var layerCount: Int { layers.count }

    init(_ input: DrawingInput) {
        let nodeCount = input.nodes.count
        let layerOfNode = Self.assignLayers(input)
        let layerCount = (layerOfNode.max() ?? -1) + 1

        // Objects: the nodes first (object n is node n), then dummies as edges need them.
        let dummyCount = input.edges.reduce(0) { $0 + max(0, layerOfNode[$1.lower] - layerOfNode[$1.upper] - 1) }
        let objectCount = nodeCount + dummyCount
        layerOf.reserveCapacity(objectCount)
        nodeOf.reserveCapacity(objectCount)
        edgeOf.reserveCapacity(objectCount)
        tieKey.reserveCapacity(objectCount)
        for node in 0..<nodeCount {
            layerOf.append(Int32(layerOfNode[node]))
            nodeOf.append(Int32(node))
            edgeOf.append(-1)
            tieKey.append(Int64(node) << 32)
        }

        let segmentTotal = input.edges.reduce(0) { $0 + layerOfNode[$1.lower] - layerOfNode[$1.upper] }
        segmentUpper.reserveCapacity(segmentTotal)
        segmentLower.reserveCapacity(segmentTotal)
        segmentEdge.reserveCapacity(segmentTotal)
        edgeFirstSegment.reserveCapacity(input.edges.count)
        edgeSegmentCount.reserveCapacity(input.edges.count)
        for (position, edge) in input.edges.enumerated() {
            let top = layerOfNode[edge.upper]
            let bottom = layerOfNode[edge.lower]
            edgeFirstSegment.append(Int32(segmentUpper.count))
            edgeSegmentCount.append(Int32(bottom - top))
            var previous = Int32(edge.upper)
            for layer in (top + 1)..<bottom {
                let dummy = Int32(layerOf.count)
                layerOf.append(Int32(layer))
                nodeOf.append(-1)
                edgeOf.append(Int32(position))
                tieKey.append(Int64(edge.upper) << 32 | Int64(position + 1))
                appendSegment(upper: previous, lower: dummy, edge: position)
                previous = dummy
            }
            appendSegment(upper: previous, lower: Int32(edge.lower), edge: position)
        }

        var layers = [[Int32]](repeating: [], count: layerCount)
        for object in 0..<layerOf.count { layers[Int(layerOf[object])].append(Int32(object)) }
        for layer in layers.indices where layers[layer].count > 1 {
            layers[layer].sort { tieKey[Int($0)] < tieKey[Int($1)] }
        }
        self.layers = layers
        (downStart, downSegments) = Self.adjacency(ends: segmentUpper, objects: layerOf.count)
        (upStart, upSegments) = Self.adjacency(ends: segmentLower, objects: layerOf.count)
    }

    private mutating func appendSegment(upper: Int32, lower: Int32, edge: Int) {
        segmentUpper.append(upper)
        segmentLower.append(lower)
        segmentEdge.append(Int32(edge))
    }

    /// Longest-path layers: a step sits one layer below the lowest step leading to
    /// it (a step nothing leads to, below the step declared before it); every END
    /// node sits alone on the layer after the last step.
    private static func assignLayers(_ input: DrawingInput) -> [Int] {
        let count = input.nodes.count
        var layer = [Int](repeating: 0, count: count)
        // Edges grouped by their lower end; every upper end has a smaller index.
        var start = [Int](repeating: 0, count: count + 1)
        for edge in input.edges { start[edge.lower + 1] += 1 }
        for index in 0..<count { start[index + 1] += start[index] }
        var fill = start
        var uppers = [Int](repeating: 0, count: input.edges.count)
        for edge in input.edges {
            uppers[fill[edge.lower]] = edge.upper
            fill[edge.lower] += 1
        }
        var lastStepLayer = -1
        var previousStep: Int?
        for node in 0..<count where !input.nodes[node].isEnd {
            defer { previousStep = node }
            var value = 0
            for slot in start[node]..<start[node + 1] { value = max(value, layer[uppers[slot]] + 1) }
            // A step nothing leads to goes below the step declared before it, not
            // beside the first step: the drawing keeps reading in declaration order.
            if start[node] == start[node + 1], let previousStep { value = layer[previousStep] + 1 }
            layer[node] = value
            lastStepLayer = max(lastStepLayer, value)
        }
        for node in 0..<count where input.nodes[node].isEnd { layer[node] = lastStepLayer + 1 }
        return layer
    }

    /// Compressed adjacency: for each object, the segments whose `ends` is that object.
    private static func adjacency(ends: [Int32], objects: Int) -> ([Int32], [Int32]) {
        var start = [Int32](repeating: 0, count: objects + 1)
        for end in ends { start[Int(end) + 1] += 1 }
        for index in 0..<objects { start[index + 1] += start[index] }
        var fill = start
        var list = [Int32](repeating: 0, count: ends.count)
        for (segment, end) in ends.enumerated() {
            list[Int(fill[Int(end)])] = Int32(segment)
            fill[Int(end)] += 1
        }
        return (start, list)
    }
}
