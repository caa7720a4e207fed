//! Phone numbers as sales reps type them: turns free-form input (full-width
//! digits, spaces, dashes, brackets, `+86`/`0086` prefixes) into one canonical
//! E.164 value and a [`PhoneKind`], so that the same contact typed three ways
//! deduplicates to one record.
//!
//! Owns: normalisation, mainland mobile / landline / 400-800 rules, and the
//! hand-off of non-Chinese numbers to the `phonenumber` crate.
//!
//! Must not: guess the carrier from the segment (number portability has been
//! nationwide since 2019-12, so a segment no longer says who the carrier is),
//! do any network lookup, or put the input in an error or a log line: phone
//! numbers are personal data.

use std::fmt::Write as _;
use std::str::FromStr;

use super::fold_full_width;

/// A validated phone number in canonical form.
///
/// Only [`parse_phone`] builds one, so holding a `Phone` means the number
/// passed validation. `Debug` shows the number: do not log it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    e164: String,
    kind: PhoneKind,
}

/// What sort of number a [`Phone`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// Mainland mobile, 11 digits starting with an allocated `1xx` segment.
    Mobile,
    /// Mainland fixed line: area code plus 7 or 8 digit subscriber number.
    Landline,
    /// Mainland `400`/`800` nationwide service number.
    Service,
    /// Any number outside mainland China (+86), validated by `phonenumber`.
    Foreign,
}

/// Why a phone number was rejected. Messages never echo the input.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("contains characters other than digits and separators")]
    BadCharacters,
    #[error("wrong number of digits")]
    WrongLength,
    #[error("not a mainland mobile segment")]
    UnknownMobileSegment,
    #[error("not a mainland area code")]
    UnknownAreaCode,
    #[error("landline subscriber number cannot start with 0 or 1")]
    BadSubscriberNumber,
    #[error("landline number is missing its area code")]
    MissingAreaCode,
    #[error("not a recognised mainland number; foreign numbers need their country code")]
    UnrecognisedFormat,
    #[error("not a valid international number")]
    NotANumber,
}

/// Mainland mobile segments (first three digits) that carry 11-digit numbers.
///
/// Source: MIIT's telecom numbering plan (电信网编号计划) and its segment
/// allocations as published up to the 2020 allocation of 192 to China
/// Broadnet; cross-checked against libphonenumber's CN mobile pattern.
/// This list MUST be updated whenever MIIT allocates a new segment, or
/// genuine new numbers will be rejected as `UnknownMobileSegment`.
///
/// Deliberately absent: 140, 141, 144, 146, 148 — MIIT allocated those to
/// IoT/M2M cards that use 13-digit numbers, so an 11-digit number there is
/// not a subscriber line; 154, 179, 194 are unallocated; 10x-12x are never
/// mobiles. 145/147/149 are data-card segments that may carry voice, so they
/// stay. 174 is kept whole (satellite and emergency sub-blocks) because
/// this table works at 3-digit granularity.
const ALLOCATED_MOBILE_SEGMENTS: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", //
    "145", "147", "149", //
    "150", "151", "152", "153", "155", "156", "157", "158", "159", //
    "162", "165", "166", "167", //
    "170", "171", "172", "173", "174", "175", "176", "177", "178", //
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", //
    "190", "191", "192", "193", "195", "196", "197", "198", "199",
];

/// E.164 allows at most 15 digits; the slack covers a `00` prefix. Anything
/// longer is rejected before any further work so hostile input stays cheap.
const MAX_DIGITS: usize = 17;

const CHINA_CC: &str = "86";

impl Phone {
    /// Canonical E.164 form, e.g. `+8613812345678`, `+861062345678`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// E.164 without the leading `+`, e.g. for systems that store digits only.
    pub fn digits(&self) -> &str {
        self.e164.strip_prefix('+').unwrap_or(&self.e164)
    }

