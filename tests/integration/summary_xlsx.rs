//! The 汇总表 written for a realistic in-memory month, read back with calamine (and openpyxl when
//! Python has it), and read back as next month's history.

use crate::checker;
use duban::model::ProblemCode;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use duban::archive::summary_file_name;
use duban::classify::classify;
use duban::config::Config;
use duban::history::{load, summary_path};
use duban::model::MonthRecord;
use duban::model::{
    Category, Deadline, Leader, Light, Master, Merged, Month, MonthReport, PreviousTask, Problem,
    ProgressRow, Receipt, Reconciliation, ReportedStatus, RowSource, Status, Task, Unit, UnitKind,
    UnitReport,
};
use duban::render::xlsx::summary_workbook;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const FORMULA_TEXT: &str = "=SUM(A1:A3) 已完成年度目标的80%";

const LEADERS: [(&str, &str); 3] = [("刘继英", "副市长"), ("焦鸿", "副市长"), ("王昆", "副市长")];
const UNITS: [(&str, usize); 8] = [
    ("市发改委", 0),
    ("市财政局", 0),
    ("市科技局", 1),
    ("市教育局", 1),
    ("市商务局", 2),
    ("市文旅局", 2),
    ("土左旗", 0),
    ("托县政府", 0),
];
const TEXTS: [&str; 6] = [
    "深入实施创新驱动发展战略，加快建设国家级创新平台，推动规模以上工业企业研发机构全覆盖",
    "全力扩大有效投资，全年实施重点项目500个以上，完成投资1500亿元",
    "持续优化营商环境，推进“高效办成一件事”改革，政务服务事项网上可办率达到98%",
    "加快发展现代物流，建设国家物流枢纽，社会物流总费用与GDP比率下降0.5个百分点",
    "推动文旅深度融合，打造精品旅游线路10条，接待游客人次增长10%",
    "实施教育强市行动，新建改扩建中小学、幼儿园20所，新增学位1.5万个",
];
const DEADLINES: [(&str, Option<(u32, u32)>); 6] = [
    ("6月底", Some((6, 30))),
    ("9月底", Some((9, 30))),
    ("11月底", Some((11, 30))),
    ("12月底", Some((12, 31))),
    ("12月底", Some((12, 31))),
    ("按自治区安排统筹推进", None),
];

fn master() -> Master {
    let leaders: Vec<Leader> = LEADERS
        .iter()
        .map(|(n, t)| Leader {
            name: n.to_string(),
            title: t.to_string(),
            declared_count: None,
            declared_main_targets: None,
        })
        .collect();
    let units: Vec<Unit> = UNITS
        .iter()
        .map(|(n, _)| Unit {
            name: n.to_string(),
            aliases: vec![],
            kind: UnitKind::CityDepartment,
            contact: Some("张三".into()),
            phone: Some("0471-1234567".into()),
            email: None,
            reply_from: Vec::new(),
        })
        .collect();
    let mut tasks = Vec::new();
    for i in 0..30u32 {
        let number = i + 1;
        let (deadline_raw, date) = DEADLINES[(i as usize + i as usize / 6) % DEADLINES.len()];
        // Units 0..5 take turns; task 7 is led jointly by 土左旗 and 托县政府.
        let unit_names: Vec<String> = if number == 7 {
            vec!["土左旗".into(), "托县政府".into()]
        } else {
            vec![UNITS[i as usize % 6].0.to_string()]
        };
        let leader = LEADERS[UNITS[i as usize % 6].1].0.to_string();
        tasks.push(Task {
            number,
            text: format!("{}（第{}项）", TEXTS[i as usize % TEXTS.len()], number),
            category: if number <= 3 {
                Category::MainTarget
            } else {
                Category::Other
            },
            leaders: vec![leader],
            unit_raw: unit_names.join("、"),
            units: unit_names,
            deadline: Deadline {
                raw: deadline_raw.into(),
                date: date.map(|(m, day)| d(2026, m, day)),
            },
            source_row: number + 4,
        });
    }
    Master {
        title: "2026年政府工作报告重点工作任务分解方案".into(),
        mayor: Leader {
            name: "贺海东".into(),
            title: "市长".into(),
            declared_count: None,
            declared_main_targets: None,
        },
        leaders,
        tasks,
        units,
        index: Default::default(),
    }
}

