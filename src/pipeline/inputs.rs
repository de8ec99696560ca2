//! The run's inputs for run.json, and what a new month folder carries over from the folder it
//! replaces (a folder holding only `duban templates` output, or a rebuilt month's send logs).

use super::Loaded;
use crate::archive::{self, FORMS_DIR, InputFile, MAIL_DIR, SEND_LOG};
use crate::config::Config;
use crate::deliver::OutputFile;
use crate::model::Month;
use std::path::{Path, PathBuf};

/// The run's inputs with sizes and SHA-256 (master, units, config, submissions, the earlier
/// months' 汇总表). A submission is recorded with the size and hash of the bytes intake read
/// (the file is not opened again); entries intake did not open (links, pipes, folders) are not
/// inputs.
pub fn input_files(cfg: &Config, loaded: &Loaded) -> Vec<InputFile> {
    let hashed = |paths: &[PathBuf]| -> Vec<InputFile> {
        paths
            .iter()
            .filter_map(|p| archive::input_file(p, &cfg.base_dir).ok())
            .collect()
    };
    let mut inputs = hashed(&[cfg.paths.master.clone(), cfg.paths.units.clone()]);
    let month_dir = cfg.paths.submissions.join(loaded.month.to_string());
    inputs.extend(
        loaded
            .submissions
            .iter()
            .filter(|s| !s.sha256.is_empty())
            .map(|s| {
                let path = month_dir.join(&s.file);
                InputFile {
                    path: path
                        .strip_prefix(&cfg.base_dir)
                        .map(archive::slash_path)
                        .unwrap_or_else(|_| path.display().to_string()),
                    bytes_len: s.size,
                    sha256: s.sha256.clone(),
                }
            }),
    );
    // every archived 汇总表 the run read (the year on record)
    let history: Vec<PathBuf> = loaded
        .history
        .months
        .iter()
        .map(|r| r.file.clone())
        .collect();
    inputs.extend(hashed(&history));
    inputs
}

/// Every file under `dir`, with paths relative to it.
pub fn read_tree(dir: &Path) -> std::io::Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(OutputFile {
                    rel_path: rel.to_path_buf(),
                    bytes: std::fs::read(&path)?,
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(out)
}

/// What a rebuilt month carries over from the month it replaces: the send logs
/// (`邮件/发送记录.csv`, `templates/发送记录.csv`) and the forms folder `duban templates`
/// wrote (its files as they are), with paths relative to the month folder.
pub fn send_history(month_dir: &Path) -> std::io::Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    let log = Path::new(MAIL_DIR).join(SEND_LOG);
    match std::fs::read(month_dir.join(&log)) {
        Ok(bytes) => out.push(OutputFile::new(log, bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let forms = month_dir.join(FORMS_DIR);
    if forms.is_dir() {
        out.extend(
            read_tree(&forms)?
                .into_iter()
                .map(|f| OutputFile::new(Path::new(FORMS_DIR).join(f.rel_path), f.bytes)),
        );
    }
    Ok(out)
}

/// Removes the newest `<month>.previous-<n>` folder (used when it only held carried forms).
pub fn remove_kept_previous(output: &Path, month: Month) {
    let newest = std::fs::read_dir(output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            archive::parse_previous_name(&name, &month.to_string()).map(|n| (n, e.path()))
        })
        .max_by_key(|(n, _)| *n);
    if let Some((_, path)) = newest
        && !archive::is_archived(&path)
    {
        let _ = std::fs::remove_dir_all(path);
    }
}
