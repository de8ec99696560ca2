//! The classify stage: the month report built from the loaded inputs (statuses, lights, red
//! streaks, the trend, the dates of issue and the document numbers planned).

use super::Loaded;
use crate::classify;
use crate::config::Config;
use crate::model::{MonthReport, sort_problems};
use chrono::Datelike;
use std::path::Path;

/// Builds the month report from loaded inputs (classification included).
pub fn build_report(cfg: &Config, loaded: &Loaded) -> MonthReport {
    report_numbered(cfg, loaded, None)
}

/// [`build_report`] for a month whose earlier build recorded its document numbers in `own`
/// (its run.json, on a `--force` rebuild): those numbers are kept.
pub(super) fn report_numbered(cfg: &Config, loaded: &Loaded, own: Option<&Path>) -> MonthReport {
    let mut classification = classify::classify(
        &loaded.master,
        &loaded.merged,
        loaded.history.past(),
        loaded.as_of,
        cfg,
    );
    let last = loaded.month.prev();
    for o in &mut classification.outcomes {
        if o.light == crate::model::Light::Red {
            o.red_months = 1 + loaded.history.red_streak(last, o.task);
        }
    }
    let current = crate::trend::current_record(loaded.month, &classification, &loaded.merged);
    let trend = crate::trend::Trend::of_records(
        loaded
            .history
            .months
            .iter()
            .chain(std::iter::once(&current)),
    );
    let issued_on = loaded.as_of + chrono::Days::new(u64::from(cfg.office.issue_after_days));
    let feedback_due = issued_on + chrono::Days::new(u64::from(cfg.office.feedback_days));
    let mut problems = loaded.problems.clone();
    problems.extend(loaded.merged.problems.iter().cloned());
    sort_problems(&mut problems);
    MonthReport {
        month: loaded.month,
        as_of: loaded.as_of,
        issued_on,
        feedback_due,
        master: loaded.master.clone(),
        merged: loaded.merged.clone(),
        classification,
        previous_available: loaded.history.found(),
        trend,
        problems,
        numbering: crate::doc_numbers::Numbering::plan(
            &cfg.paths.output,
            issued_on.year(),
            cfg.office.number_start,
            own,
        ),
        document_numbers: Vec::new(),
    }
}
