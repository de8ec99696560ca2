//! Intake: one function from a submitted workbook's path to a typed [`Submission`], whatever
//! the format (.xlsx .xlsm .xls .ods), tolerant of the ways people edit the form.
//!
//! The steps: read the bytes within the limits ([`read`]), find the header row and the header
//! block ([`header`]), read the task rows with continuation rows folded in ([`rows`]),
//! identify the unit ([`identify`]), and check every row ([`validate`]).

pub mod header;
pub mod identify;
pub mod normalise;
pub mod read;
pub mod reply;
pub mod rows;
pub mod validate;

use crate::archive::sha256_hex;
use crate::config::Limits;
use crate::model::{Master, Month, PreviousTask, Problem, ProblemCode, Submission};
use crate::units::Directory;
use chrono::NaiveDate;
use header::{BlockLabel, BlockValue};
use identify::Identified;
use normalise::{CellValue, date_from_cell};
use rayon::prelude::*;
use read::{ReadError, Workbook};
use rows::RawRow;
use std::collections::BTreeMap;
use std::path::Path;
use validate::RowContext;

/// Everything intake checks a submission against.
pub struct IntakeContext<'a> {
    pub master: &'a Master,
    pub units: &'a Directory,
    pub month: Month,
    pub as_of: NaiveDate,
    pub limits: &'a Limits,
    /// Last month's state per task, when last month's 汇总表 was read.
    pub previous: Option<&'a BTreeMap<u32, PreviousTask>>,
    /// Progress at or above which a blank status counts as 已完成.
    pub done_percent: f64,
}

/// Extensions that promise a workbook: a file named so that is not one is an error (it was
/// meant as the unit's report). Every file is read by its content whatever its name.
const WORKBOOK_EXTENSIONS: [&str; 9] = [
    "xlsx", "xlsm", "xlsb", "xls", "xltx", "xltm", "ods", "et", "ett",
];

/// `收件记录.csv`: one row per message collected (`duban collect`).
pub const COLLECT_LOG: &str = "收件记录.csv";
/// `回执记录.csv`: one row per receipt sent.
pub const RECEIPT_LOG: &str = "回执记录.csv";
/// `报送进度.csv`: what `duban status` shows.
pub const STATUS_FILE: &str = "报送进度.csv";
/// `催报记录.csv`: one row per reminder sent.
pub const REMIND_LOG: &str = "催报记录.csv";

/// The reply loop's files in a month's submissions folder, which intake does not read.
pub const LOOP_FILES: [&str; 4] = [COLLECT_LOG, RECEIPT_LOG, STATUS_FILE, REMIND_LOG];

/// Files a folder of emailed attachments typically also holds, and the logs `duban collect`,
/// `status` and `remind` keep beside the submissions (and their dot-files: the send lock);
/// skipped silently.
fn is_ignored(name: &str) -> bool {
    LOOP_FILES.contains(&name)
        || name.starts_with('.')
        || name.starts_with("~$")
        || name.starts_with(".~lock")
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// All workbook files in a month folder, read in parallel, sorted by file name.
///
/// Hidden files, Office/LibreOffice lock files (`~$…`, `.~lock…#`), Thumbs.db and
/// desktop.ini are skipped; sub-folders and links are not read but get a warning each. Any
/// other non-workbook file (a PDF scan, a Word document) gets a Submission with one warning,
/// so the office sees it arrived but was not read.
pub fn read_month(dir: &Path, ctx: &IntakeContext) -> Vec<Submission> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if is_ignored(&file_name(&path)) {
            continue;
        }
        // the entry's own type: links are not followed
        match entry.file_type() {
            Ok(t) if t.is_file() => paths.push(path),
            Ok(t) => skipped.push(not_read_entry(&path, Some(t))),
            Err(_) => skipped.push(not_read_entry(&path, None)),
        }
    }
    paths.sort_by_key(|p| file_name(p));
    // Every file is looked at by content: a workbook under any name is read; anything else is
    // named for what it is (an error when its name promised a workbook, a warning otherwise).
    let mut subs: Vec<Submission> = paths
        .par_iter()
        .flat_map_iter(|p| {
            if extension(&file_name(p)) == "eml" {
                read_message(p, ctx)
            } else {
                vec![read_submission(p, ctx)]
            }
        })
        .collect();
    subs.extend(skipped);
    subs.sort_by(|a, b| a.file.cmp(&b.file));
    subs
}

