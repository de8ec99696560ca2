//! Data rows of a sheet under its header: task rows, continuation rows folded into them,
//! repeated headers, section rows, footnotes and blank rows skipped.

use super::header::{Column, HeaderRow, is_block_row, is_header_row};
use super::normalise::{CellValue, clean_text, comparison_key, task_number_from_cell};
use super::read::SheetGrid;
use crate::model::Master;
use std::collections::BTreeMap;

/// A cell of a data row with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCell {
    pub col: u32,
    pub value: CellValue,
    /// The cell holds a fraction shown as a percentage (see [`percent_is_fraction`]).
    pub fraction: bool,
}

/// How a row's task number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberSource {
    /// Read from the 序号 cell.
    Cell,
    /// 序号 blank or unreadable; matched by the task text (warning).
    TaskText,
    /// Not found at all (error).
    Missing,
}

/// A sub-row's progress that differs from the task row's.
#[derive(Debug, Clone, PartialEq)]
pub struct SubRowPercent {
    pub row: u32,
    pub col: u32,
    pub value: CellValue,
}

/// One task row as read, continuation rows already folded in.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    pub sheet: String,
    /// 0-based row of the task row.
    pub row: u32,
    /// The task row is hidden in the sheet.
    pub hidden: bool,
    pub number: Option<u32>,
    pub number_source: NumberSource,
    /// The task row's cells of the known columns.
    pub cells: BTreeMap<Column, RowCell>,
    /// Cleaned texts, with continuation rows' text appended.
    pub task_text: String,
    pub progress_text: String,
    pub issues: String,
    pub next_steps: String,
    pub remark: String,
    /// Continuation rows folded into this one (0-based rows).
    pub continuation_rows: Vec<u32>,
    /// Sub-rows whose progress differs from the task row's.
    pub sub_row_percents: Vec<SubRowPercent>,
    /// Formula errors in any known column of the task row or its sub-rows: (row, col, value).
    pub formula_errors: Vec<(u32, u32, String)>,
    /// The sheet's column of each known kind (from the header row).
    pub columns: BTreeMap<Column, u32>,
}

impl RawRow {
    pub fn value(&self, c: Column) -> &CellValue {
        static EMPTY: CellValue = CellValue::Empty;
        self.cells.get(&c).map_or(&EMPTY, |rc| &rc.value)
    }
    /// 0-based column of `c`, when the sheet has that column.
    pub fn col(&self, c: Column) -> Option<u32> {
        self.columns.get(&c).copied()
    }
}

/// The column-level rule for formats whose cell styles intake cannot see (xls, ods): the
/// 完成进度 column holds fractions when every numeric value in it lies in 0–1 and at least one
/// is not a whole number (0.75, 0.4 …). A column of 0 and 1 only stays as percent points.
pub fn percent_is_fraction(sheet: &SheetGrid, header: &HeaderRow) -> bool {
    let Some(col) = header.col(Column::Percent) else {
        return false;
    };
    let numbers: Vec<f64> = sheet
        .rows
        .range(header.row + 1..)
        .filter_map(|(_, cells)| match cells.get(&col).map(|c| &c.value) {
            Some(CellValue::Number(n)) => Some(*n),
            _ => None,
        })
        .collect();
    !numbers.is_empty()
        && numbers.iter().all(|n| (0.0..=1.0).contains(n))
        && numbers.iter().any(|n| n.fract() != 0.0)
}

/// What a row is.
enum RowKind {
    Skip,
    /// A 合计 / 小计 / 总计 row (its label): skipped with a 提示.
    Summary(String),
    Task(Option<u32>, NumberSource),
    Continuation,
}

