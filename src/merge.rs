//! Merge: one record per task per unit from all submissions of the month, with receipts and
//! the reconciliation (rows read = merged + rejected + superseded).
//!
//! When one unit reports a task more than once (two files, or twice in one file), the later
//! 填报日期 wins, then the later file name, then the later row; every loser is recorded as
//! superseded, never silently dropped. A byte-identical copy of another file is merged once:
//! its rows count as superseded and one warning names it.

use crate::model::{
    Master, Merged, Problem, ProblemCode, ProgressRow, Receipt, Reconciliation, Severity,
    Submission, UnitReport, cell_ref, sort_problems,
};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One candidate row with what decides precedence.
struct Candidate<'a> {
    row: &'a ProgressRow,
    reported_on: Option<NaiveDate>,
}

impl Candidate<'_> {
    /// Later wins: 填报日期, then file name; within a file a visible row over a hidden one,
    /// then the later sheet and row.
    fn key(&self) -> (Option<NaiveDate>, &str, bool, &str, u32) {
        (
            self.reported_on,
            &self.row.source.file,
            !self.row.source.hidden,
            &self.row.source.sheet,
            self.row.source.row,
        )
    }
}

/// Merges the month's submissions; see the module docs.
pub fn merge(master: &Master, submissions: &[Submission]) -> Merged {
    // A byte-identical copy of an earlier file (a forwarded mail, “… - 副本.xlsx”) is one
    // submission: its rows count as superseded and its findings, the same as the original's,
    // are not repeated; one warning names the copy.
    let copies = identical_copies(submissions);
    let is_copy = |s: &Submission| copies.contains_key(s.file.as_str());
    let mut problems: Vec<Problem> = submissions
        .iter()
        .filter(|s| !is_copy(s))
        .flat_map(|s| s.problems.iter().cloned())
        .collect();
    let mut superseded = 0u32;
    let mut by_key: BTreeMap<(u32, String), Vec<Candidate<'_>>> = BTreeMap::new();
    for sub in submissions {
        if is_copy(sub) {
            superseded += sub.rows_read;
            continue;
        }
        let Some(unit) = &sub.unit else { continue };
        for row in &sub.rows {
            by_key
                .entry((row.task, unit.clone()))
                .or_default()
                .push(Candidate {
                    row,
                    reported_on: sub.reported_on,
                });
        }
    }

    let mut winners: BTreeMap<u32, Vec<UnitReport>> = BTreeMap::new();
    for ((task, unit), mut candidates) in by_key {
        candidates.sort_by(|a, b| a.key().cmp(&b.key()));
        let Some(winner) = candidates.pop() else {
            continue;
        };
        for loser in &candidates {
            superseded += 1;
            problems.push(superseded_problem(&unit, loser, &winner));
        }
        winners.entry(task).or_default().push(UnitReport {
            unit,
            row: winner.row.clone(),
            reported_on: winner.reported_on,
        });
    }
    let reports = order_reports(master, winners);
    problems.extend(copy_warnings(submissions, &copies));
    problems.extend(missing_tasks(master, submissions, &reports));

    let merged_count = reports.values().map(|v| v.len() as u32).sum();
    let reconciliation = Reconciliation {
        rows_read: submissions.iter().map(|s| s.rows_read).sum(),
        merged: merged_count,
        rejected: submissions
            .iter()
            .filter(|s| !is_copy(s))
            .map(|s| s.rows_rejected)
            .sum(),
        superseded,
        not_reporting: submissions
            .iter()
            .filter(|s| !is_copy(s))
            .map(|s| s.rows_not_reporting)
            .sum(),
    };
    debug_assert!(
        reconciliation.balances(),
        "reconciliation does not balance: {reconciliation:?}"
    );
    let receipts = receipts(master, submissions, &reports, &problems);
    sort_problems(&mut problems);
    Merged {
        reports,
        receipts,
        reconciliation,
        problems,
    }
}

