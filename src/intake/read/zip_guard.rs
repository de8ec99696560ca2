//! Resource guards for zip-based workbooks (xlsx, ods), run before calamine sees the file: the
//! inflated size, the element counts of the parts that cost calamine memory, and ODS's repeated
//! rows and columns.

use super::*;

/// Inflates every entry through a bounded reader; refuses when the declared or the actual
/// total exceeds the limit. Memory stays constant: the data goes to a sink.
pub(super) fn check_inflated_size(bytes: &[u8], limits: &Limits) -> Result<Inflated, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let refuse = |what: &str| {
        ReadError::new(
            ProblemCode::InflatedTooLarge,
            format!(
                "文件解压后{what}超过上限 {} 字节，未读取；文件可能异常，请重新导出后报送",
                limits.max_inflated_bytes
            ),
        )
        .with_detail(super::limit_setting(
            "max_inflated_bytes",
            limits.max_inflated_bytes,
        ))
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
    let mut inflated = Inflated::default();
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
        let part_name = entry
            .name()
            .map(|n| n.replace('\\', "/"))
            .unwrap_or_default();
        let part = PartKind::of(&part_name);
        let tag_budget = max_sheet_tags(limits).saturating_sub(sheet_tags);
        let mut counted = Counting {
            inner: entry.take(budget.saturating_add(1)),
            bytes: 0,
            tags: 0,
            max_tags: (part == PartKind::Sheet).then_some(tag_budget),
            hidden: false,
            tail: Vec::new(),
        };
        if matches!(part, PartKind::SharedStrings | PartKind::Styles) {
            check_part_counts(&mut counted, part, limits)?;
        }
        let copied = std::io::copy(&mut counted, &mut std::io::sink());
        if counted.max_tags.is_some_and(|m| counted.tags > m) {
            return Err(ReadError::new(
                ProblemCode::SheetTooLarge,
                "工作表的内容超过上限，文件未读取；文件可能异常（如大量空行），请重新导出后报送",
            )
            .with_detail(format!(
                "XML 标记数超过 {}（由 {} 与 {} 推算）",
                max_sheet_tags(limits),
                super::limit_setting("max_cells", limits.max_cells),
                super::limit_setting("max_rows_per_sheet", limits.max_rows_per_sheet)
            )));
        }
        copied.map_err(corrupt)?;
        actual = actual.saturating_add(counted.bytes);
        if actual > limits.max_inflated_bytes {
            return Err(refuse(""));
        }
        sheet_tags = sheet_tags.saturating_add(counted.tags);
        if part == PartKind::Sheet && counted.hidden {
            inflated
                .sheets_with_hidden
                .insert(part_name.to_ascii_lowercase());
        }
    }
    Ok(inflated)
}

/// What the size check saw on its way through the package.
#[derive(Debug, Default)]
pub(super) struct Inflated {
    /// Sheet parts (lower-case, `/`-separated) that mention a `hidden=` attribute: the only
    /// ones worth reading again for hidden rows.
    pub sheets_with_hidden: std::collections::BTreeSet<String>,
}

/// Most `<` a workbook's sheet XML may hold: a stored cell takes about 4–6 (`<c><v></v></c>`,
/// inline strings 6), a row 2. Reading time grows with the number of XML elements whether or
/// not they hold cells, so a sheet of millions of empty `<row/>` elements (a few MB zipped) is
/// refused here instead of keeping intake busy for a minute.
pub(super) fn max_sheet_tags(limits: &Limits) -> u64 {
    limits
        .max_cells
        .saturating_mul(6)
        .saturating_add(u64::from(limits.max_rows_per_sheet).saturating_mul(2))
}