/// Reads the data rows of one sheet. `styles_known`: per-cell percent flags are reliable.
/// Rows skipped that a reader could take for data (totals) are told in `notes`.
pub fn read_rows(
    sheet: &SheetGrid,
    header: &HeaderRow,
    styles_known: bool,
    master: &Master,
    unit_hint: &[u32],
    notes: &mut Vec<crate::model::Problem>,
) -> Vec<RawRow> {
    let fraction_column = !styles_known && percent_is_fraction(sheet, header);
    let mut out: Vec<RawRow> = Vec::new();
    let mut chain_open = false;
    for (&row, _) in sheet.rows.range(header.row + 1..) {
        let cells = row_cells(sheet, header, row, styles_known, fraction_column);
        let open_task = out.last().filter(|_| chain_open).and_then(|r| r.number);
        match classify(sheet, row, &cells, chain_open, open_task, master, unit_hint) {
            RowKind::Skip => chain_open = false,
            RowKind::Summary(label) => {
                chain_open = false;
                notes.push(
                    crate::model::Problem::summary_row_skipped(&label)
                        .sheet(sheet.name.clone())
                        .cell(crate::model::cell_ref(
                            row,
                            header.col(Column::Number).unwrap_or(0),
                        ))
                        .raw(label),
                );
            }
            RowKind::Task(number, source) => {
                out.push(new_row(sheet, header, row, number, source, cells));
                chain_open = true;
            }
            RowKind::Continuation => {
                if let Some(last) = out.last_mut() {
                    fold_continuation(last, row, &cells);
                }
            }
        }
    }
    out
}

fn row_cells(
    sheet: &SheetGrid,
    header: &HeaderRow,
    row: u32,
    styles_known: bool,
    fraction_column: bool,
) -> BTreeMap<Column, RowCell> {
    header
        .columns
        .iter()
        .filter_map(|(&kind, &col)| {
            let value = sheet.value(row, col);
            if value.is_blank() {
                return None;
            }
            let fraction = kind == Column::Percent
                && if styles_known {
                    sheet.is_percent(row, col)
                } else {
                    fraction_column
                };
            Some((
                kind,
                RowCell {
                    col,
                    value: value.clone(),
                    fraction,
                },
            ))
        })
        .collect()
}

/// `合计`, `小 计`, `总计（10项）`: the label of a totals row, read from its 序号 or 任务目标 cell.
fn summary_label(cells: &BTreeMap<Column, RowCell>) -> Option<String> {
    [Column::Number, Column::TaskText].iter().find_map(|c| {
        let text = cells.get(c)?.value.text();
        let key = comparison_key(&text);
        ["合计", "小计", "总计", "共计"]
            .iter()
            .any(|w| key.starts_with(w))
            .then_some(text)
    })
}

/// The task a sub-item label belongs to: `36-1`, `36.1`, `36（1）`, `36(一)` name task 36;
/// `（一）`, `(1)`, `①` name no task (the task above). `None` when the label is no sub-item.
fn sub_item(value: &CellValue) -> Option<Option<u32>> {
    let text = match value {
        CellValue::Text(t) => crate::width::fold_width(t)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>(),
        // A numeric 36.1 is a sub-item of 36 (a whole number is a task number).
        CellValue::Number(n) if n.is_finite() && n.fract() != 0.0 && *n >= 1.0 => {
            return Some(Some(n.trunc() as u32));
        }
        _ => return None,
    };
    const NUMERALS: &str = "一二三四五六七八九十";
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = &text[digits.len()..];
    let marker = |r: &str| {
        let inner = r
            .strip_prefix('(')
            .and_then(|x| x.strip_suffix(')'))
            .or_else(|| r.strip_prefix(['-', '.', '_']));
        inner.is_some_and(|i| {
            !i.is_empty()
                && i.len() <= 9
                && (i.chars().all(|c| c.is_ascii_digit())
                    || i.chars().all(|c| NUMERALS.contains(c)))
        })
    };
    if !digits.is_empty() && marker(rest) {
        return Some(digits.parse().ok().filter(|n| *n > 0));
    }
    if digits.is_empty()
        && (marker(&text) || text.chars().all(|c| ('①'..='⑳').contains(&c)) && !text.is_empty())
    {
        return Some(None);
    }
    None
}

