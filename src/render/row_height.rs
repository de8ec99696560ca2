//! How many lines a text takes in a spreadsheet column: the one estimate behind every row
//! height duban sets (汇总表, templates, and the demo generator's workbooks).
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

#[cfg(test)]
mod tests {
    use super::wrapped_lines;

    #[test]
    fn cjk_counts_two_and_breaks_count() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("督办", 10.0), 1);
        // 9 units per line: five hanzi (10 units) need two lines
        assert_eq!(wrapped_lines("督办督办督", 10.0), 2);
        assert_eq!(wrapped_lines("a\nb\nc", 10.0), 3);
    }
}
