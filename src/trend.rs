//! The months side by side: each task's progress, status and light month by month, and the
//! city's light counts and 办结率 per month. Built from the record (`history`) and, for a
//! monthly run, the month being classified (once, in `pipeline::build_report`); read by the 月度趋势 sheet, the notices' progress
//! paths and the mayor's chart, and by `duban year`.

pub use crate::model::{Point, Trend};

use crate::model::{
    Classification, Counts, Light, Merged, Month, MonthRecord, PreviousTask, Status, UnitReceipt,
};
use std::collections::BTreeMap;

/// `7月`, or `2026年12月` where `months` cross a year.
pub fn month_label(month: Month, months: &[Month]) -> String {
    let one_year = months.first().map(|m| m.year) == months.last().map(|m| m.year);
    if one_year {
        format!("{}月", month.month)
    } else {
        month.label()
    }
}

/// Index of a light in `[red, yellow, blue, green]`.
pub fn light_index(light: Light) -> usize {
    match light {
        Light::Red => 0,
        Light::Yellow => 1,
        Light::Blue => 2,
        Light::Green => 3,
    }
}

impl Trend {
    /// The trend over some months on record (any order; duplicates keep the first).
    pub fn of_records<'a>(records: impl IntoIterator<Item = &'a MonthRecord>) -> Trend {
        let mut by_month: BTreeMap<Month, &BTreeMap<u32, PreviousTask>> = BTreeMap::new();
        for r in records {
            by_month.entry(r.month).or_insert(&r.tasks);
        }
        let (Some(first), Some(last)) = (
            by_month.keys().next().copied(),
            by_month.keys().next_back().copied(),
        ) else {
            return Trend::default();
        };
        let mut months = Vec::new();
        let mut m = first;
        while m <= last {
            months.push(m);
            m = m.next();
        }
        let mut trend = Trend {
            totals: vec![None; months.len()],
            months,
            tasks: BTreeMap::new(),
        };
        for (i, month) in trend.months.iter().enumerate() {
            let Some(tasks) = by_month.get(month) else {
                continue;
            };
            let mut totals = Counts::default();
            for (n, t) in tasks.iter() {
                // a completion carried forward was not reported that month
                let carried = t.carried && t.status.is_some_and(Status::is_done);
                let reported = t.status != Some(Status::NotReported) && !carried;
                totals.add(t.status, t.light, reported);
                let len = trend.totals.len();
                trend.tasks.entry(*n).or_insert_with(|| vec![None; len])[i] = Some(Point {
                    percent: t.percent,
                    status: t.status,
                    light: t.light,
                });
            }
            trend.totals[i] = Some(totals);
        }
        trend
    }

    /// Months in the range without a usable archive.
    pub fn missing(&self) -> Vec<Month> {
        self.months_where(false)
    }

    /// Months in the range on record.
    pub fn on_record(&self) -> Vec<Month> {
        self.months_where(true)
    }

    fn months_where(&self, on_record: bool) -> Vec<Month> {
        self.months
            .iter()
            .zip(&self.totals)
            .filter(|(_, t)| t.is_some() == on_record)
            .map(|(m, _)| *m)
            .collect()
    }

    /// A task's point in `month`.
    pub fn point(&self, task: u32, month: Month) -> Option<Point> {
        let i = self.months.iter().position(|m| *m == month)?;
        self.tasks
            .get(&task)
            .and_then(|v| v.get(i).copied().flatten())
    }

    /// The progress of the last `n` months up to `month`: `40→55→58`; a month not reported
    /// (or not on record) shows `—`; leading gaps are dropped; empty when fewer than two months
    /// are left.
    pub fn path(&self, task: u32, month: Month, n: usize) -> String {
        let mut months = vec![month];
        for _ in 1..n {
            let before = months.last().map_or(month, |m| m.prev());
            months.push(before);
        }
        months.reverse();
        let values: Vec<Option<f64>> = months
            .iter()
            .map(|m| self.point(task, *m).and_then(|p| p.percent))
            .collect();
        let first = values
            .iter()
            .position(Option::is_some)
            .unwrap_or(values.len());
        let shown = &values[first..];
        if shown.len() < 2 {
            return String::new();
        }
        shown
            .iter()
            .map(|v| match v {
                Some(p) => crate::numbers::one_decimal(*p),
                None => "—".to_string(),
            })
            .collect::<Vec<_>>()
            .join("→")
    }
}

