//! Finding the header row (by synonyms, in the first 20 rows) and the header block
//! (填报单位 / 填报人 / 联系电话 / 填报日期) of a progress workbook.

use super::normalise::CellValue;
use super::read::SheetGrid;
use crate::width::fold_width;
use std::collections::BTreeMap;

/// How many rows from the top the header row may sit.
pub const HEADER_SEARCH_ROWS: u32 = 20;

pub use crate::columns::Column;

/// Header text reduced for matching: width folded, all whitespace (incl. line breaks)
/// removed, a trailing unit like “(%)” / “（%）” / “%” dropped.
pub fn header_key(raw: &str) -> String {
    let mut s: String = fold_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for suffix in ["(%)", "（%）", "(％)", "%"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
        }
    }
    s
}

/// The column a header cell names, if any.
pub fn classify_header(raw: &str) -> Option<Column> {
    let key = header_key(raw);
    if key.is_empty() || key.contains("上月") {
        return None;
    }
    Column::READ
        .into_iter()
        .find(|c| c.synonyms().contains(&key.as_str()))
}

/// A detected header row: its 0-based row and the column of each known kind.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderRow {
    pub row: u32,
    pub columns: BTreeMap<Column, u32>,
}

impl HeaderRow {
    pub fn col(&self, c: Column) -> Option<u32> {
        self.columns.get(&c).copied()
    }
}

/// Columns found in one row (first occurrence of each kind wins).
pub fn columns_in_row(sheet: &SheetGrid, row: u32) -> BTreeMap<Column, u32> {
    let mut found = BTreeMap::new();
    if let Some(cells) = sheet.rows.get(&row) {
        for (&col, cell) in cells {
            if let CellValue::Text(t) = &cell.value
                && let Some(kind) = classify_header(t)
            {
                found.entry(kind).or_insert(col);
            }
        }
    }
    found
}

/// A row is a header when it names 序号 or 任务目标 and at least one progress column.
fn is_header(columns: &BTreeMap<Column, u32>) -> bool {
    let has_key = columns.contains_key(&Column::Number) || columns.contains_key(&Column::TaskText);
    let has_progress =
        columns.contains_key(&Column::ProgressText) || columns.contains_key(&Column::Percent);
    has_key && has_progress && columns.len() >= 2
}

/// Whether `row` repeats the header (after a page break), or the lower row of a two-row header
/// (every cell a header label); such rows are skipped.
pub fn is_header_row(sheet: &SheetGrid, row: u32) -> bool {
    if is_header(&columns_in_row(sheet, row)) {
        return true;
    }
    let Some(cells) = sheet.rows.get(&row) else {
        return false;
    };
    cells.len() >= 2
        && cells
            .values()
            .all(|c| matches!(&c.value, CellValue::Text(t) if classify_header(t).is_some()))
}

