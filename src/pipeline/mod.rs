//! The monthly job as one function, [`run`]: load → intake (read and validate) → merge →
//! classify → render → deliver, each stage timed by one [`Clock`] and reported to a [`Progress`].
//!
//! `duban check` runs the first three stages ([`load_month`]). The command line only parses
//! arguments and prints; tests and benchmarks call these functions and so drive exactly what the
//! office runs.

mod forms;
mod inputs;
mod render;
mod summary;
mod year;

pub use forms::{FormsWritten, write_forms};
pub use render::Resources;
pub use summary::{RunSummary, error_files, light_counts, severity_counts, status_counts};
pub use year::{YearOptions, YearSummary, year, year_folder, year_stem};

use crate::config::Config;
use crate::deliver;
use crate::model::ProblemCode;
use crate::model::{Master, Merged, Month, MonthReport, Problem, Submission, sort_problems};
use crate::units::Directory;
use crate::{classify, history, intake, merge};
use chrono::{Datelike, NaiveDate};
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

/// A stage of the run, for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    History,
    Intake,
    Merge,
    Classify,
    Render,
    Deliver,
}

impl Stage {
    /// The stage's name in timings.json and run summaries.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::History => "history",
            Stage::Intake => "intake",
            Stage::Merge => "merge",
            Stage::Classify => "classify",
            Stage::Render => "render",
            Stage::Deliver => "deliver",
        }
    }

    /// The stage's name on the console.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Load => "读取任务分解表和单位名录",
            Stage::History => "读取并核对已归档的各月汇总表",
            Stage::Intake => "读取并校验各单位报送表",
            Stage::Merge => "合并",
            Stage::Classify => "判定状态和亮灯",
            Stage::Render => "生成汇总表、督办单和邮件",
            Stage::Deliver => "写入输出文件夹",
        }
    }
}

/// Receives progress; the CLI shows bars on a terminal and plain lines otherwise.
pub trait Progress: Sync {
    /// A stage starts; `total` is the number of items when known.
    fn start(&self, stage: Stage, total: Option<u64>);
    /// One item of the current stage is done.
    fn tick(&self) {}
    /// The stage is done.
    fn finish(&self, stage: Stage, millis: f64);
}

/// No progress output (tests, benchmarks).
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: Stage, _: Option<u64>) {}
    fn finish(&self, _: Stage, _: f64) {}
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

/// The inputs of a month, loaded and checked (what `check` and `run` share).
pub struct Loaded {
    pub units: Directory,
    pub master: Master,
    pub month: Month,
    pub as_of: NaiveDate,
    pub history: history::History,
    pub submissions: Vec<Submission>,
    pub merged: Merged,
    /// Problems of the master sheet and of the history, plus notes about the run itself.
    pub problems: Vec<Problem>,
}

/// Newest `YYYY-MM` folder under the submissions folder.
pub fn newest_month(submissions: &Path) -> Option<Month> {
    submission_months(submissions).last().copied()
}

/// Every `YYYY-MM` folder under the submissions folder, oldest first.
pub fn submission_months(submissions: &Path) -> Vec<Month> {
    let mut months: Vec<Month> = std::fs::read_dir(submissions)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Month::parse(&e.file_name().to_string_lossy()))
        .collect();
    months.sort();
    months.dedup();
    months
}

/// Whether `month` has an archive (its output folder holds a run.json).
pub fn is_archived(cfg: &Config, month: Month) -> bool {
    crate::archive::is_archived(&cfg.paths.output.join(month.to_string()))
}

/// The months a catch-up run builds: every month under the submissions folder without an
/// archive yet, oldest first.
pub fn pending_months(cfg: &Config) -> Vec<Month> {
    submission_months(&cfg.paths.submissions)
        .into_iter()
        .filter(|m| !is_archived(cfg, *m))
        .collect()
}

/// Resolves month and as-of date from the options.
pub fn resolve_month(cfg: &Config, opts: &RunOptions) -> Result<(Month, NaiveDate), RunError> {
    let month = match opts.month {
        Some(m) => m,
        None => newest_month(&cfg.paths.submissions).ok_or_else(|| {
            RunError::Usage(format!(
                "在 {} 下没有找到月份文件夹（形如 2026-11）。请把各单位报送的文件放入 {}/<年-月>/，或用 --month 指定月份。",
                cfg.paths.submissions.display(),
                cfg.paths.submissions.display()
            ))
        })?,
    };
    // The master sheet is one plan year's tasks: a month of another year is a slip of the
    // keyboard (2027-01 for 2026-12), and would archive a month of notices all 未报送 under
    // the next year's document numbers.
    if month.year != cfg.year {
        return Err(RunError::Usage(format!(
            "{} 不在计划年度 {} 年内（duban.toml 的 year）：任务分解表只含该年度的任务，本次未生成任何文件。请检查 --month；新的一年请先换用新年度的任务分解表并修改 year。",
            month.label(),
            cfg.year
        )));
    }
    let as_of = opts.as_of.unwrap_or_else(|| month.last_day());
    Ok((month, as_of))
}

/// Times the stages of one run and reports them to the progress display.
pub struct Clock<'a> {
    progress: &'a dyn Progress,
    timings: Vec<(String, f64)>,
}