/// A folder, link, pipe, socket or device in the month folder: not opened (intake never
/// follows links or descends into folders), but reported so nothing arrives unseen.
fn not_read_entry(path: &Path, kind: Option<std::fs::FileType>) -> Submission {
    let name = file_name(path);
    let mut sub = empty_submission(&name);
    let problem = match kind {
        Some(t) if t.is_dir() => Problem::subfolder_not_read(&name),
        Some(t) if !t.is_symlink() => Problem::special_file_not_read(&name, special_kind(t)),
        _ => Problem::link_not_read(&name),
    };
    sub.problems.push(problem.file(name));
    sub
}

/// What a file that is neither a regular file, a folder nor a link is, in words.
fn special_kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "命名管道";
        }
        if t.is_socket() {
            return "套接字";
        }
        if t.is_block_device() || t.is_char_device() {
            return "设备文件";
        }
    }
    let _ = t;
    "特殊文件"
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn empty_submission(file: &str) -> Submission {
    Submission {
        file: file.to_string(),
        sha256: String::new(),
        size: 0,
        unit: None,
        reporter: None,
        phone: None,
        reported_on: None,
        rows: Vec::new(),
        rows_read: 0,
        rows_rejected: 0,
        rows_not_reporting: 0,
        problems: Vec::new(),
    }
}

/// A warning when the file name is not valid UTF-8 (typically GBK bytes from an archive
/// unpacked on another system): the file is still read, under a name with `�` in it.
fn file_name_problem(path: &Path) -> Option<Problem> {
    let name = path.file_name()?;
    if name.to_str().is_some() {
        return None;
    }
    let shown = name.to_string_lossy().into_owned();
    Some(Problem::file_name_not_utf8(&shown).file(shown))
}

/// Reads one submitted workbook. Never panics; every problem becomes a [`Problem`].
pub fn read_submission(path: &Path, ctx: &IntakeContext) -> Submission {
    let file = file_name(path);
    let bytes = match read_once(path, ctx.limits) {
        Ok(b) => b,
        Err(refused) => {
            let mut sub = refused.into_submission(&file);
            attribute_by_file_name(&mut sub, &file, None, ctx);
            return sub;
        }
    };
    let mut sub = read_submission_bytes(&file, &bytes, None, ctx);
    sub.problems.extend(file_name_problem(path));
    sub
}

/// A `.eml` saved by hand into the month folder: its workbook attachments (also inside a
/// forwarded message) read as the sender's submission — the sender's address, when it is a
/// unit's `email` or `reply_from`, names the unit as a file name would. A message without a
/// workbook is reported with what it holds.
fn read_message(path: &Path, ctx: &IntakeContext) -> Vec<Submission> {
    let file = file_name(path);
    let bytes = match read_once(path, ctx.limits) {
        Ok(b) => b,
        Err(refused) => return vec![refused.into_submission(&file)],
    };
    let Some(reply) = reply::parse(&bytes) else {
        let mut sub = empty_submission(&file);
        sub.sha256 = sha256_hex(&bytes);
        sub.size = bytes.len() as u64;
        sub.problems.push(
            Problem::warning(
                ProblemCode::NotAWorkbookFile,
                "邮件文件（.eml）无法解析，未读取其中的附件；请直接把进展表附件另存到本月文件夹",
            )
            .file(file),
        );
        return vec![sub];
    };
    let sender_unit = ctx.units.by_address(&reply.sender).map(|u| u.name.clone());
    let mut subs: Vec<Submission> = reply
        .attachments
        .iter()
        .filter(|a| a.kind == read::ContentKind::Workbook)
        .map(|a| {
            let name = format!("{file} › {}", a.name);
            read_submission_bytes(&name, &a.bytes, sender_unit.as_deref(), ctx)
        })
        .collect();
    if subs.is_empty() {
        let mut sub = empty_submission(&file);
        sub.sha256 = sha256_hex(&bytes);
        sub.size = bytes.len() as u64;
        let mut problem = Problem::warning(
            ProblemCode::NotAWorkbookFile,
            format!(
                "邮件（发件人 {}，主题“{}”）中没有进展表附件（{}），未读取",
                reply.sender,
                reply.subject,
                reply.holds()
            ),
        )
        .file(file);
        if let Some(unit) = &sender_unit {
            problem = problem.unit(unit.clone());
            sub.unit = Some(unit.clone());
        }
        sub.problems.push(problem);
        subs.push(sub);
    }
    subs
}

