//! The sync client's runtime and the bridge from blocking callers to it.
//!
//! Each open store owns a small multi-threaded tokio runtime, created on first use, on which
//! syncs and the auto-sync engine run; the app never has to provide one. Blocking callers (a
//! command line, a test thread, an FFI call that is not `async`) go through [`run_blocking`],
//! which also works when the caller is itself inside some async runtime.

use std::future::Future;
use std::sync::Arc;

use crate::error::{Error, Result};

use super::{SyncConfig, Transport};

/// A runtime that can be dropped anywhere (a plain tokio runtime panics when dropped inside
/// another runtime's async context, which is where the last clone of a store may go away).
pub(crate) struct OwnedRuntime(pub(crate) Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The configured transport, or HTTPS (the `http` feature).
pub(crate) fn new_transport(config: &SyncConfig) -> Result<Arc<dyn Transport>> {
    match &config.transport {
        Some(t) => Ok(t.clone()),
        #[cfg(feature = "http")]
        None => Ok(Arc::new(super::http::HttpTransport::new(
            config.request_timeout,
        )?)),
        #[cfg(not(feature = "http"))]
        None => Err(Error::Io(std::io::Error::other(
            "no sync transport: this build has no `http` feature and none was configured",
        ))),
    }
}

/// Runs `future` to completion for a blocking caller, on `runtime` or a temporary one. Inside
/// an async context (where blocking the thread on a runtime would panic) it runs on a helper
/// thread.
pub(crate) fn run_blocking<T: Send>(
    runtime: Option<&tokio::runtime::Runtime>,
    future: impl Future<Output = Result<T>> + Send,
) -> Result<T> {
    let run = move || match runtime {
        Some(runtime) => runtime.block_on(future),
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(future),
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(run)
                .join()
                .unwrap_or_else(|_| Err(Error::Io(std::io::Error::other("a sync task panicked"))))
        })
    } else {
        run()
    }
}
