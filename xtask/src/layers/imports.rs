//! The `crate::` paths a Rust file of core names, for the layer check (`super`).
//!
//! A small lexer rather than a Rust parser: core builds no paths in macros, and what the lexer
//! could miss is an import, never an invented one. Comments, string and char literals are
//! skipped; `use` trees are expanded (`use crate::{a::X, b::{self, Y}}`); paths in code
//! (`crate::dedup::index::project(..)`) are found; `super::` is climbed and a child module's
//! name placed under the file's module. Test-only items (`#[cfg(test)]`,
//! `#[cfg(all(test, …))]`) and the files such a `mod` declares are left out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A token of Rust source, as far as paths are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    /// A string literal's contents (only `#[path = "…"]` reads one).
    Str(String),
    /// `::`, or any other single punctuation character.
    Punct(&'static str),
    Other(char),
}

impl Token {
    fn is(&self, word: &str) -> bool {
        match self {
            Token::Ident(s) => s == word,
            Token::Punct(p) => *p == word,
            Token::Other(c) => word.len() == c.len_utf8() && word.starts_with(*c),
            Token::Str(_) => false,
        }
    }

    fn ident(&self) -> Option<&str> {
        match self {
            Token::Ident(s) => Some(s),
            _ => None,
        }
    }
}

/// Splits source into tokens; comments, char literals, lifetimes and numbers are dropped.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i);
        } else if let Some((literal, end)) = string_literal(&chars, i) {
            out.push(Token::Str(literal));
            i = end;
        } else if c == '\'' {
            i = skip_char_or_lifetime(&chars, i);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else if c == ':' && next == Some(':') {
            out.push(Token::Punct("::"));
            i += 2;
        } else {
            out.push(Token::Other(c));
            i += 1;
        }
    }
    out
}

/// The index after the (possibly nested) block comment opening at `i`.
fn skip_block_comment(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// A string literal (`"…"`, `b"…"`, `r#"…"#`, `br"…"`) starting at `i`: its contents and the
/// index after it.
fn string_literal(chars: &[char], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    let raw = chars.get(j) == Some(&'r');
    if raw {
        j += 1;
        let hashes = chars[j..].iter().take_while(|c| **c == '#').count();
        j += hashes;
        if chars.get(j) != Some(&'"') {
            return None;
        }
        let start = j + 1;
        let mut k = start;
        while k < chars.len() {
            if chars[k] == '"'
                && chars[k + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|c| **c == '#')
                    .count()
                    == hashes
            {
                return Some((chars[start..k].iter().collect(), k + 1 + hashes));
            }
            k += 1;
        }
        return Some((chars[start..].iter().collect(), chars.len()));
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    let start = j + 1;
    let mut k = start;
    while k < chars.len() && chars[k] != '"' {
        k += if chars[k] == '\\' { 2 } else { 1 };
    }
    let end = k.min(chars.len());
    Some((chars[start..end].iter().collect(), end + 1))
}

/// The index after a char literal (`'x'`, `'\n'`, `'\u{1F600}'`) or a lifetime's quote at `i`.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let mut k = i + 2;
        while k < chars.len() && chars[k] != '\'' {
            k += 1;
        }
        return k + 1;
    }
    if chars.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    i + 1 // a lifetime: its name follows as an identifier
}

/// Files that `text` declares under `#[cfg(test)]` (`#[cfg(test)] mod fake;`, maybe `#[path]`).
pub(super) fn test_only_files(file: &Path, text: &str) -> Vec<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let children = if matches!(stem, "mod" | "lib") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    let mut out = Vec::new();
    let (_, tests) = without_tests(&tokens(text));
    for (name, path_attr) in tests {
        out.push(match path_attr {
            Some(path) => dir.join(path),
            None if children.join(format!("{name}.rs")).exists() => {
                children.join(format!("{name}.rs"))
            }
            None => children.join(&name).join("mod.rs"),
        });
    }
    out
}

