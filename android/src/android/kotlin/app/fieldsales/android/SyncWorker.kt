// Background sync with WorkManager: runs when the network is back, retried with backoff.
// Android-only (needs WorkManager), so it is not compiled by the host-JVM tests; the calls it
// makes (`sync().sync()`, the exceptions) are covered by SyncTest on the host JVM.
//
// While the app is in the foreground the auto-sync engine (`autoSyncEvents`) does the work;
// this worker covers the app being in the background or killed.
package app.fieldsales.android

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import app.fieldsales.ffi.FieldSalesException
import java.util.concurrent.TimeUnit

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val userId = inputData.getString(KEY_USER) ?: return Result.failure()
        return try {
            openStore(applicationContext.filesDir, userId).use { store ->
                // Suspends; the work runs on the store's runtime, not on this worker's thread.
                val report = store.sync().use { it.sync() }
                Result.success(workDataOf(
                    KEY_PENDING to report.pending.toLong(),
                    KEY_RECEIVED to report.received.toLong(),
                    KEY_REJECTED to report.rejected.size,
                ))
            }
        } catch (e: FieldSalesException.Network) {
            Result.retry() // WorkManager backs off exponentially
        } catch (e: FieldSalesException.Unauthorized) {
            Result.failure() // only signing in again helps: the app shows its login screen
        }
    }

    companion object {
        const val KEY_USER = "user_id"
        const val KEY_PENDING = "pending_changes"
        const val KEY_RECEIVED = "received"
        const val KEY_REJECTED = "rejected_edits"
        private const val UNIQUE_NAME = "fieldsales-sync"

        /** Queues one sync that waits for a network connection; a newer request replaces it. */
        fun schedule(context: Context, userId: String) {
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
                .setInputData(workDataOf(KEY_USER to userId))
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(UNIQUE_NAME, ExistingWorkPolicy.REPLACE, request)
        }
    }
}
