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
use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsx};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

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
    /// Code + Chinese message.
    Refused { code: ProblemCode, message: String },
}

impl ReadError {
    fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        ReadError::Refused {
            code,
            message: message.into(),
        }
    }
}

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Ods,
    Xls,
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a workbook from its bytes.
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::new(
            ProblemCode::FileTooLarge,
            format!(
                "文件大小 {} 字节，超过上限 {} 字节（limits.max_file_bytes），未读取；请删去无关内容后重新报送",
                bytes.len(),
                limits.max_file_bytes
            ),
        ));
    }
    let format = sniff(bytes)?;
    // The parsers are third-party code run on hostile bytes: a panic in one of them is a damaged
    // file, not a crashed run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
        Format::Xlsx => read_xlsx(bytes, limits),
        Format::Ods => read_ods(bytes, limits),
        Format::Xls => read_xls(bytes, limits),
    }))
    .unwrap_or_else(|_| Err(corrupt("表格解析器无法处理该文件的内部结构")))
}

fn sniff(bytes: &[u8]) -> Result<Format, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::new(
            ProblemCode::EmptyFile,
            "文件是空的（0 字节），请重新导出后报送",
        ));
    }
    if bytes.starts_with(b"PK") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(&CFB_MAGIC) {
        if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo") {
            return Err(password_error());
        }
        return Ok(Format::Xls);
    }
    let what = if bytes.starts_with(b"%PDF") {
        "PDF 文件"
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G'])
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
    {
        "图片"
    } else if bytes.starts_with(b"{\\rtf") {
        "RTF 文档"
    } else if std::str::from_utf8(bytes.get(..bytes.len().min(512)).unwrap_or(bytes)).is_ok() {
        "文本文件"
    } else {
        "无法识别的文件"
    };
    Err(ReadError::new(
        ProblemCode::NotAWorkbook,
        format!(
            "文件内容是{what}，不是 Excel/WPS 表格（可能是改了扩展名）；请用表格软件另存为 .xlsx 后重新报送"
        ),
    ))
}

fn password_error() -> ReadError {
    ReadError::new(
        ProblemCode::PasswordProtected,
        "文件有密码保护，请去掉密码后重新报送",
    )
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}

fn corrupt(detail: impl std::fmt::Display) -> ReadError {
    let detail = detail.to_string();
    // the zip reader stops at the size the directory declares: a lying directory
    let detail = if detail.contains("declared uncompressed size") {
        "压缩包目录中声明的解压大小与实际内容不符".to_string()
    } else {
        detail
    };
    ReadError::new(
        ProblemCode::CorruptFile,
        format!("文件已损坏或不完整，无法读取（{detail}）；请重新保存后报送"),
    )
}

/// Opens the zip, checks declared and actual inflated sizes, and tells xlsx from ods.
fn sniff_zip(bytes: &[u8]) -> Result<Format, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    if names
        .iter()
        .any(|n| n == "xl/workbook.xml" || n.ends_with("/workbook.xml"))
    {
        return Ok(Format::Xlsx);
    }
    if names.iter().any(|n| n == "content.xml") {
        let mut mime = String::new();
        if let Ok(f) = zip.by_name("mimetype") {
            let _ = f.take(200).read_to_string(&mut mime);
        }
        if mime.is_empty() || mime.contains("spreadsheet") {
            return Ok(Format::Ods);
        }
    }
    Err(ReadError::new(
        ProblemCode::NotAWorkbook,
        "文件是压缩包或 Word 等其他文档，不是 Excel/WPS 表格；请另存为 .xlsx 后重新报送",
    ))
}

