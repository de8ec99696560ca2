//! The status engine: per task status, light, 序时进度, escalation from last month, and rates.
//!
//! Pure: no I/O, no clock. Everything is decided from the master, the merged month, last month's
//! archive and the as-of date, with every threshold taken from `duban.toml` (`[thresholds]`).
//!
//! The status precedence is 已完成 > 逾期未完成 > 滞后 > 临期 > 未启动 > 序时推进. Decisions
//! beyond the product's stated rules, stated here so they can be found:
//! - 序时进度 counts whole days inclusively: on the plan start one day has elapsed, on the
//!   deadline all of them (`expected_progress`). For 12月底 on 2026-11-30 that is 334/365 = 91.5.
//! - 临期 takes precedence below 滞后 as the status precedence says, so a 12月底 task that is on pace in a
//!   November run is 临期 (blue), not 序时推进 (green); only a task that is not behind by more than
//!   the tolerance can be blue.
//! - The figure stands: a progress figure completes a task only at `done_percent` (100), whatever
//!   the status says; 已完成 completes it only when no figure was given.
//! - The completion date is fixed when a task is first reported complete: the 完成日期 given, else
//!   that month's as-of date; later months use the date on record (`PreviousTask::completion`),
//!   so 按期完成 / 逾期完成 never changes because a later month omits 完成日期.
//! - Completion carries forward: a task (or one lead unit's part) not reported this month whose
//!   completion the record of the year holds stays complete, green, at 100 (“10月已完成，本月未
//!   报送”); it does not count as reported.
//! - 上月进度 is the last figure on record, however many months back (its month is kept when
//!   older than last month).
//! - 未启动 is judged by the lag rule like any other progress (0% against 序时进度); it only keeps
//!   the status 未启动 when that is within the tolerance, and then its light is green.
//! - 未报送 means nothing was received for the task. A task with two lead units: each unit's part
//!   is classified on its own (a part not reported is 未报送, with that unit's own count of months
//!   not reported), and the task takes the worse part by the order 逾期未完成 > 未报送 > 滞后 >
//!   临期 > 未启动 > 序时推进 > 已完成 (on a tie, the lower progress): its status, progress and
//!   light, so status and light always agree; the reason names every part that is red or yellow.
//! - Escalation: a task whose light was yellow last month and is 滞后 again this month turns red
//!   (`escalated`), and one red last month that is still 滞后 stays red until it catches up;
//!   a task unreported for `not_reported_red_months` months running is red too.
//! - 按期办结率 = 按期完成 ÷ 任务数, parallel to 办结率 = 已完成 ÷ 任务数, so it never exceeds 办结率.

use crate::config::{Config, Thresholds};
use crate::model::{
    Classification, Counts, Light, Master, Merged, PreviousTask, ReportedStatus, Status, Task,
    TaskOutcome, UnitReport,
};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Classifies every task of the master at `as_of` and computes the rates.
///
/// `previous` is last month's archive by task number (empty in the first month).
pub fn classify(
    master: &Master,
    merged: &Merged,
    previous: &BTreeMap<u32, PreviousTask>,
    as_of: NaiveDate,
    cfg: &Config,
) -> Classification {
    let ctx = Context {
        as_of,
        last_month: crate::model::Month::of(as_of).prev(),
        plan_start: cfg.plan_start(),
        due_soon_end: due_soon_end(as_of, cfg.thresholds.due_soon_months),
        t: &cfg.thresholds,
    };
    let outcomes: Vec<TaskOutcome> = master
        .tasks
        .iter()
        .map(|task| {
            let reports = merged
                .reports
                .get(&task.number)
                .cloned()
                .unwrap_or_default();
            classify_task(task, reports, previous.get(&task.number), &ctx)
        })
        .collect();
    // outcome by task number (the first one, should a master repeat a number)
    let mut by_number: HashMap<u32, &TaskOutcome> = HashMap::with_capacity(outcomes.len());
    for o in &outcomes {
        by_number.entry(o.task).or_insert(o);
    }
    let city = rates(master.tasks.iter(), &by_number, None);
    let leaders = master
        .leaders
        .iter()
        .map(|l| {
            let r = rates(master.tasks_of_leader(&l.name), &by_number, None);
            (l.name.clone(), r)
        })
        .collect();
    let units = master
        .units
        .iter()
        .map(|u| {
            let r = rates(master.tasks_of_unit(&u.name), &by_number, Some(&u.name));
            (u.name.clone(), r)
        })
        .collect();
    Classification {
        outcomes,
        city,
        leaders,
        units,
    }
}

