//! One send at a time per month: an exclusive, non-blocking `flock` on `.发送锁` in the month's
//! submissions folder, held for the whole batch (notices, templates, receipts, reminders). The
//! kernel releases it when the process ends, however it ends.

use super::SendError;
use crate::config::Config;
use crate::model::Month;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;

/// The lock file's name in `<paths.submissions>/<YYYY-MM>/` (a dot-file: intake skips it).
pub const LOCK_FILE: &str = ".发送锁";

/// A held month lock; released when dropped.
#[derive(Debug)]
pub struct MonthLock {
    _file: File,
}

/// The file `.发送锁` in `<paths.submissions>/<YYYY-MM>/` (folder created if missing). A second
/// holder gets [`SendError::Locked`] (exit 2, Chinese message).
///
/// # Errors
/// [`SendError::Locked`] when another duban holds it, [`SendError::Log`] when the file cannot be
/// made.
pub fn lock_month(cfg: &Config, month: Month) -> Result<MonthLock, SendError> {
    let dir = cfg.paths.submissions.join(month.to_string());
    let path = dir.join(LOCK_FILE);
    let io_err = |source| SendError::Log {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(io_err)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_err)?;
    // SAFETY: flock on a file descriptor we own; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        if err.kind() == std::io::ErrorKind::WouldBlock {
            return Err(SendError::Locked {
                month: month.label(),
            });
        }
        return Err(io_err(err));
    }
    Ok(MonthLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_lets_go() {
        let dir = std::env::temp_dir().join(format!("duban-lock-{}", std::process::id()));
        let mut cfg = Config::default();
        cfg.paths.submissions = dir.clone();
        let month = Month::parse("2026-12").expect("month");
        let first = lock_month(&cfg, month).expect("first");
        let second = lock_month(&cfg, month);
        assert!(matches!(second, Err(SendError::Locked { .. })));
        drop(first);
        lock_month(&cfg, month).expect("free again");
        std::fs::remove_dir_all(&dir).ok();
    }
}
