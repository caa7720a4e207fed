//! `fieldsales`: the field-sales core on the command line, for support staff and scripts.
//!
//! Parses the command line, runs one command against the signed-in user's local store and
//! writes its result (text, or JSON with `--json`) to stdout, or one error line to stderr with
//! exit code 2 (usage or validation, an image refused included), 3 (not found), 4 (conflict) or
//! 1 (anything else).

mod args;
mod commands;
mod error;
mod output;
mod time;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use crate::args::Cli;
use crate::error::CliError;
use crate::output::Mode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return parse_failure(&err),
    };
    let mode = if cli.json { Mode::Json } else { Mode::Human };
    match commands::run(cli, mode).and_then(|doc| output::write_result(&doc)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            output::write_error(&err, mode);
            err.exit_code()
        }
    }
}

/// Help and version are printed as clap prints them; anything else is a usage error.
fn parse_failure(err: &clap::Error) -> ExitCode {
    let json = json_requested();
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        // `fieldsales customer` alone: the list of subcommands helps more than one line.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if !json => {
            let _ = err.print();
            ExitCode::from(2)
        }
        _ => {
            let err = CliError::from_clap(err);
            output::write_error(&err, if json { Mode::Json } else { Mode::Human });
            err.exit_code()
        }
    }
}

/// Whether `--json` was on a command line that did not parse.
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}