/// Inflates every entry through a bounded reader; refuses when the declared or the actual
/// total exceeds the limit. Memory stays constant: the data goes to a sink.
fn check_inflated_size(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let refuse = |what: &str| {
        ReadError::new(
            ProblemCode::InflatedTooLarge,
            format!(
                "文件解压后{what}超过上限 {} 字节（limits.max_inflated_bytes），未读取；文件可能异常，请重新导出后报送",
                limits.max_inflated_bytes
            ),
        )
    };
    if zip.len() > 10_000 {
        return Err(corrupt(format!("压缩包内有 {} 个部件", zip.len())));
    }
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(corrupt)?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.max_inflated_bytes {
        return Err(refuse("（按目录声明）"));
    }
    let mut actual: u64 = 0;
    let mut sheet_tags: u64 = 0;
    for i in 0..zip.len() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(zip::result::ZipError::UnsupportedArchive(m))
                if m.contains("ncrypt") || m.contains("assword") =>
            {
                return Err(password_error());
            }
            Err(e) => return Err(corrupt(e)),
        };
        let budget = limits.max_inflated_bytes.saturating_sub(actual);
        let part = entry.name().map_or(PartKind::Other, |n| PartKind::of(&n));
        let tag_budget = max_sheet_tags(limits).saturating_sub(sheet_tags);
        let mut counted = Counting {
            inner: entry.take(budget.saturating_add(1)),
            bytes: 0,
            tags: 0,
            max_tags: (part == PartKind::Sheet).then_some(tag_budget),
        };
        if matches!(part, PartKind::SharedStrings | PartKind::Styles) {
            check_part_counts(&mut counted, part, limits)?;
        }
        let copied = std::io::copy(&mut counted, &mut std::io::sink());
        if counted.max_tags.is_some_and(|m| counted.tags > m) {
            return Err(ReadError::new(
                ProblemCode::SheetTooLarge,
                format!(
                    "工作表的 XML 标记数超过上限 {}（由 limits.max_cells 与 limits.max_rows_per_sheet 推算），文件未读取；文件可能异常（如大量空行），请重新导出后报送",
                    max_sheet_tags(limits)
                ),
            ));
        }
        copied.map_err(corrupt)?;
        actual = actual.saturating_add(counted.bytes);
        if actual > limits.max_inflated_bytes {
            return Err(refuse(""));
        }
        sheet_tags = sheet_tags.saturating_add(counted.tags);
    }
    Ok(())
}

/// Most `<` a workbook's sheet XML may hold: a stored cell takes about 4–6 (`<c><v></v></c>`,
/// inline strings 6), a row 2. Reading time grows with the number of XML elements whether or
/// not they hold cells, so a sheet of millions of empty `<row/>` elements (a few MB zipped) is
/// refused here instead of keeping intake busy for a minute.
fn max_sheet_tags(limits: &Limits) -> u64 {
    limits
        .max_cells
        .saturating_mul(6)
        .saturating_add(u64::from(limits.max_rows_per_sheet).saturating_mul(2))
}

/// Counts the bytes read through it and, with `max_tags`, the `<` among them, failing as soon
/// as they exceed `max_tags`.
struct Counting<R> {
    inner: R,
    bytes: u64,
    tags: u64,
    max_tags: Option<u64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes = self.bytes.saturating_add(n as u64);
        if let Some(max) = self.max_tags {
            let read = buf.get(..n).unwrap_or_default();
            let tags = read.iter().filter(|&&b| b == b'<').count();
            self.tags = self.tags.saturating_add(tags as u64);
            if self.tags > max {
                return Err(std::io::Error::other("too many XML tags"));
            }
        }
        Ok(n)
    }
}

/// The parts whose element counts cost calamine memory or time before any limit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartKind {
    SharedStrings,
    Styles,
    /// A worksheet (xlsx) or the ODS content.
    Sheet,
    Other,
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

/// Most cell formats (and fonts, fills, borders) a workbook may define; Excel itself allows
/// about 64,000 cell formats.
const MAX_STYLE_RECORDS: u64 = 131_072;

