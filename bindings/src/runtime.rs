//! The tokio runtime that runs long calls (bulk writes, reports, sync) off the caller's thread.
//!
//! One runtime per open [`crate::FieldSales`], owned by it and shut down when the app closes
//! it. An `async` export spawns its blocking core call here and awaits the join handle; the
//! handle is an ordinary future, so Kotlin coroutines, Swift concurrency and Python asyncio can
//! all await it without running tokio themselves, and the app's main thread never waits on
//! SQLite.

use std::future::Future;
use std::sync::Arc;

use crate::error::{guard, FieldSalesError, Result};

/// A shared handle to the store's runtime.
#[derive(Clone)]
pub(crate) struct Runtime(Arc<Owned>);

struct Owned(Option<tokio::runtime::Runtime>);

impl Drop for Owned {
    fn drop(&mut self) {
        // Dropping a runtime blocks until its tasks end, which must not happen on an app's
        // main thread (or inside one of the runtime's own threads, where tokio panics).
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Runtime {
    pub(crate) fn new() -> Result<Runtime> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(4)
            .thread_name("fieldsales")
            .enable_all()
            .build()
            .map_err(|e| FieldSalesError::Internal {
                detail: format!("cannot start the runtime: {e}"),
            })?;
        Ok(Runtime(Arc::new(Owned(Some(rt)))))
    }

    /// Runs a blocking core call on the runtime's blocking pool and waits for it without
    /// blocking the awaiting thread.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        call: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let handle = match &self.0 .0 {
            Some(rt) => rt.spawn_blocking(move || guard(call)),
            None => return Err(closed()),
        };
        handle.await.map_err(|e| FieldSalesError::Internal {
            detail: format!("background call failed: {e}"),
        })?
    }
}

impl Runtime {
    /// Runs an async core call (sync, login) as a task on the runtime and waits for it. The
    /// core's futures need a tokio context (timers, blocking database work); the foreign
    /// executor that polls the exported future has none, so the work runs here instead. A
    /// panic inside the task comes back as [`FieldSalesError::Internal`].
    pub(crate) async fn spawn<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let handle = match &self.0 .0 {
            Some(rt) => rt.spawn(work),
            None => return Err(closed()),
        };
        handle.await.map_err(|e| FieldSalesError::Internal {
            detail: format!("background call failed: {e}"),
        })?
    }
}

fn closed() -> FieldSalesError {
    FieldSalesError::Internal {
        detail: "the store is closed".into(),
    }
}
