// Background sync with WorkManager: runs when the network is back, retried with backoff.
// Android-only (needs WorkManager), so it is not compiled by the host-JVM tests.
//
// A SKETCH until the sync area lands in the bindings: `FieldSales.sync()` does not exist yet
// (the sync client is being built in the core). Today the worker only reports how many local
// changes wait; the marked line is where `store.sync().syncNow()` goes.
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
                // TODO(sync): store.sync().use { it.syncNow() }  — suspend, on the core's runtime.
                Result.success(workDataOf(KEY_PENDING to store.pendingChanges()))
            }
        } catch (e: FieldSalesException.Network) {
            Result.retry()
        } catch (e: FieldSalesException.Unauthorized) {
            Result.failure()
        }
    }

    companion object {
        const val KEY_USER = "user_id"
        const val KEY_PENDING = "pending_changes"
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
