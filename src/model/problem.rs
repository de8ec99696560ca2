//! Problems: what is wrong with the input, where, and how bad; and the one order they are
//! listed in everywhere (console, 汇总表, run.json).

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// The row or file is rejected.
    #[serde(rename = "错误")]
    Error,
    /// Merged, but someone should look.
    #[serde(rename = "警告")]
    Warning,
    /// For the record.
    #[serde(rename = "提示")]
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// Declares [`ProblemCode`] from one table: each variant with its stable snake-case name (what
/// run.json and the CSV write, and what serde reads back) and its Chinese 问题类型.
macro_rules! problem_codes {
    ($($variant:ident => $name:literal, $label:literal;)*) => {
        /// What kind of problem: a stable machine code, in run.json as its snake-case name
        /// (`unknown_task`, `progress_out_of_range` …) and in the 汇总表's 校验问题 as its Chinese
        /// 问题类型 ([`ProblemCode::label`]). The program decides on these, never on message text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $($variant,)*
        }

        impl ProblemCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)*];

            /// The stable snake-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $name,)*
                }
            }

            /// The code named `name` (see [`ProblemCode::as_str`]).
            pub fn from_name(name: &str) -> Option<ProblemCode> {
                match name {
                    $($name => Some(ProblemCode::$variant),)*
                    _ => None,
                }
            }

            /// The kind of problem in Chinese, as 校验问题's 问题类型 column shows it (the
            /// snake-case code stays in run.json).
            pub fn label(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $label,)*
                }
            }
        }
    };
}

