//! How many lines a text takes in a spreadsheet column, and how tall a row of that many lines
//! is: the one estimate and the one formula behind every row height duban sets (汇总表,
//! forms and their 填表说明, and the demo generator's workbooks).
//!
//! Column widths in xlsx are in “character units” (the width of a digit in the default font);
//! a CJK character takes two of them.

/// Lines `text` takes in a column `width` character units wide (CJK characters count two,
/// ASCII characters one; one unit is left for the cell's padding).
/// Every explicit line break starts a new line; an empty text takes one line.
pub fn wrapped_lines(text: &str, width: f64) -> u32 {
    let per_line = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| {
            let w: f64 = line
                .chars()
                .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                .sum();
            ((w / per_line).ceil() as u32).max(1)
        })
        .sum::<u32>()
        .max(1)
}

/// Excel's largest row height, in points.
pub const MAX_ROW_HEIGHT: f64 = 409.0;

/// Height in points of a row of `lines` lines of `line_height` points each plus `padding`
/// points, never more than [`MAX_ROW_HEIGHT`].
pub fn row_height(lines: u32, line_height: f64, padding: f64) -> f64 {
    (f64::from(lines) * line_height + padding).min(MAX_ROW_HEIGHT)
}

#[cfg(test)]
mod tests {
    use super::{MAX_ROW_HEIGHT, row_height, wrapped_lines};

    #[test]
    fn rows_grow_by_whole_lines_up_to_excels_limit() {
        assert_eq!(row_height(1, 15.0, 6.0), 21.0);
        assert_eq!(row_height(3, 15.0, 6.0), 51.0);
        assert_eq!(row_height(2, 13.5, 3.0), 30.0);
        assert_eq!(row_height(0, 15.0, 8.0), 8.0);
        // 27 lines of 15 pt would be 411 pt: Excel allows 409
        assert_eq!(row_height(26, 15.0, 8.0), 398.0);
        assert_eq!(row_height(27, 15.0, 6.0), MAX_ROW_HEIGHT);
        assert_eq!(row_height(u32::MAX, 13.5, 3.0), MAX_ROW_HEIGHT);
    }

    #[test]
    fn cjk_counts_two_and_breaks_count() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("督办", 10.0), 1);
        // 9 units per line: five hanzi (10 units) need two lines
        assert_eq!(wrapped_lines("督办督办督", 10.0), 2);
        assert_eq!(wrapped_lines("a\nb\nc", 10.0), 3);
    }
}
