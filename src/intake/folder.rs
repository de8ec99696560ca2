//! The month folder: which entries intake reads, skips or reports, and the reply loop's own
//! files beside the submissions.

use super::IntakeContext;
use super::file::{file_name, special_kind};
use super::submission::{empty_submission, extension, read_message, read_submission};
use crate::model::{Problem, Submission};
use rayon::prelude::*;
use std::path::Path;

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
