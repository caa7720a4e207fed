//! The auto-sync engine: decides when to sync, so that the rep never presses a button.
//!
//! One task on the store's runtime owns the schedule. It syncs:
//! - after local writes, debounced ([`super::SyncConfig::debounce`]): a burst of edits goes up
//!   as one sync, no later than one debounce after the first of them;
//! - at once when the app reports connectivity regained, comes to the foreground, asks for it,
//!   or the server announces a sequence ahead of this device's cursor (the event stream, read
//!   by a second task that reconnects with backoff);
//! - on a periodic timer while online;
//! - at once after a new login (the previous session may have ended in an "unauthorized");
//! - after a failure, on an exponential backoff with jitter ([`super::Backoff`]) — so a failed
//!   upload is retried without waiting for the next local write. New local writes do not cut a
//!   backoff short (a failing server should not be hammered); connectivity regained does.
//!
//! While the app says the device is offline, nothing is attempted; the schedule resumes when it
//! is back. Syncs run one at a time and never hold a database transaction across network I/O
//! (see [`super::SyncClient`]), so the app's reads and writes are never blocked by the engine.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::Clock;
use crate::credentials::Credential;
use crate::error::{Error, Remedy};

use super::listener::{SyncFailure, SyncListener, Trigger};
use super::{NetworkKind, ServerUrl, SyncClient, SyncConfig, SyncError, SyncReport};

/// What the app (or the event stream) tells the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Connectivity(bool),
    Foreground,
    ServerSeq(u64),
    SyncNow,
    Network(NetworkKind),
}

/// A running auto-sync engine. Dropping it stops the engine.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use fieldsales_core::{FieldSales, sync::NoListener};
/// # fn app(fs: FieldSales) -> fieldsales_core::Result<()> {
/// let auto = fs.sync().start_auto_sync(Arc::new(NoListener))?;
/// // from the platform's network callback:
/// auto.connectivity_changed(true);
/// // from the app lifecycle:
/// auto.app_foreground();
/// # Ok(()) }
/// ```
pub struct AutoSync {
    commands: mpsc::UnboundedSender<Command>,
    schedule: JoinHandle<()>,
    events: JoinHandle<()>,
}

impl AutoSync {
    /// Starts the engine's tasks on the current tokio runtime.
    pub(crate) fn start(client: SyncClient, listener: Arc<dyn SyncListener>) -> AutoSync {
        let (tx, rx) = mpsc::unbounded_channel();
        let events = tokio::spawn(follow_server_events(client.clone(), tx.clone()));
        let schedule = tokio::spawn(schedule(client, listener, rx));
        AutoSync {
            commands: tx,
            schedule,
            events,
        }
    }

    /// The platform reports the network went away (`false`) or came back (`true`). Coming back
    /// starts a sync at once and resets the backoff.
    pub fn connectivity_changed(&self, online: bool) {
        let _ = self.commands.send(Command::Connectivity(online));
    }

    /// The platform reports the kind of network (see [`SyncClient::set_network`]). An
    /// unmetered network starts a sync at once, so photos held back on mobile data go up.
    pub fn network_changed(&self, network: NetworkKind) {
        let _ = self.commands.send(Command::Network(network));
    }

    /// The app came to the foreground: sync at once.
    pub fn app_foreground(&self) {
        let _ = self.commands.send(Command::Foreground);
    }

    /// Sync at once (a pull-to-refresh).
    pub fn sync_now(&self) {
        let _ = self.commands.send(Command::SyncNow);
    }

    /// The server's log reached `seq` (from a push notification, say): sync if behind.
    pub fn server_announced(&self, seq: u64) {
        let _ = self.commands.send(Command::ServerSeq(seq));
    }

    /// Whether the engine is still running.
    pub fn is_running(&self) -> bool {
        !self.schedule.is_finished()
    }

    /// Stops the engine. A sync in flight is abandoned; its answer, if it had arrived, was
    /// applied atomically or not at all.
    pub fn stop(self) {
        drop(self)
    }
}

impl Drop for AutoSync {
    fn drop(&mut self) {
        self.schedule.abort();
        self.events.abort();
    }
}

/// The next planned sync.
#[derive(Debug, Clone, Copy)]
struct Due {
    at: Instant,
    trigger: Trigger,
}

/// Plans a sync at `at` unless one is planned sooner.
fn plan(due: &mut Option<Due>, at: Instant, trigger: Trigger) {
    if due.is_none_or(|d| at < d.at) {
        *due = Some(Due { at, trigger });
    }
}

/// Decides when to sync: waits for commands, logins, local writes and the next due time, and
/// runs one sync when it is due. Ends when the handle is dropped or the store closes.
async fn schedule(
    client: SyncClient,
    listener: Arc<dyn SyncListener>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut writes = client.engine().writes.subscribe();
    writes.borrow_and_update();
    let mut logins = client.shared().logins.subscribe();
    logins.borrow_and_update();
    let mut scheduler = Scheduler::new(client, listener);
    loop {
        let wake = scheduler.due.filter(|_| scheduler.online).map(|d| d.at);
        tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { break };
                scheduler.on_command(command);
            }
            changed = logins.changed() => {
                if changed.is_err() {
                    break;
                }
                logins.borrow_and_update();
                scheduler.on_login();
            }
            changed = writes.changed() => {
                if changed.is_err() {
                    break;
                }
                writes.borrow_and_update();
                scheduler.on_local_write();
            }
            () = sleep_until(wake) => scheduler.sync_due().await,
        }
    }
}

