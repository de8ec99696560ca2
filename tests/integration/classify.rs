//! Status engine tests with hand-computed expectations (plan start 2026-01-01).

use chrono::NaiveDate;
use duban::classify::{classify, due_soon_end, expected_progress};
use duban::config::Config;
use duban::model::{
    Category, Deadline, Leader, Light, Master, Merged, PreviousTask, ProgressRow, Reconciliation,
    ReportedStatus, RowSource, Status, Task, TaskOutcome, Unit, UnitKind, UnitReport,
};
use std::collections::BTreeMap;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const NOV30: (i32, u32, u32) = (2026, 11, 30);

fn nov30() -> NaiveDate {
    d(NOV30.0, NOV30.1, NOV30.2)
}

fn leader(name: &str) -> Leader {
    Leader {
        name: name.into(),
        title: "副市长".into(),
        declared_count: None,
        declared_main_targets: None,
    }
}

fn unit(name: &str) -> Unit {
    Unit {
        name: name.into(),
        aliases: vec![],
        kind: UnitKind::CityDepartment,
        contact: None,
        phone: None,
        email: None,
        reply_from: Vec::new(),
    }
}

fn task(number: u32, units: &[&str], raw: &str, date: Option<NaiveDate>) -> Task {
    Task {
        number,
        text: format!("任务{number}"),
        category: Category::Other,
        leaders: vec!["甲".into()],
        units: units.iter().map(|u| u.to_string()).collect(),
        unit_raw: units.join("、"),
        deadline: Deadline {
            raw: raw.into(),
            date,
        },
        source_row: number + 3,
    }
}

fn dec(number: u32) -> Task {
    task(number, &["市发改委"], "12月底", Some(d(2026, 12, 31)))
}

fn report(
    task: u32,
    unit: &str,
    percent: Option<f64>,
    status: Option<ReportedStatus>,
) -> UnitReport {
    UnitReport {
        unit: unit.into(),
        row: ProgressRow {
            task,
            task_text: None,
            progress_text: format!("{unit}的进展"),
            percent,
            status,
            completed_on: None,
            issues: String::new(),
            next_steps: String::new(),
            remark: String::new(),
            source: RowSource {
                file: format!("{unit}.xlsx"),
                sheet: "Sheet1".into(),
                row: 5,
                hidden: false,
            },
        },
        reported_on: Some(d(2026, 11, 25)),
    }
}

fn master(tasks: Vec<Task>) -> Master {
    let mut units: Vec<Unit> = Vec::new();
    for t in &tasks {
        for u in &t.units {
            if !units.iter().any(|x| &x.name == u) {
                units.push(unit(u));
            }
        }
    }
    Master {
        title: "测试".into(),
        mayor: Leader {
            title: "市长".into(),
            ..leader("贺海东")
        },
        leaders: vec![leader("甲"), leader("乙")],
        tasks,
        units,
        index: Default::default(),
    }
}

fn merged(reports: Vec<UnitReport>) -> Merged {
    let mut map: BTreeMap<u32, Vec<UnitReport>> = BTreeMap::new();
    for r in reports {
        map.entry(r.row.task).or_default().push(r);
    }
    Merged {
        reports: map,
        receipts: vec![],
        reconciliation: Reconciliation::default(),
        problems: vec![],
    }
}

/// Classifies one task with the given reports and previous state.
fn one(
    t: Task,
    reports: Vec<UnitReport>,
    prev: Option<PreviousTask>,
    as_of: NaiveDate,
) -> TaskOutcome {
    let number = t.number;
    let m = master(vec![t]);
    let mut previous = BTreeMap::new();
    if let Some(p) = prev {
        previous.insert(number, p);
    }
    let c = classify(&m, &merged(reports), &previous, as_of, &Config::default());
    c.outcome(number).unwrap().clone()
}

fn pct(number: u32, p: f64) -> Vec<UnitReport> {
    vec![report(number, "市发改委", Some(p), None)]
}

