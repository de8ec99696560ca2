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

/// What kind of problem: a stable machine code, in run.json as its snake-case name
/// (`unknown_task`, `progress_out_of_range` …) and in the 汇总表's 校验问题 as its Chinese
/// 问题类型 ([`ProblemCode::label`]). The program decides on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    CompletedOnUnreadable,
    CorruptFile,
    DuplicateFile,
    DuplicateTask,
    EmptyFile,
    FileNameNotUtf8,
    FileTooLarge,
    FormulaError,
    HiddenRow,
    HistoryBadCell,
    HistoryChanged,
    HistoryDuplicateTask,
    HistoryUnreadable,
    InflatedTooLarge,
    LinkNotRead,
    MasterBadAssignment,
    MasterBadNumber,
    MasterCountMismatch,
    MasterDuplicateNumber,
    MasterMainCountMismatch,
    MasterMainTargetUnassigned,
    MasterNoLeader,
    MasterNoMayor,
    MasterNoUnit,
    MasterOpenDeadline,
    MasterUnknownUnit,
    MasterUnrecognisedRow,
    NoHeader,
    NoPercentColumn,
    NoSubmissionsFolder,
    NotAWorkbook,
    NotAWorkbookFile,
    NoticeFailed,
    OldExcelFormat,
    PasswordProtected,
    PdfMissingGlyph,
    PreviousSummaryMissing,
    ProgressCopied,
    ProgressNotNumber,
    ProgressOutOfRange,
    ProgressRegressed,
    ProgressTextEmpty,
    ReportDateFuture,
    ReportDateMissing,
    ReportDateOutsideMonth,
    ReportDateUnreadable,
    SheetTooLarge,
    StatusContradictsProgress,
    StatusUnknown,
    SubRowProgressDiffers,
    SubfolderNotRead,
    Superseded,
    TaskNotAssigned,
    TaskNumberFromText,
    TaskNumberMissing,
    TaskTextDiffers,
    TasksMissing,
    UnitConflict,
    UnitNameUnrecognised,
    UnitUnknown,
    UnknownTask,
    UnreadableFile,
    PercentWithWords,
    RowNotReported,
    SummaryRowSkipped,
    CarriedRowUnchanged,
}

