//! The per-unit progress forms (`duban templates`) and the demo submissions.
//!
//! The xlsx parts are checked directly (unzipped with the `zip` crate): protection, the 状态
//! dropdown, the 0–100 rule and unlocked input styles; calamine reads the workbooks back.

use calamine::{Data, DataType, Reader, Xlsx};
use duban::config::Config;
use duban::model::{Master, Month};
use duban::names::safe_file_stem;
use duban::render::form_xlsx::{
    FIRST_TASK_ROW, HEADER_ROW, INSTRUCTIONS_SHEET, SHEET_NAME, form_file_name, unit_form,
};
use duban_devdata::demo::{DEMO_MONTHS, demo_submissions, missing_units};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load() -> (Master, Config) {
    let cfg = Config::load(&root().join("duban.toml")).expect("duban.toml loads");
    let (master, _) = duban::load_master(&cfg).expect("master loads");
    (master, cfg)
}

const NOV: Month = Month {
    year: 2026,
    month: 11,
};
const OCT: Month = Month {
    year: 2026,
    month: 10,
};

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx is a zip");
    let mut file = zip.by_name(name).expect("part exists");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("utf-8 part");
    text
}

/// Indices of the cell formats (`cellXfs`) whose protection says `locked="0"`.
fn unlocked_styles(styles_xml: &str) -> BTreeSet<usize> {
    let start = styles_xml.find("<cellXfs").expect("cellXfs present");
    let end = styles_xml[start..]
        .find("</cellXfs>")
        .expect("cellXfs closed")
        + start;
    styles_xml[start..end]
        .split("<xf ")
        .skip(1)
        .enumerate()
        .filter(|(_, xf)| xf.contains("locked=\"0\""))
        .map(|(i, _)| i)
        .collect()
}

