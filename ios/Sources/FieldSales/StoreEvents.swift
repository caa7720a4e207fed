// The idiomatic Swift face of the generated bindings: change events as an AsyncStream and a
// one-line way to open a user's store.
@_exported import FieldSalesFFI
import Foundation

public extension FieldSales {
    /// Change events of this store: this app's writes, records applied by a sync, merges
    /// settling. Iterating subscribes; ending the loop (or cancelling its task) unsubscribes.
    /// An empty `kinds` means every kind; an event with empty `ids` means "re-read every record
    /// of that kind".
    ///
    /// ```swift
    /// for await event in store.events([.customer]) {
    ///     await viewModel.refresh(event.ids)
    /// }
    /// ```
    func events(_ kinds: Set<RecordKind> = []) -> AsyncStream<StoreEvent> {
        AsyncStream { continuation in
            let relay = EventRelay { event in
                if kinds.isEmpty || kinds.contains(event.kind) {
                    continuation.yield(event)
                }
            }
            let subscription = self.subscribe(listener: relay)
            continuation.onTermination = { _ in subscription.cancel() }
        }
    }

    /// Opens the store of `userId` under the app's Application Support directory (one
    /// database per user).
    ///
    /// ```swift
    /// let store = try FieldSales.openForUser("rep-42", teamId: "north")
    /// ```
    static func openForUser(_ userId: String, teamId: String? = nil, in directory: URL? = nil) throws -> FieldSales {
        let base = try directory ?? FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
        let dir = base.appendingPathComponent("fieldsales", isDirectory: true)
        return try FieldSales.open(dataDir: dir.path, config: FieldSalesConfig(userId: userId, teamId: teamId))
    }
}

/// Forwards the core's callbacks (on the store's event thread) to a closure.
final class EventRelay: StoreListener, @unchecked Sendable {
    private let deliver: (StoreEvent) -> Void

    init(_ deliver: @escaping (StoreEvent) -> Void) {
        self.deliver = deliver
    }

    func onChange(event: StoreEvent) {
        deliver(event)
    }
}
