//! What can go wrong in a command, how it is told (one line, or JSON) and its exit code.
//!
//! Exit codes: 2 usage or validation (an image refused included), 3 not found (or deleted),
//! 4 conflict, 1 anything else.

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use fieldsales_core::{Error, Remedy};
use serde_json::{json, Value};

/// A failed command.
#[derive(Debug)]
pub enum CliError {
    /// The core refused or failed (validation, not found, conflict, storage...).
    Core(Error),
    /// The command line itself is wrong (unknown flag, missing or malformed value).
    Usage {
        /// The flag or argument concerned, when clap knows it (`at`, `user`).
        field: Option<String>,
        reason: String,
        /// A malformed value rather than a malformed command line.
        validation: bool,
        /// clap's message, naming the flag and the value.
        message: String,
    },
    /// Output could not be produced.
    Internal(String),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Core(e)
    }
}

impl CliError {
    /// A refused value, said the way the core says it.
    pub fn invalid(field: &str, reason: impl ToString) -> Self {
        CliError::Core(Error::invalid(field, reason))
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage { .. } => 2,
            CliError::Core(e) => match e {
                Error::Validation { .. } => 2,
                Error::NotFound { .. } | Error::Deleted { .. } => 3,
                Error::Conflict { .. } => 4,
                Error::Media(m) => match m.remedy() {
                    Remedy::FixInput => 2,
                    Remedy::Reload => 3,
                    _ => 1,
                },
                _ => 1,
            },
            CliError::Internal(_) => 1,
        })
    }

    /// The one-line message (without the `error: ` prefix).
    pub fn message(&self) -> String {
        let text = match self {
            CliError::Core(e) => e.to_string(),
            CliError::Usage { message, .. } => message.clone(),
            CliError::Internal(reason) => reason.clone(),
        };
        one_line(&text)
    }

    /// `{"error": {"kind": ..., ...}}`: `kind` always, `field`/`reason` for validation and
    /// conflicts, `record`/`id` for missing records, `message` always.
    pub fn to_json(&self) -> Value {
        let message = self.message();
        let body = match self {
            CliError::Core(e) => match e {
                Error::Validation { field, reason } => {
                    json!({"kind": "validation", "field": field, "reason": reason, "message": message})
                }
                Error::Conflict { field, reason } => {
                    json!({"kind": "conflict", "field": field, "reason": reason, "message": message})
                }
                Error::NotFound { kind, id } => {
                    json!({"kind": "not_found", "record": kind, "id": id, "message": message})
                }
                Error::Deleted { kind, id } => {
                    json!({"kind": "deleted", "record": kind, "id": id, "message": message})
                }
                Error::Storage(_) | Error::Io(_) | Error::SchemaTooNew { .. } => {
                    json!({"kind": "storage", "message": message})
                }
                Error::Sync(e) => json!({"kind": sync_kind(e), "message": message}),
                Error::Media(m) => {
                    json!({"kind": media_kind(m), "reason": m.to_string(), "message": message})
                }
                _ => json!({"kind": "internal", "message": message}),
            },
            CliError::Usage {
                field,
                reason,
                validation,
                ..
            } => {
                let kind = if *validation { "validation" } else { "usage" };
                json!({"kind": kind, "field": field, "reason": reason, "message": message})
            }
            CliError::Internal(_) => json!({"kind": "internal", "message": message}),
        };
        json!({ "error": body })
    }

    /// A clap parse failure, reduced to one line and the flag it concerns.
    pub fn from_clap(err: &clap::Error) -> Self {
        let rendered = err.render().to_string();
        // The first paragraph is the message (the required-arguments error lists them on
        // the following lines); usage and hints follow after a blank line.
        let first_paragraph: Vec<&str> = rendered
            .lines()
            .take_while(|line| !line.trim().is_empty())
            .map(str::trim)
            .collect();
        let joined = first_paragraph.join(" ");
        let message = joined
            .strip_prefix("error: ")
            .unwrap_or(&joined)
            .to_string();
        let field = match err.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(arg)) => Some(arg_name(arg)),
            Some(ContextValue::Strings(args)) => args.first().map(|a| arg_name(a)),
            _ => None,
        };
        let validation = matches!(
            err.kind(),
            ErrorKind::ValueValidation | ErrorKind::InvalidValue
        );
        // For a malformed value the reason is the value parser's own words.
        let reason = match std::error::Error::source(err) {
            Some(source) if validation => source.to_string(),
            _ => message.clone(),
        };
        CliError::Usage {
            field,
            reason,
            validation,
            message,
        }
    }
}

/// What a script does about a failed sync: sign in (`unauthorized`), retry (`network`), or
/// report (`sync`).
/// The kind of a sync failure, by the core's remedy: sign in, retry later, or report (`sync`).
fn sync_kind(e: &fieldsales_core::sync::SyncError) -> &'static str {
    match e.remedy() {
        Remedy::SignIn => "unauthorized",
        Remedy::RetryLater => "network",
        Remedy::FixInput | Remedy::Reload | Remedy::Report => "sync",
    }
}

/// The kind of a media failure, by the core's remedy: another image is needed (`media`), the
/// download was broken (`network`: retry), or no record names it (`not_found`).
fn media_kind(e: &fieldsales_core::error::MediaError) -> &'static str {
    match e.remedy() {
        Remedy::FixInput => "media",
        Remedy::RetryLater => "network",
        Remedy::Reload => "not_found",
        Remedy::SignIn | Remedy::Report => "internal",
    }
}

/// `--due <TIME>` → `due`; `<CUSTOMER_ID>` → `customer_id`.
fn arg_name(arg: &str) -> String {
    let arg = arg.trim();
    let name = if let Some(flag) = arg.strip_prefix("--") {
        flag.split([' ', '=', '<']).next().unwrap_or(flag)
    } else {
        arg.trim_start_matches('<').split('>').next().unwrap_or(arg)
    };
    name.replace('-', "_").to_lowercase()
}

/// Messages are one line: newlines in values become spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_kind_of_error() {
        let code = |e: CliError| format!("{:?}", e.exit_code());
        assert_eq!(
            code(CliError::invalid("phones", "bad")),
            format!("{:?}", ExitCode::from(2))
        );
        let missing = CliError::Core(Error::NotFound {
            kind: "customer",
            id: "x".into(),
        });
        assert_eq!(code(missing), format!("{:?}", ExitCode::from(3)));
        let conflict = CliError::Core(Error::Conflict {
            field: "name".into(),
            reason: "r".into(),
        });
        assert_eq!(code(conflict), format!("{:?}", ExitCode::from(4)));
        assert_eq!(
            code(CliError::Internal("x".into())),
            format!("{:?}", ExitCode::from(1))
        );
    }

    #[test]
    fn flag_names_become_field_names() {
        assert_eq!(arg_name("--due <TIME>"), "due");
        assert_eq!(
            arg_name("--decision-maker-wechat <WECHAT>"),
            "decision_maker_wechat"
        );
        assert_eq!(arg_name("<CUSTOMER_ID>"), "customer_id");
    }

    #[test]
    fn validation_json_names_field_and_reason() {
        let v = CliError::invalid("phones", "not a phone\nnumber").to_json();
        assert_eq!(v["error"]["kind"], "validation");
        assert_eq!(v["error"]["field"], "phones");
        assert_eq!(v["error"]["message"], "invalid phones: not a phone number");
    }
}
