//! Unified social credit codes (统一社会信用代码), GB 32100-2015: the
//! 18-character identifier of every company, sole trader and organisation.
//!
//! Owns: normalising what a rep typed or OCR'd (spaces, full-width, case),
//! the alphabet, the digit-only administrative division block, and the
//! mod-31 check character that catches any single typo and any swap of two
//! adjacent characters among the first 17.
//!
//! Must not: look the code up anywhere (offline-first; a valid check
//! character says nothing about whether the entity exists), repair input by
//! guessing (e.g. O→0, I→1: a wrong guess would attach the customer to the
//! wrong company), or echo the input in errors — sole-trader codes identify
//! a person.

use std::str::FromStr;

use super::fold_full_width;

/// A structurally valid unified social credit code in canonical form
/// (18 ASCII characters, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

/// Why a credit code was rejected. Messages never echo the input.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum CreditCodeError {
    #[error("credit code is empty")]
    Empty,
    #[error("credit code must have 18 characters, got {len}")]
    WrongLength { len: usize },
    /// `position` is 1-based, as a person counts.
    #[error("character at position {position} is not allowed in a credit code")]
    BadCharacter { position: usize },
    #[error("positions 3-8 must be a numeric administrative division code")]
    BadRegionCode,
    #[error("check character does not match: likely a typo")]
    CheckCharacterMismatch,
}

/// The 31 symbols of GB 32100-2015, in value order. I, O, S, V, Z are left
/// out because they are easily confused with 1, 0, 5, U and 2.
const ALPHABET: [char; 31] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J',
    'K', 'L', 'M', 'N', 'P', 'Q', 'R', 'T', 'U', 'W', 'X', 'Y',
];

const LEN: usize = 18;

/// Weight of position i (0-based) is 3^i mod 31, as the standard defines.
/// Computed rather than typed in so it cannot drift from that definition.
const WEIGHTS: [u32; LEN - 1] = {
    let mut w = [0u32; LEN - 1];
    let mut i = 0;
    let mut power = 1u32;
    while i < LEN - 1 {
        w[i] = power;
        power = power * 3 % 31;
        i += 1;
    }
    w
};

/// 0-based index range of the administrative division code (positions 3-8).
const REGION: std::ops::Range<usize> = 2..8;

impl CreditCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_credit_code(s)
    }
}

/// Parses a credit code, tolerating spaces anywhere, full-width characters
/// and lower case.
///
/// Checks run from coarse to fine (length, alphabet, division code, check
/// character) so the error names the first thing a person should fix.
pub fn parse_credit_code(input: &str) -> Result<CreditCode, CreditCodeError> {
    let normalised: String = input
        .chars()
        .map(fold_full_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if normalised.is_empty() {
        return Err(CreditCodeError::Empty);
    }
    let chars: Vec<char> = normalised.chars().collect();
    if chars.len() != LEN {
        return Err(CreditCodeError::WrongLength { len: chars.len() });
    }
    if let Some(index) = chars.iter().position(|&c| value_of(c).is_none()) {
        return Err(CreditCodeError::BadCharacter {
            position: index + 1,
        });
    }
    if !chars[REGION].iter().all(char::is_ascii_digit) {
        return Err(CreditCodeError::BadRegionCode);
    }
    // Every char is now ASCII, so byte slicing is on char boundaries.
    let expected = check_character(&normalised[..LEN - 1]);
    if expected != Some(chars[LEN - 1]) {
        return Err(CreditCodeError::CheckCharacterMismatch);
    }
    Ok(CreditCode(normalised))
}

/// Computes the 18th (check) character for the first 17 characters.
///
/// Expects canonical input (upper case, no spaces); returns `None` if it is
/// not exactly 17 characters from the credit-code alphabet. Public so test
/// fixtures elsewhere can build valid codes instead of hard-coding real ones.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.chars().count() != LEN - 1 {
        return None;
    }
    // At most 17 * 30 * 30, so u32 cannot overflow.
    let mut sum = 0u32;
    for (c, weight) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.get(usize::try_from(check).ok()?).copied()
}

