//! Pure cell normalisers: task numbers, percentages, dates, statuses and text.
//!
//! Each function takes what a person typed (in Excel or WPS) and returns the typed value or
//! `None`/an error; none of them panics on any input, so a fuzz target can call them directly.

use crate::model::{Month, ReportedStatus};
use crate::numbers::cell_number_text;
use crate::width::fold_width;
use chrono::{Datelike, NaiveDate};

/// A cell value as intake sees it, independent of the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A formula error value such as `#DIV/0!`.
    Error(String),
}

impl CellValue {
    /// True for empty cells and cells holding only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(s) => clean_text(s).is_empty(),
            _ => false,
        }
    }

    /// The value as the user would read it (numbers without a trailing `.0`).
    pub fn display(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(s) => s.clone(),
            CellValue::Number(n) => cell_number_text(*n),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CellValue::Error(e) => e.clone(),
        }
    }

    /// The value as cleaned text (see [`clean_text`]).
    pub fn text(&self) -> String {
        match self {
            CellValue::Text(s) => clean_text(s),
            other => other.display(),
        }
    }
}

/// Trims, removes control, zero-width and bidirectional-formatting characters (an override
/// mark could make “exe.xslx” display reversed), normalises line breaks to `\n`, and
/// collapses runs of spaces and blank lines, so “ 推进\r\n\r\n  顺利 ” becomes “推进\n顺利”.
pub fn clean_text(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = Vec::new();
    for line in unified.split('\n') {
        let mut out = String::with_capacity(line.len());
        let mut last_space = false;
        for c in line.chars() {
            if matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
                || (c.is_control() && c != '\t')
            {
                continue;
            }
            if c.is_whitespace() {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
            } else {
                out.push(c);
                last_space = false;
            }
        }
        let trimmed = out.trim();
        if !trimmed.is_empty() {
            lines.push(trimmed.to_string());
        }
    }
    lines.join("\n")
}

/// Key for comparing texts: whitespace and punctuation removed, width folded.
/// “推进 ５G 建设，” and “推进5G建设” compare equal.
pub fn comparison_key(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Parses a 序号: `12`, `12.0`, `１２`, `第12项`, `12、`, `（12）`. Returns `None` for anything
/// that is not a positive whole number.
pub fn parse_task_number(raw: &str) -> Option<u32> {
    let folded: String = fold_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut s = folded.as_str();
    s = s.strip_prefix('第').unwrap_or(s);
    for suffix in ["项", "号", "条", "、", ".", "．"] {
        s = s.strip_suffix(suffix).unwrap_or(s);
    }
    let s = s.trim_matches(|c| matches!(c, '(' | ')' | '（' | '）' | '[' | ']' | '【' | '】'));
    if s.is_empty() || s.len() > 12 || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if let Ok(n) = s.parse::<u32>() {
        return (n > 0).then_some(n);
    }
    let f: f64 = s.parse().ok()?;
    task_number_from_f64(f)
}

/// A numeric 序号 (`12.0`) as a task number.
pub fn task_number_from_f64(f: f64) -> Option<u32> {
    (f.is_finite() && f.fract() == 0.0 && f >= 1.0 && f <= f64::from(u32::MAX)).then_some(f as u32)
}

/// A task number from any cell.
pub fn task_number_from_cell(value: &CellValue) -> Option<u32> {
    match value {
        CellValue::Number(n) => task_number_from_f64(*n),
        CellValue::Text(s) => parse_task_number(s),
        _ => None,
    }
}

/// Outcome of reading a 完成进度 cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Percent {
    /// Nothing written.
    Blank,
    /// A value in 0–100.
    Value(f64),
    /// A number outside 0–100 (the number as understood).
    OutOfRange(f64),
    /// Not understandable as a number.
    NotANumber,
}