/// 序时进度 in percent: the elapsed share of the days from `plan_start` to `deadline`, both
/// inclusive, at `as_of`; capped to 0..=100.
pub fn expected_progress(plan_start: NaiveDate, deadline: NaiveDate, as_of: NaiveDate) -> f64 {
    if as_of < plan_start {
        return 0.0;
    }
    if as_of >= deadline {
        return 100.0;
    }
    let span = (deadline - plan_start).num_days() + 1;
    let elapsed = (as_of - plan_start).num_days() + 1;
    if span <= 0 {
        return 100.0;
    }
    (elapsed as f64 * 100.0 / span as f64).clamp(0.0, 100.0)
}

/// Last day of the 临期 window: the end of the month `due_soon_months` after the as-of month.
pub fn due_soon_end(as_of: NaiveDate, due_soon_months: u32) -> NaiveDate {
    let mut month = crate::model::Month::of(as_of);
    for _ in 0..due_soon_months {
        month = month.next();
    }
    month.last_day()
}

/// Severity used to pick the worse part of two lead units (higher is worse): 逾期未完成 > 未报送
/// > 滞后 > 临期 > 未启动 > 序时推进 > 已完成 (逾期完成 > 已完成 > 按期完成).
pub fn status_severity(status: Status) -> u8 {
    match status {
        Status::DoneOnTime => 0,
        Status::Done => 1,
        Status::DoneLate => 2,
        Status::OnTrack => 3,
        Status::NotStarted => 4,
        Status::DueSoon => 5,
        Status::Lagging => 6,
        Status::NotReported => 7,
        Status::Overdue => 8,
    }
}

/// Everything that is the same for every task of the run.
struct Context<'a> {
    as_of: NaiveDate,
    /// The month before the run's (上月).
    last_month: crate::model::Month,
    plan_start: NaiveDate,
    due_soon_end: NaiveDate,
    t: &'a Thresholds,
}

/// One unit's verdict on its part of a task, before combining lead units.
struct Verdict {
    status: Status,
    light: Light,
    escalated: bool,
    reason: String,
    /// The part's reported progress (`None` when not reported).
    percent: Option<f64>,
    /// Consecutive months this part was not reported (0 when reported).
    months_not_reported: u32,
    /// The completion date a 已完成 part was judged by.
    completed_on: Option<NaiveDate>,
    /// The month of a completion carried forward (part not reported, complete on record).
    carried_from: Option<crate::model::Month>,
}

/// 上月进度 and its month when older than last month: the last figure on record.
fn last_figure(
    previous: Option<&PreviousTask>,
    ctx: &Context,
) -> (Option<f64>, Option<crate::model::Month>) {
    let Some(p) = previous else {
        return (None, None);
    };
    match &p.last_known {
        Some(k) => (
            Some(k.percent),
            (k.month != ctx.last_month).then_some(k.month),
        ),
        None => (p.percent, None),
    }
}

/// “10月已完成，本月未报送”: the reason (and 任务总表's note) of a completion carried forward.
pub fn carried_note(month: crate::model::Month) -> String {
    format!("{}月已完成，本月未报送", month.month)
}

