// Sync events as an AsyncStream: the auto-sync engine's listener (a UniFFI foreign trait)
// turned into what a SwiftUI view model iterates.
@_exported import FieldSalesFFI
import Foundation

/// One report of the auto-sync engine.
public enum SyncEvent {
    case started(SyncTrigger)
    case progress(SyncProgress)
    case completed(SyncReport)
    case conflict(ConflictFound)
    case rejected(RejectedEdit)
    case failed(SyncFailure)
}

public extension SyncClient {
    /// Runs the auto-sync engine while the stream is iterated and yields its events; ending
    /// the loop (or cancelling its task) stops the engine. `onStart` receives the engine, to
    /// feed it the network state and the app lifecycle.
    ///
    /// ```swift
    /// for await event in store.sync().autoSyncEvents(onStart: { auto in
    ///     auto.connectivityChanged(online: true)
    /// }) {
    ///     if case .failed(let failure) = event, failure.needsLogin { showLogin() }
    /// }
    /// ```
    func autoSyncEvents(onStart: @escaping (AutoSync) -> Void = { _ in }) -> AsyncStream<SyncEvent> {
        AsyncStream { continuation in
            let relay = SyncRelay { continuation.yield($0) }
            do {
                let auto = try self.startAutoSync(listener: relay)
                onStart(auto)
                continuation.onTermination = { _ in auto.stop() }
            } catch {
                continuation.yield(.failed(SyncFailure(
                    message: "\(error)", needsLogin: false, attempt: 0, nextRetryAt: nil)))
                continuation.finish()
            }
        }
    }
}

/// Forwards the engine's callbacks (on its own thread) to a closure.
final class SyncRelay: SyncListener, @unchecked Sendable {
    private let deliver: (SyncEvent) -> Void

    init(_ deliver: @escaping (SyncEvent) -> Void) {
        self.deliver = deliver
    }

    func started(trigger: SyncTrigger) { deliver(.started(trigger)) }
    func progress(progress: SyncProgress) { deliver(.progress(progress)) }
    func completed(report: SyncReport) { deliver(.completed(report)) }
    func conflictFound(conflict: ConflictFound) { deliver(.conflict(conflict)) }
    func rejected(edit: RejectedEdit) { deliver(.rejected(edit)) }
    func failed(failure: SyncFailure) { deliver(.failed(failure)) }
}
