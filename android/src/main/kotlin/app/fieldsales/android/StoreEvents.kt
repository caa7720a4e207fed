// The idiomatic Kotlin face of the generated bindings that needs no Android classes, so the
// host-JVM suite covers it. Android-only pieces (WorkManager) live in src/android/kotlin.
package app.fieldsales.android

import app.fieldsales.core.RecordKind
import app.fieldsales.ffi.FieldSales
import app.fieldsales.ffi.FieldSalesConfig
import app.fieldsales.ffi.StoreEvent
import app.fieldsales.ffi.StoreListener
import java.io.File
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.filter

/**
 * Change events of this store as a cold [Flow]: collecting subscribes, cancelling the
 * collector unsubscribes. Each event names the kind and the ids of records that changed —
 * by this app, by a sync or by a merge settling; empty ids mean "re-read every record of
 * that kind".
 *
 * ```kotlin
 * lifecycleScope.launch {
 *     store.events(RecordKind.CUSTOMER).collect { adapter.refresh() }
 * }
 * ```
 */
fun FieldSales.events(vararg kinds: RecordKind): Flow<StoreEvent> {
    val all = callbackFlow {
        val subscription = subscribe(object : StoreListener {
            override fun onChange(event: StoreEvent) {
                // Called on the store's event thread; never block it.
                trySend(event)
            }
        })
        awaitClose { subscription.close() }
    }
    return if (kinds.isEmpty()) all else all.filter { it.kind in kinds }
}

/**
 * Opens the store of [userId] in the app's private files directory (one database per user).
 *
 * ```kotlin
 * val store = openStore(context.filesDir, userId = "rep-42", teamId = "north")
 * ```
 */
fun openStore(filesDir: File, userId: String, teamId: String? = null): FieldSales =
    FieldSales.open(
        File(filesDir, "fieldsales").path,
        FieldSalesConfig(userId = userId, teamId = teamId),
    )
