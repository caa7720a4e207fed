//! Checks: ranked candidates for one customer, before it is created or after an edit.
//!
//! Candidates come from the blocking index only: every key of the checked profile is looked up
//! (an indexed range each), customers sharing the most and the strongest keys are scored, and
//! those at or above the configured score are returned, best first. Weak keys shared by very
//! many customers (a common character pair) say nothing and are skipped, which keeps a check at
//! a few milliseconds whatever the size of the book.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::index::load_profiles;
use super::profile::{key_is_strong, Profile, ProfileSource};
use super::{score, Candidate, Dedup, DedupRules};
use crate::customer::NewCustomer;
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::schema::Kind;
use crate::validate;

/// A weak key shared by more customers than this is skipped.
const WEAK_BLOCK_LIMIT: usize = 200;
/// A strong key (phone, e-mail, domain, credit code) is followed this far.
const STRONG_BLOCK_LIMIT: usize = 1_000;
/// At most this many customers are scored per check.
const SCORED: usize = 40;

impl Dedup {
    /// Likely duplicates of a customer about to be created, best first. Phones, e-mails and the
    /// credit code are validated as `create` would; a malformed one is refused naming the field.
    pub fn check(&self, input: &NewCustomer) -> Result<Vec<Candidate>> {
        let probe = probe_profile(input)?;
        let rules = self.rules().clone();
        self.engine
            .read(|conn| candidates(conn, &probe, None, &rules))
    }

    /// Likely duplicates of the stored customer `id` (after it was created or edited).
    pub fn check_customer(&self, id: &str) -> Result<Vec<Candidate>> {
        let uuid = parse_id(Kind::Customer, id)?;
        let doc = self.engine.load(Kind::Customer, uuid)?;
        doc.ensure_live()?;
        let customer = crate::customer::hydrate(&doc);
        let probe = crate::customer::profile(&customer);
        let rules = self.rules().clone();
        self.engine
            .read(|conn| candidates(conn, &probe, Some(&customer.id), &rules))
    }
}

/// The profile of a customer that is not stored yet, validating what `create` validates.
pub(crate) fn probe_profile(input: &NewCustomer) -> Result<Profile> {
    let mut phones = Vec::new();
    for raw in input.phones.iter().filter(|p| !p.trim().is_empty()) {
        let phone = validate::parse_phone(raw).map_err(|e| Error::invalid("phones", e))?;
        phones.push(phone.e164().to_string());
    }
    let mut emails = Vec::new();
    for raw in input.emails.iter().filter(|e| !e.trim().is_empty()) {
        let email = validate::parse_email(raw).map_err(|e| Error::invalid("emails", e))?;
        emails.push(email.as_str().to_string());
    }
    for (i, contact) in input.contacts.iter().enumerate() {
        if let Some(raw) = contact.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            let phone = validate::parse_phone(raw)
                .map_err(|e| Error::invalid(format!("contacts[{i}].phone"), e))?;
            phones.push(phone.e164().to_string());
        }
        if let Some(raw) = contact.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let email = validate::parse_email(raw)
                .map_err(|e| Error::invalid(format!("contacts[{i}].email"), e))?;
            emails.push(email.as_str().to_string());
        }
    }
    let credit_code = match input.credit_code.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => Some(
            validate::parse_credit_code(code)
                .map_err(|e| Error::invalid("credit_code", e))?
                .as_str()
                .to_string(),
        ),
        _ => None,
    };
    if input.name.trim().is_empty() && phones.is_empty() && emails.is_empty() {
        return Err(Error::invalid(
            "name",
            "a check needs a name, a phone or an e-mail",
        ));
    }
    Ok(Profile::build(&ProfileSource {
        name: &input.name,
        legal_name: input.legal_name.as_deref(),
        credit_code: credit_code.as_deref(),
        phones: phones.iter().map(String::as_str).collect(),
        emails: emails.iter().map(String::as_str).collect(),
        address: input.address.as_ref().and_then(|a| a.text.as_deref()),
        contacts: input
            .contacts
            .iter()
            .map(|k| (k.name.as_deref(), k.title.as_deref()))
            .collect(),
    }))
}

/// Scores the customers sharing keys with `probe` and returns those that pass `rules`.
pub(crate) fn candidates(
    conn: &Connection,
    probe: &Profile,
    exclude: Option<&str>,
    rules: &DedupRules,
) -> Result<Vec<Candidate>> {
    let mut support: HashMap<String, u32> = HashMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT customer_id FROM dedup_keys WHERE key = ?1 LIMIT ?2")?;
    for key in probe.keys() {
        let strong = key_is_strong(&key);
        let limit = if strong {
            STRONG_BLOCK_LIMIT
        } else {
            WEAK_BLOCK_LIMIT
        };
        let ids = stmt
            .query_map(params![key, limit as i64 + 1], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if ids.len() > limit && !strong {
            continue;
        }
        let weight = if strong { 16 } else { 1 };
        for id in ids {
            *support.entry(id).or_default() += weight;
        }
    }
    if let Some(me) = exclude {
        support.remove(me);
    }
    let mut ranked: Vec<(String, u32)> = support.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(SCORED);
    let ids: Vec<String> = ranked.into_iter().map(|(id, _)| id).collect();
    let mut out: Vec<Candidate> = load_profiles(conn, &ids)?
        .into_iter()
        .filter_map(|(id, other)| {
            let (score, reasons) = score::compare(probe, &other, rules);
            (score >= rules.min_score && !reasons.is_empty()).then_some(Candidate {
                customer_id: id,
                name: other.name,
                score,
                reasons,
            })
        })
        .collect();
    // Equal scores (a 100% name alone, and a 100% name with the same phone) rank the pair with
    // more independent evidence first.
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.reasons.len().cmp(&a.reasons.len()))
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
    out.truncate(rules.max_candidates);
    Ok(out)
}
