//! The per-unit progress workbook (`duban templates`): the canonical template of the office procedure (README),
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

use super::row_height::wrapped_lines;
use crate::columns::Column;
use crate::config::Config;
use crate::model::{Master, Month, Task, Unit, chinese_date};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
/// Points per wrapped text line at 11 pt.
const LINE_HEIGHT: f64 = 15.0;

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

/// The template's columns, in order; 上月进度 right after 完成时限 when `with_previous`.
pub fn template_columns(with_previous: bool) -> Vec<Column> {
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

/// What a unit typed into one task row (used to fill templates for demo data and fixtures).
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

/// The values a unit typed into its template: header block and task rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filling {
    pub reporter: String,
    pub phone: String,
    pub reported_on: Option<NaiveDate>,
    /// Task number → the row's entries; tasks not in the map stay blank.
    pub entries: BTreeMap<u32, Entry>,
}

/// One unit's pre-filled progress workbook. `previous` (task → last month's percent) adds a
/// read-only 上月进度 column when Some.
pub fn unit_template(
    master: &Master,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    previous: Option<&BTreeMap<u32, f64>>,
) -> Result<Vec<u8>, XlsxError> {
    filled_template(master, unit, month, cfg, previous, &Filling::default())
}

/// The template of [`unit_template`] with the unit's answers typed in (demo data, test fixtures).
pub fn filled_template(
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
    let cols = template_columns(previous.is_some());
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
pub fn template_title(cfg: &Config, month: Month) -> String {
    format!(
        "{}年《政府工作报告》重点工作任务推进情况表（{}）",
        cfg.year,
        month.label()
    )
}

/// File name for a unit's template: “<unit>_<YYYY>年<M>月重点任务进展表.xlsx”, made safe for
/// Windows and POSIX file systems.
pub fn template_file_name(unit: &str, month: Month) -> String {
    let stem = format!("{unit}_{}年{}月重点任务进展表", month.year, month.month);
    format!("{}.xlsx", crate::names::safe_file_stem(&stem))
}

/// Writes one template per unit of the master (master order) into `out_dir`, in parallel,
/// and returns the paths written.
pub fn write_templates(
    master: &Master,
    cfg: &Config,
    month: Month,
    out_dir: &Path,
    previous: Option<&BTreeMap<u32, f64>>,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)?;
    master
        .units
        .par_iter()
        .map(|unit| {
            let bytes = unit_template(master, unit, month, cfg, previous).map_err(|e| {
                std::io::Error::other(format!("生成“{}”的进展表模板失败：{e}", unit.name))
            })?;
            let path = out_dir.join(template_file_name(&unit.name, month));
            std::fs::write(&path, bytes)?;
            Ok(path)
        })
        .collect()
}

/// The formats of the template.
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

/// What the sheet writers share.
struct SheetContext<'a> {
    cols: &'a [Column],
    styles: &'a Styles,
    month: Month,
    cfg: &'a Config,
}

impl SheetContext<'_> {
    /// 0-based index of a column kind (every kind but 上月进度 is always present).
    fn col(&self, kind: Column) -> u16 {
        self.cols.iter().position(|c| *c == kind).unwrap_or(0) as u16
    }
    fn last_col(&self) -> u16 {
        self.cols.len().saturating_sub(1) as u16
    }
}

fn write_progress_sheet(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    unit: &Unit,
    tasks: &[&Task],
    previous: Option<&BTreeMap<u32, f64>>,
    filling: &Filling,
) -> Result<(), XlsxError> {
    for (i, col) in ctx.cols.iter().enumerate() {
        ws.set_column_width(i as u16, col.width())?;
    }
    let title = template_title(ctx.cfg, ctx.month);
    ws.merge_range(0, 0, 0, ctx.last_col(), &title, &ctx.styles.title)?;
    ws.set_row_height(0, 36)?;
    write_header_block(ws, ctx, unit, filling)?;
    for (i, col) in ctx.cols.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, i as u16, col.label(), &ctx.styles.header)?;
    }
    ws.set_row_height(HEADER_ROW, 32)?;
    for (i, task) in tasks.iter().enumerate() {
        let row = FIRST_TASK_ROW + i as u32;
        let prev = previous.and_then(|p| p.get(&task.number)).copied();
        write_task_row(ws, ctx, row, task, prev, filling.entries.get(&task.number))?;
    }
    if !tasks.is_empty() {
        let last = FIRST_TASK_ROW + tasks.len() as u32 - 1;
        add_validations(ws, ctx, FIRST_TASK_ROW, last)?;
    }
    page_setup(ws, ctx)?;
    ws.set_freeze_panes(FIRST_TASK_ROW, 2)?;
    let mut options = ProtectionOptions::new();
    options.format_rows = true;
    options.format_columns = true;
    options.insert_rows = true;
    ws.protect_with_options(&options);
    Ok(())
}

