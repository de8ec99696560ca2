//! A December filled the ordinary way: the demo year (2026-07 … 2026-11) is built, `duban
//! templates --month 2026-12` writes the units' workbooks, and each unit's workbook is filled
//! with openpyxl the way units fill them (cells typed into the form, rows inserted, a few
//! rows left as they came, one unit sending nothing) before `duban run --month 2026-12`.
//!
//! Each test checks one rule of the record of the year on that December: blank rows are not
//! reports, completion carries forward, the figure stands, the last known figure, document
//! numbers used once, Chinese words, and the ordinary ways of writing a row.

use crate::checker;
use crate::history::{Project, demo_year, text};
use duban::model::{Month, PreviousTask, ProblemCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const DEC: Month = Month {
    year: 2026,
    month: 12,
};
const KEJI: &str = "市科技局";

/// What the December plan chose, for the checks.
struct December {
    project: Project,
    console: String,
    code: Option<i32>,
    /// The two 市科技局 tasks whose rows were left as the form gave them.
    blank: Vec<u32>,
    /// The unit that sent nothing, and its tasks finished on record.
    silent: (String, Vec<u32>),
    /// The unit that returned its form unchanged, and its tasks finished on record.
    unchanged: (String, Vec<u32>),
    /// A task reported last in October (skipped in November), reported lower now.
    regressed: Option<(u32, f64)>,
    /// A task marked 已完成 at 60 %.
    sixty: u32,
    /// A task reported as “95%（预计）”.
    worded: u32,
    /// The unit whose file has a 合计 row and 填报日期 typed as the number 20261225.
    totals_unit: String,
    /// The task with sub-items 36-1 and 36-2, and its unit.
    sub_items: Option<(u32, String)>,
    /// 按期完成 in November's run.json.
    november_on_time: u64,
}

/// `None` when Python with openpyxl is missing (a note, or a failure under CI).
fn december() -> Option<&'static December> {
    static CELL: OnceLock<Option<December>> = OnceLock::new();
    CELL.get_or_init(build).as_ref()
}

fn openpyxl_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        checker::missing("python3 + openpyxl");
    }
    ok
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

/// A project with its own submissions folder and a copy of the demo year's archives.
fn project() -> (Project, PathBuf) {
    let project = Project::new("december");
    let subs = project.dir.join("submissions");
    std::fs::create_dir_all(subs.join(DEC.to_string())).expect("mkdir");
    let text = crate::common::config_text(&crate::common::ConfigPaths {
        output: Some(&project.out),
        submissions: Some(&subs),
        ..Default::default()
    });
    std::fs::write(&project.config, text).expect("config");
    copy_dir(&demo_year().project.out, &project.out);
    (project, subs)
}

fn run_json(out: &Path, month: &str) -> Value {
    let bytes = std::fs::read(out.join(month).join("run.json")).expect("run.json");
    serde_json::from_slice(&bytes).expect("json")
}