fn row(
    task: u32,
    unit: &str,
    percent: Option<f64>,
    status: Option<ReportedStatus>,
    text: &str,
) -> UnitReport {
    UnitReport {
        unit: unit.into(),
        row: ProgressRow {
            task,
            task_text: None,
            progress_text: text.into(),
            percent,
            status,
            completed_on: if status == Some(ReportedStatus::Done) {
                Some(d(2026, 6, 15))
            } else {
                None
            },
            issues: if percent.is_some_and(|p| p < 60.0) {
                "项目用地审批进度慢，资金到位不足".into()
            } else {
                String::new()
            },
            next_steps: "加快推进，确保按期完成".into(),
            remark: String::new(),
            source: RowSource {
                file: format!("{unit}-11月进展.xlsx"),
                sheet: "Sheet1".into(),
                row: task + 5,
                hidden: false,
            },
        },
        reported_on: Some(d(2026, 11, 26)),
    }
}

/// A month with every kind of task: done, overdue, lagging, 临期, unreported, two units, “=” text.
fn month_report(previous: &BTreeMap<u32, PreviousTask>) -> MonthReport {
    let master = master();
    let mut reports: BTreeMap<u32, Vec<UnitReport>> = BTreeMap::new();
    for task in &master.tasks {
        let n = task.number;
        let unit = task.units[0].clone();
        if unit == "市文旅局" {
            continue; // this unit sent nothing this month
        }
        let percent = [100.0, 50.0, 80.0, 95.0, 70.0, 30.0, 100.0][(n as usize * 3) % 7];
        let status = if percent == 100.0 {
            Some(ReportedStatus::Done)
        } else {
            None
        };
        let text = if n == 4 {
            FORMULA_TEXT.to_string()
        } else {
            format!(
                "已完成年度任务的{percent}%，{}。",
                "各项工作有序推进，召开专题推进会3次，协调解决问题5个".repeat(1 + n as usize % 3)
            )
        };
        let mut list = vec![row(n, &unit, Some(percent), status, &text)];
        if n == 7 {
            list.push(row(
                n,
                "托县政府",
                Some(40.0),
                Some(ReportedStatus::Lagging),
                "托县部分项目尚未开工",
            ));
        }
        reports.insert(n, list);
    }
    let receipts = master
        .units
        .iter()
        .map(|u| {
            let received = u.name != "市文旅局";
            Receipt {
                unit: u.name.clone(),
                received,
                invalid: None,
                files: if received {
                    vec![format!("{}-11月进展.xlsx", u.name)]
                } else {
                    vec![]
                },
                reported_on: received.then(|| d(2026, 11, 26)),
                rows_read: if received { 5 } else { 0 },
                rows_merged: if received { 5 } else { 0 },
                errors: 0,
                warnings: u32::from(u.name == "市科技局"),
            }
        })
        .collect();
    let problems = vec![
        Problem::error(
            ProblemCode::ProgressOutOfRange,
            "完成进度应在0–100之间，请改正",
        )
        .unit("市科技局")
        .file("市科技局-11月进展.xlsx")
        .sheet("Sheet1")
        .cell("F9")
        .raw("=1+1")
        .task(3),
        Problem::warning(
            ProblemCode::ProgressCopied,
            "本月工作进展与上月完全相同，请填写本月新进展",
        )
        .unit("市发改委")
        .file("市发改委-11月进展.xlsx")
        .sheet("Sheet1")
        .cell("D7")
        .raw("各项工作有序推进")
        .task(1),
    ];
    let merged = Merged {
        reports,
        receipts,
        reconciliation: Reconciliation {
            rows_read: 36,
            merged: 35,
            rejected: 1,
            superseded: 0,
            not_reporting: 0,
        },
        problems: problems.clone(),
    };
    let as_of = d(2026, 11, 30);
    let cfg = Config::default();
    let classification = classify(&master, &merged, previous, as_of, &cfg);
    let nov = Month {
        year: 2026,
        month: 11,
    };
    let october = MonthRecord {
        month: Month {
            year: 2026,
            month: 10,
        },
        file: std::path::PathBuf::new(),
        tasks: previous.clone(),
        receipts: BTreeMap::new(),
    };
    let current = duban::trend::current_record(nov, &classification, &merged);
    let earlier = if previous.is_empty() {
        vec![]
    } else {
        vec![&october]
    };
    let trend = duban::trend::Trend::of_records(earlier.into_iter().chain([&current]));
    MonthReport {
        month: Month {
            year: 2026,
            month: 11,
        },
        as_of,
        issued_on: d(2026, 12, 2),
        feedback_due: d(2026, 12, 10),
        master,
        merged,
        classification,
        previous_available: !previous.is_empty(),
        trend,
        problems,
        numbering: Default::default(),
        document_numbers: Vec::new(),
    }
}