fn classify(
    sheet: &SheetGrid,
    row: u32,
    cells: &BTreeMap<Column, RowCell>,
    chain_open: bool,
    open_task: Option<u32>,
    master: &Master,
    unit_hint: &[u32],
) -> RowKind {
    if cells.is_empty() || is_header_row(sheet, row) || is_block_row(sheet, row) {
        return RowKind::Skip;
    }
    if let Some(label) = summary_label(cells) {
        return RowKind::Summary(label);
    }
    let number_cell = cells.get(&Column::Number).map(|c| &c.value);
    // A sub-item numbered under the task above it (36-1 under 36, （一） under any task) is a
    // continuation row of that task.
    if let Some(parent) = number_cell.and_then(sub_item)
        && chain_open
        && parent.is_none_or(|p| Some(p) == open_task)
    {
        return RowKind::Continuation;
    }
    if let Some(n) = number_cell.and_then(task_number_from_cell) {
        return RowKind::Task(Some(n), NumberSource::Cell);
    }
    let text = cells
        .get(&Column::TaskText)
        .map(|c| c.value.text())
        .unwrap_or_default();
    let reported = [Column::ProgressText, Column::Percent, Column::Status]
        .iter()
        .any(|c| cells.contains_key(c));
    match number_cell {
        None => {
            // An exact text match names a task even right under another task.
            if let Some(n) = match_task_text(&text, master, unit_hint, true) {
                return RowKind::Task(Some(n), NumberSource::TaskText);
            }
            // A group heading (“一、产业发展”) between task rows is not a sub-item of the task
            // above it.
            if !reported && is_section_heading(&text) {
                return RowKind::Skip;
            }
            if chain_open {
                return RowKind::Continuation;
            }
            if !reported {
                return RowKind::Skip;
            }
            match match_task_text(&text, master, unit_hint, false) {
                Some(n) => RowKind::Task(Some(n), NumberSource::TaskText),
                None => RowKind::Task(None, NumberSource::Missing),
            }
        }
        Some(value) => {
            // Section rows (“一、经济发展”), totals and footnotes carry no progress.
            let label = value.text();
            if !reported
                || ["注", "说明", "填表", "备注"]
                    .iter()
                    .any(|p| label.starts_with(p))
            {
                return RowKind::Skip;
            }
            match match_task_text(&text, master, unit_hint, false) {
                Some(n) => RowKind::Task(Some(n), NumberSource::TaskText),
                None => RowKind::Task(None, NumberSource::Missing),
            }
        }
    }
}

/// A heading of a group of tasks: “一、产业发展”, “（二）民生”, “(三)改革”, “第一部分 …”.
fn is_section_heading(text: &str) -> bool {
    const NUMERALS: &str = "一二三四五六七八九十百零〇";
    let t = text.trim();
    let numeral_run = |s: &str| -> usize {
        s.chars()
            .take_while(|c| NUMERALS.contains(*c))
            .map(char::len_utf8)
            .sum()
    };
    let n = numeral_run(t);
    if n > 0 && t[n..].starts_with(['、', '.', '．']) {
        return true;
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open) {
            let n = numeral_run(rest);
            if n > 0 && rest[n..].starts_with(close) {
                return true;
            }
        }
    }
    if let Some(rest) = t.strip_prefix('第') {
        let n = numeral_run(rest);
        if n > 0 && rest[n..].starts_with(['部', '章', '类', '篇']) {
            return true;
        }
    }
    false
}

/// Matches a 任务目标 text against the master. Exact (after [`comparison_key`]) first; unless
/// `exact_only`, then a unique containment either way (at least 8 characters), preferring the
/// tasks in `unit_hint`.
pub fn match_task_text(
    text: &str,
    master: &Master,
    unit_hint: &[u32],
    exact_only: bool,
) -> Option<u32> {
    let key = comparison_key(text);
    if key.chars().count() < 4 {
        return None;
    }
    let exact: Vec<u32> = master
        .tasks
        .iter()
        .filter(|t| comparison_key(&t.text) == key)
        .map(|t| t.number)
        .collect();
    if let [n] = exact.as_slice() {
        return Some(*n);
    }
    if exact_only || key.chars().count() < 8 {
        return None;
    }
    let contains: Vec<u32> = master
        .tasks
        .iter()
        .filter(|t| {
            let k = comparison_key(&t.text);
            k.contains(&key) || key.contains(&k)
        })
        .map(|t| t.number)
        .collect();
    match contains.as_slice() {
        [n] => Some(*n),
        many => {
            let hinted: Vec<u32> = many
                .iter()
                .copied()
                .filter(|n| unit_hint.contains(n))
                .collect();
            if let [n] = hinted.as_slice() {
                Some(*n)
            } else {
                None
            }
        }
    }
}