    /// Human-readable form for display.
    ///
    /// Mainland numbers are shown as dialled inside China: `13812345678`,
    /// `010-62345678`, `0755-2345678`, `400-123-4567`. Foreign numbers have
    /// no meaningful mainland "national" form, so they are shown in
    /// international format (e.g. `+1 650-253-0000`) to keep the country code
    /// visible to a rep dialling from China.
    pub fn national(&self) -> String {
        let national = self.china_national();
        match self.kind {
            PhoneKind::Mobile => national.to_owned(),
            PhoneKind::Landline => {
                let area_len = landline_area_len(national).unwrap_or(0);
                let (area, subscriber) = national.split_at(area_len.min(national.len()));
                format!("0{area}-{subscriber}")
            }
            PhoneKind::Service => {
                if national.len() == 10 {
                    format!("{}-{}-{}", &national[..3], &national[3..6], &national[6..])
                } else {
                    national.to_owned()
                }
            }
            PhoneKind::Foreign => format_foreign(&self.e164, phonenumber::Mode::International)
                .unwrap_or_else(|| self.e164.clone()),
        }
    }

    /// National significant number of a +86 number (no country code, no
    /// trunk 0). For foreign numbers this is just the E.164 string.
    fn china_national(&self) -> &str {
        self.e164
            .strip_prefix("+86")
            .filter(|_| self.kind != PhoneKind::Foreign)
            .unwrap_or(&self.e164)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_phone(s)
    }
}

/// Parses and validates a phone number typed by a person.
///
/// Accepted forms include `138 1234 5678`, `+86 138-1234-5678`,
/// `008613812345678`, `８６１３８１２３４５６７８`, `(010) 6234-5678`,
/// `+86 10 6234 5678`, `400-810-8888`, `+1 650 253 0000`.
///
/// Deliberately rejected: local landline numbers without an area code (the
/// city cannot be inferred), short service codes such as 95xxx/10086, and
/// extensions — a CRM contact number must be dialable on its own.
pub fn parse_phone(input: &str) -> Result<Phone, PhoneError> {
    let cleaned = clean(input)?;
    if let Some(rest) = cleaned.strip_prefix('+') {
        return parse_international(rest);
    }
    // No mainland area code starts with 0, so a leading "00" can only be the
    // international access prefix.
    if let Some(rest) = cleaned.strip_prefix("00") {
        return parse_international(rest);
    }
    parse_domestic(&cleaned)
}

/// Folds full-width forms to ASCII, drops separators, and returns an optional
/// leading `+` followed by ASCII digits only.
fn clean(input: &str) -> Result<String, PhoneError> {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().map(fold_full_width) {
        if c.is_ascii_digit() {
            out.push(c);
        } else if c == '+' {
            // A '+' anywhere but first is not a prefix but a typo or two
            // numbers glued together; either way we must not guess.
            if !out.is_empty() {
                return Err(PhoneError::BadCharacters);
            }
            out.push(c);
        } else if is_separator(c) {
            continue;
        } else {
            // Includes '/', ',' and '、': those separate *two* numbers, and
            // silently concatenating them would store a wrong number.
            return Err(PhoneError::BadCharacters);
        }
        if out.len() > MAX_DIGITS + 1 {
            return Err(PhoneError::WrongLength);
        }
    }
    if out.is_empty() {
        return Err(PhoneError::Empty);
    }
    Ok(out)
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.' | '(' | ')' | '[' | ']' | '【' | '】' | '\u{2010}'..='\u{2015}' | '\u{2212}'
        )
}

/// `digits` follows a `+` or `00` international prefix.
fn parse_international(digits: &str) -> Result<Phone, PhoneError> {
    if digits.is_empty() {
        return Err(PhoneError::NotANumber);
    }
    match digits.strip_prefix(CHINA_CC) {
        Some(national) => parse_after_country_code(national),
        None => parse_foreign(digits),
    }
}

/// A mainland number written after +86, where the trunk 0 should be absent.
fn parse_after_country_code(national: &str) -> Result<Phone, PhoneError> {
    if let Some(after_trunk) = national.strip_prefix('0') {
        // "+86 (0)10 ..." is a common, harmless habit: the bracket is gone by
        // now, so tolerate one stray trunk 0 before a landline.
        return landline(after_trunk);
    }
    if national.starts_with("10") {
        // Beijing's area code 10 also starts with 1, but no mobile segment
        // starts with 10, so this is unambiguous.
        return landline(national);
    }
    if national.starts_with('1') {
        return mobile(national);
    }
    if is_service_prefix(national) {
        return service(national);
    }
    landline(national)
}