impl ProblemCode {
    /// The stable snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::CompletedOnUnreadable => "completed_on_unreadable",
            ProblemCode::CorruptFile => "corrupt_file",
            ProblemCode::DuplicateFile => "duplicate_file",
            ProblemCode::DuplicateTask => "duplicate_task",
            ProblemCode::EmptyFile => "empty_file",
            ProblemCode::FileNameNotUtf8 => "file_name_not_utf8",
            ProblemCode::FileTooLarge => "file_too_large",
            ProblemCode::FormulaError => "formula_error",
            ProblemCode::HiddenRow => "hidden_row",
            ProblemCode::HistoryBadCell => "history_bad_cell",
            ProblemCode::HistoryChanged => "history_changed",
            ProblemCode::HistoryDuplicateTask => "history_duplicate_task",
            ProblemCode::HistoryUnreadable => "history_unreadable",
            ProblemCode::InflatedTooLarge => "inflated_too_large",
            ProblemCode::LinkNotRead => "link_not_read",
            ProblemCode::MasterBadAssignment => "master_bad_assignment",
            ProblemCode::MasterBadNumber => "master_bad_number",
            ProblemCode::MasterCountMismatch => "master_count_mismatch",
            ProblemCode::MasterDuplicateNumber => "master_duplicate_number",
            ProblemCode::MasterMainCountMismatch => "master_main_count_mismatch",
            ProblemCode::MasterMainTargetUnassigned => "master_main_target_unassigned",
            ProblemCode::MasterNoLeader => "master_no_leader",
            ProblemCode::MasterNoMayor => "master_no_mayor",
            ProblemCode::MasterNoUnit => "master_no_unit",
            ProblemCode::MasterOpenDeadline => "master_open_deadline",
            ProblemCode::MasterUnknownUnit => "master_unknown_unit",
            ProblemCode::MasterUnrecognisedRow => "master_unrecognised_row",
            ProblemCode::NoHeader => "no_header",
            ProblemCode::NoPercentColumn => "no_percent_column",
            ProblemCode::NoSubmissionsFolder => "no_submissions_folder",
            ProblemCode::NotAWorkbook => "not_a_workbook",
            ProblemCode::NotAWorkbookFile => "not_a_workbook_file",
            ProblemCode::NoticeFailed => "notice_failed",
            ProblemCode::OldExcelFormat => "old_excel_format",
            ProblemCode::PasswordProtected => "password_protected",
            ProblemCode::PdfMissingGlyph => "pdf_missing_glyph",
            ProblemCode::PreviousSummaryMissing => "previous_summary_missing",
            ProblemCode::ProgressCopied => "progress_copied",
            ProblemCode::ProgressNotNumber => "progress_not_number",
            ProblemCode::ProgressOutOfRange => "progress_out_of_range",
            ProblemCode::ProgressRegressed => "progress_regressed",
            ProblemCode::ProgressTextEmpty => "progress_text_empty",
            ProblemCode::ReportDateFuture => "report_date_future",
            ProblemCode::ReportDateMissing => "report_date_missing",
            ProblemCode::ReportDateOutsideMonth => "report_date_outside_month",
            ProblemCode::ReportDateUnreadable => "report_date_unreadable",
            ProblemCode::SheetTooLarge => "sheet_too_large",
            ProblemCode::StatusContradictsProgress => "status_contradicts_progress",
            ProblemCode::StatusUnknown => "status_unknown",
            ProblemCode::SubRowProgressDiffers => "sub_row_progress_differs",
            ProblemCode::SubfolderNotRead => "subfolder_not_read",
            ProblemCode::Superseded => "superseded",
            ProblemCode::TaskNotAssigned => "task_not_assigned",
            ProblemCode::TaskNumberFromText => "task_number_from_text",
            ProblemCode::TaskNumberMissing => "task_number_missing",
            ProblemCode::TaskTextDiffers => "task_text_differs",
            ProblemCode::TasksMissing => "tasks_missing",
            ProblemCode::UnitConflict => "unit_conflict",
            ProblemCode::UnitNameUnrecognised => "unit_name_unrecognised",
            ProblemCode::UnitUnknown => "unit_unknown",
            ProblemCode::UnknownTask => "unknown_task",
            ProblemCode::UnreadableFile => "unreadable_file",
            ProblemCode::PercentWithWords => "percent_with_words",
            ProblemCode::RowNotReported => "row_not_reported",
            ProblemCode::SummaryRowSkipped => "summary_row_skipped",
            ProblemCode::CarriedRowUnchanged => "carried_row_unchanged",
        }
    }
    /// The kind of problem in Chinese, as 校验问题's 问题类型 column shows it (the snake-case
    /// code stays in run.json).
    pub fn label(self) -> &'static str {
        match self {
            ProblemCode::CompletedOnUnreadable => "完成日期无法识别",
            ProblemCode::CorruptFile => "文件已损坏",
            ProblemCode::DuplicateFile => "重复文件",
            ProblemCode::DuplicateTask => "同一任务重复填报",
            ProblemCode::EmptyFile => "空文件",
            ProblemCode::FileNameNotUtf8 => "文件名编码异常",
            ProblemCode::FileTooLarge => "文件过大",
            ProblemCode::FormulaError => "公式错误值",
            ProblemCode::HiddenRow => "隐藏行",
            ProblemCode::HistoryBadCell => "历史汇总表单元格异常",
            ProblemCode::HistoryChanged => "历史汇总表被改动",
            ProblemCode::HistoryDuplicateTask => "历史汇总表任务重复",
            ProblemCode::HistoryUnreadable => "历史汇总表无法读取",
            ProblemCode::InflatedTooLarge => "文件解压后过大",
            ProblemCode::LinkNotRead => "链接未读取",
            ProblemCode::MasterBadAssignment => "分管领导指定有误",
            ProblemCode::MasterBadNumber => "任务序号有误",
            ProblemCode::MasterCountMismatch => "任务数与声明不符",
            ProblemCode::MasterDuplicateNumber => "任务序号重复",
            ProblemCode::MasterMainCountMismatch => "主要预期目标数不符",
            ProblemCode::MasterMainTargetUnassigned => "主要预期目标未归属",
            ProblemCode::MasterNoLeader => "缺少分管领导",
            ProblemCode::MasterNoMayor => "缺少总负责人",
            ProblemCode::MasterNoUnit => "缺少牵头单位",
            ProblemCode::MasterOpenDeadline => "无固定完成时限",
            ProblemCode::MasterUnknownUnit => "牵头单位不在名录中",
            ProblemCode::MasterUnrecognisedRow => "无法识别的行",
            ProblemCode::NoHeader => "找不到表头",
            ProblemCode::NoPercentColumn => "缺少完成进度列",
            ProblemCode::NoSubmissionsFolder => "缺少报送文件夹",
            ProblemCode::NotAWorkbook => "不是Excel表格",
            ProblemCode::NotAWorkbookFile => "不是Excel表格",
            ProblemCode::NoticeFailed => "督办单生成失败",
            ProblemCode::OldExcelFormat => "Excel旧版格式",
            ProblemCode::PasswordProtected => "有密码保护",
            ProblemCode::PdfMissingGlyph => "字体缺字",
            ProblemCode::PreviousSummaryMissing => "缺少上月汇总表",
            ProblemCode::ProgressCopied => "进展与上次相同",
            ProblemCode::ProgressNotNumber => "完成进度不是数字",
            ProblemCode::ProgressOutOfRange => "完成进度超出范围",
            ProblemCode::ProgressRegressed => "进度倒退",
            ProblemCode::ProgressTextEmpty => "工作进展未填写",
            ProblemCode::ReportDateFuture => "填报日期晚于统计截止日",
            ProblemCode::ReportDateMissing => "缺少填报日期",
            ProblemCode::ReportDateOutsideMonth => "填报日期不在本月",
            ProblemCode::ReportDateUnreadable => "填报日期无法识别",
            ProblemCode::SheetTooLarge => "工作表过大",
            ProblemCode::StatusContradictsProgress => "状态与进度矛盾",
            ProblemCode::StatusUnknown => "状态无法识别",
            ProblemCode::SubRowProgressDiffers => "子项进度不一致",
            ProblemCode::SubfolderNotRead => "子文件夹未读取",
            ProblemCode::Superseded => "被后报数据替代",
            ProblemCode::TaskNotAssigned => "非本单位牵头任务",
            ProblemCode::TaskNumberFromText => "按任务内容识别序号",
            ProblemCode::TaskNumberMissing => "缺少序号",
            ProblemCode::TaskTextDiffers => "任务内容与分解表不同",
            ProblemCode::TasksMissing => "任务未填报",
            ProblemCode::UnitConflict => "单位识别冲突",
            ProblemCode::UnitNameUnrecognised => "单位名称无法识别",
            ProblemCode::UnitUnknown => "无法识别报送单位",
            ProblemCode::UnknownTask => "序号不存在",
            ProblemCode::UnreadableFile => "文件无法读取",
            ProblemCode::PercentWithWords => "完成进度含文字说明",
            ProblemCode::RowNotReported => "未填进度和状态",
            ProblemCode::SummaryRowSkipped => "合计行未计入",
            ProblemCode::CarriedRowUnchanged => "已完成任务未改动",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ProblemCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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

    #[test]
    fn cells_sort_row_major() {
        let mut cells = vec!["A10", "B2", "A2", "AA1", "C1"];
        cells.sort_by_key(|c| cell_order(Some(c)));
        assert_eq!(cells, ["C1", "AA1", "A2", "B2", "A10"]);
    }
}
