//! The progress model: how each (unit, task) pair goes over the year — drawn once from a seeded
//! splitmix64, independent of the month — and what it reports in a given month.

use super::*;

/// splitmix64 seeded with an FNV-1a hash of a text key.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(key: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in `lo..=hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get((self.next_u64() % items.len() as u64) as usize)
    }
    pub(super) fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        self.pick(items).copied().unwrap_or("")
    }
}

/// How a (unit, task) pair goes over the year; drawn once, independent of the month.
#[derive(Debug, Clone, Copy)]
pub(super) enum Plan {
    /// Finishes on the given date (on or before the deadline, or after it when late).
    Finishes(NaiveDate),
    /// Stays the given number of points behind 序时进度.
    Lags(f64),
    /// No fixed deadline: advances steadily at this share of the year.
    Open(f64),
}

pub(super) fn plan(task: &Task, unit: &Unit, cfg: &Config) -> Plan {
    let mut rng = Rng::new(&format!("plan|{}|{}", unit.name, task.number));
    let start = cfg.plan_start();
    let Some(deadline) = task.deadline.date else {
        return Plan::Open(0.55 + 0.2 * rng.unit());
    };
    let early = deadline <= NaiveDate::from_ymd_opt(cfg.year, 6, 30).unwrap_or(deadline);
    let (on_time, late, lag) = if early {
        (0.80, 0.93, 0.98)
    } else {
        (0.72, 0.84, 0.95)
    };
    let u = rng.unit();
    if u < on_time {
        let ahead = if task.category == Category::MainTarget {
            rng.range(0, 2)
        } else {
            rng.range(2, 40)
        };
        let done = deadline - Duration::days(ahead);
        Plan::Finishes(done.max(start + Duration::days(45)))
    } else if u < late {
        Plan::Finishes(deadline + Duration::days(rng.range(7, 60)))
    } else if u < lag {
        Plan::Lags(rng.range(12, 28) as f64)
    } else {
        Plan::Lags(rng.range(32, 60) as f64)
    }
}

/// Elapsed share of `start..=end` at `at`, in percent 0–100.
pub(super) fn elapsed(start: NaiveDate, end: NaiveDate, at: NaiveDate) -> f64 {
    if at < start {
        return 0.0;
    }
    let total = (end - start).num_days() + 1;
    if total <= 0 || at >= end {
        return 100.0;
    }
    let done = (at - start).num_days() + 1;
    100.0 * done as f64 / total as f64
}

/// A task's state at a month's end.
#[derive(Debug, Clone, Copy)]
pub(super) struct State {
    pub(super) percent: f64,
    pub(super) done_on: Option<NaiveDate>,
    /// 序时进度 (None without a fixed deadline).
    pub(super) expected: Option<f64>,
    pub(super) overdue: bool,
}

/// The month after which a year-end task's figure stops moving.
const STALL_AFTER: Month = Month {
    year: 2026,
    month: 7,
};

/// Whether this (unit, task) stalls after [`STALL_AFTER`]: about one in twelve of the tasks due at
/// the year's end that would otherwise finish, drawn once.
pub(super) fn stalls(task: &Task, unit: &Unit, cfg: &Config) -> bool {
    let year_end = NaiveDate::from_ymd_opt(cfg.year, 12, 31);
    task.deadline.date.is_some()
        && task.deadline.date == year_end
        && matches!(plan(task, unit, cfg), Plan::Finishes(_))
        && Rng::new(&format!("stall|{}|{}", unit.name, task.number)).unit() < 0.08
}

pub(super) fn state(task: &Task, unit: &Unit, month: Month, cfg: &Config) -> State {
    if month > STALL_AFTER && stalls(task, unit, cfg) {
        let frozen = state(task, unit, STALL_AFTER, cfg);
        return State {
            overdue: task.deadline.date.is_some_and(|d| d < month.last_day()),
            expected: task
                .deadline
                .date
                .map(|d| elapsed(cfg.plan_start(), d, month.last_day())),
            ..frozen
        };
    }
    let as_of = month.last_day();
    let start = cfg.plan_start();
    let expected = task.deadline.date.map(|d| elapsed(start, d, as_of));
    let overdue = task.deadline.date.is_some_and(|d| d < as_of);
    let round5 = Rng::new(&format!("round|{}", unit.name)).unit() < 0.5;
    let round = |p: f64| -> f64 {
        let p = p.clamp(0.0, 95.0);
        if round5 {
            (p / 5.0).floor() * 5.0
        } else {
            p.floor()
        }
    };
    let (percent, done_on) = match plan(task, unit, cfg) {
        Plan::Finishes(done) if done <= as_of => (100.0, Some(done)),
        Plan::Finishes(done) => (round(elapsed(start, done, as_of)), None),
        Plan::Lags(lag) => {
            let base = expected.unwrap_or(0.0);
            let months_over = task
                .deadline
                .date
                .map_or(0, |d| (as_of - d).num_days().max(0) / 30);
            let p = base - lag + 4.0 * months_over as f64;
            (if p < 5.0 { 0.0 } else { round(p) }, None)
        }
        Plan::Open(share) => {
            let year_end = NaiveDate::from_ymd_opt(cfg.year, 12, 31).unwrap_or(as_of);
            (round(share * elapsed(start, year_end, as_of)), None)
        }
    };
    State {
        percent,
        done_on,
        expected,
        overdue,
    }
}

/// One task row as the unit fills it in.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Report {
    pub(super) task: u32,
    pub(super) percent: f64,
    pub(super) status: ReportedStatus,
    pub(super) done_on: Option<NaiveDate>,
    pub(super) text: String,
    pub(super) issues: String,
    pub(super) next_steps: String,
}

pub(super) fn report(task: &Task, unit: &Unit, month: Month, cfg: &Config) -> Report {
    let mut st = state(task, unit, month, cfg);
    let key = (unit.name.as_str(), task.number);
    if month >= MESSY_FROM && REGRESSED.contains(&key) {
        let prev = state(task, unit, month.prev(), cfg);
        if prev.done_on.is_none() && prev.percent >= 20.0 {
            st.percent = prev.percent - 10.0;
            st.done_on = None;
        }
    }
    let mut rng = Rng::new(&format!("report|{month}|{}|{}", unit.name, task.number));
    let lagging = st.done_on.is_none()
        && (st.overdue
            || st
                .expected
                .is_some_and(|e| e - st.percent > cfg.thresholds.lag_tolerance));
    let status = if st.done_on.is_some() {
        ReportedStatus::Done
    } else if st.percent <= 0.0 {
        ReportedStatus::NotStarted
    } else if lagging && (st.overdue || rng.unit() < 0.75) {
        ReportedStatus::Lagging
    } else {
        ReportedStatus::OnTrack
    };
    let copied = month >= MESSY_FROM && COPIED.contains(&key);
    let text_month = if copied { month.prev() } else { month };
    let text_state = if copied {
        state(task, unit, text_month, cfg)
    } else {
        st
    };
    let text = progress_text(task, unit, text_month, &text_state);
    let (issues, next_steps) = issues_and_next(task, month, &st, lagging, &mut rng);
    Report {
        task: task.number,
        percent: st.percent,
        status,
        done_on: st.done_on,
        text,
        issues,
        next_steps,
    }
}
