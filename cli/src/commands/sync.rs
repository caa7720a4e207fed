//! `login`, `logout`, `sync`, `status`: the sync client on the command line.
//!
//! The password is read from `FIELDSALES_PASSWORD` or, when unset, from the first line of
//! stdin, never from a flag (flags end up in shell history and process lists). The session
//! token is kept in the user's store and never printed.

use std::io::BufRead;

use fieldsales_core::sync::{Login, SyncReport, SyncStatus};
use fieldsales_core::{Config, FieldSales};
use serde_json::json;

use super::Ctx;
use crate::args::{Cli, LoginArgs};
use crate::error::CliError;
use crate::output::{self, Mode, Text};

pub fn login(
    cli: &Cli,
    args: &LoginArgs,
    mut config: Config,
    mode: Mode,
) -> Result<String, CliError> {
    config.sync.allow_insecure_http = args.insecure_http;
    let password = password()?;
    let (_fs, session) = FieldSales::sign_in(
        &cli.data_dir,
        config,
        &Login {
            server_url: args.server.clone(),
            tenant: args.tenant.clone(),
            username: args.username.clone(),
            password,
        },
    )?;
    output::render(mode, &session, || {
        let mut t = Text::new();
        t.line(format!("signed in to {}", session.server_url));
        t.field("user", Some(&session.user_id));
        t.field("team", session.team_id.as_ref());
        t.field("role", Some(format!("{:?}", session.role).to_lowercase()));
        t.field("session expires", Some(&session.expires_at));
        t.finish()
    })
}

fn password() -> Result<String, CliError> {
    if let Ok(p) = std::env::var("FIELDSALES_PASSWORD") {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Internal(format!("cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CliError::invalid(
            "password",
            "set FIELDSALES_PASSWORD or give it on stdin",
        ));
    }
    Ok(password)
}

pub fn logout(ctx: &Ctx) -> Result<String, CliError> {
    ctx.fs.sync().logout()?;
    ctx.render(&json!({ "signed_in": false }), || "signed out".into())
}

pub fn sync(ctx: &Ctx) -> Result<String, CliError> {
    let report: SyncReport = ctx.fs.sync().sync_now()?;
    ctx.render(&report, || {
        let mut t = Text::new();
        t.line(format!(
            "synced: {} sent, {} received, {} round trip(s), cursor {}",
            report.sent, report.received, report.round_trips, report.cursor
        ));
        for c in &report.conflicts {
            t.line(format!(
                "  conflict: {} {} ({})",
                c.kind.as_str(),
                c.record_id,
                c.fields.join(", ")
            ));
        }
        for r in &report.rejected {
            t.line(format!(
                "  refused by the server: {} {} ({:?}): {}",
                r.kind, r.record_id, r.reason, r.detail
            ));
        }
        if report.media_uploaded + report.media_downloaded + report.media_failed > 0 {
            t.line(format!(
                "  media: {} uploaded, {} downloaded, {} refused by the server",
                report.media_uploaded, report.media_downloaded, report.media_failed
            ));
        }
        if report.pending > 0 {
            t.line(format!("  {} changes still pending", report.pending));
        }
        t.finish()
    })
}

pub fn status(ctx: &Ctx) -> Result<String, CliError> {
    let status: SyncStatus = ctx.fs.sync().status()?;
    let rejected = ctx.fs.sync().rejected()?;
    let value = json!({ "status": status, "rejected": rejected });
    ctx.render(&value, || {
        let mut t = Text::new();
        match &status.server_url {
            Some(url) if status.signed_in => t.line(format!("signed in to {url}")),
            Some(url) => t.line(format!("signed out (last server {url})")),
            None => t.line("never signed in"),
        };
        t.field("cursor", Some(status.cursor.to_string()));
        t.field("pending changes", Some(status.pending_changes.to_string()));
        t.field(
            "last success",
            status.last_success_at.map(|at| ctx.time(at)),
        );
        t.field("last error", status.last_error.as_ref());
        for r in &rejected {
            t.line(format!(
                "  refused: {} {} ({:?}, {} change(s)): {}",
                r.kind, r.record_id, r.reason, r.changes, r.detail
            ));
        }
        t.finish()
    })
}
