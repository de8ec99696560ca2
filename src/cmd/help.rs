//! Help screens and argument errors in Chinese, made with clap's own means — a help template,
//! Chinese headings, our own `-h/--help` and `-V/--version` arguments, a usage line of our own,
//! and a Chinese message per [`ErrorKind`] built from the error's context — applied once to the
//! root command and from there to every subcommand, so a subcommand added later is Chinese too.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The help screen: what the command does, how to call it, its commands, arguments and
/// options, under headings of our own (clap's would end in an ASCII colon).
fn template(cmd: &Command) -> String {
    let mut t = String::from("{about-with-newline}\n用法：{usage}\n");
    if cmd.has_subcommands() {
        t.push_str("\n命令：\n{subcommands}\n");
    }
    if cmd.get_positionals().next().is_some() {
        t.push_str("\n参数：\n{positionals}\n");
    }
    t.push_str("\n选项：\n{options}\n{after-help}");
    t
}

/// Heading of the options in help screens.
const OPTIONS: &str = "选项";
/// Heading of positional arguments.
const ARGUMENTS: &str = "参数";

/// The command line with Chinese help and usage on the root command and every subcommand.
pub fn chinese(cmd: Command) -> Command {
    let path = cmd.get_name().to_string();
    let with_version = cmd.get_version().is_some();
    let mut cmd = localise(cmd, &path);
    if with_version {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading(OPTIONS),
        );
    }
    cmd
}

fn localise(cmd: Command, path: &str) -> Command {
    let usage = usage_line(&cmd, path);
    let template = template(&cmd);
    let cmd = cmd
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .help_template(template)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .override_usage(usage)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                ARGUMENTS
            } else {
                OPTIONS
            };
            // clap writes “[default: …]” and “[possible values: …]” in English: the help
            // texts say the default themselves
            let a = a.help_heading(heading);
            if a.get_action().takes_values() {
                let a = a.hide_default_value(true).hide_possible_values(true);
                match value_name(&a) {
                    Some(name) => a.value_name(name),
                    None => a,
                }
            } else {
                a
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示本帮助")
                .help_heading(OPTIONS),
        );
    cmd.mut_subcommands(|sub| {
        let sub_path = format!("{path} {}", sub.get_name());
        localise(sub, &sub_path)
    })
}

/// The placeholder of an argument's value in help and errors when its own is not Chinese: the
/// Chinese word for the usual ones (`<MONTH>` → `<年-月>`), else `<值>`.
fn value_name(a: &Arg) -> Option<&'static str> {
    let own = a
        .get_value_names()
        .and_then(|v| v.first().map(ToString::to_string))
        .unwrap_or_default();
    if !own.is_empty() && !own.is_ascii() {
        return None;
    }
    let name = match a.get_id().as_str() {
        "month" => "年-月",
        "as_of" => "年-月-日",
        "config" => "配置文件",
        "year" => "年度",
        "only" | "unit" => "单位",
        "from" => "文件或文件夹",
        _ => "值",
    };
    Some(name)
}

/// `duban run [选项]`, `duban [选项] <命令>`: the usage line, named in Chinese.
fn usage_line(cmd: &Command, path: &str) -> String {
    let mut usage = format!("{path} [{OPTIONS}]");
    for a in cmd.get_positionals() {
        let name = a
            .get_value_names()
            .and_then(|v| v.first().map(ToString::to_string))
            .unwrap_or_else(|| a.get_id().to_string());
        if a.is_required_set() {
            usage.push_str(&format!(" <{name}>"));
        } else {
            usage.push_str(&format!(" [{name}]"));
        }
    }
    if cmd.has_subcommands() {
        usage.push_str(" <命令>");
    }
    usage
}

