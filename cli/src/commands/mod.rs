//! The commands: open the signed-in user's store, run one command, return its output.
//!
//! Each area lives in its own module and returns the rendered document; nothing here prints.

mod conflicts;
mod contact;
mod customer;
mod dedup;
mod health;
mod media;
mod outbox;
mod quicklog;
mod sync;
mod tasks;
mod visit;

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use fieldsales_core::{Config, FieldSales, Identity, ManualClock};
use serde::Serialize;

use crate::args::{Cli, Command};
use crate::error::CliError;
use crate::output::{self, Mode};

/// What every command needs: the open store and how to show results.
pub struct Ctx {
    pub fs: FieldSales,
    pub mode: Mode,
}

impl Ctx {
    /// `value` as JSON, or the text made by `text`.
    pub fn render<T: Serialize + ?Sized>(
        &self,
        value: &T,
        text: impl FnOnce() -> String,
    ) -> Result<String, CliError> {
        output::render(self.mode, value, text)
    }

    /// The store's time zone (China time unless configured otherwise).
    pub fn zone(&self) -> FixedOffset {
        self.fs.config().time_zone
    }

    /// A time as shown to people: RFC 3339 in the store's time zone.
    pub fn time(&self, t: DateTime<Utc>) -> String {
        crate::time::show(t, self.zone())
    }

    /// Now, by the store's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.fs.config().clock.now()
    }
}

/// Runs the parsed command line; returns the document for stdout.
pub fn run(cli: Cli, mode: Mode) -> Result<String, CliError> {
    // Login opens (or creates) the store of whoever the server says signed in.
    if let Command::Login(args) = &cli.command {
        return sync::login(&cli, args, config(&cli), mode);
    }
    let ctx = Ctx {
        fs: open(&cli)?,
        mode,
    };
    match cli.command {
        Command::Customer(cmd) => customer::run(&ctx, cmd),
        Command::Contact(cmd) => contact::run(&ctx, cmd),
        Command::Visit(cmd) => visit::run(&ctx, cmd),
        Command::Media(cmd) => media::run(&ctx, cmd),
        Command::QuickLog(args) => quicklog::run(&ctx, args),
        Command::Tasks(cmd) => tasks::run(&ctx, cmd),
        Command::Conflicts(cmd) => conflicts::run(&ctx, cmd),
        Command::Health => health::run(&ctx),
        Command::Outbox => outbox::run(&ctx),
        Command::Dedup(cmd) => dedup::run(&ctx, cmd),
        Command::Merge(args) => dedup::merge(&ctx, args),
        Command::Logout => sync::logout(&ctx),
        Command::Sync => sync::sync(&ctx),
        Command::Status => sync::status(&ctx),
        Command::Login(_) => unreachable!("handled above"),
    }
}

/// Opens the store of `--user`, or else of the account that signed in last in the data
/// directory.
fn open(cli: &Cli) -> Result<FieldSales, CliError> {
    let given = cli.user.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let identity = match given {
        Some(user) => {
            let team = cli.team.clone().filter(|t| !t.trim().is_empty());
            Identity::new(user, team)?
        }
        None => {
            let account =
                fieldsales_core::sync::current_account(&cli.data_dir).ok_or_else(|| {
                    CliError::invalid("user", "give --user, set FIELDSALES_USER, or log in first")
                })?;
            Identity::new(account.user_id, account.team_id)?
        }
    };
    Ok(FieldSales::open(&cli.data_dir, identity, config(cli))?)
}

fn config(cli: &Cli) -> Config {
    let mut config = Config::default();
    if let Some(now) = cli.now {
        config.clock = Arc::new(ManualClock::new(now));
    }
    config
}
