//! Finding the months of the plan year on record and reading each after checking its 汇总表
//! against the month's run.json (or its record.json when run.json vouches for it).

use super::History;
use super::workbook::{SummaryReadBack, read_summary_bytes};
use crate::archive::record::Record;
use crate::archive::{self, RunManifest, sha256_hex};
use crate::model::{Month, MonthRecord, Problem};
use std::path::{Path, PathBuf};

/// Where the 汇总表 of `month` lives: `<output>/<YYYY-MM>/汇总表_<YYYY>年<M>月.xlsx`.
pub fn summary_path(output_dir: &Path, month: Month) -> PathBuf {
    output_dir
        .join(month.to_string())
        .join(archive::summary_file_name(month))
}

/// The months of the plan year `plan_year` before `month`, oldest first (January onwards).
pub fn months_before(month: Month, plan_year: i32) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = Month {
        year: plan_year,
        month: 1,
    };
    while m < month {
        out.push(m);
        m = m.next();
    }
    out
}

/// Reads every archived month of the plan year before `month` from `output_dir`, each 汇总表
/// checked against its run.json; the months are read in parallel.
///
/// A month without an output folder is simply not on record (nothing was run); an archive
/// that is changed, lacks its run.json or cannot be read is a warning naming the file, and the
/// month counts as missing.
pub fn load(output_dir: &Path, month: Month, plan_year: i32) -> History {
    use rayon::prelude::*;
    // an archived month (run.json) whose 汇总表 is gone is named as missing, not passed over
    let candidates: Vec<Month> = months_before(month, plan_year)
        .into_iter()
        .filter(|m| {
            summary_path(output_dir, *m).is_file()
                || archive::is_archived(&output_dir.join(m.to_string()))
        })
        .collect();
    let results: Vec<(Month, Result<SummaryReadBack, Box<Problem>>)> = candidates
        .par_iter()
        .map(|m| (*m, load_month(output_dir, *m)))
        .collect();
    let prev = month.prev();
    let mut history = History {
        month: Some(month),
        file: Some(summary_path(output_dir, prev)),
        ..History::default()
    };
    for (m, result) in results {
        match result {
            Ok((tasks, receipts, problems)) => {
                history.problems.extend(problems);
                history.months.push(MonthRecord {
                    month: m,
                    file: summary_path(output_dir, m),
                    tasks,
                    receipts,
                });
            }
            Err(problem) => {
                history.problems.push(*problem);
                history.rejected.push(m);
            }
        }
    }
    // The archived count of months not reported is recomputed from the whole record.
    let streaks: Vec<(usize, u32, u32)> = history
        .months
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let h = &history;
            r.tasks
                .keys()
                .map(move |n| (i, *n, h.not_reported_streak(r.month, *n)))
        })
        .collect();
    for (i, n, streak) in streaks {
        if let Some(t) = history.months[i].tasks.get_mut(&n) {
            t.months_not_reported = streak;
        }
    }
    history.past = history.work_out_past();
    // Texts are compared with the last known figure's (kept in `past`); the months' own are
    // dropped (at ×100 they are most of the record's memory).
    for r in history.months.iter_mut() {
        for t in r.tasks.values_mut() {
            t.progress_text = String::new();
        }
    }
    history
}

/// The [`archive::RECORD_FILE`] of the 汇总表 `xlsx` named `name`: the workbook read back once, when it
/// is written, so that the months after read this instead of parsing the workbook again
/// (eleven months of a large city are most of a December run's reading). `None` when reading
/// the workbook back gives warnings (a month read from a record must be read as the workbook
/// would be, warnings included, and the record keeps none).
///
/// The workbook stays the archive: a month's record is used only when run.json lists it with
/// its hash and it names the very bytes of the 汇总表 that run.json lists too.
pub fn record_bytes(xlsx: &[u8], name: &str, month: Month) -> Option<Vec<u8>> {
    let (tasks, receipts, problems) = read_summary_bytes(xlsx.to_vec(), name, month).ok()?;
    if !problems.is_empty() {
        return None;
    }
    Record::of(xlsx, name, tasks, receipts).to_bytes()
}

/// Reads one archived month after checking its 汇总表 against the month's run.json (from its
/// [`archive::RECORD_FILE`] when there is a sound one).
fn load_month(output_dir: &Path, month: Month) -> Result<SummaryReadBack, Box<Problem>> {
    let path = summary_path(output_dir, month);
    let name = archive::summary_file_name(month);
    let hint = month.to_string();
    let unreadable = |detail: String| {
        Box::new(Problem::history_unreadable(&detail, month, &hint).file(name.clone()))
    };
    if !path.is_file() {
        return Err(unreadable(
            "该月已归档，但汇总表已不在归档文件夹中".to_string(),
        ));
    }
    let bytes = std::fs::read(&path).map_err(|e| unreadable(format!("文件无法读取：{e}")))?;
    let dir = output_dir.join(month.to_string());
    let manifest = RunManifest::read(&dir);
    match manifest.as_ref().map(|m| m.listed(&name)) {
        Ok(Some((size, sha))) if size == bytes.len() as u64 && sha == sha256_hex(&bytes) => {
            if let Ok(manifest) = &manifest
                && let Some(record) = Record::read_vouched(&dir, manifest, &name, sha)
            {
                return Ok((record.tasks, record.receipts, Vec::new()));
            }
        }
        Ok(Some(_)) => {
            return Err(Box::new(
                Problem::history_changed(month, &hint).file(name.clone()),
            ));
        }
        Ok(None) => {
            return Err(unreadable(
                "该月的 run.json 中没有它的记录，无法核对".to_string(),
            ));
        }
        Err(e) => return Err(unreadable(format!("无法核对：{e}"))),
    }
    read_summary_bytes(bytes, &name, month)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    #[test]
    fn file_name_and_path() {
        assert_eq!(
            archive::summary_file_name(m(2026, 11)),
            "汇总表_2026年11月.xlsx"
        );
        assert_eq!(
            summary_path(Path::new("out"), m(2026, 11)),
            PathBuf::from("out/2026-11/汇总表_2026年11月.xlsx")
        );
        assert_eq!(
            months_before(m(2026, 3), 2026),
            vec![m(2026, 1), m(2026, 2)]
        );
        assert!(months_before(m(2026, 1), 2026).is_empty());
        assert_eq!(months_before(m(2027, 1), 2026).len(), 12);
    }

    #[test]
    fn nothing_on_record_is_not_a_problem() {
        let h = load(Path::new("/nonexistent/duban"), m(2026, 1), 2026);
        assert!(!h.found());
        assert!(h.problems.is_empty() && h.months.is_empty());
        assert_eq!(
            h.file,
            Some(PathBuf::from(
                "/nonexistent/duban/2025-12/汇总表_2025年12月.xlsx"
            ))
        );
    }
}
