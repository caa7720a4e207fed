//! The command-line grammar: global options, every command and its flags (clap derive).
//!
//! Values that need more than a type (times, durations, `key=value`, visibility, channel) are
//! parsed here, by the value parsers at the bottom, so a malformed value is a usage error with
//! the flag named, before any store is opened.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use fieldsales_core::customer::Visibility;
use fieldsales_core::quicklog::Channel;

use crate::time::{self, TimeArg};

/// Offline-first field-sales CRM: customers, visits, quick-logs and follow-up tasks.
///
/// Times are RFC 3339 (2026-03-02T09:00:00+08:00) or `YYYY-MM-DD HH:MM` in China time (UTC+8).
/// Durations are seconds (200) or like 3m20s.
#[derive(Debug, Parser)]
#[command(name = "fieldsales", version)]
pub struct Cli {
    /// Directory holding the local databases (one per user).
    #[arg(
        long,
        global = true,
        env = "FIELDSALES_DATA_DIR",
        default_value = "./fieldsales-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// The signed-in user (required).
    #[arg(long, global = true, env = "FIELDSALES_USER", value_name = "ID")]
    pub user: Option<String>,

    /// The user's team, given to new customers shared with the team.
    #[arg(long, global = true, env = "FIELDSALES_TEAM", value_name = "ID")]
    pub team: Option<String>,

    /// Machine-readable output: one JSON document on stdout, errors as JSON on stderr.
    #[arg(long, global = true)]
    pub json: bool,

    /// Pretend the current time is TIME (scripted demos and tests).
    #[arg(long, global = true, env = "FIELDSALES_NOW", value_name = "TIME", hide = true,
          value_parser = time::parse_time)]
    pub now: Option<DateTime<Utc>>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Customers: add, show, list, search, edit, delete, timeline, pipeline stage, documents.
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// Contact persons of a customer.
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Visits: plan, check in, check out, notes, photos.
    #[command(subcommand)]
    Visit(VisitCmd),
    /// Photos and documents: a record's list, one image to a file, the upload queue.
    #[command(subcommand)]
    Media(MediaCmd),
    /// Log a call, chat or meeting in a few seconds (an unknown phone becomes a new lead).
    QuickLog(QuickLogArgs),
    /// Follow-up tasks.
    #[command(subcommand)]
    Tasks(TasksCmd),
    /// Fields where concurrent edits left several values.
    #[command(subcommand)]
    Conflicts(ConflictsCmd),
    /// Data-health report: incomplete or invalid customers, customers gone quiet.
    Health,
    /// Number of local changes not yet sent to the server.
    Outbox,
    /// Likely duplicate customers: check one, scan all, same-person contacts.
    #[command(subcommand)]
    Dedup(DedupCmd),
    /// Merge a duplicate customer into the one that stays (or preview the choices).
    Merge(MergeArgs),
    /// Sign in to a sync server (password from FIELDSALES_PASSWORD or stdin).
    Login(LoginArgs),
    /// Sign out: forget the session token (local data and unsent changes stay).
    Logout,
    /// Sync now: send local changes, receive the team's.
    Sync,
    /// Sync status: server, cursor, pending changes, last success and error, refused edits.
    Status,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The sync server's base URL (https://..., or http:// to this machine).
    #[arg(long, value_name = "URL", env = "FIELDSALES_SERVER")]
    pub server: String,
    #[arg(long, value_name = "NAME", env = "FIELDSALES_TENANT")]
    pub tenant: String,
    #[arg(long, value_name = "NAME")]
    pub username: String,
    /// Allow plain http:// to a server other than this machine.
    #[arg(long)]
    pub insecure_http: bool,
}

// ----- duplicates -----

