//! `outbox`: how many local changes wait for the server (sync itself comes later).

use serde_json::json;

use super::Ctx;
use crate::error::CliError;

pub fn run(ctx: &Ctx) -> Result<String, CliError> {
    let pending = ctx.fs.pending_changes()?;
    ctx.render(&json!({ "pending": pending }), || {
        format!("{pending} pending changes")
    })
}
