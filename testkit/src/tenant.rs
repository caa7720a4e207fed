//! The one tenant seeder. A [`Tenant`] says who works where — teams, people, roles, passwords —
//! as plain data; [`seed`] creates it through [`Admin`], the same API the server binary's admin
//! subcommands use, so it works on a running server (`server.admin()`) or on a storage opened
//! directly ([`seed_data_dir`], before a server process starts on it).
//!
//! Each caller describes the cast its story needs (the demo's four people, a bench's two
//! hundred reps); [`acme`] is the cast the server and CLI tests share. Users are created one
//! after the other, in the order given, so their ids are created in that order too.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use fieldsales_core::protocol::Role;
use fieldsales_core::sync::Login;
use fieldsales_server::storage::sqlite::SqliteStorage;
use fieldsales_server::storage::User;
use fieldsales_server::{Admin, UserSpec};

/// The seeded users by username, as the server created them (ids, teams).
pub type Accounts = HashMap<String, User>;

/// A tenant to seed: its teams and its people.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub name: String,
    pub teams: Vec<String>,
    pub people: Vec<Person>,
    /// The password of every person added without one of their own.
    pub password: String,
}

/// One account of a [`Tenant`].
#[derive(Debug, Clone)]
pub struct Person {
    pub username: String,
    pub role: Role,
    /// The team's name; reps and managers have one, an admin need not.
    pub team: Option<String>,
    pub password: String,
}

impl Tenant {
    /// An empty tenant whose people get `password` unless given their own.
    pub fn new(name: &str, password: &str) -> Tenant {
        Tenant {
            name: name.into(),
            teams: Vec::new(),
            people: Vec::new(),
            password: password.into(),
        }
    }

    pub fn team(mut self, name: &str) -> Tenant {
        self.teams.push(name.into());
        self
    }

    /// Adds `username` with `role` in `team` (by name), with the tenant's password.
    pub fn member(mut self, username: &str, role: Role, team: Option<&str>) -> Tenant {
        self.people.push(Person {
            username: username.into(),
            role,
            team: team.map(Into::into),
            password: self.password.clone(),
        });
        self
    }

    /// Gives `username` (already added) a password of their own.
    pub fn with_password(mut self, username: &str, password: &str) -> Tenant {
        for person in self.people.iter_mut().filter(|p| p.username == username) {
            person.password = password.into();
        }
        self
    }

    /// The password `username` logs in with; the tenant's for someone not in it (a login
    /// that the server will refuse).
    pub fn password_of(&self, username: &str) -> &str {
        self.people
            .iter()
            .find(|p| p.username == username)
            .map_or(&self.password, |p| &p.password)
    }

    /// What `username`'s phone types into the login screen to reach `server_url`.
    pub fn login(&self, server_url: &str, username: &str) -> Login {
        Login {
            server_url: server_url.into(),
            tenant: self.name.clone(),
            username: username.into(),
            password: self.password_of(username).into(),
        }
    }
}

/// Creates `tenant`, its teams and its people; returns the people as the server created them.
pub async fn seed(admin: &Admin, tenant: &Tenant) -> fieldsales_server::Result<Accounts> {
    admin.create_tenant(&tenant.name).await?;
    for team in &tenant.teams {
        admin.create_team(&tenant.name, team).await?;
    }
    let mut accounts = Accounts::new();
    for person in &tenant.people {
        let user = admin
            .create_user(UserSpec {
                tenant: &tenant.name,
                username: &person.username,
                password: &person.password,
                role: person.role,
                team: person.team.as_deref(),
            })
            .await?;
        accounts.insert(person.username.clone(), user);
    }
    Ok(accounts)
}

/// Seeds `tenants` into the server data directory `data_dir` (created if needed) with no
/// server running: for a harness that then starts the server binary on it.
pub fn seed_data_dir(data_dir: &Path, tenants: &[Tenant]) -> crate::Result<()> {
    let storage = SqliteStorage::open(data_dir)?;
    let admin = Admin::new(Arc::new(storage));
    let runtime = crate::loopback::runtime()?;
    for tenant in tenants {
        runtime.block_on(seed(&admin, tenant))?;
    }
    Ok(())
}

/// The cast of the server and CLI tests: tenant `acme`, team `north` (reps `ann` and `bob`,
/// manager `max`), team `south` (rep `cat`), and the tenant's admin `root`, all with
/// [`ACME_PASSWORD`].
pub fn acme() -> Tenant {
    Tenant::new("acme", ACME_PASSWORD)
        .team("north")
        .team("south")
        .member("ann", Role::Rep, Some("north"))
        .member("bob", Role::Rep, Some("north"))
        .member("max", Role::Manager, Some("north"))
        .member("cat", Role::Rep, Some("south"))
        .member("root", Role::Admin, None)
}

/// The password of everyone in [`acme`] (test data, not a secret).
pub const ACME_PASSWORD: &str = "correct horse battery";
