//! Email addresses for customer contacts: trims, folds full-width input,
//! lower-cases, checks syntax with the `email_address` crate, and insists on
//! a dotted domain so intranet-style `user@host` typos are caught.
//!
//! Owns: normalisation and syntax only.
//!
//! Must not: check that the mailbox or domain exists (offline-first, and an
//! MX lookup would leak the address), accept display names such as
//! `Zhang San <a@b.cn>` (a contact field holds one address), or echo the
//! input in errors — an address is personal data.

use std::str::FromStr;

use super::fold_full_width;

use email_address::{EmailAddress, Options};

/// A syntactically valid email address, trimmed and lower-cased.
///
/// Lower-casing the local part is technically lossy (RFC 5321 lets servers
/// treat it case-sensitively) but no mainstream provider does, and one
/// canonical form is what deduplication of contacts needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why an email address was rejected. Messages never echo the input.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum EmailError {
    #[error("email is empty")]
    Empty,
    #[error("missing the @ separator")]
    MissingAt,
    #[error("the part before @ is empty")]
    EmptyLocalPart,
    #[error("the domain after @ is empty")]
    EmptyDomain,
    #[error("email address is too long")]
    TooLong,
    #[error("contains a character not allowed in an email address")]
    InvalidCharacter,
    #[error("display names are not accepted; enter the bare address")]
    DisplayNameNotAllowed,
    #[error("domain has no dot")]
    DomainWithoutDot,
    #[error("domain is not valid")]
    InvalidDomain,
    #[error("not a valid email address")]
    InvalidSyntax,
}

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the last `@` (a quoted local part may itself contain
    /// `@`, the domain never does).
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_email(s)
    }
}

/// Parses an email address as a person typed it.
///
/// Full-width forms typed in a Chinese IME (`＠`, `．`, full-width letters)
/// are folded to ASCII, and `。` is read as a dot, as IDNA (UTS #46) does
/// for domain labels. The result is lower-cased.
pub fn parse_email(input: &str) -> Result<Email, EmailError> {
    let folded: String = input.chars().map(fold_email_char).collect();
    let trimmed = folded.trim();
    if trimmed.is_empty() {
        return Err(EmailError::Empty);
    }
    let options = Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    EmailAddress::parse_with_options(trimmed, options).map_err(map_error)?;

    let lower = trimmed.to_lowercase();
    let domain = lower.rsplit_once('@').map_or("", |(_, domain)| domain);
    // `with_required_tld` already demands two labels; checked again here so
    // the rule holds even if the crate's option semantics change.
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return Err(EmailError::DomainWithoutDot);
    };
    // An all-numeric last label means an IP address written without
    // brackets (`a@10.0.0.1`), which no customer mailbox uses.
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(EmailError::InvalidDomain);
    }
    Ok(Email(lower))
}

fn map_error(err: email_address::Error) -> EmailError {
    use email_address::Error as E;
    match err {
        E::MissingSeparator => EmailError::MissingAt,
        E::LocalPartEmpty => EmailError::EmptyLocalPart,
        E::DomainEmpty => EmailError::EmptyDomain,
        E::LocalPartTooLong | E::DomainTooLong | E::SubDomainTooLong => EmailError::TooLong,
        E::InvalidCharacter => EmailError::InvalidCharacter,
        E::UnsupportedDisplayName | E::MissingDisplayName | E::MissingEndBracket => {
            EmailError::DisplayNameNotAllowed
        }
        E::DomainTooFew => EmailError::DomainWithoutDot,
        E::SubDomainEmpty
        | E::DomainInvalidSeparator
        | E::UnsupportedDomainLiteral
        | E::InvalidIPAddress => EmailError::InvalidDomain,
        // Quote/comment problems, and any variant a future version adds.
        _ => EmailError::InvalidSyntax,
    }
}