fn build() -> Option<December> {
    if !openpyxl_available() {
        return None;
    }
    let (project, subs) = project();
    let out = project.duban(&["templates", "--month", "2026-12"]);
    assert!(out.status.success(), "{}", text(&out));
    let cfg = project.cfg();
    let (master, _) = duban::load_master(&cfg).expect("master");
    let history = duban::history::load(&project.out, DEC, 2026);
    let past: &BTreeMap<u32, PreviousTask> = history.past();
    let finished = |unit: &str| -> Vec<u32> {
        master
            .tasks_of_unit(unit)
            .filter(|t| t.units.len() == 1)
            .filter(|t| past.get(&t.number).is_some_and(|p| p.completion.is_some()))
            .map(|t| t.number)
            .collect()
    };
    let open = |unit: &str| -> Vec<u32> {
        master
            .tasks_of_unit(unit)
            .filter(|t| past.get(&t.number).is_none_or(|p| p.completion.is_none()))
            .map(|t| t.number)
            .collect()
    };
    let sub_task = master.task(36).map(|t| (36, t.units[0].clone()));
    let mut units: Vec<&str> = master
        .units
        .iter()
        .map(|u| u.name.as_str())
        .filter(|u| *u != KEJI && Some(*u) != sub_task.as_ref().map(|s| s.1.as_str()))
        .collect();
    // the unit with the most finished tasks stays silent, the next returns its form as sent
    units.sort_by_key(|u| std::cmp::Reverse(finished(u).len()));
    let silent = units[0].to_string();
    let unchanged = units[1].to_string();
    assert!(
        !finished(&silent).is_empty() && !finished(&unchanged).is_empty(),
        "the demo year has units with finished tasks"
    );
    let normal: Vec<&str> = master
        .units
        .iter()
        .map(|u| u.name.as_str())
        .filter(|u| *u != silent && *u != unchanged)
        .collect();
    let blank: Vec<u32> = open(KEJI).into_iter().take(2).collect();
    assert_eq!(blank.len(), 2, "市科技局 has two open tasks");
    // a task skipped in November whose last figure is October's
    let oct = Month {
        year: 2026,
        month: 10,
    };
    let regressed = normal
        .iter()
        .filter(|u| **u != KEJI)
        .flat_map(|u| open(u))
        .filter(|n| master.task(*n).is_some_and(|t| t.units.len() == 1))
        .find_map(|n| {
            let k = past.get(&n)?.last_known.as_ref()?;
            (k.month == oct && k.percent >= 20.0).then_some((n, k.percent))
        });
    let taken = |n: u32| regressed.is_some_and(|r| r.0 == n) || blank.contains(&n);
    let single_open: Vec<u32> = normal
        .iter()
        .filter(|u| **u != KEJI)
        .flat_map(|u| open(u))
        .filter(|n| master.task(*n).is_some_and(|t| t.units.len() == 1) && !taken(*n))
        .filter(|n| Some(*n) != sub_task.as_ref().map(|s| s.0))
        .collect();
    let (sixty, worded) = (single_open[0], single_open[1]);
    let totals_unit = master
        .task(single_open[2])
        .map(|t| t.units[0].clone())
        .expect("task");

    let forms = project.out.join("2026-12").join("templates");
    let mut plan = Vec::new();
    for unit in &master.units {
        let name = unit.name.as_str();
        if name == silent {
            continue;
        }
        let file = duban::render::form_xlsx::form_file_name(name, DEC);
        let mut rows = serde_json::Map::new();
        if name != unchanged {
            for n in open(name) {
                if blank.contains(&n) {
                    continue;
                }
                let last = past
                    .get(&n)
                    .and_then(|p| p.last_known.as_ref())
                    .map_or(40.0, |k| k.percent);
                let mut entry = json!({
                    "text": format!("12月份继续推进第{n}项任务，按计划完成阶段目标。"),
                    "percent": (last + 3.0).min(99.0),
                    "status": "序时推进",
                });
                if regressed.is_some_and(|r| r.0 == n) {
                    entry["percent"] = json!(last - 10.0);
                }
                if n == sixty {
                    entry["percent"] = json!(60);
                    entry["status"] = json!("已完成");
                }
                if n == worded {
                    entry["percent"] = json!("95%（预计）");
                }
                rows.insert(n.to_string(), entry);
            }
        }
        let mut item = json!({
            "form": forms.join(&file),
            "out": subs.join(DEC.to_string()).join(&file),
            "reported_on": "2026-12-25",
            "rows": rows,
        });
        if name == totals_unit {
            item["reported_on"] = json!(20261225);
            item["total_row"] = json!("合计");
        }
        if let Some((task, _)) = sub_task.as_ref().filter(|s| s.1 == name) {
            item["sub_items"] = json!({
                task.to_string(): [["36-1", "子项一：完成年度建设任务", null], ["36-2", "子项二：完成验收准备", null]]
            });
        }
        plan.push(item);
    }
    let plan_path = project.dir.join("plan.json");
    std::fs::write(&plan_path, serde_json::to_vec(&plan).expect("json")).expect("plan");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/fill_form.py");
    let filled = Command::new("python3")
        .arg(&script)
        .arg(&plan_path)
        .output()
        .expect("python3");
    assert!(filled.status.success(), "{}", text(&filled));
    let november_on_time = run_json(&project.out, "2026-11")["status_counts"]["按期完成"]
        .as_u64()
        .expect("count");
    let out = project.duban(&["run", "--month", "2026-12"]);
    Some(December {
        console: text(&out),
        code: out.status.code(),
        blank,
        silent: (silent.clone(), finished(&silent)),
        unchanged: (unchanged.clone(), finished(&unchanged)),
        regressed,
        sixty,
        worded,
        totals_unit,
        sub_items: sub_task,
        november_on_time,
        project,
    })
}

