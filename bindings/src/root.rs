//! The root object: one open store for one signed-in user, and the areas it hands out.
//!
//! Mirrors `fieldsales_core::FieldSales`: open once per signed-in user, keep it for the life of
//! the session, close it at sign-out. The areas share the store; holding an area keeps the
//! store open.
//!
//! [`FieldSalesConfig`] is this crate's own shape (the core's `Config` holds clocks and
//! transports no app passes); its `durability` and `pipeline` stages are the core's types.

use std::sync::Arc;

use chrono::FixedOffset;
use fieldsales_core::pipeline::{Pipeline, Stage as PipelineStage};
use fieldsales_core::sync::Login;
use fieldsales_core::{Config, Durability, Identity};

use crate::changes::Changes;
use crate::conflict::Conflicts;
use crate::customer::Customers;
use crate::error::{guard, FieldSalesError, Result};
use crate::events::{Listeners, StoreListener, Subscription};
use crate::health::Health;
use crate::quicklog::QuickLog;
use crate::runtime::Runtime;
use crate::search::Search;
use crate::sync::SyncClient;
use crate::task::Tasks;
use crate::visit::Visits;

/// Who is signed in and the company's rules. Only `user_id` is required.
///
/// ```kotlin
/// val config = FieldSalesConfig(userId = "rep-42", teamId = "north")
/// ```
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FieldSalesConfig {
    /// The user's id on the server; also names the database file.
    pub user_id: String,
    /// The user's team, given to new customers.
    #[uniffi(default)]
    pub team_id: Option<String>,
    /// A check-in within this distance of the customer is verified (metres). Default 200.
    #[uniffi(default)]
    pub geofence_radius_m: Option<f64>,
    /// A customer without contact for this many days is reported as stale. Default 90.
    #[uniffi(default)]
    pub stale_after_days: Option<i64>,
    /// A next action without a due time is due this many hours later. Default 24.
    #[uniffi(default)]
    pub default_follow_up_hours: Option<i64>,
    /// The rep's UTC offset in minutes, which decides what "today" means. Default +480 (China).
    #[uniffi(default)]
    pub utc_offset_minutes: Option<i32>,
    /// Default `PowerLoss`.
    #[uniffi(default)]
    pub durability: Option<Durability>,
    /// The company's pipeline; empty means the built-in one.
    #[uniffi(default)]
    pub pipeline: Vec<PipelineStage>,
}

impl FieldSalesConfig {
    fn into_core(self) -> Result<(Identity, Config)> {
        let identity = Identity::new(self.user_id.clone(), self.team_id.clone())?;
        Ok((identity, self.into_config()?))
    }

    /// The company's rules without the user (whom a sign-in learns from the server).
    fn into_config(self) -> Result<Config> {
        let mut config = Config::default();
        if let Some(r) = self.geofence_radius_m {
            if !(r.is_finite() && r > 0.0) {
                return Err(FieldSalesError::invalid(
                    "geofence_radius_m",
                    "must be a positive number",
                ));
            }
            config.geofence_radius_m = r;
        }
        if let Some(d) = self.stale_after_days {
            config.stale_after_days = d;
        }
        if let Some(h) = self.default_follow_up_hours {
            config.default_follow_up_hours = h;
        }
        if let Some(m) = self.utc_offset_minutes {
            config.time_zone = m
                .checked_mul(60)
                .and_then(FixedOffset::east_opt)
                .ok_or_else(|| {
                    FieldSalesError::invalid("utc_offset_minutes", "must be within ±24 hours")
                })?;
        }
        if let Some(d) = self.durability {
            config.durability = d;
        }
        if !self.pipeline.is_empty() {
            config.pipeline = Pipeline::new(self.pipeline)?;
        }
        Ok(config)
    }
}

/// What every area object holds: the core store, the runtime, the listeners (fed by the
/// core's change feed: see `events`).
#[derive(Clone)]
pub(crate) struct Ctx {
    pub core: fieldsales_core::FieldSales,
    pub rt: Runtime,
    pub listeners: Arc<Listeners>,
}

/// An open store for one signed-in user: the entry point of the API.
///
/// ```kotlin
/// FieldSales.open(context.filesDir.path, FieldSalesConfig(userId = "rep-42")).use { store ->
///     val id = store.customers().create(NewCustomer(name = "北京小米", phones = listOf("138 1234 5678")))
///     store.search().customers("bjxm", 10)   // finds it by pinyin initials
/// }
/// ```
#[derive(uniffi::Object)]
pub struct FieldSales {
    ctx: Ctx,
}

impl FieldSales {
    /// The root over an open core store, with its listeners fed by the core's change feed.
    fn new(core: fieldsales_core::FieldSales, rt: Runtime) -> Result<Arc<FieldSales>> {
        let listeners = Listeners::forwarding(&core)?;
        Ok(Arc::new(FieldSales {
            ctx: Ctx {
                core,
                rt,
                listeners,
            },
        }))
    }

    /// The core store (for this crate's tests).
    #[cfg(test)]
    pub(crate) fn core(&self) -> &fieldsales_core::FieldSales {
        &self.ctx.core
    }
}

