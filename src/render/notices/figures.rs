//! How the notices' tables show a percentage: 完成进度 as `92%` or `—`, and a column's figures
//! in one format. The figures themselves are formatted by [`crate::numbers`].

use crate::numbers::{fixed_percent_text, percent_text};

/// `92%`, `100%`, `—` when nothing was reported.
pub fn progress_text(percent: Option<f64>) -> String {
    match percent {
        Some(p) => percent_text(p),
        None => "—".to_string(),
    }
}

/// The format of one 完成进度 column: whole percents (`61%`) while every figure of the column
/// is whole, else one decimal for all of them (`61.0%` beside `61.5%`), so that a column never
/// mixes the two.
#[derive(Debug, Clone, Copy)]
pub struct PercentColumn {
    decimal: bool,
}

impl PercentColumn {
    /// The format for a column showing `values`.
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> PercentColumn {
        let decimal = values
            .into_iter()
            .flatten()
            .any(|p| crate::numbers::one_decimal(p).contains('.'));
        PercentColumn { decimal }
    }

    /// The column's width in mm: room for `100%`, or for `100.0%` with one decimal (the
    /// flexible 任务目标 column gives the difference).
    pub fn width(self) -> f32 {
        if self.decimal { DECIMAL_RATE_MM } else { 11.5 }
    }

    /// `p` in this column's format; `—` when there is none.
    pub fn text(self, percent: Option<f64>) -> String {
        match percent {
            Some(p) if self.decimal => fixed_percent_text(p),
            other => progress_text(other),
        }
    }
}

/// Width in mm of a table column of one-decimal figures: `100.0%` on one line.
pub const DECIMAL_RATE_MM: f32 = 16.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_columns_share_one_format() {
        assert_eq!(progress_text(None), "—");
        assert_eq!(progress_text(Some(92.0)), "92%");
        assert_eq!(progress_text(Some(92.25)), "92.2%");
        let whole = PercentColumn::of([Some(61.0), None, Some(100.0)]);
        assert_eq!(whole.text(Some(61.0)), "61%");
        assert_eq!(whole.text(None), "—");
        assert_eq!(whole.width(), 11.5);
        let mixed = PercentColumn::of([Some(61.0), Some(61.5), None]);
        assert_eq!(mixed.text(Some(61.0)), "61.0%");
        assert_eq!(mixed.text(Some(61.5)), "61.5%");
        assert_eq!(mixed.text(Some(100.0)), "100.0%");
        assert_eq!(mixed.text(None), "—");
        assert_eq!(mixed.width(), DECIMAL_RATE_MM);
        // a figure that rounds to a whole percent keeps the column whole
        assert_eq!(
            PercentColumn::of([Some(61.96), Some(7.0)]).text(Some(61.96)),
            "62%"
        );
    }
}