fn previous_month() -> BTreeMap<u32, PreviousTask> {
    let mut prev = BTreeMap::new();
    for n in 1..=30u32 {
        prev.insert(
            n,
            PreviousTask {
                percent: Some(40.0),
                light: Some(if n % 5 == 0 {
                    Light::Yellow
                } else {
                    Light::Green
                }),
                status: Some(Status::OnTrack),
                progress_text: "上月进展".into(),
                months_not_reported: u32::from(n == 6),
                ..PreviousTask::default()
            },
        );
    }
    prev
}

const SHEETS: [&str; 8] = [
    "总览",
    "任务总表",
    "月度趋势",
    "分管领导",
    "牵头单位",
    "重点督办清单",
    "报送情况",
    "校验问题",
];
const TASK_HEADERS: [&str; 14] = [
    "序号",
    "任务目标",
    "类别",
    "分管市领导",
    "牵头单位",
    "完成时限",
    "本月工作进展",
    "完成进度(%)",
    "上月进度(%)",
    "状态",
    "亮灯",
    "存在问题",
    "下步计划",
    "来源文件",
];

fn written() -> (MonthReport, Vec<u8>) {
    let report = month_report(&previous_month());
    let bytes = summary_workbook(&report, &Config::default()).unwrap();
    (report, bytes)
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn reads_back_every_sheet_header_and_task() {
    let (report, bytes) = written();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), SHEETS);
    let range = wb.worksheet_range("任务总表").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(&header[..14], TASK_HEADERS);
    assert!(header.contains(&"连续未报送月数".to_string()));
    let numbers: Vec<String> = rows[1..].iter().map(|r| text(&r[0])).collect();
    let expected: Vec<String> = (1..=30).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected, "every task in master order");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (r, task) in rows[1..].iter().zip(&report.master.tasks) {
        let o = report.classification.outcome(task.number).unwrap();
        assert_eq!(text(&r[col("任务目标")]), task.text);
        assert_eq!(text(&r[col("状态")]), o.status.label());
        assert_eq!(text(&r[col("亮灯")]), o.light.label());
    }
    // The two-unit task keeps both texts with unit labels.
    let t7 = text(&rows[7][col("本月工作进展")]);
    assert!(
        t7.contains("【土左旗】") && t7.contains("【托县政府】托县部分项目尚未开工"),
        "{t7}"
    );
    // Not reported: blank progress, last month's value in 上月进度.
    let t6 = rows[6];
    assert_eq!(text(&t6[col("状态")]), "未报送");
    assert_eq!(text(&t6[col("亮灯")]), "红");
    assert_eq!(t6[col("完成进度(%)")], Data::Empty);
    assert_eq!(t6[col("上月进度(%)")], Data::Float(40.0));
    // Every other sheet has its header.
    for (sheet, first) in [
        ("分管领导", "分管市领导"),
        ("牵头单位", "牵头单位"),
        ("重点督办清单", "亮灯"),
        ("报送情况", "牵头单位"),
        ("校验问题", "序号"),
    ] {
        let r = wb.worksheet_range(sheet).unwrap();
        assert_eq!(
            r.get_value((0, 0)).map(text).as_deref(),
            Some(first),
            "{sheet}"
        );
    }
    let receipts = wb.worksheet_range("报送情况").unwrap();
    let units: Vec<String> = receipts.rows().skip(1).map(|r| text(&r[0])).collect();
    assert_eq!(units.len(), 8, "every unit, received or not: {units:?}");
    let wenlv = receipts.rows().find(|r| text(&r[0]) == "市文旅局").unwrap();
    assert_eq!(text(&wenlv[1]), "未报送");
    let problems = wb.worksheet_range("校验问题").unwrap();
    let p1: Vec<String> = problems.rows().nth(1).unwrap().iter().map(text).collect();
    assert!(
        p1.contains(&"F9".to_string()) && p1.contains(&"=1+1".to_string()),
        "{p1:?}"
    );
}