impl<'a> Clock<'a> {
    pub fn new(progress: &'a dyn Progress) -> Clock<'a> {
        Clock {
            progress,
            timings: Vec::new(),
        }
    }

    /// Runs one stage: announces it (with its number of items when known), times it, records
    /// the time under the stage's name.
    pub fn stage<T>(&mut self, stage: Stage, items: Option<u64>, f: impl FnOnce() -> T) -> T {
        self.progress.start(stage, items);
        let t = Instant::now();
        let out = f();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        self.timings.push((stage.key().to_string(), ms));
        self.progress.finish(stage, ms);
        out
    }

    /// Milliseconds per finished stage, in order.
    pub fn timings(&self) -> &[(String, f64)] {
        &self.timings
    }
}

/// Load, validate and merge a month (everything `duban check` needs).
pub fn load_month(
    cfg: &Config,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<Loaded, RunError> {
    let (month, as_of) = resolve_month(cfg, opts)?;
    load_stages(cfg, month, as_of, &mut Clock::new(progress))
}

/// The stages load, intake and merge.
fn load_stages(
    cfg: &Config,
    month: Month,
    as_of: NaiveDate,
    clock: &mut Clock,
) -> Result<Loaded, RunError> {
    let (units, master, mut problems) = clock.stage(Stage::Load, None, || {
        let units = Directory::load(&cfg.paths.units).map_err(crate::LoadError::from)?;
        let (master, problems) =
            crate::master::load(&cfg.paths.master, &units, cfg).map_err(crate::LoadError::from)?;
        Ok::<_, RunError>((units, master, problems))
    })?;
    let history = clock.stage(Stage::History, None, || {
        history::load(&cfg.paths.output, month, cfg.year)
    });
    problems.extend(history.problems.iter().cloned());
    if let Some(note) = missing_history_note(cfg, month, &history) {
        problems.push(note);
    }
    let month_dir = cfg.paths.submissions.join(month.to_string());
    if !month_dir.is_dir() {
        problems.push(Problem::no_submissions_folder(month_dir.display()));
    }
    let submissions = clock.stage(Stage::Intake, None, || {
        let ctx = intake::IntakeContext {
            master: &master,
            units: &units,
            month,
            as_of,
            limits: &cfg.limits,
            previous: Some(history.past()),
            done_percent: cfg.thresholds.done_percent,
        };
        intake::read_month(&month_dir, &ctx)
    });
    let merged = clock.stage(Stage::Merge, None, || merge::merge(&master, &submissions));
    Ok(Loaded {
        units,
        master,
        month,
        as_of,
        history,
        submissions,
        merged,
        problems,
    })
}

/// Last month's 汇总表 is missing although last month's submissions exist: say how to make it.
fn missing_history_note(cfg: &Config, month: Month, history: &history::History) -> Option<Problem> {
    let prev = month.prev();
    // last month is read only within the plan year: December is not January's last month
    let before_plan_year = prev.year < cfg.year;
    if history.found() || history.rejected.contains(&prev) || before_plan_year {
        return None;
    }
    let prev_dir = cfg.paths.submissions.join(prev.to_string());
    prev_dir.is_dir().then(|| {
        Problem::previous_summary_missing(
            prev,
            month,
            history::summary_path(&cfg.paths.output, prev).display(),
            prev_dir.display(),
        )
    })
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

/// Builds the month report from loaded inputs (classification included).
pub fn build_report(cfg: &Config, loaded: &Loaded) -> MonthReport {
    report_numbered(cfg, loaded, None)
}

/// [`build_report`] for a month whose earlier build recorded its document numbers in `own`
/// (its run.json, on a `--force` rebuild): those numbers are kept.
fn report_numbered(cfg: &Config, loaded: &Loaded, own: Option<&Path>) -> MonthReport {
    let mut classification = classify::classify(
        &loaded.master,
        &loaded.merged,
        loaded.history.past(),
        loaded.as_of,
        cfg,
    );
    let last = loaded.month.prev();
    for o in &mut classification.outcomes {
        if o.light == crate::model::Light::Red {
            o.red_months = 1 + loaded.history.red_streak(last, o.task);
        }
    }
    let current = crate::trend::current_record(loaded.month, &classification, &loaded.merged);
    let trend = crate::trend::Trend::of_records(
        loaded
            .history
            .months
            .iter()
            .chain(std::iter::once(&current)),
    );
    let issued_on = loaded.as_of + chrono::Days::new(u64::from(cfg.office.issue_after_days));
    let feedback_due = issued_on + chrono::Days::new(u64::from(cfg.office.feedback_days));
    let mut problems = loaded.problems.clone();
    problems.extend(loaded.merged.problems.iter().cloned());
    sort_problems(&mut problems);
    MonthReport {
        month: loaded.month,
        as_of: loaded.as_of,
        issued_on,
        feedback_due,
        master: loaded.master.clone(),
        merged: loaded.merged.clone(),
        classification,
        previous_available: loaded.history.found(),
        trend,
        problems,
        numbering: crate::doc_numbers::Numbering::plan(
            &cfg.paths.output,
            issued_on.year(),
            cfg.office.number_start,
            own,
        ),
        document_numbers: Vec::new(),
    }
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
    let own = crate::archive::run_file(&target);
    let own = own.is_file().then_some(own.as_path());
    let mut report = clock.stage(Stage::Classify, None, || report_numbered(cfg, &loaded, own));

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
