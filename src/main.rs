//! duban 命令行：每月督办批处理。
//!
//! CLI only: parse arguments, call the library, print, set the exit code
//! (0 ok, 1 data errors found, 2 usage or configuration error).

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use duban::config::Config;
use duban::model::{Month, Severity, chinese_date};
use duban::pipeline::{self, RunOptions, Stage};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "duban",
    version,
    about = "督办：重点工作任务月度督办批处理工具"
)]
struct Cli {
    /// 配置文件（默认为当前目录下的 duban.toml）
    #[arg(long, global = true, default_value = "duban.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 每月督办批处理：校验合并各单位报送表，生成汇总表、督办单、通知单和邮件
    Run {
        /// 报告月份，如 2026-11（默认为 input/submissions 下最新的月份）
        #[arg(long, value_parser = parse_month)]
        month: Option<Month>,
        /// 截止日期，如 2026-11-30（默认为该月最后一天）
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// 覆盖已存在的月份输出（旧结果保留为 <月份>.previous-N）
        #[arg(long)]
        force: bool,
    },
    /// 只读取并校验本月各单位报送的进展表，列出每个文件的问题（有错误时退出码为 1）
    Check {
        /// 报告月份，如 2026-11（默认为 input/submissions 下最新的月份）
        #[arg(long, value_parser = parse_month)]
        month: Option<Month>,
        /// 截止日期，如 2026-11-30（默认为该月最后一天）
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// 为每个牵头单位生成预填好任务的进展表模板，写入 output/<月份>/templates/
    Templates {
        /// 模板所属月份，如 2026-12（默认为 input/submissions 下最新月份的下一个月）
        #[arg(long, value_parser = parse_month)]
        month: Option<Month>,
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
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
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
        Command::Run {
            month,
            as_of,
            force,
        } => cmd_run(
            &cfg,
            RunOptions {
                month,
                as_of,
                force,
            },
        ),
        Command::Templates { month } => cmd_templates(&cfg, month),
        Command::Check { month, as_of } => cmd_check(
            &cfg,
            RunOptions {
                month,
                as_of,
                force: false,
            },
        ),
    }
}

fn cmd_templates(cfg: &Config, month: Option<Month>) -> ExitCode {
    let month = month
        .or_else(|| pipeline::newest_month(&cfg.paths.submissions).map(Month::next))
        .unwrap_or(Month {
            year: cfg.year,
            month: 1,
        });
    let (master, problems) = match duban::load_master(cfg) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    for p in problems.iter().filter(|p| p.severity == Severity::Error) {
        eprintln!("{p}");
    }
    // Last month's progress goes into a read-only column when its 汇总表 exists.
    let history = duban::history::load_previous(&cfg.paths.output, month);
    for p in &history.problems {
        eprintln!("{p}");
    }
    let previous: std::collections::BTreeMap<u32, f64> = history
        .tasks
        .iter()
        .filter_map(|(n, t)| t.percent.map(|p| (*n, p)))
        .collect();
    let out_dir = cfg.paths.output.join(month.to_string()).join("templates");
    match duban::render::template_xlsx::write_templates(
        &master,
        cfg,
        month,
        &out_dir,
        history.found.then_some(&previous),
    ) {
        Ok(paths) => {
            println!(
                "已为 {} 个单位生成 {} 进展表模板，位于 {}",
                paths.len(),
                month.label(),
                out_dir.display()
            );
            if history.found {
                println!("模板中已带入上月（{}）进度。", month.prev().label());
            } else {
                println!(
                    "未找到上月（{}）汇总表，模板中不含“上月进度”列。",
                    month.prev().label()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：写入模板失败：{e}");
            ExitCode::from(2)
        }
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
    println!(
        "{} 报送情况校验（截至 {}）",
        loaded.month.label(),
        chinese_date(loaded.as_of)
    );
    for p in &loaded.problems {
        println!("{p}");
    }
    print!(
        "{}",
        duban::check::render_check_report(&loaded.submissions, &loaded.merged)
    );
    let has_error = loaded
        .problems
        .iter()
        .chain(loaded.merged.problems.iter())
        .any(|p| p.severity == Severity::Error);
    if has_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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
    if problems.iter().any(|p| p.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Progress on a terminal: one indicatif bar per stage; plain lines otherwise (CI, pipes).
struct ConsoleProgress {
    bar: std::sync::Mutex<Option<ProgressBar>>,
    tty: bool,
}

impl ConsoleProgress {
    fn new() -> ConsoleProgress {
        ConsoleProgress {
            bar: std::sync::Mutex::new(None),
            tty: std::io::stderr().is_terminal(),
        }
    }
}

impl pipeline::Progress for ConsoleProgress {
    fn start(&self, stage: Stage, total: Option<u64>) {
        if !self.tty {
            eprintln!("… {}", stage.label());
            return;
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_message(stage.label());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }
    fn tick(&self) {
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(1);
        }
    }
    fn finish(&self, stage: Stage, millis: f64) {
        let line = format!("✓ {}（{:.0} 毫秒）", stage.label(), millis);
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
        eprintln!("{line}");
    }
}

fn cmd_run(cfg: &Config, opts: RunOptions) -> ExitCode {
    let progress = ConsoleProgress::new();
    let summary = match duban::run::run(cfg, &opts, &progress) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", summary.to_text());
    ExitCode::from(summary.exit_code())
}
