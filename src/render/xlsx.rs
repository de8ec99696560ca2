//! The 汇总表: the month's consolidated workbook, archived and read back next month.
//!
//! Sheets, in order: 总览, 任务总表, 分管领导, 牵头单位, 重点督办清单, 报送情况, 校验问题.
//! Rendering only lays out what `classify` decided. Text that came from a submission is always
//! written with `write_string`, so “=SUM(…)” typed by a unit stays text and is never evaluated.
//! The workbook is deterministic: the document dates come from the as-of date, and the zip
//! entries carry a fixed timestamp (rust_xlsxwriter's default).
//!
//! 任务总表 has three columns after the 14 the 汇总表 specification lists: 序时进度(%), 亮灯说明 and
//! 连续未报送月数 (read back by `history`). The printed page covers the 14 columns only.

use super::row_height::wrapped_lines;
use crate::config::Config;
use crate::history::{
    COL_LIGHT, COL_MONTHS_NOT_REPORTED, COL_NUMBER, COL_PERCENT, COL_STATUS, COL_TEXT, TASK_SHEET,
    unit_label,
};
use crate::model::{
    Light, MonthReport, Rates, Status, Task, TaskOutcome, UnitReport, chinese_date,
};
use chrono::Datelike;
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartDataLabelPosition, ChartFormat, ChartLegendPosition,
    ChartSolidFill, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule,
    ConditionalFormatDataBar, ConditionalFormatType, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Body font: the face every Chinese office installation has.
const FONT: &str = "宋体";
const HEADER_FILL: u32 = 0xDDE4EE;

/// The whole 汇总表 as bytes, deterministic for the same report and configuration.
pub fn summary_workbook(report: &MonthReport, cfg: &Config) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(report, cfg)?);
    let styles = Styles::new();
    overview_sheet(workbook.add_worksheet(), report, cfg, &styles)?;
    task_sheet(workbook.add_worksheet(), report, &styles)?;
    leader_sheet(workbook.add_worksheet(), report, &styles)?;
    unit_sheet(workbook.add_worksheet(), report, &styles)?;
    attention_sheet(workbook.add_worksheet(), report, &styles)?;
    receipt_sheet(workbook.add_worksheet(), report, &styles)?;
    problem_sheet(workbook.add_worksheet(), report, &styles)?;
    workbook.save_to_buffer()
}

fn properties(report: &MonthReport, cfg: &Config) -> Result<DocProperties, XlsxError> {
    let d = report.as_of;
    // Month and day of a valid NaiveDate always fit u8; the year is checked by the config.
    let created = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
    Ok(DocProperties::new()
        .set_title(format!(
            "{}重点工作任务推进情况汇总表",
            report.month.label()
        ))
        .set_subject(report.master.title.clone())
        .set_author(cfg.office.name.clone())
        .set_company(cfg.office.name.clone())
        .set_comment(format!("截至{}，由 duban 生成", chinese_date(d)))
        .set_creation_datetime(&created))
}

/// Cell formats shared by the sheets.
struct Styles {
    title: Format,
    subtitle: Format,
    section: Format,
    header: Format,
    text: Format,
    plain: Format,
    center: Format,
    number: Format,
    decimal: Format,
    rate: Format,
    total_text: Format,
    total_number: Format,
    total_rate: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new().set_font_name(FONT).set_font_size(10);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let total = cell
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xF2F2F2));
        Styles {
            title: base
                .clone()
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
            subtitle: base.clone().set_align(FormatAlign::Center),
            section: base.clone().set_font_size(12).set_bold(),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(HEADER_FILL)),
            text: cell.clone().set_text_wrap().set_align(FormatAlign::Top),
            plain: cell.clone().set_text_wrap(),
            center: cell.clone().set_text_wrap().set_align(FormatAlign::Center),
            number: cell.clone().set_align(FormatAlign::Center),
            decimal: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("0.0"),
            rate: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("0.0\"%\""),
            total_text: total.clone().set_align(FormatAlign::Center),
            total_number: total.clone().set_align(FormatAlign::Center),
            total_rate: total
                .set_align(FormatAlign::Center)
                .set_num_format("0.0\"%\""),
        }
    }

    /// Fill for a light cell: the light's colour, readable text.
    fn light(light: Light) -> Format {
        let font = if light == Light::Yellow {
            Color::Black
        } else {
            Color::White
        };
        Format::new()
            .set_font_name(FONT)
            .set_font_size(10)
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(light.rgb()))
            .set_font_color(font)
    }
}