/// The known column of every header cell of `row`, by column index.
fn labels_in_row(sheet: &SheetGrid, row: u32) -> BTreeMap<u32, Column> {
    sheet
        .rows
        .get(&row)
        .map(|cells| {
            cells
                .iter()
                .filter_map(|(&col, cell)| match &cell.value {
                    CellValue::Text(t) => classify_header(t).map(|k| (col, k)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Column kinds by first occurrence, from labels by column index.
fn kinds(labels: &BTreeMap<u32, Column>) -> BTreeMap<Column, u32> {
    let mut found = BTreeMap::new();
    for (&col, &kind) in labels {
        found.entry(kind).or_insert(col);
    }
    found
}

/// The best header within the first [`HEADER_SEARCH_ROWS`] rows: the row naming the most
/// known columns, or a header block spread over two rows — a group cell such as 完成情况
/// merged above 完成进度(%) and 状态 — read as one: the lower row's label wins in a column where
/// both have one. A two-row header's [`HeaderRow::row`] is its lower row (data starts below).
pub fn find_header(sheet: &SheetGrid) -> Option<HeaderRow> {
    let mut best: Option<HeaderRow> = None;
    let mut consider = |row: u32, columns: BTreeMap<Column, u32>| {
        if is_header(&columns)
            && best
                .as_ref()
                .is_none_or(|b| columns.len() > b.columns.len())
        {
            best = Some(HeaderRow { row, columns });
        }
    };
    let rows: Vec<u32> = sheet
        .rows
        .range(..HEADER_SEARCH_ROWS)
        .map(|(r, _)| *r)
        .collect();
    for &row in &rows {
        let upper = labels_in_row(sheet, row);
        consider(row, kinds(&upper));
        if upper.is_empty() {
            continue;
        }
        let lower = labels_in_row(sheet, row + 1);
        if lower.is_empty() {
            continue;
        }
        let mut both = upper;
        both.extend(lower);
        consider(row + 1, kinds(&both));
    }
    best
}

/// A label of the header block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlockLabel {
    Unit,
    Reporter,
    Phone,
    Date,
}

const BLOCK_LABELS: [(&str, BlockLabel); 7] = [
    ("填报单位", BlockLabel::Unit),
    ("报送单位", BlockLabel::Unit),
    ("牵头单位名称", BlockLabel::Unit),
    ("填报人", BlockLabel::Reporter),
    ("联系电话", BlockLabel::Phone),
    ("填报日期", BlockLabel::Date),
    ("填报时间", BlockLabel::Date),
];

/// One value of the header block with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockValue {
    pub value: CellValue,
    pub row: u32,
    pub col: u32,
}

/// Splits one cell's text into (label, value) pairs: “填报单位：市科技局  填报人：张三”.
/// The value is empty when only the label is written.
///
/// Only short cells that begin with a label count, and a later label must follow whitespace
/// or a separator, so a progress text mentioning “填报人员” is not taken for the block.
fn labels_in_text(text: &str) -> Vec<(BlockLabel, String)> {
    let folded = fold_width(text).trim().to_string();
    if folded.chars().count() > 150 || !BLOCK_LABELS.iter().any(|(l, _)| folded.starts_with(l)) {
        return Vec::new();
    }
    let mut hits: Vec<(usize, usize, BlockLabel)> = Vec::new();
    for (label, kind) in BLOCK_LABELS {
        let mut from = 0;
        while let Some(pos) = folded.get(from..).and_then(|s| s.find(label)) {
            let start = from + pos;
            let after_separator = folded
                .get(..start)
                .and_then(|head| head.chars().last())
                .is_none_or(|c| c.is_whitespace() || matches!(c, ';' | '；' | ',' | '，' | '、'));
            if after_separator {
                hits.push((start, start + label.len(), kind));
            }
            from = start + label.len();
        }
    }
    hits.sort();
    let mut out = Vec::new();
    for (i, &(_, end, kind)) in hits.iter().enumerate() {
        let next = hits.get(i + 1).map_or(folded.len(), |h| h.0);
        let raw = folded.get(end..next).unwrap_or("");
        out.push((kind, strip_label_tail(raw)));
    }
    out
}

/// “（盖章）：市科技局 ” → “市科技局”.
fn strip_label_tail(raw: &str) -> String {
    let mut s = raw.trim_start();
    if (s.starts_with('(') || s.starts_with('（'))
        && let Some(close) = s.find([')', '）'])
    {
        s = s
            .get(close..)
            .map(|t| t.trim_start_matches([')', '）']))
            .unwrap_or("");
    }
    s.trim_start_matches([':', '：', ' ']).trim().to_string()
}

/// Finds the header block anywhere in the sheet (above or below the table): “label: value”
/// in one cell, or the label cell and the value in the next non-empty cell to its right.
/// The first occurrence of each label wins.
pub fn find_block(sheet: &SheetGrid, skip_row: Option<u32>) -> BTreeMap<BlockLabel, BlockValue> {
    let mut found: BTreeMap<BlockLabel, BlockValue> = BTreeMap::new();
    for (&row, cells) in &sheet.rows {
        if Some(row) == skip_row {
            continue;
        }
        for (&col, cell) in cells {
            let CellValue::Text(text) = &cell.value else {
                continue;
            };
            for (kind, value) in labels_in_text(text) {
                if found.contains_key(&kind) {
                    continue;
                }
                if !value.is_empty() {
                    found.insert(
                        kind,
                        BlockValue {
                            value: CellValue::Text(value),
                            row,
                            col,
                        },
                    );
                } else if let Some((&vcol, vcell)) =
                    cells.range(col + 1..).find(|(_, c)| !c.value.is_blank())
                {
                    let is_label =
                        matches!(&vcell.value, CellValue::Text(t) if !labels_in_text(t).is_empty());
                    if !is_label {
                        found.insert(
                            kind,
                            BlockValue {
                                value: vcell.value.clone(),
                                row,
                                col: vcol,
                            },
                        );
                    }
                }
            }
        }
    }
    found
}

/// Whether a row belongs to the header block (so it is not a data row).
pub fn is_block_row(sheet: &SheetGrid, row: u32) -> bool {
    sheet.rows.get(&row).is_some_and(|cells| {
        cells
            .values()
            .any(|c| matches!(&c.value, CellValue::Text(t) if !labels_in_text(t).is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_synonyms() {
        assert_eq!(classify_header("序 号"), Some(Column::Number));
        assert_eq!(classify_header("编号"), Some(Column::Number));
        assert_eq!(classify_header("完成进度(%)"), Some(Column::Percent));
        assert_eq!(classify_header("完成\n比例（%）"), Some(Column::Percent));
        assert_eq!(classify_header("完成率"), Some(Column::Percent));
        assert_eq!(classify_header("推进情况"), Some(Column::ProgressText));
        assert_eq!(classify_header("存在的问题"), Some(Column::Issues));
        assert_eq!(classify_header("下步工作打算"), Some(Column::NextSteps));
        assert_eq!(classify_header("完成状态"), Some(Column::Status));
        assert_eq!(classify_header("上月进度(%)"), None);
        assert_eq!(classify_header("牵头领导"), None);
    }

    #[test]
    fn block_labels() {
        let pairs =
            labels_in_text("填报单位（盖章）：市科技局   填报人：张三  联系电话:0471-1234567");
        assert_eq!(
            pairs,
            vec![
                (BlockLabel::Unit, "市科技局".to_string()),
                (BlockLabel::Reporter, "张三".to_string()),
                (BlockLabel::Phone, "0471-1234567".to_string()),
            ]
        );
        assert_eq!(
            labels_in_text("填报日期："),
            vec![(BlockLabel::Date, String::new())]
        );
    }
}
