//! The send log `发送记录.csv` (UTF-8 with BOM, CRLF, one row per attempt), and the reader for
//! the CSV files duban writes (`清单.csv`, the log itself).
//!
//! Before a message's body goes out a row 发送中 is appended and synced; after the server's
//! answer the attempt's outcome is appended and synced. So a crash at any moment leaves either
//! nothing (the body never went out) or a 发送中 without an outcome, which the next run reads as
//! 状态不明 and does not send again by itself. A row cut short by a crash is ignored.

use crate::csv_format::push_record;
pub use crate::csv_format::read_csv;
use crate::deliver::CsvLog;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Header of the send log.
pub const LOG_HEADER: [&str; 8] = [
    "时间",
    "单位",
    "邮箱",
    "邮件文件",
    "邮件SHA-256",
    "发送SHA-256",
    "结果",
    "服务器回复",
];

/// What became of one message (the log's 结果 column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The body is about to go out (written and synced before it does).
    Sending,
    /// The server accepted the message (250).
    Sent,
    /// A temporary failure outlasted the retries, and the server did not take the message:
    /// sent next run.
    Temporary,
    /// The body went out but no reply came (timeout, dropped connection, a crash): the server
    /// may or may not have taken it. Never sent again by itself; `--resend --only` decides.
    Unknown,
    /// The server refused it for good (5xx): the office must act.
    Rejected,
    /// The unit has no address: delivered by other means.
    NoAddress,
}

impl SendOutcome {
    /// The 结果 text.
    pub fn label(self) -> &'static str {
        match self {
            SendOutcome::Sending => "发送中",
            SendOutcome::Sent => "已发送",
            SendOutcome::Temporary => "暂时失败",
            SendOutcome::Unknown => "状态不明",
            SendOutcome::Rejected => "被拒收",
            SendOutcome::NoAddress => "未发送（无邮箱）",
        }
    }

    /// The outcome whose 结果 text is `label`.
    pub fn from_label(label: &str) -> Option<SendOutcome> {
        [
            SendOutcome::Sending,
            SendOutcome::Sent,
            SendOutcome::Temporary,
            SendOutcome::Unknown,
            SendOutcome::Rejected,
            SendOutcome::NoAddress,
        ]
        .into_iter()
        .find(|o| o.label() == label)
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
    /// SHA-256 of the archived message (the `.eml` as `duban run` wrote it).
    pub archived_sha256: String,
    /// SHA-256 of the bytes sent (the message minus `X-Unsent`, dated when sent; empty when
    /// nothing was sent).
    pub sent_sha256: String,
    pub outcome: SendOutcome,
    /// The server's reply or the reason.
    pub reply: String,
}

/// What the log says about one unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitRecord {
    /// SHA-256 of the archived message of the last delivery (`Some("")` for a log written
    /// before that column existed); `None` when never delivered.
    pub sent: Option<String>,
    /// The last attempt has no known outcome: a 发送中 left by a crash, or 状态不明.
    pub unknown: bool,
    /// The last attempt is a 发送中 with no outcome row after it.
    pub dangling: bool,
    /// Logged 未发送（无邮箱）.
    pub no_address: bool,
}

impl UnitRecord {
    /// Delivered, or possibly delivered: not to be sent again without `--resend`.
    pub fn settled(&self) -> bool {
        self.sent.is_some() || self.unknown
    }
}

/// Per unit, what the complete rows of the log at `path` say (empty when there is no log).
pub fn read_records(path: &Path) -> std::io::Result<BTreeMap<String, UnitRecord>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    let table = read_csv(&text);
    let mut out: BTreeMap<String, UnitRecord> = BTreeMap::new();
    let Some((header, rows)) = table.split_first() else {
        return Ok(out);
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(unit), Some(outcome)) = (col("单位"), col("结果")) else {
        return Ok(out);
    };
    let archived = col("邮件SHA-256");
    for r in rows.iter().filter(|r| r.len() == header.len()) {
        let (Some(name), Some(label)) = (r.get(unit), r.get(outcome)) else {
            continue;
        };
        let Some(outcome) = SendOutcome::from_label(label) else {
            continue;
        };
        let record = out.entry(name.clone()).or_default();
        match outcome {
            SendOutcome::Sending => {
                record.unknown = true;
                record.dangling = true;
            }
            SendOutcome::Sent => {
                record.sent = Some(archived.and_then(|i| r.get(i)).cloned().unwrap_or_default());
                record.unknown = false;
                record.dangling = false;
            }
            SendOutcome::Unknown => {
                record.unknown = true;
                record.dangling = false;
            }
            SendOutcome::Temporary | SendOutcome::Rejected => {
                record.unknown = false;
                record.dangling = false;
            }
            SendOutcome::NoAddress => record.no_address = true,
        }
    }
    Ok(out)
}

