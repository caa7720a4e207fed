//! Full-width folding: the one reading of what a Chinese input method types in full-width mode.
//!
//! A rep whose IME is in full-width mode types `１３８`, `＠`, `９１３１` and an ideographic
//! space; they mean the ASCII characters. Every parser of typed values (phones, credit codes,
//! e-mails) and the duplicate detector's normaliser fold through [`fold_full_width`], so they
//! agree on what a character means. A full NFKC normalisation would also rewrite compatibility
//! characters inside company names (㈱, ①), which the duplicate rules are tuned to see as typed.

/// Full-width ASCII (U+FF01..U+FF5E) to its ASCII character and the ideographic space (U+3000)
/// to a space; every other character as it is.
///
/// ```
/// use fieldsales_core::validate::fold_full_width;
/// let typed: String = "１３８\u{3000}＠Ａ".chars().map(fold_full_width).collect();
/// assert_eq!(typed, "138 @A");
/// ```
pub fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::fold_full_width;

    #[test]
    fn the_whole_full_width_block_folds_and_nothing_else_moves() {
        for c in '!'..='~' {
            let wide = char::from_u32(u32::from(c) + 0xFEE0).expect("in the full-width block");
            assert_eq!(fold_full_width(wide), c);
        }
        for c in ['中', '。', 'a', '1', '\u{FF5F}', '\u{FF00}'] {
            assert_eq!(fold_full_width(c), c);
        }
    }
}