/// The tokens without `#[cfg(test)]` items, and the `(name, #[path])` of each test-only
/// `mod name;` among them.
fn without_tests(tokens: &[Token]) -> (Vec<Token>, Vec<(String, Option<String>)>) {
    let mut kept = Vec::new();
    let mut test_mods = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_cfg_test(&tokens[i..]) {
            kept.push(tokens[i].clone());
            i += 1;
            continue;
        }
        // Skip this and any further attributes, remembering a `#[path = "…"]`.
        let mut path_attr = None;
        while tokens.get(i).is_some_and(|t| t.is("#"))
            && tokens.get(i + 1).is_some_and(|t| t.is("["))
        {
            let end = matching(tokens, i + 1);
            if tokens.get(i + 2).is_some_and(|t| t.is("path")) {
                path_attr = tokens[i + 2..end].iter().find_map(|t| match t {
                    Token::Str(s) => Some(s.clone()),
                    _ => None,
                });
            }
            i = end + 1;
        }
        let item_start = i;
        let mut depth = 0usize;
        while i < tokens.len() {
            let t = &tokens[i];
            if t.is("(") || t.is("[") || t.is("{") {
                depth += 1;
            } else if t.is(")") || t.is("]") || t.is("}") {
                depth = depth.saturating_sub(1);
                if depth == 0 && t.is("}") {
                    i += 1;
                    break;
                }
            } else if depth == 0 && t.is(";") {
                i += 1;
                break;
            }
            i += 1;
        }
        let item = &tokens[item_start..i];
        let words: Vec<&str> = item.iter().filter_map(Token::ident).collect();
        if let (Some(pos), Some(last)) = (words.iter().position(|w| *w == "mod"), item.last()) {
            if last.is(";") {
                if let Some(name) = words.get(pos + 1) {
                    test_mods.push((name.to_string(), path_attr));
                }
            }
        }
    }
    (kept, test_mods)
}

/// Whether `tokens` open with an attribute that compiles its item for tests only:
/// `#[cfg(test)]`, or `#[cfg(all(test, …))]`.
fn is_cfg_test(tokens: &[Token]) -> bool {
    let opens = ["#", "[", "cfg", "("];
    if tokens.len() < opens.len() + 3 || !opens.iter().zip(tokens).all(|(w, t)| t.is(w)) {
        return false;
    }
    let close = matching(tokens, 3);
    let predicate = &tokens[4..close.min(tokens.len())];
    match predicate {
        [only] => only.is("test"),
        [all, open, inner @ ..] if all.is("all") && open.is("(") => {
            let mut depth = 0usize;
            inner.iter().any(|t| {
                if t.is("(") {
                    depth += 1;
                } else if t.is(")") {
                    depth = depth.saturating_sub(1);
                }
                depth == 0 && t.is("test")
            })
        }
        _ => false,
    }
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        if t.is("(") || t.is("[") || t.is("{") {
            depth += 1;
        } else if t.is(")") || t.is("]") || t.is("}") {
            depth -= 1;
            if depth == 0 {
                return k;
            }
        }
    }
    tokens.len()
}

/// Every crate module or item path that the non-test code of module `module` names, made
/// absolute (without `crate::`): `use` trees expanded, `super::` climbed, child modules placed.
pub(super) fn imports(module: &[String], text: &str) -> Vec<Vec<String>> {
    let (tokens, _) = without_tests(&tokens(text));
    let children: BTreeSet<&str> = tokens
        .windows(2)
        .filter(|w| w[0].is("mod"))
        .filter_map(|w| w[1].ident())
        .collect();
    let mut raw = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is("use") {
            i += 1;
            use_tree(&tokens, &mut i, Vec::new(), &mut raw);
            continue;
        }
        if (tokens[i].is("crate") || tokens[i].is("super"))
            && tokens.get(i + 1).is_some_and(|t| t.is("::"))
        {
            let mut path = Vec::new();
            while let Some(word) = tokens.get(i).and_then(Token::ident) {
                path.push(word.to_string());
                if !tokens.get(i + 1).is_some_and(|t| t.is("::")) {
                    break;
                }
                i += 2;
            }
            raw.push(path);
        }
        i += 1;
    }
    raw.into_iter()
        .filter_map(|path| absolute(module, &children, path))
        .collect()
}