/// The style index of cell `r` (“D4”) in a worksheet part (0 when the cell has no style).
fn cell_style(sheet_xml: &str, r: &str) -> usize {
    let needle = format!("<c r=\"{r}\"");
    let start = sheet_xml
        .find(&needle)
        .unwrap_or_else(|| panic!("cell {r} written"));
    let tag_end = sheet_xml[start..]
        .find('>')
        .map_or(sheet_xml.len(), |e| start + e);
    let tag = &sheet_xml[start..tag_end];
    tag.split(" s=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map_or(0, |s| s.parse().expect("numeric style"))
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    range
        .get_value((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// The calendar date of a date cell (Excel serial, 1900 system).
fn date_of(d: &Data) -> Option<chrono::NaiveDate> {
    match d {
        Data::DateTime(dt) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .map(|base| base + chrono::Duration::days(dt.as_f64().floor() as i64)),
        _ => None,
    }
}

#[test]
fn form_is_protected_with_dropdown_rule_and_unlocked_inputs() {
    let (master, cfg) = load();
    let unit = master.unit("市科技局").expect("unit");
    let bytes = unit_form(&master, unit, NOV, &cfg, None).expect("form");
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "sheet is protected");
    assert!(
        !sheet.contains("password="),
        "no password, so staff can lift the protection"
    );
    assert!(sheet.contains("<dataValidation type=\"list\""));
    // 18 tasks in rows 4–21: the dropdown covers 状态 (F), the 0–100 rule 完成进度 (E).
    assert!(
        sheet.contains("sqref=\"F4:F21\"><formula1>\"已完成,序时推进,滞后,未启动\"</formula1>"),
        "status dropdown on F4:F21"
    );
    assert!(sheet.contains("sqref=\"E4:E21\"><formula1>0</formula1><formula2>100</formula2>"));
    assert!(sheet.contains("<dataValidation type=\"decimal\""));
    assert!(sheet.contains("<formula1>0</formula1><formula2>100</formula2>"));
    assert!(
        sheet.contains("完成进度须为 0 到 100 之间的数字"),
        "Chinese error message"
    );
    assert!(sheet.contains("<dataValidation type=\"date\""));

    let unlocked = unlocked_styles(&part(&bytes, "xl/styles.xml"));
    let first = FIRST_TASK_ROW + 1;
    // A 序号, B 任务目标, C 完成时限 locked; D 本月工作进展 … K 备注 unlocked.
    for col in ["A", "B", "C"] {
        let s = cell_style(&sheet, &format!("{col}{first}"));
        assert!(!unlocked.contains(&s), "{col}{first} must be locked");
    }
    for col in ["D", "E", "F", "G", "H", "I", "J"] {
        let s = cell_style(&sheet, &format!("{col}{first}"));
        assert!(unlocked.contains(&s), "{col}{first} must be unlocked");
    }
    // Header block: 填报人 value (D2) and 填报日期 value (J2) unlocked, 填报单位 locked.
    assert!(unlocked.contains(&cell_style(&sheet, "D2")));
    assert!(unlocked.contains(&cell_style(&sheet, "J2")));
    assert!(!unlocked.contains(&cell_style(&sheet, "A2")));
    // Print setup: A4 landscape, fit to one page wide, header row repeated.
    assert!(sheet.contains("paperSize=\"9\"") && sheet.contains("orientation=\"landscape\""));
    assert!(sheet.contains("fitToHeight=\"0\""));
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "header row repeats on every page"
    );
}

#[test]
fn form_reads_back_with_the_units_tasks() {
    let (master, cfg) = load();
    let unit = master.unit("市科技局").expect("unit");
    let bytes = unit_form(&master, unit, NOV, &cfg, None).expect("form");
    let mut wb = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
    assert_eq!(
        wb.sheet_names(),
        vec![SHEET_NAME.to_string(), INSTRUCTIONS_SHEET.to_string()]
    );
    let range = wb.worksheet_range(SHEET_NAME).expect("data sheet");
    assert!(
        text(&range, 0, 0).contains("2026年11月"),
        "title names the month"
    );
    assert_eq!(text(&range, 1, 0), "填报单位：市科技局");
    let headers: Vec<String> = (0..10).map(|c| text(&range, HEADER_ROW, c)).collect();
    assert_eq!(
        headers,
        [
            "序号",
            "任务目标",
            "完成时限",
            "本月工作进展",
            "完成进度(%)",
            "状态",
            "完成日期",
            "存在问题",
            "下步计划",
            "备注"
        ]
    );
    let tasks: Vec<_> = master.tasks_of_unit("市科技局").collect();
    assert_eq!(tasks.len(), 18);
    for (i, task) in tasks.iter().enumerate() {
        let row = FIRST_TASK_ROW + i as u32;
        assert_eq!(
            range.get_value((row, 0)),
            Some(&Data::Float(f64::from(task.number)))
        );
        assert_eq!(text(&range, row, 1), task.text);
        assert_eq!(text(&range, row, 2), task.deadline.raw);
        assert_eq!(text(&range, row, 3), "", "progress left blank");
    }
    let notes = wb
        .worksheet_range(INSTRUCTIONS_SHEET)
        .expect("instructions");
    let all: String = notes.rows().flatten().map(|d| d.to_string()).collect();
    for needle in [
        "0 到 100",
        "已完成 / 序时推进 / 滞后 / 未启动",
        "完成日期",
        "请勿修改",
        "2026年11月30日前",
    ] {
        assert!(all.contains(needle), "填表说明 mentions {needle}");
    }
}

#[test]
fn previous_month_column_is_read_only() {
    let (master, cfg) = load();
    let unit = master.unit("市水务局").expect("unit");
    let previous: BTreeMap<u32, f64> = [(167, 60.0), (168, 75.0)].into();
    let bytes = unit_form(&master, unit, NOV, &cfg, Some(&previous)).expect("form");
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    let unlocked = unlocked_styles(&part(&bytes, "xl/styles.xml"));
    assert!(
        !unlocked.contains(&cell_style(&sheet, "D4")),
        "上月进度 is locked"
    );
    assert!(
        unlocked.contains(&cell_style(&sheet, "E4")),
        "本月工作进展 moves right, unlocked"
    );
    let mut wb = Xlsx::new(Cursor::new(bytes)).expect("opens");
    let range = wb.worksheet_range(SHEET_NAME).expect("sheet");
    assert_eq!(text(&range, HEADER_ROW, 3), "上月进度(%)");
    assert_eq!(text(&range, HEADER_ROW, 4), "本月工作进展");
    assert_eq!(
        range.get_value((FIRST_TASK_ROW, 3)),
        Some(&Data::Float(60.0))
    );
    assert_eq!(
        range.get_value((FIRST_TASK_ROW + 1, 3)),
        Some(&Data::Float(75.0))
    );
}

#[test]
fn form_bytes_are_deterministic() {
    let (master, cfg) = load();
    let unit = master.unit("市发改委").expect("unit");
    let a = unit_form(&master, unit, NOV, &cfg, None).expect("a");
    let b = unit_form(&master, unit, NOV, &cfg, None).expect("b");
    assert_eq!(a, b);
    let core = part(&a, "docProps/core.xml");
    assert!(
        core.contains("2026-11-01T00:00:00Z"),
        "creation time from the month: {core}"
    );
}

#[test]
fn all_units_get_unique_safe_file_names() {
    let (master, cfg) = load();
    assert_eq!(master.units.len(), 45);
    let names: BTreeSet<String> = master
        .units
        .iter()
        .map(|u| form_file_name(&u.name, NOV))
        .collect();
    assert_eq!(names.len(), 45);
    for n in &names {
        assert!(n.ends_with("_2026年11月重点任务进展表.xlsx"), "{n}");
        assert!(
            !n.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
            "{n}"
        );
    }
    let dir = std::env::temp_dir().join(format!("duban-forms-test-{}", std::process::id()));
    let mut cfg = cfg;
    cfg.paths.output = dir.clone();
    let written = duban::pipeline::write_forms(&cfg, &master, NOV, None).expect("written");
    assert_eq!(written.workbooks.len(), 45);
    assert_eq!(written.emails, 45, "every demo unit has an address");
    assert_eq!(
        written
            .workbooks
            .first()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().to_string()),
        Some(form_file_name(&master.units[0].name, NOV))
    );
    assert!(written.workbooks.iter().all(|p| p.is_file()));
    // Each workbook has its message beside it, carrying exactly that workbook.
    let first = &written.workbooks[0];
    let eml = first.with_extension("eml");
    let script = r#"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
att = list(m.iter_attachments())
assert len(att) == 1, len(att)
assert att[0].get_filename() == sys.argv[3], att[0].get_filename()
assert att[0].get_content_type().endswith('spreadsheetml.sheet'), att[0].get_content_type()
assert att[0].get_payload(decode=True) == open(sys.argv[2], 'rb').read()
assert m['X-Unsent'] == '1'
print(m['To'].addresses[0].addr_spec)
print(m['Subject'])
print(m.get_body(('plain',)).get_content())
"#;
    match std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&eml)
        .arg(first)
        .arg(form_file_name(&master.units[0].name, NOV))
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(text.starts_with("fgw@hhht.example.org\n"), "{text}");
            assert!(text.contains("【进展表报送】市发改委2026年11月"), "{text}");
            assert!(text.contains("2026年11月30日前"), "{text}");
        }
        Err(_) => crate::checker::missing("python3"),
    }
    let manifest = std::fs::read_to_string(written.dir.join("清单.csv")).expect("清单.csv");
    assert!(manifest.starts_with("\u{FEFF}单位,邮箱,主题,附件,状态,邮件文件\r\n"));
    assert_eq!(manifest.lines().count(), 46);
    // An archived month takes no more forms.
    std::fs::write(dir.join("2026-11").join("run.json"), "{}").expect("mark archived");
    let refused = duban::pipeline::write_forms(&cfg, &master, NOV, None)
        .expect_err("archived month refused")
        .to_string();
    assert!(refused.contains("已归档"), "{refused}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn file_stems_are_sanitised() {
    assert_eq!(
        safe_file_stem("市发改委/财政局:合并*"),
        "市发改委_财政局_合并_"
    );
    assert_eq!(safe_file_stem("a\u{7}b\nc"), "a_b_c");
    assert_eq!(safe_file_stem("..隐藏"), "隐藏");
    assert_eq!(safe_file_stem("名称. "), "名称");
    assert_eq!(safe_file_stem("CON"), "CON_");
    assert_eq!(safe_file_stem("lpt1.txt"), "lpt1_.txt");
    assert_eq!(safe_file_stem("COM10"), "COM10");
    assert_eq!(safe_file_stem(""), "未命名");
    assert_eq!(safe_file_stem("..."), "未命名");
    assert!(safe_file_stem(&"长".repeat(200)).chars().count() <= 80);
    assert_eq!(
        form_file_name("<无效>", NOV),
        "_无效__2026年11月重点任务进展表.xlsx"
    );
}