problem_codes! {
    CompletedOnUnreadable => "completed_on_unreadable", "完成日期无法识别";
    CorruptFile => "corrupt_file", "文件已损坏";
    DuplicateFile => "duplicate_file", "重复文件";
    DuplicateTask => "duplicate_task", "同一任务重复填报";
    EmptyFile => "empty_file", "空文件";
    FileNameNotUtf8 => "file_name_not_utf8", "文件名编码异常";
    FileTooLarge => "file_too_large", "文件过大";
    FormulaError => "formula_error", "公式错误值";
    HiddenRow => "hidden_row", "隐藏行";
    HistoryBadCell => "history_bad_cell", "历史汇总表单元格异常";
    HistoryChanged => "history_changed", "历史汇总表被改动";
    HistoryDuplicateTask => "history_duplicate_task", "历史汇总表任务重复";
    HistoryUnreadable => "history_unreadable", "历史汇总表无法读取";
    InflatedTooLarge => "inflated_too_large", "文件解压后过大";
    LinkNotRead => "link_not_read", "链接未读取";
    MasterBadAssignment => "master_bad_assignment", "分管领导指定有误";
    MasterBadNumber => "master_bad_number", "任务序号有误";
    MasterCountMismatch => "master_count_mismatch", "任务数与声明不符";
    MasterDuplicateNumber => "master_duplicate_number", "任务序号重复";
    MasterMainCountMismatch => "master_main_count_mismatch", "主要预期目标数不符";
    MasterMainTargetUnassigned => "master_main_target_unassigned", "主要预期目标未归属";
    MasterNoLeader => "master_no_leader", "缺少分管领导";
    MasterNoMayor => "master_no_mayor", "缺少总负责人";
    MasterNoUnit => "master_no_unit", "缺少牵头单位";
    MasterOpenDeadline => "master_open_deadline", "无固定完成时限";
    MasterUnknownUnit => "master_unknown_unit", "牵头单位不在名录中";
    MasterUnrecognisedRow => "master_unrecognised_row", "无法识别的行";
    NoHeader => "no_header", "找不到表头";
    NoPercentColumn => "no_percent_column", "缺少完成进度列";
    NoSubmissionsFolder => "no_submissions_folder", "缺少报送文件夹";
    NotAWorkbook => "not_a_workbook", "不是Excel表格";
    NotAWorkbookFile => "not_a_workbook_file", "不是Excel表格";
    NoticeFailed => "notice_failed", "督办单生成失败";
    OldExcelFormat => "old_excel_format", "Excel旧版格式";
    PasswordProtected => "password_protected", "有密码保护";
    PdfMissingGlyph => "pdf_missing_glyph", "字体缺字";
    PreviousSummaryMissing => "previous_summary_missing", "缺少上月汇总表";
    ProgressCopied => "progress_copied", "进展与上次相同";
    ProgressNotNumber => "progress_not_number", "完成进度不是数字";
    ProgressOutOfRange => "progress_out_of_range", "完成进度超出范围";
    ProgressRegressed => "progress_regressed", "进度倒退";
    ProgressTextEmpty => "progress_text_empty", "工作进展未填写";
    ReportDateFuture => "report_date_future", "填报日期晚于统计截止日";
    ReportDateMissing => "report_date_missing", "缺少填报日期";
    ReportDateOutsideMonth => "report_date_outside_month", "填报日期不在本月";
    ReportDateUnreadable => "report_date_unreadable", "填报日期无法识别";
    SheetTooLarge => "sheet_too_large", "工作表过大";
    StatusContradictsProgress => "status_contradicts_progress", "状态与进度矛盾";
    StatusUnknown => "status_unknown", "状态无法识别";
    SubRowProgressDiffers => "sub_row_progress_differs", "子项进度不一致";
    SubfolderNotRead => "subfolder_not_read", "子文件夹未读取";
    Superseded => "superseded", "被后报数据替代";
    TaskNotAssigned => "task_not_assigned", "非本单位牵头任务";
    TaskNumberFromText => "task_number_from_text", "按任务内容识别序号";
    TaskNumberMissing => "task_number_missing", "缺少序号";
    TaskTextDiffers => "task_text_differs", "任务内容与分解表不同";
    TasksMissing => "tasks_missing", "任务未填报";
    UnitConflict => "unit_conflict", "单位识别冲突";
    UnitNameUnrecognised => "unit_name_unrecognised", "单位名称无法识别";
    UnitUnknown => "unit_unknown", "无法识别报送单位";
    UnknownTask => "unknown_task", "序号不存在";
    UnreadableFile => "unreadable_file", "文件无法读取";
    PercentWithWords => "percent_with_words", "完成进度含文字说明";
    RowNotReported => "row_not_reported", "未填进度和状态";
    SummaryRowSkipped => "summary_row_skipped", "合计行未计入";
    CarriedRowUnchanged => "carried_row_unchanged", "已完成任务未改动";
}

impl Serialize for ProblemCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProblemCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        ProblemCode::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown problem code `{name}`")))
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about the input, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub severity: Severity,
    /// What kind of problem.
    pub code: ProblemCode,
    /// Unit the problem belongs to (canonical name), if known.
    pub unit: Option<String>,
    /// File name (not the full path), if the problem is in a file.
    pub file: Option<String>,
    pub sheet: Option<String>,
    /// A1 reference like `F7`.
    pub cell: Option<String>,
    /// The raw cell value as found.
    pub raw: Option<String>,
    /// Task number concerned, if any.
    pub task: Option<u32>,
    /// Chinese message saying what is wrong and what to do.
    pub message: String,
    /// Technical detail for whoever maintains the files or the tool (a parser's own words,
    /// often English): kept out of the message, shown in 校验问题's 技术细节 column and run.json.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
}

