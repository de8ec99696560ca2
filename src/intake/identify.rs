//! Which unit sent a workbook: 填报单位, else the file name, else the tasks it reports.

use crate::model::{Master, Problem};
use crate::units::Directory;

/// Where the unit was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitSource {
    Block,
    FileName,
    Tasks,
}

/// The result of identification.
#[derive(Debug, Clone, PartialEq)]
pub enum Identified {
    Unit {
        name: String,
        source: UnitSource,
    },
    /// 填报单位 and the file name name different units.
    Conflict {
        block: String,
        file: String,
    },
    Unknown,
}

/// Resolves a 填报单位 text: a whole name, else a name inside the text (“市科技局（盖章）”).
pub fn unit_from_block(text: &str, units: &Directory) -> Option<String> {
    units
        .resolve(text)
        .or_else(|| units.find_in_text(text))
        .map(|u| u.name.clone())
}

/// Resolves the unit in a file name (without extension).
pub fn unit_from_file_name(stem: &str, units: &Directory) -> Option<String> {
    units.find_in_text(stem).map(|u| u.name.clone())
}

/// The one unit leading every task in `tasks` (known tasks only), if there is exactly one.
pub fn unit_from_tasks(tasks: &[u32], master: &Master) -> Option<String> {
    let mut candidates: Option<Vec<String>> = None;
    for task in tasks.iter().filter_map(|n| master.task(*n)) {
        candidates = Some(match candidates {
            None => task.units.clone(),
            Some(c) => c.into_iter().filter(|u| task.units.contains(u)).collect(),
        });
    }
    match candidates.as_deref() {
        Some([one]) => Some(one.clone()),
        _ => None,
    }
}

/// Applies the order 填报单位 → file name → tasks; a disagreement between the first two is a
/// conflict.
pub fn identify(
    block: Option<&str>,
    file_unit: Option<&str>,
    task_unit: Option<&str>,
) -> Identified {
    match (block, file_unit) {
        (Some(b), Some(f)) if b != f => Identified::Conflict {
            block: b.to_string(),
            file: f.to_string(),
        },
        (Some(b), _) => Identified::Unit {
            name: b.to_string(),
            source: UnitSource::Block,
        },
        (None, Some(f)) => Identified::Unit {
            name: f.to_string(),
            source: UnitSource::FileName,
        },
        (None, None) => match task_unit {
            Some(t) => Identified::Unit {
                name: t.to_string(),
                source: UnitSource::Tasks,
            },
            None => Identified::Unknown,
        },
    }
}

/// The error for an unidentified file.
pub fn unknown_unit_problem(file: &str, rows: u32) -> Problem {
    Problem::unit_unknown(rows).file(file)
}

/// The error for a 填报单位 / file-name conflict.
pub fn conflict_problem(file: &str, block: &str, from_name: &str, rows: u32) -> Problem {
    Problem::unit_conflict(block, from_name, rows).file(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_conflict() {
        assert_eq!(
            identify(Some("A"), Some("A"), None),
            Identified::Unit {
                name: "A".into(),
                source: UnitSource::Block
            }
        );
        assert_eq!(
            identify(None, Some("B"), Some("C")),
            Identified::Unit {
                name: "B".into(),
                source: UnitSource::FileName
            }
        );
        assert_eq!(
            identify(None, None, Some("C")),
            Identified::Unit {
                name: "C".into(),
                source: UnitSource::Tasks
            }
        );
        assert_eq!(
            identify(Some("A"), Some("B"), None),
            Identified::Conflict {
                block: "A".into(),
                file: "B".into()
            }
        );
        assert_eq!(identify(None, None, None), Identified::Unknown);
    }
}