/// Counts the bytes read through it and, with `max_tags`, the `<` among them, failing as soon
/// as they exceed `max_tags`.
pub(super) struct Counting<R> {
    inner: R,
    bytes: u64,
    tags: u64,
    max_tags: Option<u64>,
    /// `hidden=` occurs (sheet parts only; the search spans read boundaries via `tail`).
    hidden: bool,
    tail: Vec<u8>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes = self.bytes.saturating_add(n as u64);
        if let Some(max) = self.max_tags {
            let read = buf.get(..n).unwrap_or_default();
            if !self.hidden {
                const NEEDLE: &[u8] = b"hidden=";
                self.tail.extend_from_slice(
                    read.get(..read.len().min(NEEDLE.len())).unwrap_or_default(),
                );
                self.hidden = self.tail.windows(NEEDLE.len()).any(|w| w == NEEDLE)
                    || read.windows(NEEDLE.len()).any(|w| w == NEEDLE);
                let keep = read.len().min(NEEDLE.len() - 1);
                self.tail.clear();
                self.tail.extend_from_slice(&read[read.len() - keep..]);
            }
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
pub(super) enum PartKind {
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
pub(super) const MAX_STYLE_RECORDS: u64 = 131_072;

/// Streams a shared-strings or styles part and refuses it when calamine would allocate beyond
/// the limits: a `uniqueCount` it reserves up front, one string per `<si>`, one style per `<xf>`.
/// An XML error ends the scan quietly (calamine reports it).
pub(super) fn check_part_counts<R: Read>(
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
pub(super) fn declared_count(value: &str) -> u64 {
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

pub(super) fn too_many(what: &str, limit: u64, key: &str) -> ReadError {
    let refused = ReadError::new(
        ProblemCode::SheetTooLarge,
        format!("工作簿中的{what}数超过上限 {limit}，文件未读取；文件可能异常，请重新导出后报送"),
    );
    if key.is_empty() {
        refused
    } else {
        refused.with_detail(super::limit_setting(key, limit))
    }
}

pub(super) fn limit_error(sheet: &str, what: &str, limit: u64, key: &str) -> ReadError {
    ReadError::new(
        ProblemCode::SheetTooLarge,
        format!("工作表“{sheet}”的{what}超过上限 {limit}，文件未读取；请删去无关内容后重新报送"),
    )
    .with_detail(super::limit_setting(key, limit))
}

/// calamine materialises an ODS sheet as a dense rectangle, expanding
/// `number-rows-repeated` / `number-columns-repeated`; a tiny content.xml can ask for 100
/// million cells. Estimate the rectangle from the XML first (bounded: the part was already
/// size-checked) and refuse beyond `max_cells`.
///
/// Returns the rows hidden in each table (`table:visibility="collapse"` or `"filter"`), by
/// table name, which calamine does not report.
pub(super) fn check_ods_dense_size(bytes: &[u8], limits: &Limits) -> Result<HiddenRows, ReadError> {
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
    let mut hidden = HiddenRows::new();
    let mut table = String::new();
    let hide = |hidden: &mut HiddenRows, table: &str, from: u64, count: u64| {
        // a collapsed run of trailing empty rows can be a million long: only rows that can
        // hold data matter
        let end = from
            .saturating_add(count)
            .min(u64::from(limits.max_rows_per_sheet));
        let set = hidden.entry(table.to_string()).or_default();
        for r in from..end {
            set.insert(u32::try_from(r).unwrap_or(u32::MAX));
        }
    };
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "table-row" => {
                // a row without cells still takes its place(s)
                let n = repeat(&e, "table:number-rows-repeated");
                if row_hidden(&e) {
                    hide(&mut hidden, &table, rows, n);
                }
                rows = rows.saturating_add(n);
            }
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                "table" => {
                    (rows, last_row, width) = (0, 0, 0);
                    table = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "table:name")
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                        .unwrap_or_default();
                }
                "table-row" => {
                    (row_repeat, col, row_last_col) =
                        (repeat(&e, "table:number-rows-repeated"), 0, 0);
                    if row_hidden(&e) {
                        hide(&mut hidden, &table, rows, row_repeat);
                    }
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
                            "表格按重复行列展开后的单元格数超过上限 {}，文件未读取；请删去无关内容后重新报送",
                            limits.max_cells
                        ),
                    )
                    .with_detail(super::limit_setting("max_cells", limits.max_cells)));
                }
            }
            Ok(Event::Eof) => return Ok(hidden),
            Err(e) => return Err(corrupt(e)),
            _ => {}
        }
    }
}

/// Rows hidden per sheet name, 0-based.
pub(super) type HiddenRows = BTreeMap<String, std::collections::BTreeSet<u32>>;

/// An ODS row hidden by hand (`collapse`) or by a filter.
fn row_hidden(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        a.key.as_ref() == "table:visibility" && matches!(a.value.as_ref(), "collapse" | "filter")
    })
}