/// Points per line of 10 pt text, and the padding of a row.
const LINE_HEIGHT: f64 = 13.5;
const ROW_PADDING: f64 = 3.0;

/// A worksheet being written: remembers column widths and the lines each row needs, because
/// LibreOffice does not size wrapped rows itself and Excel only does on edit.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: BTreeMap<u16, f64>,
    lines: BTreeMap<u32, u32>,
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet) -> Sheet<'a> {
        Sheet {
            ws,
            widths: BTreeMap::new(),
            lines: BTreeMap::new(),
        }
    }

    fn width(&mut self, col: u16, width: f64) -> Result<(), XlsxError> {
        self.widths.insert(col, width);
        self.ws.set_column_width(col, width)?;
        Ok(())
    }

    /// Writes text as a string (never a formula), cut to Excel's cell limit.
    fn text(&mut self, row: u32, col: u16, text: &str, format: &Format) -> Result<(), XlsxError> {
        let text: String = if text.chars().count() > MAX_CELL_CHARS {
            text.chars().take(MAX_CELL_CHARS).collect()
        } else {
            text.to_string()
        };
        let width = self.widths.get(&col).copied().unwrap_or(8.43);
        let lines = wrapped_lines(&text, width);
        let entry = self.lines.entry(row).or_insert(1);
        *entry = (*entry).max(lines);
        self.ws.write_string_with_format(row, col, text, format)?;
        Ok(())
    }

    fn number(
        &mut self,
        row: u32,
        col: u16,
        value: Option<f64>,
        format: &Format,
    ) -> Result<(), XlsxError> {
        match value {
            Some(v) if v.is_finite() => self.ws.write_number_with_format(row, col, v, format)?,
            _ => self.ws.write_blank(row, col, format)?,
        };
        Ok(())
    }

    /// A row of header cells at `row` starting in column 0, with their widths.
    fn header(&mut self, row: u32, columns: &[(&str, f64)], s: &Styles) -> Result<(), XlsxError> {
        for (i, (name, width)) in columns.iter().enumerate() {
            let col = i as u16;
            self.width(col, *width)?;
            self.text(row, col, name, &s.header)?;
        }
        let entry = self.lines.entry(row).or_insert(2);
        *entry = (*entry).max(2);
        Ok(())
    }

    /// Sets the height of every row that holds wrapped text.
    fn fit_rows(&mut self) -> Result<(), XlsxError> {
        for (row, lines) in &self.lines {
            if *lines > 1 {
                let height = (f64::from(*lines) * LINE_HEIGHT + ROW_PADDING).min(409.0);
                self.ws.set_row_height(*row, height)?;
            }
        }
        Ok(())
    }
}

/// A4 landscape, one page wide, header row repeated, page numbers in the footer.
fn print_setup(ws: &mut Worksheet, report: &MonthReport, header_row: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_header(format!(
        "&L&\"{FONT}\"&9重点工作任务推进情况汇总表（{}）&R&\"{FONT}\"&9截至{}",
        report.month.label(),
        chinese_date(report.as_of)
    ));
    ws.set_footer(format!("&C&\"{FONT}\"&9第 &P 页，共 &N 页"));
    Ok(())
}

