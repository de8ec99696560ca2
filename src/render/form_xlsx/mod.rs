//! The per-unit progress workbook (`duban templates`): the canonical form of the office procedure (README),
//! pre-filled with one unit's tasks.
//!
//! Layout of sheet “进展情况” (0-based rows):
//! - row 0: title, merged across all columns;
//! - row 1: header block — “填报单位：<unit>” (filled, locked), 填报人 / 联系电话 / 填报日期 labels
//!   with empty unlocked value cells to their right;
//! - row 2: the header row 序号 | 任务目标 | 完成时限 | [上月进度(%)] | 本月工作进展 | 完成进度(%) | 状态 |
//!   完成日期 | 存在问题 | 下步计划 | 备注 (上月进度 only when last month's figures are given);
//! - rows 3…: one row per task of the unit, master order.
//!
//! The sheet is protected **without a password** (so staff can lift it via 审阅 → 撤销工作表保护);
//! the pre-filled columns are locked and shaded, the input cells use unlocked formats.
//! A second sheet “填表说明” explains every column. Bytes are deterministic: the document
//! creation time is the first day of the report month, never the clock.

use super::row_height::{row_height, wrapped_lines};
use crate::columns::Column;
use crate::config::Config;
use crate::model::{Master, Month, Task, Unit, chinese_date};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;

mod instructions;
mod sheet;
use instructions::*;
use sheet::*;

/// Name of the data sheet.
pub const SHEET_NAME: &str = "进展情况";
/// Name of the instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "填表说明";
/// 0-based row of the header block (填报单位 …).
pub const BLOCK_ROW: u32 = 1;
/// 0-based row of the column header row.
pub const HEADER_ROW: u32 = 2;
/// 0-based row of the first task.
pub const FIRST_TASK_ROW: u32 = 3;
/// The 状态 choices offered by the dropdown.
pub const STATUS_CHOICES: [&str; 4] = ["已完成", "序时推进", "滞后", "未启动"];

const BODY_FONT: &str = "宋体";
const HEADING_FONT: &str = "黑体";
const LOCKED_FILL: u32 = 0xF2F2F2;
const HEADER_FILL: u32 = 0xD9E1F2;
/// Points per wrapped text line at 11 pt (the demo workbooks of `duban-devdata` use it too).
pub const LINE_HEIGHT: f64 = 15.0;

impl Column {
    /// Column width in Excel character units.
    fn width(self) -> f64 {
        match self {
            Column::Number => 6.0,
            Column::TaskText => 34.0,
            Column::Deadline => 10.0,
            Column::Previous => 9.0,
            Column::ProgressText => 42.0,
            Column::Percent => 9.0,
            Column::Status => 10.0,
            Column::CompletedOn => 12.0,
            Column::Issues => 24.0,
            Column::NextSteps => 24.0,
            Column::Remark => 12.0,
        }
    }

    /// Pre-filled by the office and locked.
    pub fn locked(self) -> bool {
        matches!(
            self,
            Column::Number | Column::TaskText | Column::Deadline | Column::Previous
        )
    }
}

/// The form's columns, in order; 上月进度 right after 完成时限 when `with_previous`.
pub fn form_columns(with_previous: bool) -> Vec<Column> {
    use Column::*;
    let mut cols = vec![Number, TaskText, Deadline];
    if with_previous {
        cols.push(Previous);
    }
    cols.extend([
        ProgressText,
        Percent,
        Status,
        CompletedOn,
        Issues,
        NextSteps,
        Remark,
    ]);
    cols
}

/// What a unit typed into one task row (used to fill forms for demo data and fixtures).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    /// 本月工作进展.
    pub progress_text: String,
    /// 完成进度(%), 0–100 (written as a number; out-of-range values are written as given).
    pub percent: Option<f64>,
    /// 状态 exactly as typed (a synonym is written verbatim).
    pub status: Option<String>,
    /// 完成日期.
    pub completed_on: Option<NaiveDate>,
    /// 存在问题.
    pub issues: String,
    /// 下步计划.
    pub next_steps: String,
    /// 备注.
    pub remark: String,
}

/// The values a unit typed into its form: header block and task rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filling {
    pub reporter: String,
    pub phone: String,
    pub reported_on: Option<NaiveDate>,
    /// Task number → the row's entries; tasks not in the map stay blank.
    pub entries: BTreeMap<u32, Entry>,
    /// Task number → the month of its 上月进度 figure, when older than last month (shown
    /// beside the figure: “83（10月）”; the cell stays a number).
    pub previous_months: BTreeMap<u32, Month>,
}

/// What the record of the year gives the forms of a month: the last figure of every task
/// (its month when older than last month) and the tasks finished on record, pre-filled with
/// 100, 已完成 and their completion date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormPast {
    pub figures: BTreeMap<u32, f64>,
    pub figure_months: BTreeMap<u32, Month>,
    pub finished: BTreeMap<u32, NaiveDate>,
}