#[derive(Debug, Subcommand)]
pub enum DedupCmd {
    /// Likely duplicates of a stored customer (give its id) or of one about to be added.
    Check(DedupCheck),
    /// Every group of likely duplicates, and the duplicate rate.
    Scan {
        /// Show at most this many groups (the counts cover all).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Contacts of a customer that are likely one person (王经理 / 王总监).
    Contacts { customer_id: String },
}

#[derive(Debug, Args)]
pub struct DedupCheck {
    /// A stored customer to check; without it, the flags describe a customer to be added.
    pub id: Option<String>,
    #[arg(long, conflicts_with = "id")]
    pub name: Option<String>,
    #[arg(long)]
    pub legal_name: Option<String>,
    #[arg(long)]
    pub credit_code: Option<String>,
    /// Repeatable.
    #[arg(long = "phone", value_name = "PHONE")]
    pub phones: Vec<String>,
    /// Repeatable.
    #[arg(long = "email", value_name = "EMAIL")]
    pub emails: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The customer that stays.
    pub survivor: String,
    /// The customer merged into it (tombstoned, pointing at the survivor).
    pub merged: String,
    /// Whose value wins for a conflicting field, as FIELD=survivor|merged; repeatable.
    /// Fields: name, legal_name, credit_code, stage, owner, team, visibility, address.
    #[arg(long = "keep", value_name = "FIELD=SIDE", value_parser = parse_keep)]
    pub keep: Vec<(String, fieldsales_core::dedup::Side)>,
    /// Only show both customers and the fields that need a choice; change nothing.
    #[arg(long)]
    pub preview: bool,
}

// ----- customers -----

#[derive(Debug, Subcommand)]
pub enum CustomerCmd {
    /// Add a customer; prints its id.
    Add(CustomerAdd),
    /// Show one customer with its contacts.
    Show { id: String },
    /// List customers by name.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Find customers by Chinese name, pinyin (full or initials) or phone digits.
    Search {
        /// Words of the query (`小米 bj`, `bjxm`, `5678`).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Change some fields of a customer (only what is given changes; "" clears a text field).
    Edit(CustomerEdit),
    /// Delete a customer.
    Delete { id: String },
    /// Visits, quick-logs and tasks of a customer, oldest first.
    Timeline { id: String },
    /// Move a customer into a pipeline stage, recording the anchor action that enters it.
    Stage {
        id: String,
        /// Stage key (negotiation) or label (商务谈判).
        stage: String,
        /// Anchor action key (quote_sent) or label (发送报价单).
        #[arg(long, value_name = "ACTION")]
        anchor: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Documents of a customer (business licence, signed contract).
    #[command(subcommand)]
    Document(DocumentCmd),
}

#[derive(Debug, Subcommand)]
pub enum DocumentCmd {
    /// Attach an image (JPEG, PNG or WebP) as a document; prints its hash.
    Add {
        customer_id: String,
        /// The image; a shrunk copy without metadata is stored, the file is left as it is.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CustomerAdd {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub legal_name: Option<String>,
    /// Unified social credit code (18 characters).
    #[arg(long)]
    pub credit_code: Option<String>,
    /// A phone number as typed (spaces, dashes, +86 are fine); repeatable.
    #[arg(long = "phone", value_name = "PHONE")]
    pub phones: Vec<String>,
    /// Repeatable.
    #[arg(long = "email", value_name = "EMAIL")]
    pub emails: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
    #[command(flatten)]
    pub point: PointArgs,
    /// Repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// private, team (default) or organisation.
    #[arg(long, value_parser = parse_visibility)]
    pub visibility: Option<Visibility>,
    /// A custom field as key=value; repeatable.
    #[arg(long = "custom", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub custom: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub struct CustomerEdit {
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub legal_name: Option<String>,
    #[arg(long)]
    pub credit_code: Option<String>,
    #[arg(long = "add-phone", value_name = "PHONE")]
    pub add_phones: Vec<String>,
    #[arg(long = "remove-phone", value_name = "PHONE")]
    pub remove_phones: Vec<String>,
    #[arg(long = "add-email", value_name = "EMAIL")]
    pub add_emails: Vec<String>,
    #[arg(long = "remove-email", value_name = "EMAIL")]
    pub remove_emails: Vec<String>,
    #[arg(long, value_name = "TEXT")]
    pub address: Option<String>,
    #[command(flatten)]
    pub point: PointArgs,
    #[arg(long = "add-tag", value_name = "TAG")]
    pub add_tags: Vec<String>,
    #[arg(long = "remove-tag", value_name = "TAG")]
    pub remove_tags: Vec<String>,
    #[arg(long, value_parser = parse_visibility)]
    pub visibility: Option<Visibility>,
    /// A custom field as key=value (an empty value removes it); repeatable.
    #[arg(long = "custom", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub custom: Vec<(String, String)>,
}

/// Coordinates of an address (WGS-84).
#[derive(Debug, Args)]
pub struct PointArgs {
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    pub lon: Option<f64>,
}

// ----- contacts -----

#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Add a contact person to a customer; prints the contact's id.
    Add {
        customer_id: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        fields: ContactFields,
    },
    /// Change some fields of a contact ("" clears a field).
    Edit {
        customer_id: String,
        contact_id: String,
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: ContactFields,
    },
    /// Remove a contact from a customer.
    Remove {
        customer_id: String,
        contact_id: String,
    },
}

#[derive(Debug, Args)]
pub struct ContactFields {
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub wechat: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
}

// ----- visits -----

#[derive(Debug, Subcommand)]
pub enum VisitCmd {
    /// Plan a visit; prints its id.
    Plan {
        customer_id: String,
        #[arg(long, value_name = "TIME", value_parser = time::parse_time)]
        at: DateTime<Utc>,
    },
    /// Check in at a customer now (a planned visit with --visit, else a new visit).
    CheckIn {
        customer_id: String,
        /// The planned visit to check in to.
        #[arg(long, value_name = "ID")]
        visit: Option<String>,
        #[command(flatten)]
        fix: FixArgs,
    },
    /// Check out of a visit now, with what happened.
    CheckOut {
        visit_id: String,
        #[command(flatten)]
        fix: FixArgs,
        /// The whole text of the notes.
        #[arg(long)]
        notes: Option<String>,
        /// Repeatable.
        #[arg(long = "pain-point", value_name = "TEXT")]
        pain_points: Vec<String>,
        #[arg(long)]
        outcome: Option<String>,
        /// Becomes a follow-up task.
        #[arg(long, value_name = "TEXT")]
        next_action: Option<String>,
        /// Due time of the next action (default: 24 hours from now).
        #[arg(long, value_name = "TIME", value_parser = time::parse_time)]
        due: Option<DateTime<Utc>>,
        #[arg(long, value_name = "WECHAT")]
        decision_maker_wechat: Option<String>,
    },
    /// Replace the notes of a visit.
    Notes { visit_id: String, text: String },
    /// Show one visit.
    Show { id: String },
    /// A rep's visits in a time range (default: today, China time).
    List {
        /// Default: the signed-in user.
        #[arg(long)]
        rep: Option<String>,
        /// A time, or a date for the start of that day.
        #[arg(long, value_name = "TIME", value_parser = time::parse_time_or_day)]
        from: Option<TimeArg>,
        /// A time (excluded), or a date for the end of that day.
        #[arg(long, value_name = "TIME", value_parser = time::parse_time_or_day)]
        to: Option<TimeArg>,
    },
    /// Photos of a visit.
    #[command(subcommand)]
    Photo(PhotoCmd),
}

#[derive(Debug, Subcommand)]
pub enum PhotoCmd {
    /// Attach a photo (JPEG, PNG or WebP) to a visit; prints its hash.
    Add {
        visit_id: String,
        /// The image; a shrunk copy without metadata is stored, the file is left as it is.
        file: PathBuf,
    },
}

/// Where the phone was.
#[derive(Debug, Args)]
pub struct FixArgs {
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    pub lat: Option<f64>,
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    pub lon: Option<f64>,
    /// Uncertainty of the fix, metres.
    #[arg(long, requires = "lat", value_name = "METRES")]
    pub accuracy: Option<f64>,
}

// ----- media -----

#[derive(Debug, Subcommand)]
pub enum MediaCmd {
    /// The photos of a visit or the documents of a customer, with their upload state.
    List { record_id: String },
    /// Write an image to a file: the copy on this device, else downloaded (needs a login).
    Get {
        /// The image's hash, as `media list` shows it.
        hash: String,
        /// Where to write the JPEG (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The image's 320 px thumbnail instead of the image.
        #[arg(long)]
        thumbnail: bool,
    },
    /// Photos and documents captured here: queued, uploading, failed, uploaded.
    Status,
}

// ----- quick-log -----

#[derive(Debug, Args)]
pub struct QuickLogArgs {
    /// call (default), visit, wechat, meeting or email.
    #[arg(long, value_parser = parse_channel)]
    pub channel: Option<Channel>,
    /// The number called or calling; an unknown number creates a new lead.
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long, value_name = "ID")]
    pub customer: Option<String>,
    /// When it started (default: now).
    #[arg(long, value_name = "TIME", value_parser = time::parse_time)]
    pub at: Option<DateTime<Utc>>,
    /// Seconds, or like 3m20s.
    #[arg(long, value_parser = time::parse_duration)]
    pub duration: Option<i64>,
    /// Repeatable.
    #[arg(long = "pain-point", value_name = "TEXT")]
    pub pain_points: Vec<String>,
    /// Becomes a follow-up task.
    #[arg(long, value_name = "TEXT")]
    pub next_action: Option<String>,
    /// Due time of the next action (default: 24 hours after the interaction).
    #[arg(long, value_name = "TIME", value_parser = time::parse_time)]
    pub due: Option<DateTime<Utc>>,
    #[arg(long)]
    pub note: Option<String>,
}

// ----- tasks -----

#[derive(Debug, Subcommand)]
pub enum TasksCmd {
    /// My open tasks due from now to the end of today (China time).
    Today,
    /// My open tasks past their due time.
    Overdue,
    /// Add a task; prints its id.
    Add {
        #[arg(long)]
        title: String,
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
        /// Default: 24 hours from now.
        #[arg(long, value_name = "TIME", value_parser = time::parse_time)]
        due: Option<DateTime<Utc>>,
    },
    /// Mark a task done.
    Done { id: String },
    /// Open a done task again.
    Reopen { id: String },
    /// Every task of a customer, by due time.
    Customer { customer_id: String },
}

// ----- conflicts -----

#[derive(Debug, Subcommand)]
pub enum ConflictsCmd {
    /// Every record with a conflicted field.
    List,
    /// The conflicted fields of one record.
    Show { record_id: String },
    /// Keep one candidate value of a conflicted field.
    Resolve {
        record_id: String,
        /// Field path as listed (`name`, `contacts.<id>.phone`).
        field: String,
        /// The candidate to keep: its JSON as listed (`{"type":"text","value":"张明"}`) or
        /// the plain text of a text candidate (`张明`).
        value: String,
    },
}

// ----- value parsers -----

/// `key=value`; the value may be empty (which removes a custom field on edit).
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err("expected key=value".into()),
    }
}

fn parse_keep(s: &str) -> Result<(String, fieldsales_core::dedup::Side), String> {
    use fieldsales_core::dedup::Side;
    let (field, side) = parse_key_value(s)?;
    let side = match side.trim().to_ascii_lowercase().as_str() {
        "survivor" => Side::Survivor,
        "merged" => Side::Merged,
        _ => return Err("expected FIELD=survivor or FIELD=merged".into()),
    };
    Ok((field, side))
}

fn parse_visibility(s: &str) -> Result<Visibility, String> {
    Visibility::parse(s).ok_or_else(|| "must be private, team or organisation".into())
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    Channel::parse(s).map_err(|_| "must be call, visit, wechat, meeting or email".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn key_value_needs_a_key_and_keeps_the_rest() {
        assert_eq!(
            parse_key_value("行业=制造=重工"),
            Ok(("行业".into(), "制造=重工".into()))
        );
        assert_eq!(parse_key_value("k="), Ok(("k".into(), String::new())));
        assert!(parse_key_value("=v").is_err());
        assert!(parse_key_value("novalue").is_err());
    }
}
