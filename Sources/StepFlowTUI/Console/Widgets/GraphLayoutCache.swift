import StepFlow
import StepFlowDrawing
import Synchronization

/// Graph layouts by graph, width and glyphs, so the graph pane lays a graph out
/// once and each frame only paints the statuses on it.
///
/// Why a cache beside the view and not in the model: the model is a plain value
/// that `update` changes and tests compare, so it holds no objects. The view stays
/// a pure function of the model, because a layout depends only on its key: a hit
/// and a miss draw the same cells. The cache is small and bounded (one graph shows
/// at a time; a resize or another workflow adds an entry, the oldest goes), and a
/// mutex guards it because frames may be drawn on any thread (tests draw in parallel).
final class GraphLayoutCache: Sendable {
    /// What a layout depends on.
    struct Key: Hashable {
        let graph: WorkflowGraph
        let width: Int
        let glyphs: GraphGlyphs
    }

    private struct Storage {
        var layouts: [Key: GraphLayout] = [:]
        /// Keys oldest first, for eviction.
        var order: [Key] = []
        var computed = 0
    }

    /// The cache the console's frames share.
    static let shared = GraphLayoutCache(capacity: 8)

    /// The most layouts kept.
    let capacity: Int
    private let storage = Mutex(Storage())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many layouts were computed (misses), for tests and benchmarks.
    var layoutsComputed: Int { storage.withLock { $0.computed } }

    /// The layout of `graph` at `width` in `glyphs`, computed on the first call only.
    func layout(of graph: WorkflowGraph, width: Int, glyphs: GraphGlyphs) -> GraphLayout {
        let key = Key(graph: graph, width: width, glyphs: glyphs)
        if let layout = storage.withLock({ $0.layouts[key] }) { return layout }
        // Laid out outside the lock, so another frame is not held up by it.
        let layout = GraphLayout(graph, width: width, glyphs: glyphs)
        storage.withLock { storage in
            storage.computed += 1
            if storage.layouts[key] == nil {
                if storage.order.count >= capacity { storage.layouts[storage.order.removeFirst()] = nil }
                storage.order.append(key)
            }
            storage.layouts[key] = layout
        }
        return layout
    }
}
