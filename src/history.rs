//! Last month's archive: the previous 汇总表 read back for 上月进度, last month's light, status
//! and text, and the count of consecutive months not reported.
//!
//! The archive is read by header names in the sheet 任务总表, not by column positions, so an
//! office worker inserting a column in last month's file does not shift the data. The count of
//! months not reported is stored in the archive's own column 连续未报送月数 (written by
//! `render::xlsx`); an archive without that column falls back to 1 for 未报送 and 0 otherwise.

use crate::model::{Light, Month, PreviousTask, Problem, Status};
use calamine::{Data, Reader};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// Label that starts one unit's part of a joined text: `【市发改委】`.
pub fn unit_label(unit: &str) -> String {
    format!("【{unit}】")
}

/// Last month's state of every task, and where it came from.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Task number → last month's state.
    pub tasks: BTreeMap<u32, PreviousTask>,
    /// Whether last month's 汇总表 was found and read.
    pub found: bool,
    /// The file that was looked for (present or not).
    pub file: Option<PathBuf>,
    /// Warnings about an unreadable or odd archive.
    pub problems: Vec<Problem>,
}

/// `汇总表_2026年11月.xlsx`.
pub fn summary_file_name(month: Month) -> String {
    format!("汇总表_{}年{}月.xlsx", month.year, month.month)
}

/// Where the 汇总表 of `month` lives: `<output>/<YYYY-MM>/汇总表_<YYYY>年<M>月.xlsx`.
pub fn summary_path(output_dir: &Path, month: Month) -> PathBuf {
    output_dir
        .join(month.to_string())
        .join(summary_file_name(month))
}

/// Reads the 汇总表 of the month before `month` from `output_dir`.
///
/// Missing → `found = false` and no problem (the first month is normal); present but unreadable
/// → a warning naming the file, and the run goes on without month-over-month data.
pub fn load_previous(output_dir: &Path, month: Month) -> History {
    let prev = month.prev();
    let path = summary_path(output_dir, prev);
    let mut history = History {
        file: Some(path.clone()),
        ..History::default()
    };
    if !path.is_file() {
        return history;
    }
    let name = summary_file_name(prev);
    match read_archive(&path, &name) {
        Ok((tasks, problems)) => {
            history.tasks = tasks;
            history.problems = problems;
            history.found = true;
        }
        Err(problem) => history.problems.push(*problem),
    }
    history
}

/// Last month's tasks with warnings about single cells; the error is the whole file unreadable.
pub type Archive = (BTreeMap<u32, PreviousTask>, Vec<Problem>);

/// Reads the archive at `path`; `name` is the file name used in messages.
pub fn read_archive(path: &Path, name: &str) -> Result<Archive, Box<Problem>> {
    let unreadable = |detail: String| {
        Box::new(Problem::history_unreadable(&detail, &month_hint(name)).file(name))
    };
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| unreadable(format!("文件无法打开：{e}")))?;
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
                Problem::history_bad_cell(number, what)
                    .file(name)
                    .sheet(TASK_SHEET)
                    .cell(at(col))
                    .raw(raw)
                    .task(number),
            );
        });
        if tasks.insert(number, task).is_some() {
            problems.push(
                Problem::history_duplicate_task(number)
                    .file(name)
                    .sheet(TASK_SHEET)
                    .cell(at(columns.number.unwrap_or(0)))
                    .task(number),
            );
        }
    }
    Ok((tasks, problems))
}

/// `2026-10` from `汇总表_2026年10月.xlsx`, for the rerun hint.
fn month_hint(name: &str) -> String {
    let digits: Vec<u32> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    match digits.as_slice() {
        [y, m, ..] => format!("{y:04}-{m:02}"),
        _ => "YYYY-MM".to_string(),
    }
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

/// Last month's text of one unit: its labelled part of a joined two-unit text, else the whole
/// text (a single-unit task is archived without labels).
pub fn text_of_unit<'a>(previous: &'a PreviousTask, unit: &str) -> &'a str {
    let label = unit_label(unit);
    let text = previous.progress_text.as_str();
    let Some(start) = text.find(&label) else {
        return text;
    };
    let rest = &text[start + label.len()..];
    let end = rest.find("\n【").unwrap_or(rest.len());
    rest[..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_and_path() {
        let m = Month {
            year: 2026,
            month: 11,
        };
        assert_eq!(summary_file_name(m), "汇总表_2026年11月.xlsx");
        assert_eq!(
            summary_path(Path::new("out"), m),
            PathBuf::from("out/2026-11/汇总表_2026年11月.xlsx")
        );
        assert_eq!(month_hint("汇总表_2026年9月.xlsx"), "2026-09");
    }

    #[test]
    fn missing_previous_is_not_a_problem() {
        let h = load_previous(
            Path::new("/nonexistent/duban"),
            Month {
                year: 2026,
                month: 1,
            },
        );
        assert!(!h.found);
        assert!(h.problems.is_empty());
        assert_eq!(
            h.file,
            Some(PathBuf::from(
                "/nonexistent/duban/2025-12/汇总表_2025年12月.xlsx"
            ))
        );
    }

    #[test]
    fn unit_text_split() {
        let p = PreviousTask {
            progress_text: "【土左旗】甲进展\n【托县政府】乙进展".into(),
            ..PreviousTask::default()
        };
        assert_eq!(text_of_unit(&p, "土左旗"), "甲进展");
        assert_eq!(text_of_unit(&p, "托县政府"), "乙进展");
        let single = PreviousTask {
            progress_text: "丙".into(),
            ..PreviousTask::default()
        };
        assert_eq!(text_of_unit(&single, "市科技局"), "丙");
    }
}
