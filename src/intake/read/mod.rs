//! Format readers: bytes of a submitted file → sheets of typed cells, within resource limits.
//!
//! The format is decided from the content, not the extension (WPS saves xlsx bytes under
//! `.xls`, people rename PDFs to `.xlsx`). Zip containers (xlsx/xlsm/ods) are inflated once
//! through a bounded reader before calamine sees them, so neither a lying central directory nor
//! a zip bomb can make intake use more than `max_inflated_bytes`; the xlsx sheets are then read
//! with calamine's streaming cell reader, which stops at `max_rows_per_sheet` / `max_cells`.
//!
//! calamine also sizes some buffers from numbers written in the file (an xlsx shared-string
//! `uniqueCount`, an xls DIMENSIONS record, the bounding box of an xls sheet's cells), so those
//! numbers are checked against the limits before calamine sees the file: a small file cannot
//! make it allocate gigabytes (an allocation failure aborts the process and cannot be caught).
//! Any panic inside the format parsers is caught and reported as a damaged file.

use super::normalise::CellValue;
use crate::config::Limits;
use crate::model::ProblemCode;
use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

mod sniff;
mod xls_guard;
mod zip_guard;
use sniff::*;
use xls_guard::*;
use zip_guard::*;

/// One cell with what intake needs to know about its formatting.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub value: CellValue,
    /// The cell's number format shows a percentage (xlsx only; see [`Workbook::styles_known`]).
    pub percent: bool,
}

/// One worksheet as a sparse grid, 0-based (row, column).
#[derive(Debug, Clone, Default)]
pub struct SheetGrid {
    pub name: String,
    pub rows: BTreeMap<u32, BTreeMap<u32, GridCell>>,
    /// 0-based rows hidden in the sheet (xlsx/xlsm: `<row hidden="1">`).
    pub hidden_rows: std::collections::BTreeSet<u32>,
}

impl SheetGrid {
    /// The value at (row, col), `Empty` when absent.
    pub fn value(&self, row: u32, col: u32) -> &CellValue {
        static EMPTY: CellValue = CellValue::Empty;
        self.rows
            .get(&row)
            .and_then(|r| r.get(&col))
            .map_or(&EMPTY, |c| &c.value)
    }

    /// Whether (row, col) is percent-formatted.
    pub fn is_percent(&self, row: u32, col: u32) -> bool {
        self.rows
            .get(&row)
            .and_then(|r| r.get(&col))
            .is_some_and(|c| c.percent)
    }

    fn put(&mut self, row: u32, col: u32, value: CellValue, percent: bool) {
        if value == CellValue::Empty {
            return;
        }
        self.rows
            .entry(row)
            .or_default()
            .insert(col, GridCell { value, percent });
    }
}

/// A workbook read into memory.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub sheets: Vec<SheetGrid>,
    /// True when per-cell number formats were read (xlsx/xlsm); false for xls/ods, where
    /// intake decides percent fractions by a column-level rule instead.
    pub styles_known: bool,
}

/// Why a file could not be read; each becomes one error Problem.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    /// Code, Chinese message, and the technical detail (a parser's words) when there is one.
    Refused {
        code: ProblemCode,
        message: String,
        detail: Option<String>,
    },
}

impl ReadError {
    fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        ReadError::Refused {
            code,
            message: message.into(),
            detail: None,
        }
    }

    pub(crate) fn with_detail(self, detail: impl Into<String>) -> Self {
        let ReadError::Refused { code, message, .. } = self;
        let detail = detail.into();
        ReadError::Refused {
            code,
            message,
            detail: (!detail.is_empty()).then_some(detail),
        }
    }

    /// The problem code.
    pub fn code(&self) -> ProblemCode {
        let ReadError::Refused { code, .. } = self;
        *code
    }
}

/// The technical detail of a refusal by a resource limit: the setting that decided it (the office
/// can raise it; the unit reads only the message).
pub(crate) fn limit_setting(key: &str, limit: impl std::fmt::Display) -> String {
    format!("duban.toml [limits] {key} = {limit}")
}

/// What a file is, judged by its content as intake would judge it (for `duban collect`, which
/// saves workbooks and lists the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentKind {
    /// A workbook intake reads, or one it will name as broken, encrypted or too old: saved.
    Workbook,
    /// A .zip/.rar/.7z/.gz archive.
    Archive,
    /// A picture (a photo or scan of the table).
    Picture,
    /// Anything else, with what it is (“PDF 文件”, “Word 文档”).
    Other(String),
}