/// Streams a shared-strings or styles part and refuses it when calamine would allocate beyond
/// the limits: a `uniqueCount` it reserves up front, one string per `<si>`, one style per `<xf>`.
/// An XML error ends the scan quietly (calamine reports it).
fn check_part_counts<R: Read>(
    part: &mut R,
    kind: PartKind,
    limits: &Limits,
) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let mut buf = Vec::new();
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    loop {
        buf.clear();
        let start = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => continue,
        };
        let (e, is_start) = start;
        let name = e.local_name();
        let (key, limit): (&'static str, u64) = match (kind, name.as_ref()) {
            (PartKind::SharedStrings, "sst") => {
                let unique = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "uniqueCount")
                    .map(|a| declared_count(&a.value));
                if unique.is_some_and(|n| n > limits.max_cells) {
                    return Err(too_many(
                        "共享字符串（按声明）",
                        limits.max_cells,
                        "max_cells",
                    ));
                }
                continue;
            }
            // calamine keeps only `<si>` elements with content (not `<si/>`)
            (PartKind::SharedStrings, "si") if is_start => ("共享字符串", limits.max_cells),
            (PartKind::Styles, "xf") => ("单元格格式", MAX_STYLE_RECORDS),
            (PartKind::Styles, "font") => ("字体", MAX_STYLE_RECORDS),
            (PartKind::Styles, "fill") => ("填充", MAX_STYLE_RECORDS),
            (PartKind::Styles, "border") => ("边框", MAX_STYLE_RECORDS),
            _ => continue,
        };
        let n = counts.entry(key).or_insert(0);
        *n += 1;
        if *n > limit {
            let config_key = if kind == PartKind::SharedStrings {
                "max_cells"
            } else {
                ""
            };
            return Err(too_many(key, limit, config_key));
        }
    }
}

/// A count attribute as calamine reads it: leading digits, `u64::MAX` when they overflow.
fn declared_count(value: &str) -> u64 {
    let digits: Vec<u8> = value
        .bytes()
        .skip_while(|b| *b == b' ' || *b == b'+')
        .take_while(u8::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        return 0;
    }
    std::str::from_utf8(&digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(u64::MAX)
}

fn too_many(what: &str, limit: u64, key: &str) -> ReadError {
    let setting = if key.is_empty() {
        String::new()
    } else {
        format!("（limits.{key}）")
    };
    ReadError::new(
        ProblemCode::SheetTooLarge,
        format!(
            "工作簿中的{what}数超过上限 {limit}{setting}，文件未读取；文件可能异常，请重新导出后报送"
        ),
    )
}

fn limit_error(sheet: &str, what: &str, limit: u64, key: &str) -> ReadError {
    ReadError::new(
        ProblemCode::SheetTooLarge,
        format!(
            "工作表“{sheet}”的{what}超过上限 {limit}（limits.{key}），文件未读取；请删去无关内容后重新报送"
        ),
    )
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
    check_inflated_size(bytes, limits)?;
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
    Ok(Workbook {
        sheets,
        styles_known: true,
    })
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
        DataRef::DateTime(d) => CellValue::Number(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => CellValue::Text(s.clone()),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
        DataRef::Empty => CellValue::Empty,
    }
}

fn from_data(value: &Data) -> CellValue {
    match value {
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(d) => CellValue::Number(d.as_f64()),
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

fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    check_inflated_size(bytes, limits)?;
    check_ods_dense_size(bytes, limits)?;
    let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => password_error(),
        other => corrupt(other),
    })?;
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
    check_xls_size(bytes, limits)?;
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
    Ok(Workbook {
        sheets,
        styles_known: false,
    })
}

