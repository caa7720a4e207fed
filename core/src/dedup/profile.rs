//! A customer's profile: the normalised facts duplicate detection compares, and the blocking
//! keys that find candidates without comparing against every customer.
//!
//! The profile is derived from the customer document only (like every projection), stored as
//! JSON beside the blocking keys, so a check loads a few dozen small profiles instead of
//! decoding Automerge documents. Keys are prefixed by kind:
//!
//! | key | from | why |
//! |---|---|---|
//! | `c:` | credit code | exact identity of a legal entity |
//! | `p:` | every phone (customer and contacts), E.164 | the strongest everyday signal |
//! | `m:` | every e-mail address | the same person |
//! | `d:` | company e-mail domain (never a public provider) | the same organisation |
//! | `w:` | the whole core of each name (`小米`) | exact core matches, whatever the decoration |
//! | `v:` | core and city (`小米@北京`) | ranks same-city namesakes first in a crowded core |
//! | `n:` | character bigrams of each Chinese core | typos and partial names |
//! | `y:` | pinyin of each core; prefixes of company domain labels | 小米 ↔ xiaomi.com |
//! | `u:` | pinyin of contacts' full names; e-mail local parts | 张明 ↔ zhang.ming@ |

use serde::{Deserialize, Serialize};

use super::normalise::{self, CompanyName, PersonName};

/// The facts of one customer (or of a customer about to be created) that checks compare.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Display name, for results.
    pub name: String,
    /// Parsed name and legal name (duplicates removed).
    pub names: Vec<CompanyName>,
    /// The whole name reads as a person's (a sole trader): name matches alone are weak.
    pub person_like: bool,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub domains: Vec<String>,
    pub credit_code: Option<String>,
    /// City from the name or the address.
    pub city: Option<String>,
    /// Contacts and person parts of the name (张总-北京科技 → 张).
    pub people: Vec<PersonName>,
    /// Letters of e-mail local parts.
    pub email_locals: Vec<String>,
}

/// The raw inputs of a profile, borrowed from a customer or from a check request.
#[derive(Debug, Default)]
pub struct ProfileSource<'a> {
    pub name: &'a str,
    pub legal_name: Option<&'a str>,
    pub credit_code: Option<&'a str>,
    /// E.164, already normalised.
    pub phones: Vec<&'a str>,
    /// Lower-cased, already validated.
    pub emails: Vec<&'a str>,
    pub address: Option<&'a str>,
    /// (name, title) of each contact.
    pub contacts: Vec<(Option<&'a str>, Option<&'a str>)>,
}

/// Separators reps put between a person and a company in one name field (张总-北京科技).
const NAME_SEPARATORS: &[char] = &['-', '—', '–', '/', '|', '／', '－', '_', '@'];

/// Whether a customer named `name` (legal name `legal`) gets a different profile now that a
/// generic word typed with its last character twice counts as the word: each part of the name
/// the profile reads as a company is checked (see
/// `normalise::read_differently_with_doubled_ends`).
pub(crate) fn names_read_differently(name: &str, legal: Option<&str>) -> bool {
    name.split(NAME_SEPARATORS)
        .map(str::trim)
        .chain([name])
        .chain(legal)
        .any(normalise::read_differently_with_doubled_ends)
}

impl Profile {
    pub fn build(src: &ProfileSource<'_>) -> Profile {
        let mut p = Profile {
            name: src.name.trim().to_string(),
            ..Default::default()
        };
        let mut raw_names: Vec<&str> = Vec::new();
        let segments: Vec<&str> = src
            .name
            .split(NAME_SEPARATORS)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if segments.len() > 1 {
            for seg in &segments {
                match normalise::person(seg) {
                    Some(person) if !seg.is_ascii() && seg.chars().count() <= 5 => {
                        p.people.push(person)
                    }
                    _ => raw_names.push(seg),
                }
            }
        } else if !src.name.contains('@') {
            raw_names.push(src.name);
        }
        raw_names.extend(src.legal_name);
        p.person_like = raw_names.len() == 1 && normalise::looks_like_person(raw_names[0]);
        if p.person_like {
            if let Some(person) = normalise::person(raw_names[0]) {
                p.people.push(person);
            }
        } else if let Some(person) = raw_names
            .first()
            .filter(|n| n.is_ascii() && !n.contains(['.', ',']))
            .and_then(|n| normalise::person(n))
        {
            // A Latin two-word name from a web form may be a person (Zhang Ming).
            p.people.push(person);
        }
        for raw in raw_names {
            let parsed = normalise::company(raw);
            if !parsed.core.is_empty() && !p.names.contains(&parsed) {
                p.names.push(parsed);
            }
        }
        p.credit_code = src
            .credit_code
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty());
        for phone in &src.phones {
            push_unique(&mut p.phones, phone.to_string());
        }
        for email in &src.emails {
            let email = email.trim().to_ascii_lowercase();
            if let Some(domain) = normalise::company_domain(&email) {
                push_unique(&mut p.domains, domain);
            }
            let (local, _) = normalise::email_local(&email);
            if local.len() >= 4 {
                push_unique(&mut p.email_locals, local);
            }
            push_unique(&mut p.emails, email);
        }
        for (name, title) in &src.contacts {
            let Some(name) = name else { continue };
            let with_title = format!("{name}{}", title.unwrap_or_default());
            if let Some(person) = normalise::person(name).or_else(|| normalise::person(&with_title))
            {
                if !p.people.contains(&person) {
                    p.people.push(person);
                }
            }
        }
        p.city = p
            .names
            .iter()
            .find_map(|n| n.region.clone())
            .or_else(|| src.address.and_then(normalise::place_in));
        p
    }

    /// The blocking keys (see the module doc).
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(code) = &self.credit_code {
            keys.push(format!("c:{code}"));
        }
        keys.extend(self.phones.iter().map(|p| format!("p:{p}")));
        keys.extend(self.emails.iter().map(|e| format!("m:{e}")));
        for domain in &self.domains {
            keys.push(format!("d:{domain}"));
            let label = normalise::domain_label(domain);
            for end in 4..=label.len().min(14) {
                keys.push(format!("y:{}", &label[..end]));
            }
        }
        for name in &self.names {
            keys.push(format!("w:{}", name.core));
            if let Some(city) = &self.city {
                keys.push(format!("v:{}@{city}", name.core));
            }
            let chars: Vec<char> = name.core.chars().collect();
            if chars.iter().any(|c| crate::search::terms::is_han(*c)) {
                for pair in chars.windows(2) {
                    keys.push(format!("n:{}{}", pair[0], pair[1]));
                }
            }
            if name.core_latin.len() >= 4 {
                keys.push(format!("y:{}", name.core_latin));
            }
        }
        for person in &self.people {
            if !person.given.is_empty() || person.surname.is_empty() {
                keys.push(format!("u:{}", person.latin));
                if !person.latin_reversed.is_empty() {
                    keys.push(format!("u:{}", person.latin_reversed));
                }
            }
        }
        keys.extend(self.email_locals.iter().map(|l| format!("u:{l}")));
        keys.sort();
        keys.dedup();
        keys
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// How much a shared key says by itself: strong keys are always followed, weak ones only while
/// their block is small.
pub fn key_is_strong(key: &str) -> bool {
    matches!(key.as_bytes().first(), Some(b'c' | b'p' | b'm' | b'd'))
}