/// 任务总表 columns: header and width (Excel character units; a CJK character is about 2).
const TASK_COLUMNS: [(&str, f64); 17] = [
    (COL_NUMBER, 5.0),
    ("任务目标", 32.0),
    ("类别", 8.0),
    ("分管市领导", 8.0),
    ("牵头单位", 11.0),
    ("完成时限", 9.0),
    (COL_TEXT, 40.0),
    (COL_PERCENT, 7.5),
    ("上月进度(%)", 7.5),
    (COL_STATUS, 8.0),
    (COL_LIGHT, 5.0),
    ("存在问题", 20.0),
    ("下步计划", 20.0),
    ("来源文件", 18.0),
    ("序时进度(%)", 7.5),
    ("亮灯说明", 24.0),
    (COL_MONTHS_NOT_REPORTED, 8.0),
];
/// Columns of 任务总表 that are printed (the specified 14).
const TASK_PRINTED_COLUMNS: u16 = 14;

fn task_sheet(ws: &mut Worksheet, report: &MonthReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name(TASK_SHEET)?;
    sh.header(0, &TASK_COLUMNS, s)?;
    let mut row = 1;
    for task in &report.master.tasks {
        let Some(o) = report.classification.outcome(task.number) else {
            continue;
        };
        task_row(&mut sh, row, task, o, s)?;
        row += 1;
    }
    let last = row.saturating_sub(1).max(1);
    let last_col = TASK_COLUMNS.len() as u16 - 1;
    sh.ws.set_freeze_panes(1, 2)?;
    sh.ws.autofilter(0, 0, last, last_col)?;
    light_conditional_fills(sh.ws, 1, last, 10)?;
    let bar = ConditionalFormatDataBar::new()
        .set_minimum(ConditionalFormatType::Number, 0)
        .set_maximum(ConditionalFormatType::Number, 100)
        .set_fill_color(Color::RGB(0x5B9BD5))
        .set_solid_fill(true);
    sh.ws.add_conditional_format(1, 7, last, 7, &bar)?;
    print_setup(sh.ws, report, 0)?;
    sh.ws.set_print_area(0, 0, last, TASK_PRINTED_COLUMNS - 1)?;
    sh.fit_rows()?;
    Ok(())
}

fn task_row(
    sh: &mut Sheet,
    row: u32,
    task: &Task,
    o: &TaskOutcome,
    s: &Styles,
) -> Result<(), XlsxError> {
    let joined = |f: fn(&UnitReport) -> String| joined_texts(&o.reports, f);
    sh.number(row, 0, Some(f64::from(task.number)), &s.number)?;
    sh.text(row, 1, &task.text, &s.text)?;
    sh.text(row, 2, task.category.label(), &s.center)?;
    sh.text(row, 3, &task.leaders.join("、"), &s.center)?;
    sh.text(row, 4, &units_text(task), &s.center)?;
    sh.text(row, 5, &task.deadline.raw, &s.center)?;
    sh.text(row, 6, &joined(|r| r.row.progress_text.clone()), &s.text)?;
    sh.number(row, 7, o.percent, &s.number)?;
    sh.number(row, 8, o.previous_percent, &s.number)?;
    sh.text(row, 9, o.status.label(), &s.center)?;
    sh.text(row, 10, o.light.label(), &Styles::light(o.light))?;
    sh.text(row, 11, &joined(|r| r.row.issues.clone()), &s.text)?;
    sh.text(row, 12, &joined(|r| r.row.next_steps.clone()), &s.text)?;
    sh.text(row, 13, &source_files(&o.reports), &s.text)?;
    sh.number(row, 14, o.expected.map(round1), &s.decimal)?;
    sh.text(row, 15, &o.reason, &s.text)?;
    sh.number(row, 16, Some(f64::from(o.months_not_reported)), &s.number)?;
    Ok(())
}

/// Conditional fills for a 亮灯 column, so a light edited by hand recolours itself.
fn light_conditional_fills(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    col: u16,
) -> Result<(), XlsxError> {
    for light in Light::all() {
        let rule = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(format!(
                "\"{}\"",
                light.label()
            )))
            .set_format(Styles::light(light));
        ws.add_conditional_format(first, col, last, col, &rule)?;
    }
    Ok(())
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn units_text(task: &Task) -> String {
    if task.units.is_empty() {
        task.unit_raw.clone()
    } else {
        task.units.join("、")
    }
}