/// A part (or a whole task) not reported this month whose completion the record holds: it
/// stays 已完成, green, at 100, with the completion's own date and verdict.
fn carried(task: &Task, c: &crate::model::Completion) -> Verdict {
    Verdict {
        status: c.status(task.deadline.date),
        light: Light::Green,
        escalated: false,
        reason: carried_note(c.month),
        percent: Some(100.0),
        months_not_reported: 0,
        completed_on: Some(c.date),
        carried_from: Some(c.month),
    }
}

fn classify_task(
    task: &Task,
    reports: Vec<UnitReport>,
    previous: Option<&PreviousTask>,
    ctx: &Context,
) -> TaskOutcome {
    let expected = task
        .deadline
        .date
        .map(|d| expected_progress(ctx.plan_start, d, ctx.as_of));
    let previous_figure = last_figure(previous, ctx);
    if reports.is_empty() {
        let v = match previous.and_then(|p| p.completion.as_ref()) {
            Some(c) => carried(task, c),
            None => {
                let months = previous.map_or(0, |p| p.months_not_reported) + 1;
                not_reported(task, months, ctx)
            }
        };
        return TaskOutcome {
            task: task.number,
            status: v.status,
            light: v.light,
            percent: v.percent,
            expected,
            previous_percent: previous_figure.0,
            previous_month: previous_figure.1,
            carried_from: v.carried_from,
            completed_on: v.completed_on,
            escalated: v.escalated,
            reports,
            months_not_reported: v.months_not_reported,
            red_months: 0,
            reason: v.reason,
        };
    }
    let two_units = task.units.len() > 1 || reports.len() > 1;
    let mut verdicts: Vec<Verdict> = reports
        .iter()
        .map(|r| {
            let mut v = judge_report(task, r, expected, previous, ctx);
            v.percent = r.row.percent;
            if two_units {
                v.reason = format!("{}：{}", r.unit, v.reason);
            }
            v
        })
        .collect();
    for unit in &task.units {
        if !reports.iter().any(|r| &r.unit == unit) {
            verdicts.push(missing_part(task, unit, previous, ctx));
        }
    }
    combine(task, reports, verdicts, expected, previous_figure)
}

/// The worse of two parts: higher severity, on a tie the lower progress (not reported lowest).
fn worse(a: &Verdict, b: &Verdict) -> std::cmp::Ordering {
    status_severity(a.status)
        .cmp(&status_severity(b.status))
        .then_with(|| match (a.percent, b.percent) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, None) => std::cmp::Ordering::Equal,
        })
}

/// The task takes its worse part whole (status, progress, light); the reason names that part
/// first, then every other part that is red or yellow.
fn combine(
    task: &Task,
    reports: Vec<UnitReport>,
    verdicts: Vec<Verdict>,
    expected: Option<f64>,
    (previous_percent, previous_month): (Option<f64>, Option<crate::model::Month>),
) -> TaskOutcome {
    // the first of equally bad parts, in the master's unit order
    let Some((chosen, v)) = verdicts
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| worse(a, b).then_with(|| j.cmp(i)))
    else {
        return TaskOutcome {
            task: task.number,
            status: Status::NotReported,
            light: Light::Yellow,
            percent: None,
            expected,
            previous_percent,
            previous_month,
            carried_from: None,
            completed_on: None,
            escalated: false,
            reports,
            months_not_reported: 1,
            red_months: 0,
            reason: String::new(),
        };
    };
    let mut reasons = vec![v.reason.as_str()];
    reasons.extend(
        verdicts
            .iter()
            .enumerate()
            .filter(|(i, o)| *i != chosen && matches!(o.light, Light::Red | Light::Yellow))
            .map(|(_, o)| o.reason.as_str()),
    );
    TaskOutcome {
        task: task.number,
        status: v.status,
        light: v.light,
        percent: v.percent,
        expected,
        previous_percent,
        previous_month,
        carried_from: v.carried_from,
        completed_on: v.completed_on,
        escalated: v.escalated,
        months_not_reported: v.months_not_reported,
        red_months: 0,
        reason: reasons.join("；"),
        reports,
    }
}