/// Reads a submitted workbook from its bytes; `file` names it in problems. `sender_unit` is
/// the unit whose address sent it (a saved `.eml`): it stands in for the file name when the
/// unit is identified.
pub fn read_submission_bytes(
    file: &str,
    bytes: &[u8],
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) -> Submission {
    let file = file.to_string();
    let mut sub = empty_submission(&file);
    sub.size = bytes.len() as u64;
    if bytes.len() as u64 > ctx.limits.max_file_bytes {
        sub.problems.push(
            Problem::file_too_large(bytes.len() as u64, ctx.limits.max_file_bytes)
                .file(file.clone()),
        );
        attribute_by_file_name(&mut sub, &file, sender_unit, ctx);
        return sub;
    }
    sub.sha256 = sha256_hex(bytes);
    let named_as_workbook = WORKBOOK_EXTENSIONS.contains(&extension(&file).as_str());
    match read::read_workbook(bytes, ctx.limits) {
        Ok(book) => fill_submission(&mut sub, &book, sender_unit, ctx),
        // A file not named as a workbook that is not one (a scan, a Word document sent along):
        // it arrived, it was not read, the office sees what it was.
        Err(ReadError::Refused { code, message, .. })
            if !named_as_workbook && code == ProblemCode::NotAWorkbook =>
        {
            sub.problems
                .push(Problem::warning(ProblemCode::NotAWorkbookFile, message).file(file.clone()));
        }
        Err(ReadError::Refused {
            code,
            message,
            detail,
        }) => {
            let mut problem = Problem::error(code, message).file(file.clone());
            problem.detail = detail;
            sub.problems.push(problem);
        }
    }
    if sub.unit.is_none() && sub.rows_read == 0 {
        attribute_by_file_name(&mut sub, &file, sender_unit, ctx);
    }
    sub
}

/// The unit a file's name (or, for a mailed file, its sender) gives.
fn unit_from_name(file: &str, sender_unit: Option<&str>, ctx: &IntakeContext) -> Option<String> {
    sender_unit
        .map(str::to_string)
        .or_else(|| identify::unit_from_file_name(&stem_of(file), ctx.units))
}

fn stem_of(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A file that could not be read at all is still the unit's, when its name (or its sender)
/// says whose it is: the problem then reaches that unit's notice (“请重新保存后报送”) and its
/// receipt.
fn attribute_by_file_name(
    sub: &mut Submission,
    file: &str,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) {
    let Some(unit) = unit_from_name(file, sender_unit, ctx) else {
        return;
    };
    for p in sub.problems.iter_mut().filter(|p| p.unit.is_none()) {
        p.unit = Some(unit.clone());
    }
    sub.unit = Some(unit);
}

/// A file intake did not take in: why, and its size and SHA-256 when it was hashed anyway.
struct Refused {
    problem: Box<Problem>,
    hashed: Option<(u64, String)>,
}

impl Refused {
    /// The submission of the file named `file`: the problem, with the size and SHA-256 when the
    /// file was hashed anyway (run.json still records it).
    fn into_submission(self, file: &str) -> Submission {
        let mut sub = empty_submission(file);
        if let Some((size, sha256)) = self.hashed {
            sub.size = size;
            sub.sha256 = sha256;
        }
        sub.problems.push(self.problem.file(file.to_string()));
        sub
    }
}

/// The file's bytes, read once through one handle: opened without following a link and without
/// waiting on a pipe, checked to be a regular file on that handle (a file swapped for a pipe
/// after the folder was listed is not read), and refused above `limits.max_file_bytes` — such
/// a file is hashed by streaming, never held in memory, so run.json still records it.
fn read_once(path: &Path, limits: &Limits) -> Result<Vec<u8>, Refused> {
    use std::io::Read;
    let refused = |problem: Problem| Refused {
        problem: Box::new(problem),
        hashed: None,
    };
    let unreadable = |e: std::io::Error| refused(Problem::unreadable_file(e));
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            refused(Problem::link_not_read(&file_name(path)))
        } else {
            unreadable(e)
        }
    })?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(refused(Problem::special_file_not_read(
            &file_name(path),
            special_kind(meta.file_type()),
        )));
    }
    let mut bytes = Vec::new();
    if meta.len() <= limits.max_file_bytes {
        (&mut file)
            .take(limits.max_file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 <= limits.max_file_bytes {
            return Ok(bytes);
        }
    }
    // Too large (or grown past the limit while read): hash what was read, stream the rest.
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    let mut len = bytes.len() as u64;
    drop(bytes);
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buffer[..n]);
                len += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(e)),
        }
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Err(Refused {
        problem: Box::new(Problem::file_too_large(len, limits.max_file_bytes)),
        hashed: Some((len, sha256)),
    })
}

