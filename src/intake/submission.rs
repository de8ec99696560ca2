//! One submitted file → its [`Submission`]: a workbook's bytes read and filled in, a saved
//! `.eml`'s workbook attachments, and whose a file is when it cannot be read.

use super::file::{file_name, file_name_problem, read_once};
use super::fill::fill_submission;
use super::read::{self, ReadError};
use super::{IntakeContext, identify, reply};
use crate::archive::sha256_hex;
use crate::model::{Problem, ProblemCode, Submission};
use std::path::Path;

/// Extensions that promise a workbook: a file named so that is not one is an error (it was
/// meant as the unit's report). Every file is read by its content whatever its name.
const WORKBOOK_EXTENSIONS: [&str; 9] = [
    "xlsx", "xlsm", "xlsb", "xls", "xltx", "xltm", "ods", "et", "ett",
];

pub(super) fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(super) fn empty_submission(file: &str) -> Submission {
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
pub(super) fn read_message(path: &Path, ctx: &IntakeContext) -> Vec<Submission> {
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
pub(super) fn unit_from_name(
    file: &str,
    sender_unit: Option<&str>,
    ctx: &IntakeContext,
) -> Option<String> {
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
pub(super) fn attribute_by_file_name(
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
