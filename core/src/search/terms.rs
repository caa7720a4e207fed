//! Search terms for Chinese and Latin names.
//!
//! Reps search the way they type on a phone keyboard: a few Chinese characters from the middle
//! of a name (小米 in 北京小米科技), the pinyin initials (`bjxm`), or the full pinyin (`xiaomi`).
//! SQLite's FTS5 has no Chinese tokenizer, so we tokenize here and give FTS5 plain tokens:
//!
//! - `hanzi`: every Chinese character is its own token; a substring query becomes a phrase of
//!   consecutive characters, which FTS5 answers from its position lists.
//! - `latin`: for each position in a name, the pinyin (and the initials) from that position to
//!   the end, glued into one token: `beijingxiaomi`, `jingxiaomi`, `xiaomi`... and `bjxm`,
//!   `jxm`, `xm`. A prefix query (`xiaom*`, `xm*`) then finds a match starting at any character.
//!   Latin words in names (`TCL`, `Zhang.Ming`) are kept as units of the same scheme.
//!
//! Pinyin comes from the `pinyin` crate's default reading of each character; for characters
//! with several readings (行 xing/hang) only the common one is indexed.

use pinyin::ToPinyin;

/// Tokens beyond this many units from a name's start add little and cost index space.
const MAX_SUFFIX_UNITS: usize = 16;

/// Separates the values of one column so that a phrase never matches across two names.
const VALUE_SEPARATOR: &str = " x ";

/// The two FTS columns of one customer.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Terms {
    pub hanzi: String,
    pub latin: String,
}

/// Terms for the names of one record (a customer: its name, legal name and the names of its
/// contacts; see `Customer::search_terms`).
pub fn name_terms<'a>(names: impl IntoIterator<Item = &'a str>) -> Terms {
    let mut terms = Terms::default();
    for name in names.into_iter().filter(|n| !n.trim().is_empty()) {
        let hanzi = hanzi_tokens(name);
        if !hanzi.is_empty() {
            if !terms.hanzi.is_empty() {
                terms.hanzi.push_str(VALUE_SEPARATOR);
            }
            terms.hanzi.push_str(&hanzi);
        }
        for token in latin_tokens(name) {
            if !terms.latin.is_empty() {
                terms.latin.push(' ');
            }
            terms.latin.push_str(&token);
        }
    }
    terms
}

/// The digits of a phone number, reversed (`+8613812345678` → `8765432183168`): the phone
/// index keys on them, so that the last digits a rep types find the number.
pub(crate) fn reversed_digits(phone: &str) -> String {
    phone.chars().rev().filter(char::is_ascii_digit).collect()
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The Chinese characters of `text`, space-separated.
pub(crate) fn hanzi_tokens(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().filter(|c| is_han(*c)) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// One unit of a name for pinyin purposes: a Chinese character's syllable, or a Latin word.
struct Unit {
    full: String,
    initial: char,
}

fn units(text: &str) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, units: &mut Vec<Unit>| {
        if let Some(initial) = word.chars().next() {
            units.push(Unit {
                full: std::mem::take(word),
                initial,
            });
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        flush(&mut word, &mut units);
        if let Some(py) = c.to_pinyin() {
            let full = py.plain().to_string();
            if let Some(initial) = full.chars().next() {
                units.push(Unit { full, initial });
            }
        }
    }
    flush(&mut word, &mut units);
    units
}

/// Suffix tokens of full pinyin and of initials (see the module doc), de-duplicated.
pub(crate) fn latin_tokens(text: &str) -> Vec<String> {
    let units = units(text);
    let mut tokens: Vec<String> = Vec::new();
    for start in 0..units.len() {
        let end = units.len().min(start + MAX_SUFFIX_UNITS);
        let full: String = units[start..end].iter().map(|u| u.full.as_str()).collect();
        let initials: String = units[start..end].iter().map(|u| u.initial).collect();
        for token in [full, initials] {
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_initials_and_full_spelling_are_indexed_from_every_position() {
        let tokens = latin_tokens("北京小米");
        for expected in ["beijingxiaomi", "bjxm", "xiaomi", "xm", "mi"] {
            assert!(
                tokens.contains(&expected.to_string()),
                "{expected} in {tokens:?}"
            );
        }
    }

    #[test]
    fn latin_words_keep_their_letters() {
        let tokens = latin_tokens("TCL科技");
        assert!(tokens.contains(&"tclkeji".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"tkj".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"keji".to_string()), "{tokens:?}");
    }

    #[test]
    fn each_chinese_character_is_its_own_token() {
        assert_eq!(hanzi_tokens("北京小米(科技)"), "北 京 小 米 科 技");
        assert_eq!(hanzi_tokens("ABC"), "");
    }
}
