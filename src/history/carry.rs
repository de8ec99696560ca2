//! What the record of the year carries into the run's month: the past of every task (the
//! completion on record, the last known figure) and the streaks of months not reported and of
//! red months.

use super::History;
use crate::model::{Light, Month, MonthRecord, PreviousTask, Status};
use std::collections::BTreeMap;

impl History {
    /// Works out [`History::past`] from the months on record (texts still present).
    pub(super) fn work_out_past(&self) -> BTreeMap<u32, PreviousTask> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(year: i32, month: u32) -> Month {
        Month { year, month }
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