/// What the schedule knows between wake-ups.
struct Scheduler {
    client: SyncClient,
    listener: Arc<dyn SyncListener>,
    config: SyncConfig,
    clock: Arc<dyn Clock>,
    rng: StdRng,
    online: bool,
    /// Failed syncs in a row.
    failures: u32,
    /// The server sequence the last sync reached.
    cursor: u64,
    due: Option<Due>,
}

impl Scheduler {
    fn new(client: SyncClient, listener: Arc<dyn SyncListener>) -> Self {
        let config = client.engine().config.sync.clone();
        let clock = client.engine().config.clock.clone();
        let cursor = client.status().map(|s| s.cursor).unwrap_or(0);
        Scheduler {
            client,
            listener,
            config,
            clock,
            rng: StdRng::from_entropy(),
            online: true,
            failures: 0,
            cursor,
            // A sync at start brings up whatever was written while the app was closed.
            due: Some(Due {
                at: Instant::now(),
                trigger: Trigger::Foreground,
            }),
        }
    }

    fn on_command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Connectivity(false) => self.online = false,
            Command::Connectivity(true) => {
                self.online = true;
                self.failures = 0;
                self.due = Some(Due {
                    at: now,
                    trigger: Trigger::ConnectivityRegained,
                });
            }
            Command::Foreground => plan(&mut self.due, now, Trigger::Foreground),
            Command::SyncNow => plan(&mut self.due, now, Trigger::Requested),
            Command::ServerSeq(seq) if seq > self.cursor => {
                plan(&mut self.due, now, Trigger::ServerEvent)
            }
            Command::ServerSeq(_) => {}
            Command::Network(network) => {
                self.client.set_network(network);
                if network == NetworkKind::Unmetered {
                    self.on_command(Command::Connectivity(true));
                }
            }
        }
    }

    /// A new session: whatever waited for one (a failure asking to sign in) goes now.
    fn on_login(&mut self) {
        self.failures = 0;
        self.due = Some(Due {
            at: Instant::now(),
            trigger: Trigger::Requested,
        });
    }

    /// Local writes go up after the debounce; while failing, the retry backoff decides.
    fn on_local_write(&mut self) {
        if self.failures == 0 {
            let at = Instant::now() + self.config.debounce;
            plan(&mut self.due, at, Trigger::LocalWrite);
        }
    }

    /// Runs the sync that is due and plans the next one.
    async fn sync_due(&mut self) {
        let trigger = self.due.take().map_or(Trigger::Timer, |d| d.trigger);
        self.listener.started(trigger);
        let listener = self.listener.clone();
        let result = self.client.run(&mut |p| listener.progress(p)).await;
        match result {
            Ok(report) => self.succeeded(&report),
            Err(error) => self.failed(&error),
        }
    }

    fn succeeded(&mut self, report: &SyncReport) {
        self.failures = 0;
        self.cursor = report.cursor;
        for conflict in &report.conflicts {
            self.listener.conflict_found(conflict);
        }
        for edit in &report.rejected {
            self.listener.rejected(edit);
        }
        self.listener.completed(report);
        let at = Instant::now() + self.config.periodic;
        plan(&mut self.due, at, Trigger::Timer);
    }

    /// Plans the retry: the backoff's delay, the longest one when only a new sign-in helps, at
    /// least what a rate-limiting server asked for.
    fn failed(&mut self, error: &Error) {
        let now = Instant::now();
        self.failures = self.failures.saturating_add(1);
        let needs_login = error.remedy() == Remedy::SignIn;
        let mut delay = if needs_login {
            self.config.backoff.max
        } else {
            self.config.backoff.delay(self.failures, &mut self.rng)
        };
        if let Error::Sync(SyncError::RateLimited {
            retry_after_secs: Some(s),
        }) = error
        {
            delay = delay.max(Duration::from_secs(*s));
        }
        self.due = Some(Due {
            at: now + delay,
            trigger: Trigger::Retry,
        });
        let next = chrono::Duration::from_std(delay)
            .ok()
            .map(|d| self.clock.now() + d);
        tracing::info!(attempt = self.failures, error = %error, "sync failed");
        self.listener.failed(&SyncFailure {
            message: error.to_string(),
            needs_login,
            attempt: self.failures,
            next_retry_at: next,
        });
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Keeps an event stream open while signed in and forwards each announced sequence to the
/// schedule; reconnects with backoff when the stream fails or ends.
async fn follow_server_events(client: SyncClient, commands: mpsc::UnboundedSender<Command>) {
    let mut rng = StdRng::from_entropy();
    let backoff = super::Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(60),
    };
    let allow_http = client.engine().config.sync.allow_insecure_http;
    let mut failures = 0u32;
    loop {
        if commands.is_closed() {
            return;
        }
        let session = super::session::current(client.engine(), client.shared())
            .ok()
            .flatten();
        let Some(Credential {
            server_url: url,
            token,
            ..
        }) = session
        else {
            // Not signed in: look again later (login does not need to know about us).
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        };
        let (Ok(server), Ok(transport)) = (ServerUrl::parse(&url, allow_http), client.transport())
        else {
            tokio::time::sleep(backoff.max).await;
            continue;
        };
        match transport.events(&server, &token).await {
            Ok(mut stream) => {
                while let Some(event) = stream.next_event().await {
                    match event {
                        Ok(event) => {
                            failures = 0;
                            if commands.send(Command::ServerSeq(event.seq)).is_err() {
                                return;
                            }
                        }
                        Err(_) => break,
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "event stream unavailable"),
        }
        failures = failures.saturating_add(1);
        tokio::time::sleep(backoff.delay(failures, &mut rng)).await;
    }
}

#[cfg(test)]
#[path = "auto_tests.rs"]
mod tests;
