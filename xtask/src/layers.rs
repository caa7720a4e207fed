//! Checks that the modules of `core/src` import only their own layer and the layers below.
//!
//! The engine is built bottom-up: plain values and documents, the store, the indexes a record
//! kind feeds, the settings, the context every area shares, the record kinds, the exchange of
//! changes, sync, and `FieldSales` on top. A lower module that reaches up (the store naming a
//! record kind, the error type naming sync) ties the layers into one knot that cannot be read,
//! tested or changed piece by piece; this check names such an import in `cargo xtask test` (or
//! `cargo xtask layers` alone) instead of leaving it to a review.
//!
//! It reads every `core/src/**/*.rs`, takes the `crate::`, `super::` and child-module paths it
//! names (in `use` trees and in code; comments and string literals are skipped), and finds the
//! layer of each side in [`LAYERS`] by the longest module prefix. A path that names no module
//! names an item of lib.rs, the top. Test code (`#[cfg(test)]` items, and the files such a
//! `mod` declares) is exempt: a test of a low module may open a whole store. How the paths are
//! read is `imports`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::{workspace_root, Result};

mod imports;

use imports::{imports, test_only_files};

/// Core's modules, bottom (0) to top, each with why it sits there. A module without a line
/// takes the layer of its longest listed prefix (`sync::apply` is `sync`); a top-level module
/// without one is an error, so that a new module is placed on purpose.
#[rustfmt::skip]
const LAYERS: &[(&str, u8, &str)] = &[
    ("error",             0, "the error type and its one policy: everything returns it"),
    ("protocol",          0, "the wire crate, re-exported: types shared with the server"),
    ("validate",          0, "pure rules for values a user types (phones, e-mails, places)"),
    ("record",            1, "one Automerge document per record: header, fields, concurrent values"),
    ("permissions",       1, "owner-only files and directories, for whatever writes a file"),
    ("media::files",      1, "the content-addressed media folder: where a file lives, how it is written"),
    ("credentials",       2, "where the session token is kept; a store migration hands one over"),
    ("store",             3, "SQLite: the Writer, migrations, the Projection trait kinds implement"),
    ("search::terms",     4, "search tokens of names and phones, fed by the customer projection"),
    ("dedup::vocabulary", 4, "the word lists of the duplicate rules"),
    ("dedup::normalise",  4, "names, e-mails and phones reduced to comparable parts"),
    ("dedup::profile",    4, "a customer's matching profile and blocking keys"),
    ("dedup::rules",      4, "when a pair counts as a duplicate (Config holds it) and why"),
    ("dedup::score",      4, "the score and reasons of one pair"),
    ("dedup::index",      4, "candidate index and merge pointers, fed by the customer projection"),
    ("tenant",            3, "the tenant's settings as the last sync answer carried them, in meta"),
    ("media::table",      3, "media rows and references, kept by projections; the store removes released files"),
    ("media::config",     4, "how photos are shrunk and cached: plain settings that Config holds"),
    ("media::shrink",     4, "decoding under limits, orienting, shrinking, encoding, hashing an image"),
    ("media::watermark",  4, "the time and place burned into a photo's corner, with our bitmap glyphs"),
    ("pipeline",          4, "the sales stages: plain rules that Config holds"),
    ("sync::backoff",     4, "retry delays: plain settings that Config holds"),
    ("sync::server_url",  4, "a checked server address, named by the transport contract"),
    ("sync::transport",   4, "the transport contract a caller may give in Config"),
    ("sync::config",      4, "how the device syncs: plain settings that Config holds"),
    ("config",            5, "who is signed in and the company's rules, read by every area"),
    ("engine",            6, "the open store of one user, as every area sees it"),
    ("customer",          7, "record kind: customers and contacts"),
    ("visit",             7, "record kind: visits, check-in and check-out"),
    ("quicklog",          7, "record kind: the few-seconds log (writes tasks and leads too)"),
    ("task",              7, "record kind: follow-up tasks"),
    ("conflict",          7, "area: listing and resolving concurrent values of any kind"),
    ("timeline",          7, "area: a customer's visits, logs and tasks in one list"),
    ("health",            7, "area: incomplete, invalid or quiet records"),
    ("search",            7, "area: finding customers by name, pinyin or digits"),
    ("dedup",             7, "area: duplicate checks and scans, merging, settling merges"),
    ("media",             7, "area: attaching photos and documents, the upload queue, the download cache"),
    ("feed",              7, "area: subscribing to what each committed transaction changed"),
    ("outbox",            8, "the exchange of changes with other replicas, used by sync"),
    ("sync",              9, "the sync client: sessions, round trips, auto-sync"),
    ("ffi",              10, "feature uniffi: how core's value types cross to the apps; names types of every layer"),
    ("fuzzing",          10, "test support that drives a whole FieldSales"),
    ("",                 10, "lib.rs: FieldSales, the root that hands out the areas"),
];

