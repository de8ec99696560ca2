//! Validation rules: each turns a finding into a typed [`Problem`] with a stable `code`,
//! the cell and raw value, and a Chinese message that says what to fix.
//!
//! Errors reject the row (it is listed, not merged); warnings keep it. The rules that need
//! last month's data ([`progress_regressed`], [`progress_copied`]) take it as plain values so
//! they are testable without an archive.

use super::header::Column;
use super::normalise::{
    CellValue, Percent, comparison_key, date_from_cell, derive_status, in_month, parse_status,
    percent_from_cell,
};
use super::rows::{NumberSource, RawRow};
use crate::model::{
    Master, Month, PreviousTask, Problem, ProgressRow, ReportedStatus, RowSource, cell_ref,
    chinese_date,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// What a row is checked against.
pub struct RowContext<'a> {
    pub master: &'a Master,
    /// The unit the file was attributed to.
    pub unit: &'a str,
    pub file: &'a str,
    pub month: Month,
    pub done_percent: f64,
    pub previous: Option<&'a BTreeMap<u32, PreviousTask>>,
}

/// A checked row: the typed row unless an error rejected it, and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub row: Option<ProgressRow>,
    pub problems: Vec<Problem>,
    /// The row reports nothing (neither 完成进度 nor 状态, or a finished task's pre-filled row
    /// returned unchanged): not merged, not rejected, the task stays 未报送 for the unit.
    pub not_reporting: bool,
}

/// The warning for a row that gives neither 完成进度 nor 状态, when it is one (a form row
/// left as it was sent, or with 本月工作进展 only).
fn reports_nothing(raw: &RawRow, ctx: &RowContext<'_>) -> Option<Problem> {
    let given = |c: Column| raw.cells.contains_key(&c);
    if !raw.formula_errors.is_empty() {
        return None;
    }
    if let Some(p) = carried_unchanged(raw, ctx) {
        return Some(p);
    }
    if given(Column::Percent) || given(Column::Status) {
        return None;
    }
    let number = raw.number.map_or("？".to_string(), |n| n.to_string());
    let p = Problem::row_not_reported(number, !raw.progress_text.is_empty());
    Some(at(
        p,
        ctx,
        raw,
        raw.row,
        raw.col(Column::Percent).or(raw.col(Column::Number)),
    ))
}

fn at(p: Problem, ctx: &RowContext<'_>, raw: &RawRow, row: u32, col: Option<u32>) -> Problem {
    let p = p.file(ctx.file).sheet(raw.sheet.clone()).unit(ctx.unit);
    let p = match col {
        Some(c) => p.cell(cell_ref(row, c)),
        None => p.cell(cell_ref(row, 0)),
    };
    match raw.number {
        Some(n) => p.task(n),
        None => p,
    }
}

/// The 提示 for a finished task's row returned as the form pre-filled it (100, 已完成,
/// the completion date on record, nothing written): the completion is carried, not reported.
fn carried_unchanged(raw: &RawRow, ctx: &RowContext<'_>) -> Option<Problem> {
    let n = raw.number?;
    let completion = ctx.previous?.get(&n)?.completion?;
    let percent = raw
        .cells
        .get(&Column::Percent)
        .map(|c| percent_from_cell(&c.value, c.fraction));
    let status = raw
        .cells
        .get(&Column::Status)
        .map(|c| parse_status(&c.value.text()));
    let date = raw
        .cells
        .get(&Column::CompletedOn)
        .map(|c| date_from_cell(&c.value, ctx.month));
    let full = match &percent {
        None => true,
        Some(Percent::Value(v)) => *v >= ctx.done_percent,
        Some(_) => false,
    };
    let unchanged = full
        && matches!(status, None | Some(Some(ReportedStatus::Done)))
        && date.is_none_or(|d| d == Some(completion.date))
        && (percent.is_some() || status.is_some())
        && raw.progress_text.is_empty()
        && raw.issues.is_empty()
        && raw.next_steps.is_empty();
    unchanged.then(|| {
        at(
            Problem::carried_row_unchanged(n, &format!("{}月", completion.month.month)),
            ctx,
            raw,
            raw.row,
            raw.col(Column::Percent).or(raw.col(Column::Number)),
        )
    })
}