fn text_of(cells: &BTreeMap<Column, RowCell>, c: Column) -> String {
    cells.get(&c).map(|rc| rc.value.text()).unwrap_or_default()
}

fn formula_errors(row: u32, cells: &BTreeMap<Column, RowCell>) -> Vec<(u32, u32, String)> {
    cells
        .values()
        .filter_map(|c| match &c.value {
            CellValue::Error(e) => Some((row, c.col, e.clone())),
            _ => None,
        })
        .collect()
}

fn new_row(
    sheet: &SheetGrid,
    header: &HeaderRow,
    row: u32,
    number: Option<u32>,
    source: NumberSource,
    cells: BTreeMap<Column, RowCell>,
) -> RawRow {
    RawRow {
        sheet: sheet.name.clone(),
        row,
        hidden: sheet.hidden_rows.contains(&row),
        number,
        number_source: source,
        task_text: text_of(&cells, Column::TaskText),
        progress_text: text_of(&cells, Column::ProgressText),
        issues: text_of(&cells, Column::Issues),
        next_steps: text_of(&cells, Column::NextSteps),
        remark: text_of(&cells, Column::Remark),
        formula_errors: formula_errors(row, &cells),
        cells,
        columns: header.columns.clone(),
        continuation_rows: Vec::new(),
        sub_row_percents: Vec::new(),
    }
}

fn append(target: &mut String, text: &str) {
    let text = clean_text(text);
    if text.is_empty() {
        return;
    }
    if !target.is_empty() {
        target.push('\n');
    }
    target.push_str(&text);
}

/// Joins a sub-row into its task: the sub-item's label goes before its progress text, the
/// other texts are appended; the task row's progress stays.
fn fold_continuation(task: &mut RawRow, row: u32, cells: &BTreeMap<Column, RowCell>) {
    task.continuation_rows.push(row);
    task.formula_errors.extend(formula_errors(row, cells));
    let label = text_of(cells, Column::TaskText);
    let progress = text_of(cells, Column::ProgressText);
    let joined = match (label.is_empty(), progress.is_empty()) {
        (false, false) => format!("{label}：{progress}"),
        (false, true) => label,
        _ => progress,
    };
    append(&mut task.progress_text, &joined);
    append(&mut task.issues, &text_of(cells, Column::Issues));
    append(&mut task.next_steps, &text_of(cells, Column::NextSteps));
    append(&mut task.remark, &text_of(cells, Column::Remark));
    if let Some(sub) = cells.get(&Column::Percent)
        && task.cells.get(&Column::Percent).map(|c| &c.value) != Some(&sub.value)
    {
        task.sub_row_percents.push(SubRowPercent {
            row,
            col: sub.col,
            value: sub.value.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> CellValue {
        CellValue::Text(s.to_string())
    }

    #[test]
    fn sub_item_labels_name_their_task() {
        for (label, task) in [
            ("36-1", Some(36)),
            ("36.2", Some(36)),
            ("36（1）", Some(36)),
            ("36(一)", Some(36)),
            ("３６－１", Some(36)),
            ("（一）", None),
            ("(2)", None),
            ("①", None),
        ] {
            assert_eq!(sub_item(&text(label)), Some(task), "{label}");
        }
        assert_eq!(sub_item(&CellValue::Number(36.1)), Some(Some(36)));
        for label in ["36", "第36项", "合计", "一、产业发展", ""] {
            assert_eq!(sub_item(&text(label)), None, "{label}");
        }
        assert_eq!(sub_item(&CellValue::Number(36.0)), None);
    }

    #[test]
    fn totals_rows_are_recognised() {
        let cells = |col: Column, v: &str| {
            let mut m = BTreeMap::new();
            m.insert(
                col,
                RowCell {
                    col: 0,
                    value: text(v),
                    fraction: false,
                },
            );
            m
        };
        for v in ["合计", "合 计", "小计", "总计（10项）", "共计"] {
            assert!(summary_label(&cells(Column::Number, v)).is_some(), "{v}");
            assert!(summary_label(&cells(Column::TaskText, v)).is_some(), "{v}");
        }
        for v in ["12", "推进合计划内项目建设"] {
            assert!(summary_label(&cells(Column::TaskText, v)).is_none(), "{v}");
        }
    }
}