/// Parses a typed percentage: `80`, `"80"`, `"80%"`, `"８０％"`, `"约80%"`, `"80％左右"`,
/// `"已完成"` (→ 100), `"未启动"` (→ 0). A bare number in text is taken as percent points.
pub fn parse_percent(raw: &str) -> Percent {
    let cleaned: String = fold_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Percent::Blank;
    }
    match parse_status(&cleaned) {
        Some(ReportedStatus::Done) => return Percent::Value(100.0),
        Some(ReportedStatus::NotStarted) => return Percent::Value(0.0),
        _ => {}
    }
    let mut s = strip_annotation(&cleaned);
    for prefix in [
        "约",
        "大约",
        "预计",
        "累计",
        "目前",
        "已完成",
        "完成",
        "达到",
        "达",
    ] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    for suffix in ["左右", "以上"] {
        s = s.strip_suffix(suffix).unwrap_or(s);
    }
    let number = s.strip_suffix('%').unwrap_or(s);
    let numeric = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '+');
    if number.is_empty() || number.len() > 24 || !number.chars().all(numeric) {
        return Percent::NotANumber;
    }
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() => range_checked(v),
        _ => Percent::NotANumber,
    }
}

/// `80%（预计）` → `80%`: a bracketed remark after the figure (“（预计）”, “(含前期)”) is dropped.
fn strip_annotation(s: &str) -> &str {
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if s.ends_with(close)
            && let Some(i) = s.rfind(open)
            && i > 0
        {
            return &s[..i];
        }
    }
    s
}

/// Whether a 完成进度 text holds words around its figure (“约80%”, “95%（预计）”): the figure is
/// read, and the words deserve a 提示 so nobody takes them for lost.
pub fn percent_has_words(raw: &str) -> bool {
    fold_width(raw)
        .chars()
        .any(|c| !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, '.' | '%' | '+' | '-')))
        && parse_status(raw).is_none()
}

fn range_checked(v: f64) -> Percent {
    let v = (v * 1e6).round() / 1e6;
    if (0.0..=100.0).contains(&v) {
        Percent::Value(v)
    } else {
        Percent::OutOfRange(v)
    }
}

/// Reads a 完成进度 cell. `fraction` says the cell holds a fraction shown as a percentage
/// (a percent-formatted 0.75 is 75%).
pub fn percent_from_cell(value: &CellValue, fraction: bool) -> Percent {
    match value {
        CellValue::Empty => Percent::Blank,
        CellValue::Number(n) if n.is_finite() => {
            range_checked(if fraction { n * 100.0 } else { *n })
        }
        CellValue::Text(s) => parse_percent(s),
        _ => Percent::NotANumber,
    }
}

/// Parses a status written any usual way (the synonyms listed in this module); `None` if unknown or blank.
pub fn parse_status(raw: &str) -> Option<ReportedStatus> {
    let key: String = fold_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '。' | '.' | '，' | ','))
        .collect();
    let status = match key.as_str() {
        "已完成" | "完成" | "已办结" | "办结" | "已落实" | "全部完成" => {
            ReportedStatus::Done
        }
        "序时推进" | "正常推进" | "按计划推进" | "推进中" | "正在推进" | "按序时推进"
        | "进行中" | "有序推进" => ReportedStatus::OnTrack,
        "滞后" | "进度滞后" | "延期" | "滞后推进" | "未按期推进" => {
            ReportedStatus::Lagging
        }
        "未启动" | "未开始" | "尚未启动" | "尚未开始" | "未开展" => {
            ReportedStatus::NotStarted
        }
        _ => return None,
    };
    Some(status)
}

/// The status a blank 状态 cell stands for, derived from the progress.
pub fn derive_status(percent: Option<f64>, done_percent: f64) -> Option<ReportedStatus> {
    let p = percent?;
    Some(if p >= done_percent {
        ReportedStatus::Done
    } else if p <= 0.0 {
        ReportedStatus::NotStarted
    } else {
        ReportedStatus::OnTrack
    })
}

