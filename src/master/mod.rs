//! The master task sheet (任务分解方案) → tasks, leaders and units.
//!
//! Two layouts load: the office's sectioned sheet as published (title row, “贺海东市长为总负责人”,
//! section rows “(一) 主要预期目标”, leader rows “刘继英副市长分管领域35项（含主要预期目标5项）”,
//! header rows repeated after page breaks, task rows), and a flat sheet with an explicit
//! 分管市领导 column. Counts declared on the section rows are checked against what was found.

use crate::config::Config;
use crate::deadline::parse_deadline;
use crate::model::{Category, Deadline, Leader, Master, Problem, Task, cell_ref};
use crate::units::Directory;
use calamine::{Data, Reader, open_workbook_auto};
use std::path::Path;

mod declared;
mod rows;
mod summary;
use declared::{assign_main_targets, check_counts};
use rows::*;
pub use summary::{CountRow, MasterSummary};

/// The master sheet could not be used at all (exit code 2); the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    #[error("无法读取任务分解表 {path}：{source}")]
    Open {
        path: String,
        #[source]
        source: calamine::Error,
    },
    #[error("无法读取任务分解表 {path}：{reason}")]
    NoTaskSheet {
        path: String,
        /// Why the last sheet tried was not the task list.
        reason: String,
        /// The reader's error on that sheet, if it could not be read at all.
        #[source]
        source: Option<calamine::Error>,
    },
}

/// Reads the master workbook's first sheet that contains task rows.
pub fn load(
    path: &Path,
    units: &Directory,
    cfg: &Config,
) -> Result<(Master, Vec<Problem>), MasterError> {
    let mut wb = open_workbook_auto(path).map_err(|source| MasterError::Open {
        path: path.display().to_string(),
        source,
    })?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut reason = String::from("工作簿中没有工作表");
    let mut last_source = None;
    for sheet in wb.sheet_names() {
        let range = match wb.worksheet_range(&sheet) {
            Ok(r) => r,
            Err(e) => {
                reason = format!("工作表“{sheet}”无法读取（{e}）");
                last_source = Some(e);
                continue;
            }
        };
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        let start = range.start().map(|(r, _)| r).unwrap_or(0);
        let src = Source {
            file: &file,
            sheet: &sheet,
            first_row: start,
        };
        match parse_rows(&rows, &src, units, cfg) {
            Some(result) => return Ok(result),
            None => {
                reason = format!("工作表“{sheet}”中没有找到含“序号”“任务目标”的表头");
                last_source = None;
            }
        }
    }
    Err(MasterError::NoTaskSheet {
        path: path.display().to_string(),
        reason,
        source: last_source,
    })
}

/// Where the rows came from, for problem locations.
pub struct Source<'a> {
    pub file: &'a str,
    pub sheet: &'a str,
    /// 0-based sheet row of `rows[0]`.
    pub first_row: u32,
}

impl Source<'_> {
    fn problem(&self, p: Problem, row: usize, col: usize) -> Problem {
        p.file(self.file)
            .sheet(self.sheet)
            .cell(cell_ref(self.first_row + row as u32, col as u32))
    }
}

/// Column positions of a header row.
#[derive(Debug, Clone, Copy)]
struct Columns {
    number: usize,
    text: usize,
    unit: Option<usize>,
    deadline: Option<usize>,
    leader: Option<usize>,
    category: Option<usize>,
}