/// Checks one task row; see the module docs for errors vs warnings.
pub fn check_row(raw: &RawRow, ctx: &RowContext<'_>) -> Checked {
    if let Some(p) = reports_nothing(raw, ctx) {
        return Checked {
            row: None,
            problems: vec![p],
            not_reporting: true,
        };
    }
    let mut problems = Vec::new();
    let errors_before = |p: &Vec<Problem>| {
        p.iter()
            .filter(|x| x.severity == crate::model::Severity::Error)
            .count()
    };
    let number_col = raw.col(Column::Number);
    let number_raw = raw.value(Column::Number).display();

    // Formula errors anywhere in the row's known columns.
    for (row, col, value) in &raw.formula_errors {
        problems
            .push(at(Problem::formula_error(value), ctx, raw, *row, Some(*col)).raw(value.clone()));
    }

    // The task itself.
    match raw.number.and_then(|n| ctx.master.task(n).map(|t| (n, t))) {
        None => {
            let problem = match raw.number {
                Some(n) => Problem::unknown_task(n),
                None => Problem::task_number_missing(),
            };
            let mut p = at(
                problem,
                ctx,
                raw,
                raw.row,
                number_col.or(raw.col(Column::TaskText)),
            );
            if !number_raw.is_empty() {
                p = p.raw(number_raw.clone());
            } else if !raw.task_text.is_empty() {
                p = p.raw(raw.task_text.clone());
            }
            problems.push(p);
        }
        Some((n, task)) => {
            if !task.units.iter().any(|u| u == ctx.unit) {
                problems.push(
                    at(
                        Problem::task_not_assigned(n, &task.unit_raw, ctx.unit),
                        ctx,
                        raw,
                        raw.row,
                        number_col,
                    )
                    .raw(number_raw.clone()),
                );
            }
            if raw.number_source == NumberSource::TaskText {
                problems.push(
                    at(
                        Problem::task_number_from_text(n),
                        ctx,
                        raw,
                        raw.row,
                        number_col.or(raw.col(Column::TaskText)),
                    )
                    .raw(if number_raw.is_empty() {
                        raw.task_text.clone()
                    } else {
                        number_raw.clone()
                    }),
                );
            }
            if !raw.task_text.is_empty() && text_differs(&raw.task_text, &task.text) {
                problems.push(
                    at(
                        Problem::task_text_differs(&task.text),
                        ctx,
                        raw,
                        raw.row,
                        raw.col(Column::TaskText),
                    )
                    .raw(raw.task_text.clone()),
                );
            }
        }
    }

    // Progress.
    let percent_cell = raw.cells.get(&Column::Percent);
    let percent = match percent_cell {
        None => None,
        Some(cell) => match percent_from_cell(&cell.value, cell.fraction) {
            Percent::Blank => None,
            Percent::Value(v) => {
                if let CellValue::Text(t) = &cell.value
                    && super::normalise::percent_has_words(t)
                {
                    let figure = crate::numbers::cell_number_text(v);
                    problems.push(
                        at(
                            Problem::percent_with_words(&figure),
                            ctx,
                            raw,
                            raw.row,
                            Some(cell.col),
                        )
                        .raw(cell.value.display()),
                    );
                }
                Some(v)
            }
            Percent::OutOfRange(v) => {
                problems.push(
                    at(
                        Problem::progress_out_of_range(v),
                        ctx,
                        raw,
                        raw.row,
                        Some(cell.col),
                    )
                    .raw(cell.value.display()),
                );
                None
            }
            Percent::NotANumber => {
                if !matches!(cell.value, CellValue::Error(_)) {
                    problems.push(
                        at(
                            Problem::progress_not_number(),
                            ctx,
                            raw,
                            raw.row,
                            Some(cell.col),
                        )
                        .raw(cell.value.display()),
                    );
                }
                None
            }
        },
    };
    for sub in &raw.sub_row_percents {
        problems.push(
            at(
                Problem::sub_row_progress_differs(),
                ctx,
                raw,
                sub.row,
                Some(sub.col),
            )
            .raw(sub.value.display()),
        );
    }

    // Status.
    let status_cell = raw.cells.get(&Column::Status);
    let written_status = status_cell.map(|c| (c, parse_status(&c.value.text())));
    if let Some((cell, None)) = written_status {
        problems.push(
            at(Problem::status_unknown(), ctx, raw, raw.row, Some(cell.col))
                .raw(cell.value.display()),
        );
    }
    let status = written_status
        .and_then(|(_, s)| s)
        .or_else(|| derive_status(percent, ctx.done_percent));
    if let (Some((cell, Some(s))), Some(p)) = (written_status, percent)
        && let Some(problem) = status_contradiction(s, p, ctx.done_percent)
    {
        {
            problems.push(at(problem, ctx, raw, raw.row, Some(cell.col)).raw(cell.value.display()));
        }
    }

    // Completion date.
    let completed_on = raw.cells.get(&Column::CompletedOn).and_then(|cell| {
        let d = date_from_cell(&cell.value, ctx.month);
        if d.is_none() {
            problems.push(
                at(
                    Problem::completed_on_unreadable(),
                    ctx,
                    raw,
                    raw.row,
                    Some(cell.col),
                )
                .raw(cell.value.display()),
            );
        }
        d
    });

    // Texts.
    if raw.progress_text.is_empty() {
        problems.push(at(
            Problem::progress_text_empty(),
            ctx,
            raw,
            raw.row,
            raw.col(Column::ProgressText),
        ));
    }

    // Month over month: only against last month's record of a task this unit leads (a row
    // for another unit's task is rejected above and says nothing about this unit's progress).
    let leads_task = raw
        .number
        .and_then(|n| ctx.master.task(n))
        .is_some_and(|t| t.units.iter().any(|u| u == ctx.unit));
    let previous = raw
        .number
        .filter(|_| leads_task)
        .and_then(|n| ctx.previous.and_then(|p| p.get(&n)));
    if let Some(before) = progress_regressed(percent, previous) {
        let col = percent_cell.map(|c| c.col);
        let when = match previous
            .and_then(|p| p.last_known.as_ref())
            .map(|k| k.month)
        {
            Some(m) if m != ctx.month.prev() => format!("{}月", m.month),
            _ => "上月".to_string(),
        };
        problems.push(
            at(
                Problem::progress_regressed(&crate::numbers::cell_number_text(before), &when),
                ctx,
                raw,
                raw.row,
                col,
            )
            .raw(percent_cell.map(|c| c.value.display()).unwrap_or_default()),
        );
    }
    if progress_copied(&raw.progress_text, previous, ctx.unit) {
        problems.push(
            at(
                Problem::progress_copied(),
                ctx,
                raw,
                raw.row,
                raw.col(Column::ProgressText),
            )
            .raw(raw.progress_text.clone()),
        );
    }

    let rejected = errors_before(&problems) > 0;
    let row = (!rejected).then(|| ProgressRow {
        task: raw.number.unwrap_or_default(),
        task_text: (!raw.task_text.is_empty()).then(|| raw.task_text.clone()),
        progress_text: raw.progress_text.clone(),
        percent,
        status,
        completed_on,
        issues: raw.issues.clone(),
        next_steps: raw.next_steps.clone(),
        remark: raw.remark.clone(),
        source: RowSource {
            file: ctx.file.to_string(),
            sheet: raw.sheet.clone(),
            row: raw.row,
            hidden: raw.hidden,
        },
    });
    Checked {
        row,
        problems,
        not_reporting: false,
    }
}