/// A task nobody reported this month.
fn not_reported(task: &Task, months: u32, ctx: &Context) -> Verdict {
    let passed = task.deadline.date.is_some_and(|d| d < ctx.as_of);
    let repeated = months >= ctx.t.not_reported_red_months;
    let light = if passed || repeated {
        Light::Red
    } else {
        Light::Yellow
    };
    let reason = match (repeated, passed) {
        (true, true) => format!("连续{months}个月未报送，已过时限（{}）", task.deadline.raw),
        (true, false) => format!("连续{months}个月未报送"),
        (false, true) => format!("本月未报送，已过时限（{}）", task.deadline.raw),
        (false, false) => "本月未报送".to_string(),
    };
    Verdict {
        status: Status::NotReported,
        light,
        escalated: repeated && !passed,
        reason,
        percent: None,
        months_not_reported: months,
        completed_on: None,
        carried_from: None,
    }
}

/// One of two lead units sent nothing for the task while the other did: its part is 未报送.
/// It counts as unreported last month too when last month's task was 未报送 and its archived
/// text did not carry this unit's own report.
fn missing_part(
    task: &Task,
    unit: &str,
    previous: Option<&PreviousTask>,
    ctx: &Context,
) -> Verdict {
    if let Some(c) = previous.and_then(|p| p.completion.as_ref()) {
        let mut v = carried(task, c);
        v.reason = format!("{unit}：{}", v.reason);
        return v;
    }
    let before = previous
        .filter(|p| p.status == Some(Status::NotReported))
        .filter(|p| !p.unit_reported(unit))
        .map_or(0, |p| p.months_not_reported);
    let months = before + 1;
    let mut v = not_reported(task, months, ctx);
    v.reason = format!("{unit}：{}", v.reason);
    v
}

/// Judges one unit's report of a task.
fn judge_report(
    task: &Task,
    report: &UnitReport,
    expected: Option<f64>,
    previous: Option<&PreviousTask>,
    ctx: &Context,
) -> Verdict {
    let row = &report.row;
    if report_completes(row.status, row.percent, ctx.t) {
        // The completion date is fixed when the task is first reported complete: the record's
        // date when it holds one, else the 完成日期 given, else this month's as-of date.
        return match previous.and_then(|p| p.completion.as_ref()) {
            Some(c) => judge_done(task, c.date, c.status(task.deadline.date)),
            None => {
                let date = row.completed_on.unwrap_or(ctx.as_of);
                judge_done(task, date, done_status(task, date))
            }
        };
    }
    let deadline = task.deadline.date;
    if deadline.is_some_and(|d| d < ctx.as_of) {
        return Verdict {
            status: Status::Overdue,
            light: Light::Red,
            escalated: false,
            reason: format!("已逾期（时限{}）", task.deadline.raw),
            percent: None,
            months_not_reported: 0,
            completed_on: None,
            carried_from: None,
        };
    }
    let behind = match (expected, row.percent) {
        (Some(e), Some(p)) => e - p,
        // Progress left blank on a dated task: judged as 0% so a blank cannot hide a lag.
        (Some(e), None) => e,
        (None, _) => 0.0,
    };
    let self_lagging = row.status == Some(ReportedStatus::Lagging);
    if self_lagging || behind > ctx.t.lag_tolerance {
        return judge_lagging(behind, self_lagging, previous, ctx);
    }
    if deadline.is_some_and(|d| d <= ctx.due_soon_end) {
        return Verdict {
            status: Status::DueSoon,
            light: Light::Blue,
            escalated: false,
            reason: format!("临期（时限{}）", task.deadline.raw),
            percent: None,
            months_not_reported: 0,
            completed_on: None,
            carried_from: None,
        };
    }
    let not_started = row.status == Some(ReportedStatus::NotStarted)
        || (row.status.is_none() && row.percent == Some(0.0));
    let (status, reason) = if not_started {
        (Status::NotStarted, "未启动".to_string())
    } else {
        (Status::OnTrack, "序时推进".to_string())
    };
    Verdict {
        status,
        light: Light::Green,
        escalated: false,
        reason,
        percent: None,
        months_not_reported: 0,
        completed_on: None,
        carried_from: None,
    }
}