/// A number without international prefix: written as dialled inside China.
fn parse_domestic(digits: &str) -> Result<Phone, PhoneError> {
    // "86" glued to a mobile (13 digits, no '+') is common in exported
    // contact lists; a landline or service number never starts with 86
    // domestically, so only this shape is unwrapped.
    if digits.len() == 13 && digits.starts_with("861") {
        return mobile(&digits[2..]);
    }
    if let Some(after_trunk) = digits.strip_prefix('0') {
        return landline(after_trunk);
    }
    if digits.starts_with('1') {
        return mobile(digits);
    }
    if is_service_prefix(digits) {
        return service(digits);
    }
    if matches!(digits.len(), 7 | 8) {
        return Err(PhoneError::MissingAreaCode);
    }
    Err(PhoneError::UnrecognisedFormat)
}

fn mobile(national: &str) -> Result<Phone, PhoneError> {
    if national.len() != 11 {
        return Err(PhoneError::WrongLength);
    }
    let segment = &national[..3];
    if !ALLOCATED_MOBILE_SEGMENTS.contains(&segment) {
        return Err(PhoneError::UnknownMobileSegment);
    }
    Ok(china(national, PhoneKind::Mobile))
}

fn is_service_prefix(national: &str) -> bool {
    national.starts_with("400") || national.starts_with("800")
}

fn service(national: &str) -> Result<Phone, PhoneError> {
    if national.len() != 10 {
        return Err(PhoneError::WrongLength);
    }
    Ok(china(national, PhoneKind::Service))
}

/// Length of the area code (without trunk 0) at the start of a landline's
/// national significant number, or why there is none.
fn landline_area_len(national: &str) -> Result<usize, PhoneError> {
    match national.as_bytes() {
        [] | [_] => Err(PhoneError::WrongLength),
        // 010 (Beijing) and 020-029 are the only 2-digit area codes.
        [b'1', b'0', ..] | [b'2', ..] => Ok(2),
        [b'3'..=b'9', ..] => Ok(3),
        _ => Err(PhoneError::UnknownAreaCode),
    }
}

/// `national` is area code (no trunk 0) followed by the subscriber number.
fn landline(national: &str) -> Result<Phone, PhoneError> {
    let area_len = landline_area_len(national)?;
    let subscriber = &national[area_len..];
    // Big cities with 2-digit area codes all moved to 8-digit subscriber
    // numbers; 3-digit areas still have a mix of 7 and 8.
    let length_ok = match area_len {
        2 => subscriber.len() == 8,
        _ => matches!(subscriber.len(), 7 | 8),
    };
    if !length_ok {
        return Err(PhoneError::WrongLength);
    }
    // Subscriber numbers starting with 0 or 1 would collide with the trunk
    // prefix and special service codes, so the plan never assigns them.
    if subscriber.starts_with(['0', '1']) {
        return Err(PhoneError::BadSubscriberNumber);
    }
    Ok(china(national, PhoneKind::Landline))
}

fn china(national: &str, kind: PhoneKind) -> Phone {
    Phone {
        e164: format!("+{CHINA_CC}{national}"),
        kind,
    }
}

fn parse_foreign(digits: &str) -> Result<Phone, PhoneError> {
    let e164 = format_foreign(&format!("+{digits}"), phonenumber::Mode::E164)
        .ok_or(PhoneError::NotANumber)?;
    Ok(Phone {
        e164,
        kind: PhoneKind::Foreign,
    })
}

