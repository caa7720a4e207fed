//! Storage behind one trait: what the server keeps and the operations it needs on it.
//!
//! [`Storage`] is async and object-safe (`Arc<dyn Storage>`), so the HTTP layer never knows
//! which database it talks to. Its operations are coarse — one call per login, per session
//! check, per sync — so that a networked database (PostgreSQL, a later backend) costs one round
//! trip per request, not one per document. The sync itself is written once, in
//! [`crate::sync`], against the synchronous [`crate::sync::SyncStore`] that each backend
//! provides inside its own transaction.
//!
//! [`sqlite`] is the embedded default: one file in the data directory.

pub mod sqlite;

use async_trait::async_trait;
use fieldsales_protocol::{Role, SyncResponse, TenantSettings};

use crate::accounts::{NewSession, Principal, UserAccount};
use crate::config::Limits;
use crate::console::{Asker, Figures, Period, Timeline, VisitDetail, VisitFilter, VisitPage};
use crate::error::Result;
use crate::sync::{CheckedRequest, SyncStats};

/// A tenant: one company, with its own log and sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
}

/// A user as the admin sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    pub username: String,
    pub team_id: Option<String>,
    pub role: Role,
}

/// A user to create; the password is already hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub tenant_id: String,
    pub username: String,
    pub team_id: Option<String>,
    pub role: Role,
    pub password_hash: String,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub name: Option<String>,
    /// RFC 3339.
    pub registered_at: String,
    pub last_seen_at: Option<String>,
}

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    async fn create_tenant(&self, name: &str) -> Result<Tenant>;
    async fn tenant_by_name(&self, name: &str) -> Result<Option<Tenant>>;
    async fn create_team(&self, tenant_id: &str, name: &str) -> Result<Team>;
    async fn team_by_name(&self, tenant_id: &str, name: &str) -> Result<Option<Team>>;
    async fn create_user(&self, user: NewUser) -> Result<User>;
    async fn set_password(&self, tenant_id: &str, username: &str, hash: &str) -> Result<()>;
    /// Login's lookup, by tenant name and username.
    async fn account(&self, tenant: &str, username: &str) -> Result<Option<UserAccount>>;
    /// Registers `device_id` to `user_id` in its tenant (idempotent). Device ids are scoped per
    /// tenant: the same id in another tenant is another device. A device of another user of
    /// the tenant is [`crate::error::Error::DeviceTaken`]; a new device when the user already
    /// has `max_devices` is [`crate::error::Error::DeviceLimit`].
    async fn register_device(
        &self,
        tenant_id: &str,
        user_id: &str,
        device_id: &str,
        name: Option<&str>,
        max_devices: usize,
    ) -> Result<()>;
    /// The admin's registration: like [`Storage::register_device`] without the cap.
    async fn allow_device(&self, tenant_id: &str, user_id: &str, device_id: &str) -> Result<()>;
    async fn list_devices(&self, tenant_id: &str) -> Result<Vec<Device>>;
    /// Stores a session; the user's oldest sessions beyond `max_per_user` end.
    async fn create_session(&self, session: NewSession, max_per_user: usize) -> Result<()>;
    /// The principal of an unexpired session, checked at `now_ms`.
    async fn session(&self, token_hash: &[u8], now_ms: i64) -> Result<Option<Principal>>;
    async fn delete_session(&self, token_hash: &[u8]) -> Result<()>;
    /// One whole sync, in one transaction.
    async fn sync(
        &self,
        principal: Principal,
        request: CheckedRequest,
        limits: Limits,
    ) -> Result<(SyncResponse, SyncStats)>;
    /// May the principal upload or download the media blob `hash`: does a document they may
    /// see refer to it? (`crate::media::may_reach`, inside one read.)
    async fn media_reachable(&self, principal: Principal, hash: &str) -> Result<bool>;
    /// Does any document of the tenant still refer to the media blob `hash`?
    async fn media_referenced(&self, tenant_id: &str, hash: &str) -> Result<bool>;
    /// What the tenant's administrator chose for its devices (the defaults until a setting is
    /// changed); every sync answer carries it.
    async fn tenant_settings(&self, tenant_id: &str) -> Result<TenantSettings>;
    async fn set_tenant_settings(&self, tenant_id: &str, settings: TenantSettings) -> Result<()>;
    /// The tenant's latest sequence number.
    async fn head(&self, tenant_id: &str) -> Result<u64>;
    /// Trims each tenant's log to its latest `keep` entries; returns the entries removed.
    async fn compact(&self, keep: u64) -> Result<u64>;
    /// Rewrites the console's read model from the stored documents; returns the records read
    /// and the documents that could not be.
    async fn rebuild_read_model(&self) -> Result<(u64, u64)>;
    /// A page of the visits list.
    async fn console_visits(&self, asker: Asker, filter: VisitFilter) -> Result<VisitPage>;
    /// One visit in full (`None`: unknown, or beyond the asker's reach).
    async fn console_visit(&self, asker: Asker, visit_id: String) -> Result<Option<VisitDetail>>;
    /// The reps the asker's console reports on (id, username), by username.
    async fn console_reps(&self, asker: Asker) -> Result<Vec<(String, String)>>;
    /// Per-rep figures for a period.
    async fn console_figures(&self, asker: Asker, period: Period) -> Result<Figures>;
    /// A customer's timeline (`None`: unknown, or nothing of it within the asker's reach).
    async fn console_timeline(&self, asker: Asker, customer_id: String)
        -> Result<Option<Timeline>>;
}