/// Files whose bytes are identical to another file that was read: copy → original. The
/// original is the one with the shortest name (a copy's name adds “ - 副本”, “(1)”, “_副本”…),
/// then the first by name. Unreadable files (nothing read) are left alone, each keeps its own
/// finding.
fn identical_copies(submissions: &[Submission]) -> HashMap<&str, &str> {
    let mut first_by_hash: HashMap<&str, &str> = HashMap::new();
    let mut sorted: Vec<&Submission> = submissions
        .iter()
        .filter(|s| !s.sha256.is_empty() && s.rows_read > 0)
        .collect();
    sorted
        .sort_by(|a, b| (a.file.chars().count(), &a.file).cmp(&(b.file.chars().count(), &b.file)));
    let mut copies = HashMap::new();
    for sub in sorted {
        match first_by_hash.get(sub.sha256.as_str()) {
            Some(first) => {
                copies.insert(sub.file.as_str(), *first);
            }
            None => {
                first_by_hash.insert(&sub.sha256, &sub.file);
            }
        }
    }
    copies
}

/// One warning per copy, naming the original (sorted with the others by `merge`).
fn copy_warnings(submissions: &[Submission], copies: &HashMap<&str, &str>) -> Vec<Problem> {
    submissions
        .iter()
        .filter_map(|sub| {
            let first = copies.get(sub.file.as_str())?;
            let mut p = Problem::duplicate_file(first, sub.rows_read).file(sub.file.clone());
            if let Some(unit) = &sub.unit {
                p = p.unit(unit.clone());
            }
            Some(p)
        })
        .collect()
}

fn superseded_problem(unit: &str, loser: &Candidate<'_>, winner: &Candidate<'_>) -> Problem {
    let src = &loser.row.source;
    let win = &winner.row.source;
    let problem = if src.file == win.file {
        Problem::superseded_in_file(loser.row.task, &win.sheet, win.row + 1)
    } else {
        Problem::superseded_by_file(loser.row.task, &win.file)
    };
    problem
        .unit(unit)
        .file(src.file.clone())
        .sheet(src.sheet.clone())
        .cell(cell_ref(src.row, 0))
        .task(loser.row.task)
}

/// Each task's reports in the master's order of its lead units.
fn order_reports(
    master: &Master,
    winners: BTreeMap<u32, Vec<UnitReport>>,
) -> BTreeMap<u32, Vec<UnitReport>> {
    winners
        .into_iter()
        .map(|(task, mut reports)| {
            let order = master
                .task(task)
                .map(|t| t.units.clone())
                .unwrap_or_default();
            reports.sort_by_key(|r| {
                (
                    order
                        .iter()
                        .position(|u| *u == r.unit)
                        .unwrap_or(usize::MAX),
                    r.unit.clone(),
                )
            });
            (task, reports)
        })
        .collect()
}

/// Each unit's files, in submission order.
fn files_by_unit(submissions: &[Submission]) -> HashMap<&str, Vec<&Submission>> {
    let mut map: HashMap<&str, Vec<&Submission>> = HashMap::new();
    for s in submissions {
        if let Some(unit) = s.unit.as_deref() {
            map.entry(unit).or_default().push(s);
        }
    }
    map
}

