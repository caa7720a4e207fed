//! `visit photo add`, `customer document add` and `media …`: photos and documents on the
//! command line.
//!
//! The core does the work (shrinking, storing, the upload queue, downloads); this module checks
//! the file names given on the command line, and tells what happened. Hashes are printed in
//! full: they are what scripts pass back to `media get`. File names never appear in errors
//! (a photo's name can say whom it shows).

use std::path::Path;

use fieldsales_core::media::shrink::is_content_hash;
use fieldsales_core::media::{Attached, MediaItem, MediaQueue};
use fieldsales_core::Error;
use serde_json::json;

use super::Ctx;
use crate::args::MediaCmd;
use crate::error::CliError;
use crate::output::{size, Text};

pub fn run(ctx: &Ctx, cmd: MediaCmd) -> Result<String, CliError> {
    match cmd {
        MediaCmd::List { record_id } => {
            let items = ctx.fs.media().list(&record_id)?;
            ctx.render(&items, || list(&record_id, &items))
        }
        MediaCmd::Get {
            hash,
            out,
            thumbnail,
        } => get(ctx, &hash, &out, thumbnail),
        MediaCmd::Status => {
            let queue = ctx.fs.media().queue()?;
            ctx.render(&queue, || status(&queue))
        }
    }
}

/// `visit photo add VISIT_ID FILE`.
pub fn attach_photo(ctx: &Ctx, visit_id: &str, file: &Path) -> Result<String, CliError> {
    readable(file)?;
    let attached = ctx.fs.media().attach_to_visit(visit_id, file)?;
    ctx.render(&attached, || {
        attached_line("photo", "visit", visit_id, &attached)
    })
}

/// `customer document add CUSTOMER_ID FILE`.
pub fn attach_document(ctx: &Ctx, customer_id: &str, file: &Path) -> Result<String, CliError> {
    readable(file)?;
    let attached = ctx.fs.media().attach_to_customer(customer_id, file)?;
    ctx.render(&attached, || {
        attached_line("document", "customer", customer_id, &attached)
    })
}

/// A file that cannot be opened is the caller's to fix, said without its name (the core would
/// report it as a failure of the data directory).
fn readable(file: &Path) -> Result<(), CliError> {
    match std::fs::File::open(file) {
        Ok(_) => Ok(()),
        Err(e) => Err(CliError::invalid("file", format!("cannot be read: {e}"))),
    }
}

/// `photo <hash> attached to visit <id> (1920×1440, 272 KB)`.
fn attached_line(what: &str, record: &str, id: &str, a: &Attached) -> String {
    format!(
        "{what} {} attached to {record} {id} ({}×{}, {})",
        a.hash,
        a.width,
        a.height,
        size(a.bytes)
    )
}

/// `media get`: the image (or its thumbnail) from this device, else from the server, copied
/// to `out`.
fn get(ctx: &Ctx, hash: &str, out: &Path, thumbnail: bool) -> Result<String, CliError> {
    let hash = hash.trim().to_ascii_lowercase();
    if !is_content_hash(&hash) {
        return Err(CliError::invalid(
            "hash",
            "a media hash is 64 hexadecimal digits, as `media list` shows it",
        ));
    }
    let wanted = if thumbnail {
        ctx.fs
            .media()
            .thumbnail_of(&hash)?
            .ok_or_else(|| Error::NotFound {
                kind: "thumbnail of media",
                id: hash.clone(),
            })?
    } else {
        hash.clone()
    };
    // The local copy when there is one, else downloaded now (which needs a session).
    let source = ctx.fs.sync().fetch_media(&wanted)?;
    let bytes = std::fs::copy(&source, out)
        .map_err(|e| CliError::invalid("out", format!("cannot be written: {e}")))?;
    let value = json!({
        "hash": wanted,
        "image": hash,
        "thumbnail": thumbnail,
        "out": out,
        "bytes": bytes,
    });
    ctx.render(&value, || {
        let what = if thumbnail { "thumbnail of " } else { "" };
        format!("wrote {what}{hash} to {} ({})", out.display(), size(bytes))
    })
}

/// One line per image: `<hash>  photo  queued  272 KB  on this device`, and after a failed
/// upload its attempts and reason.
fn list(record_id: &str, items: &[MediaItem]) -> String {
    if items.is_empty() {
        return format!("no photos or documents on {record_id}");
    }
    items
        .iter()
        .map(|item| {
            let state = item.state.map_or("on the server", |s| s.as_str());
            let bytes = item.bytes.map(size).unwrap_or_else(|| "-".into());
            let held = if item.local {
                "on this device"
            } else {
                "not downloaded"
            };
            let failure = match &item.failure {
                Some(reason) => format!("  {} attempts: {reason}", item.attempts),
                None => String::new(),
            };
            format!(
                "{}  {}  {state}  {bytes}  {held}{failure}",
                item.hash,
                item.role.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn status(q: &MediaQueue) -> String {
    let mut t = Text::new();
    t.line(format!(
        "media: {} queued, {} uploading, {} failed, {} uploaded",
        q.queued, q.uploading, q.failed, q.uploaded
    ));
    if q.bytes_pending > 0 {
        t.field("waiting to upload", Some(size(q.bytes_pending)));
    }
    for f in &q.failures {
        t.line(format!(
            "failed  {}  {}  {} attempts: {}",
            f.hash,
            f.role.as_str(),
            f.attempts,
            f.reason
        ));
    }
    t.finish()
}
