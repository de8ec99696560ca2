//! One archived 汇总表 read back: the sheet 任务总表 by its header names (tasks) and the sheet
//! 报送情况 (units), with warnings naming the cells that cannot be read.

use crate::model::{Light, Month, PreviousTask, Problem, Status, UnitReceipt};
use calamine::{Data, Reader};
use std::collections::BTreeMap;
use std::path::Path;

/// Sheet of the 汇总表 that holds one row per task.
pub const TASK_SHEET: &str = "任务总表";
/// Header of the task number column.
pub const COL_NUMBER: &str = "序号";
/// Header of the progress text column.
pub const COL_TEXT: &str = "本月工作进展";
/// Header of the progress column.
pub const COL_PERCENT: &str = "完成进度(%)";
/// Header of the status column.
pub const COL_STATUS: &str = "状态";
/// Header of the light column.
pub const COL_LIGHT: &str = "亮灯";
/// Header of the consecutive-months-not-reported column.
pub const COL_MONTHS_NOT_REPORTED: &str = "连续未报送月数";
/// Header of the completion date column (the date a completed task's completion was fixed at).
pub const COL_COMPLETED_ON: &str = "完成日期";

/// Whether an archived 本月工作进展 is the note of a completion carried forward, “（10月已完成，
/// 本月未报送）” (as `render::xlsx` writes it for a task nobody reported).
pub fn is_carried_text(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('（') && t.ends_with("月已完成，本月未报送）") && !t.contains('\n')
}

/// Sheet of the 汇总表 with one row per unit: received or not, when.
pub const RECEIPT_SHEET: &str = "报送情况";

/// Last month's tasks with warnings about single cells; the error is the whole file unreadable.
pub type SummaryReadBack = (
    BTreeMap<u32, PreviousTask>,
    BTreeMap<String, UnitReceipt>,
    Vec<Problem>,
);

/// Reads the archived 汇总表 at `path` (not checked against a run.json); `name` is the file name used
/// in messages.
pub fn read_summary(
    path: &Path,
    name: &str,
    month: Month,
) -> Result<SummaryReadBack, Box<Problem>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(
            Problem::history_unreadable(&format!("文件无法读取：{e}"), month, &month.to_string())
                .file(name),
        )
    })?;
    read_summary_bytes(bytes, name, month)
}

/// Reads an archived 汇总表 from its bytes.
pub(super) fn read_summary_bytes(
    bytes: Vec<u8>,
    name: &str,
    month: Month,
) -> Result<SummaryReadBack, Box<Problem>> {
    let hint = month.to_string();
    let unreadable =
        |detail: String| Box::new(Problem::history_unreadable(&detail, month, &hint).file(name));
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(format!("文件无法打开：{e}")))?;
    if !workbook.sheet_names().iter().any(|s| s == TASK_SHEET) {
        return Err(unreadable(format!("缺少工作表“{TASK_SHEET}”")));
    }
    let range = workbook
        .worksheet_range(TASK_SHEET)
        .map_err(|e| unreadable(format!("工作表“{TASK_SHEET}”无法读取：{e}")))?;
    let rows: Vec<&[Data]> = range.rows().collect();
    let (header_row, columns) = find_header(&rows).ok_or_else(|| {
        unreadable(format!(
            "工作表“{TASK_SHEET}”前10行中找不到表头“{COL_NUMBER}”和“{COL_PERCENT}”"
        ))
    })?;
    let start = range.start().map_or((0, 0), |s| s);
    let mut tasks = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_row + 1) {
        let at = |col: usize| {
            let row = u32::try_from(i).unwrap_or(u32::MAX);
            let col = u32::try_from(col).unwrap_or(u32::MAX);
            crate::model::cell_ref(start.0.saturating_add(row), start.1.saturating_add(col))
        };
        let Some(number) = columns.number.and_then(|c| row.get(c)).and_then(as_number) else {
            continue;
        };
        if number < 1.0 || number.fract() != 0.0 {
            continue;
        }
        let number = number as u32;
        let task = read_row(row, &columns, |col, raw, what| {
            problems.push(
                Problem::history_bad_cell(month, number, what)
                    .file(name)
                    .sheet(TASK_SHEET)
                    .cell(at(col))
                    .raw(raw)
                    .task(number),
            );
        });
        if tasks.insert(number, task).is_some() {
            problems.push(
                Problem::history_duplicate_task(month, number)
                    .file(name)
                    .sheet(TASK_SHEET)
                    .cell(at(columns.number.unwrap_or(0)))
                    .task(number),
            );
        }
    }
    let receipts = read_receipts(&mut workbook);
    Ok((tasks, receipts, problems))
}