/// Warnings for the tasks a unit leads that none of its files reported (rows rejected with an
/// error are already reported and not repeated here). The warning names the unit's latest file.
fn missing_tasks(
    master: &Master,
    submissions: &[Submission],
    reports: &BTreeMap<u32, Vec<UnitReport>>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let by_unit = files_by_unit(submissions);
    for unit in master.units.iter().map(|u| u.name.as_str()) {
        let Some(files) = by_unit.get(unit) else {
            continue;
        };
        let latest = files
            .iter()
            .max_by(|a, b| (a.reported_on, &a.file).cmp(&(b.reported_on, &b.file)));
        // rows refused with an error, and rows that report nothing, are named already
        let rejected: BTreeSet<u32> = files
            .iter()
            .flat_map(|s| s.problems.iter())
            .filter(|p| {
                p.severity == Severity::Error
                    || matches!(
                        p.code,
                        ProblemCode::RowNotReported | ProblemCode::CarriedRowUnchanged
                    )
            })
            .filter_map(|p| p.task)
            .collect();
        let missing: Vec<u32> = master
            .tasks_of_unit(unit)
            .map(|t| t.number)
            .filter(|n| !rejected.contains(n))
            .filter(|n| {
                !reports
                    .get(n)
                    .is_some_and(|rs| rs.iter().any(|r| r.unit == unit))
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        let list = missing
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join("、");
        let mut p = Problem::tasks_missing(&list, missing.len()).unit(unit);
        if let Some(s) = latest {
            p = p.file(s.file.clone());
        }
        problems.push(p);
    }
    problems
}

/// One receipt per unit of the master. A problem counts for a unit when it names the unit or
/// one of the unit's files (once, even when it does both).
fn receipts(
    master: &Master,
    submissions: &[Submission],
    reports: &BTreeMap<u32, Vec<UnitReport>>,
    problems: &[Problem],
) -> Vec<Receipt> {
    let by_unit = files_by_unit(submissions);
    let unit_of_file: HashMap<&str, &str> = by_unit
        .iter()
        .flat_map(|(unit, files)| files.iter().map(move |s| (s.file.as_str(), *unit)))
        .collect();
    // unit → (errors, warnings)
    let mut counts: HashMap<&str, (u32, u32)> = HashMap::new();
    for p in problems {
        let (e, w) = match p.severity {
            Severity::Error => (1, 0),
            Severity::Warning => (0, 1),
            Severity::Info => continue,
        };
        let named = p.unit.as_deref();
        let via_file = p.file.as_deref().and_then(|f| unit_of_file.get(f).copied());
        for unit in [named, via_file.filter(|u| Some(*u) != named)]
            .into_iter()
            .flatten()
        {
            let c = counts.entry(unit).or_default();
            c.0 += e;
            c.1 += w;
        }
    }
    let mut merged: HashMap<&str, u32> = HashMap::new();
    for r in reports.values().flatten() {
        *merged.entry(r.unit.as_str()).or_default() += 1;
    }
    master
        .units
        .iter()
        .map(|u| {
            let name = u.name.as_str();
            let files: &[&Submission] = by_unit.get(name).map(Vec::as_slice).unwrap_or_default();
            let (errors, warnings) = counts.get(name).copied().unwrap_or_default();
            let rows_read: u32 = files.iter().map(|s| s.rows_read).sum();
            // rows that report nothing (form rows left blank, finished tasks' pre-filled
            // rows returned unchanged) do not make the unit 已报送
            let reporting = rows_read - files.iter().map(|s| s.rows_not_reporting).sum::<u32>();
            // Files that gave no readable row are 报送无效: the reason is the first error of
            // the unit's files (a password, a damaged file …).
            let invalid = (!files.is_empty() && reporting == 0).then(|| {
                files
                    .iter()
                    .flat_map(|s| s.problems.iter())
                    .find(|p| p.severity == Severity::Error)
                    .map(|p| p.message.clone())
                    .unwrap_or_else(|| {
                        if rows_read > 0 {
                            "文件中没有一行填写了完成进度或状态（预填的已完成任务原样退回，不算报送）"
                                .to_string()
                        } else {
                            "报送的文件中没有可读取的任务行".to_string()
                        }
                    })
            });
            Receipt {
                unit: u.name.clone(),
                received: reporting > 0,
                invalid,
                reported_on: files.iter().filter_map(|s| s.reported_on).max(),
                rows_read,
                rows_merged: merged.get(name).copied().unwrap_or(0),
                errors,
                warnings,
                files: files.iter().map(|s| s.file.clone()).collect(),
            }
        })
        .collect()
}
