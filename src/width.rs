//! Width folding: the one rule by which duban reads full-width characters as their half-width
//! twins, so that “５G”, “（发改委）” and “Ａ　Ｂ” compare equal to “5G”, “(发改委)” and “A B”.
//!
//! The rule: every full-width ASCII form (U+FF01–U+FF5E, “！” to “～”, brackets included) becomes
//! the ASCII character it stands for, and the ideographic space (U+3000) becomes a plain space.
//! Note that “，”, “；”, “：”, “（” and “）” are full-width ASCII forms and fold too. Nothing else
//! changes: CJK punctuation such as “。”, “、”, “【”, the full-width currency signs (“￥”) and
//! half-width katakana are outside the range and kept as they are.
//!
//! This module imports nothing from the crate.

/// `c` folded to half-width (see the module's rule).
pub fn fold_width_char(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// `s` with every character folded to half-width (see the module's rule).
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_width_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_ascii_and_the_ideographic_space_fold() {
        assert_eq!(fold_width("Ａ　１０！～"), "A 10!~");
        assert_eq!(fold_width("（发改委）"), "(发改委)");
        assert_eq!(fold_width("５G　建设"), "5G 建设");
    }

    #[test]
    fn everything_else_is_kept() {
        // CJK punctuation, the yen sign U+FFE5, half-width katakana, the range's neighbours
        assert_eq!(fold_width("推进。建设、【】￥ｱ"), "推进。建设、【】￥ｱ");
        // the full-width comma and semicolon are in the range
        assert_eq!(fold_width("推进，建设；"), "推进,建设;");
        assert_eq!(fold_width_char('\u{ff00}'), '\u{ff00}');
        assert_eq!(fold_width_char('\u{ff5f}'), '\u{ff5f}');
        assert_eq!(fold_width_char('\u{3001}'), '\u{3001}');
        assert_eq!(fold_width(""), "");
    }
}