#[test]
fn expected_progress_counts_days_inclusively() {
    let start = d(2026, 1, 1);
    // 2026-01-01..2026-11-30 is 334 days of 365.
    let e = expected_progress(start, d(2026, 12, 31), nov30());
    assert!((e - 334.0 * 100.0 / 365.0).abs() < 1e-9, "{e}");
    assert!((e - 91.7).abs() < 0.5, "close to 11/12: {e}");
    assert_eq!(expected_progress(start, d(2026, 6, 30), nov30()), 100.0);
    assert_eq!(
        expected_progress(start, d(2026, 6, 30), d(2025, 12, 1)),
        0.0
    );
    assert_eq!(
        expected_progress(start, d(2026, 12, 31), d(2026, 12, 31)),
        100.0
    );
    let half = expected_progress(start, d(2026, 1, 10), d(2026, 1, 5));
    assert!((half - 50.0).abs() < 1e-9, "{half}");
}

#[test]
fn due_soon_window_is_end_of_next_month() {
    assert_eq!(due_soon_end(nov30(), 1), d(2026, 12, 31));
    assert_eq!(due_soon_end(d(2026, 12, 15), 1), d(2027, 1, 31));
    assert_eq!(due_soon_end(d(2026, 10, 31), 0), d(2026, 10, 31));
}

#[test]
fn june_task_at_half_in_november_is_overdue_red() {
    let o = one(
        task(1, &["市发改委"], "6月底", Some(d(2026, 6, 30))),
        pct(1, 50.0),
        None,
        nov30(),
    );
    assert_eq!(o.status, Status::Overdue);
    assert_eq!(o.light, Light::Red);
    assert_eq!(o.percent, Some(50.0));
    assert_eq!(o.expected, Some(100.0));
    assert_eq!(o.reason, "已逾期（时限6月底）");
}

#[test]
fn december_task_at_half_is_lagging_red() {
    let o = one(dec(2), pct(2, 50.0), None, nov30());
    assert_eq!(o.status, Status::Lagging);
    assert_eq!(o.light, Light::Red);
    // 91.5 - 50 = 41.5 points behind.
    assert_eq!(o.reason, "低于序时进度41.5个百分点");
    assert!(!o.escalated);
}

#[test]
fn december_task_at_80_is_lagging_yellow() {
    let o = one(dec(3), pct(3, 80.0), None, nov30());
    assert_eq!(o.status, Status::Lagging);
    assert_eq!(o.light, Light::Yellow);
    assert_eq!(o.reason, "低于序时进度11.5个百分点");
}

/// The issue asks for “12月底 at 90% → 绿”. In a November run the same task is also 临期 (it is due
/// by the end of next month) and the status precedence ranks 临期 above 序时推进, so it is blue there; at the
/// end of October (序时进度 304/365 = 83.3, window ends 11-30) it is plainly 序时推进 and green.
#[test]
fn december_task_at_90_is_green_in_october_and_due_soon_in_november() {
    let o = one(dec(4), pct(4, 90.0), None, d(2026, 10, 31));
    assert_eq!(o.status, Status::OnTrack);
    assert_eq!(o.light, Light::Green);
    let o = one(dec(4), pct(4, 90.0), None, nov30());
    assert_eq!(o.status, Status::DueSoon);
    assert_eq!(o.light, Light::Blue);
    assert_eq!(o.reason, "临期（时限12月底）");
}

#[test]
fn task_due_in_twenty_days_on_pace_is_due_soon_blue() {
    let t = task(5, &["市发改委"], "12月20日", Some(d(2026, 12, 20)));
    // 序时进度 334/354 = 94.4; 95% is ahead of it.
    let o = one(t.clone(), pct(5, 95.0), None, nov30());
    assert_eq!((o.status, o.light), (Status::DueSoon, Light::Blue));
    // Behind by more than the tolerance it is 滞后 instead (滞后 > 临期).
    let o = one(t, pct(5, 80.0), None, nov30());
    assert_eq!((o.status, o.light), (Status::Lagging, Light::Yellow));
}