/// BIFF record types that make calamine's xls reader store one cell.
const XLS_CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// calamine's xls reader parses every sheet when the file is opened: it reserves room for the
/// rectangle a DIMENSIONS record declares, then builds a dense grid over the bounding box of the
/// cells (twice, with the formulas). A 10 KB file with one cell in A1 and one in IV65536 (or
/// a DIMENSIONS record that lies) would need gigabytes, so the BIFF records are scanned first
/// and the file is refused when those rectangles, summed over the sheets, exceed `max_cells`.
/// Also detects an encrypted OOXML package (`EncryptionInfo`/`EncryptedPackage` streams).
fn check_xls_size(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;
    if file.exists("EncryptionInfo") || file.exists("EncryptedPackage") {
        return Err(password_error());
    }
    let mut stream = Vec::new();
    let mut found = false;
    for name in ["Workbook", "Book"] {
        if let Ok(s) = file.open_stream(name) {
            s.take(limits.max_file_bytes)
                .read_to_end(&mut stream)
                .map_err(corrupt)?;
            found = true;
            break;
        }
    }
    if !found {
        return Err(corrupt("缺少 Workbook 数据流"));
    }
    let mut dense: u64 = 0;
    for (i, pos) in xls_sheet_positions(&stream).into_iter().enumerate() {
        let sheet = stream.get(pos..).unwrap_or_default();
        let size = xls_sheet_size(sheet);
        if size.max_row >= u64::from(limits.max_rows_per_sheet) {
            return Err(xls_limit_error(
                i,
                "行数",
                u64::from(limits.max_rows_per_sheet),
                "max_rows_per_sheet",
            ));
        }
        dense = dense.saturating_add(size.dense);
        if size.cells > limits.max_cells || dense > limits.max_cells {
            return Err(xls_limit_error(
                i,
                "单元格数",
                limits.max_cells,
                "max_cells",
            ));
        }
    }
    Ok(())
}

fn xls_limit_error(index: usize, what: &str, limit: u64, key: &str) -> ReadError {
    ReadError::new(
        ProblemCode::SheetTooLarge,
        format!(
            "第 {} 个工作表的{what}（按文件记录计算）超过上限 {limit}（limits.{key}），文件未读取；请删去无关内容后重新报送",
            index + 1
        ),
    )
}

/// BIFF records of a stream: (type, data), stopping at the first truncated record.
fn biff_records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16::from_le_bytes([*stream.first()?, *stream.get(1)?]);
        let len = usize::from(u16::from_le_bytes([*stream.get(2)?, *stream.get(3)?]));
        let data = stream.get(4..4 + len)?;
        stream = stream.get(4 + len..).unwrap_or_default();
        Some((typ, data))
    })
}

fn le_u16(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
    ])))
}

fn le_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
        *data.get(at + 2)?,
        *data.get(at + 3)?,
    ]))
}

/// Stream offsets of the sheets (BoundSheet8 records of the workbook globals).
fn xls_sheet_positions(stream: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    for (typ, data) in biff_records(stream) {
        match typ {
            0x0085 => out.extend(le_u32(data, 0).map(|p| p as usize)),
            0x000A => break,
            _ => {}
        }
    }
    out
}

/// What reading one xls sheet would cost calamine.
#[derive(Debug, Default, PartialEq)]
struct XlsSheetSize {
    /// Cells stored.
    cells: u64,
    /// Highest 0-based row of a stored cell.
    max_row: u64,
    /// Grid cells allocated: the DIMENSIONS reservation or the cells' bounding box, whichever is
    /// larger, plus the formulas' bounding box.
    dense: u64,
}

/// Bounding box of cell positions.
#[derive(Default)]
struct BBox(Option<(u32, u32, u32, u32)>);

impl BBox {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }
    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
        })
    }
    fn max_row(&self) -> u64 {
        self.0.map_or(0, |(_, r1, _, _)| u64::from(r1))
    }
}

