//! The year on record as one report (`duban year`): the city month by month, each leader's
//! record, the tasks never completed, and the units ranked by on-time reporting and 办结率.
//!
//! Everything comes from the archived months (each 汇总表 checked against its run.json by
//! `history`) and the master sheet; nothing from the clock, so the same archives give the same
//! report. Mid-year it covers the months on record and names the ones missing.

use crate::history::History;
use crate::model::{Master, Month, MonthRecord, Problem, Status};
use crate::numbers::percent;
use crate::trend::Trend;
use chrono::NaiveDate;

/// One leader over the year.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaderYear {
    pub name: String,
    /// `刘继英副市长`.
    pub display: String,
    pub tasks: u32,
    /// Done in the latest month on record.
    pub done: u32,
    /// 办结率 in the latest month on record, percent.
    pub completion_rate: f64,
    /// Red tasks per month of the trend (`None`: month missing).
    pub red_by_month: Vec<Option<u32>>,
    /// Sum over the months of the red tasks (task-months red).
    pub red_task_months: u32,
}

/// A task not completed in any month on record.
#[derive(Debug, Clone, PartialEq)]
pub struct Unfinished {
    pub task: u32,
    pub text: String,
    pub units: String,
    pub leaders: String,
    pub deadline: String,
    /// The deadline has passed at the latest month's end (a task due that day is not yet late).
    pub due: bool,
    pub latest_percent: Option<f64>,
    pub latest_status: Option<Status>,
    /// Progress of every month on record: `40→55→58`.
    pub path: String,
    /// Months the task was red.
    pub red_months: u32,
}

/// A lead unit over the year.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitYear {
    /// Competition rank (equal figures share a rank).
    pub rank: u32,
    pub name: String,
    pub tasks: u32,
    /// Months on record (the months the unit was due to report).
    pub months: u32,
    /// Months its workbook was received.
    pub reported: u32,
    /// Months received with a 填报日期 not after the month's end.
    pub on_time: u32,
    /// `on_time ÷ months`, percent.
    pub on_time_rate: f64,
    /// Its tasks done in the latest month, percent.
    pub completion_rate: f64,
    /// Task-months red over the year.
    pub red_task_months: u32,
}

/// The year report.
#[derive(Debug, Clone)]
pub struct YearReport {
    pub year: i32,
    pub master: Master,
    /// Months of the year from the first on record to the last (with gaps as missing).
    pub trend: Trend,
    /// Months of the year before the last on record without a usable archive.
    pub missing: Vec<Month>,
    /// Months after the last on record, to December (not yet run).
    pub not_yet: Vec<Month>,
    /// The latest month on record.
    pub last: Month,
    /// Its last day (the report's as-of date).
    pub as_of: NaiveDate,
    /// The date printed on the report.
    pub issued_on: NaiveDate,
    pub leaders: Vec<LeaderYear>,
    pub unfinished: Vec<Unfinished>,
    pub units: Vec<UnitYear>,
    /// Warnings about archives that were changed or unreadable.
    pub problems: Vec<Problem>,
}