/// December's record.json: what reading its 汇总表 back gives.
fn record(d: &December) -> Value {
    let path = d.project.out.join("2026-12").join("record.json");
    serde_json::from_slice(&std::fs::read(path).expect("record.json")).expect("json")
}

fn problems(run: &Value, code: ProblemCode) -> Vec<&Value> {
    run["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["code"] == code.as_str())
        .collect()
}

fn task(record: &Value, n: u32) -> &Value {
    &record["tasks"][n.to_string()]
}

#[test]
fn december_blank_rows_are_not_reports() {
    let Some(d) = december() else { return };
    assert!(matches!(d.code, Some(0 | 1)), "{}", d.console);
    let run = run_json(&d.project.out, "2026-12");
    let record = record(d);
    for n in &d.blank {
        let t = task(&record, *n);
        assert_eq!(t["status"], "未报送", "task {n}: {t}");
        assert_eq!(t["percent"], Value::Null, "task {n} stays blank: {t}");
        let warned = problems(&run, ProblemCode::RowNotReported);
        assert!(
            warned.iter().any(|p| p["task"] == *n
                && p["unit"] == KEJI
                && p["cell"].as_str().is_some_and(|c| !c.is_empty())
                && p["message"].as_str().is_some_and(|m| m.contains("未报送"))),
            "a warning names the row of task {n}: {warned:?}"
        );
    }
    // 月度趋势 leaves December blank for them too (its legend: blank is 未报送)
    use calamine::Reader;
    let path = d.project.out.join("2026-12").join("汇总表_2026年12月.xlsx");
    let mut book = calamine::open_workbook_auto(&path).expect("xlsx");
    let range = book.worksheet_range("月度趋势").expect("sheet");
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c == "序号"))
        .expect("header");
    let col = header
        .iter()
        .position(|h| h.starts_with("12月") && h.contains("进度"))
        .expect("December column");
    for n in &d.blank {
        let row = rows
            .iter()
            .find(|r| r.first().is_some_and(|c| c == &n.to_string()))
            .expect("task row");
        assert_eq!(row[col], "", "task {n} in 月度趋势: {row:?}");
    }
    // nothing lost: the blank rows are counted on their own line of the reconciliation
    let r = &run["reconciliation"];
    assert_eq!(r["balances"], true, "{r}");
    assert!(r["not_reporting"].as_u64().unwrap_or(0) >= 2, "{r}");
    assert!(d.console.contains("未填报"), "{}", d.console);
}

#[test]
fn december_completion_carries_forward() {
    let Some(d) = december() else { return };
    let record = record(d);
    for (unit, tasks) in [&d.silent, &d.unchanged] {
        for n in tasks {
            let t = task(&record, *n);
            let status = t["status"].as_str().unwrap_or_default();
            assert!(
                status == "按期完成" || status == "逾期完成",
                "{unit} task {n} stays complete: {t}"
            );
            assert_eq!(t["light"], "绿", "{unit} task {n}: {t}");
            assert_eq!(t["percent"], 100.0, "{unit} task {n}: {t}");
            assert!(
                t["progress_text"]
                    .as_str()
                    .is_some_and(|s| s.contains("月已完成，本月未报送）")),
                "{unit} task {n}: {t}"
            );
            assert!(t["completed_on"].is_string(), "{unit} task {n}: {t}");
        }
        // the unit itself has not reported
        assert_eq!(
            record["receipts"][unit.as_str()]["received"],
            false,
            "{unit}"
        );
    }
    let run = run_json(&d.project.out, "2026-12");
    let unchanged = problems(&run, ProblemCode::CarriedRowUnchanged);
    assert!(
        unchanged
            .iter()
            .any(|p| p["unit"] == d.unchanged.0.as_str()),
        "{unchanged:?}"
    );
    // nothing reopened: 按期完成 can only grow
    let on_time = run["status_counts"]["按期完成"].as_u64().unwrap_or(0);
    assert!(
        on_time >= d.november_on_time,
        "按期完成 {on_time} in December, {} in November",
        d.november_on_time
    );
}

