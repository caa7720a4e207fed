//! The password-check pool: a fixed set of threads verifying argon2id hashes, fed by a bounded
//! queue, so that a login flood costs a bounded amount of memory and CPU.
//!
//! One argon2id check holds 19 MiB for tens of milliseconds. Run on tokio's blocking pool, a
//! flood ran one per request at once (128 at once: 6.4 GB resident), and the allocator kept each
//! thread's memory afterwards. Here `workers` threads (one per CPU by default) are the only ones
//! that ever hash, so at most `workers` hashes are in memory; `max_waiting` more logins may
//! queue, and one source address may hold at most `max_per_address` of the places, so a single
//! client's flood leaves room for everyone else. Beyond, [`PasswordPool::submit`] refuses at
//! once ([`Busy`]) and login answers `503` with `Retry-After`. A check whose client went away
//! before its turn is skipped.
//!
//! Why not a crate: rayon or a tokio semaphore bound the threads but not the queue, and the
//! bound on the queue (per address too) is the point. This module must not decide what a
//! check means; it runs the closure it is given.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

/// The pool is full (or full for this address): retry later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Places taken per source address (waiting or running); an address at zero is removed, so the
/// map never holds more than the queue does.
#[derive(Default)]
struct Places {
    by_address: HashMap<IpAddr, usize>,
}

/// Fixed worker threads and a bounded queue of password checks.
pub struct PasswordPool {
    queue: SyncSender<Job>,
    places: Arc<Mutex<Places>>,
    max_per_address: usize,
}

/// A place in the pool held by one address; given back when the check ran or was skipped.
struct Place {
    places: Arc<Mutex<Places>>,
    address: Option<IpAddr>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let Some(address) = self.address else { return };
        let mut places = self.places.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = places.by_address.get_mut(&address) {
            *count -= 1;
            if *count == 0 {
                places.by_address.remove(&address);
            }
        }
    }
}

impl PasswordPool {
    /// Starts `workers` threads (at least one) behind a queue of `max_waiting` checks. The
    /// threads end when the pool is dropped.
    pub fn new(
        workers: usize,
        max_waiting: usize,
        max_per_address: usize,
    ) -> std::io::Result<Self> {
        // A rendezvous channel (0) would refuse whenever no worker is idle at that instant.
        let (queue, jobs) = mpsc::sync_channel::<Job>(max_waiting.max(1));
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..workers.max(1) {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || loop {
                    // Hold the lock only to take a job, not while it runs.
                    let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })?;
        }
        Ok(PasswordPool {
            queue,
            places: Arc::new(Mutex::new(Places::default())),
            max_per_address: max_per_address.max(1),
        })
    }

    /// Queues `check` for a worker and waits for its answer; [`Busy`] at once when the queue
    /// or this address's share of it is full.
    pub async fn submit<T: Send + 'static>(
        &self,
        address: Option<IpAddr>,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let place = self.take_place(address)?;
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            if answer.is_closed() {
                return; // the client left while waiting: skip the hash
            }
            let checked = check();
            // The place is free before the answer, so whoever reads the answer sees it free.
            drop(place);
            let _ = answer.send(checked);
        });
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => return Err(Busy),
        }
        // A worker that panics drops the sender: the check is refused like a full queue.
        answered.await.map_err(|_| Busy)
    }

    fn take_place(&self, address: Option<IpAddr>) -> Result<Place, Busy> {
        if let Some(address) = address {
            let mut places = self.places.lock().unwrap_or_else(PoisonError::into_inner);
            let count = places.by_address.entry(address).or_insert(0);
            if *count >= self.max_per_address {
                return Err(Busy);
            }
            *count += 1;
        }
        Ok(Place {
            places: self.places.clone(),
            address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_the_workers_and_the_queue_checks_are_refused_not_run() {
        let pool = Arc::new(PasswordPool::new(1, 2, 10).unwrap());
        let ran = Arc::new(AtomicUsize::new(0));
        // The one worker is held busy until every other submission was queued or refused.
        let (started_tx, started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let first = {
            let (pool, ran) = (pool.clone(), ran.clone());
            tokio::spawn(async move {
                pool.submit(None, move || {
                    let _ = started_tx.send(());
                    let _ = released.recv();
                    ran.fetch_add(1, Ordering::SeqCst);
                })
                .await
            })
        };
        tokio::task::spawn_blocking(move || started.recv())
            .await
            .unwrap()
            .unwrap();
        let mut others = Vec::new();
        for _ in 0..5 {
            let (pool, ran) = (pool.clone(), ran.clone());
            others.push(tokio::spawn(async move {
                pool.submit(None, move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        // The refused ones answer at once, the queued ones only after the release (bounded wait).
        for _ in 0..500 {
            if others.iter().filter(|o| o.is_finished()).count() >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(()));
        let mut refused = 0;
        for other in others {
            if other.await.unwrap() == Err(Busy) {
                refused += 1;
            }
        }
        assert_eq!(refused, 3, "two wait in the queue, three are refused");
        assert_eq!(ran.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn one_address_holds_at_most_its_share_and_gets_it_back() {
        let pool = PasswordPool::new(1, 8, 2).unwrap();
        let addr: IpAddr = "192.0.2.1".parse().unwrap();
        let a = pool.take_place(Some(addr)).unwrap();
        let b = pool.take_place(Some(addr)).unwrap();
        assert!(pool.take_place(Some(addr)).is_err());
        assert_eq!(pool.submit(Some(addr), || 7).await, Err(Busy));
        assert!(pool.take_place(Some("192.0.2.2".parse().unwrap())).is_ok());
        drop(a);
        assert_eq!(pool.submit(Some(addr), || 7).await, Ok(7));
        drop(b);
        assert!(pool.places.lock().unwrap().by_address.is_empty());
    }
}
