//! `duban master`: reads the master sheet and lists leaders, lead units, deadlines and problems.
//!
//! ```text
//! duban master [--json]
//! ```
//! Exit 1 when the sheet has errors, 2 when it cannot be read at all.

use super::{CmdOutcome, Failure};
use duban::config::Config;
use duban::model::Severity;

/// 读取任务分解表，列出分管领导、牵头单位、完成时限分布和发现的问题
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

/// Prints the master sheet's summary, as text or JSON.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let (master, problems) = duban::load_master(cfg)?;
    let summary = duban::master::MasterSummary::new(&master, &problems);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary.to_text());
    }
    Ok(CmdOutcome::from_errors(
        problems.iter().any(|p| p.severity == Severity::Error),
    ))
}