#[test]
fn attention_list_is_red_then_yellow_then_blue() {
    let (_, bytes) = written();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let r = wb.worksheet_range("重点督办清单").unwrap();
    let lights: Vec<String> = r.rows().skip(1).map(|row| text(&row[0])).collect();
    assert!(
        lights.iter().any(|l| l == "红") && lights.iter().any(|l| l == "蓝"),
        "{lights:?}"
    );
    let rank = |l: &str| ["红", "黄", "蓝"].iter().position(|x| *x == l).unwrap();
    let ranks: Vec<usize> = lights.iter().map(|l| rank(l)).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{lights:?}");
}

#[test]
fn same_report_gives_identical_bytes() {
    let (report, first) = written();
    let second = summary_workbook(&report, &Config::default()).unwrap();
    assert!(
        first == second,
        "the 汇总表 must be byte-identical on a rerun"
    );
    // The creation date is the as-of date, not the clock.
    let core = zip_entry(&first, "docProps/core.xml");
    assert!(core.contains("2026-11-30T00:00:00Z"), "{core}");
    assert!(core.contains("呼和浩特市人民政府督查室"), "{core}");
}

#[test]
fn submitted_text_is_never_a_formula() {
    let (_, bytes) = written();
    for n in 1..=8 {
        let xml = zip_entry(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            !xml.contains("<f>") && !xml.contains("<f "),
            "sheet{n} has a formula"
        );
    }
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let r = wb.worksheet_range("任务总表").unwrap();
    let cell = r.get_value((4, 6)).unwrap();
    assert_eq!(cell, &Data::String(FORMULA_TEXT.to_string()));
}

/// Writes `bytes` as the 汇总表 of `month` under `dir` with a run.json that records it.
fn archive(dir: &std::path::Path, month: Month, bytes: &[u8]) {
    let path = summary_path(dir, month);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let run_json = serde_json::json!({
        "outputs": [{
            "path": summary_file_name(month),
            "bytes": bytes.len(),
            "sha256": duban::archive::sha256_hex(bytes),
        }]
    });
    std::fs::write(
        path.parent().unwrap().join("run.json"),
        serde_json::to_vec(&run_json).unwrap(),
    )
    .unwrap();
}

#[test]
fn next_month_reads_this_month_back() {
    let (report, bytes) = written();
    let dir = tmp_dir("history");
    archive(&dir, report.month, &bytes);
    let h = load(&dir, report.month.next(), 2026);
    assert!(h.found(), "{:?}", h.problems);
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    assert_eq!(h.tasks().len(), 30);
    assert_eq!(h.months.len(), 1);
    for o in &report.classification.outcomes {
        let p = &h.tasks()[&o.task];
        assert_eq!(p.percent, o.percent, "task {}", o.task);
        assert_eq!(p.light, Some(o.light), "task {}", o.task);
        assert_eq!(p.status, Some(o.status), "task {}", o.task);
        assert_eq!(
            p.months_not_reported, o.months_not_reported,
            "task {}",
            o.task
        );
    }
    // 市文旅局's task 6 was unreported last month too: two months running (October is not on
    // record, so November's archived count carries it).
    assert_eq!(h.tasks()[&6].months_not_reported, 2);
    assert_eq!(h.tasks()[&12].months_not_reported, 1);
    assert_eq!(h.past()[&4].progress_text, FORMULA_TEXT);
}

