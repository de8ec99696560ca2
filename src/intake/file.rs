//! One file on disk: its name, what kind of entry it is, and its bytes read once within the
//! limits (hashed by streaming when too large).

use super::submission::empty_submission;
use crate::config::Limits;
use crate::model::{Problem, Submission};
use std::path::Path;

/// What a file that is neither a regular file, a folder nor a link is, in words.
pub(super) fn special_kind(t: std::fs::FileType) -> &'static str {
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

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A warning when the file name is not valid UTF-8 (typically GBK bytes from an archive
/// unpacked on another system): the file is still read, under a name with `�` in it.
pub(super) fn file_name_problem(path: &Path) -> Option<Problem> {
    let name = path.file_name()?;
    if name.to_str().is_some() {
        return None;
    }
    let shown = name.to_string_lossy().into_owned();
    Some(Problem::file_name_not_utf8(&shown).file(shown))
}

/// A file intake did not take in: why, and its size and SHA-256 when it was hashed anyway.
pub(super) struct Refused {
    problem: Box<Problem>,
    hashed: Option<(u64, String)>,
}

impl Refused {
    /// The submission of the file named `file`: the problem, with the size and SHA-256 when the
    /// file was hashed anyway (run.json still records it).
    pub(super) fn into_submission(self, file: &str) -> Submission {
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
pub(super) fn read_once(path: &Path, limits: &Limits) -> Result<Vec<u8>, Refused> {
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
    let mut hasher = crate::archive::Sha256Hasher::new();
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
    let sha256 = hasher.finish();
    Err(Refused {
        problem: Box::new(Problem::file_too_large(len, limits.max_file_bytes)),
        hashed: Some((len, sha256)),
    })
}
