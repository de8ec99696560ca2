//! The year on record on the shipped demo: a fresh project's first `duban run` catches up on
//! 2026-07 … 2026-11, each month reads every month before it, a changed archive is a warning
//! and counts as missing.

use duban::config::Config;
use duban::model::ProblemCode;
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
        let report = duban::archive::verify::verify_month(&dir).expect("verify");
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
        // the archive ledger lives beside the month folders
        .filter(|n| n != duban::archive::LEDGER)
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
    assert!(loaded.history.found() && loaded.history.problems.is_empty());
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
    // once red for lagging, a task still lagging stays red: no red → yellow while 滞后
    let mut records: Vec<&duban::model::MonthRecord> = loaded.history.months.iter().collect();
    let current =
        duban::trend::current_record(report.month, &report.classification, &report.merged);
    records.push(&current);
    for pair in records.windows(2) {
        for (n, before) in &pair[0].tasks {
            let Some(after) = pair[1].tasks.get(n) else {
                continue;
            };
            let lagging = |t: &duban::model::PreviousTask| t.status == Some(Status::Lagging);
            assert!(
                !(before.light == Some(Light::Red)
                    && lagging(before)
                    && lagging(after)
                    && after.light == Some(Light::Yellow)),
                "task {n}: red, then yellow while still lagging ({} → {})",
                pair[0].month,
                pair[1].month
            );
        }
    }
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
        .filter(|p| p.code == ProblemCode::HistoryChanged)
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

    // an archived month whose 汇总表 was deleted is named too, not passed over
    std::fs::remove_file(project.out.join("2026-08/汇总表_2026年8月.xlsx")).expect("delete");
    let loaded = pipeline::load_month(&cfg, &opts("2026-11"), &Silent).expect("load");
    assert_eq!(loaded.history.rejected, vec![m("2026-08"), m("2026-09")]);
    let gone = loaded
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::HistoryUnreadable)
        .expect("a warning for August");
    assert_eq!(gone.file.as_deref(), Some("汇总表_2026年8月.xlsx"));
    assert!(
        gone.message.contains("汇总表已不在归档文件夹中"),
        "{}",
        gone.message
    );
}

/// Runs a Python script with `args`; `None` (after telling the checker module) when Python or
/// openpyxl is missing.
fn python(script: &str, args: &[&Path]) -> Option<String> {
    let Ok(out) = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
    else {
        crate::checker::missing("python3");
        return None;
    };
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if stdout.trim() == "SKIP" {
        crate::checker::missing("openpyxl (Python)");
        return None;
    }
    Some(stdout)
}

