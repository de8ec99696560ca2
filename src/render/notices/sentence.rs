//! What the portfolio sentences of the notices say (“…任务18项中，已完成5项…办结率64.3%”):
//! the model's [`Counts`] over the notice's tasks, with the rates as printed, and task numbers
//! joined for a sentence.

use crate::model::{Counts, Status, TaskOutcome};
use crate::numbers::{percent_round1, percent_text};
use serde::Serialize;

/// The counts a notice template reads as `counts.*`: every field of [`Counts`] (flat, lights
/// included), `total` (the tasks), and 办结率 and 报送率 as printed (“64.3%”).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceCounts {
    #[serde(flatten)]
    pub counts: Counts,
    /// The tasks counted (`counts.total` in the templates).
    pub total: u32,
    pub completion_rate: String,
    pub report_rate: String,
}

impl SentenceCounts {
    /// Counts over some outcomes; a task counts as reported unless it is 未报送, and the rates
    /// are done ÷ total and reported ÷ total, rounded to one decimal in one step
    /// ([`percent_round1`]).
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a TaskOutcome>) -> SentenceCounts {
        let mut counts = Counts::default();
        for o in outcomes {
            counts.add(
                Some(o.status),
                Some(o.light),
                o.status != Status::NotReported,
            );
        }
        SentenceCounts {
            counts,
            total: counts.tasks,
            completion_rate: percent_text(percent_round1(counts.done, counts.tasks)),
            report_rate: percent_text(percent_round1(counts.reported, counts.tasks)),
        }
    }

    /// Takes 办结率 and 报送率 from the status engine's counts (as the 汇总表 prints them).
    pub fn with_rates(self, rates: Option<&Counts>) -> SentenceCounts {
        match rates {
            Some(r) => SentenceCounts {
                completion_rate: percent_text(r.completion_rate()),
                report_rate: percent_text(r.report_rate()),
                ..self
            },
            None => self,
        }
    }
}

/// Task numbers joined for a sentence: “79、83”.
pub fn number_list<'a>(outcomes: impl IntoIterator<Item = &'a TaskOutcome>) -> String {
    outcomes
        .into_iter()
        .map(|o| o.task.to_string())
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Light;

    #[test]
    fn sentence_rates_round_in_one_step() {
        assert_eq!(percent_text(percent_round1(18, 28)), "64.3%");
        assert_eq!(percent_text(percent_round1(0, 0)), "0%");
        assert_eq!(percent_text(percent_round1(4, 4)), "100%");
        let counts = SentenceCounts::of([]);
        assert_eq!((counts.total, counts.completion_rate.as_str()), (0, "0%"));
        let mut city = Counts::default();
        city.add(Some(Status::Done), Some(Light::Green), true);
        city.add(Some(Status::Lagging), Some(Light::Red), false);
        city.add(Some(Status::Lagging), Some(Light::Red), false);
        let counts = counts.with_rates(Some(&city));
        assert_eq!(counts.completion_rate, "33.3%");
        assert_eq!(counts.report_rate, "33.3%");
    }

    #[test]
    fn templates_read_the_counts_flat() {
        let mut counts = SentenceCounts::of([]);
        counts.counts.lights.red = 2;
        counts.counts.done_late = 1;
        let json = serde_json::to_value(&counts).unwrap_or_default();
        for key in [
            "total",
            "done",
            "done_late",
            "on_track",
            "due_soon",
            "not_started",
            "lagging",
            "overdue",
            "not_reported",
            "red",
            "yellow",
            "blue",
            "green",
            "completion_rate",
            "report_rate",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["red"], 2);
        assert_eq!(json["done_late"], 1);
        assert_eq!(json["completion_rate"], "0%");
    }
}
