//! Administration: tenants and their settings, teams, users, passwords, devices, log
//! compaction and the console's read model.
//!
//! One API for both callers that need it: the binary's subcommands (`fieldsales-server tenant
//! create ...`) and tests or demos that seed a server in-process. It speaks names (tenant
//! `acme`, team `north`, user `ann`) because that is what an IT person types, and returns the
//! ids the devices will see. It hashes passwords itself, off the async threads.

use std::sync::Arc;

use fieldsales_protocol::{Role, TenantSettings};

use crate::accounts::hash_password;
use crate::error::{Error, Result};
use crate::storage::{Device, NewUser, Storage, Team, Tenant, User};

/// A user to create, by names.
#[derive(Debug, Clone)]
pub struct UserSpec<'a> {
    pub tenant: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub role: Role,
    /// The team's name; reps and managers normally have one.
    pub team: Option<&'a str>,
}

/// Administrative operations over a storage backend.
#[derive(Clone)]
pub struct Admin {
    storage: Arc<dyn Storage>,
}

impl Admin {
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Admin { storage }
    }

    pub async fn create_tenant(&self, name: &str) -> Result<Tenant> {
        self.storage.create_tenant(name).await
    }

    pub async fn tenant(&self, name: &str) -> Result<Tenant> {
        self.storage
            .tenant_by_name(name)
            .await?
            .ok_or(Error::NotFound { what: "tenant" })
    }

    /// The settings `tenant`'s devices receive with every sync.
    pub async fn tenant_settings(&self, tenant: &str) -> Result<TenantSettings> {
        let tenant = self.tenant(tenant).await?;
        self.storage.tenant_settings(&tenant.id).await
    }

    /// Changes the settings of `tenant` through `change`, and returns them as stored; each
    /// device takes them at its next sync. An offset outside ±14:00 is refused.
    pub async fn change_tenant_settings(
        &self,
        tenant: &str,
        change: impl FnOnce(&mut TenantSettings),
    ) -> Result<TenantSettings> {
        let tenant = self.tenant(tenant).await?;
        let mut settings = self.storage.tenant_settings(&tenant.id).await?;
        change(&mut settings);
        if settings.utc_offset_minutes.abs() > TenantSettings::MAX_UTC_OFFSET_MINUTES {
            return Err(Error::Invalid {
                field: "utc_offset",
                reason: "a UTC offset lies between -14:00 and +14:00",
            });
        }
        self.storage
            .set_tenant_settings(&tenant.id, settings)
            .await?;
        Ok(settings)
    }

    pub async fn create_team(&self, tenant: &str, name: &str) -> Result<Team> {
        let tenant = self.tenant(tenant).await?;
        self.storage.create_team(&tenant.id, name).await
    }

    pub async fn create_user(&self, spec: UserSpec<'_>) -> Result<User> {
        let tenant = self.tenant(spec.tenant).await?;
        let team_id = match spec.team {
            Some(team) => Some(
                self.storage
                    .team_by_name(&tenant.id, team)
                    .await?
                    .ok_or(Error::NotFound { what: "team" })?
                    .id,
            ),
            None => None,
        };
        if spec.role == Role::Manager && team_id.is_none() {
            return Err(Error::Invalid {
                field: "team",
                reason: "a manager manages a team: give --team",
            });
        }
        let password_hash = hash_off_thread(spec.password.to_string()).await?;
        self.storage
            .create_user(NewUser {
                tenant_id: tenant.id,
                username: spec.username.to_string(),
                team_id,
                role: spec.role,
                password_hash,
            })
            .await
    }

    /// Sets a new password and ends the user's sessions.
    pub async fn reset_password(&self, tenant: &str, username: &str, password: &str) -> Result<()> {
        let tenant = self.tenant(tenant).await?;
        let hash = hash_off_thread(password.to_string()).await?;
        self.storage.set_password(&tenant.id, username, &hash).await
    }

    pub async fn list_devices(&self, tenant: &str) -> Result<Vec<Device>> {
        let tenant = self.tenant(tenant).await?;
        self.storage.list_devices(&tenant.id).await
    }

    /// Registers `device_id` to `username` beyond their device cap, so the device may log in.
    /// A device of another user of the tenant stays refused.
    pub async fn allow_device(&self, tenant: &str, username: &str, device_id: &str) -> Result<()> {
        let device = uuid::Uuid::parse_str(device_id.trim()).map_err(|_| Error::Invalid {
            field: "device",
            reason: "a device id is a UUID",
        })?;
        let account = self
            .storage
            .account(tenant, username)
            .await?
            .ok_or(Error::NotFound { what: "user" })?;
        self.storage
            .allow_device(&account.tenant_id, &account.user_id, &device.to_string())
            .await
    }

    /// Trims every tenant's log to its latest `keep` entries; devices with older cursors then
    /// receive snapshots. Returns the number of log entries removed.
    pub async fn compact(&self, keep: u64) -> Result<u64> {
        self.storage.compact(keep).await
    }

    /// Rewrites the manager console's read model from the stored documents (it is kept current
    /// by every sync; this repairs it after a restore or a bug). Returns the records read and
    /// the stored documents that could not be read.
    pub async fn rebuild_read_model(&self) -> Result<(u64, u64)> {
        self.storage.rebuild_read_model().await
    }
}

async fn hash_off_thread(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}