/// Row 2: 填报单位 (filled) and the three fields the unit fills in.
fn write_header_block(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    unit: &Unit,
    filling: &Filling,
) -> Result<(), XlsxError> {
    use Column::*;
    let s = ctx.styles;
    let r = BLOCK_ROW;
    let deadline_col = ctx.col(Deadline);
    ws.merge_range(
        r,
        0,
        r,
        deadline_col - 1,
        &format!("填报单位：{}", unit.name),
        &s.block_value,
    )?;
    ws.write_string_with_format(r, deadline_col, "填报人：", &s.block_label)?;
    ws.write_string_with_format(r, ctx.col(ProgressText), &filling.reporter, &s.block_input)?;
    ws.merge_range(
        r,
        ctx.col(Percent),
        r,
        ctx.col(Status),
        "联系电话：",
        &s.block_label,
    )?;
    ws.merge_range(
        r,
        ctx.col(CompletedOn),
        r,
        ctx.col(Issues),
        &filling.phone,
        &s.block_input,
    )?;
    ws.write_string_with_format(r, ctx.col(NextSteps), "填报日期：", &s.block_label)?;
    let date_col = ctx.col(Remark);
    match filling.reported_on {
        Some(d) => {
            ws.write_datetime_with_format(r, date_col, excel_date(d)?, &s.block_date)?;
        }
        None => {
            ws.write_blank(r, date_col, &s.block_date)?;
        }
    }
    let reported = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            excel_date(ctx.month.first_day())?,
            excel_date(ctx.month.last_day())?,
        ))
        .set_input_title("填报日期")?
        .set_input_message("填写实际填报日期，格式如 2026-11-25。")?
        .set_error_title("填报日期有误")?
        .set_error_message("请填写本月内的日期，格式如 2026-11-25。")?
        .set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(r, date_col, r, date_col, &reported)?;
    ws.set_row_height(r, 24)?;
    Ok(())
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn write_task_row(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    row: u32,
    task: &Task,
    previous: Option<f64>,
    entry: Option<&Entry>,
) -> Result<(), XlsxError> {
    let s = ctx.styles;
    let empty = Entry::default();
    let e = entry.unwrap_or(&empty);
    for (i, col) in ctx.cols.iter().enumerate() {
        let c = i as u16;
        match col {
            Column::Number => {
                ws.write_number_with_format(row, c, task.number, &s.locked_centre)?;
            }
            Column::TaskText => {
                ws.write_string_with_format(row, c, &task.text, &s.locked_text)?;
            }
            Column::Deadline => {
                ws.write_string_with_format(row, c, &task.deadline.raw, &s.locked_centre)?;
            }
            Column::Previous => match previous {
                Some(p) => {
                    ws.write_number_with_format(row, c, p, &s.locked_centre)?;
                }
                None => {
                    ws.write_blank(row, c, &s.locked_centre)?;
                }
            },
            Column::ProgressText => text_cell(ws, row, c, &e.progress_text, &s.input_text)?,
            Column::Percent => match e.percent {
                Some(p) => {
                    ws.write_number_with_format(row, c, p, &s.input_centre)?;
                }
                None => {
                    ws.write_blank(row, c, &s.input_centre)?;
                }
            },
            Column::Status => text_cell(
                ws,
                row,
                c,
                e.status.as_deref().unwrap_or(""),
                &s.input_centre,
            )?,
            Column::CompletedOn => match e.completed_on {
                Some(d) => {
                    ws.write_datetime_with_format(row, c, excel_date(d)?, &s.input_date)?;
                }
                None => {
                    ws.write_blank(row, c, &s.input_date)?;
                }
            },
            Column::Issues => text_cell(ws, row, c, &e.issues, &s.input_text)?,
            Column::NextSteps => text_cell(ws, row, c, &e.next_steps, &s.input_text)?,
            Column::Remark => text_cell(ws, row, c, &e.remark, &s.input_text)?,
        }
    }
    ws.set_row_height(row, task_row_height(ctx.cols, task, e))?;
    Ok(())
}