/// Mirrors calamine's sheet loop: the sheet's own BOF, nested substreams skipped, EOF ends it.
fn xls_sheet_size(sheet: &[u8]) -> XlsSheetSize {
    let (mut cells, mut formulas) = (BBox::default(), BBox::default());
    let (mut count, mut reserved) = (0u64, 0u64);
    let (mut depth, mut seen_bof) = (0u32, false);
    let mut formula_pos = (0u32, 0u32);
    for (typ, data) in biff_records(sheet) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => reserved = reserved.max(xls_dimensions_cells(data)),
            0x0207 => {
                cells.add(formula_pos.0, formula_pos.1);
                count += 1;
            }
            0x00BD => {
                // MulRk: row, first column, 6-byte values, last column
                if let (Some(row), Some(first), Some(last)) = (
                    le_u16(data, 0),
                    le_u16(data, 2),
                    data.len().checked_sub(2).and_then(|at| le_u16(data, at)),
                ) && last >= first
                {
                    cells.add(row, first);
                    cells.add(row, last);
                    count += u64::from(last - first + 1);
                }
            }
            t if XLS_CELL_RECORDS.contains(&t) => {
                if let (Some(row), Some(col)) = (le_u16(data, 0), le_u16(data, 2)) {
                    cells.add(row, col);
                    count += 1;
                    if t == 0x0006 {
                        formulas.add(row, col);
                        formula_pos = (row, col);
                    }
                }
            }
            _ => {}
        }
    }
    XlsSheetSize {
        cells: count,
        max_row: cells.max_row(),
        dense: reserved.max(cells.area()).saturating_add(formulas.area()),
    }
}

/// The cells calamine reserves for a DIMENSIONS record (its arithmetic wraps in release
/// builds, so a record with the last row before the first asks for billions).
fn xls_dimensions_cells(data: &[u8]) -> u64 {
    let fields = match data.len() {
        10 => (
            le_u16(data, 0),
            le_u16(data, 2),
            le_u16(data, 4),
            le_u16(data, 6),
        ),
        14 | 16 => (
            le_u32(data, 0),
            le_u32(data, 4),
            le_u16(data, 8),
            le_u16(data, 10),
        ),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = fields else {
        return 0;
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    let (end_row, end_col) = if rl >= 1 && cl >= 1 {
        (rl - 1, cl - 1)
    } else {
        (rf, cf)
    };
    let rows = u64::from(end_row.wrapping_sub(rf).wrapping_add(1));
    let cols = u64::from(end_col.wrapping_sub(cf).wrapping_add(1));
    rows.saturating_mul(cols)
}

/// calamine materialises an ODS sheet as a dense rectangle, expanding
/// `number-rows-repeated` / `number-columns-repeated`; a tiny content.xml can ask for 100
/// million cells. Estimate the rectangle from the XML first (bounded: the part was already
/// size-checked) and refuse beyond `max_cells`.
fn check_ods_dense_size(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut xml = Vec::new();
    zip.by_name("content.xml")
        .map_err(corrupt)?
        .take(limits.max_inflated_bytes)
        .read_to_end(&mut xml)
        .map_err(corrupt)?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let repeat = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| a.value.parse().ok())
            .unwrap_or(1)
    };
    let (mut rows, mut last_row, mut width) = (0u64, 0u64, 0u64);
    let (mut row_repeat, mut col, mut row_last_col) = (1u64, 0u64, 0u64);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "table" => (rows, last_row, width) = (0, 0, 0),
                "table-row" => {
                    (row_repeat, col, row_last_col) =
                        (repeat(&e, "table:number-rows-repeated"), 0, 0)
                }
                "table-cell" | "covered-table-cell" => {
                    let n = repeat(&e, "table:number-columns-repeated");
                    let has_value = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "office:value-type");
                    col = col.saturating_add(n);
                    if has_value {
                        row_last_col = col;
                    }
                }
                "p" => row_last_col = row_last_col.max(col),
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "table-row" => {
                rows = rows.saturating_add(row_repeat);
                if row_last_col > 0 {
                    last_row = rows;
                    width = width.max(row_last_col);
                }
                if last_row.saturating_mul(width) > limits.max_cells
                    || last_row > u64::from(limits.max_rows_per_sheet)
                {
                    return Err(ReadError::new(
                        ProblemCode::SheetTooLarge,
                        format!(
                            "表格按重复行列展开后的单元格数超过上限 {}（limits.max_cells），文件未读取；请删去无关内容后重新报送",
                            limits.max_cells
                        ),
                    ));
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Err(e) => return Err(corrupt(e)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_names_the_problem() {
        let limits = Limits::default();
        let code = |b: &[u8]| match read_workbook(b, &limits) {
            Err(ReadError::Refused { code, .. }) => code.as_str(),
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