#[uniffi::export]
impl FieldSales {
    /// Opens (creating on first use) the store of `config.user_id` under `data_dir`, running
    /// any pending migrations. Each user has their own database file.
    #[uniffi::constructor]
    pub fn open(data_dir: String, config: FieldSalesConfig) -> Result<Arc<FieldSales>> {
        guard(|| {
            let (identity, config) = config.into_core()?;
            let core = fieldsales_core::FieldSales::open(data_dir.as_ref(), identity, config)?;
            FieldSales::new(core, Runtime::new()?)
        })
    }

    /// Signs in and opens the signed-in user's store under `data_dir`, creating it on the
    /// first sign-in. Use it when the app does not know the server's user id yet (each user's
    /// data lives in its own database, named by that id); `config.userId` and `config.teamId`
    /// are ignored, the server decides them (read them back with `userId()` and
    /// `sync().status()`). Later launches may use `open` with `userId()`. A wrong password
    /// fails with `Unauthorized`, an unreachable server with `Network`.
    ///
    /// ```kotlin
    /// val store = FieldSales.signIn(filesDir.path, FieldSalesConfig(userId = ""),
    ///     Login(serverUrl = "https://sync.example.com", tenant = "acme",
    ///           username = "li.wei", password = pw))   // suspend
    /// store.sync().sync()
    /// ```
    #[uniffi::constructor]
    pub async fn sign_in(
        data_dir: String,
        config: FieldSalesConfig,
        login: Login,
    ) -> Result<Arc<FieldSales>> {
        let rt = Runtime::new()?;
        let config = config.into_config()?;
        // The core's sign-in blocks on the network and the disk: the runtime's blocking pool
        // takes it, and the new store keeps this runtime.
        let core = rt
            .blocking(move || {
                let (core, _session) =
                    fieldsales_core::FieldSales::sign_in(data_dir.as_ref(), config, &login)?;
                Ok(core)
            })
            .await?;
        FieldSales::new(core, rt)
    }

    /// Sign-in, sync now, the status line, refused edits and the auto-sync engine.
    pub fn sync(&self) -> Arc<SyncClient> {
        Arc::new(SyncClient::new(self.ctx.clone()))
    }

    /// Customers and their contacts.
    pub fn customers(&self) -> Arc<Customers> {
        Arc::new(Customers::new(self.ctx.clone()))
    }

    /// Photos of visits and documents of customers, and their upload queue.
    pub fn media(&self) -> Arc<crate::media::Media> {
        Arc::new(crate::media::Media::new(self.ctx.clone()))
    }

    /// Planned visits, check-in and check-out.
    pub fn visits(&self) -> Arc<Visits> {
        Arc::new(Visits::new(self.ctx.clone()))
    }

    /// The few-seconds log after a call, a WeChat chat or a meeting.
    pub fn quick_log(&self) -> Arc<QuickLog> {
        Arc::new(QuickLog::new(self.ctx.clone()))
    }

    /// Follow-up tasks.
    pub fn tasks(&self) -> Arc<Tasks> {
        Arc::new(Tasks::new(self.ctx.clone()))
    }

    /// Finding customers by name, pinyin (full or initials) or phone digits.
    pub fn search(&self) -> Arc<Search> {
        Arc::new(Search::new(self.ctx.clone()))
    }

    /// Fields where concurrent edits left several values, and their resolution.
    pub fn conflicts(&self) -> Arc<Conflicts> {
        Arc::new(Conflicts::new(self.ctx.clone()))
    }

    /// Data-health findings.
    pub fn health(&self) -> Arc<Health> {
        Arc::new(Health::new(self.ctx.clone()))
    }

    /// The local changes and changes from other replicas (what sync moves; support tools).
    pub fn changes(&self) -> Arc<Changes> {
        Arc::new(Changes::new(self.ctx.clone()))
    }

    /// Registers `listener` for change events until the returned subscription is closed. Every
    /// committed change reaches it — writes, sync, merges settling — on the store's event
    /// thread, never on the writing one (see `StoreListener`).
    pub fn subscribe(&self, listener: Arc<dyn StoreListener>) -> Arc<Subscription> {
        self.ctx.listeners.add(listener)
    }

    /// The signed-in user.
    pub fn user_id(&self) -> String {
        self.ctx.core.identity().user_id.clone()
    }

    /// This device's id (also its Automerge actor id).
    pub fn device_id(&self) -> String {
        self.ctx.core.device_id().to_string()
    }

    /// Number of local changes not yet acknowledged by the server.
    pub fn pending_changes(&self) -> Result<i64> {
        guard(|| Ok(crate::convert::count_out(self.ctx.core.pending_changes()?)))
    }

    /// Rebuilds every list and the search index from the stored records (a repair tool).
    /// Returns the number of records.
    pub async fn rebuild_projections(&self) -> Result<i64> {
        let core = self.ctx.core.clone();
        self.ctx
            .rt
            .blocking(move || Ok(crate::convert::count_out(core.rebuild_projections()?)))
            .await
    }
}
