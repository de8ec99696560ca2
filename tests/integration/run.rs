//! The monthly run end to end on the shipped demo data: month over month, byte-identical
//! reruns, archive safety (`--force`, never overwriting silently), exit codes, run.json.

use duban::config::Config;
use duban::model::ProblemCode;
use duban::model::{Light, Month, Status};
use duban::pipeline::{self, RunOptions, Silent};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repo's configuration with every path absolute and the output in `out`.
fn config_with_output(out: &Path) -> Config {
    let mut cfg = Config::load(&root().join("duban.toml")).expect("duban.toml");
    cfg.paths.output = out.to_path_buf();
    cfg
}

/// A config file on disk (for the binary) whose paths are absolute, output in `out`.
fn config_file(dir: &Path, out: &Path) -> PathBuf {
    let text = crate::common::config_text(&crate::common::ConfigPaths {
        output: Some(out),
        ..Default::default()
    });
    let path = dir.join("duban.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("duban-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn opts(month: &str) -> RunOptions {
    RunOptions {
        month: Month::parse(month),
        as_of: None,
        force: false,
    }
}

/// SHA-256 of every file under `dir` (relative path → hash), timings.json excluded.
fn tree_hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                if rel != "timings.json" {
                    let bytes = std::fs::read(&p).expect("read");
                    let hex: String = Sha256::digest(&bytes)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    out.insert(rel, hex);
                }
            }
        }
    }
    out
}

/// October then November, run once for the whole test file (rendering is the slow part).
pub(crate) struct TwoMonths {
    pub(crate) out: PathBuf,
    pub(crate) november: duban::pipeline::RunSummary,
}

pub(crate) fn two_months() -> &'static TwoMonths {
    static CELL: OnceLock<TwoMonths> = OnceLock::new();
    CELL.get_or_init(|| {
        let out = temp("months");
        let cfg = config_with_output(&out);
        duban::pipeline::run(&cfg, &opts("2026-10"), &Silent).expect("October runs");
        let november =
            duban::pipeline::run(&cfg, &opts("2026-11"), &Silent).expect("November runs");
        TwoMonths { out, november }
    })
}

#[test]
fn november_reads_october_and_shows_month_over_month() {
    let t = two_months();
    assert!(t.november.previous_available);
    // the console names the files with errors (the demo's three deliberate mistakes)
    assert_eq!(
        t.november.error_files.iter().map(|(_, n)| n).sum::<usize>(),
        t.november.errors
    );
    assert!(
        t.november.to_text().contains("有错误的文件：市交通局_"),
        "{}",
        t.november.to_text()
    );
    let cfg = config_with_output(&t.out);
    let loaded = pipeline::load_month(&cfg, &opts("2026-11"), &Silent).expect("load");
    assert!(loaded.history.found());
    let report = pipeline::build_report(&cfg, &loaded);
    let with_previous = report
        .classification
        .outcomes
        .iter()
        .filter(|o| o.previous_percent.is_some())
        .count();
    assert!(
        with_previous > 150,
        "上月进度 filled for {with_previous} tasks"
    );
    let codes: Vec<ProblemCode> = report.problems.iter().map(|p| p.code).collect();
    assert!(
        codes.contains(&ProblemCode::ProgressRegressed),
        "a regression is flagged"
    );
    assert!(
        codes.contains(&ProblemCode::ProgressCopied),
        "a copied text is flagged"
    );
    assert!(
        report.classification.outcomes.iter().any(|o| o.escalated),
        "an escalation shows"
    );
    // 市外事办 reported neither month: its task is red, escalated.
    let foreign = report
        .master
        .tasks_of_unit("市外事办")
        .next()
        .expect("市外事办 task")
        .number;
    let o = report.classification.outcome(foreign).expect("outcome");
    assert_eq!(o.status, Status::NotReported);
    assert_eq!(o.light, Light::Red);
    assert!(o.months_not_reported >= 2);
}

