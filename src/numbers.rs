//! Every number duban shows, formatted in one place: rates (`64.3%`), figures in sentences
//! (`35.2`, `12`), figures read from a cell (`0.75`), and the rounding behind them.
//!
//! This module sits at the bottom of the module graph: it imports nothing from the crate.

/// `part` of `whole` in percent, unrounded (0 when `whole` is 0).
pub fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        f64::from(part) * 100.0 / f64::from(whole)
    }
}

/// `part` of `whole` in percent, rounded to one decimal in one step
/// (`(part × 1000 ÷ whole)` rounded, then ÷ 10; 0 when `whole` is 0).
///
/// Not always equal to `round1(percent(part, whole))`: the two round different binary values.
/// The notices' own counts use this one; keep it so their figures stay the same.
pub fn percent_round1(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0
    }
}

/// `v` rounded to one decimal, halves away from zero (as the 汇总表 stores rates).
pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `35.2`, `12` (one decimal, a trailing `.0` dropped), for a figure in a sentence.
pub fn one_decimal(v: f64) -> String {
    let s = format!("{:.1}", v);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `64.3%`, `100%`, `0%`: a rate in a sentence ([`one_decimal`] and `%`).
pub fn percent_text(rate: f64) -> String {
    format!("{}%", one_decimal(rate))
}

/// `64.3%`, `90.0%`, `100.0%`, `0.0%`: a rate in a table column, always with one decimal so
/// that the figures of a column share one format and line up.
pub fn fixed_percent_text(rate: f64) -> String {
    format!("{rate:.1}%")
}

/// `80` for 80.0, `0.75` for 0.75: a figure read from a cell, rounded to 6 decimals so binary
/// noise never shows; `NaN`, `inf` as Rust writes them.
pub fn cell_number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else if n.is_finite() {
        let s = format!("{:.6}", n);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_of_nothing_is_zero() {
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(3, 0), 0.0);
        assert_eq!(percent(1, 4), 25.0);
        assert_eq!(percent(4, 4), 100.0);
        assert_eq!(percent_round1(0, 0), 0.0);
        assert_eq!(percent_round1(18, 28), 64.3);
        assert_eq!(percent_round1(4, 4), 100.0);
    }

    #[test]
    fn the_two_percent_roundings_are_kept_apart() {
        // 49 of 400 is exactly 12.25: the one-step rounding goes up (12.3); formatting the
        // unrounded rate rounds the tie to even (12.2). Merging the two would change figures.
        assert_eq!(percent_round1(49, 400), 12.3);
        assert_eq!(percent_text(percent_round1(49, 400)), "12.3%");
        assert_eq!(percent_text(percent(49, 400)), "12.2%");
    }

    #[test]
    fn round1_rounds_halves_away_from_zero() {
        assert_eq!(round1(0.0), 0.0);
        assert_eq!(round1(0.05), 0.1);
        assert_eq!(round1(64.2857), 64.3);
        assert_eq!(round1(99.95), 100.0);
        assert_eq!(round1(100.0), 100.0);
        assert_eq!(round1(-0.25), -0.3);
        assert!(round1(f64::NAN).is_nan());
    }

    #[test]
    fn one_decimal_drops_a_trailing_zero() {
        assert_eq!(one_decimal(0.0), "0");
        assert_eq!(one_decimal(12.0), "12");
        assert_eq!(one_decimal(35.24), "35.2");
        // 0.05 is a little above 0.05 in binary; 99.95 a little below
        assert_eq!(one_decimal(0.05), "0.1");
        assert_eq!(one_decimal(99.95), "100");
        assert_eq!(one_decimal(100.0), "100");
        assert_eq!(one_decimal(-3.0), "-3");
        assert_eq!(one_decimal(-0.04), "-0");
        assert_eq!(one_decimal(f64::NAN), "NaN");
    }

    #[test]
    fn rate_texts_in_sentences_and_columns() {
        assert_eq!(percent_text(64.2857), "64.3%");
        assert_eq!(percent_text(0.0), "0%");
        assert_eq!(percent_text(100.0), "100%");
        assert_eq!(percent_text(0.05), "0.1%");
        assert_eq!(fixed_percent_text(64.2857), "64.3%");
        assert_eq!(fixed_percent_text(90.0), "90.0%");
        assert_eq!(fixed_percent_text(100.0), "100.0%");
        assert_eq!(fixed_percent_text(0.0), "0.0%");
        assert_eq!(fixed_percent_text(99.95), "100.0%");
        assert_eq!(fixed_percent_text(-5.0), "-5.0%");
    }

    #[test]
    fn cell_numbers_drop_binary_noise() {
        assert_eq!(cell_number_text(80.0), "80");
        assert_eq!(cell_number_text(0.0), "0");
        assert_eq!(cell_number_text(-3.0), "-3");
        assert_eq!(cell_number_text(0.75), "0.75");
        assert_eq!(cell_number_text(0.1 + 0.2), "0.3");
        assert_eq!(cell_number_text(99.95), "99.95");
        assert_eq!(cell_number_text(-0.5), "-0.5");
        assert_eq!(cell_number_text(1e15), "1000000000000000");
        assert_eq!(cell_number_text(f64::NAN), "NaN");
        assert_eq!(cell_number_text(f64::INFINITY), "inf");
    }
}