impl Problem {
    pub fn new(severity: Severity, code: ProblemCode, message: impl Into<String>) -> Self {
        Problem {
            severity,
            code,
            unit: None,
            file: None,
            sheet: None,
            cell: None,
            raw: None,
            task: None,
            message: message.into(),
            detail: None,
        }
    }
    pub fn error(code: ProblemCode, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: ProblemCode, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn info(code: ProblemCode, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
    pub fn sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }
    pub fn cell(mut self, cell: impl Into<String>) -> Self {
        self.cell = Some(cell.into());
        self
    }
    pub fn raw(mut self, raw: impl Into<String>) -> Self {
        self.raw = Some(raw.into());
        self
    }
    pub fn task(mut self, task: u32) -> Self {
        self.task = Some(task);
        self
    }
    /// Adds technical detail (not shown in the message).
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        self.detail = (!detail.is_empty()).then_some(detail);
        self
    }
    /// Where the problem is, in Chinese: “文件 X，工作表 Y，单元格 F7”.
    pub fn location(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.file {
            parts.push(format!("文件“{f}”"));
        }
        if let Some(s) = &self.sheet {
            parts.push(format!("工作表“{s}”"));
        }
        if let Some(c) = &self.cell {
            parts.push(format!("单元格 {c}"));
        }
        parts.join("，")
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.severity.label())?;
        let loc = self.location();
        if !loc.is_empty() {
            write!(f, " {loc}：")?;
        } else {
            write!(f, " ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(raw) = &self.raw {
            write!(f, "（原值：“{raw}”）")?;
        }
        Ok(())
    }
}

/// A1 reference for 0-based row and column (`cell_ref(6, 5)` = `F7`).
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut col_name = String::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        col_name.insert(0, char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    format!("{col_name}{}", row as u64 + 1)
}

/// Row-major order of an A1 reference: (row, column); `None` sorts first.
pub fn cell_order(cell: Option<&str>) -> (u32, u32) {
    let Some(cell) = cell else { return (0, 0) };
    let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
    let col = letters.chars().fold(0u32, |acc, c| {
        acc.saturating_mul(26)
            .saturating_add(u32::from(c.to_ascii_uppercase() as u8 - b'A' + 1))
    });
    let row = cell
        .get(letters.len()..)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    (row, col)
}

/// Problems by file, sheet, cell (row-major), severity, code.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        (
            &a.file,
            &a.sheet,
            cell_order(a.cell.as_deref()),
            a.severity,
            a.code.as_str(),
            &a.message,
        )
            .cmp(&(
                &b.file,
                &b.sheet,
                cell_order(b.cell.as_deref()),
                b.severity,
                b.code.as_str(),
                &b.message,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde's `rename_all = "snake_case"`, which named the codes before the table did.
    fn snake_case(variant: &str) -> String {
        let mut out = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        }
        out
    }

    #[test]
    fn codes_serialise_as_their_snake_case_names_and_read_back() {
        assert_eq!(ProblemCode::ALL.len(), 66);
        let mut names = std::collections::HashSet::new();
        for &code in ProblemCode::ALL {
            let name = code.as_str();
            assert_eq!(name, snake_case(&format!("{code:?}")));
            assert!(names.insert(name), "{name} twice");
            assert_eq!(code.to_string(), name);
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<ProblemCode>(&json).ok(), Some(code));
            assert_eq!(ProblemCode::from_name(name), Some(code));
            assert!(!code.label().is_empty());
        }
        assert_eq!(ProblemCode::NotAWorkbook.as_str(), "not_a_workbook");
        assert_eq!(ProblemCode::FileNameNotUtf8.as_str(), "file_name_not_utf8");
        assert_eq!(ProblemCode::from_name("unknwon_task"), None);
        let err = serde_json::from_str::<ProblemCode>("\"unknwon_task\"")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknwon_task"), "{err}");
    }

    #[test]
    fn a_problem_serialises_its_code_by_name() {
        let p = Problem::warning(ProblemCode::ProgressCopied, "进展与上月相同").task(3);
        let json = serde_json::to_string(&p).unwrap_or_default();
        assert!(
            json.starts_with(r#"{"severity":"警告","code":"progress_copied","unit":null"#),
            "{json}"
        );
        let back: Option<Problem> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(p));
    }

    #[test]
    fn cells_sort_row_major() {
        let mut cells = vec!["A10", "B2", "A2", "AA1", "C1"];
        cells.sort_by_key(|c| cell_order(Some(c)));
        assert_eq!(cells, ["C1", "AA1", "A2", "B2", "A10"]);
    }
}