/// Whether `bytes` are a workbook format intake reads (not damaged, not encrypted).
pub fn is_readable_format(bytes: &[u8]) -> bool {
    sniff(bytes).is_ok()
}

/// The kind of `bytes` (see [`ContentKind`]).
pub fn content_kind(bytes: &[u8]) -> ContentKind {
    match sniff(bytes) {
        Ok(_) => ContentKind::Workbook,
        Err(ReadError::Refused { code, message, .. }) => match code {
            ProblemCode::NotAWorkbook | ProblemCode::EmptyFile => {
                let what = message
                    .strip_prefix("文件内容是")
                    .and_then(|m| m.split('，').next())
                    .unwrap_or("无法识别的文件");
                match what {
                    "压缩包" => ContentKind::Archive,
                    "图片" => ContentKind::Picture,
                    _ if code == ProblemCode::EmptyFile => ContentKind::Other("空文件".into()),
                    _ => ContentKind::Other(what.to_string()),
                }
            }
            _ => ContentKind::Workbook,
        },
    }
}

/// Reads a workbook from its bytes.
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::new(
            ProblemCode::FileTooLarge,
            format!(
                "文件大小 {} 字节，超过上限 {} 字节，未读取；请删去无关内容后重新报送",
                bytes.len(),
                limits.max_file_bytes
            ),
        )
        .with_detail(limit_setting("max_file_bytes", limits.max_file_bytes)));
    }
    let format = sniff(bytes)?;
    // The parsers are third-party code run on hostile bytes: a panic in one of them is a damaged
    // file, not a crashed run.
    quiet_panics::guard(|| match format {
        Format::Xlsx => read_xlsx(bytes, limits),
        Format::Xlsb => read_xlsb(bytes, limits),
        Format::Ods => read_ods(bytes, limits),
        Format::Xls => read_xls(bytes, limits),
    })
    .unwrap_or_else(|panic| Err(corrupt(format!("表格解析器内部错误：{panic}"))))
}

/// Parser panics caught without a word on the console: the default panic hook prints the
/// panic's English text to stderr before `catch_unwind` sees it, so a hook installed once
/// stays silent on threads that are inside [`guard`] and defers to the previous hook elsewhere.
mod quiet_panics {
    use std::cell::Cell;
    use std::sync::Once;

    thread_local! {
        static GUARDED: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `f`, turning a panic into `Err(its text)`, printing nothing.
    pub fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !GUARDED.with(Cell::get) {
                    previous(info);
                }
            }));
        });
        let was = GUARDED.with(|g| g.replace(true));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        GUARDED.with(|g| g.set(was));
        result.map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        })
    }
}

impl PartKind {
    fn of(name: &str) -> PartKind {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with("sharedstrings.xml") {
            PartKind::SharedStrings
        } else if lower.ends_with("styles.xml") {
            PartKind::Styles
        } else if lower.contains("worksheets/") || lower == "content.xml" {
            PartKind::Sheet
        } else {
            PartKind::Other
        }
    }
}

/// Counts cells and rows against the limits while a sheet is being read.
struct Budget<'a> {
    limits: &'a Limits,
    cells: u64,
}

