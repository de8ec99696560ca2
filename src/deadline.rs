//! 完成时限 text → the last day a task may be completed on.

use chrono::NaiveDate;

/// Parses a deadline written the way the office writes them, in the plan `year`.
///
/// Understands “6月底”, “6月”, “6月前”, “6月底前”, “6月中旬”, “6月上旬”, “6月下旬”, “6月15日”,
/// “2026年6月15日”, “2026年6月底”, “年底”, “年内”, “上半年”, “三季度末”, “第三季度末”, and
/// Chinese numerals for months (“十二月底”). Anything else is free text → `None`.
pub fn parse_deadline(raw: &str, year: i32) -> Option<NaiveDate> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(fold_digit)
        .collect();
    let s = s.strip_suffix("完成").unwrap_or(&s);
    let s = s
        .strip_suffix("以前")
        .or_else(|| s.strip_suffix("之前"))
        .or_else(|| s.strip_suffix("前"))
        .unwrap_or(s);
    match s {
        "年底" | "年内" | "年末" | "全年" | "下半年" | "四季度" | "四季度末" | "第四季度末" =>
        {
            return ymd(year, 12, 31);
        }
        "上半年" | "二季度末" | "第二季度末" | "年中" => return ymd(year, 6, 30),
        "一季度末" | "第一季度末" | "一季度" | "第一季度" => {
            return ymd(year, 3, 31);
        }
        "二季度" | "第二季度" => return ymd(year, 6, 30),
        "三季度末" | "第三季度末" | "三季度" | "第三季度" => {
            return ymd(year, 9, 30);
        }
        _ => {}
    }
    // Optional “YYYY年” prefix.
    let (year, rest) = match s.split_once('年') {
        Some((y, rest)) if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) => {
            (y.parse().ok()?, rest)
        }
        Some(_) => return None,
        None => (year, s),
    };
    if rest == "底" || rest == "末" {
        return ymd(year, 12, 31);
    }
    let (month_text, tail) = rest.split_once('月')?;
    let month = parse_small_number(month_text)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    match tail {
        "" | "底" | "末" | "下旬" | "份" | "底前" => last_day(year, month),
        "中旬" | "中" => ymd(year, month, 20),
        "上旬" | "初" => ymd(year, month, 10),
        _ => {
            let day_text = tail
                .strip_suffix('日')
                .or_else(|| tail.strip_suffix('号'))?;
            ymd(year, month, parse_small_number(day_text)?)
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    ymd(ny, nm, 1)?.pred_opt()
}

fn fold_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        _ => c,
    }
}

/// “12”, “十二”, “二十”, “三十一” → number (1–99).
fn parse_small_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return if s.len() <= 2 { s.parse().ok() } else { None };
    }
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', u] => Some(10 * digit(*t)? + digit(*u)?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn every_form() {
        assert_eq!(parse_deadline("6月底", 2026), d(2026, 6, 30));
        assert_eq!(parse_deadline("2月底", 2026), d(2026, 2, 28));
        assert_eq!(parse_deadline("12月底", 2026), d(2026, 12, 31));
        assert_eq!(parse_deadline("十二月底", 2026), d(2026, 12, 31));
        assert_eq!(parse_deadline("６月底前", 2026), d(2026, 6, 30));
        assert_eq!(parse_deadline("6月中旬", 2026), d(2026, 6, 20));
        assert_eq!(parse_deadline("6月上旬", 2026), d(2026, 6, 10));
        assert_eq!(parse_deadline("9月", 2026), d(2026, 9, 30));
        assert_eq!(parse_deadline("6月15日", 2026), d(2026, 6, 15));
        assert_eq!(parse_deadline("2027年3月1日", 2026), d(2027, 3, 1));
        assert_eq!(parse_deadline("2026年10月底", 2026), d(2026, 10, 31));
        assert_eq!(parse_deadline("年底", 2026), d(2026, 12, 31));
        assert_eq!(parse_deadline("年底前完成", 2026), d(2026, 12, 31));
        assert_eq!(parse_deadline("三季度末", 2026), d(2026, 9, 30));
        assert_eq!(parse_deadline("上半年", 2026), d(2026, 6, 30));
    }

    #[test]
    fn free_text_has_no_date() {
        assert_eq!(parse_deadline("按自治区安排统筹推进", 2026), None);
        assert_eq!(parse_deadline("长期坚持", 2026), None);
        assert_eq!(parse_deadline("13月底", 2026), None);
        assert_eq!(parse_deadline("2月30日", 2026), None);
        assert_eq!(parse_deadline("", 2026), None);
        assert_eq!(parse_deadline("26年6月底", 2026), None);
    }
}
