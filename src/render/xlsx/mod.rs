//! The 汇总表: the month's consolidated workbook, archived and read back next month.
//!
//! Sheets, in order: 总览, 任务总表, 月度趋势, 分管领导, 牵头单位, 重点督办清单, 报送情况, 校验问题.
//! Rendering only lays out what `classify` decided. Text that came from a submission is always
//! written with `write_string`, so “=SUM(…)” typed by a unit stays text and is never evaluated.
//! The workbook is deterministic: the document dates come from the as-of date, and the zip
//! entries carry a fixed timestamp (rust_xlsxwriter's default).
//!
//! 任务总表 has three columns after the 14 the 汇总表 specification lists: 序时进度(%), 亮灯说明 and
//! 连续未报送月数 (read back by `history`). The printed page covers the 14 columns only.

use super::row_height::{row_height, wrapped_lines};
use crate::config::Config;
use crate::history::{
    COL_LIGHT, COL_MONTHS_NOT_REPORTED, COL_NUMBER, COL_PERCENT, COL_STATUS, COL_TEXT, TASK_SHEET,
};
use crate::model::{
    Counts, Light, MonthReport, PART_NOT_REPORTED, Status, Task, TaskOutcome, UnitReport,
    chinese_date, unit_part_heading,
};
use crate::numbers::{percent, round1};
use chrono::Datelike;
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartDataLabelPosition, ChartFormat, ChartLegendPosition,
    ChartSolidFill, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule,
    ConditionalFormatDataBar, ConditionalFormatType, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;

mod attention;
mod overview;
mod problems;
mod rates;
mod receipts;
mod tasks;
mod trend;
mod year;
use attention::*;
use overview::*;
use problems::*;
use rates::*;
use receipts::*;
use tasks::*;
use trend::*;
pub use year::year_workbook;

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
    trend_sheet(workbook.add_worksheet(), report, &styles)?;
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
                let height = row_height(*lines, LINE_HEIGHT, ROW_PADDING);
                self.ws.set_row_height(*row, height)?;
            }
        }
        Ok(())
    }
}

/// A4 landscape, one page wide, header row repeated, page numbers in the footer.
fn print_setup(ws: &mut Worksheet, report: &MonthReport, header_row: u32) -> Result<(), XlsxError> {
    let title = format!("重点工作任务推进情况汇总表（{}）", report.month.label());
    print_setup_titled(ws, &title, report.as_of, header_row)
}

/// [`print_setup`] with `title` on the left of the page header and the as-of date on the right.
fn print_setup_titled(
    ws: &mut Worksheet,
    title: &str,
    as_of: chrono::NaiveDate,
    header_row: u32,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_header(format!(
        "&L&\"{FONT}\"&9{title}&R&\"{FONT}\"&9截至{}",
        chinese_date(as_of)
    ));
    ws.set_footer(format!("&C&\"{FONT}\"&9第 &P 页，共 &N 页"));
    Ok(())
}