/// Builds the report of `year` from its history and the master; `None` when no month of the
/// year is on record.
pub fn build(
    year: i32,
    master: &Master,
    history: &History,
    issue_after_days: u32,
) -> Option<YearReport> {
    let records: Vec<&MonthRecord> = history
        .months
        .iter()
        .filter(|r| r.month.year == year)
        .collect();
    let last_record = *records.last()?;
    let last = last_record.month;
    let trend = Trend::of_records(records.iter().copied());
    let missing: Vec<Month> = crate::history::months_before(last, year)
        .into_iter()
        .filter(|m| !records.iter().any(|r| r.month == *m))
        .collect();
    let mut not_yet = Vec::new();
    let mut m = last.next();
    while m.year == year {
        not_yet.push(m);
        m = m.next();
    }
    let as_of = last.last_day();
    let latest = &last_record.tasks;
    let is_done = |n: u32| {
        latest
            .get(&n)
            .and_then(|t| t.status)
            .is_some_and(|s| s.is_done())
    };
    let red_in = |n: u32| -> u32 {
        trend.tasks.get(&n).map_or(0, |points| {
            points
                .iter()
                .filter(|p| p.and_then(|p| p.light) == Some(crate::model::Light::Red))
                .count() as u32
        })
    };

    let leaders = master
        .leaders
        .iter()
        .map(|l| {
            let numbers: Vec<u32> = master.tasks_of_leader(&l.name).map(|t| t.number).collect();
            let done = numbers.iter().filter(|n| is_done(**n)).count() as u32;
            let red_by_month: Vec<Option<u32>> = (0..trend.months.len())
                .map(|i| {
                    trend.totals[i].map(|_| {
                        numbers
                            .iter()
                            .filter(|n| {
                                trend
                                    .tasks
                                    .get(n)
                                    .and_then(|v| v.get(i).copied().flatten())
                                    .and_then(|p| p.light)
                                    == Some(crate::model::Light::Red)
                            })
                            .count() as u32
                    })
                })
                .collect();
            LeaderYear {
                name: l.name.clone(),
                display: l.display(),
                tasks: numbers.len() as u32,
                done,
                completion_rate: percent(done, numbers.len() as u32),
                red_task_months: red_by_month.iter().flatten().sum(),
                red_by_month,
            }
        })
        .collect();

    let ever_done = |n: u32| {
        trend.tasks.get(&n).is_some_and(|points| {
            points
                .iter()
                .any(|p| p.and_then(|p| p.status).is_some_and(|s| s.is_done()))
        })
    };
    let mut unfinished: Vec<Unfinished> = master
        .tasks
        .iter()
        .filter(|t| !ever_done(t.number))
        .map(|t| {
            let point = trend.point(t.number, last);
            Unfinished {
                task: t.number,
                text: t.text.clone(),
                units: if t.units.is_empty() {
                    t.unit_raw.clone()
                } else {
                    t.units.join("、")
                },
                leaders: t.leaders.join("、"),
                deadline: t.deadline.raw.clone(),
                due: t.deadline.date.is_some_and(|d| d < as_of),
                latest_percent: point.and_then(|p| p.percent),
                latest_status: point.and_then(|p| p.status),
                path: trend.path(t.number, last, trend.months.len()),
                red_months: red_in(t.number),
            }
        })
        .collect();
    // past their deadline first, each part in master order
    unfinished.sort_by_key(|u| !u.due);

    let months_on_record = records.len() as u32;
    let mut units: Vec<UnitYear> = master
        .units
        .iter()
        .map(|u| {
            let mut reported = 0;
            let mut on_time = 0;
            for r in &records {
                if let Some(receipt) = r.receipts.get(&u.name).filter(|x| x.received) {
                    reported += 1;
                    if receipt.reported_on.is_none_or(|d| d <= r.month.last_day()) {
                        on_time += 1;
                    }
                }
            }
            let numbers: Vec<u32> = master.tasks_of_unit(&u.name).map(|t| t.number).collect();
            let done = numbers.iter().filter(|n| is_done(**n)).count() as u32;
            UnitYear {
                rank: 0,
                name: u.name.clone(),
                tasks: numbers.len() as u32,
                months: months_on_record,
                reported,
                on_time,
                on_time_rate: percent(on_time, months_on_record),
                completion_rate: percent(done, numbers.len() as u32),
                red_task_months: numbers.iter().map(|n| red_in(*n)).sum(),
            }
        })
        .collect();
    units.sort_by(|a, b| {
        b.on_time_rate
            .total_cmp(&a.on_time_rate)
            .then(b.completion_rate.total_cmp(&a.completion_rate))
            .then(a.red_task_months.cmp(&b.red_task_months))
            .then(a.name.cmp(&b.name))
    });
    for i in 0..units.len() {
        let same = i > 0 && {
            let (a, b) = (&units[i - 1], &units[i]);
            a.on_time_rate == b.on_time_rate
                && a.completion_rate == b.completion_rate
                && a.red_task_months == b.red_task_months
        };
        units[i].rank = if same {
            units[i - 1].rank
        } else {
            i as u32 + 1
        };
    }

    Some(YearReport {
        year,
        master: master.clone(),
        missing,
        not_yet,
        last,
        as_of,
        issued_on: as_of + chrono::Days::new(u64::from(issue_after_days)),
        leaders,
        unfinished,
        units,
        problems: history.problems.clone(),
        trend,
    })
}