#[test]
fn demo_is_deterministic_and_matches_the_committed_files() {
    let (master, cfg) = load();
    for month in DEMO_MONTHS {
        let a = demo_submissions(&master, month, &cfg);
        let b = demo_submissions(&master, month, &cfg);
        assert!(a == b, "{month}: two runs differ");
        let dir = root().join("input/submissions").join(month.to_string());
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("committed demo folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        on_disk.sort();
        let generated: Vec<String> = a.iter().map(|(n, _)| n.clone()).collect();
        assert_eq!(
            on_disk, generated,
            "{month}: rerun `cargo run -p duban-devdata --example gen_demo`"
        );
        for (name, bytes) in &a {
            let committed = std::fs::read(dir.join(name)).expect("readable");
            assert!(
                &committed == bytes,
                "{month}/{name} is stale; rerun gen_demo"
            );
        }
    }
}

#[test]
fn demo_months_tell_the_intended_story() {
    let (master, cfg) = load();
    let oct = demo_submissions(&master, OCT, &cfg);
    let nov = demo_submissions(&master, NOV, &cfg);
    assert_eq!(missing_units(&master, OCT).len(), 3);
    assert_eq!(missing_units(&master, NOV).len(), 4);
    let both: Vec<String> = missing_units(&master, OCT)
        .into_iter()
        .filter(|u| missing_units(&master, NOV).contains(u))
        .collect();
    assert_eq!(both, ["市外事办"], "one unit silent two months running");
    // five consecutive months; 市外事办 never reports, the other units skip a month at most
    assert_eq!(DEMO_MONTHS.len(), 5);
    assert!(DEMO_MONTHS.windows(2).all(|w| w[0].next() == w[1]));
    let mut skipped: BTreeMap<String, u32> = BTreeMap::new();
    for month in DEMO_MONTHS {
        for unit in missing_units(&master, month) {
            *skipped.entry(unit).or_default() += 1;
        }
    }
    assert_eq!(skipped.remove("市外事办"), Some(5));
    assert!(skipped.values().all(|n| *n <= 2), "{skipped:?}");
    assert_eq!(oct.len(), 42);
    assert_eq!(nov.len(), 42, "41 units, one of them with a correction");
    let names: Vec<&str> = nov.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"附件2-呼和浩特市科学技术局-重点任务进展（11月）.xlsx"));
    assert!(names.iter().any(|n| n.contains("（更正）")));
    assert!(!names.iter().any(|n| n.starts_with("市外事办")));
    // October files are the real form: every one has the protected form sheet.
    for (name, bytes) in &oct {
        let sheet = part(bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<sheetProtection"), "{name}");
    }
    // November: a deliberate #DIV/0! formula error value.
    let health = nov
        .iter()
        .find(|(n, _)| n.starts_with("市卫健委"))
        .expect("市卫健委 file");
    assert!(part(&health.1, "xl/worksheets/sheet1.xml").contains("t=\"e\""));
}

