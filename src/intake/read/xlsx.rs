//! xlsx/xlsm: calamine's streaming cell reader, per-cell percent formats, and the rows hidden
//! in each sheet.

use super::cells::{Budget, from_data_ref};
use super::sniff::{corrupt, password_error};
use super::zip_guard::check_inflated_size;
use super::{ReadError, SheetGrid, Workbook, apply_hidden};
use crate::config::Limits;
use crate::intake::normalise::CellValue;
use calamine::{Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

pub(super) fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let inflated = check_inflated_size(bytes, limits)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => password_error(),
        other => corrupt(other),
    })?;
    let names = book.sheet_names();
    let mut budget = Budget { limits, cells: 0 };
    let mut sheets = Vec::new();
    for name in names {
        let mut reader = match book.worksheet_cells_reader(&name) {
            Ok(r) => r,
            // chart sheets and dialog sheets hold no cells
            Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
            Err(e) => return Err(corrupt(e)),
        };
        let percent_styles: Vec<bool> = reader.styles().iter().map(style_is_percent).collect();
        let mut grid = SheetGrid {
            name: name.clone(),
            ..SheetGrid::default()
        };
        loop {
            let (cell, style) = match reader.next_cell_with_style_id() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(corrupt(e)),
            };
            let (row, col) = cell.get_position();
            let value = from_data_ref(cell.get_value());
            if value == CellValue::Empty {
                continue;
            }
            budget.admit(&name, row)?;
            let percent = percent_styles.get(style).copied().unwrap_or(false);
            grid.put(row, col, value, percent);
        }
        sheets.push(grid);
    }
    let hidden = if inflated.sheets_with_hidden.is_empty() {
        BTreeMap::new()
    } else {
        hidden_rows(bytes, limits, &inflated.sheets_with_hidden)
    };
    let mut workbook = Workbook {
        sheets,
        styles_known: true,
    };
    apply_hidden(&mut workbook, hidden);
    Ok(workbook)
}

/// Rows hidden in each sheet of an xlsx package (`<row … hidden="1">`), by sheet name; calamine
/// does not report them. Best effort: a package it cannot follow has no hidden rows.
pub(super) fn hidden_rows(
    bytes: &[u8],
    limits: &Limits,
    candidates: &std::collections::BTreeSet<String>,
) -> BTreeMap<String, std::collections::BTreeSet<u32>> {
    use quick_xml::events::Event;
    let mut out = BTreeMap::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return out;
    };
    let read_part = |zip: &mut zip::ZipArchive<Cursor<&[u8]>>, wanted: &str| -> Option<Vec<u8>> {
        let wanted = wanted.trim_start_matches('/');
        let index = (0..zip.len()).find(|i| {
            zip.name_for_index(*i)
                .and_then(Result::ok)
                .is_some_and(|n| n.replace('\\', "/").eq_ignore_ascii_case(wanted))
        })?;
        let mut data = Vec::new();
        zip.by_index(index)
            .ok()?
            .take(limits.max_inflated_bytes)
            .read_to_end(&mut data)
            .ok()?;
        Some(data)
    };
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key || a.key.local_name().as_ref() == key)
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
    };
    // sheet name → relationship id, relationship id → part
    let Some(workbook) = read_part(&mut zip, "xl/workbook.xml") else {
        return out;
    };
    let mut sheets: Vec<(String, String)> = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(workbook.as_slice());
    let mut buf = Vec::new();
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                if let (Some(name), Some(id)) = (attr(&e, "name"), attr(&e, "id")) {
                    sheets.push((name, id));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let Some(rels) = read_part(&mut zip, "xl/_rels/workbook.xml.rels") else {
        return out;
    };
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    let mut reader = quick_xml::Reader::from_reader(rels.as_slice());
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let part = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, part);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    for (name, id) in sheets {
        let Some(part) = targets.get(&id) else {
            continue;
        };
        // Only sheets the size check saw mention `hidden=` are read again.
        if !candidates.contains(&part.to_ascii_lowercase()) {
            continue;
        }
        let Some(xml) = read_part(&mut zip, part) else {
            continue;
        };
        let mut rows = std::collections::BTreeSet::new();
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        while let Ok(event) = reader.read_event_into(&mut buf) {
            match event {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "row" => {
                    let hidden = attr(&e, "hidden").is_some_and(|v| v == "1" || v == "true");
                    if let Some(r) = attr(&e, "r").and_then(|r| r.parse::<u32>().ok())
                        && hidden
                        && r > 0
                    {
                        rows.insert(r - 1);
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "sheetData" => break,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !rows.is_empty() {
            out.insert(name, rows);
        }
    }
    out
}

/// A number format shows a percentage: builtin 9 (`0%`) and 10 (`0.00%`), or a format code
/// with an unquoted, unescaped `%`.
pub(super) fn style_is_percent(style: &calamine::Style) -> bool {
    style
        .number_format
        .as_ref()
        .is_some_and(|f| format_is_percent(f.format_id, &f.format_code))
}

pub(super) fn format_is_percent(format_id: Option<u32>, format_code: &str) -> bool {
    if matches!(format_id, Some(9) | Some(10)) {
        return true;
    }
    let mut in_quotes = false;
    let mut escaped = false;
    for c in format_code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => in_quotes = !in_quotes,
            '%' if !in_quotes => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        assert!(format_is_percent(Some(9), "0%"));
        assert!(format_is_percent(Some(10), ""));
        assert!(format_is_percent(Some(170), "0.0%"));
        assert!(!format_is_percent(Some(171), "0\"%\""));
        assert!(!format_is_percent(Some(172), "0\\%"));
        assert!(!format_is_percent(Some(0), "General"));
    }
}