#[test]
fn a_changed_archive_is_a_warning_and_its_month_counts_as_missing() {
    let (report, bytes) = written();
    let dir = tmp_dir("changed");
    archive(&dir, report.month, &bytes);
    // someone edits the archived workbook afterwards
    let mut edited = bytes.clone();
    let last = edited.len() - 30;
    edited[last] ^= 0x20;
    std::fs::write(summary_path(&dir, report.month), &edited).unwrap();
    let h = load(&dir, report.month.next(), 2026);
    assert!(!h.found() && h.months.is_empty() && h.tasks().is_empty());
    assert_eq!(h.rejected, vec![report.month]);
    assert_eq!(h.problems.len(), 1, "{:?}", h.problems);
    let p = &h.problems[0];
    assert_eq!(p.code, ProblemCode::HistoryChanged);
    assert_eq!(
        p.file.as_deref(),
        Some(summary_file_name(report.month).as_str())
    );
    assert!(
        p.message.contains("2026年11月") && p.message.contains("duban verify --month 2026-11"),
        "{}",
        p.message
    );
    // without its run.json the archive cannot be checked either
    std::fs::write(summary_path(&dir, report.month), &bytes).unwrap();
    std::fs::remove_file(dir.join("2026-11/run.json")).unwrap();
    let h = load(&dir, report.month.next(), 2026);
    assert!(!h.found());
    assert!(
        h.problems[0].message.contains("run.json"),
        "{}",
        h.problems[0].message
    );
}

#[test]
fn unreadable_previous_archive_is_a_warning_naming_the_file() {
    let dir = tmp_dir("broken");
    let oct = Month {
        year: 2026,
        month: 10,
    };
    archive(&dir, oct, b"not a workbook");
    let h = load(
        &dir,
        Month {
            year: 2026,
            month: 11,
        },
        2026,
    );
    assert!(!h.found());
    assert!(h.tasks().is_empty());
    assert_eq!(h.problems.len(), 1);
    let p = &h.problems[0];
    assert_eq!(p.file.as_deref(), Some(summary_file_name(oct).as_str()));
    assert!(
        p.message.contains("无法读取2026年10月的汇总表"),
        "{}",
        p.message
    );
}

/// Independent reader: openpyxl, when Python has it (optional where Python is absent).
#[test]
fn openpyxl_reads_the_workbook_when_available() {
    let (_, bytes) = written();
    let path = tmp_dir("openpyxl").join(summary_file_name(Month {
        year: 2026,
        month: 11,
    }));
    std::fs::write(&path, &bytes).unwrap();
    let script = r#"
import sys
try:
    import openpyxl
except ImportError:
    print("SKIP"); sys.exit(0)
wb = openpyxl.load_workbook(sys.argv[1])
print("|".join(wb.sheetnames))
ws = wb["任务总表"]
print(ws.max_row - 1, ws.freeze_panes, ws.auto_filter.ref, ws.print_title_rows, ws.page_setup.orientation)
print(ws.cell(row=5, column=7).data_type, wb.properties.creator)
"#;
    let Ok(out) = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
    else {
        checker::missing("python3");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if stdout.trim() == "SKIP" {
        checker::missing("openpyxl (Python)");
        return;
    }
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], SHEETS.join("|"));
    assert_eq!(lines[1], "30 C2 A1:R31 $1:$1 landscape", "{stdout}");
    assert_eq!(lines[2], "s 呼和浩特市人民政府督查室", "{stdout}");
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("summary_xlsx")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
