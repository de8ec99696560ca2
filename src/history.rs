//! The year on record: every archived month of the plan year before the run's month, each
//! 汇总表 read back after checking it against its month's run.json.
//!
//! Last month's state gives last month's light (escalation) and status; the whole record gives
//! the count of consecutive months not reported, the count of consecutive red months, the 月度趋势
//! sheet, the progress paths of the notices, and — in [`History::past`], the one view of the
//! record the month's rules read — the completion on record (carried forward) and the last
//! known figure and text (上月进度, 进度倒退, copied text). A 汇总表 whose bytes differ
//! from the SHA-256 its run.json records (or without a run.json) is a warning naming the file,
//! and its month counts as missing.
//!
//! The archive is read by header names in the sheet 任务总表, not by column positions, so a
//! workbook written by another version of duban with other columns is still read. The count of
//! months not reported is also stored in the archive's own column 连续未报送月数 (written by
//! `render::xlsx`); it is used where the record before that month is missing.
//!
//! Each run also leaves [`archive::RECORD_FILE`] beside its 汇总表: the workbook as this module reads it,
//! bound to the workbook's SHA-256 and listed in run.json. A later month reads that instead of
//! parsing the workbook again when run.json vouches for both; otherwise it reads the workbook.

use crate::archive::record::Record;
use crate::archive::{self, RunManifest, sha256_hex};
use crate::model::{Light, Month, MonthRecord, PreviousTask, Problem, Status, UnitReceipt};
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

/// The record of the plan year before the run's month, and where it came from.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The month of the run (the record holds the months before it).
    pub month: Option<Month>,
    /// Last month's 汇总表 (present or not).
    pub file: Option<PathBuf>,
    /// Every month on record, oldest first (last month included when found); only last
    /// month's record keeps the progress texts.
    pub months: Vec<MonthRecord>,
    /// Months whose archive exists but was changed, damaged or unreadable (counted as missing).
    pub rejected: Vec<Month>,
    /// Warnings about changed, unreadable or odd archives.
    pub problems: Vec<Problem>,
    /// The past as the run's month sees it (see [`History::past`]).
    past: BTreeMap<u32, PreviousTask>,
}

/// What [`History::tasks`] gives when last month is not on record.
static NO_TASKS: BTreeMap<u32, PreviousTask> = BTreeMap::new();

impl History {
    /// Last month's state of every task, if last month is on record.
    pub fn last_month(&self) -> Option<&BTreeMap<u32, PreviousTask>> {
        let prev = self.month?.prev();
        self.record(prev).map(|r| &r.tasks)
    }

    /// Whether last month's 汇总表 was found, checked and read.
    pub fn found(&self) -> bool {
        self.last_month().is_some()
    }

    /// Last month's state of every task (empty when last month is not on record).
    pub fn tasks(&self) -> &BTreeMap<u32, PreviousTask> {
        self.last_month().unwrap_or(&NO_TASKS)
    }

    /// The past of every task on record as the run's month sees it — the one place the record
    /// of the year is read for the month's rules: last month's state (blank when last month is
    /// not on record), with [`PreviousTask::completion`] (complete on record: carried forward,
    /// its date fixed) and [`PreviousTask::last_known`] (the last figure, however many months
    /// back) worked out from every month on record.
    pub fn past(&self) -> &BTreeMap<u32, PreviousTask> {
        &self.past
    }

    /// Works out [`History::past`] from the months on record (texts still present).
    fn work_out_past(&self) -> BTreeMap<u32, PreviousTask> {
        let last = self.tasks();
        let numbers: std::collections::BTreeSet<u32> = self
            .months
            .iter()
            .flat_map(|r| r.tasks.keys().copied())
            .collect();
        numbers
            .into_iter()
            .map(|n| {
                let mut t = last.get(&n).cloned().unwrap_or_default();
                t.last_known = self.last_known(n);
                t.completion = self.completion(n);
                (n, t)
            })
            .collect()
    }

    /// The last figure on record for `task`: the newest month with a 完成进度.
    fn last_known(&self, task: u32) -> Option<crate::model::LastKnown> {
        self.months.iter().rev().find_map(|r| {
            let t = r.tasks.get(&task)?;
            Some(crate::model::LastKnown {
                month: r.month,
                percent: t.percent?,
                progress_text: t.progress_text.clone(),
            })
        })
    }

    /// The completion on record for `task`: its newest known state (months it was not reported
    /// in aside) is complete. The month is the first of that run of complete months; the date
    /// the one on record, else that month's last day (its as-of date).
    fn completion(&self, task: u32) -> Option<crate::model::Completion> {
        let mut found: Option<(&MonthRecord, &PreviousTask)> = None;
        let mut date = None;
        for r in self.months.iter().rev() {
            let Some(t) = r.tasks.get(&task) else {
                break;
            };
            match t.status {
                Some(Status::NotReported) => continue,
                Some(s) if s.is_done() => {
                    date = date.or(t.completed_on);
                    found = Some((r, t));
                }
                _ => break,
            }
        }
        let (first, t) = found?;
        let dated = t.completed_on.or(date);
        Some(crate::model::Completion {
            month: first.month,
            date: dated.unwrap_or_else(|| first.month.last_day()),
            archived: if dated.is_none() { t.status } else { None },
        })
    }