#[test]
fn december_the_figure_stands() {
    let Some(d) = december() else { return };
    let record = record(d);
    let t = task(&record, d.sixty);
    assert_eq!(t["percent"], 60.0, "{t}");
    let status = t["status"].as_str().unwrap_or_default();
    assert!(
        !["按期完成", "逾期完成", "已完成"].contains(&status),
        "已完成 at 60 % is judged as 60 %: {t}"
    );
    let run = run_json(&d.project.out, "2026-12");
    assert!(
        problems(&run, ProblemCode::StatusContradictsProgress)
            .iter()
            .any(|p| p["task"] == d.sixty),
        "the warning is raised"
    );
}

#[test]
fn december_compares_with_the_last_known_figure() {
    let Some(d) = december() else { return };
    let Some((n, before)) = d.regressed else {
        panic!("the demo year has a task skipped in November after an October figure");
    };
    let run = run_json(&d.project.out, "2026-12");
    let regressed = problems(&run, ProblemCode::ProgressRegressed);
    let p = regressed
        .iter()
        .find(|p| p["task"] == n)
        .unwrap_or_else(|| panic!("no 进度倒退 for task {n}: {regressed:?}"));
    let message = p["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("进度倒退") && message.contains("10月"),
        "{message}"
    );
    let record = record(d);
    assert_eq!(task(&record, n)["percent"], before - 10.0);
    // the December form shows October's figure, naming its month in the number format
    let unit = run["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["task"] == n)
        .and_then(|p| p["unit"].as_str())
        .expect("unit")
        .to_string();
    let file = d
        .project
        .out
        .join("2026-12")
        .join("templates")
        .join(duban::render::form_xlsx::form_file_name(&unit, DEC));
    let script = format!(
        "import openpyxl,sys\nws=openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n\
         h=[c.value for c in ws[3]]\nfor r in ws.iter_rows(min_row=4):\n    \
         if r[0].value=={n}:\n        c=r[h.index('上月进度(%)')]\n        print(c.value, c.number_format)"
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .arg(&file)
        .output()
        .expect("python3");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&duban::numbers::cell_number_text(before)) && shown.contains("10月"),
        "{shown}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn december_rows_written_the_ordinary_ways() {
    let Some(d) = december() else { return };
    let run = run_json(&d.project.out, "2026-12");
    let record = record(d);
    // “95%（预计）” is 95, the words kept in a 提示
    assert_eq!(task(&record, d.worded)["percent"], 95.0);
    assert!(
        problems(&run, ProblemCode::PercentWithWords)
            .iter()
            .any(|p| p["task"] == d.worded && p["severity"] == "提示"),
    );
    // a 合计 row under the tasks is skipped with a 提示, never an error
    let of_unit = |p: &&Value| p["unit"] == d.totals_unit.as_str();
    let all: Vec<&Value> = run["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(of_unit)
        .collect();
    assert!(
        all.iter().any(
            |p| p["code"] == ProblemCode::SummaryRowSkipped.as_str() && p["severity"] == "提示"
        ),
        "{all:?}"
    );
    assert!(!all.iter().any(|p| p["severity"] == "错误"), "{all:?}");
    // 填报日期 typed as 20261225 is 2026-12-25: no date warning
    assert!(
        !all.iter().any(|p| [
            ProblemCode::ReportDateFuture,
            ProblemCode::ReportDateMissing,
            ProblemCode::ReportDateOutsideMonth,
            ProblemCode::ReportDateUnreadable,
        ]
        .iter()
        .any(|c| p["code"] == c.as_str())),
        "{all:?}"
    );
    assert_eq!(
        record["receipts"][d.totals_unit.as_str()]["reported_on"],
        "2026-12-25"
    );
    // sub-items 36-1, 36-2 are continuation rows of task 36
    if let Some((n, unit)) = &d.sub_items {
        let errors: Vec<&Value> = run["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .filter(|p| p["unit"] == unit.as_str() && p["severity"] == "错误")
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let text = task(&record, *n)["progress_text"]
            .as_str()
            .unwrap_or_default();
        assert!(text.contains("子项一") && text.contains("子项二"), "{text}");
    }
}

#[test]
fn document_numbers_are_used_once_per_year_of_issue() {
    let Some(d) = december() else { return };
    let out = d.project.duban(&["year"]);
    assert!(out.status.success(), "{}", text(&out));
    let mut seen: BTreeMap<(i64, i64), String> = BTreeMap::new();
    let mut add = |manifest: &Path| {
        let v: Value =
            serde_json::from_slice(&std::fs::read(manifest).expect("manifest")).expect("json");
        let numbers = v["document_numbers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            !numbers.is_empty(),
            "{} records its numbers",
            manifest.display()
        );
        for n in numbers {
            let key = (
                n["year"].as_i64().expect("year"),
                n["number"].as_i64().expect("number"),
            );
            let doc = format!("{}:{}", manifest.display(), n["document"]);
            if let Some(first) = seen.insert(key, doc.clone()) {
                panic!("{key:?} used twice: {first} and {doc}");
            }
        }
    };
    for m in [
        "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
    ] {
        add(&d.project.out.join(m).join("run.json"));
    }
    add(&d.project.out.join("2026年度").join("year.json"));
    // December is issued in January 2027: its numbers start that year at 1, the year report
    // follows them
    assert!(seen.contains_key(&(2027, 1)), "{seen:?}");
    let year_json: Value = serde_json::from_slice(
        &std::fs::read(d.project.out.join("2026年度").join("year.json")).expect("year.json"),
    )
    .expect("json");
    let year_number = &year_json["document_numbers"][0];
    // year.json is one type, written and read back by the same code: it reads back into
    // YearManifest and writes out to the very same bytes
    let year_dir = d.project.out.join("2026年度");
    let manifest = duban::archive::year_manifest::YearManifest::read(&year_dir).expect("reads");
    assert_eq!(manifest.year, 2026);
    assert_eq!(
        String::from_utf8_lossy(&manifest.to_bytes()),
        String::from_utf8_lossy(&std::fs::read(year_dir.join("year.json")).expect("year.json"))
    );
    let december_max = run_json(&d.project.out, "2026-12")["document_numbers"]
        .as_array()
        .expect("numbers")
        .iter()
        .filter_map(|n| n["number"].as_i64())
        .max()
        .expect("max");
    assert_eq!(year_number["number"].as_i64(), Some(december_max + 1));
    // the PDF prints its number
    let printed_text = pdftotext(
        &d.project.out.join("2026年度").join(
            year_json["document_numbers"][0]["document"]
                .as_str()
                .expect("doc"),
        ),
    );
    if let Some(pdf_text) = printed_text {
        let printed = year_number["text"].as_str().expect("text");
        assert!(pdf_text.contains(printed), "{printed} in {pdf_text}");
    }
    // a rebuilt month keeps its own numbers
    let before = run_json(&d.project.out, "2026-11")["document_numbers"].clone();
    let out = d.project.duban(&["run", "--month", "2026-11", "--force"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let after = run_json(&d.project.out, "2026-11")["document_numbers"].clone();
    assert_eq!(before, after);
}

fn pdftotext(pdf: &Path) -> Option<String> {
    match Command::new("pdftotext").arg(pdf).arg("-").output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            checker::missing("pdftotext");
            None
        }
    }
}

#[test]
fn december_problem_types_are_chinese() {
    let Some(d) = december() else { return };
    use calamine::Reader;
    let path = d.project.out.join("2026-12").join("汇总表_2026年12月.xlsx");
    let mut book = calamine::open_workbook_auto(&path).expect("xlsx");
    let range = book.worksheet_range("校验问题").expect("sheet");
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = header
        .iter()
        .position(|h| h == "问题类型")
        .unwrap_or_else(|| panic!("{header:?}"));
    assert!(!header.iter().any(|h| h == "问题代码"));
    for row in range.rows().skip(1) {
        let kind = row[col].to_string();
        assert!(
            !kind.is_empty() && !kind.chars().any(|c| c.is_ascii_alphabetic()),
            "问题类型 {kind:?}"
        );
    }
}

/// Runs the binary with `args` (no config needed for help and argument errors).
fn duban(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(args)
        .output()
        .expect("run duban");
    (text(&out), out.status.code())
}

/// Words of clap's English screens that must not reach the office.
fn english_words(text: &str) -> Vec<&'static str> {
    [
        "Usage",
        "Options",
        "Commands",
        "Arguments",
        "error:",
        "Print help",
        "Print version",
        "[default",
        "[possible",
        "tip:",
        "For more information",
    ]
    .into_iter()
    .filter(|w| text.contains(w))
    .collect()
}

#[test]
fn help_and_argument_errors_are_chinese_for_every_subcommand() {
    let (root, code) = duban(&["--help"]);
    assert_eq!(code, Some(0), "{root}");
    assert!(root.contains("用法：") && root.contains("命令"), "{root}");
    assert!(english_words(&root).is_empty(), "{root}");
    // every subcommand the root help lists, those added later included
    let commands: Vec<String> = root
        .lines()
        .skip_while(|l| !l.starts_with("命令"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    for expected in [
        "run",
        "check",
        "templates",
        "master",
        "send",
        "verify",
        "year",
    ] {
        assert!(
            commands.iter().any(|c| c == expected),
            "{commands:?}\n{root}"
        );
    }
    for sub in &commands {
        let (help, code) = duban(&[sub, "--help"]);
        assert_eq!(code, Some(0), "{sub}: {help}");
        assert!(help.contains("用法：duban "), "{sub}: {help}");
        assert!(english_words(&help).is_empty(), "{sub}: {help}");
        let (error, code) = duban(&[sub, "--no-such-option"]);
        assert_eq!(code, Some(2), "{sub}: {error}");
        assert!(
            error.starts_with("错误：") && error.contains("--no-such-option"),
            "{sub}: {error}"
        );
        assert!(english_words(&error).is_empty(), "{sub}: {error}");
    }
    let (error, code) = duban(&["run", "--month", "2026-13"]);
    assert_eq!(code, Some(2), "{error}");
    assert!(error.contains("不是有效的月份"), "{error}");
    assert!(english_words(&error).is_empty(), "{error}");
    // a value clap's own parsers would describe in English, and a config file that is missing
    let (error, code) = duban(&["year", "--year", "abc"]);
    assert_eq!(code, Some(2), "{error}");
    assert!(
        error.contains("不是有效的年度")
            && english_words(&error).is_empty()
            && !error.contains("invalid"),
        "{error}"
    );
    let (error, code) = duban(&["--config", "/no/such/duban.toml", "check"]);
    assert_eq!(code, Some(2), "{error}");
    assert!(
        error.contains("文件不存在")
            && english_words(&error).is_empty()
            && !error.contains("os error"),
        "{error}"
    );
    // a month outside the plan year (2027-01 typed for 2026-12) builds nothing
    let (error, code) = duban(&["run", "--month", "2027-01"]);
    assert_eq!(code, Some(2), "{error}");
    assert!(error.contains("不在计划年度 2026 年内"), "{error}");
    let (error, code) = duban(&["templats"]);
    assert_eq!(code, Some(2), "{error}");
    assert!(
        error.contains("templates") && english_words(&error).is_empty(),
        "{error}"
    );
}

#[test]
fn december_documents_cut_nothing_and_check_counts_what_it_prints() {
    let Some(d) = december() else { return };
    let dir = d.project.out.join("2026-12").join("督办单");
    let mut pdfs: Vec<PathBuf> = Vec::new();
    for sub in ["领导", "单位"] {
        for e in std::fs::read_dir(dir.join(sub)).expect("folder").flatten() {
            if e.path().extension().is_some_and(|x| x == "pdf") {
                pdfs.push(e.path());
            }
        }
    }
    assert!(pdfs.len() > 40, "{pdfs:?}");
    let mut carried_shown = false;
    for pdf in &pdfs {
        let Some(text) = pdftotext(pdf) else { return };
        assert!(
            !text.contains("……"),
            "{} cuts a text: {text}",
            pdf.display()
        );
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        carried_shown |= flat.contains("月已完成，本月未报送）");
    }
    assert!(
        carried_shown,
        "a notice says a carried task was finished earlier"
    );
    // nor does the 汇总表 shorten a text (月度趋势 once clipped long task texts)
    use calamine::Reader;
    let path = d.project.out.join("2026-12").join("汇总表_2026年12月.xlsx");
    let mut book = calamine::open_workbook_auto(&path).expect("xlsx");
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).expect("sheet");
        for cell in range.used_cells() {
            let text = cell.2.to_string();
            assert!(!text.ends_with('…'), "{sheet} cuts {text:?}");
        }
    }
    // `duban check` counts exactly the problems it prints
    let out = d.project.duban(&["check", "--month", "2026-12"]);
    let console = text(&out);
    for label in ["错误", "警告", "提示"] {
        let printed = console
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("[{label}]")))
            .count();
        assert!(
            console.contains(&format!("{label} {printed} 个")),
            "{label}: {printed} printed\n{console}"
        );
    }
}