#[test]
fn task_without_fixed_date_never_lags_by_time() {
    let t = task(6, &["市发改委"], "按自治区安排统筹推进", None);
    let o = one(t.clone(), pct(6, 10.0), None, nov30());
    assert_eq!((o.status, o.light), (Status::OnTrack, Light::Green));
    assert_eq!(o.expected, None);
    let o = one(
        t.clone(),
        vec![report(
            6,
            "市发改委",
            Some(0.0),
            Some(ReportedStatus::NotStarted),
        )],
        None,
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::NotStarted, Light::Green));
    // Self-reported 滞后 still counts.
    let o = one(
        t.clone(),
        vec![report(
            6,
            "市发改委",
            Some(40.0),
            Some(ReportedStatus::Lagging),
        )],
        None,
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::Lagging, Light::Yellow));
    assert_eq!(o.reason, "单位自报滞后");
    // Unreported once: yellow, never red for a passed deadline.
    let o = one(t.clone(), vec![], None, nov30());
    assert_eq!((o.status, o.light), (Status::NotReported, Light::Yellow));
    // Done without a date is on time.
    let o = one(t, pct(6, 100.0), None, nov30());
    assert_eq!((o.status, o.light), (Status::DoneOnTime, Light::Green));
}

#[test]
fn two_lead_units_take_worse_status_and_lower_progress() {
    let t = task(7, &["土左旗", "托县政府"], "12月底", Some(d(2026, 12, 31)));
    let reports = vec![
        report(7, "土左旗", Some(95.0), None),
        report(7, "托县政府", Some(50.0), None),
    ];
    let o = one(t.clone(), reports, None, nov30());
    assert_eq!(o.status, Status::Lagging);
    assert_eq!(o.light, Light::Red);
    assert_eq!(o.percent, Some(50.0));
    assert_eq!(o.reports.len(), 2, "both reports are kept");
    assert_eq!(o.reason, "托县政府：低于序时进度41.5个百分点");

    // One unit done, the other on pace in November: 临期 beats 已完成 as the worse status.
    let mut done = report(7, "土左旗", Some(100.0), Some(ReportedStatus::Done));
    done.row.completed_on = Some(d(2026, 10, 1));
    let o = one(
        t.clone(),
        vec![done, report(7, "托县政府", Some(95.0), None)],
        None,
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::DueSoon, Light::Blue));
    assert_eq!(o.percent, Some(95.0));

    // One unit silent: its part is 未报送, which is worse than 临期, so the task is 未报送 and
    // yellow (status and light agree), with no progress, and the reason names the unit.
    let o = one(
        t.clone(),
        vec![report(7, "土左旗", Some(95.0), None)],
        None,
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::NotReported, Light::Yellow));
    assert_eq!(o.percent, None);
    assert!(o.reason.starts_with("托县政府：本月未报送"), "{}", o.reason);
    assert_eq!(o.months_not_reported, 1);
    assert_eq!(o.reports.len(), 1, "the text received is kept");

    // The same unit silent last month as well (its archived part says so): red.
    let last = PreviousTask {
        status: Some(Status::NotReported),
        light: Some(Light::Yellow),
        progress_text: format!(
            "【土左旗】推进中\n【托县政府】{}",
            duban::model::PART_NOT_REPORTED
        ),
        months_not_reported: 1,
        ..Default::default()
    };
    let o = one(
        t.clone(),
        vec![report(7, "土左旗", Some(95.0), None)],
        Some(last.clone()),
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::NotReported, Light::Red));
    assert_eq!(o.months_not_reported, 2);
    assert!(
        o.reason.contains("托县政府：连续2个月未报送"),
        "{}",
        o.reason
    );
    // …but when it was the other unit that was silent last month, this is its first month.
    let o = one(
        t.clone(),
        vec![report(7, "托县政府", Some(95.0), None)],
        Some(last),
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::NotReported, Light::Yellow));
    assert!(o.reason.starts_with("土左旗：本月未报送"), "{}", o.reason);

    // Overdue beats not reported: a passed deadline, one unit late, the other silent.
    let june = task(7, &["土左旗", "托县政府"], "6月底", Some(d(2026, 6, 30)));
    let o = one(
        june,
        vec![report(7, "土左旗", Some(80.0), None)],
        None,
        nov30(),
    );
    assert_eq!((o.status, o.light), (Status::Overdue, Light::Red));
    assert_eq!(o.percent, Some(80.0));
    assert!(o.reason.contains("托县政府：本月未报送"), "{}", o.reason);

    // A tie goes to the lower progress.
    let o = one(
        t,
        vec![
            report(7, "土左旗", Some(70.0), None),
            report(7, "托县政府", Some(60.0), None),
        ],
        None,
        nov30(),
    );
    assert_eq!(o.status, Status::Lagging);
    assert_eq!(o.percent, Some(60.0));
    assert!(o.reason.starts_with("托县政府："), "{}", o.reason);
}