/// Writes `text`, or a formatted blank when it is empty.
fn text_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        ws.write_blank(row, col, format)?;
    } else {
        ws.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// Row height fitting the longest wrapped text, with room for at least three lines of input.
fn task_row_height(cols: &[Column], task: &Task, e: &Entry) -> f64 {
    let lines = cols
        .iter()
        .map(|c| {
            let text = match c {
                Column::TaskText => task.text.as_str(),
                Column::ProgressText => e.progress_text.as_str(),
                Column::Issues => e.issues.as_str(),
                Column::NextSteps => e.next_steps.as_str(),
                Column::Remark => e.remark.as_str(),
                _ => "",
            };
            wrapped_lines(text, c.width())
        })
        .max()
        .unwrap_or(1)
        .max(3);
    (lines as f64 * LINE_HEIGHT + 6.0).min(409.0)
}

/// Dropdown on 状态, 0–100 on 完成进度, a date rule on 完成日期.
fn add_validations(
    ws: &mut Worksheet,
    ctx: &SheetContext,
    first: u32,
    last: u32,
) -> Result<(), XlsxError> {
    let status_col = ctx.col(Column::Status);
    let status = DataValidation::new()
        .allow_list_strings(&STATUS_CHOICES)?
        .set_input_title("状态")?
        .set_input_message("请从下拉列表中选择：已完成 / 序时推进 / 滞后 / 未启动。")?
        .set_error_title("状态有误")?
        .set_error_message("状态只能是：已完成、序时推进、滞后、未启动，请从下拉列表中选择。")?;
    ws.add_data_validation(first, status_col, last, status_col, &status)?;

    let percent_col = ctx.col(Column::Percent);
    let percent = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
        .set_input_title("完成进度(%)")?
        .set_input_message("填写 0 到 100 之间的数字，不带 % 号，例如 85；已完成填 100。")?
        .set_error_title("完成进度有误")?
        .set_error_message("完成进度须为 0 到 100 之间的数字（不带 % 号），例如 85。")?;
    ws.add_data_validation(first, percent_col, last, percent_col, &percent)?;

    let date_col = ctx.col(Column::CompletedOn);
    let year = ctx.cfg.year;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year + 1, 12, 31).unwrap_or_default();
    let date = DataValidation::new()
        .allow_date(DataValidationRule::Between(
            excel_date(from)?,
            excel_date(to)?,
        ))
        .set_input_title("完成日期")?
        .set_input_message("仅在任务已完成时填写实际完成日期，格式如 2026-10-28；未完成请留空。")?
        .set_error_title("完成日期有误")?
        .set_error_message("请填写日期，格式如 2026-10-28；未完成的任务请留空。")?;
    ws.add_data_validation(first, date_col, last, date_col, &date)?;
    Ok(())
}

/// A4 landscape, one page wide, header row repeated, page numbers in the footer.
fn page_setup(ws: &mut Worksheet, ctx: &SheetContext) -> Result<(), XlsxError> {
    ws.set_paper_size(9)
        .set_landscape()
        .set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3)
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_footer("&C第 &P 页，共 &N 页");
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    let _ = ctx;
    Ok(())
}

