//! The tokio runtime that runs long calls (bulk writes, reports, sync) off the caller's thread.
//!
//! One runtime per open [`crate::FieldSales`], owned by it and shut down when the app closes
//! it. An `async` export spawns its blocking core call here and awaits the join handle; the
//! handle is an ordinary future, so Kotlin coroutines, Swift concurrency and Python asyncio can
//! all await it without running tokio themselves, and the app's main thread never waits on
//! SQLite.
//!
//! The runtime thread that finishes a call wakes the foreign side, and that wake runs the app's
//! own code on the runtime thread (Python's continuation callback takes the GIL and schedules
//! the awaiting coroutine). The awaiting side can resume, return, and even start shutting the
//! interpreter down while that thread is still inside the callback; CPython then ends the thread
//! with `pthread_exit`, whose forced unwind is caught by tokio's `catch_unwind` around the wake,
//! and glibc aborts the process ("FATAL: exception not rethrown"; a Python script that synced
//! and exited died that way about one run in seven). So a call completes only once the wake that
//! announced it has returned ([`Fenced`]): when an app's `await` returns, no runtime thread is
//! still running app code on its behalf.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

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
        Fenced::new(handle)
            .await
            .map_err(|e| FieldSalesError::Internal {
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
        Fenced::new(handle)
            .await
            .map_err(|e| FieldSalesError::Internal {
                detail: format!("background call failed: {e}"),
            })?
    }
}

fn closed() -> FieldSalesError {
    FieldSalesError::Internal {
        detail: "the store is closed".into(),
    }
}

/// A runtime task awaited by foreign code, ready only once the thread that woke the foreign
/// side has come back from the wake (see the module doc).
struct Fenced<F> {
    task: F,
    fence: Arc<Fence>,
}

/// The foreign side's waker, and how many wakes of it are still running.
#[derive(Default)]
struct Fence {
    state: Mutex<FenceState>,
    returned: Condvar,
}

#[derive(Default)]
struct FenceState {
    waker: Option<Waker>,
    waking: usize,
}

/// The longest a finished call waits for its wake to return. A wake is a few microseconds of
/// foreign code (a Python callback waits for the GIL, which the polling thread has released);
/// the bound only keeps a stuck callback from hanging the app.
const WAKE_RETURN_WAIT: Duration = Duration::from_secs(5);

impl<F: Future + Unpin> Fenced<F> {
    fn new(task: F) -> Self {
        Fenced {
            task,
            fence: Arc::new(Fence::default()),
        }
    }
}

impl<F: Future + Unpin> Future for Fenced<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.fence.lock().waker = Some(cx.waker().clone());
        let waker = Waker::from(self.fence.clone());
        let out =
            std::task::ready!(Pin::new(&mut self.task).poll(&mut Context::from_waker(&waker)));
        self.fence.wait_for_wakes();
        Poll::Ready(out)
    }
}

impl Fence {
    fn lock(&self) -> std::sync::MutexGuard<'_, FenceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait_for_wakes(&self) {
        let state = self.lock();
        let _ = self
            .returned
            .wait_timeout_while(state, WAKE_RETURN_WAIT, |s| s.waking > 0);
    }
}

impl Wake for Fence {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let waker = {
            let mut state = self.lock();
            state.waking += 1;
            state.waker.clone()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        self.lock().waking -= 1;
        self.returned.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// A foreign executor's waker whose wake takes a while (a Python callback waiting for the
    /// GIL); the executor polls again as soon as the wake has begun.
    #[derive(Default)]
    struct SlowWake {
        begun: AtomicBool,
        order: Mutex<Vec<&'static str>>,
    }

    impl Wake for SlowWake {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.begun.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            self.order.lock().unwrap().push("wake returned");
        }
    }

    #[test]
    fn a_call_completes_only_after_the_wake_that_announced_it_returned() {
        let rt = Runtime::new().unwrap();
        let foreign = Arc::new(SlowWake::default());
        let waker = Waker::from(foreign.clone());
        let mut cx = Context::from_waker(&waker);
        let (finish, finished) = tokio::sync::oneshot::channel::<()>();
        let mut call = Box::pin(rt.spawn(async {
            let _ = finished.await;
            Ok(7)
        }));
        assert!(call.as_mut().poll(&mut cx).is_pending());
        finish.send(()).unwrap();
        while !foreign.begun.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        let out = call.as_mut().poll(&mut cx);
        foreign.order.lock().unwrap().push("call returned");
        assert!(matches!(out, Poll::Ready(Ok(7))));
        assert_eq!(
            *foreign.order.lock().unwrap(),
            ["wake returned", "call returned"]
        );
    }
}