/// openpyxl reads November's 月度趋势 and finds every month's progress and light as that
/// month's own archived 任务总表 has them, the light counts and 办结率 per month below, the
/// chart, and 总览's months; the sparklines are in the sheet's XML.
#[test]
fn november_trend_sheet_matches_every_archived_month() {
    let year = demo_year();
    let out = &year.project.out;
    let script = r#"
import sys, warnings
warnings.simplefilter("ignore")
try:
    import openpyxl
except ImportError:
    print("SKIP"); sys.exit(0)
out = sys.argv[1]
months = [(2026, m) for m in range(7, 12)]
archived = {}
for (y, m) in months:
    wb = openpyxl.load_workbook(f"{out}/{y}-{m:02d}/汇总表_{y}年{m}月.xlsx")
    ws = wb["任务总表"]
    head = [c.value for c in ws[1]]
    i_no, i_p, i_l, i_s = head.index("序号"), head.index("完成进度(%)"), head.index("亮灯"), head.index("状态")
    archived[m] = {r[i_no]: (r[i_p], r[i_l], r[i_s]) for r in ws.iter_rows(min_row=2, values_only=True) if r[i_no]}
wb = openpyxl.load_workbook(f"{out}/2026-11/汇总表_2026年11月.xlsx")
print("|".join(wb.sheetnames))
ws = wb["月度趋势"]
head = [c.value for c in ws[4]]
print("|".join(h.replace("\n", "") for h in head if h))
first_p = head.index("7月\n进度")
first_l = head.index("7月\n亮灯")
checked = mismatches = 0
rows = {}
for r in ws.iter_rows(min_row=5, values_only=True):
    if isinstance(r[0], (int, float)):
        rows[int(r[0])] = r
    elif r[0] in ("红灯", "黄灯", "蓝灯", "绿灯", "办结率(%)"):
        rows[r[0]] = r
for n, r in rows.items():
    if not isinstance(n, int):
        continue
    for k, m in enumerate(range(7, 12)):
        p, l, _ = archived[m][n]
        if r[first_p + k] != p or r[first_l + k] != l:
            mismatches += 1
            print("MISMATCH", n, m, r[first_p + k], p, r[first_l + k], l)
        checked += 1
print("checked", checked, "mismatches", mismatches)
for label, light in (("红灯", "红"), ("黄灯", "黄"), ("蓝灯", "蓝"), ("绿灯", "绿")):
    got = [rows[label][first_p + k] for k in range(5)]
    want = [sum(1 for v in archived[m].values() if v[1] == light) for m in range(7, 12)]
    print(label, got == want, got)
done = [round(100 * sum(1 for v in archived[m].values() if v[2] in ("按期完成", "逾期完成", "已完成")) / len(archived[m]), 1) for m in range(7, 12)]
print("办结率", [rows["办结率(%)"][first_p + k] for k in range(5)] == done, done)
print("charts", len(ws._charts))
ov = wb["总览"]
import re
labels = [r[0] for r in ov.iter_rows(values_only=True) if isinstance(r[0], str) and re.fullmatch(r"2026年\d+月", r[0])]
print("总览", "|".join(labels))
"#;
    let Some(stdout) = python(script, &[out.as_path()]) else {
        return;
    };
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "总览|任务总表|月度趋势|分管领导|牵头单位|重点督办清单|报送情况|校验问题"
    );
    assert!(
        lines[1].starts_with("序号|任务目标|牵头单位|分管市领导|7月进度|8月进度|9月进度|10月进度|11月进度|进度趋势|7月亮灯"),
        "{}",
        lines[1]
    );
    assert!(stdout.contains("checked 945 mismatches 0"), "{stdout}");
    for label in ["红灯", "黄灯", "蓝灯", "绿灯", "办结率"] {
        assert!(stdout.contains(&format!("{label} True")), "{stdout}");
    }
    assert!(stdout.contains("charts 1"), "{stdout}");
    assert!(
        stdout.contains("总览 2026年7月|2026年8月|2026年9月|2026年10月|2026年11月"),
        "{stdout}"
    );
    // one sparkline per task, in Excel's x14 extension
    let bytes = std::fs::read(out.join("2026-11/汇总表_2026年11月.xlsx")).expect("xlsx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet3.xml").expect("sheet3"),
        &mut xml,
    )
    .expect("read");
    assert_eq!(xml.matches("<x14:sparkline>").count(), 189);
}

