//! The 督办单 of one leader: portfolio sentence, the tasks needing attention (red, yellow,
//! blue) and all their tasks grouped by lead unit.

use super::cells::{
    col, group_row, header_row, issue_text, status_cell, status_cell_with_history, text_cell,
};
use super::figures::PercentColumn;
use super::name_column::NameColumn;
use super::sentence::SentenceCounts;
use super::{Input, compose};
use crate::model::{Leader, Light, MonthReport, Task, TaskOutcome};
use duban_pdf::{Align, Block, Document, Meta, Row, Table, TableStyle};

/// Name of the template.
pub const TEMPLATE: &str = "notice_leader.j2";

/// A leader's task with its outcome, in master order.
pub(crate) fn portfolio<'a>(
    report: &'a MonthReport,
    leader: &'a str,
) -> Vec<(&'a Task, &'a TaskOutcome)> {
    report
        .master
        .tasks_of_leader(leader)
        .filter_map(|t| report.classification.outcome(t.number).map(|o| (t, o)))
        .collect()
}

/// The document for `leader`.
pub(crate) fn document(
    input: &Input,
    leader: &Leader,
) -> Result<(Document, Meta), super::NoticeError> {
    let report = input.report;
    let tasks = portfolio(report, &leader.name);
    let rates = report
        .classification
        .leaders
        .iter()
        .find(|(name, _)| *name == leader.name)
        .map(|(_, r)| r);
    let counts = SentenceCounts::of(tasks.iter().map(|(_, o)| *o)).with_rates(rates);
    let attention = attention(&tasks);
    let groups = groups(&tasks);
    let units: Vec<&str> = groups.iter().map(|(unit, _)| *unit).collect();
    let extra = serde_json::json!({
        "leader": { "name": leader.name, "title": leader.title, "display": leader.display() },
        "counts": counts,
        "attention_count": attention.len(),
        "units": units,
        "units_text": units.join("、"),
    });
    compose(input, TEMPLATE, extra, &|name| match name {
        "attention" => Some(attention_table(&attention, input)),
        "overview" => Some(overview_table(&groups)),
        _ => None,
    })
}

/// Red, then yellow, then blue tasks, each in master order.
fn attention<'a>(tasks: &[(&'a Task, &'a TaskOutcome)]) -> Vec<(&'a Task, &'a TaskOutcome)> {
    [Light::Red, Light::Yellow, Light::Blue]
        .iter()
        .flat_map(|light| {
            tasks
                .iter()
                .filter(move |(_, o)| o.light == *light)
                .copied()
        })
        .collect()
}

/// Tasks grouped by their 牵头单位 cell, groups in order of first appearance.
fn groups<'a>(
    tasks: &[(&'a Task, &'a TaskOutcome)],
) -> Vec<(&'a str, Vec<(&'a Task, &'a TaskOutcome)>)> {
    let mut out: Vec<(&str, Vec<(&Task, &TaskOutcome)>)> = Vec::new();
    for (task, outcome) in tasks {
        let unit = lead_units_text(task);
        match out.iter_mut().find(|(u, _)| *u == unit) {
            Some((_, list)) => list.push((task, outcome)),
            None => out.push((unit, vec![(task, outcome)])),
        }
    }
    out
}

/// The lead unit(s) as the master names them.
pub(crate) fn lead_units_text(task: &Task) -> &str {
    if task.unit_raw.trim().is_empty() {
        task.units.first().map(String::as_str).unwrap_or("")
    } else {
        task.unit_raw.trim()
    }
}

fn attention_table(tasks: &[(&Task, &TaskOutcome)], input: &Input) -> Block {
    let report = input.report;
    let progress = PercentColumn::of(tasks.iter().map(|(_, o)| o.percent));
    let units = NameColumn::of(
        tasks.iter().map(|(task, _)| lead_units_text(task)),
        input.fonts,
    );
    let rows = tasks
        .iter()
        .map(|(task, o)| {
            Row::new(vec![
                text_cell(task.number.to_string()),
                text_cell(task.text.as_str()),
                units.cell(lead_units_text(task)),
                text_cell(task.deadline.raw.as_str()),
                text_cell(progress.text(o.percent)),
                status_cell_with_history(o, &input.report.trend, report.month),
                text_cell(issue_text(o, input.lookup.rejected(task))),
            ])
        })
        .collect();
    Block::Table(Table {
        columns: vec![
            col(8.0, Align::Center),
            duban_pdf::Column::flex(Align::Left),
            col(units.width(), Align::Left),
            col(13.5, Align::Center),
            col(progress.width(), Align::Center),
            col(24.5, Align::Left),
            col(28.0, Align::Left),
        ],
        header: Some(header_row(&[
            "序\n号",
            "任务目标",
            "牵头\n单位",
            "完成\n时限",
            "完成\n进度",
            "状态",
            "存在问题",
        ])),
        rows,
        style: TableStyle::default(),
    })
}

fn overview_table(groups: &[(&str, Vec<(&Task, &TaskOutcome)>)]) -> Block {
    let mut rows = Vec::new();
    let progress = PercentColumn::of(
        groups
            .iter()
            .flat_map(|(_, tasks)| tasks.iter().map(|(_, o)| o.percent)),
    );
    for (unit, tasks) in groups {
        rows.push(group_row(format!("{unit}（{}项）", tasks.len())));
        rows.extend(tasks.iter().map(|(task, o)| {
            Row::new(vec![
                text_cell(task.number.to_string()),
                text_cell(task.text.as_str()),
                text_cell(task.deadline.raw.as_str()),
                text_cell(progress.text(o.percent)),
                status_cell(o),
            ])
        }));
    }
    Block::Table(Table {
        columns: vec![
            col(8.0, Align::Center),
            duban_pdf::Column::flex(Align::Left),
            col(13.5, Align::Center),
            col(progress.width(), Align::Center),
            col(24.5, Align::Left),
        ],
        header: Some(header_row(&[
            "序\n号",
            "任务目标",
            "完成\n时限",
            "完成\n进度",
            "状态",
        ])),
        rows,
        style: TableStyle::default(),
    })
}