/// The log opened for appending.
#[derive(Debug)]
pub struct SendLog {
    path: PathBuf,
    log: CsvLog,
}

impl SendLog {
    /// Opens the log at `path`, creating it with its header when missing (a log in an older
    /// shape is first rewritten in today's columns); a last row cut short by a crash is closed
    /// with a line break so the next row starts on its own line.
    pub fn open(path: &Path) -> std::io::Result<SendLog> {
        upgrade_header(path)?;
        Ok(SendLog {
            path: path.to_path_buf(),
            log: CsvLog::open(path, &LOG_HEADER)?,
        })
    }

    /// Appends `row` and syncs it to disk before returning.
    pub fn append(&mut self, row: &LogRow) -> std::io::Result<()> {
        self.log.append(&[
            row.time.clone(),
            row.unit.clone(),
            row.address.clone(),
            row.file.clone(),
            row.archived_sha256.clone(),
            row.sent_sha256.clone(),
            row.outcome.label().to_string(),
            row.reply.clone(),
        ])
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A log written before the archived message's hash had its own column (`SHA-256` then named
/// the bytes sent) is rewritten in today's columns, so new rows and old ones read alike; the
/// rewrite goes to a temporary file renamed over the log (no row is lost on a crash). No log
/// yet, or an empty one: nothing to do.
fn upgrade_header(path: &Path) -> std::io::Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let table = read_csv(&String::from_utf8_lossy(&bytes));
    let Some((header, rows)) = table.split_first() else {
        return Ok(());
    };
    if header.iter().map(String::as_str).eq(LOG_HEADER) {
        return Ok(());
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let columns: Vec<Option<usize>> = LOG_HEADER
        .iter()
        .map(|name| match *name {
            "发送SHA-256" => col(name).or_else(|| col("SHA-256")),
            other => col(other),
        })
        .collect();
    let mut out = String::from("\u{FEFF}");
    push_record(&mut out, LOG_HEADER.iter().map(|s| s.to_string()));
    for r in rows.iter().filter(|r| r.len() == header.len()) {
        push_record(
            &mut out,
            columns
                .iter()
                .map(|c| c.and_then(|i| r.get(i)).cloned().unwrap_or_default()),
        );
    }
    let tmp = path.with_extension("csv.upgrade");
    {
        let mut t = File::create(&tmp)?;
        t.write_all(out.as_bytes())?;
        t.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    sync_parent(path);
    Ok(())
}

/// Makes a new file's directory entry durable (best effort; not possible on every platform).
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent()
        && let Ok(dir) = File::open(parent)
    {
        let _ = dir.sync_all();
    }
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
    fn log_appends_survives_a_cut_row_and_reads_a_dangling_sending_as_unknown() {
        let dir = std::env::temp_dir().join(format!("duban-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(crate::archive::SEND_LOG);
        let _ = std::fs::remove_file(&path);
        let row = |unit: &str, outcome| LogRow {
            time: "2026-12-01 09:00:00 +08:00".into(),
            unit: unit.into(),
            address: "a@example.org".into(),
            file: format!("{unit}.eml"),
            archived_sha256: "aa".into(),
            sent_sha256: "00".into(),
            outcome,
            reply: "250 OK".into(),
        };
        SendLog::open(&path)
            .and_then(|mut log| {
                log.append(&row("市发改委", SendOutcome::Sending))?;
                log.append(&row("市发改委", SendOutcome::Sent))?;
                log.append(&row("市教育局", SendOutcome::Sending))
            })
            .expect("append");
        // a crash in the middle of a row
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        f.write_all("2026-12-01,市财政局,c@example.org,市财政局.eml,11,22,已".as_bytes())
            .expect("write");
        drop(f);
        SendLog::open(&path)
            .and_then(|mut log| log.append(&row("市科技局", SendOutcome::Rejected)))
            .expect("append");
        let records = read_records(&path).expect("read");
        assert_eq!(records.len(), 3, "{records:?}");
        assert_eq!(records["市发改委"].sent.as_deref(), Some("aa"));
        assert!(records["市发改委"].settled() && !records["市发改委"].unknown);
        assert!(records["市教育局"].dangling && records["市教育局"].settled());
        assert!(!records["市科技局"].settled());
        assert!(!records.contains_key("市财政局"));
        let text = std::fs::read_to_string(&path).expect("text");
        assert!(text.starts_with("\u{FEFF}时间,单位,邮箱"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
