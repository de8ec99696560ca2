//! Everything the renderers need for one month, and its look-ups by unit and task.

use chrono::NaiveDate;
use serde::Serialize;

use super::{
    Classification, DocumentNumber, Master, Merged, Month, Numbering, Problem, Receipt, Severity,
    Task, Trend,
};

/// Everything the renderers need for one month. Renderers only lay this out.
#[derive(Debug, Clone, Serialize)]
pub struct MonthReport {
    pub month: Month,
    pub as_of: NaiveDate,
    /// Date printed on the documents (as-of + office.issue_after_days).
    pub issued_on: NaiveDate,
    /// Feedback deadline printed on notices.
    pub feedback_due: NaiveDate,
    pub master: Master,
    pub merged: Merged,
    pub classification: Classification,
    /// Whether last month's 汇总表 was found and read.
    pub previous_available: bool,
    /// The months on record and this one side by side (the 月度趋势, the notices' progress
    /// paths, the mayor's chart).
    #[serde(skip)]
    pub trend: Trend,
    /// Every problem of the run (master, intake, merge, history, render), sorted.
    pub problems: Vec<Problem>,
    /// How the run numbers its documents (see `doc_numbers`).
    #[serde(skip)]
    pub numbering: Numbering,
    /// The numbers the run's documents used (filled by the render stage; run.json records them).
    pub document_numbers: Vec<DocumentNumber>,
}

/// A report's problems and receipts looked up by unit and task, built once where many
/// documents ask: each unit notice, email and 报送情况 row scanning every problem or receipt
/// of the run is quadratic at a hundred times the demo's size.
pub struct Lookup<'a> {
    /// Every problem naming a unit, per unit, in the run's order.
    unit_problems: std::collections::HashMap<&'a str, Vec<&'a Problem>>,
    receipts: std::collections::HashMap<&'a str, &'a Receipt>,
    /// (task, unit) of every error found in a unit's workbook about one of its tasks.
    rejected: std::collections::HashSet<(u32, &'a str)>,
}

impl MonthReport {
    /// The report's [`Lookup`].
    pub fn lookup(&self) -> Lookup<'_> {
        let mut unit_problems: std::collections::HashMap<&str, Vec<&Problem>> = Default::default();
        let mut rejected = std::collections::HashSet::new();
        for p in &self.problems {
            let Some(unit) = p.unit.as_deref() else {
                continue;
            };
            unit_problems.entry(unit).or_default().push(p);
            if let (Some(task), Some(_), Severity::Error) = (p.task, &p.file, p.severity) {
                rejected.insert((task, unit));
            }
        }
        let mut receipts = std::collections::HashMap::new();
        for r in &self.merged.receipts {
            receipts.entry(r.unit.as_str()).or_insert(r);
        }
        Lookup {
            unit_problems,
            receipts,
            rejected,
        }
    }
}

impl<'a> Lookup<'a> {
    /// The problems naming `unit`, in the run's order.
    pub fn problems_of(&self, unit: &str) -> &[&'a Problem] {
        self.unit_problems.get(unit).map_or(&[], Vec::as_slice)
    }

    /// The unit's 报送情况, if it has one.
    pub fn receipt(&self, unit: &str) -> Option<&'a Receipt> {
        self.receipts.get(unit).copied()
    }

    /// Whether an error in a lead unit's workbook is about `task` (its row was refused).
    pub fn rejected(&self, task: &Task) -> bool {
        task.units
            .iter()
            .any(|u| self.rejected.contains(&(task.number, u.as_str())))
    }
}