impl Budget<'_> {
    fn admit(&mut self, sheet: &str, row: u32) -> Result<(), ReadError> {
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

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
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
fn hidden_rows(
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
fn style_is_percent(style: &calamine::Style) -> bool {
    style
        .number_format
        .as_ref()
        .is_some_and(|f| format_is_percent(f.format_id, &f.format_code))
}

fn format_is_percent(format_id: Option<u32>, format_code: &str) -> bool {
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

fn from_data_ref(value: &DataRef<'_>) -> CellValue {
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
fn serial_1900(d: &calamine::ExcelDateTime) -> f64 {
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

fn from_data(value: &Data) -> CellValue {
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

fn grid_from_range(
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
fn read_xlsb(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    check_inflated_size(bytes, limits)?;
    let book: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsbError::Password => password_error(),
        other => corrupt(other),
    })?;
    read_ranges(book, limits)
}

fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
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

/// Marks the rows hidden in each sheet.
fn apply_hidden(
    workbook: &mut Workbook,
    mut hidden: BTreeMap<String, std::collections::BTreeSet<u32>>,
) {
    for sheet in &mut workbook.sheets {
        if let Some(rows) = hidden.remove(&sheet.name) {
            sheet.hidden_rows = rows;
        }
    }
}

/// Every sheet of a workbook read range by range (xlsb, ods), the cells counted against the
/// limits; no per-cell formats.
fn read_ranges<R, B>(mut book: B, limits: &Limits) -> Result<Workbook, ReadError>
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

fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_kinds_for_collect() {
        assert_eq!(content_kind(b"Rar!\x1a\x07\x00"), ContentKind::Archive);
        assert_eq!(
            content_kind(&[0x89, b'P', b'N', b'G', 0, 0, 0, 0]),
            ContentKind::Picture
        );
        assert_eq!(
            content_kind(b"%PDF-1.7"),
            ContentKind::Other("PDF 文件".into())
        );
        assert_eq!(content_kind(b""), ContentKind::Other("空文件".into()));
        // a damaged compound file (xls/et) is still saved: intake names what is wrong
        let mut cfb = CFB_MAGIC.to_vec();
        cfb.resize(512, 0);
        assert_eq!(content_kind(&cfb), ContentKind::Workbook);
    }

    #[test]
    fn sniffing_names_the_problem() {
        let limits = Limits::default();
        let code = |b: &[u8]| match read_workbook(b, &limits) {
            Err(e) => e.code().as_str(),
            Ok(_) => "ok",
        };
        assert_eq!(code(b""), "empty_file");
        assert_eq!(code(b"%PDF-1.4 ..."), "not_a_workbook");
        assert_eq!(code(b"hello, this is text"), "not_a_workbook");
        assert_eq!(code(b"PK\x03\x04 truncated"), "corrupt_file");
        let mut fake_encrypted = CFB_MAGIC.to_vec();
        fake_encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(code(&fake_encrypted), "password_protected");
    }

    #[test]
    fn hidden_rows_of_xls_and_ods() {
        // BIFF8: a sheet substream with two ROW records, the second hidden (fDyZero)
        let record = |typ: u16, data: &[u8]| {
            let mut out = typ.to_le_bytes().to_vec();
            out.extend((data.len() as u16).to_le_bytes());
            out.extend(data);
            out
        };
        let row = |r: u16, flags: u16| {
            let mut d = r.to_le_bytes().to_vec();
            d.extend([0, 0, 5, 0, 0x2C, 0x01, 0, 0, 0, 0]);
            d.extend(flags.to_le_bytes());
            d.extend([0x0F, 0x00]);
            record(0x0208, &d)
        };
        let mut sheet = record(0x0809, &[0, 6, 0x10, 0, 0, 0, 0, 0]);
        sheet.extend(row(3, 0x0100));
        sheet.extend(row(4, 0x0120));
        sheet.extend(record(0x000A, &[]));
        assert_eq!(xls_hidden_rows(&sheet).into_iter().collect::<Vec<_>>(), [4]);
        // BoundSheet8 with a UTF-16 name
        let mut bound = 1234u32.to_le_bytes().to_vec();
        bound.extend([0, 0, 2, 1]);
        bound.extend("进展".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(boundsheet_name(&bound).as_deref(), Some("进展"));

        // ODS: a collapsed row after a repeated block, a filtered one, a visible one
        let content = r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="进展&amp;情况"><table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row><table:table-row table:visibility="collapse"><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row><table:table-row table:visibility="filter"/><table:table-row><table:table-cell/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content),
        ] {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            std::io::Write::write_all(&mut zip, data.as_bytes()).expect("data");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        let hidden = check_ods_dense_size(&bytes, &Limits::default()).expect("within limits");
        assert_eq!(
            hidden
                .get("进展&情况")
                .map(|s| s.iter().copied().collect::<Vec<_>>()),
            Some(vec![2, 3])
        );
    }

    #[test]
    fn xls_dimensions_mirror_calamine() {
        let dims = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = rf.to_le_bytes().to_vec();
            d.extend(rl.to_le_bytes());
            d.extend(cf.to_le_bytes());
            d.extend(cl.to_le_bytes());
            d.extend([0, 0]);
            xls_dimensions_cells(&d)
        };
        assert_eq!(dims(0, 200, 0, 10), 2000);
        assert_eq!(dims(0, 0, 0, 0), 1);
        // last row before the first: calamine's subtraction wraps to ~4 billion rows
        assert!(dims(1000, 1, 0, 10) > 4_000_000_000);
        assert_eq!(xls_dimensions_cells(&[1, 2, 3]), 0);
    }

    #[test]
    fn declared_counts_read_like_calamine() {
        assert_eq!(declared_count("12"), 12);
        assert_eq!(declared_count("99999999999999999999999"), u64::MAX);
        assert_eq!(declared_count("abc"), 0);
        assert_eq!(declared_count(""), 0);
    }

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
