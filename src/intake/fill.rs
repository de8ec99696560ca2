//! A read workbook → the submission's fields: the header block of every sheet, the unit
//! identified, and every task row checked.

use super::IntakeContext;
use super::header::{self, BlockLabel, BlockValue};
use super::identify::{self, Identified};
use super::normalise::{CellValue, date_from_cell};
use super::read::Workbook;
use super::rows::{self, RawRow};
use super::submission::unit_from_name;
use super::validate::{self, RowContext};
use crate::model::{Problem, Submission};
use std::collections::BTreeMap;

/// The data of all sheets with a recognisable header.
struct SheetData {
    rows: Vec<RawRow>,
    block: BTreeMap<BlockLabel, (String, BlockValue)>,
    /// Problems of a sheet as a whole (a header without 完成进度).
    notes: Vec<Problem>,
}

fn collect_sheets(book: &Workbook, ctx: &IntakeContext, unit_hint: &[u32]) -> Option<SheetData> {
    let mut data = SheetData {
        rows: Vec::new(),
        block: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut any_header = false;
    for sheet in &book.sheets {
        let Some(head) = header::find_header(sheet) else {
            continue;
        };
        any_header = true;
        if head.col(header::Column::Percent).is_none() {
            data.notes.push(
                Problem::no_percent_column(head.row)
                    .sheet(sheet.name.clone())
                    .cell(crate::model::cell_ref(head.row, 0)),
            );
        }
        data.rows.extend(rows::read_rows(
            sheet,
            &head,
            book.styles_known,
            ctx.master,
            unit_hint,
            &mut data.notes,
        ));
        for (label, value) in header::find_block(sheet, Some(head.row)) {
            data.block
                .entry(label)
                .or_insert((sheet.name.clone(), value));
        }
    }
    any_header.then_some(data)
}

/// A preliminary unit guess (from 填报单位 in any sheet, else the file name) used only to prefer
/// that unit's tasks when a 序号 must be recovered from the task text.
fn unit_hint(
    book: &Workbook,
    file: &str,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) -> Vec<u32> {
    let from_block = book.sheets.iter().find_map(|s| {
        header::find_block(s, None)
            .get(&BlockLabel::Unit)
            .and_then(|v| identify::unit_from_block(&v.value.text(), ctx.units))
    });
    let unit = from_block.or_else(|| unit_from_name(file, sender_unit, ctx));
    unit.map(|u| ctx.master.tasks_of_unit(&u).map(|t| t.number).collect())
        .unwrap_or_default()
}

fn block_text(data: &SheetData, label: BlockLabel) -> Option<String> {
    data.block
        .get(&label)
        .map(|(_, v)| v.value.text())
        .filter(|t| !t.is_empty())
}

pub(super) fn fill_submission(
    sub: &mut Submission,
    book: &Workbook,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) {
    let file = sub.file.clone();
    let hint = unit_hint(book, &file, sender_unit, ctx);
    let Some(data) = collect_sheets(book, ctx, &hint) else {
        sub.problems.push(Problem::no_header().file(file));
        return;
    };
    sub.reporter = block_text(&data, BlockLabel::Reporter);
    sub.phone = block_text(&data, BlockLabel::Phone);
    let date_value = data.block.get(&BlockLabel::Date);
    sub.reported_on = date_value.and_then(|(_, v)| date_from_cell(&v.value, ctx.month));
    sub.rows_read = u32::try_from(data.rows.len()).unwrap_or(u32::MAX);
    sub.problems
        .extend(data.notes.iter().map(|p| p.clone().file(file.clone())));

    let unit = identify_unit(sub, &data, sender_unit, ctx);
    if let Some(unit) = &unit {
        check_rows(sub, &data.rows, unit, ctx);
    }
    if let Some(mut p) = validate::check_report_date(
        date_value.map(|(_, v)| &v.value),
        sub.reported_on,
        ctx.month,
        ctx.as_of,
    ) {
        p = p.file(file.clone());
        if let Some((sheet, v)) = date_value {
            p = p
                .sheet(sheet.clone())
                .cell(crate::model::cell_ref(v.row, v.col));
        }
        sub.problems.push(p);
    }
    if let Some(u) = &unit {
        for p in &mut sub.problems {
            p.unit.get_or_insert_with(|| u.clone());
        }
    }
    debug_assert_eq!(
        sub.rows.len() as u32 + sub.rows_rejected + sub.rows_not_reporting,
        sub.rows_read
    );
}

/// Identifies the unit; on failure adds the error and rejects every row.
fn identify_unit(
    sub: &mut Submission,
    data: &SheetData,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) -> Option<String> {
    let file = sub.file.clone();
    let block_raw = block_text(data, BlockLabel::Unit);
    let block_unit = block_raw
        .as_deref()
        .and_then(|t| identify::unit_from_block(t, ctx.units));
    if let (Some(raw), None) = (&block_raw, &block_unit) {
        let (sheet, v) = data
            .block
            .get(&BlockLabel::Unit)
            .cloned()
            .unwrap_or_else(|| {
                (
                    String::new(),
                    BlockValue {
                        value: CellValue::Empty,
                        row: 0,
                        col: 0,
                    },
                )
            });
        sub.problems.push(
            Problem::unit_name_unrecognised()
                .file(file.clone())
                .sheet(sheet)
                .cell(crate::model::cell_ref(v.row, v.col))
                .raw(raw.clone()),
        );
    }
    let file_unit = unit_from_name(&file, sender_unit, ctx);
    let numbers: Vec<u32> = data.rows.iter().filter_map(|r| r.number).collect();
    let task_unit = identify::unit_from_tasks(&numbers, ctx.master);
    let rows = sub.rows_read;
    match identify::identify(
        block_unit.as_deref(),
        file_unit.as_deref(),
        task_unit.as_deref(),
    ) {
        Identified::Unit { name, .. } => {
            sub.unit = Some(name.clone());
            Some(name)
        }
        Identified::Conflict {
            block,
            file: from_name,
        } => {
            let mut p = identify::conflict_problem(&file, &block, &from_name, rows);
            if let Some((sheet, v)) = data.block.get(&BlockLabel::Unit) {
                p = p
                    .sheet(sheet.clone())
                    .cell(crate::model::cell_ref(v.row, v.col))
                    .raw(v.value.text());
            }
            sub.problems.push(p);
            sub.rows_rejected = rows;
            None
        }
        Identified::Unknown => {
            sub.problems
                .push(identify::unknown_unit_problem(&file, rows));
            sub.rows_rejected = rows;
            None
        }
    }
}

fn check_rows(sub: &mut Submission, rows: &[RawRow], unit: &str, ctx: &IntakeContext) {
    let row_ctx = RowContext {
        master: ctx.master,
        unit,
        file: &sub.file,
        month: ctx.month,
        done_percent: ctx.done_percent,
        previous: ctx.previous,
    };
    let mut accepted = Vec::new();
    let mut problems = Vec::new();
    let mut rejected = 0u32;
    let mut not_reporting = 0u32;
    for raw in rows {
        if raw.hidden {
            problems.push(
                Problem::hidden_row(raw.number.map_or("？".to_string(), |n| n.to_string()))
                    .unit(unit)
                    .file(sub.file.clone())
                    .sheet(raw.sheet.clone())
                    .cell(crate::model::cell_ref(raw.row, 0)),
            );
        }
        let checked = validate::check_row(raw, &row_ctx);
        problems.extend(checked.problems);
        match checked.row {
            Some(r) => accepted.push(r),
            None if checked.not_reporting => not_reporting += 1,
            None => rejected += 1,
        }
    }
    problems.extend(validate::duplicate_tasks(&accepted));
    sub.rows = accepted;
    sub.rows_rejected = rejected;
    sub.rows_not_reporting = not_reporting;
    sub.problems.extend(problems);
}
