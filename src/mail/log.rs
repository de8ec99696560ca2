//! The send log `发送记录.csv` (UTF-8 with BOM, CRLF, one row per attempt), and the reader for
//! the CSV files duban writes (`清单.csv`, the log itself).
//!
//! A row is appended and synced to disk after every message, so a crash loses at most the row
//! of the message in flight; a row cut short by a crash is read as not sent.

use crate::deliver::{guard, push_record};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Header of the send log.
pub const LOG_HEADER: [&str; 7] = [
    "时间",
    "单位",
    "邮箱",
    "邮件文件",
    "SHA-256",
    "结果",
    "服务器回复",
];

/// What became of one message (the log's 结果 column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted the message (250).
    Sent,
    /// A temporary failure outlasted the retries: sent next run.
    Temporary,
    /// The server refused it for good (5xx): the office must act.
    Rejected,
    /// The unit has no address: delivered by other means.
    NoAddress,
}

impl Outcome {
    /// The 结果 text.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Sent => "已发送",
            Outcome::Temporary => "暂时失败",
            Outcome::Rejected => "被拒收",
            Outcome::NoAddress => "未发送（无邮箱）",
        }
    }
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// `2026-12-01 09:30:05 +08:00` (local time of the machine that sent).
    pub time: String,
    pub unit: String,
    /// Recipients, `; `-separated.
    pub address: String,
    /// The `.eml`, relative to the folder of the log.
    pub file: String,
    /// SHA-256 of the bytes sent (empty when nothing was sent).
    pub sha256: String,
    pub outcome: Outcome,
    /// The server's reply or the reason.
    pub reply: String,
}

/// `(unit, 结果)` of every complete row of the log at `path` (none when there is no log).
pub fn read_outcomes(path: &Path) -> std::io::Result<Vec<(String, String)>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let table = read_csv(&text);
    let Some((header, rows)) = table.split_first() else {
        return Ok(Vec::new());
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(unit), Some(outcome)) = (col("单位"), col("结果")) else {
        return Ok(Vec::new());
    };
    Ok(rows
        .iter()
        .filter(|r| r.len() == header.len())
        .filter_map(|r| Some((r.get(unit)?.clone(), r.get(outcome)?.clone())))
        .collect())
}

/// The log opened for appending.
#[derive(Debug)]
pub struct SendLog {
    path: PathBuf,
    file: File,
}

impl SendLog {
    /// Opens the log at `path`, creating it with its header when missing; a last row cut short
    /// by a crash is closed with a line break so the next row starts on its own line.
    pub fn open(path: &Path) -> std::io::Result<SendLog> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let len = file.metadata()?.len();
        if len == 0 {
            let mut text = String::from("\u{FEFF}");
            push_record(&mut text, LOG_HEADER.iter().map(|s| s.to_string()));
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            sync_parent(path);
        } else {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\r\n")?;
            }
        }
        Ok(SendLog {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends `row` and syncs it to disk before returning.
    pub fn append(&mut self, row: &LogRow) -> std::io::Result<()> {
        let mut line = String::new();
        push_record(
            &mut line,
            [
                row.time.as_str(),
                row.unit.as_str(),
                row.address.as_str(),
                row.file.as_str(),
                row.sha256.as_str(),
                row.outcome.label(),
                row.reply.as_str(),
            ]
            .into_iter()
            .map(str::to_string),
        );
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Makes a new file's directory entry durable (best effort; not possible on every platform).
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent()
        && let Ok(dir) = File::open(parent)
    {
        let _ = dir.sync_all();
    }
}

/// Records of a CSV text as duban writes it (RFC 4180 by the `csv` crate; a leading BOM), with
/// the `'` guard that [`guard`] puts before a cell that a
/// spreadsheet would read as a formula taken off again.
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        // a record csv cannot read (invalid UTF-8 cannot occur in a &str) ends the table
        .map_while(Result::ok)
        .map(|record| {
            record
                .iter()
                .map(|cell| unguard(cell.to_string()))
                .collect()
        })
        .collect()
}

/// Takes off the formula guard `'` that [`guard`] adds.
fn unguard(cell: String) -> String {
    let mut chars = cell.chars();
    if chars.next() == Some('\'')
        && let Some(next) = chars.next()
        && guard(&next.to_string()).starts_with('\'')
    {
        return cell['\''.len_utf8()..].to_string();
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip() {
        let mut text = String::from("\u{FEFF}");
        let cells = ["a,b", "say \"hi\"", "=SUM(A1)", "two\r\nlines", "", "单位"];
        push_record(&mut text, cells.iter().map(|s| s.to_string()));
        push_record(&mut text, ["x".to_string()].into_iter());
        let read = read_csv(&text);
        assert_eq!(read.len(), 2);
        assert_eq!(read[0], cells);
        assert_eq!(read[1], ["x"]);
        assert_eq!(read_csv("a,b\nc"), [vec!["a", "b"], vec!["c"]]);
    }

    #[test]
    fn log_appends_and_survives_a_cut_row() {
        let dir = std::env::temp_dir().join(format!("duban-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("发送记录.csv");
        let _ = std::fs::remove_file(&path);
        let row = |unit: &str, outcome| LogRow {
            time: "2026-12-01 09:00:00 +08:00".into(),
            unit: unit.into(),
            address: "a@example.org".into(),
            file: format!("{unit}.eml"),
            sha256: "00".into(),
            outcome,
            reply: "250 OK".into(),
        };
        SendLog::open(&path)
            .and_then(|mut log| log.append(&row("市发改委", Outcome::Sent)))
            .expect("append");
        // a crash in the middle of a row
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all("2026-12-01,市财政局,c@example.org,市财政局.eml,11,已".as_bytes())
            .expect("write");
        drop(f);
        SendLog::open(&path)
            .and_then(|mut log| log.append(&row("市科技局", Outcome::Rejected)))
            .expect("append");
        let outcomes = read_outcomes(&path).expect("read");
        assert_eq!(
            outcomes,
            [
                ("市发改委".to_string(), "已发送".to_string()),
                ("市科技局".to_string(), "被拒收".to_string())
            ]
        );
        let text = std::fs::read_to_string(&path).expect("text");
        assert!(text.starts_with("\u{FEFF}时间,单位,邮箱"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