/// The problem when the written status contradicts the progress (已完成 at 60%, 未启动 at
/// 40%, 序时推进 at 100%).
pub fn status_contradiction(
    status: ReportedStatus,
    percent: f64,
    done_percent: f64,
) -> Option<Problem> {
    let p = crate::numbers::cell_number_text(percent);
    match status {
        ReportedStatus::Done if percent < done_percent => {
            Some(Problem::status_done_but_progress(&p))
        }
        ReportedStatus::NotStarted if percent > 0.0 => {
            Some(Problem::status_not_started_but_progress(&p))
        }
        ReportedStatus::OnTrack | ReportedStatus::Lagging if percent >= done_percent => {
            Some(Problem::status_open_but_done(&p, status.label()))
        }
        _ => None,
    }
}

/// The task text differs from the master's once whitespace, punctuation and width are ignored.
pub fn text_differs(file_text: &str, master_text: &str) -> bool {
    comparison_key(file_text) != comparison_key(master_text)
}

/// The last figure on record (however many months back) when this month's is lower.
pub fn progress_regressed(current: Option<f64>, previous: Option<&PreviousTask>) -> Option<f64> {
    let p = previous?;
    let before = p.last_known.as_ref().map(|k| k.percent).or(p.percent)?;
    let now = current?;
    (now + 1e-9 < before).then_some(before)
}

/// This month's progress text is last month's, word for word (ignoring whitespace/punctuation).
/// Whether `text` repeats what `unit` reported last month (for a task with several lead units,
/// that unit's own part of the archived text).
pub fn progress_copied(text: &str, previous: Option<&PreviousTask>, unit: &str) -> bool {
    let key = comparison_key(text);
    let last_text = |p: &PreviousTask| match &p.last_known {
        // the text of the last report, however many months back
        Some(k) => {
            let known = PreviousTask {
                progress_text: k.progress_text.clone(),
                ..PreviousTask::default()
            };
            comparison_key(known.text_of_unit(unit))
        }
        None => comparison_key(p.text_of_unit(unit)),
    };
    !key.is_empty() && previous.is_some_and(|p| last_text(p) == key)
}

