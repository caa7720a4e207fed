//! Checks that the crates depend on each other in the one direction DESIGN.md draws.
//!
//! The server speaks the protocol and reads records; it must not compile the device's engine
//! (its search, dedup vocabulary, HTTP client). A dependency that creeps back in through a
//! convenient import shows up here, in `cargo xtask test`, instead of in a release build's size.

use crate::{cargo, workspace_root, Result};

/// Packages a crate's normal (non-dev) dependency tree must not contain.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "fieldsales-server",
        &["fieldsales-core", "reqwest", "pinyin"],
    ),
    (
        "fieldsales-protocol",
        &["fieldsales-core", "rusqlite", "tokio", "reqwest"],
    ),
];

pub fn check() -> Result {
    for (package, forbidden) in FORBIDDEN {
        let tree = normal_dependencies(package)?;
        let found: Vec<&str> = forbidden
            .iter()
            .copied()
            .filter(|name| tree.iter().any(|dep| dep == name))
            .collect();
        if !found.is_empty() {
            return Err(format!(
                "{package} depends on {} (see `cargo tree -p {package} -e normal -i <name>`)",
                found.join(", ")
            )
            .into());
        }
        eprintln!(
            "xtask: {package} does not depend on {}",
            forbidden.join(", ")
        );
    }
    Ok(())
}

/// The names of every package in `package`'s normal dependency tree.
fn normal_dependencies(package: &str) -> Result<Vec<String>> {
    let output = cargo()
        .args(["tree", "-p", package, "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}"])
        .current_dir(workspace_root())
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree -p {package} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect())
}
