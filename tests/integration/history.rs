//! The year on record on the shipped demo: a fresh project's first `duban run` catches up on
//! 2026-07 … 2026-11, each month reads every month before it, a changed archive is a warning
//! and counts as missing.

use duban::config::Config;
use duban::model::{Light, Month, Status};
use duban::pipeline::{self, RunOptions, Silent};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub(crate) const MONTHS: [&str; 5] = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"];

pub(crate) fn m(s: &str) -> Month {
    Month::parse(s).expect("month")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("duban-year-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A project whose config points at the repository's inputs and at its own output folder.
pub(crate) struct Project {
    pub(crate) dir: PathBuf,
    pub(crate) config: PathBuf,
    pub(crate) out: PathBuf,
}

impl Project {
    pub(crate) fn new(name: &str) -> Project {
        let dir = temp(name);
        let out = dir.join("output");
        let text = crate::common::config_text(&crate::common::ConfigPaths {
            output: Some(&out),
            ..Default::default()
        });
        let config = dir.join("duban.toml");
        std::fs::write(&config, text).expect("config");
        Project { dir, config, out }
    }

    pub(crate) fn duban(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .output()
            .expect("run duban")
    }

    pub(crate) fn cfg(&self) -> Config {
        Config::load(&self.config).expect("config")
    }
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The demo year built once by `duban run` without `--month`, as on a fresh clone.
pub(crate) struct DemoYear {
    pub(crate) project: Project,
    pub(crate) console: String,
    pub(crate) code: Option<i32>,
}

pub(crate) fn demo_year() -> &'static DemoYear {
    static CELL: OnceLock<DemoYear> = OnceLock::new();
    CELL.get_or_init(|| {
        let project = Project::new("demo");
        let out = project.duban(&["run"]);
        DemoYear {
            console: text(&out),
            code: out.status.code(),
            project,
        }
    })
}

fn opts(month: &str) -> RunOptions {
    RunOptions {
        month: Some(m(month)),
        as_of: None,
        force: false,
    }
}

/// Copies the output folder of the demo year into a new project (to change it there).
fn copy_of_demo(name: &str) -> Project {
    let project = Project::new(name);
    copy_dir(&demo_year().project.out, &project.out);
    project
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

#[test]
fn first_run_catches_up_on_every_month_oldest_first() {
    let year = demo_year();
    // November has the demo's deliberate data errors: exit 1, everything written.
    assert_eq!(year.code, Some(1), "{}", year.console);
    assert!(
        year.console
            .contains("将依次生成 5 个尚未归档的月份（最早的先生成）：2026年7月、2026年8月、2026年9月、2026年10月、2026年11月"),
        "{}",
        year.console
    );
    assert!(
        year.console.contains(
            "本次共生成 5 个月份：2026年7月、2026年8月、2026年9月、2026年10月、2026年11月"
        ),
        "{}",
        year.console
    );
    // oldest first: each month's summary appears in order
    let positions: Vec<usize> = [
        "2026年7月 督办",
        "2026年8月 督办",
        "2026年9月 督办",
        "2026年10月 督办",
        "2026年11月 督办",
    ]
    .iter()
    .map(|s| {
        year.console
            .find(s)
            .unwrap_or_else(|| panic!("{s}: {}", year.console))
    })
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // only July misses a last month; nobody is told to go back and build one
    assert!(!year.console.contains("没有找到上月"), "{}", year.console);
    for month in MONTHS {
        let dir = year.project.out.join(month);
        assert!(dir.join("run.json").is_file(), "{month}");
        let report = duban::verify::verify_month(&dir).expect("verify");
        assert!(report.is_intact(), "{month}: {:?}", report.lines());
    }
    // November's run.json lists every earlier 汇总表 it read as an input
    let run_json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(year.project.out.join("2026-11/run.json")).expect("run.json"),
    )
    .expect("json");
    let inputs: Vec<String> = run_json["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["path"].as_str().unwrap_or_default().to_string())
        .collect();
    for n in 7..=10 {
        assert!(
            inputs
                .iter()
                .any(|p| p.ends_with(&format!("汇总表_2026年{n}月.xlsx"))),
            "{inputs:?}"
        );
    }
}

#[test]
fn a_second_run_without_month_builds_nothing() {
    let project = copy_of_demo("again");
    let out = project.duban(&["run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("均已生成并归档（最新为 2026年11月）"),
        "{}",
        text(&out)
    );
    let names: Vec<String> = std::fs::read_dir(&project.out)
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    // a new month's submissions are picked up alone
    let dir = project.dir.join("submissions");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("input/submissions"),
        &dir,
    );
    copy_dir(&dir.join("2026-11"), &dir.join("2026-12"));
    let text_cfg = std::fs::read_to_string(&project.config).expect("config");
    let abs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("input/submissions");
    std::fs::write(
        &project.config,
        text_cfg.replace(
            &format!("{:?}", abs.display().to_string()),
            &format!("{:?}", dir.display().to_string()),
        ),
    )
    .expect("config");
    let out = project.duban(&["run"]);
    let console = text(&out);
    assert!(console.contains("2026年12月 督办批处理完成"), "{console}");
    assert!(!console.contains("将依次生成"), "{console}");
    assert!(project.out.join("2026-12/run.json").is_file());
}

#[test]
fn november_reads_the_whole_record() {
    let year = demo_year();
    let cfg = year.project.cfg();
    let loaded = pipeline::load_month(&cfg, &opts("2026-11"), &Silent).expect("load");
    let months: Vec<Month> = loaded.history.months.iter().map(|r| r.month).collect();
    assert_eq!(months, MONTHS[..4].iter().map(|s| m(s)).collect::<Vec<_>>());
    assert!(loaded.history.found && loaded.history.problems.is_empty());
    let report = pipeline::build_report(&cfg, &loaded);
    // 市外事办 has never reported: five months running; yellow in July (unreported once), red
    // from August on
    let foreign: Vec<u32> = report
        .master
        .tasks
        .iter()
        .filter(|t| t.units == ["市外事办"])
        .map(|t| t.number)
        .collect();
    assert!(!foreign.is_empty());
    for n in &foreign {
        let o = report.classification.outcome(*n).expect("outcome");
        assert_eq!(o.status, Status::NotReported);
        assert_eq!(o.months_not_reported, 5, "task {n}");
        assert_eq!(o.red_months, 4, "task {n}");
        assert!(o.reason.contains("连续5个月未报送"), "{}", o.reason);
    }
    // a task that stalls goes green → yellow → red over the months
    let stalled = report.classification.outcomes.iter().find(|o| {
        let lights: Vec<Option<Light>> = loaded
            .history
            .months
            .iter()
            .map(|r| r.tasks.get(&o.task).and_then(|t| t.light))
            .collect();
        lights.first() == Some(&Some(Light::Green))
            && lights.contains(&Some(Light::Yellow))
            && o.light == Light::Red
            && o.red_months >= 2
    });
    assert!(
        stalled.is_some(),
        "a task goes green, then yellow, then red for months"
    );
}

#[test]
fn a_changed_archive_counts_as_missing_and_the_streak_carries_over() {
    let project = copy_of_demo("changed");
    let sept = project.out.join("2026-09/汇总表_2026年9月.xlsx");
    let mut bytes = std::fs::read(&sept).expect("read");
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&sept, bytes).expect("write");
    let cfg = project.cfg();
    let loaded = pipeline::load_month(&cfg, &opts("2026-11"), &Silent).expect("load");
    assert_eq!(loaded.history.rejected, vec![m("2026-09")]);
    assert_eq!(loaded.history.months.len(), 3);
    let changed: Vec<_> = loaded
        .problems
        .iter()
        .filter(|p| p.code == "history_changed")
        .collect();
    assert_eq!(changed.len(), 1, "{:?}", loaded.problems);
    assert_eq!(changed[0].file.as_deref(), Some("汇总表_2026年9月.xlsx"));
    assert!(
        changed[0].message.contains("2026年9月"),
        "{}",
        changed[0].message
    );
    let report = pipeline::build_report(&cfg, &loaded);
    let foreign = report
        .master
        .tasks
        .iter()
        .find(|t| t.units == ["市外事办"])
        .expect("市外事办 task");
    let o = report
        .classification
        .outcome(foreign.number)
        .expect("outcome");
    // October's archived count (4) carries the streak over the missing September
    assert_eq!(o.months_not_reported, 5);
    // red runs are cut by the missing month: October and November
    assert_eq!(o.red_months, 2);
}
