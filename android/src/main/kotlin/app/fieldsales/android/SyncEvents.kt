// Sync events as a Flow: the auto-sync engine's listener (a UniFFI foreign trait) turned into
// the shape a ViewModel collects. Pure Kotlin, so the host-JVM suite covers it.
package app.fieldsales.android

import app.fieldsales.core.ConflictFound
import app.fieldsales.core.RejectedEdit
import app.fieldsales.core.SyncFailure
import app.fieldsales.core.SyncProgress
import app.fieldsales.core.SyncReport
import app.fieldsales.core.SyncTrigger
import app.fieldsales.ffi.AutoSync
import app.fieldsales.ffi.SyncClient
import app.fieldsales.ffi.SyncListener
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/** One report of the auto-sync engine. */
sealed interface SyncEvent {
    data class Started(val trigger: SyncTrigger) : SyncEvent
    data class Progress(val progress: SyncProgress) : SyncEvent
    data class Completed(val report: SyncReport) : SyncEvent
    data class Conflict(val conflict: ConflictFound) : SyncEvent
    data class Rejected(val edit: RejectedEdit) : SyncEvent
    data class Failed(val failure: SyncFailure) : SyncEvent
}

/**
 * Runs the auto-sync engine while the flow is collected and emits its events; cancelling the
 * collector stops the engine. [onStart] receives the engine to feed it the network state and
 * the app lifecycle.
 *
 * ```kotlin
 * viewModelScope.launch {
 *     store.sync().autoSyncEvents { auto -> connectivity.onChange = auto::connectivityChanged }
 *         .collect { event -> if (event is SyncEvent.Failed && event.failure.needsLogin) showLogin() }
 * }
 * ```
 */
fun SyncClient.autoSyncEvents(onStart: (AutoSync) -> Unit = {}): Flow<SyncEvent> = callbackFlow {
    // Called on the engine's thread: trySend never blocks it (the buffer is unlimited).
    val auto = startAutoSync(object : SyncListener {
        override fun started(trigger: SyncTrigger) { trySend(SyncEvent.Started(trigger)) }
        override fun progress(progress: SyncProgress) { trySend(SyncEvent.Progress(progress)) }
        override fun completed(report: SyncReport) { trySend(SyncEvent.Completed(report)) }
        override fun conflictFound(conflict: ConflictFound) { trySend(SyncEvent.Conflict(conflict)) }
        override fun rejected(edit: RejectedEdit) { trySend(SyncEvent.Rejected(edit)) }
        override fun failed(failure: SyncFailure) { trySend(SyncEvent.Failed(failure)) }
    })
    onStart(auto)
    awaitClose {
        auto.stop()
        auto.close()
    }
}.buffer(Channel.UNLIMITED)
