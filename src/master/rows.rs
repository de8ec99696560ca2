//! The kinds of row in the published sheet besides task rows: the overall lead
//! (“贺海东市长为总负责人”), section rows (“(一) 主要预期目标”) and leader rows
//! (“刘继英副市长分管领域35项（含主要预期目标5项）”), and the titles leaders carry.

use super::*;

/// Titles a leader row may carry, longest first so 副市长 wins over 市长.
pub(super) const TITLES: [&str; 7] = [
    "常务副市长",
    "副市长",
    "市长",
    "副主任",
    "主任",
    "副秘书长",
    "秘书长",
];

/// A leader section row, e.g. “刘继英副市长分管领域35项（含主要预期目标5项）”.
pub(super) fn parse_leader_row(text: &str) -> Option<Leader> {
    let s = squash(text);
    let (name, title, rest) = TITLES.iter().find_map(|t| {
        let i = s.find(t)?;
        let name = &s[..i];
        let n = name.chars().count();
        (2..=4).contains(&n).then(|| (name, *t, &s[i + t.len()..]))
    })?;
    if !(rest.starts_with("分管") || rest.starts_with("负责")) {
        return None;
    }
    let declared_count = number_before(rest, "项");
    let declared_main_targets = rest
        .find("含主要预期目标")
        .and_then(|i| number_before(&rest[i + "含主要预期目标".len()..], "项"));
    declared_count?;
    Some(Leader {
        name: name.to_string(),
        title: title.to_string(),
        declared_count,
        declared_main_targets,
    })
}

/// The first run of ASCII digits immediately followed by `unit`.
pub(super) fn number_before(s: &str, unit: &str) -> Option<u32> {
    let i = s.find(unit)?;
    let digits: String = s[..i]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

/// “贺海东市长为总负责人” → the mayor.
pub(super) fn parse_overall_lead(text: &str) -> Option<Leader> {
    let s = squash(text);
    let head = s
        .strip_suffix("为总负责人")
        .or_else(|| s.strip_suffix("总负责"))?;
    let (name, title) = TITLES
        .iter()
        .find_map(|t| head.strip_suffix(t).map(|n| (n, *t)))?;
    (!name.is_empty()).then(|| Leader {
        name: name.to_string(),
        title: title.to_string(),
        declared_count: None,
        declared_main_targets: None,
    })
}

/// “(一) 主要预期目标” / “（二）其他经济社会发展任务”.
pub(super) fn parse_category_row(text: &str) -> Option<Category> {
    let s = squash(text);
    let body = s
        .strip_prefix('(')
        .or_else(|| s.strip_prefix('（'))
        .and_then(|r| r.split_once([')', '）']))
        .map(|(_, b)| b)
        .or_else(|| s.split_once('、').map(|(_, b)| b))?;
    if body.contains("主要预期目标") {
        Some(Category::MainTarget)
    } else if !body.is_empty() {
        Some(Category::Other)
    } else {
        None
    }
}

pub(super) fn strip_title(name: &str) -> &str {
    TITLES
        .iter()
        .find_map(|t| name.strip_suffix(t))
        .unwrap_or(name)
}

pub(super) fn title_of(cell: &str, name: &str) -> String {
    let after = cell.split(name).nth(1).unwrap_or("");
    TITLES
        .iter()
        .find(|t| after.starts_with(*t))
        .map(|t| t.to_string())
        .unwrap_or_else(|| "副市长".to_string())
}
