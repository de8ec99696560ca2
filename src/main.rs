//! duban 命令行：每月督办批处理。
//!
//! CLI only: parse arguments, call the library, print, set the exit code
//! (0 ok, 1 data errors found, 2 usage or configuration error).

use clap::{Parser, Subcommand};
use duban::config::Config;
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
    }
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
    if problems.iter().any(|p| p.severity == duban::model::Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