#[test]
fn demo_percent_and_dates_are_plausible() {
    let (master, cfg) = load();
    for (month, files) in [(OCT, demo_submissions(&master, OCT, &cfg))] {
        let mut statuses = BTreeMap::new();
        for (name, bytes) in &files {
            let mut wb = Xlsx::new(Cursor::new(bytes.clone())).expect("opens");
            let range = wb.worksheet_range(SHEET_NAME).expect("sheet");
            // 填报日期 within the month.
            let reported = range.get_value((1, 9)).and_then(date_of).expect("date");
            assert_eq!(Month::of(reported), month, "{name}");
            for row in FIRST_TASK_ROW..range.height() as u32 {
                let p = range
                    .get_value((row, 4))
                    .and_then(|d| d.as_f64())
                    .expect("percent");
                assert!((0.0..=100.0).contains(&p), "{name} row {row}: {p}");
                let status = text(&range, row, 5);
                let done = range.get_value((row, 6)).and_then(date_of);
                assert_eq!(status == "已完成", done.is_some(), "{name} row {row}");
                assert_eq!(status == "已完成", p == 100.0, "{name} row {row}");
                assert!(!text(&range, row, 3).is_empty(), "{name} row {row}: text");
                *statuses.entry(status).or_insert(0u32) += 1;
            }
        }
        let total: u32 = statuses.values().sum();
        let lagging = statuses.get("滞后").copied().unwrap_or(0);
        assert!(
            lagging * 3 < total,
            "most tasks are not lagging: {statuses:?}"
        );
        assert!(
            statuses.get("已完成").copied().unwrap_or(0) > 30,
            "{statuses:?}"
        );
    }
}

#[test]
fn units_whose_names_clean_alike_get_distinct_form_files() {
    let (mut master, mut cfg) = load();
    master.units[0].name = "甲/乙".into();
    master.units[1].name = "甲:乙".into();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("forms-unique-names");
    let _ = std::fs::remove_dir_all(&dir);
    cfg.paths.output = dir.clone();
    let written = duban::pipeline::write_forms(&cfg, &master, NOV, None).expect("written");
    let names: BTreeSet<String> = written
        .workbooks
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names.len(), 45, "one workbook per unit, none overwritten");
    assert!(
        names.contains("甲_乙_2026年11月重点任务进展表.xlsx"),
        "{names:?}"
    );
    assert!(
        names.contains("甲_乙_2_2026年11月重点任务进展表.xlsx"),
        "{names:?}"
    );
    let on_disk = std::fs::read_dir(&written.dir)
        .expect("forms folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".eml"))
        })
        .count();
    assert_eq!(on_disk, 45, "one message per unit");
}