#[test]
fn yellow_last_month_and_still_behind_escalates_to_red() {
    let yellow = PreviousTask {
        percent: Some(70.0),
        light: Some(Light::Yellow),
        ..Default::default()
    };
    let o = one(dec(8), pct(8, 80.0), Some(yellow.clone()), nov30());
    assert_eq!((o.status, o.light), (Status::Lagging, Light::Red));
    assert!(o.escalated);
    assert_eq!(o.previous_percent, Some(70.0));
    assert!(o.reason.contains("上月已亮黄灯"), "{}", o.reason);
    // Caught up: no escalation.
    let o = one(dec(8), pct(8, 95.0), Some(yellow), d(2026, 10, 31));
    assert_eq!((o.light, o.escalated), (Light::Green, false));
    // Green last month and behind now: only yellow.
    let green = PreviousTask {
        light: Some(Light::Green),
        ..Default::default()
    };
    let o = one(dec(8), pct(8, 80.0), Some(green), nov30());
    assert_eq!((o.light, o.escalated), (Light::Yellow, false));
    // Red last month and still behind by 10–30 points: stays red (no yellow, red, yellow …).
    let red = PreviousTask {
        percent: Some(75.0),
        light: Some(Light::Red),
        status: Some(Status::Lagging),
        ..Default::default()
    };
    let o = one(dec(8), pct(8, 80.0), Some(red.clone()), nov30());
    assert_eq!((o.status, o.light), (Status::Lagging, Light::Red));
    assert!(
        o.reason.contains("上月已亮红灯，仍未赶上序时进度"),
        "{}",
        o.reason
    );
    // …until it catches up.
    let o = one(dec(8), pct(8, 95.0), Some(red), d(2026, 10, 31));
    assert_eq!(o.light, Light::Green);
}

#[test]
fn unreported_twice_is_red() {
    let once = PreviousTask {
        percent: Some(60.0),
        light: Some(Light::Yellow),
        status: Some(Status::NotReported),
        months_not_reported: 1,
        ..Default::default()
    };
    let o = one(dec(9), vec![], Some(once), nov30());
    assert_eq!((o.status, o.light), (Status::NotReported, Light::Red));
    assert!(o.escalated);
    assert_eq!(o.months_not_reported, 2);
    assert_eq!(o.percent, None);
    assert_eq!(o.previous_percent, Some(60.0));
    assert_eq!(o.reason, "连续2个月未报送");

    let reported_last_month = PreviousTask {
        percent: Some(60.0),
        light: Some(Light::Green),
        ..Default::default()
    };
    let o = one(dec(9), vec![], Some(reported_last_month), nov30());
    assert_eq!(
        (o.status, o.light, o.months_not_reported),
        (Status::NotReported, Light::Yellow, 1)
    );
    assert_eq!(o.reason, "本月未报送");

    // Deadline passed: red at once.
    let june = task(10, &["市发改委"], "6月底", Some(d(2026, 6, 30)));
    let o = one(june, vec![], None, nov30());
    assert_eq!(
        (o.status, o.light, o.escalated),
        (Status::NotReported, Light::Red, false)
    );
    assert_eq!(o.reason, "本月未报送，已过时限（6月底）");
}