fn value_of(c: char) -> Option<u32> {
    let index = ALPHABET.iter().position(|&a| a == c)?;
    u32::try_from(index).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Computed with an independent script for these tests; not real entities.
    const VALID_BEIJING: &str = "91110108MA01C3XK57";
    const VALID_SHENZHEN: &str = "91440300MA5G7QHR2X";
    const VALID_SOCIAL_ORG: &str = "52110000MA001234XP";
    // A published code (Huawei Technologies Co., Ltd., public business
    // registration data) as a cross-check against a code we did not make.
    const PUBLISHED: &str = "914403001922038216";

    #[test]
    fn weights_match_the_table_in_gb_32100() {
        assert_eq!(
            WEIGHTS,
            [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        );
    }

    #[test]
    fn alphabet_has_31_symbols_without_i_o_s_v_z() {
        assert_eq!(ALPHABET.len(), 31);
        for banned in ['I', 'O', 'S', 'V', 'Z'] {
            assert!(!ALPHABET.contains(&banned));
        }
    }

    #[test]
    fn computed_codes_are_accepted() {
        for code in [VALID_BEIJING, VALID_SHENZHEN, VALID_SOCIAL_ORG, PUBLISHED] {
            let parsed = parse_credit_code(code);
            assert_eq!(parsed.as_ref().map(CreditCode::as_str), Ok(code));
        }
    }

    #[test]
    fn check_character_reproduces_the_last_character() {
        assert_eq!(check_character(&VALID_BEIJING[..17]), Some('7'));
        assert_eq!(check_character(&VALID_SHENZHEN[..17]), Some('X'));
        assert_eq!(check_character(&PUBLISHED[..17]), Some('6'));
    }

    #[test]
    fn check_character_rejects_wrong_length_or_alphabet() {
        assert_eq!(check_character("9111010"), None);
        assert_eq!(check_character(VALID_BEIJING), None);
        assert_eq!(check_character("91110108MA01C3XKI"), None);
        assert_eq!(check_character("91110108ma01c3xk5"), None);
    }

    #[test]
    fn lower_case_spaces_and_full_width_are_normalised() {
        let expected = parse_credit_code(VALID_BEIJING);
        assert!(expected.is_ok());
        assert_eq!(parse_credit_code(" 9111 0108 ma01 c3xk 57 "), expected);
        assert_eq!(
            parse_credit_code("９１１１０１０８ＭＡ０１Ｃ３ＸＫ５７"),
            expected
        );
        assert_eq!(parse_credit_code("91110108MA01C3XK57\u{3000}"), expected);
    }

    #[test]
    fn one_character_typo_is_caught() {
        // 8 -> 9 in the organisation block.
        assert_eq!(
            parse_credit_code("91110109MA01C3XK57"),
            Err(CreditCodeError::CheckCharacterMismatch)
        );
        // Wrong check character itself.
        assert_eq!(
            parse_credit_code("91110108MA01C3XK58"),
            Err(CreditCodeError::CheckCharacterMismatch)
        );
    }

    #[test]
    fn every_single_substitution_in_the_first_17_is_rejected() {
        let original: Vec<char> = VALID_SHENZHEN.chars().collect();
        for i in 0..17 {
            for &replacement in ALPHABET.iter().filter(|&&a| a != original[i]) {
                let mut typo = original.clone();
                typo[i] = replacement;
                let typo: String = typo.into_iter().collect();
                assert!(parse_credit_code(&typo).is_err(), "position {i}");
            }
        }
    }

    #[test]
    fn adjacent_transposition_is_caught() {
        // "MA" -> "AM" at positions 9-10.
        assert_eq!(
            parse_credit_code("91110108AM01C3XK57"),
            Err(CreditCodeError::CheckCharacterMismatch)
        );
        let original: Vec<char> = VALID_BEIJING.chars().collect();
        for i in 0..16 {
            if original[i] == original[i + 1] {
                continue;
            }
            let mut swapped = original.clone();
            swapped.swap(i, i + 1);
            let swapped: String = swapped.into_iter().collect();
            assert!(parse_credit_code(&swapped).is_err(), "swap at {i}");
        }
    }

    #[test]
    fn letters_i_and_o_are_bad_characters_with_position() {
        assert_eq!(
            parse_credit_code("91110108MA01C3XKI7"),
            Err(CreditCodeError::BadCharacter { position: 17 })
        );
        assert_eq!(
            parse_credit_code("91110108MAO1C3XK57"),
            Err(CreditCodeError::BadCharacter { position: 11 })
        );
    }

    #[test]
    fn letter_in_administrative_division_is_bad_region_code() {
        assert_eq!(
            parse_credit_code("9111A108MA01C3XK57"),
            Err(CreditCodeError::BadRegionCode)
        );
    }

    #[test]
    fn wrong_length_reports_the_length() {
        assert_eq!(
            parse_credit_code("91110108MA01C3XK5"),
            Err(CreditCodeError::WrongLength { len: 17 })
        );
        assert_eq!(
            parse_credit_code("91110108MA01C3XK577"),
            Err(CreditCodeError::WrongLength { len: 19 })
        );
        // Old 15-digit business registration numbers are not credit codes.
        assert_eq!(
            parse_credit_code("110108012345678"),
            Err(CreditCodeError::WrongLength { len: 15 })
        );
    }

    #[test]
    fn empty_input_is_empty() {
        assert_eq!(parse_credit_code("  "), Err(CreditCodeError::Empty));
    }

    #[test]
    fn error_messages_never_contain_the_input() {
        let err = parse_credit_code("91110109MA01C3XK57").err();
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(!msg.is_empty());
        assert!(!msg.contains("9111"));
        assert!(!msg.contains("MA01"));
    }
}
