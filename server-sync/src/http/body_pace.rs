//! The pace a request body must keep: a fixed allowance plus time in proportion to the bytes
//! received, so a phone on a slow network uploading a big outbox gets the time it needs while a
//! client trickling a byte a second (a slow-body attack holding a connection) is cut after the
//! allowance.
//!
//! No crate fits: tower-http's body timeout restarts on every frame, which a trickle defeats.
//! [`PacedBody`] wraps the body hyper hands over and fails it when it falls behind; the flag it
//! raises lets the connection answer 408 rather than whatever the handler made of the error.
//! It must not buffer: it only counts what passes through.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// How fast a body must arrive.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyPace {
    /// Time every body gets, whatever its size.
    pub allowance: Duration,
    /// Each this many bytes received earn one more second.
    pub bytes_per_sec: u64,
}

/// Why a paced body ended early.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PacedBodyError {
    #[error("the request body could not be read: {0}")]
    Read(#[from] hyper::Error),
    #[error("the request body arrived too slowly")]
    TooSlow,
}

/// A request body that fails once it falls behind its [`BodyPace`].
pub(crate) struct PacedBody<B> {
    inner: B,
    pace: BodyPace,
    started: Instant,
    received: u64,
    deadline: Pin<Box<Sleep>>,
    too_slow: Arc<AtomicBool>,
}

impl<B> PacedBody<B> {
    /// Starts the clock now; the flag turns `true` if the body is cut for its pace.
    pub(crate) fn new(inner: B, pace: BodyPace) -> (Self, Arc<AtomicBool>) {
        let started = Instant::now();
        let too_slow = Arc::new(AtomicBool::new(false));
        let body = PacedBody {
            inner,
            pace,
            started,
            received: 0,
            deadline: Box::pin(tokio::time::sleep_until(started + pace.allowance)),
            too_slow: too_slow.clone(),
        };
        (body, too_slow)
    }

    fn earned(&self) -> Duration {
        let per_sec = self.pace.bytes_per_sec.max(1);
        self.pace.allowance + Duration::from_secs_f64(self.received as f64 / per_sec as f64)
    }
}

impl<B> Body for PacedBody<B>
where
    B: Body<Data = Bytes, Error = hyper::Error> + Unpin,
{
    type Data = Bytes;
    type Error = PacedBodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, PacedBodyError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    let deadline = this.started + this.earned();
                    this.deadline.as_mut().reset(deadline);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.too_slow.store(true, Ordering::Release);
                    Poll::Ready(Some(Err(PacedBodyError::TooSlow)))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_received_earn_time_in_proportion() {
        let pace = BodyPace {
            allowance: Duration::from_secs(30),
            bytes_per_sec: 1024,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let (mut body, _) = PacedBody::new((), pace);
            assert_eq!(body.earned(), Duration::from_secs(30));
            body.received = 10 * 1024;
            assert_eq!(body.earned(), Duration::from_secs(40));
        });
    }
}
