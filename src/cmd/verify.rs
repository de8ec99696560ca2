//! `duban verify`: re-hashes archived months against their run.json.
//!
//! ```text
//! duban verify [--month YYYY-MM | --all]
//! ```
//! Lists changed, missing, extra and unreadable files (the send logs aside) and a run.json the
//! archive ledger does not know. `--all` also checks the year folders of `duban year` against
//! their year.json, and names month folders that were built but have no run.json (a failure)
//! or hold only forms (not built). Exit 0 when every month checked is intact, 1 otherwise,
//! 2 when a month was never built at all.

use super::{CmdOutcome, Failure, parse_month};
use duban::archive::verify::{VerifyError, verify_month, verify_year};
use duban::archive::{self, Unarchived, unarchived};
use duban::config::Config;
use duban::model::Month;
use duban::pipeline;
use duban::stamp::check;

/// 按 run.json 重新核对已归档月份的每个文件（发送记录除外），列出被改动、缺失和多出的文件；--all 时也按 year.json 核对年度总结
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 核对的月份，如 2026-11（默认为 input/submissions 下最新的月份）
    #[arg(long, value_parser = parse_month, conflicts_with = "all")]
    pub month: Option<Month>,
    /// 核对 output 下所有已归档的月份和年度总结
    #[arg(long)]
    pub all: bool,
}

/// Verifies the chosen months and prints one verdict per month.
pub fn run(cfg: &Config, args: &Args) -> Result<CmdOutcome, Failure> {
    let months: Vec<Month> = if args.all {
        month_folders(cfg)
    } else {
        vec![args.month.unwrap_or_else(|| {
            pipeline::newest_month(&cfg.paths.submissions).unwrap_or(Month {
                year: cfg.year,
                month: 1,
            })
        })]
    };
    let years = if args.all {
        archived_years(cfg)
    } else {
        Vec::new()
    };
    if months.is_empty() && years.is_empty() {
        println!(
            "{} 下没有已归档的月份。",
            pipeline::relative(cfg, &cfg.paths.output)
        );
        return Ok(CmdOutcome::Clean);
    }
    let trust = trusted_cas(cfg)?;
    let mut damaged = false;
    for month in months {
        let dir = cfg.paths.output.join(month.to_string());
        match verify_month(&dir) {
            Ok(report) => {
                damaged |= !verdict(&month.label(), &report);
                damaged |= !signatures(&month.label(), &dir, &trust);
            }
            Err(VerifyError::NotArchived { .. }) if dir.is_dir() => match unarchived(&dir) {
                Unarchived::ManifestMissing => {
                    println!(
                        "✗ {}：已生成（有汇总表、督办单或邮件），但没有 run.json，无法核对任何文件（run.json 可能被删除）。请用 duban run --month {month} --force 重新生成",
                        month.label()
                    );
                    damaged = true;
                }
                Unarchived::NotBuilt => println!(
                    "- {}：尚未生成（只有进展表模板），无需核对。",
                    month.label()
                ),
            },
            Err(e) => return Err(Box::new(e)),
        }
    }
    for (year, dir) in years {
        let label = format!("{year}年度总结");
        damaged |= !verdict(&label, &verify_year(&dir)?);
        damaged |= !signatures(&label, &dir, &trust);
    }
    Ok(CmdOutcome::from_errors(damaged))
}

/// The CAs of `[signing] trust`, empty when not configured.
fn trusted_cas(cfg: &Config) -> Result<Vec<x509_cert::Certificate>, Failure> {
    let Some(path) = cfg.signing.as_ref().and_then(|s| s.trust.as_ref()) else {
        return Ok(Vec::new());
    };
    let file = path.display().to_string();
    let bad = |reason: String| -> Failure {
        Box::new(duban::stamp::StampError::Trust {
            file: file.clone(),
            reason,
        })
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let cas = check::load_pem(&bytes).map_err(bad)?;
    if cas.is_empty() {
        return Err(bad("文件中没有证书".into()));
    }
    Ok(cas)
}

/// Checks and prints the signatures of the PDFs in a folder; true when none is broken.
fn signatures(label: &str, dir: &std::path::Path, trust: &[x509_cert::Certificate]) -> bool {
    let report = check::check_folder(dir, trust);
    if report.good.is_empty() && report.broken.is_empty() {
        return true;
    }
    let chain = if trust.is_empty() {
        "（未配置 [signing] trust，未核对证书链）"
    } else {
        ""
    };
    if report.holds() {
        let signers: std::collections::BTreeSet<&str> =
            report.good.iter().map(|(_, s)| s.as_str()).collect();
        println!(
            "✓ {label}：{} 份 PDF 的电子签名有效（签名者：{}）{chain}{}",
            report.good.len(),
            signers.into_iter().collect::<Vec<_>>().join("、"),
            if report.unsigned.is_empty() {
                String::new()
            } else {
                format!("；{} 份未签名", report.unsigned.len())
            }
        );
        return true;
    }
    println!(
        "✗ {label}：{} 份 PDF 的电子签名有效，{} 份无效{chain}：",
        report.good.len(),
        report.broken.len()
    );
    for (file, fault) in &report.broken {
        println!("  签名无效：{file}（{fault}）");
    }
    false
}

/// Prints one folder's verdict; true when intact.
fn verdict(label: &str, report: &duban::archive::verify::VerifyReport) -> bool {
    if report.is_intact() {
        println!(
            "✓ {label}：{} 个文件与 {} 一致。",
            report.intact, report.manifest
        );
        return true;
    }
    println!(
        "✗ {label}：{} 个文件一致，{} 个被改动，{} 个缺失，{} 个多出{}：",
        report.intact,
        report.changed.len(),
        report.missing.len(),
        report.extra.len(),
        if report.unreadable.is_empty() {
            String::new()
        } else {
            format!("，{} 个无法核对", report.unreadable.len())
        }
    );
    for line in report.lines() {
        println!("  {line}");
    }
    false
}

/// Every `<YYYY>年度` folder of `duban year` under the output folder, oldest first.
fn archived_years(cfg: &Config) -> Vec<(i32, std::path::PathBuf)> {
    let mut years: Vec<(i32, std::path::PathBuf)> = std::fs::read_dir(&cfg.paths.output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| archive::is_year_archived(&e.path()))
        .filter_map(|e| {
            let year = archive::parse_year_folder(&e.file_name().to_string_lossy())?;
            Some((year, e.path()))
        })
        .collect();
    years.sort();
    years
}

/// Every `YYYY-MM` folder under the output folder, oldest first (with or without run.json).
fn month_folders(cfg: &Config) -> Vec<Month> {
    let mut months: Vec<Month> = std::fs::read_dir(&cfg.paths.output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Month::parse(&e.file_name().to_string_lossy()))
        .collect();
    months.sort();
    months
}
