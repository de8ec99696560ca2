//! The monthly job as one function, [`run`]: load → intake (read and validate) → merge →
//! classify → render → deliver, each stage timed by one [`Clock`] and reported to a [`Progress`].
//!
//! `duban check` runs the first three stages ([`load_month`]). The command line only parses
//! arguments and prints; tests and benchmarks call these functions and so drive exactly what the
//! office runs.
//!
//! The parts: `progress.rs` the stages, their progress display and the [`Clock`]; `months.rs`
//! which months there are and which one a run builds; `load.rs` the stages load, intake and
//! merge ([`Loaded`]); `report.rs` the classify stage ([`build_report`]); this file the run
//! itself, end to end.

mod forms;
mod inputs;
mod load;
mod months;
mod progress;
mod render;
mod report;
mod summary;
mod year;

pub use forms::{FormsWritten, write_forms};
pub use load::{Loaded, load_month};
pub use months::{is_archived, newest_month, pending_months, resolve_month, submission_months};
pub use progress::{Clock, Progress, Silent, Stage};
pub use render::Resources;
pub use report::build_report;
pub use summary::{RunSummary, error_files, light_counts, severity_counts};
pub use year::{YearOptions, YearSummary, year, year_stem};

use crate::config::Config;
use crate::deliver;
use crate::model::{Month, ProblemCode};
use chrono::NaiveDate;
use load::load_stages;
use report::report_numbered;
use std::path::Path;
use std::path::PathBuf;
use std::time::Instant;

/// What the caller asked for.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Report month; default the newest month folder under the submissions folder.
    pub month: Option<Month>,
    /// As-of date; default the last day of the month.
    pub as_of: Option<NaiveDate>,
    /// Replace an existing output month (the old one is kept as `<month>.previous-<n>`).
    pub force: bool,
}