    /// The record of `month`, if on record.
    pub fn record(&self, month: Month) -> Option<&MonthRecord> {
        self.months.iter().find(|r| r.month == month)
    }

    /// A task's state in `month`, if that month is on record.
    pub fn task_in(&self, month: Month, task: u32) -> Option<&PreviousTask> {
        self.record(month).and_then(|r| r.tasks.get(&task))
    }

    /// Consecutive months up to and including `month` in which `task` was not reported. Where
    /// the month before the run of 未报送 is not on record, that month's archived count
    /// (连续未报送月数) carries the count further back.
    pub fn not_reported_streak(&self, month: Month, task: u32) -> u32 {
        let mut n = 0;
        let mut m = month;
        while let Some(t) = self.task_in(m, task) {
            if t.status != Some(Status::NotReported) {
                break;
            }
            if self.record(m.prev()).is_none() {
                return n + t.months_not_reported.max(1);
            }
            n += 1;
            m = m.prev();
        }
        n
    }

    /// Consecutive months up to and including `month` in which `task` was red (a month not on
    /// record ends the run).
    pub fn red_streak(&self, month: Month, task: u32) -> u32 {
        let mut n = 0;
        let mut m = month;
        while self.task_in(m, task).and_then(|t| t.light) == Some(Light::Red) {
            n += 1;
            m = m.prev();
        }
        n
    }
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

/// The months of the plan year `plan_year` before `month`, oldest first (January onwards).
pub fn months_before(month: Month, plan_year: i32) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = Month {
        year: plan_year,
        month: 1,
    };
    while m < month {
        out.push(m);
        m = m.next();
    }
    out
}

/// Reads every archived month of the plan year before `month` from `output_dir`, each 汇总表
/// checked against its run.json; the months are read in parallel.
///
/// A month without an output folder is simply not on record (nothing was run); an archive
/// that is changed, lacks its run.json or cannot be read is a warning naming the file, and the
/// month counts as missing.
pub fn load(output_dir: &Path, month: Month, plan_year: i32) -> History {
    use rayon::prelude::*;
    // an archived month (run.json) whose 汇总表 is gone is named as missing, not passed over
    let candidates: Vec<Month> = months_before(month, plan_year)
        .into_iter()
        .filter(|m| {
            summary_path(output_dir, *m).is_file()
                || archive::is_archived(&output_dir.join(m.to_string()))
        })
        .collect();
    let results: Vec<(Month, Result<Archive, Box<Problem>>)> = candidates
        .par_iter()
        .map(|m| (*m, load_month(output_dir, *m)))
        .collect();
    let prev = month.prev();
    let mut history = History {
        month: Some(month),
        file: Some(summary_path(output_dir, prev)),
        ..History::default()
    };
    for (m, result) in results {
        match result {
            Ok((tasks, receipts, problems)) => {
                history.problems.extend(problems);
                history.months.push(MonthRecord {
                    month: m,
                    file: summary_path(output_dir, m),
                    tasks,
                    receipts,
                });
            }
            Err(problem) => {
                history.problems.push(*problem);
                history.rejected.push(m);
            }
        }
    }
    // The archived count of months not reported is recomputed from the whole record.
    let streaks: Vec<(usize, u32, u32)> = history
        .months
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let h = &history;
            r.tasks
                .keys()
                .map(move |n| (i, *n, h.not_reported_streak(r.month, *n)))
        })
        .collect();
    for (i, n, streak) in streaks {
        if let Some(t) = history.months[i].tasks.get_mut(&n) {
            t.months_not_reported = streak;
        }
    }
    history.past = history.work_out_past();
    // Texts are compared with the last known figure's (kept in `past`); the months' own are
    // dropped (at ×100 they are most of the record's memory).
    for r in history.months.iter_mut() {
        for t in r.tasks.values_mut() {
            t.progress_text = String::new();
        }
    }
    history
}

/// The [`archive::RECORD_FILE`] of the 汇总表 `xlsx` named `name`: the workbook read back once, when it
/// is written, so that the months after read this instead of parsing the workbook again
/// (eleven months of a large city are most of a December run's reading). `None` when reading
/// the workbook back gives warnings (a month read from a record must be read as the workbook
/// would be, warnings included, and the record keeps none).
///
/// The workbook stays the archive: a month's record is used only when run.json lists it with
/// its hash and it names the very bytes of the 汇总表 that run.json lists too.
pub fn record_bytes(xlsx: &[u8], name: &str, month: Month) -> Option<Vec<u8>> {
    let (tasks, receipts, problems) = read_archive_bytes(xlsx.to_vec(), name, month).ok()?;
    if !problems.is_empty() {
        return None;
    }
    Record::of(xlsx, name, tasks, receipts).to_bytes()
}

