//! The past as the stages read it: one archived month ([`MonthRecord`]) with each unit's
//! 报送情况 ([`UnitReceipt`]), and the parts of an archived two-unit progress text. `history`
//! reads these from the month folders; `classify` and `trend` read only these types.

use super::{Month, PreviousTask};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One archived month of the record.
#[derive(Debug, Clone)]
pub struct MonthRecord {
    pub month: Month,
    /// The 汇总表 read.
    pub file: PathBuf,
    /// Task number → that month's state.
    pub tasks: BTreeMap<u32, PreviousTask>,
    /// Unit → what its sheet 报送情况 says (empty when the sheet is absent).
    pub receipts: BTreeMap<String, UnitReceipt>,
}

impl MonthRecord {
    /// A month on record with these tasks and nothing else (tests of the record and trend).
    #[cfg(test)]
    pub(crate) fn of_tasks(
        month: Month,
        tasks: impl IntoIterator<Item = (u32, PreviousTask)>,
    ) -> Self {
        MonthRecord {
            month,
            file: PathBuf::new(),
            tasks: tasks.into_iter().collect(),
            receipts: BTreeMap::new(),
        }
    }
}

/// One unit in an archived month's 报送情况.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct UnitReceipt {
    /// 是否报送 says 已报送.
    pub received: bool,
    /// 填报日期, when written.
    pub reported_on: Option<chrono::NaiveDate>,
}

/// What 任务总表 writes as the text of a two-unit task's part that was not reported.
pub const PART_NOT_REPORTED: &str = "（本月未报送）";

/// The heading that starts one unit's part of a joined two-unit progress text: `【市发改委】`.
pub fn unit_part_heading(unit: &str) -> String {
    format!("【{unit}】")
}

impl PreviousTask {
    /// Whether this archived two-unit text carries `unit`'s own report (its heading, followed
    /// by a text other than [`PART_NOT_REPORTED`]).
    pub fn unit_reported(&self, unit: &str) -> bool {
        self.progress_text.contains(&unit_part_heading(unit))
            && self.text_of_unit(unit) != PART_NOT_REPORTED
    }

    /// The archived text of one unit: its headed part of a joined two-unit text, else the
    /// whole text (a single-unit task is archived without headings).
    pub fn text_of_unit(&self, unit: &str) -> &str {
        let heading = unit_part_heading(unit);
        let text = self.progress_text.as_str();
        let Some(start) = text.find(&heading) else {
            return text;
        };
        let rest = &text[start + heading.len()..];
        let end = rest.find("\n【").unwrap_or(rest.len());
        rest[..end].trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_text_split() {
        let p = PreviousTask {
            progress_text: "【土左旗】甲进展\n【托县政府】乙进展".into(),
            ..PreviousTask::default()
        };
        assert_eq!(p.text_of_unit("土左旗"), "甲进展");
        assert_eq!(p.text_of_unit("托县政府"), "乙进展");
        let single = PreviousTask {
            progress_text: "丙".into(),
            ..PreviousTask::default()
        };
        assert_eq!(single.text_of_unit("市科技局"), "丙");
    }

    #[test]
    fn a_part_not_reported_is_not_the_units_report() {
        let p = PreviousTask {
            progress_text: format!("【土左旗】甲进展\n【托县政府】{PART_NOT_REPORTED}"),
            ..PreviousTask::default()
        };
        assert!(p.unit_reported("土左旗"));
        assert!(!p.unit_reported("托县政府"));
        assert!(!p.unit_reported("市科技局"));
    }
}
