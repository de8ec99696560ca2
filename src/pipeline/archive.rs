//! Files around the archive: the run's inputs for run.json, and a month folder that holds only
//! `duban templates` output (carried into the new month folder).

use super::Loaded;
use crate::config::Config;
use crate::deliver::{self, InputFile, OutputFile};
use crate::model::Month;
use std::path::{Path, PathBuf};

/// The run's inputs with sizes and SHA-256 (master, units, config, submissions, the earlier months' 汇总表).
pub fn input_files(cfg: &Config, loaded: &Loaded) -> Vec<InputFile> {
    let mut paths: Vec<PathBuf> = vec![cfg.paths.master.clone(), cfg.paths.units.clone()];
    let month_dir = cfg.paths.submissions.join(loaded.month.to_string());
    for s in &loaded.submissions {
        let path = month_dir.join(&s.file);
        // a file name that is not UTF-8 is known to intake only in its lossy form
        let path = if path.exists() {
            path
        } else {
            on_disk(&month_dir, &s.file).unwrap_or(path)
        };
        paths.push(path);
    }
    // every archived 汇总表 the run read (the year on record)
    paths.extend(loaded.history.months.iter().map(|r| r.file.clone()));
    paths
        .iter()
        .filter_map(|p| deliver::input_file(p, &cfg.base_dir).ok())
        .collect()
}

/// The file in `dir` whose lossily decoded name is `lossy_name`.
fn on_disk(dir: &Path, lossy_name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy() == lossy_name)
        .map(|e| e.path())
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

/// Removes the newest `<month>.previous-<n>` folder (used when it only held carried templates).
pub fn remove_kept_previous(output: &Path, month: Month) {
    let prefix = format!("{month}.previous-");
    let newest = std::fs::read_dir(output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(&prefix)
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| (n, e.path()))
        })
        .max_by_key(|(n, _)| *n);
    if let Some((_, path)) = newest
        && !path.join("run.json").exists()
    {
        let _ = std::fs::remove_dir_all(path);
    }
}