/// Reads one archived month after checking its 汇总表 against the month's run.json (from its
/// [`archive::RECORD_FILE`] when there is a sound one).
fn load_month(output_dir: &Path, month: Month) -> Result<Archive, Box<Problem>> {
    let path = summary_path(output_dir, month);
    let name = summary_file_name(month);
    let hint = month.to_string();
    let unreadable = |detail: String| {
        Box::new(Problem::history_unreadable(&detail, month, &hint).file(name.clone()))
    };
    if !path.is_file() {
        return Err(unreadable(
            "该月已归档，但汇总表已不在归档文件夹中".to_string(),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| unreadable(format!("文件无法读取：{e}")))?;
    let dir = output_dir.join(month.to_string());
    let manifest = RunManifest::read(&dir);
    match manifest.as_ref().map(|m| m.listed(&name)) {
        Ok(Some((size, sha))) if size == bytes.len() as u64 && sha == sha256_hex(&bytes) => {
            if let Ok(manifest) = &manifest
                && let Some(record) = Record::read_vouched(&dir, manifest, &name, sha)
            {
                return Ok((record.tasks, record.receipts, Vec::new()));
            }
        }
        Ok(Some(_)) => {
            return Err(Box::new(
                Problem::history_changed(month, &hint).file(name.clone()),
            ));
        }
        Ok(None) => {
            return Err(unreadable(
                "该月的 run.json 中没有它的记录，无法核对".to_string(),
            ));
        }
        Err(e) => return Err(unreadable(format!("无法核对：{e}"))),
    }
    read_archive_bytes(bytes, &name, month)
}

/// Last month's tasks with warnings about single cells; the error is the whole file unreadable.
pub type Archive = (
    BTreeMap<u32, PreviousTask>,
    BTreeMap<String, UnitReceipt>,
    Vec<Problem>,
);

/// Reads the archive at `path` (not checked against a run.json); `name` is the file name used
/// in messages.
pub fn read_archive(path: &Path, name: &str, month: Month) -> Result<Archive, Box<Problem>> {
    let bytes = std::fs::read(path).map_err(|e| {
        Box::new(
            Problem::history_unreadable(&format!("文件无法读取：{e}"), month, &month.to_string())
                .file(name),
        )
    })?;
    read_archive_bytes(bytes, name, month)
}

/// Reads an archived 汇总表 from its bytes.
fn read_archive_bytes(bytes: Vec<u8>, name: &str, month: Month) -> Result<Archive, Box<Problem>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    #[test]
    fn file_name_and_path() {
        assert_eq!(summary_file_name(m(2026, 11)), "汇总表_2026年11月.xlsx");
        assert_eq!(
            summary_path(Path::new("out"), m(2026, 11)),
            PathBuf::from("out/2026-11/汇总表_2026年11月.xlsx")
        );
        assert_eq!(
            months_before(m(2026, 3), 2026),
            vec![m(2026, 1), m(2026, 2)]
        );
        assert!(months_before(m(2026, 1), 2026).is_empty());
        assert_eq!(months_before(m(2027, 1), 2026).len(), 12);
    }

    #[test]
    fn nothing_on_record_is_not_a_problem() {
        let h = load(Path::new("/nonexistent/duban"), m(2026, 1), 2026);
        assert!(!h.found());
        assert!(h.problems.is_empty() && h.months.is_empty());
        assert_eq!(
            h.file,
            Some(PathBuf::from(
                "/nonexistent/duban/2025-12/汇总表_2025年12月.xlsx"
            ))
        );
    }

    fn record(month: Month, tasks: &[(u32, Option<Status>, Option<Light>, u32)]) -> MonthRecord {
        MonthRecord::of_tasks(
            month,
            tasks.iter().map(|(n, status, light, months)| {
                let t = PreviousTask {
                    status: *status,
                    light: *light,
                    months_not_reported: *months,
                    ..PreviousTask::default()
                };
                (*n, t)
            }),
        )
    }

    #[test]
    fn streaks_follow_the_record_and_stop_at_a_gap() {
        let nr = Some(Status::NotReported);
        let lag = Some(Status::Lagging);
        let red = Some(Light::Red);
        let h = History {
            months: vec![
                // July is not on record; August says it counted 3 months (June, July, August).
                record(m(2026, 8), &[(1, nr, red, 3), (2, lag, red, 0)]),
                record(m(2026, 9), &[(1, nr, red, 9), (2, lag, red, 0)]),
                record(
                    m(2026, 10),
                    &[(1, nr, red, 9), (2, lag, Some(Light::Yellow), 0)],
                ),
                record(m(2026, 11), &[(1, lag, red, 0), (2, lag, red, 0)]),
            ],
            ..History::default()
        };
        assert_eq!(h.not_reported_streak(m(2026, 10), 1), 5);
        assert_eq!(h.not_reported_streak(m(2026, 11), 1), 0);
        assert_eq!(h.not_reported_streak(m(2026, 12), 1), 0);
        assert_eq!(h.red_streak(m(2026, 11), 1), 4);
        assert_eq!(h.red_streak(m(2026, 11), 2), 1);
        assert_eq!(h.red_streak(m(2026, 9), 2), 2);
        assert_eq!(h.red_streak(m(2026, 12), 2), 0);
    }
}
