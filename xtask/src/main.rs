//! `cargo xtask`: the single entry point for building, testing and measuring fieldsales.
//!
//! - `cargo xtask demo`: the main job — a scripted session of the CLI on a fresh store.
//! - `cargo xtask test`: every test of the workspace (what CI runs).
//! - `cargo xtask layers`: checks that core's modules import only their layer and below.
//! - `cargo xtask bench [workload...]`: the benchmarks, in a release build, writing
//!   `target/bench/report.json` and printing a table. Workloads: see `bench::WORKLOADS`.
//!
//! xtask is plain Rust so that a fresh machine needs nothing but cargo.

#[cfg(feature = "tools")]
mod bench;
mod bindings;
#[cfg(feature = "tools")]
mod demo;
mod deps;
#[cfg(feature = "tools")]
mod fixtures;
mod layers;
#[cfg(feature = "tools")]
mod system;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        #[cfg(feature = "tools")]
        Some("demo") => demo::run_demo(&args[1..]),
        #[cfg(feature = "tools")]
        Some("bench") => bench::run(&args[1..]),
        #[cfg(not(feature = "tools"))]
        Some("demo" | "bench") => with_tools(&args),
        Some("test") => test(),
        Some("bindings") => bindings::test(), // only the Kotlin, Python and Swift checks
        Some("layers") => layers::check(),
        _ => {
            eprintln!("usage: cargo xtask <demo | test | bindings | layers | bench [workload...]>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root (the parent of xtask/).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Runs a command from the workspace root, failing on a non-zero exit.
pub(crate) fn run(cmd: &mut Command) -> Result {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.current_dir(workspace_root()).status()?;
    if !status.success() {
        return Err(format!("{cmd:?} failed with {status}").into());
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Re-runs xtask with the `tools` feature (the demo and the benches need the engine, the server
/// and the test kit; `cargo xtask test` does not, see xtask/Cargo.toml).
#[cfg(not(feature = "tools"))]
fn with_tools(args: &[String]) -> Result {
    run(cargo()
        .args([
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--features",
            "tools",
            "--",
        ])
        .args(args))
}

/// The features of every workspace build `cargo xtask test` makes. The tests, the doc tests and
/// the bindings' library, server and CLI are all built with the same features, so they share
/// one set of compiled dependencies: building one package alone unifies fewer features, and
/// cargo then compiles tokio, automerge and the rest again (on a clean clone that was most of
/// the bindings step). `xtask/tools` puts the benches' and the demo's code (and their unit
/// tests) in that one build.
pub(crate) const TEST_FEATURES: &str = "fieldsales-ffi/bindgen,xtask/tools";

/// Every test: unit, integration and doc tests of all crates.
fn test() -> Result {
    deps::check()?;
    layers::check()?;
    run(cargo().args([
        "test",
        "--workspace",
        "--all-targets",
        "--features",
        TEST_FEATURES,
    ]))?;
    run(cargo().args(["test", "--workspace", "--doc", "--features", TEST_FEATURES]))?;
    bindings::test()
}