/// The units of the sheet 报送情况 by its headers 牵头单位, 是否报送, 填报日期 (empty when the
/// sheet or a header is missing: the unit ranking of `duban year` then has no data that month).
fn read_receipts<R: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Sheets<R>,
) -> BTreeMap<String, UnitReceipt> {
    let mut out = BTreeMap::new();
    let Ok(range) = workbook.worksheet_range(RECEIPT_SHEET) else {
        return out;
    };
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return out;
    };
    let pos = |name: &str| header.iter().position(|c| cell_text(c).trim() == name);
    let (Some(unit), Some(status), date) = (pos("牵头单位"), pos("是否报送"), pos("填报日期"))
    else {
        return out;
    };
    for row in rows {
        let name = row.get(unit).map(cell_text).unwrap_or_default();
        if name.trim().is_empty() {
            continue;
        }
        let received = row.get(status).map(cell_text).unwrap_or_default().trim() == "已报送";
        let reported_on = date
            .and_then(|i| row.get(i))
            .and_then(|d| parse_chinese_date(&cell_text(d)));
        out.insert(
            name.trim().to_string(),
            UnitReceipt {
                received,
                reported_on,
            },
        );
    }
    out
}

/// `2026年11月25日` (as 报送情况 writes it).
fn parse_chinese_date(text: &str) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    let (y, rest) = t.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    chrono::NaiveDate::from_ymd_opt(
        y.trim().parse().ok()?,
        m.trim().parse().ok()?,
        d.trim().parse().ok()?,
    )
}

/// Column positions of the headers the archive needs.
#[derive(Debug, Default)]
struct Columns {
    number: Option<usize>,
    text: Option<usize>,
    percent: Option<usize>,
    status: Option<usize>,
    light: Option<usize>,
    months: Option<usize>,
    completed_on: Option<usize>,
}

fn find_header(rows: &[&[Data]]) -> Option<(usize, Columns)> {
    rows.iter().take(10).enumerate().find_map(|(i, row)| {
        let pos = |name: &str| row.iter().position(|c| cell_text(c).trim() == name);
        let columns = Columns {
            number: pos(COL_NUMBER),
            text: pos(COL_TEXT),
            percent: pos(COL_PERCENT),
            status: pos(COL_STATUS),
            light: pos(COL_LIGHT),
            months: pos(COL_MONTHS_NOT_REPORTED),
            completed_on: pos(COL_COMPLETED_ON),
        };
        (columns.number.is_some() && columns.percent.is_some()).then_some((i, columns))
    })
}

/// One archived task row; `bad(col, raw, what)` is told about cells that cannot be read.
fn read_row(row: &[Data], c: &Columns, mut bad: impl FnMut(usize, String, &str)) -> PreviousTask {
    let get = |col: Option<usize>| col.and_then(|i| row.get(i).map(|d| (i, d)));
    let mut task = PreviousTask::default();
    if let Some((i, d)) = get(c.percent) {
        task.percent = as_number(d);
        if task.percent.is_none() && !is_blank(d) {
            bad(i, cell_text(d), "完成进度");
        }
    }
    if let Some((i, d)) = get(c.light) {
        let text = cell_text(d);
        let label = text
            .trim()
            .trim_start_matches('●')
            .trim_end_matches('灯')
            .trim();
        task.light = Light::from_label(label);
        if task.light.is_none() && !label.is_empty() {
            bad(i, text, "亮灯");
        }
    }
    if let Some((i, d)) = get(c.status) {
        let text = cell_text(d);
        task.status = Status::from_label(text.trim());
        if task.status.is_none() && !text.trim().is_empty() {
            bad(i, text, "状态");
        }
    }
    if let Some((_, d)) = get(c.text) {
        task.progress_text = cell_text(d);
        task.carried = is_carried_text(&task.progress_text);
    }
    if let Some((i, d)) = get(c.completed_on) {
        let text = cell_text(d);
        task.completed_on = match d {
            Data::DateTime(dt) => crate::intake::normalise::date_from_serial(dt.as_f64()),
            _ => chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok(),
        };
        if task.completed_on.is_none() && !text.trim().is_empty() {
            bad(i, text, "完成日期");
        }
    }
    task.months_not_reported = match get(c.months) {
        Some((i, d)) => match as_number(d) {
            Some(n) if n >= 0.0 => n as u32,
            _ if is_blank(d) => 0,
            _ => {
                bad(i, cell_text(d), "连续未报送月数");
                0
            }
        },
        None => u32::from(task.status == Some(Status::NotReported)),
    };
    task
}

fn is_blank(d: &Data) -> bool {
    cell_text(d).trim().is_empty()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn as_number(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) => Some(*f),
        Data::String(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
        _ => None,
    }
}