/// Parses a date typed as text: `2026-11-25`, `2026/11/25`, `2026.11.25`, `2026年11月25日`,
/// `11月25日` (year of the report month), `2026-11-25 00:00:00`, and an Excel serial in text.
pub fn parse_date(raw: &str, month: Month) -> Option<NaiveDate> {
    let folded = fold_width(raw);
    let trimmed = folded.trim();
    if trimmed.is_empty() || trimmed.len() > 60 {
        return None;
    }
    // Drop a time part (“2026-11-25 00:00:00”, “2026-11-25T10:00:00”).
    let head = match trimmed.find([' ', 'T']) {
        Some(i) if trimmed.get(i..).is_some_and(|t| t.contains(':')) => trimmed.get(..i)?,
        _ => trimmed,
    };
    let date_part: String = head.chars().filter(|c| !c.is_whitespace()).collect();
    if let Ok(serial) = date_part.parse::<f64>() {
        return date_from_number(serial);
    }
    let numbers: Vec<&str> = date_part
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let nums: Vec<u32> = numbers.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() != numbers.len() {
        return None;
    }
    match nums.as_slice() {
        [y, m, d] if *y >= 1900 => NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d),
        [m, d] if date_part.contains('月') => NaiveDate::from_ymd_opt(month.year, *m, *d),
        _ => None,
    }
}

/// An Excel serial date (1900 system) as a date; `None` outside 1900–9999.
pub fn date_from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    // Serials below 61 sit before Excel's fictitious 1900-02-29.
    let days = serial.floor() as i64 + if serial < 61.0 { 1 } else { 0 };
    base.checked_add_signed(chrono::Duration::try_days(days)?)
}

/// A date typed as a number: `20261225` (eight digits, year-month-day, as people type a date
/// into a cell), else an Excel serial.
pub fn date_from_number(n: f64) -> Option<NaiveDate> {
    if n.is_finite() && n.fract() == 0.0 && (19_000_101.0..=99_991_231.0).contains(&n) {
        let n = n as u32;
        return NaiveDate::from_ymd_opt(i32::try_from(n / 10_000).ok()?, n / 100 % 100, n % 100);
    }
    date_from_serial(n)
}

/// A date from any cell.
pub fn date_from_cell(value: &CellValue, month: Month) -> Option<NaiveDate> {
    match value {
        CellValue::Number(n) => date_from_number(*n),
        CellValue::Text(s) => parse_date(s, month),
        _ => None,
    }
}