/// Parses `plus_digits` with `phonenumber`, requires it to be a valid
/// (assigned-range) number, and formats it in `mode`.
fn format_foreign(plus_digits: &str, mode: phonenumber::Mode) -> Option<String> {
    let number = phonenumber::parse(None, plus_digits).ok()?;
    if !number.is_valid() {
        return None;
    }
    // The crate's formatter can fail (it returns fmt::Error for unknown
    // metadata); `to_string()` would panic on that, `write!` lets us handle it.
    let mut out = String::new();
    write!(out, "{}", number.format().mode(mode)).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Phone {
        match parse_phone(input) {
            Ok(p) => p,
            Err(e) => panic!("expected {input:?} to parse, got {e:?}"),
        }
    }

    #[test]
    fn spaced_plus86_and_0086_forms_of_a_mobile_are_equal() {
        let plain = ok("13812345678");
        assert_eq!(plain, ok("138 1234 5678"));
        assert_eq!(plain, ok("+86 138 1234 5678"));
        assert_eq!(plain, ok("+8613812345678"));
        assert_eq!(plain, ok("0086 138-1234-5678"));
        assert_eq!(plain, ok("86 13812345678"));
        assert_eq!(plain.e164(), "+8613812345678");
        assert_eq!(plain.digits(), "8613812345678");
        assert_eq!(plain.kind(), PhoneKind::Mobile);
        assert_eq!(plain.national(), "13812345678");
    }

    #[test]
    fn full_width_digits_and_symbols_are_accepted() {
        assert_eq!(ok("＋８６　１３８１２３４５６７８"), ok("13812345678"));
        assert_eq!(ok("（０１０）６２３４－５６７８"), ok("010-62345678"));
    }

    #[test]
    fn bracketed_beijing_landline_is_canonicalised_without_trunk_zero() {
        let p = ok("(010) 6234-5678");
        assert_eq!(p.kind(), PhoneKind::Landline);
        assert_eq!(p.e164(), "+861062345678");
        assert_eq!(p.national(), "010-62345678");
    }

    #[test]
    fn landline_after_plus86_without_trunk_zero_matches_domestic_form() {
        assert_eq!(ok("+86 10 6234 5678"), ok("010 6234 5678"));
        assert_eq!(ok("+86 21 5012 3456"), ok("021-50123456"));
        assert_eq!(ok("+86 (0)10 6234 5678"), ok("01062345678"));
    }

    #[test]
    fn three_digit_area_codes_take_seven_or_eight_digit_subscribers() {
        let eight = ok("0755-2345 6789");
        assert_eq!(eight.e164(), "+8675523456789");
        assert_eq!(eight.national(), "0755-23456789");
        let seven = ok("0391 2345678");
        assert_eq!(seven.e164(), "+863912345678");
        assert_eq!(seven.national(), "0391-2345678");
        assert_eq!(ok("+86 755 2345 6789"), eight);
    }

    #[test]
    fn two_digit_area_codes_require_eight_digit_subscribers() {
        assert_eq!(parse_phone("010-6234567"), Err(PhoneError::WrongLength));
        assert_eq!(parse_phone("021-623456789"), Err(PhoneError::WrongLength));
    }

    #[test]
    fn landline_subscriber_starting_with_zero_or_one_is_rejected() {
        assert_eq!(
            parse_phone("010-12345678"),
            Err(PhoneError::BadSubscriberNumber)
        );
        assert_eq!(
            parse_phone("0755-0234567"),
            Err(PhoneError::BadSubscriberNumber)
        );
    }

    #[test]
    fn area_codes_outside_the_plan_are_rejected() {
        // 011-019 do not exist: only 010 starts with 01.
        assert_eq!(
            parse_phone("011-62345678"),
            Err(PhoneError::UnknownAreaCode)
        );
    }

    #[test]
    fn local_number_without_area_code_is_rejected() {
        assert_eq!(parse_phone("6234 5678"), Err(PhoneError::MissingAreaCode));
    }

    #[test]
    fn service_numbers_are_kind_service_with_plus86_e164() {
        let p = ok("400-810-8888");
        assert_eq!(p.kind(), PhoneKind::Service);
        assert_eq!(p.e164(), "+864008108888");
        assert_eq!(p.national(), "400-810-8888");
        assert_eq!(ok("800 820 8820").kind(), PhoneKind::Service);
        assert_eq!(ok("+86 400 810 8888"), p);
        assert_eq!(parse_phone("400810888"), Err(PhoneError::WrongLength));
    }

    #[test]
    fn us_number_with_plus_is_foreign_with_e164() {
        let p = ok("+1 650 253 0000");
        assert_eq!(p.kind(), PhoneKind::Foreign);
        assert_eq!(p.e164(), "+16502530000");
        assert_eq!(p.digits(), "16502530000");
        assert_eq!(p.national(), "+1 650-253-0000");
    }

    #[test]
    fn double_zero_prefix_is_international_access_code() {
        assert_eq!(ok("001 650 253 0000"), ok("+16502530000"));
        let hk = ok("00852 2123 4567");
        assert_eq!(hk.kind(), PhoneKind::Foreign);
        assert_eq!(hk.e164(), "+85221234567");
    }

    #[test]
    fn foreign_number_invalid_for_its_country_is_not_a_number() {
        // +1 000 ... is not an assigned NANP area code.
        assert_eq!(parse_phone("+1 000 253 0000"), Err(PhoneError::NotANumber));
        assert_eq!(parse_phone("+999 1234"), Err(PhoneError::NotANumber));
        assert_eq!(parse_phone("+"), Err(PhoneError::NotANumber));
    }

    #[test]
    fn unallocated_mobile_segment_is_rejected() {
        assert_eq!(
            parse_phone("12345678901"),
            Err(PhoneError::UnknownMobileSegment)
        );
        assert_eq!(
            parse_phone("15412345678"),
            Err(PhoneError::UnknownMobileSegment)
        );
        // 13-digit IoT segment written with 11 digits.
        assert_eq!(
            parse_phone("14812345678"),
            Err(PhoneError::UnknownMobileSegment)
        );
    }

    #[test]
    fn recently_allocated_segments_are_accepted() {
        for n in ["19212345678", "16212345678", "19012345678", "17212345678"] {
            assert_eq!(ok(n).kind(), PhoneKind::Mobile, "segment of {n}");
        }
    }

    #[test]
    fn ten_digit_mobile_is_wrong_length() {
        assert_eq!(parse_phone("1381234567"), Err(PhoneError::WrongLength));
        assert_eq!(parse_phone("+86 1381234567"), Err(PhoneError::WrongLength));
        assert_eq!(parse_phone("138123456789"), Err(PhoneError::WrongLength));
    }

    #[test]
    fn letters_and_number_lists_are_bad_characters() {
        assert_eq!(parse_phone("138abcd5678"), Err(PhoneError::BadCharacters));
        assert_eq!(
            parse_phone("010-62345678转123"),
            Err(PhoneError::BadCharacters)
        );
        assert_eq!(
            parse_phone("13812345678/13912345678"),
            Err(PhoneError::BadCharacters)
        );
        assert_eq!(parse_phone("138+12345678"), Err(PhoneError::BadCharacters));
    }

    #[test]
    fn empty_or_separator_only_input_is_empty() {
        assert_eq!(parse_phone(""), Err(PhoneError::Empty));
        assert_eq!(parse_phone("   "), Err(PhoneError::Empty));
        assert_eq!(parse_phone("( - )"), Err(PhoneError::Empty));
    }

    #[test]
    fn very_long_input_is_rejected_as_wrong_length() {
        let long = "1".repeat(1000);
        assert_eq!(parse_phone(&long), Err(PhoneError::WrongLength));
    }

    #[test]
    fn unrecognised_domestic_shape_is_rejected() {
        // A US number typed without its country code.
        assert_eq!(
            parse_phone("650 253 0000"),
            Err(PhoneError::UnrecognisedFormat)
        );
    }

    #[test]
    fn error_messages_never_contain_the_input_digits() {
        let inputs = [
            "12345678901",
            "1381234567",
            "138abcd5678",
            "011-62345678",
            "+1 000 253 0000",
            "6234 5678",
        ];
        for input in inputs {
            let err = match parse_phone(input) {
                Err(e) => e,
                Ok(_) => panic!("{input:?} should be rejected"),
            };
            let msg = err.to_string();
            assert!(!msg.chars().any(|c| c.is_ascii_digit()), "{msg}");
        }
    }

    #[test]
    fn from_str_matches_parse_phone() {
        let parsed: Result<Phone, _> = "138 1234 5678".parse();
        assert_eq!(parsed, parse_phone("13812345678"));
    }
}