/// 已完成: the figure stands. A progress figure completes the task only at the done threshold
/// (100 %), whatever the status says (已完成 at 60 % is judged as 60 %, with intake's warning);
/// 已完成 completes it only when no figure was given.
pub fn report_completes(
    status: Option<ReportedStatus>,
    percent: Option<f64>,
    t: &Thresholds,
) -> bool {
    match percent {
        Some(p) => p >= t.done_percent,
        None => status == Some(ReportedStatus::Done),
    }
}

/// 按期完成 or 逾期完成 by the completion date against the deadline (no fixed date: on time).
pub fn done_status(task: &Task, completed_on: NaiveDate) -> Status {
    match task.deadline.date {
        Some(d) if completed_on > d => Status::DoneLate,
        _ => Status::DoneOnTime,
    }
}

fn judge_done(task: &Task, completed_on: NaiveDate, status: Status) -> Verdict {
    let reason = match status {
        Status::DoneLate => format!("逾期完成（时限{}）", task.deadline.raw),
        s => s.label().to_string(),
    };
    Verdict {
        status,
        light: Light::Green,
        escalated: false,
        reason,
        percent: None,
        months_not_reported: 0,
        completed_on: Some(completed_on),
        carried_from: None,
    }
}

fn judge_lagging(
    behind: f64,
    self_lagging: bool,
    previous: Option<&PreviousTask>,
    ctx: &Context,
) -> Verdict {
    let behind_text = format!(
        "低于序时进度{}个百分点",
        crate::numbers::one_decimal(behind)
    );
    let mut reason = if behind > ctx.t.lag_tolerance {
        behind_text.clone()
    } else {
        "单位自报滞后".to_string()
    };
    if behind > ctx.t.red_behind {
        return Verdict {
            status: Status::Lagging,
            light: Light::Red,
            escalated: false,
            reason,
            percent: None,
            months_not_reported: 0,
            completed_on: None,
            carried_from: None,
        };
    }
    // Yellow last month and behind again: red. Red last month and still behind: red until it
    // catches up (otherwise a task behind by 10–30 points would go yellow, red, yellow …).
    let last = previous.and_then(|p| p.light);
    if matches!(last, Some(Light::Yellow | Light::Red)) {
        let why = if last == Some(Light::Red) {
            "上月已亮红灯，仍未赶上序时进度，继续亮红灯"
        } else {
            "上月已亮黄灯，升为红灯"
        };
        reason = if self_lagging && behind > ctx.t.lag_tolerance {
            format!("{behind_text}（单位自报滞后），{why}")
        } else {
            format!("{reason}，{why}")
        };
        return Verdict {
            status: Status::Lagging,
            light: Light::Red,
            escalated: true,
            reason,
            percent: None,
            months_not_reported: 0,
            completed_on: None,
            carried_from: None,
        };
    }
    Verdict {
        status: Status::Lagging,
        light: Light::Yellow,
        escalated: false,
        reason,
        percent: None,
        months_not_reported: 0,
        completed_on: None,
        carried_from: None,
    }
}

/// Counts and rates over `tasks`; with `unit`, 报送 counts that unit's own report rather than
/// the task's.
fn rates<'a>(
    tasks: impl Iterator<Item = &'a Task>,
    outcomes: &HashMap<u32, &TaskOutcome>,
    unit: Option<&str>,
) -> Counts {
    let mut c = Counts::default();
    for task in tasks {
        let Some(o) = outcomes.get(&task.number) else {
            continue;
        };
        // a completion carried forward is not a report (the unit sent nothing)
        let reported = match unit {
            Some(u) => o.reports.iter().any(|rep| rep.unit == u),
            None => o.status != Status::NotReported && o.carried_from.is_none(),
        };
        c.add(Some(o.status), Some(o.light), reported);
    }
    c
}