/// The usage line of the (sub)command `args` call, for errors that do not carry one.
fn usage_of(cmd: &Command, args: &[String]) -> String {
    let mut path = cmd.get_name().to_string();
    let mut current = cmd;
    for a in args.iter().skip(1).filter(|a| !a.starts_with('-')) {
        match current.find_subcommand(a) {
            Some(sub) => {
                path = format!("{path} {}", sub.get_name());
                current = sub;
            }
            None => break,
        }
    }
    usage_line(current, &path)
}

/// An argument error in Chinese: what is wrong, the usage line of the command called
/// (`cmd` as built by [`chinese`], called with `args`), where to find help.
pub fn error_text(e: &clap::Error, cmd: &Command, args: &[String]) -> String {
    let text = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let mut message = match e.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            let name = text(ContextKind::InvalidSubcommand).unwrap_or(value.clone());
            format!("没有“{name}”这个命令")
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 缺少值"),
        ErrorKind::InvalidValue => format!("参数 {arg} 的值“{value}”无效"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(ToString::to_string)
                .unwrap_or_default();
            if why.is_empty() {
                format!("参数 {arg} 的值“{value}”无效")
            } else {
                format!("参数 {arg} 的值无效：{why}")
            }
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "请指定要执行的命令".to_string()
        }
        ErrorKind::ArgumentConflict => {
            let prior = text(ContextKind::PriorArg).unwrap_or_default();
            format!("参数 {arg} 不能与 {prior} 同时使用")
        }
        ErrorKind::TooManyValues => format!("参数 {arg} 的值过多：“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值的个数不对")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 的值须用“=”连接"),
        ErrorKind::InvalidUtf8 => "参数中含有无法识别的字符（不是 UTF-8 编码）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    if let Some(valid) = text(ContextKind::ValidValue).filter(|v| !v.is_empty()) {
        message.push_str(&format!("；可选的值：{valid}"));
    }
    if let Some(s) = text(ContextKind::SuggestedSubcommand) {
        message.push_str(&format!("；是否要用命令“{s}”？"));
    }
    if let Some(s) = text(ContextKind::SuggestedArg) {
        message.push_str(&format!("；是否要用参数“{s}”？"));
    }
    let usage = usage_of(cmd, args);
    let command: String = usage.split(" [").next().unwrap_or_default().to_string();
    format!("错误：{message}\n\n用法：{usage}\n\n查看帮助：{command} --help\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    fn cli() -> Command {
        chinese(
            Command::new("duban")
                .version("1.0")
                .about("督办")
                .arg(
                    Arg::new("config")
                        .long("config")
                        .global(true)
                        .default_value("duban.toml")
                        .help("配置文件"),
                )
                .subcommand(
                    Command::new("run")
                        .about("运行")
                        .arg(Arg::new("month").long("month").help("月份")),
                )
                .subcommand_required(true),
        )
    }

    fn english(text: &str) -> Vec<&'static str> {
        [
            "Usage",
            "Options",
            "Commands",
            "Arguments",
            "error",
            "help",
            "Print",
            "default",
            "tip",
            "For more",
        ]
        .into_iter()
        .filter(|w| text.contains(w) && !text.contains(&format!("--{w}")))
        .collect()
    }

    #[test]
    fn help_and_errors_speak_chinese() {
        for args in [
            vec!["duban", "--help"],
            vec!["duban", "run", "--help"],
            vec!["duban", "run", "-h"],
        ] {
            let e = cli().try_get_matches_from(&args).expect_err("help");
            let help = e.render().to_string();
            assert!(help.contains("用法：") && help.contains("选项"), "{help}");
            assert!(english(&help).is_empty(), "{args:?}: {help}");
        }
        for args_list in [
            vec!["duban", "run", "--mnth", "2026-11"],
            vec!["duban", "rn"],
            vec!["duban"],
            vec!["duban", "run", "--month"],
        ] {
            let e = cli().try_get_matches_from(&args_list).expect_err("error");
            let text = error_text(&e, &cli(), &args(&args_list));
            assert!(text.starts_with("错误："), "{text}");
            assert!(english(&text).is_empty(), "{args_list:?}: {text}");
        }
    }
}