/// A usage or configuration error: exit code 2, nothing written.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Load(#[from] crate::LoadError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Template(#[from] crate::templates::TemplateError),
    #[error("{0}；请检查 duban.toml 的 [fonts] 设置和 fonts 文件夹")]
    Fonts(#[from] duban_pdf::FontError),
    #[error(transparent)]
    Deliver(#[from] crate::deliver::DeliverError),
    #[error("生成汇总表失败：{0}")]
    Xlsx(#[source] rust_xlsxwriter::XlsxError),
    #[error("无法读取已有的 {path}：{source}")]
    ReadExisting {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A month rebuilt with `--force` while later months of the plan year are archived: they were
/// built from its earlier result and say so until rebuilt in turn.
fn later_months_note(cfg: &Config, month: Month) -> Option<String> {
    let later: Vec<Month> = submission_months(&cfg.paths.output)
        .into_iter()
        .filter(|m| *m > month && m.year == cfg.year && is_archived(cfg, *m))
        .collect();
    let first = later.first()?;
    let labels: Vec<String> = later.iter().map(|m| m.label()).collect();
    Some(format!(
        "{} 已归档，它们读取的是本月重新生成之前的结果（上月进度、连续未报送、亮灯升级、月度趋势）。如需反映本次结果，请从 {} 起依次用 --month … --force 重新生成。",
        labels.join("、"),
        first
    ))
}

/// Runs the month end to end: every stage in order, the output archived atomically.
///
/// # Errors
///
/// [`RunError`] for a usage or configuration problem (an archived month without `--force`,
/// unreadable master sheet, fonts or templates, an output folder that cannot be written); data
/// problems are not errors, they are listed in the summary and the 汇总表.
pub fn run(
    cfg: &Config,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let (month, as_of) = resolve_month(cfg, opts)?;
    let target = cfg.paths.output.join(month.to_string());
    // A month folder holding only `duban templates` output is not an archived month: its files
    // are carried into the new folder instead of blocking the run.
    let carried = if target.exists() && !crate::archive::is_archived(&target) {
        Some(
            inputs::read_tree(&target).map_err(|source| RunError::ReadExisting {
                path: target.clone(),
                source,
            })?,
        )
    } else {
        None
    };
    if target.exists() && carried.is_none() && !opts.force {
        return Err(RunError::Usage(format!(
            "{month} 的输出已存在：{}。为防止覆盖已归档的结果，本次未生成任何文件。如确需重新生成，请加 --force（旧结果会保留为 {month}.previous-N）。",
            target.display()
        )));
    }
    // Replacing a month folder while a send appends to its log would lose the log's last rows:
    // the month's send lock is held until the new folder (with the log carried) is in place.
    let _send_lock = if target.exists() {
        Some(
            crate::mail::lock_month(cfg, month).map_err(|e| match e {
                crate::mail::SendError::Locked { month: label, path } => RunError::Usage(format!(
                    "{label} 的另一次发送（督办通知、模板、回执或催报）正在进行（{path} 已被锁定）。发送结束前不能重新生成该月，以免发送记录丢失；本次未生成任何文件，请等发送结束后再运行"
                )),
                other => RunError::Usage(other.to_string()),
            })?,
        )
    } else {
        None
    };
    // A rebuilt month keeps its send history and the forms sent from it.
    let kept_sends = if carried.is_none() && target.exists() {
        inputs::send_history(&target).map_err(|source| RunError::ReadExisting {
            path: target.clone(),
            source,
        })?
    } else {
        Vec::new()
    };
    let kept_send_log = kept_sends.iter().any(|f| {
        f.rel_path_string() == format!("{}/{}", crate::archive::MAIL_DIR, crate::archive::SEND_LOG)
    });
    let resources = Resources::load(cfg)?;
    let mut clock = Clock::new(progress);

    let loaded = load_stages(cfg, month, as_of, &mut clock)?;
    // a rebuilt month keeps its own document numbers
    let own = crate::archive::is_archived(&target).then(|| crate::archive::run_file(&target));
    let mut report = clock.stage(Stage::Classify, None, || {
        report_numbered(cfg, &loaded, own.as_deref())
    });

    // Output goes straight into the hidden temporary month folder as it is made.
    let replacing_forms_only = carried.is_some();
    let staging =
        deliver::Staging::begin(&cfg.paths.output, month, opts.force || replacing_forms_only)?;
    // File names are decided once, before anything is rendered.
    let stems = crate::names::FileStems::of(&report.master);
    let items = render::render_items(&report);
    let rendered = clock.stage(Stage::Render, Some(items), || {
        render::render(cfg, &mut report, &resources, &stems, &staging, progress)
    })?;

    let so_far = clock.timings().to_vec();
    let (output_dir, kept_previous) = clock.stage(Stage::Deliver, None, || {
        let t = Instant::now();
        if let Some(extra) = carried {
            for f in extra.iter().filter(|f| !staging.contains(&f.rel_path)) {
                if crate::archive::is_send_log(&f.rel_path_string()) {
                    staging.put_unlisted(&f.rel_path, &f.bytes)?;
                } else {
                    staging.put(&f.rel_path, &f.bytes)?;
                }
            }
        }
        for f in kept_sends.iter().filter(|f| !staging.contains(&f.rel_path)) {
            if crate::archive::is_send_log(&f.rel_path_string()) {
                staging.put_unlisted(&f.rel_path, &f.bytes)?;
            } else {
                staging.put(&f.rel_path, &f.bytes)?;
            }
        }
        let inputs = inputs::input_files(cfg, &loaded);
        let run_json = deliver::run_json_of(&report, &inputs, staging.written());
        staging.put(Path::new(crate::archive::RUN_FILE), &run_json)?;
        crate::archive::ledger::register(&cfg.paths.output, &month.to_string(), &run_json)
            .map_err(|source| crate::deliver::DeliverError::Io {
                path: cfg
                    .paths
                    .output
                    .join(crate::archive::LEDGER)
                    .display()
                    .to_string(),
                source,
            })?;
        let mut all_timings = so_far;
        all_timings.push((
            Stage::Deliver.key().to_string(),
            t.elapsed().as_secs_f64() * 1000.0,
        ));
        let total_ms = started.elapsed().as_secs_f64() * 1000.0;
        staging.put(
            Path::new(crate::archive::TIMINGS_FILE),
            &deliver::timings_json(&all_timings, total_ms),
        )?;
        let (output_dir, mut kept_previous) = staging.commit_keeping()?;
        if replacing_forms_only && !opts.force {
            // Everything of the old folder was carried into the new one: drop the kept copy.
            inputs::remove_kept_previous(&cfg.paths.output, month);
            kept_previous = None;
        }
        Ok::<_, RunError>((output_dir, kept_previous))
    })?;

    let (errors, warnings, infos) = severity_counts(&report.problems);
    let lights = light_counts(&report);
    let mut notes = rendered.notes;
    notes.extend(
        report
            .problems
            .iter()
            .filter(|p| {
                matches!(
                    p.code,
                    ProblemCode::PreviousSummaryMissing | ProblemCode::NoSubmissionsFolder
                )
            })
            .map(|p| p.message.clone()),
    );
    if kept_previous.is_some()
        && let Some(note) = later_months_note(cfg, month)
    {
        notes.push(note);
    }
    if kept_send_log {
        notes.push(format!(
            "本月此前的发送记录已随新结果保留：已发送过的单位不会重复发送；通知内容有变的单位列为“已发送旧版”，如需发送新版请用 duban send --month {month} --resend --only 单位（可先用 --dry-run 查看）。"
        ));
    }
    Ok(RunSummary {
        kept_previous,
        month,
        as_of: report.as_of,
        output_dir,
        files_read: loaded.submissions.len(),
        reconciliation: report.merged.reconciliation,
        lights,
        red_list: (lights[0] + lights[1] + lights[2]) as usize,
        units_received: report.merged.receipts.iter().filter(|r| r.received).count(),
        units_invalid: report
            .merged
            .receipts
            .iter()
            .filter(|r| r.invalid.is_some())
            .count(),
        units_total: report.merged.receipts.len(),
        leader_pdfs: rendered.leader_pdfs,
        unit_pdfs: rendered.unit_pdfs,
        ofd: cfg.output.ofd,
        emails: rendered.emails,
        units_without_email: rendered.units_without_email,
        errors,
        warnings,
        infos,
        error_files: error_files(&report.problems),
        previous_available: report.previous_available,
        timings: clock.timings().to_vec(),
        total_ms: started.elapsed().as_secs_f64() * 1000.0,
        notes,
    })
}

/// Relative display of a path under the config folder.
pub fn relative(cfg: &Config, path: &Path) -> String {
    let base = cfg
        .base_dir
        .canonicalize()
        .unwrap_or_else(|_| cfg.base_dir.clone());
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    full.strip_prefix(&base)
        .map(PathBuf::from)
        .unwrap_or(full)
        .to_string_lossy()
        .replace('\\', "/")
}
