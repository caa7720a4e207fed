//! One person entered as several contacts of the same customer.
//!
//! Reps write down the person as they address them: 王经理 one week, 王总监 the next, 王先生
//! on a business card. Inside one customer, contacts with the same surname, given names that do
//! not disagree (one may be missing), no honorifics of different genders (王先生 and 王女士
//! are a couple, or colleagues, never one person) and no conflicting phone or e-mail are one
//! person. Groups
//! are built greedily so that every member agrees with every other (王经理 joins 王建国 or
//! 王建军, never both). Merging keeps one contact, fills its empty fields from the others and
//! removes them, in one write.

use automerge::ROOT;
use serde::{Deserialize, Serialize};

use super::normalise::{self, PersonName};
use super::Dedup;
use crate::customer::{hydrate, Contact, Customer};
use crate::error::{Error, Result};
use crate::record::parse_id;
use crate::record::schema::{customer as f, Kind};

/// A contact inside a group, as shown on the "same person?" screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMember {
    pub contact_id: String,
    pub name: Option<String>,
    pub title: Option<String>,
}

/// Contacts of one customer that are likely one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactGroup {
    /// The suggested contact to keep: the one with the fullest name and most details.
    pub keep: String,
    pub members: Vec<ContactMember>,
    pub reason: String,
}

impl Dedup {
    /// Groups of contacts of customer `id` that are likely one person.
    pub fn duplicate_contacts(&self, customer_id: &str) -> Result<Vec<ContactGroup>> {
        let doc = self
            .engine
            .load(Kind::Customer, parse_id(Kind::Customer, customer_id)?)?;
        Ok(same_person_groups(&hydrate(&doc).contacts))
    }

    /// Merges contacts `others` into contact `keep` of customer `customer_id`: `keep`'s empty
    /// fields are filled from the others (a full name replaces a surname with a title), then the
    /// others are removed. Returns the customer as stored.
    pub fn merge_contacts(
        &self,
        customer_id: &str,
        keep: &str,
        others: &[String],
    ) -> Result<Customer> {
        let id = parse_id(Kind::Customer, customer_id)?;
        if others.is_empty() {
            return Err(Error::invalid(
                "others",
                "name at least one contact to merge",
            ));
        }
        if others.iter().any(|o| o == keep) {
            return Err(Error::invalid(
                "others",
                "a contact cannot be merged into itself",
            ));
        }
        self.engine.write(|w| {
            let mut doc = w.load(Kind::Customer, id)?;
            doc.ensure_live()?;
            let customer = hydrate(&doc);
            let find = |cid: &str| {
                customer
                    .contacts
                    .iter()
                    .find(|c| c.id == cid)
                    .cloned()
                    .ok_or_else(|| Error::NotFound {
                        kind: "contact",
                        id: cid.to_string(),
                    })
            };
            let mut kept = find(keep)?;
            let mut merged = Vec::new();
            for other in others {
                merged.push(find(other)?);
            }
            for other in &merged {
                let fuller = |c: &Contact| {
                    c.name
                        .as_deref()
                        .and_then(normalise::person)
                        .is_some_and(|p| !p.given.is_empty())
                };
                if !fuller(&kept) && fuller(other) {
                    kept.name = other.name.clone();
                }
                for (mine, theirs) in [
                    (&mut kept.name, &other.name),
                    (&mut kept.title, &other.title),
                    (&mut kept.phone, &other.phone),
                    (&mut kept.wechat, &other.wechat),
                    (&mut kept.email, &other.email),
                ] {
                    if mine.is_none() {
                        mine.clone_from(theirs);
                    }
                }
            }
            let contacts = doc.object(&ROOT, f::CONTACTS)?;
            let obj = doc.child_map(&contacts, keep)?;
            for (key, value) in [
                (f::CONTACT_NAME, &kept.name),
                (f::CONTACT_TITLE, &kept.title),
                (f::CONTACT_PHONE, &kept.phone),
                (f::CONTACT_WECHAT, &kept.wechat),
                (f::CONTACT_EMAIL, &kept.email),
            ] {
                if let Some(value) = value {
                    doc.put_opt_str(&obj, key, Some(value))?;
                }
            }
            for other in others {
                doc.remove(&contacts, other)?;
            }
            w.save(&mut doc)?;
            Ok(hydrate(&doc))
        })
    }
}

/// The person a contact names, reading a title typed into the name field too.
fn person_of(c: &Contact) -> Option<PersonName> {
    let name = c.name.as_deref()?;
    normalise::person(name)
}

/// Whether two contacts can be one person (see the module doc).
fn same_person(a: &Contact, pa: &PersonName, b: &Contact, pb: &PersonName) -> bool {
    let agree = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let names_agree = if pa.surname.is_empty() || pb.surname.is_empty() {
        pa.latin == pb.latin || pa.latin == pb.latin_reversed
    } else {
        pa.surname == pb.surname
            && (pa.given.is_empty() || pb.given.is_empty() || pa.given == pb.given)
    };
    let genders_agree = match (pa.gender, pb.gender) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    names_agree && genders_agree && agree(&a.phone, &b.phone) && agree(&a.email, &b.email)
}

/// Groups of `contacts` (of one customer) that are likely one person.
pub(crate) fn same_person_groups(contacts: &[Contact]) -> Vec<ContactGroup> {
    let people: Vec<(&Contact, PersonName)> = contacts
        .iter()
        .filter_map(|c| person_of(c).map(|p| (c, p)))
        .collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, (c, p)) in people.iter().enumerate() {
        let home = groups.iter_mut().find(|g| {
            g.iter()
                .all(|&j| same_person(c, p, people[j].0, &people[j].1))
        });
        match home {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
        .into_iter()
        .filter(|g| g.len() > 1)
        .map(|g| {
            let richness = |c: &Contact, p: &PersonName| {
                (!p.given.is_empty()) as u8 * 8
                    + [&c.phone, &c.email, &c.wechat, &c.title]
                        .iter()
                        .filter(|v| v.is_some())
                        .count() as u8
            };
            let keep = g
                .iter()
                .max_by_key(|&&i| (richness(people[i].0, &people[i].1), std::cmp::Reverse(i)))
                .map(|&i| people[i].0.id.clone())
                .unwrap_or_default();
            ContactGroup {
                keep,
                members: g
                    .iter()
                    .map(|&i| ContactMember {
                        contact_id: people[i].0.id.clone(),
                        name: people[i].0.name.clone(),
                        title: people[i].0.title.clone(),
                    })
                    .collect(),
                reason: "same surname, title variants, no conflicting phone".into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(contacts: &[(&str, Option<&str>)]) -> Vec<Contact> {
        contacts
            .iter()
            .enumerate()
            .map(|(i, (name, phone))| Contact {
                id: format!("c{i}"),
                name: Some(name.to_string()),
                phone: phone.map(str::to_string),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn mr_and_ms_wang_are_two_people() {
        for (a, b) in [("王先生", "王女士"), ("李哥", "李姐"), ("陈先生", "陈小姐")]
        {
            let groups = same_person_groups(&customer(&[(a, None), (b, None)]));
            assert!(groups.is_empty(), "{a} | {b}: {groups:?}");
        }
    }

    #[test]
    fn a_gendered_honorific_still_joins_a_title_or_a_full_name() {
        let groups = same_person_groups(&customer(&[("王先生", None), ("王总", None)]));
        assert_eq!(groups.len(), 1);
        let groups = same_person_groups(&customer(&[("王女士", None), ("王丽", None)]));
        assert_eq!(groups.len(), 1);
    }
}