/// What a Chinese IME types for an e-mail: full-width characters ([`fold_full_width`]) and an
/// ideographic full stop (。 or its half-width form) where the domain wants a dot.
fn fold_email_char(c: char) -> char {
    match fold_full_width(c) {
        '\u{3002}' | '\u{FF61}' => '.',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_is_trimmed_and_lower_cased() {
        let email = parse_email("  Zhang.San@Example.COM.cn \n");
        assert_eq!(
            email.as_ref().map(Email::as_str),
            Ok("zhang.san@example.com.cn")
        );
        assert_eq!(email.as_ref().map(Email::domain), Ok("example.com.cn"));
    }

    #[test]
    fn full_width_at_sign_is_accepted() {
        assert_eq!(
            parse_email("zhangsan＠qq.com"),
            parse_email("zhangsan@qq.com")
        );
        assert!(parse_email("zhangsan@qq.com").is_ok());
    }

    #[test]
    fn full_width_letters_and_ideographic_dot_are_folded() {
        assert_eq!(
            parse_email("ｌｉｓｉ＠１６３。ｃｏｍ")
                .as_ref()
                .map(Email::as_str),
            Ok("lisi@163.com")
        );
    }

    #[test]
    fn plus_tags_and_subdomains_are_valid() {
        let email = parse_email("sales+crm@mail.corp.example.cn");
        assert_eq!(
            email.as_ref().map(Email::domain),
            Ok("mail.corp.example.cn")
        );
    }

    #[test]
    fn domain_without_dot_is_rejected() {
        assert_eq!(
            parse_email("admin@localhost"),
            Err(EmailError::DomainWithoutDot)
        );
    }

    #[test]
    fn missing_at_is_rejected() {
        assert_eq!(parse_email("zhangsan.qq.com"), Err(EmailError::MissingAt));
    }

    #[test]
    fn empty_parts_are_rejected() {
        assert_eq!(parse_email(""), Err(EmailError::Empty));
        assert_eq!(parse_email(" \u{3000} "), Err(EmailError::Empty));
        assert_eq!(parse_email("@qq.com"), Err(EmailError::EmptyLocalPart));
        assert_eq!(parse_email("zhangsan@"), Err(EmailError::EmptyDomain));
    }

    #[test]
    fn spaces_inside_and_double_at_are_invalid_characters() {
        assert_eq!(
            parse_email("zhang san@qq.com"),
            Err(EmailError::InvalidCharacter)
        );
        assert_eq!(parse_email("a@b@qq.com"), Err(EmailError::InvalidCharacter));
    }

    #[test]
    fn display_name_form_is_rejected() {
        assert_eq!(
            parse_email("Zhang San <zhangsan@qq.com>"),
            Err(EmailError::DisplayNameNotAllowed)
        );
    }

    #[test]
    fn ip_domains_are_rejected() {
        assert_eq!(parse_email("a@[127.0.0.1]"), Err(EmailError::InvalidDomain));
        assert_eq!(parse_email("a@10.0.0.1"), Err(EmailError::InvalidDomain));
    }

    #[test]
    fn consecutive_dots_in_domain_are_rejected() {
        assert_eq!(parse_email("a@qq..com"), Err(EmailError::InvalidDomain));
    }

    #[test]
    fn over_long_local_part_is_too_long() {
        let input = format!("{}@qq.com", "a".repeat(65));
        assert_eq!(parse_email(&input), Err(EmailError::TooLong));
    }

    #[test]
    fn equal_addresses_in_different_case_compare_equal() {
        assert_eq!(parse_email("Wang@163.com"), parse_email("wang@163.COM"));
    }

    #[test]
    fn error_messages_never_contain_the_input() {
        for input in ["zhangsan.qq.com", "admin@localhost", "zhang san@qq.com"] {
            let msg = parse_email(input)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!msg.is_empty(), "{input} should fail");
            assert!(!msg.contains("zhang") && !msg.contains("admin") && !msg.contains("qq"));
        }
    }
}