/// The 填表说明 sheet: one row per rule.
fn write_instructions(
    ws: &mut Worksheet,
    s: &Styles,
    unit: &Unit,
    month: Month,
    cfg: &Config,
    with_previous: bool,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 96)?;
    ws.merge_range(
        0,
        0,
        0,
        1,
        &format!("填表说明（{}）", month.label()),
        &s.title,
    )?;
    ws.set_row_height(0, 32)?;
    ws.write_string_with_format(1, 0, "项目", &s.header)?;
    ws.write_string_with_format(1, 1, "填写要求", &s.header)?;
    ws.set_row_height(1, 22)?;
    for (i, (item, text)) in instruction_rows(unit, month, cfg, with_previous)
        .iter()
        .enumerate()
    {
        let row = 2 + i as u32;
        ws.write_string_with_format(row, 0, item, &s.note_label)?;
        ws.write_string_with_format(row, 1, text, &s.note_text)?;
        let lines = wrapped_lines(text, 96.0).max(wrapped_lines(item, 16.0));
        ws.set_row_height(row, lines as f64 * LINE_HEIGHT + 8.0)?;
    }
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true);
    ws.protect();
    Ok(())
}

/// (item, rule) pairs of the 填表说明 sheet.
pub fn instruction_rows(
    unit: &Unit,
    month: Month,
    cfg: &Config,
    with_previous: bool,
) -> Vec<(String, String)> {
    let due = chinese_date(month.last_day());
    let office = &cfg.office;
    let mut rows: Vec<(&str, String)> = vec![
        (
            "填报单位",
            format!("已预填为“{}”，请勿修改。", unit.name),
        ),
        (
            "填报人、联系电话",
            "填写具体经办人姓名及手机或办公电话，便于核实情况。".into(),
        ),
        (
            "填报日期",
            format!("填写实际填报的日期，格式如 {}-25，应在{}内。", month_dash(month), month.label()),
        ),
        (
            "序号、任务目标、完成时限",
            "按市政府重点工作任务分解方案预填（灰色底纹），已锁定，请勿修改、删除或调换顺序。如认为任务内容有误，请在“备注”栏说明。".into(),
        ),
        (
            "本月工作进展",
            "写明截至本月底的具体进展：做了哪些工作、达到什么形象进度或指标值、关键节点是否完成。请勿照抄上月内容。一项任务包含多个子项的，可在该任务行下方插入行，“序号”留空，逐项续写。".into(),
        ),
        (
            "完成进度(%)",
            "填写 0 到 100 之间的数字，不带 % 号，表示任务整体完成的比例，例如 85；已完成的任务填 100。".into(),
        ),
        (
            "状态",
            "从下拉列表中选择：已完成 / 序时推进 / 滞后 / 未启动。序时推进：进度与时间进度基本同步；滞后：明显落后于时间进度或难以按期完成；未启动：尚未开始实施。".into(),
        ),
        (
            "完成日期",
            "仅在任务已完成时填写实际完成日期，格式如 2026-10-28；未完成的任务请留空。".into(),
        ),
        (
            "存在问题",
            "进度滞后或未启动的任务，须写明原因及需要协调解决的问题；没有问题的可留空或填“无”。".into(),
        ),
        (
            "下步计划",
            "写明下一步工作安排、关键节点和预计完成时间。".into(),
        ),
        ("备注", "其他需要说明的情况。".into()),
        (
            "报送要求",
            "每个单位报送一个文件，只填报本单位牵头的任务；多个单位共同牵头的任务，各单位分别填报本单位进展。如需更正已报送的内容，请重新报送完整文件并更新填报日期，以填报日期较晚的为准。".into(),
        ),
        (
            "文件命名",
            format!(
                "请保持文件名“{}”不变，文件格式保持 .xlsx（Excel 或 WPS 均可）。",
                template_file_name(&unit.name, month)
            ),
        ),
        (
            "报送时限",
            format!(
                "请于{due}前报送{}（邮箱 {}）。联系人：{}，电话：{}。",
                office.name, office.email, office.contact_person, office.contact_phone
            ),
        ),
        (
            "工作表保护",
            "为防止误改预填内容，“进展情况”工作表已设保护（未设密码），白色单元格可直接填写；如确需调整格式，可通过“审阅 → 撤销工作表保护”解除，但请勿改动灰色列。".into(),
        ),
    ];
    if with_previous {
        rows.insert(
            4,
            (
                "上月进度(%)",
                "上月汇总表中本单位报送的完成进度，仅供对照，不可修改。".into(),
            ),
        );
    }
    rows.into_iter().map(|(a, b)| (a.to_string(), b)).collect()
}

fn month_dash(month: Month) -> String {
    format!("{}-{:02}", month.year, month.month)
}
