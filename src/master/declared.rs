//! What a sectioned sheet declares, applied and checked once its rows are read: the main targets
//! assigned to their deputy (or from `[main_targets]` in duban.toml), and the counts declared on
//! the leader rows checked against the tasks found.

use super::Source;
use crate::config::Config;
use crate::model::{Category, Leader, Problem, Task};
use std::collections::{HashMap, HashSet};

/// Main targets go to the deputy whose section declares main targets and holds tasks of the
/// same lead unit; the rest come from `[main_targets]` in duban.toml.
pub(super) fn assign_main_targets(
    tasks: &mut [Task],
    leaders: &[Leader],
    cfg: &Config,
    problems: &mut Vec<Problem>,
    src: &Source,
) {
    let configured = cfg.main_target_assignments();
    let mut remaining: Vec<u32> = leaders
        .iter()
        .map(|l| l.declared_main_targets.unwrap_or(0))
        .collect();
    // The units each leader's own section leads (one pass over the tasks).
    let leader_pos: HashMap<&str, usize> = leaders
        .iter()
        .enumerate()
        .rev()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    let mut section_units: Vec<HashSet<String>> = vec![HashSet::new(); leaders.len()];
    for t in tasks.iter().filter(|t| t.category == Category::Other) {
        for l in &t.leaders {
            if let Some(set) = leader_pos
                .get(l.as_str())
                .and_then(|&li| section_units.get_mut(li))
            {
                set.extend(t.units.iter().cloned());
            }
        }
    }
    let main_numbers: Vec<usize> = (0..tasks.len())
        .filter(|&i| tasks[i].category == Category::MainTarget)
        .collect();
    // Configured assignments first: they are the office's explicit decision.
    for &i in &main_numbers {
        let number = tasks[i].number;
        if let Some((_, name)) = configured.iter().find(|(n, _)| *n == number) {
            match leaders.iter().position(|l| &l.name == name) {
                Some(li) => {
                    tasks[i].leaders = vec![name.clone()];
                    remaining[li] = remaining[li].saturating_sub(1);
                }
                None => problems.push(
                    Problem::master_bad_assignment(number, name)
                        .file(src.file)
                        .task(number),
                ),
            }
        }
    }
    for &i in &main_numbers {
        if !tasks[i].leaders.is_empty() {
            continue;
        }
        let candidates: Vec<usize> = (0..leaders.len())
            .filter(|&li| {
                remaining[li] > 0 && tasks[i].units.iter().any(|u| section_units[li].contains(u))
            })
            .collect();
        if let [li] = candidates[..] {
            tasks[i].leaders = vec![leaders[li].name.clone()];
            remaining[li] -= 1;
        } else {
            let who = if candidates.is_empty() {
                "没有哪位领导的分管领域包含该牵头单位".to_string()
            } else {
                let names: Vec<&str> = candidates
                    .iter()
                    .map(|&li| leaders[li].name.as_str())
                    .collect();
                format!("可能属于 {}", names.join("、"))
            };
            problems.push(
                Problem::master_main_target_unassigned(tasks[i].number, &tasks[i].unit_raw, &who)
                    .file(src.file)
                    .sheet(src.sheet)
                    .task(tasks[i].number),
            );
        }
    }
}

/// Declared “35项（含主要预期目标5项）” versus what was found.
pub(super) fn check_counts(
    tasks: &[Task],
    leaders: &[Leader],
    problems: &mut Vec<Problem>,
    src: &Source,
) {
    // leader → (tasks, main targets), a task counted once per leader
    let mut counts: HashMap<&str, (u32, u32)> = HashMap::new();
    for t in tasks {
        let mut names: Vec<&str> = t.leaders.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let c = counts.entry(name).or_default();
            c.0 += 1;
            if t.category == Category::MainTarget {
                c.1 += 1;
            }
        }
    }
    for l in leaders {
        let (total, mains) = counts.get(l.name.as_str()).copied().unwrap_or_default();
        if let Some(declared) = l.declared_count
            && declared != total
        {
            problems.push(
                Problem::master_count_mismatch(&l.display(), declared, total, mains)
                    .file(src.file)
                    .sheet(src.sheet)
                    .raw(declared.to_string()),
            );
        }
        let declared_mains = l.declared_main_targets.unwrap_or(0);
        if declared_mains != mains {
            problems.push(
                Problem::master_main_count_mismatch(&l.display(), declared_mains, mains)
                    .file(src.file)
                    .sheet(src.sheet),
            );
        }
    }
}