/// Whether `date` lies in `month`.
pub fn in_month(date: NaiveDate, month: Month) -> bool {
    date.year() == month.year && date.month() == month.month
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV: Month = Month {
        year: 2026,
        month: 11,
    };

    #[test]
    fn task_numbers() {
        for raw in [
            "12",
            " 12 ",
            "12.0",
            "１２",
            "第12项",
            "12、",
            "（12）",
            "第 １２ 项",
        ] {
            assert_eq!(parse_task_number(raw), Some(12), "{raw}");
        }
        for raw in ["", "0", "-3", "12.5", "一", "合计", "1e3", "99999999999999"] {
            assert_eq!(parse_task_number(raw), None, "{raw}");
        }
        assert_eq!(task_number_from_cell(&CellValue::Number(12.0)), Some(12));
        assert_eq!(task_number_from_cell(&CellValue::Number(12.5)), None);
    }

    #[test]
    fn figures_with_words_are_the_figure() {
        for (raw, v) in [
            ("95%（预计）", 95.0),
            ("95%(预计)", 95.0),
            ("约80%", 80.0),
            ("完成80%以上", 80.0),
            ("80%（预计）", 80.0),
            ("预计90%", 90.0),
        ] {
            assert_eq!(parse_percent(raw), Percent::Value(v), "{raw}");
            assert!(percent_has_words(raw), "{raw}");
        }
        for raw in ["80", "80%", " 80 % ", "已完成"] {
            assert!(!percent_has_words(raw), "{raw}");
        }
        for raw in ["基本完成", "正在推进", "（预计）"] {
            assert_eq!(parse_percent(raw), Percent::NotANumber, "{raw}");
        }
    }

    #[test]
    fn dates_typed_as_numbers() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(date_from_number(20261225.0), d(2026, 12, 25));
        assert_eq!(
            date_from_cell(&CellValue::Number(20261225.0), NOV),
            d(2026, 12, 25)
        );
        assert_eq!(parse_date("20261225", NOV), d(2026, 12, 25));
        // a number that is no date is no date (reported as typed), never 9999-12-31
        assert_eq!(date_from_number(20261345.0), None);
        assert_eq!(date_from_number(99999999.0), None);
        // Excel serials still read as serials
        assert_eq!(date_from_number(46351.0), d(2026, 11, 25));
    }

    #[test]
    fn percents() {
        for raw in ["80", "80%", "８０％", "约80%", "80%左右", " 80 % "] {
            assert_eq!(parse_percent(raw), Percent::Value(80.0), "{raw}");
        }
        assert_eq!(parse_percent("已完成"), Percent::Value(100.0));
        assert_eq!(parse_percent("未启动"), Percent::Value(0.0));
        assert_eq!(parse_percent(""), Percent::Blank);
        assert_eq!(parse_percent("120%"), Percent::OutOfRange(120.0));
        assert_eq!(parse_percent("-5"), Percent::OutOfRange(-5.0));
        assert_eq!(parse_percent("过半"), Percent::NotANumber);
        assert_eq!(parse_percent("NaN"), Percent::NotANumber);
        assert_eq!(parse_percent("inf"), Percent::NotANumber);
        assert_eq!(
            percent_from_cell(&CellValue::Number(0.75), true),
            Percent::Value(75.0)
        );
        assert_eq!(
            percent_from_cell(&CellValue::Number(0.01), true),
            Percent::Value(1.0)
        );
        assert_eq!(
            percent_from_cell(&CellValue::Number(0.07), true),
            Percent::Value(7.0)
        );
        assert_eq!(
            percent_from_cell(&CellValue::Number(1.0), false),
            Percent::Value(1.0)
        );
        assert_eq!(
            percent_from_cell(&CellValue::Error("#DIV/0!".into()), false),
            Percent::NotANumber
        );
    }

    #[test]
    fn statuses() {
        use ReportedStatus::*;
        for (raw, want) in [
            ("完成", Done),
            ("已办结", Done),
            ("已完成", Done),
            ("正常推进", OnTrack),
            ("按计划推进", OnTrack),
            ("推进中", OnTrack),
            ("序时推进", OnTrack),
            ("进度滞后", Lagging),
            ("延期", Lagging),
            ("未开始", NotStarted),
            ("尚未启动", NotStarted),
            (" 滞 后 ", Lagging),
        ] {
            assert_eq!(parse_status(raw), Some(want), "{raw}");
        }
        assert_eq!(parse_status("还行"), None);
        assert_eq!(derive_status(Some(100.0), 100.0), Some(Done));
        assert_eq!(derive_status(Some(0.0), 100.0), Some(NotStarted));
        assert_eq!(derive_status(Some(40.0), 100.0), Some(OnTrack));
        assert_eq!(derive_status(None, 100.0), None);
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        for raw in [
            "2026-11-25",
            "2026/11/25",
            "2026.11.25",
            "2026年11月25日",
            "11月25日",
            "２０２６年１１月２５日",
            "2026-11-25 00:00:00",
            "2026-11-25T10:00:00",
            "46351",
        ] {
            assert_eq!(parse_date(raw, NOV), Some(d), "{raw}");
        }
        assert_eq!(date_from_cell(&CellValue::Number(46351.0), NOV), Some(d));
        assert_eq!(date_from_serial(1e12), None);
        assert_eq!(parse_date("2026-13-40", NOV), None);
        assert_eq!(parse_date("下周", NOV), None);
        assert_eq!(parse_date("", NOV), None);
    }

    #[test]
    fn text_cleaning() {
        assert_eq!(clean_text(" 推进\r\n\r\n  顺利 \u{200b}"), "推进\n顺利");
        assert_eq!(clean_text("a   b\tc"), "a b c");
        assert_eq!(
            comparison_key("推进 ５G 建设，"),
            comparison_key("推进5G建设")
        );
    }
}