/// Expands the `use` tree at `i` (after `use`) into full paths, leaving `i` after it.
fn use_tree(tokens: &[Token], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    if tokens.get(*i).is_some_and(|t| t.is("::")) {
        *i += 1;
    }
    let Some(token) = tokens.get(*i) else { return };
    if token.is("{") {
        *i += 1;
        while let Some(t) = tokens.get(*i) {
            if t.is("}") {
                *i += 1;
                break;
            }
            if t.is(",") {
                *i += 1;
                continue;
            }
            let before = *i;
            use_tree(tokens, i, prefix.clone(), out);
            if *i == before {
                *i += 1;
            }
        }
    } else if token.is("*") {
        *i += 1;
        out.push(prefix);
    } else if let Some(word) = token.ident() {
        *i += 1;
        let mut path = prefix;
        if word != "self" {
            path.push(word.to_string());
        }
        if tokens.get(*i).is_some_and(|t| t.is("::")) {
            *i += 1;
            use_tree(tokens, i, path, out);
            return;
        }
        if tokens.get(*i).is_some_and(|t| t.is("as")) {
            *i += 2;
        }
        out.push(path);
    }
}

/// `path` as seen from `module`, without `crate::`; `None` for paths outside the crate.
fn absolute(
    module: &[String],
    children: &BTreeSet<&str>,
    path: Vec<String>,
) -> Option<Vec<String>> {
    let head = path.first()?.as_str();
    match head {
        "crate" => Some(path[1..].to_vec()),
        "self" => Some(
            module
                .iter()
                .cloned()
                .chain(path[1..].iter().cloned())
                .collect(),
        ),
        "super" => {
            let climbs = path.iter().take_while(|p| *p == "super").count();
            let base = module.len().checked_sub(climbs)?;
            Some(
                module[..base]
                    .iter()
                    .cloned()
                    .chain(path[climbs..].iter().cloned())
                    .collect(),
            )
        }
        child if children.contains(child) => {
            Some(module.iter().cloned().chain(path.iter().cloned()).collect())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(module: &str, text: &str) -> Vec<String> {
        let module: Vec<String> = module
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let mut out: Vec<String> = imports(&module, text)
            .iter()
            .map(|p| p.join("::"))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn grouped_and_nested_uses_expand_to_every_path() {
        let text =
            "use crate::{error::{Error, Result}, record::{self, schema::Kind as K}, Engine};";
        assert_eq!(
            names("store::writer", text),
            [
                "Engine",
                "error::Error",
                "error::Result",
                "record",
                "record::schema::Kind"
            ]
        );
    }

    #[test]
    fn paths_in_expressions_and_types_are_found() {
        let text = "fn f(c: &crate::customer::Customer) { let x = crate::dedup::index::project(conn, c)?; }";
        assert_eq!(
            names("store", text),
            ["customer::Customer", "dedup::index::project"]
        );
    }

    #[test]
    fn comments_and_strings_name_nothing() {
        let text = r#"
            // use crate::sync::SyncError;
            /* crate::customer::hydrate /* nested */ crate::visit::Visit */
            /// [`crate::FieldSales`]
            const S: &str = "crate::task::Task";
            const R: &str = r"crate::health";
            const C: char = '"';
            fn g<'a>(x: &'a str) {}
            use crate::error::Result;
        "#;
        assert_eq!(names("store", text), ["error::Result"]);
    }

    #[test]
    fn super_climbs_from_the_file_module_and_children_are_placed() {
        let text =
            "mod settle; use super::absorb::absorb; use super::super::customer; use settle::run;";
        assert_eq!(
            names("dedup::merge", text),
            [
                "customer",
                "dedup::absorb::absorb",
                "dedup::merge::settle::run"
            ]
        );
    }

    #[test]
    fn test_items_and_test_files_are_skipped() {
        let text = "use crate::error::Result;
            #[cfg(test)]
            #[path = \"apply_tests.rs\"]
            mod tests;
            #[cfg(test)]
            mod inline { use crate::FieldSales; fn f() { crate::sync::run(); } }
            #[cfg(test)] use crate::Config;
            #[cfg(all(test, unix))]
            mod unix_tests { use super::*; }
            #[cfg(not(test))]
            use crate::Remedy;";
        assert_eq!(names("record", text), ["Remedy", "error::Result"]);
        let (_, test_mods) = without_tests(&tokens(text));
        assert_eq!(
            test_mods,
            [("tests".to_string(), Some("apply_tests.rs".to_string()))]
        );
    }
}
