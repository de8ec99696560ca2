//! duban 命令行：每月督办批处理。
//!
//! Parses the command line, loads `duban.toml`, dispatches to the subcommand in `src/cmd/` and
//! maps its outcome to the exit code: 0 ok, 1 data errors found, 2 usage or configuration error.

mod cmd;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use cmd::CmdOutcome;
use duban::config::Config;
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
    Run(cmd::run::Args),
    Check(cmd::check::Args),
    #[command(name = "templates")]
    Forms(cmd::forms::Args),
    Master(cmd::master::Args),
    Send(cmd::send::Args),
    Verify(cmd::verify::Args),
    Year(cmd::year::Args),
    Collect(cmd::collect::Args),
    Status(cmd::status::Args),
    Remind(cmd::remind::Args),
}

fn main() -> ExitCode {
    duban::tune_allocator();
    let command = cmd::help::chinese(Cli::command());
    let parsed = command
        .clone()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            // help and version screens are printed as clap renders them (in Chinese, see
            // cmd::help); errors are put in Chinese words
            let shown = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if shown {
                let _ = e.print();
            } else {
                let args: Vec<String> = std::env::args_os()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect();
                eprint!("{}", cmd::help::error_text(&e, &command, &args));
            }
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = Config::load(&cli.config)
        .map_err(cmd::Failure::from)
        .and_then(|cfg| match &cli.command {
            Command::Run(args) => cmd::run::run(&cfg, args),
            Command::Check(args) => cmd::check::run(&cfg, args),
            Command::Forms(args) => cmd::forms::run(&cfg, args),
            Command::Master(args) => cmd::master::run(&cfg, args),
            Command::Send(args) => cmd::send::run(&cfg, args),
            Command::Verify(args) => cmd::verify::run(&cfg, args),
            Command::Year(args) => cmd::year::run(&cfg, args),
            Command::Collect(args) => cmd::collect::run(&cfg, args),
            Command::Status(args) => cmd::status::run(&cfg, args),
            Command::Remind(args) => cmd::remind::run(&cfg, args),
        });
    match outcome {
        Ok(CmdOutcome::Clean) => ExitCode::SUCCESS,
        Ok(CmdOutcome::DataErrors) => ExitCode::from(1),
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}
