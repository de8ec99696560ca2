//! duban (督办): the monthly batch job of a city government's supervision office.
//!
//! The pipeline runs in one direction:
//! load (master, units, submissions, last month's archive) → validate → merge → classify →
//! render (汇总表 xlsx, PDF notices, emails) → deliver (atomic output folder, run.json).

pub mod archive;
pub mod check;
pub mod classify;
pub mod columns;
pub mod config;
pub mod csv_format;
pub mod deadline;
pub mod deliver;
pub mod doc_numbers;
pub mod history;
pub mod intake;
pub mod mail;
pub mod master;
pub mod merge;
pub mod model;
pub mod names;
pub mod numbers;
pub mod render;
pub mod replies;
pub mod stamp;
pub mod templates;
pub mod tls;
pub mod trend;
pub mod units;
pub mod width;
pub mod year;

/// Sets up the C allocator for a batch run; call once, first thing in `main`.
///
/// glibc gives memory back to the system whenever 128 KiB lie free at the top of a heap, and
/// maps every block from 128 KiB on afresh. A run allocates and frees in bursts on every
/// thread (font subsets, deflate buffers), so the same pages were returned and faulted in
/// again thousands of times: with Noto CJK faces 19,000 page faults a run, 6,000 with these
/// settings (the shipped faces: 6,300 → 5,000), for 9 MiB more resident memory. The
/// process is short-lived; what it keeps it gives back at exit.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two of glibc's malloc parameters; it is called before any
    // other thread exists and takes no pointers.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

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
