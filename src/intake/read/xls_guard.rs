//! Resource guards for BIFF8 `.xls` workbooks: cell records and declared dimensions per sheet,
//! read from the workbook stream before calamine parses it.

use super::*;

/// BIFF record types that make calamine's xls reader store one cell.
pub(super) const XLS_CELL_RECORDS: [u16; 7] =
    [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// calamine's xls reader parses every sheet when the file is opened: it reserves room for the
/// rectangle a DIMENSIONS record declares, then builds a dense grid over the bounding box of the
/// cells (twice, with the formulas). A 10 KB file with one cell in A1 and one in IV65536 (or
/// a DIMENSIONS record that lies) would need gigabytes, so the BIFF records are scanned first
/// and the file is refused when those rectangles, summed over the sheets, exceed `max_cells`.
/// First of all, the globals are read: an encrypted workbook (FILEPASS) is refused with the
/// password message before any record of it is taken for data, an Excel 95 one for what it is.
/// Returns the rows hidden in each sheet (ROW records with fDyZero set), by sheet name, which
/// calamine does not report.
pub(super) fn check_xls_size(bytes: &[u8], limits: &Limits) -> Result<HiddenRows, ReadError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(corrupt)?;
    let mut stream = Vec::new();
    file.open_stream("Workbook")
        .map_err(|_| corrupt("缺少 Workbook 数据流"))?
        .take(limits.max_file_bytes)
        .read_to_end(&mut stream)
        .map_err(corrupt)?;
    match biff_globals(&stream) {
        Globals::Encrypted => return Err(password_error()),
        Globals::Older => return Err(foreign(EXCEL95)),
        // Biff8, or not what a BOF record looks like: let calamine have its say.
        Globals::Biff8 | Globals::Unknown => {}
    }
    let mut dense: u64 = 0;
    let mut hidden = HiddenRows::new();
    for (i, (pos, name)) in xls_sheets(&stream).into_iter().enumerate() {
        let sheet = stream.get(pos..).unwrap_or_default();
        let rows = xls_hidden_rows(sheet);
        if !rows.is_empty() {
            hidden.insert(name, rows);
        }
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
    Ok(hidden)
}

pub(super) fn xls_limit_error(index: usize, what: &str, limit: u64, key: &str) -> ReadError {
    ReadError::new(
        ProblemCode::SheetTooLarge,
        format!(
            "第 {} 个工作表的{what}（按文件记录计算）超过上限 {limit}，文件未读取；请删去无关内容后重新报送",
            index + 1
        ),
    )
    .with_detail(super::limit_setting(key, limit))
}

/// BIFF records of a stream: (type, data), stopping at the first truncated record.
pub(super) fn biff_records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16::from_le_bytes([*stream.first()?, *stream.get(1)?]);
        let len = usize::from(u16::from_le_bytes([*stream.get(2)?, *stream.get(3)?]));
        let data = stream.get(4..4 + len)?;
        stream = stream.get(4 + len..).unwrap_or_default();
        Some((typ, data))
    })
}

pub(super) fn le_u16(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
    ])))
}

pub(super) fn le_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
        *data.get(at + 2)?,
        *data.get(at + 3)?,
    ]))
}

/// Stream offsets and names of the sheets (BoundSheet8 records of the workbook globals).
pub(super) fn xls_sheets(stream: &[u8]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (typ, data) in biff_records(stream) {
        match typ {
            0x0085 => {
                if let Some(pos) = le_u32(data, 0) {
                    out.push((pos as usize, boundsheet_name(data).unwrap_or_default()));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    out
}

/// A BoundSheet8's name: a ShortXLUnicodeString at offset 6 (count, then Latin-1 bytes or
/// UTF-16LE units by its high-byte flag).
pub(super) fn boundsheet_name(data: &[u8]) -> Option<String> {
    let count = usize::from(*data.get(6)?);
    let wide = *data.get(7)? & 1 == 1;
    let chars = data.get(8..)?;
    Some(if wide {
        let units: Vec<u16> = chars
            .chunks_exact(2)
            .take(count)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        chars.iter().take(count).map(|b| char::from(*b)).collect()
    })
}

/// Rows whose ROW record marks them hidden (fDyZero), in one sheet's substream.
pub(super) fn xls_hidden_rows(sheet: &[u8]) -> std::collections::BTreeSet<u32> {
    let mut out = std::collections::BTreeSet::new();
    let mut seen_bof = false;
    for (typ, data) in biff_records(sheet) {
        match typ {
            0x0809 if seen_bof => break,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0208 => {
                if let (Some(row), Some(flags)) = (le_u16(data, 0), le_u16(data, 12))
                    && flags & 0x20 != 0
                {
                    out.insert(row);
                }
            }
            _ => {}
        }
    }
    out
}

/// What reading one xls sheet would cost calamine.
#[derive(Debug, Default, PartialEq)]
pub(super) struct XlsSheetSize {
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
pub(super) struct BBox(Option<(u32, u32, u32, u32)>);

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
pub(super) fn xls_sheet_size(sheet: &[u8]) -> XlsSheetSize {
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
pub(super) fn xls_dimensions_cells(data: &[u8]) -> u64 {
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
