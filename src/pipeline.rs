//! The monthly job as one function: load → validate → merge → classify → render → deliver.
//!
//! `main.rs` only parses arguments and prints; everything the run does is here, so tests and
//! benchmarks drive exactly what the office runs.

use crate::config::Config;
use crate::model::{
    Light, Master, Merged, Month, MonthReport, Problem, Severity, Status, Submission,
};
use crate::units::Directory;
use crate::{classify, history, intake, merge};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
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
    Intake,
    Merge,
    Classify,
    Render,
    Deliver,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Load => "读取任务分解表和上月汇总表",
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
    #[error("{0}")]
    Fonts(String),
    #[error(transparent)]
    Deliver(#[from] crate::deliver::DeliverError),
    #[error("生成汇总表失败：{0}")]
    Xlsx(String),
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
    /// Milliseconds per stage.
    pub timings: Vec<(String, f64)>,
}

/// Newest `YYYY-MM` folder under the submissions folder.
pub fn newest_month(submissions: &Path) -> Option<Month> {
    std::fs::read_dir(submissions)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Month::parse(&e.file_name().to_string_lossy()))
        .max()
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
    let as_of = opts.as_of.unwrap_or_else(|| month.last_day());
    Ok((month, as_of))
}

fn timed<T>(
    progress: &dyn Progress,
    stage: Stage,
    timings: &mut Vec<(String, f64)>,
    f: impl FnOnce() -> T,
) -> T {
    progress.start(stage, None);
    let t = Instant::now();
    let out = f();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    timings.push((format!("{stage:?}").to_lowercase(), ms));
    progress.finish(stage, ms);
    out
}

/// Load, validate and merge a month (everything `duban check` needs).
pub fn load_month(
    cfg: &Config,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<Loaded, RunError> {
    let (month, as_of) = resolve_month(cfg, opts)?;
    let mut timings = Vec::new();
    let (units, master, mut problems, history) =
        timed(progress, Stage::Load, &mut timings, || {
            let units = Directory::load(&cfg.paths.units).map_err(crate::LoadError::from)?;
            let (master, problems) = crate::master::load(&cfg.paths.master, &units, cfg)
                .map_err(crate::LoadError::from)?;
            let history = history::load_previous(&cfg.paths.output, month);
            Ok::<_, RunError>((units, master, problems, history))
        })?;
    problems.extend(history.problems.iter().cloned());
    if let Some(note) = missing_history_note(cfg, month, &history) {
        problems.push(note);
    }
    let month_dir = cfg.paths.submissions.join(month.to_string());
    if !month_dir.is_dir() {
        problems.push(Problem::warning(
            "no_submissions_folder",
            format!(
                "没有找到本月报送文件夹 {}：所有任务将按“未报送”处理。请把各单位报送的文件放入该文件夹。",
                month_dir.display()
            ),
        ));
    }
    let submissions = timed(progress, Stage::Intake, &mut timings, || {
        let ctx = intake::IntakeContext {
            master: &master,
            units: &units,
            month,
            as_of,
            limits: &cfg.limits,
            previous: history.found.then_some(&history.tasks),
            done_percent: cfg.thresholds.done_percent,
        };
        intake::read_month(&month_dir, &ctx)
    });
    let merged = timed(progress, Stage::Merge, &mut timings, || {
        merge::merge(&master, &submissions)
    });
    Ok(Loaded {
        units,
        master,
        month,
        as_of,
        history,
        submissions,
        merged,
        problems,
        timings,
    })
}

/// Last month's 汇总表 is missing although last month's submissions exist: say how to make it.
fn missing_history_note(cfg: &Config, month: Month, history: &history::History) -> Option<Problem> {
    if history.found {
        return None;
    }
    let prev = month.prev();
    let prev_dir = cfg.paths.submissions.join(prev.to_string());
    prev_dir.is_dir().then(|| {
        Problem::warning(
            "previous_summary_missing",
            format!(
                "没有找到上月（{prev}）的汇总表 {}，但上月的报送文件夹 {} 存在。本月将不显示上月进度、进度倒退和连续未报送。请先运行 `cargo run --release -- run --month {prev}` 生成上月结果，再加 --force 重新运行本月（本次结果会保留为 {month}.previous-N）。",
                history::summary_path(&cfg.paths.output, prev).display(),
                prev_dir.display()
            ),
        )
    })
}

/// Builds the month report from loaded inputs (classification included).
pub fn build_report(cfg: &Config, loaded: &Loaded) -> MonthReport {
    let classification = classify::classify(
        &loaded.master,
        &loaded.merged,
        &loaded.history.tasks,
        loaded.as_of,
        cfg,
    );
    let issued_on = loaded.as_of + chrono::Days::new(u64::from(cfg.office.issue_after_days));
    let feedback_due = issued_on + chrono::Days::new(u64::from(cfg.office.feedback_days));
    let mut problems = loaded.problems.clone();
    problems.extend(loaded.merged.problems.iter().cloned());
    merge::sort_problems(&mut problems);
    MonthReport {
        month: loaded.month,
        as_of: loaded.as_of,
        issued_on,
        feedback_due,
        master: loaded.master.clone(),
        merged: loaded.merged.clone(),
        classification,
        previous_available: loaded.history.found,
        problems,
    }
}

/// Counts per light over the month's outcomes: red, yellow, blue, green.
pub fn light_counts(report: &MonthReport) -> [u32; 4] {
    let mut n = [0u32; 4];
    for o in &report.classification.outcomes {
        let i = match o.light {
            Light::Red => 0,
            Light::Yellow => 1,
            Light::Blue => 2,
            Light::Green => 3,
        };
        n[i] += 1;
    }
    n
}

/// Counts per status label, in [`Status::all`] order, zeros included.
pub fn status_counts(report: &MonthReport) -> Vec<(Status, u32)> {
    Status::all()
        .into_iter()
        .map(|s| {
            let n = report
                .classification
                .outcomes
                .iter()
                .filter(|o| o.status == s)
                .count() as u32;
            (s, n)
        })
        .collect()
}

/// Number of problems per severity: errors, warnings, infos.
pub fn severity_counts(problems: &[Problem]) -> (usize, usize, usize) {
    let count = |s: Severity| problems.iter().filter(|p| p.severity == s).count();
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    )
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