#[test]
fn completion_split_on_time_and_late() {
    let june = || task(11, &["市发改委"], "6月底", Some(d(2026, 6, 30)));
    let with_date = |date: Option<NaiveDate>| {
        let mut r = report(11, "市发改委", Some(100.0), Some(ReportedStatus::Done));
        r.row.completed_on = date;
        vec![r]
    };
    let o = one(june(), with_date(Some(d(2026, 6, 20))), None, nov30());
    assert_eq!((o.status, o.light), (Status::DoneOnTime, Light::Green));
    let o = one(june(), with_date(Some(d(2026, 7, 5))), None, nov30());
    assert_eq!((o.status, o.light), (Status::DoneLate, Light::Green));
    // No 完成日期: the completion date is the as-of date of the month first reported complete,
    // after the deadline here.
    let o = one(june(), with_date(None), None, nov30());
    assert_eq!(
        (o.status, o.completed_on),
        (Status::DoneLate, Some(nov30()))
    );
    // Done before the deadline has passed: necessarily on time.
    let o = one(
        dec(12),
        with_date(None)
            .into_iter()
            .map(|mut r| {
                r.row.task = 12;
                r
            })
            .collect(),
        None,
        nov30(),
    );
    assert_eq!(o.status, Status::DoneOnTime);
    // Blank status at 100% counts as done; 95% with blank status does not.
    let o = one(dec(13), pct(13, 100.0), None, nov30());
    assert!(o.status.is_done());
    let o = one(dec(13), pct(13, 95.0), None, nov30());
    assert_eq!(o.status, Status::DueSoon);
}

#[test]
fn rates_per_city_leader_and_unit() {
    let mut t1 = task(1, &["市发改委"], "6月底", Some(d(2026, 6, 30)));
    t1.category = Category::MainTarget;
    t1.leaders = vec!["甲".into(), "乙".into()];
    let t2 = task(2, &["市发改委"], "12月底", Some(d(2026, 12, 31)));
    let mut t3 = task(3, &["市科技局"], "12月底", Some(d(2026, 12, 31)));
    t3.leaders = vec!["乙".into()];
    let mut t4 = task(4, &["市科技局"], "6月底", Some(d(2026, 6, 30)));
    t4.leaders = vec!["乙".into()];
    let m = master(vec![t1, t2, t3, t4]);
    let mut done = report(1, "市发改委", Some(100.0), Some(ReportedStatus::Done));
    done.row.completed_on = Some(d(2026, 6, 1));
    let mut late = report(4, "市科技局", Some(100.0), Some(ReportedStatus::Done));
    late.row.completed_on = Some(d(2026, 8, 1));
    let reports = vec![done, report(2, "市发改委", Some(50.0), None), late];
    let c = classify(
        &m,
        &merged(reports),
        &BTreeMap::new(),
        nov30(),
        &Config::default(),
    );
    // Task 1 done on time (green), 2 lagging red, 3 unreported yellow, 4 done late (green).
    assert_eq!(c.city.tasks, 4);
    assert_eq!(
        (c.city.done, c.city.done_on_time, c.city.reported),
        (2, 1, 3)
    );
    assert_eq!(
        (
            c.city.lights.red,
            c.city.lights.yellow,
            c.city.lights.blue,
            c.city.lights.green
        ),
        (1, 1, 0, 2)
    );
    assert_eq!(c.city.completion_rate(), 50.0);
    assert_eq!(c.city.on_time_rate(), 25.0);
    assert_eq!(c.city.report_rate(), 75.0);
    assert_eq!(c.leaders.len(), 2);
    let (name, jia) = &c.leaders[0];
    assert_eq!(
        (name.as_str(), jia.tasks, jia.done, jia.lights.red),
        ("甲", 2, 1, 1)
    );
    let (_, yi) = &c.leaders[1];
    // The main target counts for 乙 too.
    assert_eq!(
        (
            yi.tasks,
            yi.done,
            yi.done_on_time,
            yi.reported,
            yi.lights.yellow
        ),
        (3, 2, 1, 2, 1)
    );
    let units: Vec<&str> = c.units.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(units, ["市发改委", "市科技局"]);
    assert_eq!(c.units[1].1.reported, 1);
    assert_eq!(c.units[1].1.report_rate(), 50.0);
}

#[test]
fn the_figure_stands_over_the_status() {
    // 已完成 at 60 %: judged as 60 % (behind 序时进度), never complete
    let o = one(
        dec(20),
        vec![report(
            20,
            "市发改委",
            Some(60.0),
            Some(ReportedStatus::Done),
        )],
        None,
        nov30(),
    );
    assert_eq!(
        (o.status, o.light, o.percent),
        (Status::Lagging, Light::Red, Some(60.0))
    );
    // 100 % completes whatever the status says; 已完成 with no figure completes too
    let o = one(
        dec(21),
        vec![report(
            21,
            "市发改委",
            Some(100.0),
            Some(ReportedStatus::OnTrack),
        )],
        None,
        nov30(),
    );
    assert!(o.status.is_done(), "{:?}", o.status);
    let o = one(
        dec(22),
        vec![report(22, "市发改委", None, Some(ReportedStatus::Done))],
        None,
        nov30(),
    );
    assert!(o.status.is_done(), "{:?}", o.status);
}

