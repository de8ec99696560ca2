//! One send at a time per month: every kind of send (notices, forms, receipts, reminders)
//! holds the month's lock while it plans and sends, so two `duban send` started at once cannot
//! both read “not sent yet” from the log and deliver twice.
//!
//! The lock is `flock(LOCK_EX | LOCK_NB)` on the file `.发送锁-<YYYY-MM>` in the submissions
//! folder (`<paths.submissions>/`): it exists before the month is built (forms and receipts
//! are sent before `duban run`) and survives `run --force`. It sits beside the month folders,
//! not in one, because creating `<YYYY-MM>/` for the forms of a coming month would make
//! that month one to build for `duban run`'s catch-up (every month folder without an archive)
//! and the default month of the other commands; intake reads only month folders, and skips
//! dot-files in them anyway.
//! The kernel releases the lock when the holder exits, however it ends (kill -9 included), so a
//! crash never leaves the month locked; the file itself stays and means nothing by itself.

use super::SendError;
use crate::config::Config;
use crate::model::Month;
use std::fs::{File, OpenOptions};
use std::path::PathBuf;

/// File name of the lock, in the submissions folder: `.发送锁-2026-11`.
pub const LOCK_FILE: &str = ".发送锁";

/// Held while any send for the month runs (notices, forms, receipts, reminders); released
/// on drop.
#[derive(Debug)]
pub struct MonthLock {
    /// The open lock file; closing it releases the lock.
    _file: File,
    path: PathBuf,
}

impl MonthLock {
    /// Where the lock file is.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// Takes the month's send lock: the file `.发送锁-<YYYY-MM>` in `<paths.submissions>/` (folder
/// created if missing; no month folder is created, and intake and collect skip dot-files). A
/// second holder gets [`SendError::Locked`] (exit 2, Chinese message).
///
/// # Errors
/// [`SendError::Locked`] when another process holds the lock, [`SendError::LockFile`] when the
/// folder or the file cannot be created.
pub fn lock_month(cfg: &Config, month: Month) -> Result<MonthLock, SendError> {
    let dir = &cfg.paths.submissions;
    let path = dir.join(format!("{LOCK_FILE}-{month}"));
    let io_err = |source| SendError::LockFile {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_err)?;
    if try_lock(&file).map_err(io_err)? {
        Ok(MonthLock { _file: file, path })
    } else {
        Err(SendError::Locked {
            month: month.label(),
            path: path.display().to_string(),
        })
    }
}

/// `Ok(true)` when the exclusive lock was taken, `Ok(false)` when another holder has it.
fn try_lock(file: &File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = std::env::temp_dir().join(format!("duban-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut cfg = Config::default();
        cfg.paths.submissions = dir.join("submissions");
        let month = Month {
            year: 2026,
            month: 11,
        };
        let first = lock_month(&cfg, month).expect("first lock");
        assert!(first.path().ends_with("submissions/.发送锁-2026-11"));
        assert!(
            !cfg.paths.submissions.join("2026-11").exists(),
            "no month folder"
        );
        match lock_month(&cfg, month) {
            Err(SendError::Locked { month, .. }) => assert_eq!(month, "2026年11月"),
            other => panic!("expected Locked, got {other:?}"),
        }
        let other_month = Month {
            year: 2026,
            month: 12,
        };
        let _other = lock_month(&cfg, other_month).expect("another month is not locked");
        drop(first);
        let _again = lock_month(&cfg, month).expect("free again");
        std::fs::remove_dir_all(&dir).ok();
    }
}