fn get(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or("")
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn header_columns(row: &[String]) -> Option<Columns> {
    let find = |names: &[&str]| {
        row.iter()
            .position(|c| names.iter().any(|n| squash(c) == *n))
    };
    Some(Columns {
        number: find(&["序号", "编号", "任务序号"])?,
        text: find(&["任务目标", "任务", "工作任务", "重点任务", "任务内容"])?,
        unit: find(&["牵头单位", "责任单位", "牵头部门"]),
        deadline: find(&["完成时限", "时限", "完成时间"]),
        leader: find(&["分管市领导", "分管领导", "责任领导", "市领导"]),
        category: find(&["类别", "任务类别", "分类"]),
    })
}

/// Task number in the 序号 cell: “12”, “12.0”.
fn task_number(cell: &str) -> Option<u32> {
    let t = cell.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) || t.len() > 6 {
        return None;
    }
    t.parse().ok().filter(|n| *n > 0)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

struct Section {
    leader: Option<usize>,
}

/// Parses the rows of one sheet; `None` when no header row is found.
pub fn parse_rows(
    rows: &[Vec<String>],
    src: &Source,
    units: &Directory,
    cfg: &Config,
) -> Option<(Master, Vec<Problem>)> {
    let mut problems = Vec::new();
    let mut title = String::new();
    let mut mayor: Option<Leader> = None;
    let mut leaders: Vec<Leader> = Vec::new();
    let mut tasks: Vec<Task> = Vec::new();
    let mut cols: Option<Columns> = None;
    let mut category = Category::Other;
    let mut seen_category = false;
    let mut section = Section { leader: None };
    let mut unit_order: Vec<String> = Vec::new();
    let mut units_seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut numbers_seen: std::collections::HashSet<u32> = std::collections::HashSet::new();

    for (r, row) in rows.iter().enumerate() {
        let filled: Vec<(usize, &String)> = row
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .collect();
        let Some(&(first_col, first)) = filled.first() else {
            continue;
        };
        if let Some(c) = header_columns(row) {
            cols = Some(c);
            continue;
        }
        let number = cols.and_then(|c| task_number(get(row, c.number)));
        if number.is_none() && filled.len() == 1 {
            if let Some(l) = parse_overall_lead(first) {
                mayor = Some(l);
            } else if let Some(l) = parse_leader_row(first) {
                category = Category::Other;
                section.leader = Some(leaders.len());
                leaders.push(l);
            } else if let Some(c) = parse_category_row(first) {
                category = c;
                seen_category = true;
                section.leader = None;
            } else if title.is_empty() && cols.is_none() {
                title = first.trim().to_string();
            } else {
                problems.push(src.problem(
                    Problem::master_unrecognised_row().raw(first.as_str()),
                    r,
                    first_col,
                ));
            }
            continue;
        }
        let Some(c) = cols else { continue };
        let Some(number) = number else {
            problems.push(src.problem(
                Problem::master_bad_number().raw(get(row, c.number)),
                r,
                c.number,
            ));
            continue;
        };
        if !numbers_seen.insert(number) {
            problems.push(
                src.problem(
                    Problem::master_duplicate_number(number)
                        .raw(number.to_string())
                        .task(number),
                    r,
                    c.number,
                ),
            );
            continue;
        }
        let text = get(row, c.text).trim().to_string();
        let unit_raw = c.unit.map(|i| get(row, i)).unwrap_or("").trim().to_string();
        let deadline_raw = c
            .deadline
            .map(|i| get(row, i))
            .unwrap_or("")
            .trim()
            .to_string();
        let source_row = src.first_row + r as u32 + 1;

        let (found, missing) = units.resolve_compound(&unit_raw);
        let task_units: Vec<String> = found.iter().map(|u| u.name.clone()).collect();
        for m in &missing {
            problems.push(
                src.problem(
                    Problem::master_unknown_unit(source_row, number, m)
                        .raw(unit_raw.as_str())
                        .task(number),
                    r,
                    c.unit.unwrap_or(0),
                ),
            );
        }
        if unit_raw.is_empty() {
            problems.push(src.problem(
                Problem::master_no_unit(number).task(number),
                r,
                c.unit.unwrap_or(0),
            ));
        }
        for u in &task_units {
            if units_seen.insert(u.clone()) {
                unit_order.push(u.clone());
            }
        }
        let date = parse_deadline(&deadline_raw, cfg.year);
        if date.is_none() {
            problems.push(
                src.problem(
                    Problem::master_open_deadline(number, &deadline_raw)
                        .raw(deadline_raw.as_str())
                        .task(number),
                    r,
                    c.deadline.unwrap_or(0),
                ),
            );
        }
        // Flat layout: explicit leader and category columns.
        let mut task_leaders = Vec::new();
        let mut task_category = category;
        if let Some(li) = c.leader {
            for name in get(row, li).split(['、', '，', ',', '；', ';', '/', '\n']) {
                let name = strip_title(name.trim());
                if name.is_empty() {
                    continue;
                }
                if !leaders.iter().any(|l| l.name == name) {
                    leaders.push(Leader {
                        name: name.to_string(),
                        title: title_of(get(row, li), name),
                        declared_count: None,
                        declared_main_targets: None,
                    });
                }
                task_leaders.push(name.to_string());
            }
            if let Some(ci) = c.category {
                task_category = if get(row, ci).contains("主要预期目标") {
                    Category::MainTarget
                } else {
                    Category::Other
                };
            }
        } else if let Some(li) = section.leader {
            task_leaders.push(leaders[li].name.clone());
        }
        if !seen_category && c.leader.is_none() && section.leader.is_none() {
            task_category = Category::Other;
        }
        tasks.push(Task {
            number,
            text,
            category: task_category,
            leaders: task_leaders,
            units: task_units,
            unit_raw,
            deadline: Deadline {
                raw: deadline_raw,
                date,
            },
            source_row,
        });
    }
    cols?;
    let sectioned = leaders.iter().any(|l| l.declared_count.is_some());
    if sectioned {
        assign_main_targets(&mut tasks, &leaders, cfg, &mut problems, src);
        check_counts(&tasks, &leaders, &mut problems, src);
    }
    for t in &tasks {
        if t.leaders.is_empty() {
            problems.push(
                Problem::master_no_leader(t.number)
                    .file(src.file)
                    .sheet(src.sheet)
                    .task(t.number),
            );
        }
    }
    let mayor = mayor.unwrap_or_else(|| {
        problems.push(Problem::master_no_mayor().file(src.file).sheet(src.sheet));
        Leader {
            name: String::new(),
            title: "市长".into(),
            declared_count: None,
            declared_main_targets: None,
        }
    });
    let unit_list = unit_order
        .iter()
        .filter_map(|n| units.get(n).cloned())
        .collect();
    Some((
        Master {
            title,
            mayor,
            leaders,
            tasks,
            units: unit_list,
            index: Default::default(),
        },
        problems,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_rows() {
        let l = parse_leader_row("刘继英副市长分管领域35项（含主要预期目标5项）").unwrap();
        assert_eq!((l.name.as_str(), l.title.as_str()), ("刘继英", "副市长"));
        assert_eq!(
            (l.declared_count, l.declared_main_targets),
            (Some(35), Some(5))
        );
        let l = parse_leader_row("朱建国主任负责10项").unwrap();
        assert_eq!(
            (l.name.as_str(), l.title.as_str(), l.declared_count),
            ("朱建国", "主任", Some(10))
        );
        assert_eq!(
            parse_overall_lead("贺海东市长为总负责人").unwrap().name,
            "贺海东"
        );
        assert_eq!(
            parse_category_row("(一) 主要预期目标"),
            Some(Category::MainTarget)
        );
        assert_eq!(
            parse_category_row("（二）其他经济社会发展任务"),
            Some(Category::Other)
        );
        assert!(parse_leader_row("2026年《政府工作报告》重点工作任务分解方案").is_none());
        assert!(
            header_columns(&[
                "序号".into(),
                "任 务 目 标".into(),
                "牵头单位".into(),
                "完成时限".into()
            ])
            .is_some()
        );
    }
}