/// 填报日期 checks: unreadable, outside the report month, or after the as-of date.
pub fn check_report_date(
    value: Option<&CellValue>,
    date: Option<NaiveDate>,
    month: Month,
    as_of: NaiveDate,
) -> Option<Problem> {
    // A date typed into a date-formatted cell arrives as a serial; show it as a date.
    let raw = match (value, date) {
        (Some(CellValue::Number(_)), Some(d)) => d.format("%Y-%m-%d").to_string(),
        _ => value.map(CellValue::display).unwrap_or_default(),
    };
    match date {
        None if raw.trim().is_empty() => Some(Problem::report_date_missing()),
        None => Some(Problem::report_date_unreadable().raw(raw)),
        Some(d) if d > as_of => {
            Some(Problem::report_date_future(&chinese_date(d), &chinese_date(as_of)).raw(raw))
        }
        Some(d) if !in_month(d, month) => {
            Some(Problem::report_date_outside_month(&chinese_date(d), &month.label()).raw(raw))
        }
        Some(_) => None,
    }
}

/// Warnings for a task reported more than once in one file. The later row wins in the merge
/// (the earlier is superseded); both cells are named.
pub fn duplicate_tasks(rows: &[ProgressRow]) -> Vec<Problem> {
    let mut by_task: BTreeMap<u32, Vec<&ProgressRow>> = BTreeMap::new();
    for row in rows {
        by_task.entry(row.task).or_default().push(row);
    }
    let mut problems = Vec::new();
    for (task, rows) in by_task.into_iter().filter(|(_, r)| r.len() > 1) {
        // The row merge keeps (a visible row over a hidden one, else the later one).
        let key = |r: &&&ProgressRow| (!r.source.hidden, r.source.sheet.clone(), r.source.row);
        let Some(winner) = rows.iter().max_by_key(key) else {
            continue;
        };
        for loser in rows.iter().filter(|r| !std::ptr::eq(**r, *winner)) {
            problems.push(
                Problem::duplicate_task(
                    task,
                    (
                        &winner.source.sheet,
                        winner.source.row + 1,
                        winner.source.hidden,
                    ),
                    (
                        &loser.source.sheet,
                        loser.source.row + 1,
                        loser.source.hidden,
                    ),
                )
                .file(loser.source.file.clone())
                .sheet(loser.source.sheet.clone())
                .cell(cell_ref(loser.source.row, 0))
                .task(task),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProblemCode;

    fn prev(percent: Option<f64>, text: &str) -> PreviousTask {
        PreviousTask {
            percent,
            progress_text: text.into(),
            ..PreviousTask::default()
        }
    }

    #[test]
    fn regression_and_copy() {
        let p = prev(Some(60.0), "完成招标，开工建设。");
        assert_eq!(progress_regressed(Some(50.0), Some(&p)), Some(60.0));
        assert_eq!(progress_regressed(Some(60.0), Some(&p)), None);
        assert_eq!(progress_regressed(Some(50.0), None), None);
        assert_eq!(progress_regressed(None, Some(&p)), None);
        assert!(progress_copied("完成招标， 开工建设", Some(&p), "市科技局"));
        assert!(!progress_copied(
            "完成招标，主体封顶。",
            Some(&p),
            "市科技局"
        ));
        assert!(!progress_copied("", Some(&prev(None, "")), "市科技局"));
        // a task with two lead units: each unit's own part of last month's text counts
        let both = prev(Some(50.0), "【土左旗】甲进展\n【托县政府】乙进展");
        assert!(progress_copied("乙进展", Some(&both), "托县政府"));
        assert!(!progress_copied("甲进展", Some(&both), "托县政府"));
    }

    #[test]
    fn contradictions() {
        use ReportedStatus::*;
        assert!(status_contradiction(Done, 60.0, 100.0).is_some());
        assert!(status_contradiction(NotStarted, 40.0, 100.0).is_some());
        assert!(status_contradiction(OnTrack, 100.0, 100.0).is_some());
        assert!(status_contradiction(Done, 100.0, 100.0).is_none());
        assert!(status_contradiction(Lagging, 30.0, 100.0).is_none());
        assert!(status_contradiction(NotStarted, 0.0, 100.0).is_none());
    }

    #[test]
    fn report_dates() {
        let nov = Month {
            year: 2026,
            month: 11,
        };
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
        let code = |date| {
            check_report_date(Some(&CellValue::Text("x".into())), date, nov, as_of).map(|p| p.code)
        };
        assert_eq!(code(d(11, 25)), None);
        assert_eq!(code(d(10, 25)), Some(ProblemCode::ReportDateOutsideMonth));
        assert_eq!(code(d(12, 2)), Some(ProblemCode::ReportDateFuture));
        assert_eq!(code(None), Some(ProblemCode::ReportDateUnreadable));
        assert_eq!(
            check_report_date(None, None, nov, as_of).map(|p| p.code),
            Some(ProblemCode::ReportDateMissing)
        );
    }

    #[test]
    fn task_text_comparison() {
        assert!(!text_differs("推进 ５G 基站建设，", "推进5G基站建设"));
        assert!(text_differs("推进6G基站建设", "推进5G基站建设"));
    }
}