/// The data of all sheets with a recognisable header.
struct SheetData {
    rows: Vec<RawRow>,
    block: BTreeMap<BlockLabel, (String, BlockValue)>,
    /// Problems of a sheet as a whole (a header without 完成进度).
    notes: Vec<Problem>,
}

fn collect_sheets(book: &Workbook, ctx: &IntakeContext, unit_hint: &[u32]) -> Option<SheetData> {
    let mut data = SheetData {
        rows: Vec::new(),
        block: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut any_header = false;
    for sheet in &book.sheets {
        let Some(head) = header::find_header(sheet) else {
            continue;
        };
        any_header = true;
        if head.col(header::Column::Percent).is_none() {
            data.notes.push(
                Problem::no_percent_column(head.row)
                    .sheet(sheet.name.clone())
                    .cell(crate::model::cell_ref(head.row, 0)),
            );
        }
        data.rows.extend(rows::read_rows(
            sheet,
            &head,
            book.styles_known,
            ctx.master,
            unit_hint,
            &mut data.notes,
        ));
        for (label, value) in header::find_block(sheet, Some(head.row)) {
            data.block
                .entry(label)
                .or_insert((sheet.name.clone(), value));
        }
    }
    any_header.then_some(data)
}

/// A preliminary unit guess (from 填报单位 in any sheet, else the file name) used only to prefer
/// that unit's tasks when a 序号 must be recovered from the task text.
fn unit_hint(
    book: &Workbook,
    file: &str,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) -> Vec<u32> {
    let from_block = book.sheets.iter().find_map(|s| {
        header::find_block(s, None)
            .get(&BlockLabel::Unit)
            .and_then(|v| identify::unit_from_block(&v.value.text(), ctx.units))
    });
    let unit = from_block.or_else(|| unit_from_name(file, sender_unit, ctx));
    unit.map(|u| ctx.master.tasks_of_unit(&u).map(|t| t.number).collect())
        .unwrap_or_default()
}

fn block_text(data: &SheetData, label: BlockLabel) -> Option<String> {
    data.block
        .get(&label)
        .map(|(_, v)| v.value.text())
        .filter(|t| !t.is_empty())
}

fn fill_submission(
    sub: &mut Submission,
    book: &Workbook,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) {
    let file = sub.file.clone();
    let hint = unit_hint(book, &file, sender_unit, ctx);
    let Some(data) = collect_sheets(book, ctx, &hint) else {
        sub.problems.push(Problem::no_header().file(file));
        return;
    };
    sub.reporter = block_text(&data, BlockLabel::Reporter);
    sub.phone = block_text(&data, BlockLabel::Phone);
    let date_value = data.block.get(&BlockLabel::Date);
    sub.reported_on = date_value.and_then(|(_, v)| date_from_cell(&v.value, ctx.month));
    sub.rows_read = u32::try_from(data.rows.len()).unwrap_or(u32::MAX);
    sub.problems
        .extend(data.notes.iter().map(|p| p.clone().file(file.clone())));

    let unit = identify_unit(sub, &data, sender_unit, ctx);
    if let Some(unit) = &unit {
        check_rows(sub, &data.rows, unit, ctx);
    }
    if let Some(mut p) = validate::check_report_date(
        date_value.map(|(_, v)| &v.value),
        sub.reported_on,
        ctx.month,
        ctx.as_of,
    ) {
        p = p.file(file.clone());
        if let Some((sheet, v)) = date_value {
            p = p
                .sheet(sheet.clone())
                .cell(crate::model::cell_ref(v.row, v.col));
        }
        sub.problems.push(p);
    }
    if let Some(u) = &unit {
        for p in &mut sub.problems {
            p.unit.get_or_insert_with(|| u.clone());
        }
    }
    debug_assert_eq!(
        sub.rows.len() as u32 + sub.rows_rejected + sub.rows_not_reporting,
        sub.rows_read
    );
}

/// Identifies the unit; on failure adds the error and rejects every row.
fn identify_unit(
    sub: &mut Submission,
    data: &SheetData,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) -> Option<String> {
    let file = sub.file.clone();
    let block_raw = block_text(data, BlockLabel::Unit);
    let block_unit = block_raw
        .as_deref()
        .and_then(|t| identify::unit_from_block(t, ctx.units));
    if let (Some(raw), None) = (&block_raw, &block_unit) {
        let (sheet, v) = data
            .block
            .get(&BlockLabel::Unit)
            .cloned()
            .unwrap_or_else(|| {
                (
                    String::new(),
                    BlockValue {
                        value: CellValue::Empty,
                        row: 0,
                        col: 0,
                    },
                )
            });
        sub.problems.push(
            Problem::unit_name_unrecognised()
                .file(file.clone())
                .sheet(sheet)
                .cell(crate::model::cell_ref(v.row, v.col))
                .raw(raw.clone()),
        );
    }
    let file_unit = unit_from_name(&file, sender_unit, ctx);
    let numbers: Vec<u32> = data.rows.iter().filter_map(|r| r.number).collect();
    let task_unit = identify::unit_from_tasks(&numbers, ctx.master);
    let rows = sub.rows_read;
    match identify::identify(
        block_unit.as_deref(),
        file_unit.as_deref(),
        task_unit.as_deref(),
    ) {
        Identified::Unit { name, .. } => {
            sub.unit = Some(name.clone());
            Some(name)
        }
        Identified::Conflict {
            block,
            file: from_name,
        } => {
            let mut p = identify::conflict_problem(&file, &block, &from_name, rows);
            if let Some((sheet, v)) = data.block.get(&BlockLabel::Unit) {
                p = p
                    .sheet(sheet.clone())
                    .cell(crate::model::cell_ref(v.row, v.col))
                    .raw(v.value.text());
            }
            sub.problems.push(p);
            sub.rows_rejected = rows;
            None
        }
        Identified::Unknown => {
            sub.problems
                .push(identify::unknown_unit_problem(&file, rows));
            sub.rows_rejected = rows;
            None
        }
    }
}

fn check_rows(sub: &mut Submission, rows: &[RawRow], unit: &str, ctx: &IntakeContext) {
    let row_ctx = RowContext {
        master: ctx.master,
        unit,
        file: &sub.file,
        month: ctx.month,
        done_percent: ctx.done_percent,
        previous: ctx.previous,
    };
    let mut accepted = Vec::new();
    let mut problems = Vec::new();
    let mut rejected = 0u32;
    let mut not_reporting = 0u32;
    for raw in rows {
        if raw.hidden {
            problems.push(
                Problem::hidden_row(raw.number.map_or("？".to_string(), |n| n.to_string()))
                    .unit(unit)
                    .file(sub.file.clone())
                    .sheet(raw.sheet.clone())
                    .cell(crate::model::cell_ref(raw.row, 0)),
            );
        }
        let checked = validate::check_row(raw, &row_ctx);
        problems.extend(checked.problems);
        match checked.row {
            Some(r) => accepted.push(r),
            None if checked.not_reporting => not_reporting += 1,
            None => rejected += 1,
        }
    }
    problems.extend(validate::duplicate_tasks(&accepted));
    sub.rows = accepted;
    sub.rows_rejected = rejected;
    sub.rows_not_reporting = not_reporting;
    sub.problems.extend(problems);
}