/// pdftotext finds the progress paths and 连续N个月红灯 in the notices, and the mayor's chart of
/// lights per month.
#[test]
fn notices_show_progress_paths_and_red_months() {
    let year = demo_year();
    let nov = year.project.out.join("2026-11/督办单");
    let pdftotext = |path: &Path| -> Option<String> {
        let out = Command::new("pdftotext").arg(path).arg("-").output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let Some(unit) = pdftotext(&nov.join("单位/市外事办.pdf")) else {
        crate::checker::missing("pdftotext");
        return;
    };
    // never reported: no path, red since August
    assert!(unit.contains("连续4个月红灯"), "{unit}");
    let cfg = year.project.cfg();
    let loaded = pipeline::load_month(&cfg, &opts("2026-11"), &Silent).expect("load");
    let report = pipeline::build_report(&cfg, &loaded);
    let trend = &report.trend;
    // every red or yellow task of 市发改委 shows its path as the trend has it
    let own: Vec<_> = report
        .master
        .tasks_of_unit("市发改委")
        .filter_map(|t| report.classification.outcome(t.number))
        .filter(|o| matches!(o.light, Light::Red | Light::Yellow))
        .collect();
    assert!(!own.is_empty());
    let text = pdftotext(&nov.join("单位/市发改委.pdf")).unwrap_or_default();
    for o in own {
        let path = trend.path(o.task, m("2026-11"), 3);
        assert!(path.matches('→').count() == 2, "task {}: {path}", o.task);
        assert!(text.contains(&path), "task {}: {path} in\n{text}", o.task);
        if o.red_months >= 2 {
            assert!(text.contains(&format!("连续{}个月红灯", o.red_months)));
        }
    }
    let mayor = pdftotext(&nov.join("领导/贺海东.pdf")).unwrap_or_default();
    assert!(mayor.contains("各月亮灯变化"), "{mayor}");
    for label in [
        "7月", "8月", "9月", "10月", "11月", "红灯", "黄灯", "蓝灯", "绿灯",
    ] {
        assert!(mayor.contains(label), "{label}");
    }
    // the July notice has no chart: one month only
    let july =
        pdftotext(&year.project.out.join("2026-07/督办单/领导/贺海东.pdf")).unwrap_or_default();
    assert!(!july.contains("各月亮灯变化") && july.contains("二、红灯任务清单"));
}

#[test]
fn year_report_covers_the_months_on_record() {
    let project = copy_of_demo("year");
    let out = project.duban(&["year"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(console.contains("依据 7月至11月 共 5 个月"), "{console}");
    assert!(console.contains("1月至6月 没有有效归档"), "{console}");
    assert!(console.contains("12月 尚未归档"), "{console}");
    let dir = project.out.join("2026年度");
    let stem = "年度督办总结_2026年";
    for ext in ["pdf", "ofd", "xlsx"] {
        assert!(dir.join(format!("{stem}.{ext}")).is_file(), "{ext}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("year.json")).expect("year.json"))
            .expect("json");
    assert_eq!(manifest["months_covered"].as_array().map(Vec::len), Some(5));
    assert_eq!(manifest["inputs"].as_array().map(Vec::len), Some(5));
    assert_eq!(manifest["months_not_yet"][0], "2026-12");
    // an existing year folder is not overwritten silently
    let again = project.duban(&["year"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("--force"), "{}", text(&again));
    // reproducible: rebuilt with --force, every file is byte for byte what it was
    let forced = project.duban(&["year", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    let kept = project.out.join("2026年度.previous-1");
    for name in ["pdf", "ofd", "xlsx"]
        .map(|e| format!("{stem}.{e}"))
        .iter()
        .chain(["year.json".to_string()].iter())
    {
        let a = std::fs::read(dir.join(name)).expect("new");
        let b = std::fs::read(kept.join(name)).expect("kept");
        assert!(a == b, "{name} differs between two runs");
    }

    // the PDF reads as the mayor's summary
    if let Ok(pdf) = Command::new("pdftotext")
        .arg(dir.join(format!("{stem}.pdf")))
        .arg("-")
        .output()
    {
        // lines joined: a sentence may wrap anywhere
        let pdf = String::from_utf8_lossy(&pdf.stdout).replace('\n', "");
        for needle in [
            "2026年重点工作任务督办情况总结",
            "（截至11月）",
            "1月至6月无有效归档",
            "一、全市逐月推进情况",
            "二、各分管市领导推进情况",
            "三、始终未完成的任务",
            "四、牵头单位按时报送和办结排名",
            "市外事办",
        ] {
            assert!(pdf.contains(needle), "{needle} in\n{pdf}");
        }
    } else {
        crate::checker::missing("pdftotext");
    }

    // openpyxl: the tables agree with the archived months themselves
    let script = r#"
import sys, warnings
warnings.simplefilter("ignore")
try:
    import openpyxl
except ImportError:
    print("SKIP"); sys.exit(0)
out, year_xlsx = sys.argv[1], sys.argv[2]
done = ("按期完成", "逾期完成", "已完成")
reds, ever_done, received = [], set(), {}
tasks = set()
for m in range(7, 12):
    wb = openpyxl.load_workbook(f"{out}/2026-{m:02d}/汇总表_2026年{m}月.xlsx")
    ws = wb["任务总表"]
    head = [c.value for c in ws[1]]
    i_no, i_l, i_s = head.index("序号"), head.index("亮灯"), head.index("状态")
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[i_no]]
    reds.append(sum(1 for r in rows if r[i_l] == "红"))
    for r in rows:
        tasks.add(r[i_no])
        if r[i_s] in done:
            ever_done.add(r[i_no])
    rc = wb["报送情况"]
    for r in rc.iter_rows(min_row=2, values_only=True):
        if r[0]:
            received.setdefault(r[0], 0)
            received[r[0]] += r[1] == "已报送"
wb = openpyxl.load_workbook(year_xlsx)
print("|".join(wb.sheetnames))
ws = wb["逐月情况"]
head = [c.value for c in ws[4]]
col = head.index("红灯")
got = [r[col] for r in ws.iter_rows(min_row=5, max_row=9, values_only=True)]
print("reds", got == reds, got)
print("charts", len(ws._charts))
un = wb["未完成任务"]
print("unfinished", un.max_row - 1 == len(tasks - ever_done), un.max_row - 1)
rank = wb["单位排名"]
h = [c.value for c in rank[1]]
units = {r[h.index("牵头单位")]: r for r in rank.iter_rows(min_row=2, values_only=True)}
ok = all(units[u][h.index("报送月数")] == n for u, n in received.items())
print("received", ok)
last = list(units.values())[-1]
print("last", last[h.index("牵头单位")], last[h.index("按时报送月数")])
sai = units["赛罕区政府"]
print("saihan", sai[h.index("报送月数")], sai[h.index("按时报送月数")])
"#;
    let year_xlsx = dir.join(format!("{stem}.xlsx"));
    if let Some(stdout) = python(script, &[project.out.as_path(), year_xlsx.as_path()]) {
        assert!(
            stdout.starts_with("逐月情况|分管领导|未完成任务|单位排名"),
            "{stdout}"
        );
        assert!(stdout.contains("reds True"), "{stdout}");
        assert!(stdout.contains("charts 1"), "{stdout}");
        assert!(stdout.contains("unfinished True"), "{stdout}");
        assert!(stdout.contains("received True"), "{stdout}");
        assert!(stdout.contains("last 市外事办 0"), "{stdout}");
        // November's file is dated after the month's end: reported five times, on time four
        assert!(stdout.contains("saihan 5 4"), "{stdout}");
    }

    // verify --all checks the year folder against its year.json too
    let out = project.duban(&["verify", "--all"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("✓ 2026年度总结：3 个文件与 year.json 一致"),
        "{}",
        text(&out)
    );
    let xlsx = dir.join(format!("{stem}.xlsx"));
    let mut bytes = std::fs::read(&xlsx).expect("xlsx");
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&xlsx, &bytes).expect("write");
    let out = project.duban(&["verify", "--all"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("已被改动：年度督办总结_2026年.xlsx（与 year.json 记录的校验值不符）"),
        "{}",
        text(&out)
    );
    bytes[i] ^= 0x01;
    std::fs::write(&xlsx, &bytes).expect("write");

    // a changed archive is named, and its month is left out
    let sept = project.out.join("2026-09/汇总表_2026年9月.xlsx");
    let mut bytes = std::fs::read(&sept).expect("read");
    let i = bytes.len() / 3;
    bytes[i] ^= 0x01;
    std::fs::write(&sept, bytes).expect("write");
    let out = project.duban(&["year", "--force"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(
        console.contains("2026年9月的汇总表与该月 run.json 记录的校验值不符"),
        "{console}"
    );
    assert!(console.contains("1月至6月、9月 没有有效归档"), "{console}");
}

#[test]
fn year_without_archives_is_a_usage_error() {
    let project = Project::new("noyear");
    let out = project.duban(&["year"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("没有 2026 年已归档的月份"),
        "{}",
        text(&out)
    );
    assert!(!project.out.join("2026年度").exists());
}

#[test]
fn rebuilding_a_middle_month_names_the_later_months() {
    let project = copy_of_demo("middle");
    let out = project.duban(&["run", "--month", "2026-09", "--force"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(
        console.contains("2026年10月、2026年11月 已归档，它们读取的是本月重新生成之前的结果"),
        "{console}"
    );
    assert!(console.contains("从 2026-10 起"), "{console}");
    assert!(project.out.join("2026-09.previous-1/run.json").is_file());
    // the newest month rebuilt: nothing after it, no such note
    let out = project.duban(&["run", "--month", "2026-11", "--force"]);
    assert!(
        !text(&out).contains("已归档，它们读取的是"),
        "{}",
        text(&out)
    );
}

/// Each archived month keeps what reading its 汇总表 back gives in record.json (listed in
/// run.json); a month read from it is the month read from the workbook, and a record that is
/// missing or was changed is passed over for the workbook.
#[test]
fn a_month_read_from_its_record_is_the_month_read_from_its_workbook() {
    let year = demo_year();
    let plan_year = m("2026-11").year;
    for month in &MONTHS[..4] {
        let dir = year.project.out.join(month);
        let manifest = duban::archive::RunManifest::read(&dir).expect("run.json reads");
        let listed = manifest.listed(duban::archive::RECORD_FILE);
        assert!(listed.is_some(), "{month}: run.json lists no record.json");
    }
    let summary = |history: &duban::history::History| {
        history
            .months
            .iter()
            .map(|r| (r.month, r.tasks.clone(), r.receipts.clone()))
            .collect::<Vec<_>>()
    };
    let from_records = duban::history::load(&year.project.out, m("2026-11"), plan_year);
    assert_eq!(from_records.months.len(), 4);
    assert!(from_records.problems.is_empty());

    let without = copy_of_demo("record-removed");
    let changed = copy_of_demo("record-changed");
    for month in &MONTHS[..4] {
        std::fs::remove_file(without.out.join(month).join(duban::archive::RECORD_FILE))
            .expect("remove record");
        let path = changed.out.join(month).join(duban::archive::RECORD_FILE);
        let text = std::fs::read_to_string(&path).expect("record");
        // another progress for one task: run.json's hash no longer matches
        let edited = text.replacen("\"percent\":", "\"percent\":1.0e0,\"was\":", 1);
        assert_ne!(edited, text);
        std::fs::write(&path, edited).expect("write record");
    }
    for project in [&without, &changed] {
        let from_workbooks = duban::history::load(&project.out, m("2026-11"), plan_year);
        assert!(from_workbooks.problems.is_empty());
        assert_eq!(summary(&from_workbooks), summary(&from_records));
    }

    // The record is what the run reads: one whose run.json entry is brought up to date is
    // believed (which is why run.json must list it with its hash).
    let used = copy_of_demo("record-used");
    let dir = used.out.join(MONTHS[3]);
    let path = dir.join(duban::archive::RECORD_FILE);
    let mut record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("record")).expect("json");
    let (number, task) = record["tasks"]
        .as_object_mut()
        .and_then(|t| t.iter_mut().next())
        .expect("a task");
    let number: u32 = number.parse().expect("number");
    task["percent"] = serde_json::json!(1.5);
    let bytes = serde_json::to_vec(&record).expect("json");
    std::fs::write(&path, &bytes).expect("write");
    let run_json = dir.join("run.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&run_json).expect("run.json")).expect("json");
    for entry in manifest["outputs"].as_array_mut().expect("outputs") {
        if entry["path"] == duban::archive::RECORD_FILE {
            entry["bytes"] = serde_json::json!(bytes.len());
            entry["sha256"] = serde_json::json!(duban::archive::sha256_hex(&bytes));
        }
    }
    std::fs::write(&run_json, serde_json::to_vec(&manifest).expect("json")).expect("write");
    let history = duban::history::load(&used.out, m("2026-11"), plan_year);
    let october = history.months.last().expect("October");
    assert_eq!(october.month, m(MONTHS[3]));
    assert_eq!(october.tasks[&number].percent, Some(1.5));
}

/// run.json and record.json are one type each, written and read back by the same code: what
/// the demo year archived reads back into `RunManifest` / `Record` and writes out to the very
/// same bytes (problems and counts included, in their order).
#[test]
fn archived_manifests_read_back_to_their_own_bytes() {
    let year = demo_year();
    let mut problems = 0;
    for month in MONTHS {
        let dir = year.project.out.join(month);
        let bytes = std::fs::read(dir.join(duban::archive::RUN_FILE)).expect("run.json");
        let manifest = duban::archive::RunManifest::read(&dir).expect("run.json reads");
        assert!(!manifest.outputs.is_empty());
        problems += manifest.problems.len();
        assert_eq!(
            String::from_utf8_lossy(&manifest.to_bytes()),
            String::from_utf8_lossy(&bytes),
            "{month}: run.json read back and written again"
        );
        let record_bytes = std::fs::read(dir.join(duban::archive::RECORD_FILE)).expect("record");
        let record: duban::archive::record::Record =
            serde_json::from_slice(&record_bytes).expect("record.json reads");
        assert_eq!(
            record.to_bytes(),
            Some(record_bytes),
            "{month}: record.json"
        );
    }
    assert!(problems > 0, "the demo's problems are read back too");
}
