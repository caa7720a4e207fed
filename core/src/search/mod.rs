//! Finding a customer in a second: by Chinese name, by pinyin, or by phone digits.
//!
//! A query is read the way a rep means it: digits are a phone number or its last digits;
//! Chinese characters are a substring of a name; Latin letters are pinyin (full or initials) or
//! a Latin word of the name. Mixed queries (`小米 bj`) require every part. Results are capped
//! by the caller's limit, so the cost of a query does not grow with the number of matches.
//! How the names are tokenized is in [`terms`], which sits below the record kinds: the customer
//! projection writes its terms, and this area (beside the kinds) reads them.

pub mod terms;

use std::sync::Arc;

use rusqlite::params;

use crate::customer::{summary_from_row, CustomerSummary};
use crate::engine::Engine;
use crate::error::Result;

/// Fewer digits than this are too ambiguous to be a phone search.
const MIN_PHONE_DIGITS: usize = 3;

/// The search area of a [`crate::FieldSales`].
#[derive(Clone)]
pub struct Search {
    engine: Arc<Engine>,
}

/// How a query was understood.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Query {
    /// Digits of a phone number, reversed, for a suffix range scan.
    PhoneSuffix(String),
    /// An FTS5 match expression.
    Text(String),
}

impl Search {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Search { engine }
    }

    /// Live customers matching `query`, at most `limit`. An empty or meaningless query finds
    /// nothing (it is not an error: the rep is still typing).
    pub fn customers(&self, query: &str, limit: u32) -> Result<Vec<CustomerSummary>> {
        let Some(query) = parse(query) else {
            return Ok(Vec::new());
        };
        self.engine.read(|conn| match &query {
            Query::PhoneSuffix(rev) => {
                let upper = format!("{rev}\u{7f}");
                // `IN (subquery)`, not a join: SQLite plans a join on bound values again for
                // every new value (STAT4), a fixed cost bigger than the lookup itself.
                let mut stmt = conn.prepare_cached(
                    "SELECT c.id, c.name, c.legal_name, c.phone, c.stage, c.owner, c.updated_at
                     FROM customers c
                     WHERE c.id IN (SELECT customer_id FROM customer_phones
                                    WHERE rev >= ?1 AND rev < ?2)
                       AND c.deleted = 0
                     LIMIT ?3",
                )?;
                let rows = stmt.query_map(params![rev, upper, limit], summary_from_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            }
            Query::Text(expr) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT c.id, c.name, c.legal_name, c.phone, c.stage, c.owner, c.updated_at
                     FROM customers c
                     WHERE c.num IN (SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?1
                                     LIMIT ?2)
                       AND c.deleted = 0",
                )?;
                let rows = stmt.query_map(params![expr, limit], summary_from_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            }
        })
    }
}

fn parse(raw: &str) -> Option<Query> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let phone_like = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || " -+()（）".contains(c));
    if phone_like {
        // A full number written nationally ("010-6234 5678", "0086 138...") matches by its
        // E.164 digits; anything else is taken as the last digits of a number.
        let digits = match crate::validate::parse_phone(trimmed) {
            Ok(phone) => phone.digits().to_string(),
            Err(_) => trimmed.chars().filter(char::is_ascii_digit).collect(),
        };
        if digits.len() < MIN_PHONE_DIGITS {
            return None;
        }
        return Some(Query::PhoneSuffix(digits.chars().rev().collect()));
    }
    let mut parts = Vec::new();
    for word in trimmed.split_whitespace() {
        let hanzi = terms::hanzi_tokens(word);
        if !hanzi.is_empty() {
            parts.push(format!("hanzi : \"{hanzi}\""));
        }
        let latin: String = word
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !latin.is_empty() {
            parts.push(format!("latin : {latin}*"));
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(Query::Text(parts.join(" AND ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_read_as_a_phone_suffix() {
        assert_eq!(parse("5678"), Some(Query::PhoneSuffix("8765".into())));
        assert_eq!(
            parse("+86 138 1234 5678"),
            Some(Query::PhoneSuffix("8765432183168".into()))
        );
        assert_eq!(parse("12"), None);
    }

    #[test]
    fn chinese_becomes_a_character_phrase_and_letters_a_prefix() {
        assert_eq!(parse("小米"), Some(Query::Text("hanzi : \"小 米\"".into())));
        assert_eq!(parse("BJXM"), Some(Query::Text("latin : bjxm*".into())));
        assert_eq!(
            parse("小米 bj"),
            Some(Query::Text("hanzi : \"小 米\" AND latin : bj*".into()))
        );
    }

    #[test]
    fn punctuation_only_queries_find_nothing_instead_of_failing() {
        assert_eq!(parse("  "), None);
        assert_eq!(parse("\"*()"), None);
        assert_eq!(parse("（）"), None);
    }
}
