//! xls, xlsb and ods: every sheet read as calamine's cell range into a grid, within the limits;
//! no per-cell formats.

use super::cells::{Budget, from_data};
use super::sniff::{corrupt, password_error};
use super::xls_guard::check_xls_size;
use super::zip_guard::{check_inflated_size, check_ods_dense_size};
use super::{ReadError, SheetGrid, Workbook, apply_hidden};
use crate::config::Limits;
use crate::intake::normalise::CellValue;
use calamine::{Data, Ods, Reader, Xls, Xlsb};
use std::io::Cursor;

pub(super) fn grid_from_range(
    name: &str,
    range: &calamine::Range<Data>,
    budget: &mut Budget<'_>,
) -> Result<SheetGrid, ReadError> {
    let mut grid = SheetGrid {
        name: name.to_string(),
        ..SheetGrid::default()
    };
    for (row, col, data) in range.used_cells() {
        let value = from_data(data);
        if value == CellValue::Empty {
            continue;
        }
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        let row = start_row.saturating_add(u32::try_from(row).unwrap_or(u32::MAX));
        let col = start_col.saturating_add(u32::try_from(col).unwrap_or(u32::MAX));
        budget.admit(name, row)?;
        grid.put(row, col, value, false);
    }
    Ok(grid)
}

/// Excel's binary workbook, read like the others, within the same limits (the zip guard bounds
/// what it inflates; the cells are counted as they are read).
pub(super) fn read_xlsb(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    check_inflated_size(bytes, limits)?;
    let book: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsbError::Password => password_error(),
        other => corrupt(other),
    })?;
    read_ranges(book, limits)
}

pub(super) fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    check_inflated_size(bytes, limits)?;
    let hidden = check_ods_dense_size(bytes, limits)?;
    let book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => password_error(),
        other => corrupt(other),
    })?;
    let mut workbook = read_ranges(book, limits)?;
    apply_hidden(&mut workbook, hidden);
    Ok(workbook)
}

/// Every sheet of a workbook read range by range (xlsb, ods), the cells counted against the
/// limits; no per-cell formats.
pub(super) fn read_ranges<R, B>(mut book: B, limits: &Limits) -> Result<Workbook, ReadError>
where
    R: std::io::Read + std::io::Seek,
    B: Reader<R>,
    B::Error: std::fmt::Display,
{
    let mut budget = Budget { limits, cells: 0 };
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(corrupt)?;
        sheets.push(grid_from_range(&name, &range, &mut budget)?);
    }
    Ok(Workbook {
        sheets,
        styles_known: false,
    })
}

pub(super) fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let hidden = check_xls_size(bytes, limits)?;
    let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => password_error(),
        other => corrupt(other),
    })?;
    let mut budget = Budget { limits, cells: 0 };
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(calamine::XlsError::Password) => return Err(password_error()),
            Err(e) => return Err(corrupt(e)),
        };
        sheets.push(grid_from_range(&name, &range, &mut budget)?);
    }
    let mut workbook = Workbook {
        sheets,
        styles_known: false,
    };
    apply_hidden(&mut workbook, hidden);
    Ok(workbook)
}
