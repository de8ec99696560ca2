//! duban 命令行：每月督办批处理。
//!
//! CLI only: parse arguments, call the library, print, set the exit code
//! (0 ok, 1 data errors found, 2 usage or configuration error).

use clap::{Parser, Subcommand};
use chrono::NaiveDate;
use duban::config::Config;
use duban::model::{Month, Severity, chinese_date};
use duban::pipeline::{self, RunOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "duban", version, about = "督办：重点工作任务月度督办批处理工具")]
struct Cli {
    /// 配置文件（默认为当前目录下的 duban.toml）
    #[arg(long, global = true, default_value = "duban.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 只读取并校验本月各单位报送的进展表，列出每个文件的问题（有错误时退出码为 1）
    Check {
        /// 报告月份，如 2026-11（默认为 input/submissions 下最新的月份）
        #[arg(long, value_parser = parse_month)]
        month: Option<Month>,
        /// 截止日期，如 2026-11-30（默认为该月最后一天）
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// 读取任务分解表，列出分管领导、牵头单位、完成时限分布和发现的问题
    Master {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let cfg = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Master { json } => cmd_master(&cfg, json),
        Command::Check { month, as_of } => cmd_check(&cfg, RunOptions { month, as_of, force: false }),
    }
}

fn parse_month(s: &str) -> Result<Month, String> {
    Month::parse(s).ok_or_else(|| format!("“{s}”不是有效的月份，应写成 2026-11 这样的格式"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("“{s}”不是有效的日期，应写成 2026-11-30 这样的格式"))
}

fn cmd_check(cfg: &Config, opts: RunOptions) -> ExitCode {
    let loaded = match pipeline::load_month(cfg, &opts, &pipeline::Silent) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    println!("{} 报送情况校验（截至 {}）", loaded.month.label(), chinese_date(loaded.as_of));
    for p in &loaded.problems {
        println!("{p}");
    }
    print!("{}", duban::check::render_check_report(&loaded.submissions, &loaded.merged));
    let has_error = loaded
        .problems
        .iter()
        .chain(loaded.merged.problems.iter())
        .any(|p| p.severity == Severity::Error);
    if has_error { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn cmd_master(cfg: &Config, json: bool) -> ExitCode {
    let (master, problems) = match duban::load_master(cfg) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    let summary = duban::master::MasterSummary::new(&master, &problems);
    if json {
        match serde_json::to_string_pretty(&summary) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("错误：{e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", summary.to_text());
    }
    if problems.iter().any(|p| p.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