/// The units at the top (`top`) or the bottom of the ranking as a phrase: those within the first
/// (or last) three places, ties included; more than five are cut to five and counted:
/// `甲、乙、丙、丁、戊等7个单位（并列第1名）`.
pub fn ranking_phrase(units: &[UnitYear], top: bool) -> String {
    let Some(n) = units.len().checked_sub(1) else {
        return String::new();
    };
    let chosen: Vec<&UnitYear> = if top {
        let cut = units.get(2.min(n)).map_or(0, |u| u.rank);
        units.iter().filter(|u| u.rank <= cut).collect()
    } else {
        let cut = units.get(n.saturating_sub(2)).map_or(0, |u| u.rank);
        units.iter().rev().filter(|u| u.rank >= cut).collect()
    };
    let names: Vec<&str> = chosen.iter().take(5).map(|u| u.name.as_str()).collect();
    let mut text = names.join("、");
    if chosen.len() > 5 {
        text.push_str(&format!("等{}个单位", chosen.len()));
    }
    let first = chosen.first().map_or(0, |u| u.rank);
    if chosen.len() > 3 && chosen.iter().all(|u| u.rank == first) {
        text.push_str(&format!("（并列第{first}名）"));
    }
    text
}

/// `1月至6月`, `9月`, `1月、3月至4月`: months of one year as ranges.
pub fn month_ranges(months: &[Month]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(first) = months.get(i) {
        let mut j = i;
        while months.get(j + 1).is_some_and(|m| *m == months[j].next()) {
            j += 1;
        }
        parts.push(if j == i {
            format!("{}月", first.month)
        } else {
            format!("{}月至{}月", first.month, months[j].month)
        });
        i = j + 1;
    }
    parts.join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, rank: u32) -> UnitYear {
        UnitYear {
            rank,
            name: name.into(),
            tasks: 1,
            months: 5,
            reported: 5,
            on_time: 5,
            on_time_rate: 100.0,
            completion_rate: 0.0,
            red_task_months: 0,
        }
    }

    #[test]
    fn ranking_phrases_keep_ties_together() {
        let plain = [
            unit("甲", 1),
            unit("乙", 2),
            unit("丙", 3),
            unit("丁", 4),
            unit("戊", 5),
        ];
        assert_eq!(ranking_phrase(&plain, true), "甲、乙、丙");
        assert_eq!(ranking_phrase(&plain, false), "戊、丁、丙");
        let tied: Vec<UnitYear> = ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .map(|n| unit(n, 1))
            .chain([unit("h", 8), unit("i", 9)])
            .collect();
        assert_eq!(
            ranking_phrase(&tied, true),
            "a、b、c、d、e等7个单位（并列第1名）"
        );
        assert_eq!(ranking_phrase(&tied, false), "i、h、g、f、e等9个单位");
        assert_eq!(ranking_phrase(&[], true), "");
    }

    #[test]
    fn month_ranges_read_naturally() {
        let m = |month| Month { year: 2026, month };
        assert_eq!(
            month_ranges(&[m(1), m(2), m(3), m(4), m(5), m(6)]),
            "1月至6月"
        );
        assert_eq!(month_ranges(&[m(9)]), "9月");
        assert_eq!(month_ranges(&[m(1), m(3), m(4)]), "1月、3月至4月");
        assert_eq!(month_ranges(&[]), "");
    }
}
