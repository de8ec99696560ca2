//! Cells from calamine: values into [`CellValue`] (date cells as 1900 serials) and the budget
//! that counts cells and rows against the limits while a sheet is read.

use super::ReadError;
use super::zip_guard::limit_error;
use crate::config::Limits;
use crate::intake::normalise::CellValue;
use calamine::{Data, DataRef};

/// Counts cells and rows against the limits while a sheet is being read.
pub(super) struct Budget<'a> {
    pub(super) limits: &'a Limits,
    pub(super) cells: u64,
}

impl Budget<'_> {
    pub(super) fn admit(&mut self, sheet: &str, row: u32) -> Result<(), ReadError> {
        if row >= self.limits.max_rows_per_sheet {
            return Err(limit_error(
                sheet,
                "行数",
                u64::from(self.limits.max_rows_per_sheet),
                "max_rows_per_sheet",
            ));
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(limit_error(
                sheet,
                "单元格数",
                self.limits.max_cells,
                "max_cells",
            ));
        }
        Ok(())
    }
}

pub(super) fn from_data_ref(value: &DataRef<'_>) -> CellValue {
    match value {
        DataRef::Int(i) => CellValue::Number(*i as f64),
        DataRef::Float(f) => CellValue::Number(*f),
        DataRef::String(s) => CellValue::Text(s.clone()),
        DataRef::SharedString(s) => CellValue::Text((*s).to_string()),
        DataRef::Bool(b) => CellValue::Bool(*b),
        DataRef::DateTime(d) => CellValue::Number(serial_1900(d)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => CellValue::Text(s.clone()),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
        DataRef::Empty => CellValue::Empty,
    }
}

/// A date cell as a serial in the 1900 date system, whatever system the workbook uses: a
/// workbook saved with the 1904 system (Excel for Mac's old default) counts days from 1904, and
/// its 2026-11-25 must still read as 2026-11-25 (the date Excel shows).
pub(super) fn serial_1900(d: &calamine::ExcelDateTime) -> f64 {
    // Past Excel's last date (9999-12-31) the value is not a date whatever its format says
    // (20261225 typed into a date cell): kept as typed, never clamped.
    if !d.is_datetime() || !(0.0..2_958_466.0).contains(&d.as_f64()) {
        return d.as_f64();
    }
    let (y, m, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    let Some(date) = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day))
    else {
        return d.as_f64();
    };
    let Some(epoch) = chrono::NaiveDate::from_ymd_opt(1899, 12, 30) else {
        return d.as_f64();
    };
    let seconds =
        f64::from(h) * 3600.0 + f64::from(mi) * 60.0 + f64::from(s) + f64::from(ms) / 1000.0;
    (date - epoch).num_days() as f64 + seconds / 86_400.0
}

pub(super) fn from_data(value: &Data) -> CellValue {
    match value {
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(d) => CellValue::Number(serial_1900(d)),
        Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
        Data::Empty => CellValue::Empty,
    }
}