/// One text per reporting unit; with several units each part starts with its unit label.
fn joined_texts(reports: &[UnitReport], text: fn(&UnitReport) -> String) -> String {
    match reports {
        [only] => text(only),
        many => many
            .iter()
            .map(|r| format!("{}{}", unit_label(&r.unit), text(r).trim()))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Source files with the row of the task: `市科技局.xlsx 第7行`.
fn source_files(reports: &[UnitReport]) -> String {
    reports
        .iter()
        .map(|r| format!("{} 第{}行", r.row.source.file, r.row.source.row + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Columns of the rate tables (分管领导, 牵头单位, 总览).
const RATE_COLUMNS: [(&str, f64); 11] = [
    ("任务数", 8.0),
    ("已完成", 8.0),
    ("按期完成", 9.0),
    ("已报送", 8.0),
    ("红灯", 7.0),
    ("黄灯", 7.0),
    ("蓝灯", 7.0),
    ("绿灯", 7.0),
    ("办结率", 9.0),
    ("按期办结率", 11.0),
    ("报送率", 9.0),
];

/// Writes `r` from column `col`; `total` uses the bold total formats.
fn rate_cells(
    sh: &mut Sheet,
    row: u32,
    col: u16,
    r: &Rates,
    total: bool,
    s: &Styles,
) -> Result<(), XlsxError> {
    let (n, p) = if total {
        (&s.total_number, &s.total_rate)
    } else {
        (&s.number, &s.rate)
    };
    let counts = [
        r.tasks,
        r.done,
        r.done_on_time,
        r.reported,
        r.red,
        r.yellow,
        r.blue,
        r.green,
    ];
    for (i, v) in counts.iter().enumerate() {
        sh.number(row, col + i as u16, Some(f64::from(*v)), n)?;
    }
    let rates = [r.completion_rate, r.on_time_rate, r.report_rate];
    for (i, v) in rates.iter().enumerate() {
        sh.number(row, col + 8 + i as u16, Some(round1(*v)), p)?;
    }
    Ok(())
}

/// A table of named rate rows with a 合计 row; returns the row after it.
fn rate_table(
    sh: &mut Sheet,
    top: u32,
    first: (&str, f64),
    rows: &[(String, &Rates)],
    total: &Rates,
    s: &Styles,
) -> Result<u32, XlsxError> {
    let mut columns = vec![first];
    columns.extend(RATE_COLUMNS);
    sh.header(top, &columns, s)?;
    let mut row = top + 1;
    for (name, r) in rows {
        sh.text(row, 0, name, &s.center)?;
        rate_cells(sh, row, 1, r, false, s)?;
        row += 1;
    }
    sh.text(row, 0, "合计", &s.total_text)?;
    rate_cells(sh, row, 1, total, true, s)?;
    Ok(row + 1)
}

fn leader_sheet(ws: &mut Worksheet, report: &MonthReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("分管领导")?;
    let rows: Vec<(String, &Rates)> = report
        .classification
        .leaders
        .iter()
        .map(|(name, r)| (leader_display(report, name), r))
        .collect();
    // Main targets count for the mayor's deputies too, so 合计 is the city, not a column sum.
    let end = rate_table(
        &mut sh,
        0,
        ("分管市领导", 14.0),
        &rows,
        &report.classification.city,
        s,
    )?;
    note(
        &mut sh,
        end,
        "注：主要预期目标同时计入对应分管市领导，故各行之和可能大于合计；办结率、按期办结率、报送率均以任务数为分母。",
    )?;
    sh.ws.set_freeze_panes(1, 1)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

fn unit_sheet(ws: &mut Worksheet, report: &MonthReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("牵头单位")?;
    let rows: Vec<(String, &Rates)> = report
        .classification
        .units
        .iter()
        .map(|(name, r)| (name.clone(), r))
        .collect();
    let end = rate_table(
        &mut sh,
        0,
        ("牵头单位", 18.0),
        &rows,
        &report.classification.city,
        s,
    )?;
    note(
        &mut sh,
        end,
        "注：两个单位共同牵头的任务分别计入两个单位；“已报送”指本单位报送了该任务。",
    )?;
    sh.ws.set_freeze_panes(1, 1)?;
    sh.ws.autofilter(
        0,
        0,
        end.saturating_sub(2).max(1),
        RATE_COLUMNS.len() as u16,
    )?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

fn note(sh: &mut Sheet, row: u32, text: &str) -> Result<(), XlsxError> {
    let f = Format::new().set_font_name(FONT).set_font_size(9);
    sh.ws.write_string_with_format(row + 1, 0, text, &f)?;
    Ok(())
}

fn leader_display(report: &MonthReport, name: &str) -> String {
    report
        .master
        .leaders
        .iter()
        .find(|l| l.name == name)
        .map_or_else(|| name.to_string(), |l| l.display())
}

/// 重点督办清单: red, then yellow, then blue, each in master order.
fn attention_sheet(ws: &mut Worksheet, report: &MonthReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("重点督办清单")?;
    let columns = [
        (COL_LIGHT, 5.0),
        (COL_NUMBER, 5.0),
        ("任务目标", 36.0),
        ("分管市领导", 8.0),
        ("牵头单位", 11.0),
        ("完成时限", 9.0),
        (COL_PERCENT, 7.5),
        ("序时进度(%)", 7.5),
        (COL_STATUS, 8.0),
        ("亮灯说明", 26.0),
        ("存在问题", 30.0),
    ];
    sh.header(0, &columns, s)?;
    let mut row = 1;
    for light in [Light::Red, Light::Yellow, Light::Blue] {
        for task in &report.master.tasks {
            let Some(o) = report
                .classification
                .outcome(task.number)
                .filter(|o| o.light == light)
            else {
                continue;
            };
            sh.text(row, 0, light.label(), &Styles::light(light))?;
            sh.number(row, 1, Some(f64::from(task.number)), &s.number)?;
            sh.text(row, 2, &task.text, &s.text)?;
            sh.text(row, 3, &task.leaders.join("、"), &s.center)?;
            sh.text(row, 4, &units_text(task), &s.center)?;
            sh.text(row, 5, &task.deadline.raw, &s.center)?;
            sh.number(row, 6, o.percent, &s.number)?;
            sh.number(row, 7, o.expected.map(round1), &s.decimal)?;
            sh.text(row, 8, o.status.label(), &s.center)?;
            sh.text(row, 9, &o.reason, &s.text)?;
            sh.text(
                row,
                10,
                &joined_texts(&o.reports, |r| r.row.issues.clone()),
                &s.text,
            )?;
            row += 1;
        }
    }
    if row == 1 {
        sh.ws.merge_range(
            1,
            0,
            1,
            columns.len() as u16 - 1,
            "本月无亮红、黄、蓝灯的任务。",
            &s.plain,
        )?;
    }
    sh.ws.set_freeze_panes(1, 0)?;
    sh.ws
        .autofilter(0, 0, row.saturating_sub(1).max(1), columns.len() as u16 - 1)?;
    light_conditional_fills(sh.ws, 1, row.max(2), 0)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

/// 报送情况: every unit of the master, received or not.
fn receipt_sheet(ws: &mut Worksheet, report: &MonthReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("报送情况")?;
    let columns = [
        ("牵头单位", 18.0),
        ("是否报送", 8.0),
        ("文件", 36.0),
        ("填报日期", 16.0),
        ("牵头任务数", 8.0),
        ("读取行数", 8.0),
        ("合并行数", 8.0),
        ("错误", 6.0),
        ("警告", 6.0),
        ("联系人", 10.0),
        ("电话", 16.0),
    ];
    sh.header(0, &columns, s)?;
    let not_received = s
        .center
        .clone()
        .set_font_color(Color::RGB(Light::Red.rgb()))
        .set_bold();
    let mut row = 1;
    for unit in &report.master.units {
        let receipt = report.merged.receipts.iter().find(|r| r.unit == unit.name);
        let received = receipt.is_some_and(|r| r.received);
        sh.text(row, 0, &unit.name, &s.center)?;
        if received {
            sh.text(row, 1, "已报送", &s.center)?;
        } else {
            sh.text(row, 1, "未报送", &not_received)?;
        }
        sh.text(
            row,
            2,
            &receipt.map(|r| r.files.join("\n")).unwrap_or_default(),
            &s.plain,
        )?;
        let date = receipt
            .and_then(|r| r.reported_on)
            .map(chinese_date)
            .unwrap_or_default();
        sh.text(row, 3, &date, &s.center)?;
        let tasks = report.master.tasks_of_unit(&unit.name).count() as f64;
        sh.number(row, 4, Some(tasks), &s.number)?;
        let counts = receipt.map_or([0; 4], |r| {
            [r.rows_read, r.rows_merged, r.errors, r.warnings]
        });
        for (i, v) in counts.iter().enumerate() {
            sh.number(row, 5 + i as u16, Some(f64::from(*v)), &s.number)?;
        }
        sh.text(row, 9, unit.contact.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 10, unit.phone.as_deref().unwrap_or(""), &s.center)?;
        row += 1;
    }
    sh.ws.set_freeze_panes(1, 1)?;
    sh.ws
        .autofilter(0, 0, row.saturating_sub(1).max(1), columns.len() as u16 - 1)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

/// 校验问题: every problem of the run with its location and raw value.
fn problem_sheet(ws: &mut Worksheet, report: &MonthReport, s: &Styles) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("校验问题")?;
    let columns = [
        (COL_NUMBER, 5.0),
        ("级别", 6.0),
        ("单位", 12.0),
        ("文件", 28.0),
        ("工作表", 10.0),
        ("单元格", 7.0),
        ("原值", 16.0),
        ("任务序号", 7.0),
        ("问题说明", 56.0),
        ("问题代码", 22.0),
    ];
    sh.header(0, &columns, s)?;
    let error = s
        .center
        .clone()
        .set_font_color(Color::RGB(Light::Red.rgb()))
        .set_bold();
    for (i, p) in report.problems.iter().enumerate() {
        let row = i as u32 + 1;
        sh.number(row, 0, Some(f64::from(row)), &s.number)?;
        let sev = if p.severity == crate::model::Severity::Error {
            &error
        } else {
            &s.center
        };
        sh.text(row, 1, p.severity.label(), sev)?;
        sh.text(row, 2, p.unit.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 3, p.file.as_deref().unwrap_or(""), &s.plain)?;
        sh.text(row, 4, p.sheet.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 5, p.cell.as_deref().unwrap_or(""), &s.center)?;
        sh.text(row, 6, p.raw.as_deref().unwrap_or(""), &s.plain)?;
        sh.number(row, 7, p.task.map(f64::from), &s.number)?;
        sh.text(row, 8, &p.message, &s.plain)?;
        sh.text(row, 9, p.code.as_str(), &s.center)?;
    }
    if report.problems.is_empty() {
        sh.ws.merge_range(
            1,
            0,
            1,
            columns.len() as u16 - 1,
            "本月未发现数据问题。",
            &s.plain,
        )?;
    }
    let last = (report.problems.len() as u32).max(1);
    sh.ws.set_freeze_panes(1, 0)?;
    sh.ws.autofilter(0, 0, last, columns.len() as u16 - 1)?;
    print_setup(sh.ws, report, 0)?;
    sh.fit_rows()?;
    Ok(())
}

/// Status groups of the pie, with their colours.
const STATUS_GROUPS: [(&str, &[Status], u32); 7] = [
    (
        "已完成",
        &[Status::DoneOnTime, Status::DoneLate, Status::Done],
        0x1A9A48,
    ),
    ("序时推进", &[Status::OnTrack], 0x8CC98F),
    ("未启动", &[Status::NotStarted], 0xA6A6A6),
    ("临期", &[Status::DueSoon], 0x1F6FD1),
    ("滞后", &[Status::Lagging], 0xF2A900),
    ("逾期未完成", &[Status::Overdue], 0xE60012),
    ("未报送", &[Status::NotReported], 0x7F3F98),
];

fn overview_sheet(
    ws: &mut Worksheet,
    report: &MonthReport,
    cfg: &Config,
    s: &Styles,
) -> Result<(), XlsxError> {
    let mut sh = Sheet::new(ws);
    sh.ws.set_name("总览")?;
    let title = format!("{}重点工作任务推进情况汇总", report.month.label());
    sh.ws.merge_range(0, 0, 0, 11, &title, &s.title)?;
    let sub = format!("截至{}　{}", chinese_date(report.as_of), cfg.office.name);
    sh.ws.merge_range(1, 0, 1, 11, &sub, &s.subtitle)?;
    sh.ws.set_row_height(0, 28)?;
    let city = &report.classification.city;

    sh.ws
        .write_string_with_format(3, 0, "一、全市总体情况", &s.section)?;
    sh.header(4, &[("指标", 14.0), ("数值", RATE_COLUMNS[0].1)], s)?;
    let figures: [(&str, f64, &Format); 11] = [
        ("任务总数", f64::from(city.tasks), &s.number),
        ("已完成", f64::from(city.done), &s.number),
        ("其中按期完成", f64::from(city.done_on_time), &s.number),
        ("已报送", f64::from(city.reported), &s.number),
        ("红灯", f64::from(city.red), &s.number),
        ("黄灯", f64::from(city.yellow), &s.number),
        ("蓝灯", f64::from(city.blue), &s.number),
        ("绿灯", f64::from(city.green), &s.number),
        ("办结率", round1(city.completion_rate), &s.rate),
        ("按期办结率", round1(city.on_time_rate), &s.rate),
        ("报送率", round1(city.report_rate), &s.rate),
    ];
    for (i, (name, v, f)) in figures.iter().enumerate() {
        let row = 5 + i as u32;
        sh.text(row, 0, name, &s.center)?;
        sh.number(row, 1, Some(*v), f)?;
    }

    // Status table beside the figures (its name merged over two columns so that the widths of
    // the leader table below fit it); it feeds the pie.
    let status_top = 4;
    sh.ws
        .merge_range(status_top, 3, status_top, 4, "状态", &s.header)?;
    sh.text(status_top, 5, "项数", &s.header)?;
    sh.text(status_top, 6, "占比", &s.header)?;
    let outcomes = &report.classification.outcomes;
    let total = outcomes.len().max(1) as f64;
    let mut pie_labels = Vec::new();
    for (i, (name, statuses, _)) in STATUS_GROUPS.iter().enumerate() {
        let row = status_top + 1 + i as u32;
        let n = outcomes
            .iter()
            .filter(|o| statuses.contains(&o.status))
            .count();
        sh.ws.merge_range(row, 3, row, 4, name, &s.center)?;
        sh.number(row, 5, Some(n as f64), &s.number)?;
        sh.number(row, 6, Some(round1(n as f64 * 100.0 / total)), &s.rate)?;
        pie_labels.push(n > 0);
    }

    let leader_top = 18;
    sh.ws
        .write_string_with_format(leader_top - 1, 0, "二、分管市领导任务推进情况", &s.section)?;
    let rows: Vec<(String, &Rates)> = report
        .classification
        .leaders
        .iter()
        .map(|(name, r)| (leader_display(report, name), r))
        .collect();
    let end = rate_table(&mut sh, leader_top, ("分管市领导", 14.0), &rows, city, s)?;
    note(
        &mut sh,
        end,
        "注：主要预期目标同时计入对应分管市领导；办结率、按期办结率、报送率均以任务数为分母。",
    )?;

    let status_rows = (status_top + 1, status_top + STATUS_GROUPS.len() as u32);
    sh.ws
        .insert_chart_with_offset(3, 8, &status_pie(status_rows, &pie_labels), 10, 0)?;
    if !rows.is_empty() {
        let leader_rows = (leader_top + 1, leader_top + rows.len() as u32);
        sh.ws
            .insert_chart(end + 3, 0, &lights_bar(leader_rows, rows.len()))?;
    }
    // Section 二 (leader table and bar chart) starts a printed page so the chart is never cut.
    sh.ws.set_page_breaks(&[leader_top - 1])?;
    sh.ws.set_paper_size(9);
    sh.ws.set_landscape();
    sh.ws.set_print_fit_to_pages(1, 0);
    sh.ws
        .set_footer(format!("&C&\"{FONT}\"&9第 &P 页，共 &N 页"));
    sh.fit_rows()?;
    Ok(())
}

fn chart_font() -> rust_xlsxwriter::ChartFont {
    let mut font = rust_xlsxwriter::ChartFont::new();
    font.set_name(FONT).set_size(9);
    font
}

/// Pie of the status groups; labels only on the slices that are there.
fn status_pie(rows: (u32, u32), shown: &[bool]) -> Chart {
    let mut chart = Chart::new(ChartType::Pie);
    let labels: Vec<ChartDataLabel> = shown
        .iter()
        .map(|&on| {
            let mut l = ChartDataLabel::new();
            if on {
                l.show_category_name()
                    .show_percentage()
                    .set_separator(' ')
                    .set_position(ChartDataLabelPosition::OutsideEnd)
                    .show_leader_lines()
                    .set_font(&chart_font());
            } else {
                l.set_hidden();
            }
            l
        })
        .collect();
    let colors: Vec<Color> = STATUS_GROUPS
        .iter()
        .map(|(_, _, c)| Color::RGB(*c))
        .collect();
    chart
        .add_series()
        .set_name("任务状态")
        .set_categories(("总览", rows.0, 3, rows.1, 3))
        .set_values(("总览", rows.0, 5, rows.1, 5))
        .set_point_colors(&colors)
        .set_custom_data_labels(&labels);
    chart
        .title()
        .set_name("任务状态分布")
        .set_font(&chart_font().set_bold().clone());
    chart
        .legend()
        .set_position(ChartLegendPosition::Right)
        .set_font(&chart_font());
    chart.set_width(420).set_height(290);
    chart
}

/// Stacked bar of lights per leader (red, yellow, blue, green).
fn lights_bar(rows: (u32, u32), leaders: usize) -> Chart {
    let mut chart = Chart::new(ChartType::BarStacked);
    // Columns of 红灯..绿灯 in the leader table (after name, 任务数, 已完成, 按期完成, 已报送).
    for (i, light) in Light::all().into_iter().enumerate() {
        let col = 5 + i as u16;
        chart
            .add_series()
            .set_name(&format!("{}灯", light.label()))
            .set_categories(("总览", rows.0, 0, rows.1, 0))
            .set_values(("总览", rows.0, col, rows.1, col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(light.rgb()))),
            )
            .set_gap(60);
    }
    chart
        .title()
        .set_name("各分管市领导任务亮灯情况")
        .set_font(&chart_font().set_bold().clone());
    // In a bar chart rust_xlsxwriter's y axis is the vertical category axis; it runs bottom-up,
    // so it is reversed to list the leaders in the table's order.
    chart.y_axis().set_reverse().set_font(&chart_font());
    chart
        .x_axis()
        .set_font(&chart_font())
        .set_major_gridlines(true);
    chart
        .legend()
        .set_position(ChartLegendPosition::Top)
        .set_font(&chart_font());
    chart.set_width(820).set_height(90 + 28 * leaders as u32);
    chart
}
