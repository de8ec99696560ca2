//! duban (督办): the monthly batch job of a city government's supervision office.
//!
//! The pipeline runs in one direction:
//! load (master, units, submissions, last month's archive) → validate → merge → classify →
//! render (汇总表 xlsx, PDF notices, emails) → deliver (atomic output folder, run.json).

pub mod check;
pub mod classify;
pub mod columns;
pub mod config;
pub mod deadline;
pub mod deliver;
pub mod history;
pub mod intake;
pub mod mail;
pub mod master;
pub mod merge;
pub mod model;
pub mod names;
pub mod render;
pub mod templates;
pub mod trend;
pub mod units;
pub mod verify;
pub mod year;

/// Loading the inputs failed before any data could be checked (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Units(#[from] units::DirectoryError),
    #[error(transparent)]
    Master(#[from] master::MasterError),
}

/// Loads `units.toml` and the master sheet named in the configuration.
pub fn load_master(
    cfg: &config::Config,
) -> Result<(model::Master, Vec<model::Problem>), LoadError> {
    let units = units::Directory::load(&cfg.paths.units)?;
    Ok(master::load(&cfg.paths.master, &units, cfg)?)
}
pub mod pipeline;