/// `cargo xtask layers`: fails naming every import of core that points up.
pub fn check() -> Result {
    let src = workspace_root().join("core/src");
    let files = rust_files(&src)?;
    let mut sources = Vec::new();
    for file in &files {
        sources.push((file.clone(), std::fs::read_to_string(file)?));
    }
    let test_files: BTreeSet<PathBuf> = sources
        .iter()
        .flat_map(|(file, text)| test_only_files(file, text))
        .collect();
    let tops = top_modules(&src, &files);
    let mut found = BTreeSet::new();
    for (file, text) in &sources {
        if test_files.contains(file) {
            continue;
        }
        let shown = file
            .strip_prefix(workspace_root())
            .unwrap_or(file)
            .display();
        let module = module_of(&src, file);
        let Some((_, own)) = layer_of(&tops, &module) else {
            return Err(format!(
                "{shown}: module `{}` has no line in LAYERS (xtask/src/layers.rs)",
                module.join("::")
            )
            .into());
        };
        for path in imports(&module, text) {
            let Some((entry, layer)) = layer_of(&tops, &path) else {
                continue;
            };
            if layer > own {
                let named = if entry.is_empty() {
                    format!("crate::{} (lib.rs, ", path.join("::"))
                } else {
                    format!("crate::{entry} (")
                };
                let at = if module.is_empty() {
                    "lib".into()
                } else {
                    module.join("::")
                };
                found.insert(format!(
                    "{shown} imports {named}layer {layer} above {at}, layer {own})"
                ));
            }
        }
    }
    if found.is_empty() {
        eprintln!("xtask: every module of core imports only its own layer and below");
        return Ok(());
    }
    for line in &found {
        eprintln!("{line}");
    }
    Err(format!(
        "{} upward imports in core/src (layers: xtask/src/layers.rs)",
        found.len()
    )
    .into())
}

/// The table entry and layer of a module or item path: its longest listed prefix. A path whose
/// head is no top-level module names an item of lib.rs (the top). `None`: an unlisted module.
fn layer_of(tops: &BTreeSet<String>, path: &[String]) -> Option<(&'static str, u8)> {
    let top = LAYERS.last().map(|(_, layer, _)| *layer).unwrap_or(0);
    match path.first() {
        None => return Some(("", top)),
        Some(head) if !tops.contains(head) => return Some(("", top)),
        Some(_) => {}
    }
    LAYERS
        .iter()
        .filter(|(name, _, _)| {
            let parts: Vec<&str> = name.split("::").collect();
            !name.is_empty()
                && parts.len() <= path.len()
                && parts.iter().zip(path).all(|(a, b)| a == b)
        })
        .max_by_key(|(name, _, _)| name.len())
        .map(|(name, layer, _)| (*name, *layer))
}

/// Names of core's top-level modules: its files and folders, and the listed ones (`protocol` is
/// a re-exported crate, with no file).
fn top_modules(src: &Path, files: &[PathBuf]) -> BTreeSet<String> {
    files
        .iter()
        .filter_map(|f| module_of(src, f).into_iter().next())
        .chain(
            LAYERS
                .iter()
                .filter(|(name, _, _)| !name.is_empty() && !name.contains("::"))
                .map(|(name, _, _)| name.to_string()),
        )
        .collect()
}

/// The module a file defines: `store/writer.rs` → `store::writer`; `mod.rs` and `lib.rs` name
/// their folder's module.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_takes_the_layer_of_its_longest_listed_prefix() {
        let tops: BTreeSet<String> = ["dedup", "sync", "store"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let path = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
        assert_eq!(
            layer_of(&tops, &path("dedup::index::project")),
            Some(("dedup::index", 4))
        );
        assert_eq!(layer_of(&tops, &path("dedup::Dedup")), Some(("dedup", 7)));
        assert_eq!(layer_of(&tops, &path("sync::apply")), Some(("sync", 9)));
        assert_eq!(layer_of(&tops, &path("FieldSales")), Some(("", 10)));
    }
}
