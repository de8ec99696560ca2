//! The stages load, history, intake and merge: a month's inputs loaded and checked
//! ([`Loaded`], all `duban check` needs).

use super::{Clock, Progress, RunError, RunOptions, Stage, resolve_month};
use crate::config::Config;
use crate::model::{Master, Merged, Month, Problem, Submission};
use crate::units::Directory;
use crate::{history, intake, merge};
use chrono::NaiveDate;

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
pub(super) fn load_stages(
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