fn complete_on_record(month: u32, date: NaiveDate, last_known: f64) -> PreviousTask {
    let m = duban::model::Month { year: 2026, month };
    PreviousTask {
        percent: Some(100.0),
        light: Some(Light::Green),
        status: Some(Status::DoneOnTime),
        completed_on: Some(date),
        completion: Some(duban::model::Completion {
            month: m,
            date,
            archived: None,
        }),
        last_known: Some(duban::model::LastKnown {
            month: m,
            percent: last_known,
            progress_text: String::new(),
        }),
        ..PreviousTask::default()
    }
}

#[test]
fn completion_carries_forward_with_its_own_date() {
    let june = || task(30, &["市发改委"], "6月底", Some(d(2026, 6, 30)));
    // finished in August with 完成日期 6月20日, silent since: still 按期完成, green, 100
    let o = one(
        june(),
        vec![],
        Some(complete_on_record(8, d(2026, 6, 20), 100.0)),
        nov30(),
    );
    assert_eq!(
        (o.status, o.light, o.percent, o.completed_on),
        (
            Status::DoneOnTime,
            Light::Green,
            Some(100.0),
            Some(d(2026, 6, 20))
        )
    );
    assert_eq!(o.carried_from.map(|m| m.month), Some(8));
    assert_eq!(o.reason, "8月已完成，本月未报送");
    assert_eq!(
        o.previous_month.map(|m| m.month),
        Some(8),
        "83（8月）-style 上月进度"
    );
    // reported 已完成 again without 完成日期: the date on record decides, not the as-of date
    let o = one(
        june(),
        vec![report(
            30,
            "市发改委",
            Some(100.0),
            Some(ReportedStatus::Done),
        )],
        Some(complete_on_record(8, d(2026, 6, 20), 100.0)),
        nov30(),
    );
    assert_eq!(
        (o.status, o.completed_on),
        (Status::DoneOnTime, Some(d(2026, 6, 20)))
    );
    assert_eq!(o.carried_from, None);
    // a later report below 100 reopens the task: the report stands
    let o = one(
        dec(31),
        pct(31, 80.0),
        Some(complete_on_record(10, d(2026, 10, 20), 100.0)),
        nov30(),
    );
    assert!(!o.status.is_done(), "{:?}", o.status);
    assert_eq!(o.percent, Some(80.0));
}

#[test]
fn carried_completion_is_not_a_report_in_the_rates() {
    let t = task(32, &["市发改委"], "6月底", Some(d(2026, 6, 30)));
    let m = master(vec![t]);
    let mut previous = BTreeMap::new();
    previous.insert(32, complete_on_record(9, d(2026, 6, 1), 100.0));
    let c = classify(&m, &merged(vec![]), &previous, nov30(), &Config::default());
    assert_eq!((c.city.done, c.city.done_on_time), (1, 1));
    assert_eq!(c.city.reported, 0, "the unit sent nothing");
    let unit = &c
        .units
        .iter()
        .find(|(u, _)| u == "市发改委")
        .expect("unit")
        .1;
    assert_eq!((unit.done, unit.reported), (1, 0));
}

#[test]
fn an_undated_archive_keeps_its_verdict() {
    // an archive from before 完成日期 was kept: finished in July, archived 按期完成; the record's
    // date is only July's last day, after the deadline, yet the verdict stands
    let june = task(33, &["市发改委"], "6月底", Some(d(2026, 6, 30)));
    let mut p = complete_on_record(7, d(2026, 7, 31), 100.0);
    p.completed_on = None;
    if let Some(c) = p.completion.as_mut() {
        c.archived = Some(Status::DoneOnTime);
    }
    let o = one(june, vec![], Some(p), nov30());
    assert_eq!((o.status, o.light), (Status::DoneOnTime, Light::Green));
}
