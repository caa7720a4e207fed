//! Tools from Debian packages that a workload compares against (`vipsthumbnail` from
//! `libvips-tools`), installed on demand the one way this project installs system packages.
//!
//! Running as root (the developers' machines and CI), a missing tool is installed with
//! `apt-get install -y` (after an `apt-get update` when the package lists do not know it yet).
//! Otherwise nothing is installed and the caller is told why, to report the figure as missing
//! with that reason: a comparison is never skipped silently.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The path of `tool`, installing Debian package `package` when the tool is missing and this
/// process may. `Err` says why the tool cannot be had.
pub(crate) fn ensure_tool(tool: &str, package: &str) -> Result<PathBuf, String> {
    if let Some(path) = find(tool) {
        return Ok(path);
    }
    if !is_root() {
        return Err(format!(
            "{tool} is missing and this user cannot install {package} (run `apt-get install -y {package}` as root)"
        ));
    }
    eprintln!("xtask: {tool} is missing; installing {package}");
    if !apt_get(&["install", "-y", "--no-install-recommends", package]) {
        // A fresh machine's package lists may not know the package yet.
        if !apt_get(&["update"]) || !apt_get(&["install", "-y", "--no-install-recommends", package])
        {
            return Err(format!("apt-get could not install {package}"));
        }
    }
    find(tool).ok_or_else(|| format!("{package} installed but {tool} is not on PATH"))
}

fn apt_get(args: &[&str]) -> bool {
    Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `tool` on PATH.
fn find(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
}

/// Whether this process runs as root (its real user id, from `/proc/self/status`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}
