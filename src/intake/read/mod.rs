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
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

mod cells;
mod kind;
mod quiet_panics;
mod ranges;
mod sniff;
mod xls_guard;
mod xlsx;
mod zip_guard;
use ranges::{read_ods, read_xls, read_xlsb};
use sniff::*;
use xlsx::read_xlsx;
use zip_guard::*;

pub use kind::{ContentKind, content_kind, is_readable_format};

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

#[cfg(test)]
mod tests {
    use super::xls_guard::{boundsheet_name, xls_dimensions_cells, xls_hidden_rows};
    use super::*;

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
}