impl FormPast {
    /// The past as `history::History::past` holds it, for the forms of `month`.
    pub fn of(past: &BTreeMap<u32, crate::model::PreviousTask>, month: Month) -> FormPast {
        let mut out = FormPast::default();
        for (n, t) in past {
            let figure = t
                .last_known
                .as_ref()
                .map(|k| (k.percent, Some(k.month)))
                .or(t.percent.map(|p| (p, None)));
            if let Some((p, m)) = figure {
                out.figures.insert(*n, p);
                if let Some(m) = m.filter(|m| *m != month.prev()) {
                    out.figure_months.insert(*n, m);
                }
            }
            if let Some(c) = &t.completion {
                out.finished.insert(*n, c.date);
            }
        }
        out
    }

    /// The unit's form filled the way the record says: finished tasks pre-filled.
    pub fn filling(&self, master: &Master, unit: &str) -> Filling {
        let entries = master
            .tasks_of_unit(unit)
            .filter_map(|t| {
                let date = self.finished.get(&t.number)?;
                Some((
                    t.number,
                    Entry {
                        percent: Some(100.0),
                        status: Some("已完成".to_string()),
                        completed_on: Some(*date),
                        ..Entry::default()
                    },
                ))
            })
            .collect();
        Filling {
            entries,
            previous_months: self.figure_months.clone(),
            ..Filling::default()
        }
    }
}

/// One unit's pre-filled progress workbook. `previous` (task → last month's percent) adds a
/// read-only 上月进度 column when Some.
pub fn unit_form(
    master: &Master,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    previous: Option<&BTreeMap<u32, f64>>,
) -> Result<Vec<u8>, XlsxError> {
    filled_form(master, unit, month, cfg, previous, &Filling::default())
}

/// The form of [`unit_form`] with the unit's answers typed in (demo data, test fixtures).
pub fn filled_form(
    master: &Master,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    previous: Option<&BTreeMap<u32, f64>>,
    filling: &Filling,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&properties(month, cfg, &unit.name)?);
    let tasks: Vec<&Task> = master.tasks_of_unit(&unit.name).collect();
    let cols = form_columns(previous.is_some());
    let styles = Styles::new();
    {
        let ws = wb.add_worksheet().set_name(SHEET_NAME)?;
        let ctx = SheetContext {
            cols: &cols,
            styles: &styles,
            month,
            cfg,
        };
        write_progress_sheet(ws, &ctx, unit, &tasks, previous, filling)?;
    }
    {
        let ws = wb.add_worksheet().set_name(INSTRUCTIONS_SHEET)?;
        write_instructions(ws, &styles, unit, month, cfg, previous.is_some())?;
    }
    wb.save_to_buffer()
}

/// Document properties with a creation time taken from the month (deterministic bytes).
fn properties(month: Month, cfg: &Config, unit: &str) -> Result<DocProperties, XlsxError> {
    let first = month.first_day();
    let created = ExcelDateTime::from_ymd(first.year() as u16, first.month() as u8, 1)?;
    Ok(DocProperties::new()
        .set_title(format!("{unit}{}重点任务进展表", month.label()))
        .set_author(&cfg.office.name)
        .set_company(&cfg.office.name)
        .set_creation_datetime(&created))
}

/// Title of the progress sheet, e.g. “2026年《政府工作报告》重点工作任务推进情况表（2026年11月）”.
pub fn form_title(cfg: &Config, month: Month) -> String {
    format!(
        "{}年《政府工作报告》重点工作任务推进情况表（{}）",
        cfg.year,
        month.label()
    )
}

/// File name for a unit's form: “<unit>_<YYYY>年<M>月重点任务进展表.xlsx”, made safe for
/// Windows and POSIX file systems.
pub fn form_file_name(unit: &str, month: Month) -> String {
    let stem = format!("{unit}_{}年{}月重点任务进展表", month.year, month.month);
    format!("{}.xlsx", crate::names::safe_file_stem(&stem))
}

/// The formats of the form.
struct Styles {
    title: Format,
    block_label: Format,
    block_value: Format,
    block_input: Format,
    block_date: Format,
    header: Format,
    locked_text: Format,
    locked_centre: Format,
    input_text: Format,
    input_centre: Format,
    input_date: Format,
    note_label: Format,
    note_text: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new().set_font_name(BODY_FONT).set_font_size(11);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let locked_text = cell.clone().set_background_color(LOCKED_FILL);
        let input_text = cell.clone().set_unlocked();
        let underline = base
            .clone()
            .set_border_bottom(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_align(FormatAlign::Left);
        Styles {
            title: Format::new()
                .set_font_name(HEADING_FONT)
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            block_label: base
                .clone()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter),
            block_value: underline.clone(),
            block_input: underline.clone().set_unlocked(),
            block_date: underline.set_unlocked().set_num_format("yyyy-mm-dd"),
            header: Format::new()
                .set_font_name(HEADING_FONT)
                .set_font_size(11)
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(HEADER_FILL),
            locked_centre: locked_text.clone().set_align(FormatAlign::Center),
            locked_text,
            input_centre: input_text.clone().set_align(FormatAlign::Center),
            input_date: input_text
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("yyyy-mm-dd"),
            input_text,
            note_label: cell
                .clone()
                .set_font_name(HEADING_FONT)
                .set_align(FormatAlign::Center),
            note_text: cell,
        }
    }
}