#[test]
fn november_output_is_complete_and_reconciles() {
    let t = two_months();
    let s = &t.november;
    assert!(s.reconciliation.balances());
    assert_eq!(s.units_total, 45);
    assert_eq!(s.unit_pdfs, 45);
    assert_eq!(s.leader_pdfs, 11, "10 leaders and the mayor");
    assert_eq!(s.exit_code(), 1, "the demo's November data has errors");
    let dir = t.out.join("2026-11");
    for f in [
        "汇总表_2026年11月.xlsx",
        "run.json",
        "timings.json",
        "邮件/清单.csv",
        "督办单/领导/贺海东.pdf",
        "督办单/单位/市科技局.pdf",
    ] {
        assert!(dir.join(f).is_file(), "{f} written");
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).expect("run.json"))
            .expect("json");
    // Every output listed in run.json exists with that hash.
    let hashes = tree_hashes(&dir);
    let outputs = run["outputs"].as_array().expect("outputs");
    assert!(
        outputs.len() > 45 + 11,
        "45 unit PDFs, 11 leader PDFs, the 汇总表 and emails"
    );
    for o in outputs {
        let path = o["path"].as_str().expect("path");
        assert_eq!(
            hashes.get(path).map(String::as_str),
            o["sha256"].as_str(),
            "{path}"
        );
    }
}

#[test]
fn rerun_is_byte_identical_and_force_keeps_the_old_month() {
    let t = two_months();
    let first = tree_hashes(&t.out.join("2026-11"));
    let cfg = config_with_output(&t.out);
    // Without --force an archived month is refused and left untouched.
    let err = duban::pipeline::run(&cfg, &opts("2026-11"), &Silent).expect_err("refused");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(tree_hashes(&t.out.join("2026-11")), first);
    let forced = RunOptions {
        force: true,
        ..opts("2026-11")
    };
    let summary = duban::pipeline::run(&cfg, &forced, &Silent).expect("forced rerun");
    assert_eq!(
        summary.kept_previous.as_deref(),
        Some(t.out.join("2026-11.previous-1").as_path())
    );
    assert!(
        summary.to_text().contains("原有的本月结果已保留在"),
        "{}",
        summary.to_text()
    );
    assert_eq!(
        tree_hashes(&t.out.join("2026-11")),
        first,
        "same inputs, same bytes"
    );
    assert_eq!(
        tree_hashes(&t.out.join("2026-11.previous-1")),
        first,
        "old month kept"
    );
}

#[test]
fn binary_exit_codes() {
    let dir = temp("exit");
    let out = dir.join("output");
    let cfg = config_file(&dir, &out);
    let duban = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .arg("--config")
            .arg(&cfg)
            .args(args)
            .output()
            .expect("run duban")
    };
    let r = duban(&["run", "--month", "2026-13"]);
    assert_eq!(r.status.code(), Some(2), "bad month is a usage error");
    assert!(String::from_utf8_lossy(&r.stderr).contains("2026-13"));
    let r = duban(&["check", "--month", "2026-10"]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    let r = duban(&["check", "--month", "2026-11"]);
    assert_eq!(r.status.code(), Some(1), "November has data errors");
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        stdout.contains("读取 197 行 = 合并 184 行 + 驳回 3 行 + 被取代 10 行"),
        "{stdout}"
    );
    // A month folder holding only forms does not block the run; its forms are kept.
    let r = duban(&["templates", "--month", "2026-10"]);
    assert_eq!(r.status.code(), Some(0));
    let r = duban(&["run", "--month", "2026-10"]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        stdout.contains("红灯") && stdout.contains("输出位于"),
        "{stdout}"
    );
    assert!(
        out.join("2026-10/templates").is_dir(),
        "forms carried into the month"
    );
    assert!(out.join("2026-10/run.json").is_file());
    assert!(!out.join("2026-10.previous-1").exists());
    // Now archived: a second run is refused with exit 2.
    let r = duban(&["run", "--month", "2026-10"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    // November without October's summary would say so; with it, no such note.
    let r = duban(&["run", "--month", "2026-11"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&r.stdout).contains("没有找到上月"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn missing_last_month_is_explained() {
    let out = temp("nohistory");
    let cfg = config_with_output(&out);
    let loaded = pipeline::load_month(&cfg, &opts("2026-11"), &Silent).expect("load");
    let note = loaded
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::PreviousSummaryMissing)
        .expect("the run says last month's 汇总表 is missing");
    assert!(
        note.message.contains("run --month 2026-10"),
        "{}",
        note.message
    );
    std::fs::remove_dir_all(out).ok();
}