#[test]
fn december_forms_name_their_own_month() {
    let Some(d) = december() else { return };
    let file = d
        .project
        .out
        .join("2026-12")
        .join("templates")
        .join(duban::render::form_xlsx::form_file_name(KEJI, DEC));
    let script = "import openpyxl,sys\nwb=openpyxl.load_workbook(sys.argv[1])\n\
                  for dv in wb.worksheets[0].data_validations.dataValidation:\n    \
                  print(dv.prompt or '', dv.error or '')\n\
                  for row in wb.worksheets[1].iter_rows(values_only=True):\n    \
                  print(*[c for c in row if c])";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3");
    let tips = String::from_utf8_lossy(&out.stdout);
    assert!(tips.contains("2026-12-25"), "{tips}");
    assert!(
        !tips.contains("2026-11-"),
        "a December form names November: {tips}"
    );
    assert!(
        !tips.contains("2026-10-"),
        "a December form names October: {tips}"
    );
}

#[test]
fn december_forms_prefill_finished_tasks() {
    let Some(d) = december() else { return };
    let (unit, finished) = &d.silent;
    let file = d
        .project
        .out
        .join("2026-12")
        .join("templates")
        .join(duban::render::form_xlsx::form_file_name(unit, DEC));
    let script = "import openpyxl,sys\nws=openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n\
                  h=[c.value for c in ws[3]]\n\
                  for r in ws.iter_rows(min_row=4, values_only=True):\n    \
                  if isinstance(r[0], int):\n        \
                  d=r[h.index('完成日期')]\n        \
                  print(r[0], r[h.index('完成进度(%)')], r[h.index('状态')], d.date() if d else None)";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3");
    let rows = String::from_utf8_lossy(&out.stdout);
    let form_rows: BTreeMap<u32, String> = rows
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.split_once(' ')?;
            Some((n.parse().ok()?, rest.to_string()))
        })
        .collect();
    // December's own record (the November archive may be being rebuilt by another test)
    let december = record(d);
    for n in finished {
        let date = task(&december, *n)["completed_on"]
            .as_str()
            .expect("completion date on record")
            .to_string();
        assert_eq!(
            form_rows.get(n).map(String::as_str),
            Some(format!("100 已完成 {date}").as_str()),
            "task {n}: {rows}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
