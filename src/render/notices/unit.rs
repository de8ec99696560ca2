//! The 督办通知单 of one lead unit: its tasks, the requirements scaled to its worst light, and
//! the problems found in its own workbook(s).

use super::cells::{col, group_row, header_row, issue_text, status_cell_with_history, text_cell};
use super::figures::PercentColumn;
use super::sentence::{SentenceCounts, number_list};
use super::{Input, compose};
use crate::model::{Light, Problem, Severity, Task, TaskOutcome};
use duban_pdf::{Align, Block, Column, Document, Meta, Row, Table, TableStyle};

/// Name of the template.
pub const TEMPLATE: &str = "notice_unit.j2";

/// The document for lead unit `unit`.
pub(crate) fn document(input: &Input, unit: &str) -> Result<(Document, Meta), super::NoticeError> {
    let report = input.report;
    let tasks: Vec<(&Task, &TaskOutcome)> = report
        .master
        .tasks_of_unit(unit)
        .filter_map(|t| report.classification.outcome(t.number).map(|o| (t, o)))
        .collect();
    let outcomes = || tasks.iter().map(|(_, o)| *o);
    let rates = report
        .classification
        .units
        .iter()
        .find(|(name, _)| name == unit)
        .map(|(_, r)| r);
    let counts = SentenceCounts::of(outcomes()).with_rates(rates);
    let worst = outcomes().map(|o| o.light).max().unwrap_or(Light::Green);
    let with = |light: Light| number_list(outcomes().filter(|o| o.light == light));
    let blue_deadlines = distinct(
        tasks
            .iter()
            .filter(|(_, o)| o.light == Light::Blue)
            .map(|(t, _)| t.deadline.raw.as_str()),
    );
    let all_problems = unit_problems(input.lookup, unit);
    let count = |s: Severity| all_problems.iter().filter(|p| p.severity == s).count();
    // Notes for the record (a row superseded by a later file …) ask nothing of the unit.
    let problems: Vec<&Problem> = all_problems
        .iter()
        .copied()
        .filter(|p| p.severity != Severity::Info)
        .collect();
    let receipt = input.lookup.receipt(unit);
    let info = report.master.unit(unit);
    let extra = serde_json::json!({
        "unit": {
            "name": unit,
            "contact": info.and_then(|u| u.contact.clone()),
            "phone": info.and_then(|u| u.phone.clone()),
        },
        "counts": counts,
        "worst": worst.label(),
        "red_tasks": with(Light::Red),
        "yellow_tasks": with(Light::Yellow),
        "blue_tasks": with(Light::Blue),
        "blue_deadlines": blue_deadlines.join("、"),
        "not_reported_tasks": number_list(outcomes().filter(|o| o.status == crate::model::Status::NotReported)),
        "received": receipt.is_some_and(|r| r.received),
        "invalid": receipt.and_then(|r| r.invalid.clone()),
        "files": receipt.map(|r| r.files.clone()).unwrap_or_default(),
        "problems": problems.len(),
        "problem_errors": count(Severity::Error),
        "problem_warnings": count(Severity::Warning),
        "problem_infos": count(Severity::Info),
    });
    compose(input, TEMPLATE, extra, &|name| match name {
        "tasks" => Some(tasks_table(&tasks, input)),
        "problems" => Some(problems_table(&problems)),
        _ => None,
    })
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Problems located in the unit's own workbooks, in the run's sorted order.
fn unit_problems<'a>(lookup: &crate::model::Lookup<'a>, unit: &str) -> Vec<&'a Problem> {
    lookup
        .problems_of(unit)
        .iter()
        .copied()
        .filter(|p| p.file.is_some())
        .collect()
}

fn tasks_table(tasks: &[(&Task, &TaskOutcome)], input: &Input) -> Block {
    let report = input.report;
    let progress = PercentColumn::of(tasks.iter().map(|(_, o)| o.percent));
    let rows = tasks
        .iter()
        .map(|(task, o)| {
            Row::new(vec![
                text_cell(task.number.to_string()),
                text_cell(task.text.as_str()),
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
            Column::flex(Align::Left),
            col(13.5, Align::Center),
            col(progress.width(), Align::Center),
            col(24.5, Align::Left),
            col(28.0, Align::Left),
        ],
        header: Some(header_row(&[
            "序\n号",
            "任务目标",
            "完成\n时限",
            "完成\n进度",
            "状态",
            "存在问题",
        ])),
        rows,
        style: TableStyle::default(),
    })
}

/// The most problems a notice lists: a unit that sent 2,000 versions of one workbook gets a
/// notice of a few pages, not a thousand; the rest are counted, and all of them are in the
/// 汇总表's 校验问题 sheet.
pub const MAX_LISTED_PROBLEMS: usize = 100;

fn problems_table(problems: &[&Problem]) -> Block {
    let mut rows = Vec::new();
    let mut file: Option<&str> = None;
    for (i, p) in problems.iter().take(MAX_LISTED_PROBLEMS).enumerate() {
        let this = p.file.as_deref().unwrap_or("");
        if file != Some(this) {
            rows.push(group_row(format!("文件：{this}")));
            file = Some(this);
        }
        rows.push(Row::new(vec![
            text_cell((i + 1).to_string()),
            text_cell(p.severity.label()),
            text_cell(p.sheet.clone().unwrap_or_default()),
            text_cell(p.cell.clone().unwrap_or_default()),
            text_cell(p.raw.as_deref().unwrap_or("")),
            text_cell(p.message.as_str()),
        ]));
    }
    if problems.len() > MAX_LISTED_PROBLEMS {
        rows.push(group_row(format!(
            "以上列出前 {MAX_LISTED_PROBLEMS} 处，另有 {} 处问题未在此列出（共 {} 处）；全部问题见汇总表“校验问题”工作表，可向督查室索取",
            problems.len() - MAX_LISTED_PROBLEMS,
            problems.len()
        )));
    }
    Block::Table(Table {
        columns: vec![
            col(8.0, Align::Center),
            col(10.0, Align::Center),
            col(18.0, Align::Center),
            col(11.0, Align::Center),
            col(31.0, Align::Left),
            Column::flex(Align::Left),
        ],
        header: Some(header_row(&[
            "序\n号",
            "类别",
            "工作表",
            "单元\n格",
            "填报内容",
            "问题及修改要求",
        ])),
        rows,
        style: TableStyle::default(),
    })
}
