//! The values that mean the same on every device and on the server: who sees a customer
//! ([`Visibility`]) and what a user may do ([`Role`]).
//!
//! Each has one text form ([`Visibility::as_str`], [`Role::as_str`]) and one parser, which
//! forgives case and surrounding spaces (a value typed on a command line, read from a
//! configuration file or from a document). The parsers answer `None` for what they do not know
//! and leave the decision to the caller: a device refuses the input with a field error, the server
//! reads an unknown visibility as the narrowest one, so a value it does not understand hides a
//! customer rather than exposing it.

use serde::{Deserialize, Serialize};

/// Who besides the owner sees a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only the owner.
    Private,
    /// The owner's team and its managers.
    #[default]
    Team,
    /// Everyone in the company.
    Organisation,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [
        Visibility::Private,
        Visibility::Team,
        Visibility::Organisation,
    ];

    /// The stored and wire form: `private`, `team` or `organisation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Team => "team",
            Visibility::Organisation => "organisation",
        }
    }

    /// Reads `private`, `team` or `organisation` (also `organization` and `org`), in any case.
    ///
    /// ```
    /// use fieldsales_protocol::Visibility;
    /// assert_eq!(Visibility::parse(" Team "), Some(Visibility::Team));
    /// assert_eq!(Visibility::parse("org"), Some(Visibility::Organisation));
    /// assert_eq!(Visibility::parse("everyone"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Visibility> {
        match s.trim().to_ascii_lowercase().as_str() {
            "private" => Some(Visibility::Private),
            "team" => Some(Visibility::Team),
            "organisation" | "organization" | "org" => Some(Visibility::Organisation),
            _ => None,
        }
    }
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and writes their own records and their team's shared customers.
    Rep,
    /// Also sees and writes their team's records: every visit, quick-log and task of the team
    /// and its team-visible customers. A private customer stays its owner's alone.
    Manager,
    /// Administers the tenant; sees everything in it.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Rep, Role::Manager, Role::Admin];

    /// The stored and wire form: `rep`, `manager` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Reads `rep`, `manager` or `admin`, in any case.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_text_and_from_serde() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
            assert_eq!(Visibility::parse(&v.as_str().to_uppercase()), Some(v));
            let json = format!("\"{}\"", v.as_str());
            assert_eq!(serde_json_like(v), json);
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                Role::parse(&format!("  {}\t", r.as_str().to_uppercase())),
                Some(r)
            );
        }
    }

    #[test]
    fn unknown_values_are_none_not_a_default() {
        assert_eq!(Visibility::parse("everyone!"), None);
        assert_eq!(Visibility::parse(""), None);
        assert_eq!(Role::parse("boss"), None);
    }

    /// The serde name of a value, through CBOR (the wire's own encoding), as a quoted string.
    fn serde_json_like(v: Visibility) -> String {
        let mut bytes = Vec::new();
        ciborium::into_writer(&v, &mut bytes).expect("a unit variant serialises");
        let text: String = ciborium::from_reader(bytes.as_slice()).expect("it is a text string");
        format!("\"{text}\"")
    }
}