/// The month being classified, as a record (no texts).
pub fn current_record(
    month: Month,
    classification: &Classification,
    merged: &Merged,
) -> MonthRecord {
    MonthRecord {
        month,
        file: std::path::PathBuf::new(),
        receipts: merged
            .receipts
            .iter()
            .map(|r| {
                let u = UnitReceipt {
                    received: r.received,
                    reported_on: r.reported_on,
                };
                (r.unit.clone(), u)
            })
            .collect(),
        tasks: classification
            .outcomes
            .iter()
            .map(|o| {
                let t = PreviousTask {
                    percent: o.percent,
                    light: Some(o.light),
                    status: Some(o.status),
                    progress_text: String::new(),
                    months_not_reported: o.months_not_reported,
                    completed_on: o.completed_on.filter(|_| o.status.is_done()),
                    carried: o.carried_from.is_some() && o.reports.is_empty(),
                    ..PreviousTask::default()
                };
                (o.task, t)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(month: u32) -> Month {
        Month { year: 2026, month }
    }

    fn record(month: Month, tasks: &[(u32, Option<f64>, Status, Light)]) -> MonthRecord {
        MonthRecord::of_tasks(
            month,
            tasks.iter().map(|(n, p, s, l)| {
                let t = PreviousTask {
                    percent: *p,
                    status: Some(*s),
                    light: Some(*l),
                    ..PreviousTask::default()
                };
                (*n, t)
            }),
        )
    }

    #[test]
    fn months_run_from_first_to_last_with_gaps_missing() {
        let records = [
            record(
                m(7),
                &[
                    (1, Some(40.0), Status::OnTrack, Light::Green),
                    (2, Some(100.0), Status::DoneOnTime, Light::Green),
                ],
            ),
            record(
                m(9),
                &[
                    (1, Some(55.0), Status::Lagging, Light::Yellow),
                    (2, Some(100.0), Status::DoneOnTime, Light::Green),
                ],
            ),
            record(
                m(10),
                &[
                    (1, Some(58.0), Status::Lagging, Light::Red),
                    (2, None, Status::NotReported, Light::Yellow),
                ],
            ),
        ];
        let t = Trend::of_records(&records);
        assert_eq!(t.months, vec![m(7), m(8), m(9), m(10)]);
        assert_eq!(t.missing(), vec![m(8)]);
        let oct = t.totals[3].expect("October");
        assert_eq!(oct.lights.as_array(), [1, 1, 0, 0]);
        assert_eq!((oct.tasks, oct.done, oct.not_reported), (2, 0, 1));
        assert_eq!((oct.reported, oct.report_rate()), (1, 50.0));
        assert_eq!(t.totals[0].map(|x| x.completion_rate()), Some(50.0));
        assert_eq!(t.path(1, m(10), 3), "55→58");
        assert_eq!(t.path(1, m(9), 3), "40→—→55");
        assert_eq!(t.path(2, m(10), 3), "100→—");
        assert_eq!(t.path(1, m(7), 3), "");
        assert_eq!(t.path(1, m(11), 3), "55→58→—");
        assert!(Trend::of_records(&[]).months.is_empty());
    }

    #[test]
    fn a_carried_completion_is_done_but_not_reported() {
        let mut november = record(
            m(11),
            &[
                (1, Some(100.0), Status::DoneOnTime, Light::Green),
                (2, Some(100.0), Status::DoneOnTime, Light::Green),
            ],
        );
        if let Some(t) = november.tasks.get_mut(&2) {
            t.carried = true;
        }
        let t = Trend::of_records(&[november]);
        let nov = t.totals[0].expect("November");
        assert_eq!((nov.done, nov.done_on_time, nov.reported), (2, 2, 1));
        assert_eq!(nov.report_rate(), 50.0);
        assert!(crate::history::is_carried_text(
            "（10月已完成，本月未报送）"
        ));
        assert!(!crate::history::is_carried_text("10月已完成"));
    }
}
