//! Deliver: emails checked with an independent parser (Python's `email` package), the manifest
//! CSV, run.json, file-name sanitising, and the atomic month folder (including kill -9 mid-write).

use crate::checker;
use duban::model::ProblemCode;

use chrono::NaiveDate;
use duban::archive::{InputFile, sha256_hex};
use duban::config::Config;
use duban::deliver::{
    DeliverError, ManifestRow, OutputFile, Staging, email_context, manifest_csv, manifest_row,
    run_json, timings_json, unit_email, validate_rel_path, write_month,
};
use duban::model::{
    Category, Classification, Counts, Deadline, Leader, Light, Master, Merged, Month, MonthReport,
    Problem, Receipt, Reconciliation, Status, Task, TaskOutcome, Unit, UnitKind,
};
use duban::names::{safe_file_stem, unique_stems};
use duban::templates::Templates;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const NOV: Month = Month {
    year: 2026,
    month: 11,
};
const HOSTILE: &str = "市\"局/..:*?<>|";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn unit(name: &str, contact: Option<&str>, email: Option<&str>) -> Unit {
    Unit {
        name: name.into(),
        aliases: vec![],
        kind: UnitKind::CityDepartment,
        contact: contact.map(Into::into),
        phone: None,
        email: email.map(Into::into),
        reply_from: Vec::new(),
    }
}

fn task(number: u32, text: &str, unit: &str) -> Task {
    Task {
        number,
        text: text.into(),
        category: Category::Other,
        leaders: vec!["刘继英".into()],
        units: vec![unit.into()],
        unit_raw: unit.into(),
        deadline: Deadline {
            raw: "12月底".into(),
            date: Some(date(2026, 12, 31)),
        },
        source_row: number + 3,
    }
}

fn outcome(task: u32, status: Status, light: Light, reason: &str) -> TaskOutcome {
    TaskOutcome {
        task,
        status,
        light,
        percent: Some(50.0),
        expected: Some(91.7),
        previous_percent: None,
        previous_month: None,
        carried_from: None,
        completed_on: None,
        escalated: false,
        reports: vec![],
        months_not_reported: 0,
        red_months: 0,
        reason: reason.into(),
    }
}

/// Three units: 市科技局 (address, two red/yellow tasks, one data problem), a unit whose name
/// holds every character Windows forbids plus `..`, and 市住建局 without an address.
fn report() -> MonthReport {
    let leader = |name: &str, title: &str| Leader {
        name: name.into(),
        title: title.into(),
        declared_count: None,
        declared_main_targets: None,
    };
    let units = vec![
        unit("市科技局", Some("张伟"), Some("keji@example.org")),
        unit(HOSTILE, None, Some("hostile@example.org")),
        unit("市住建局", None, None),
    ];
    let master = Master {
        title: "测试任务分解方案".into(),
        mayor: leader("贺海东", "市长"),
        leaders: vec![leader("刘继英", "副市长")],
        tasks: vec![
            task(1, "实施科技创新重大项目10个以上", "市科技局"),
            task(2, "培育高新技术企业100家", "市科技局"),
            task(3, "建设概念验证中心2个", "市科技局"),
            task(4, "推进“=1+1”工程", HOSTILE),
            task(5, "完成老旧小区改造50个", "市住建局"),
        ],
        units: units.clone(),
        index: Default::default(),
    };
    let outcomes = vec![
        outcome(1, Status::Lagging, Light::Red, "低于序时进度41.7个百分点"),
        outcome(2, Status::Lagging, Light::Yellow, "低于序时进度15个百分点"),
        outcome(3, Status::OnTrack, Light::Green, ""),
        outcome(4, Status::NotReported, Light::Yellow, "本月未报送"),
        outcome(5, Status::DoneOnTime, Light::Green, ""),
    ];
    let receipts = units
        .iter()
        .map(|u| Receipt {
            unit: u.name.clone(),
            received: u.name != HOSTILE,
            invalid: None,
            files: vec![],
            reported_on: None,
            rows_read: 1,
            rows_merged: 1,
            errors: 0,
            warnings: 0,
        })
        .collect();
    let problems = vec![
        Problem::error(ProblemCode::ProgressOutOfRange, "完成进度应在 0–100 之间")
            .unit("市科技局")
            .file("市科技局.xlsx")
            .sheet("进度")
            .cell("F7")
            .raw("150%")
            .task(1),
        Problem::warning(ProblemCode::TaskTextDiffers, "任务目标与总表不一致").unit("市住建局"),
        Problem::info(ProblemCode::Superseded, "较早的文件已被替代"),
    ];
    // the city's counts as classify makes them: one per task
    let mut city = Counts::default();
    for o in &outcomes {
        city.add(
            Some(o.status),
            Some(o.light),
            o.status != Status::NotReported,
        );
    }
    MonthReport {
        month: NOV,
        as_of: date(2026, 11, 30),
        issued_on: date(2026, 12, 2),
        feedback_due: date(2026, 12, 10),
        master,
        merged: Merged {
            reports: BTreeMap::new(),
            receipts,
            reconciliation: Reconciliation {
                rows_read: 5,
                merged: 4,
                rejected: 1,
                superseded: 0,
                not_reporting: 0,
            },
            problems: vec![],
        },
        classification: Classification {
            outcomes,
            city,
            leaders: vec![],
            units: vec![],
        },
        previous_available: false,
        trend: duban::trend::Trend::default(),
        problems,
        numbering: Default::default(),
        document_numbers: Vec::new(),
    }
}

fn templates() -> Templates {
    Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")).unwrap()
}

/// Bytes that look like a PDF and exercise every byte value in base64.
fn fake_pdf(seed: u8) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..5000u32).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("deliver-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn python_available() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        checker::missing("python3");
    }
    ok
}

/// Parses an .eml with Python's `email` package (modern policy, strict about defects) and
/// reports what a mail client would show, as JSON.
const PARSE_EML: &str = r#"
import email, email.policy, email.header, email.utils, hashlib, json, sys
raw = open(sys.argv[1], 'rb').read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
legacy = email.message_from_bytes(raw)
atts = []
for part in msg.iter_attachments():
    data = part.get_content()
    atts.append({'filename': part.get_filename(), 'type': part.get_content_type(),
                 'sha256': hashlib.sha256(data).hexdigest(), 'len': len(data)})
legacy_names = []
for part in legacy.walk():
    name = part.get_param('name')
    if name:
        legacy_names.append(str(email.header.make_header(email.header.decode_header(name))))
defects = [str(d) for part in msg.walk() for d in part.defects]
to = msg['To'].addresses[0]
frm = msg['From'].addresses[0]
print(json.dumps({
    'subject': str(msg['Subject']),
    'to_name': to.display_name, 'to_addr': to.addr_spec,
    'from_name': frm.display_name, 'from_addr': frm.addr_spec,
    'date': email.utils.parsedate_to_datetime(msg['Date']).isoformat(),
    'message_id': msg['Message-ID'],
    'x_unsent': msg['X-Unsent'],
    'headers': list(msg.keys()),
    'body': msg.get_body(('plain',)).get_content(),
    'attachments': atts, 'legacy_names': legacy_names, 'defects': defects,
}))
"#;

fn parse_with_python(eml: &Path) -> serde_json::Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PARSE_EML)
        .arg(eml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn emails_parse_with_an_independent_parser() {
    let report = report();
    let cfg = Config::default();
    let t = templates();
    let dir = scratch("eml");
    for (i, u) in report.master.units.iter().enumerate() {
        let name = format!("{}.pdf", safe_file_stem(&u.name));
        let pdf = fake_pdf(i as u8);
        let eml = unit_email(&report, &report.lookup(), u, &name, &pdf, &t, &cfg).unwrap();
        let Some(eml) = eml else {
            assert_eq!(
                u.name, "市住建局",
                "only the unit without address has no email"
            );
            continue;
        };
        let ctx = email_context(&report, &report.lookup(), u, &name, &cfg);
        let subject = t
            .render("email_subject.j2", &ctx)
            .unwrap()
            .trim()
            .to_string();
        assert!(eml.iter().all(u8::is_ascii), "an .eml is 7-bit clean");
        let path = dir.join(format!("{}.eml", safe_file_stem(&u.name)));
        std::fs::write(&path, &eml).unwrap();
        if !python_available() {
            continue;
        }
        let parsed = parse_with_python(&path);
        assert_eq!(parsed["defects"], serde_json::json!([]), "{parsed}");
        assert_eq!(parsed["subject"], subject.as_str());
        assert_eq!(parsed["to_name"], u.name.as_str());
        assert_eq!(parsed["to_addr"], u.email.as_deref().unwrap());
        assert_eq!(parsed["from_name"], cfg.office.name.as_str());
        assert_eq!(parsed["from_addr"], cfg.office.email.as_str());
        assert_eq!(parsed["date"], "2026-12-02T01:00:00+00:00");
        let mid = parsed["message_id"].as_str().unwrap();
        assert!(mid.ends_with(".2026-11@example.org>"), "{mid}");
        // Outlook opens it as a draft ready to send
        assert_eq!(parsed["x_unsent"], "1");
        let atts = parsed["attachments"].as_array().unwrap();
        assert_eq!(atts.len(), 1);
        assert_eq!(atts[0]["filename"], name.as_str());
        assert_eq!(atts[0]["type"], "application/pdf");
        assert_eq!(atts[0]["sha256"], sha256_hex(&pdf).as_str());
        assert_eq!(parsed["legacy_names"], serde_json::json!([name]));
        let body = parsed["body"].as_str().unwrap();
        assert!(body.contains(&name), "{body}");
        assert!(body.contains("截至2026年11月30日"), "{body}");
        assert!(body.contains("2026年12月10日前"), "{body}");
        if u.name == "市科技局" {
            assert!(
                subject.contains("市科技局2026年11月") && subject.contains("红灯1项"),
                "{subject}"
            );
            assert!(body.starts_with("市科技局（张伟同志）："), "{body}");
            assert!(
                body.contains("红灯1项、黄灯1项、蓝灯0项、绿灯1项"),
                "{body}"
            );
            let red = body.find("第1项").unwrap();
            let yellow = body.find("第2项").unwrap();
            assert!(red < yellow, "red tasks come first: {body}");
            assert!(body.contains("1处数据问题"), "{body}");
        } else {
            assert!(!body.contains("数据问题"), "{body}");
        }
    }
}

#[test]
fn body_wording_follows_the_units_situation() {
    let report = report();
    let cfg = Config::default();
    let t = templates();
    let green = &report.master.units[2];
    let body = t
        .render(
            "email_body.j2",
            &email_context(&report, &report.lookup(), green, "市住建局.pdf", &cfg),
        )
        .unwrap();
    assert!(body.contains("总体推进顺利"), "{body}");
    assert!(!body.contains("需要重点推进"), "{body}");
    assert!(body.contains("1处数据问题（错误0处、警告1处）"), "{body}");
    assert!(!body.contains("\n\n\n"), "no runs of blank lines: {body:?}");
    let yellow = &report.master.units[1];
    let body = t
        .render(
            "email_body.j2",
            &email_context(&report, &report.lookup(), yellow, "x.pdf", &cfg),
        )
        .unwrap();
    assert!(
        body.contains("黄灯任务加快推进") && !body.contains("红灯任务逐项"),
        "{body}"
    );
    assert!(!body.contains("\n\n\n"), "no runs of blank lines: {body:?}");
    let subject = t
        .render(
            "email_subject.j2",
            &email_context(&report, &report.lookup(), green, "x.pdf", &cfg),
        )
        .unwrap();
    assert_eq!(
        subject.trim(),
        "【督办通知】市住建局2026年11月重点工作任务推进情况"
    );
}

#[test]
fn emails_are_byte_identical_across_calls_and_units_differ() {
    let report = report();
    let cfg = Config::default();
    let t = templates();
    let lookup = report.lookup();
    let email = |unit, name: &str| {
        unit_email(&report, &lookup, unit, name, &fake_pdf(1), &t, &cfg)
            .unwrap()
            .unwrap()
    };
    let u = &report.master.units[0];
    let a = email(u, "市科技局.pdf");
    let b = email(u, "市科技局.pdf");
    assert_eq!(a, b);
    let other = &report.master.units[1];
    let c = email(other, "x.pdf");
    let mid = |m: &[u8]| {
        String::from_utf8_lossy(m)
            .lines()
            .find(|l| l.starts_with("Message-ID:"))
            .map(str::to_string)
    };
    assert!(mid(&a).is_some());
    assert_ne!(mid(&a), mid(&c));
}

/// The email of `unit` with a four-byte stand-in for its PDF.
fn tiny_email(
    report: &MonthReport,
    unit: &Unit,
    cfg: &Config,
) -> Result<Option<Vec<u8>>, DeliverError> {
    unit_email(
        report,
        &report.lookup(),
        unit,
        "a.pdf",
        b"%PDF",
        &templates(),
        cfg,
    )
}

#[test]
fn header_injection_through_a_unit_name_is_neutralised() {
    let report = report();
    let cfg = Config::default();
    let mut u = unit(
        "恶意单位\r\nBcc: victim@example.com",
        None,
        Some("evil@example.org"),
    );
    u.name = "恶意单位\r\nBcc: victim@example.com".into();
    let eml = tiny_email(&report, &u, &cfg).unwrap().unwrap();
    let text = String::from_utf8(eml).unwrap();
    assert!(!text.lines().any(|l| l.starts_with("Bcc:")), "{text}");
}

#[test]
fn bad_addresses_are_reported_in_chinese() {
    let report = report();
    let cfg = Config::default();
    let u = unit("市科技局", None, Some("not an address"));
    let err = tiny_email(&report, &u, &cfg).unwrap_err();
    assert!(matches!(err, DeliverError::BadAddress { .. }));
    assert!(err.to_string().contains("not an address") && err.to_string().contains("units.toml"));
    let blank = unit("市科技局", None, Some("  "));
    assert!(tiny_email(&report, &blank, &cfg).unwrap().is_none());
}

#[test]
fn manifest_has_bom_and_guards_formulas() {
    let row = |unit: &str, email: Option<&str>, subject: &str| ManifestRow {
        unit: unit.into(),
        email: email.map(Into::into),
        subject: subject.into(),
        attachment: format!("{unit}.pdf"),
        lights: [1, 2, 3, 4],
        eml: email.map(|_| format!("{unit}.eml")),
    };
    let rows = vec![
        row("=1+1", Some("a@example.org"), "+86 0471"),
        row("-5", None, "@SUM(A1:A9)"),
        row("\tcmd", Some("b@example.org"), "含,逗号和\"引号\"\n换行"),
        row("市科技局", None, "＝全角"),
    ];
    let csv = manifest_csv(&rows);
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("单位,邮箱,主题,附件,红灯,黄灯,蓝灯,绿灯,状态"),
        "{text}"
    );
    assert!(
        text.contains(
            "\r\n'=1+1,a@example.org,'+86 0471,'=1+1.pdf,1,2,3,4,已生成邮件,'=1+1.eml\r\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("'-5,无邮箱地址，请另行送达,'@SUM(A1:A9),"),
        "{text}"
    );
    assert!(text.contains("无邮箱,\r\n"), "{text}");
    assert!(text.contains("'\tcmd"), "{text}");
    assert!(text.contains("\"含,逗号和\"\"引号\"\"\n换行\""), "{text}");
    assert!(text.contains("'＝全角"), "{text}");
    if !python_available() {
        return;
    }
    // An independent CSV reader sees 5 records of 10 fields, and no cell starts a formula.
    let dir = scratch("csv");
    let path = dir.join("清单.csv");
    std::fs::write(&path, manifest_csv(&rows)).unwrap();
    let script = r#"
import csv, json, sys
with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:
    print(json.dumps(list(csv.reader(f))))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records.len(), 5);
    assert!(records.iter().all(|r| r.len() == 10));
    for cell in records.iter().flatten() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r', '＝']),
            "unguarded: {cell:?}"
        );
    }
    assert_eq!(records[3][2], "含,逗号和\"引号\"\n换行");
    assert_eq!(records[1][0], "'=1+1");
}

#[test]
fn run_json_is_complete_and_reproducible() {
    let report = report();
    let inputs = vec![
        InputFile {
            path: "input/units.toml".into(),
            bytes_len: 10,
            sha256: sha256_hex(b"u"),
        },
        InputFile {
            path: "input/master.xlsx".into(),
            bytes_len: 20,
            sha256: sha256_hex(b"m"),
        },
    ];
    let outputs = vec![
        OutputFile::new("督办单/单位/市科技局.pdf", b"pdf".to_vec()),
        OutputFile::new("邮件/市科技局.eml", b"eml".to_vec()),
        OutputFile::new("邮件/清单.csv", b"csv".to_vec()),
        OutputFile::new("汇总表_2026年11月.xlsx", b"xlsx".to_vec()),
        OutputFile::new("督办单/领导/刘继英.pdf", b"pdf2".to_vec()),
        OutputFile::new("run.json", b"old".to_vec()),
        OutputFile::new("timings.json", b"t".to_vec()),
    ];
    let a = run_json(&report, &inputs, &outputs);
    assert_eq!(a, run_json(&report, &inputs, &outputs));
    let mut shuffled = outputs.clone();
    shuffled.reverse();
    assert_eq!(
        a,
        run_json(&report, &inputs, &shuffled),
        "order of outputs does not matter"
    );
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["month"], "2026-11");
    assert_eq!(v["as_of"], "2026-11-30");
    assert_eq!(v["inputs"][0]["path"], "input/master.xlsx");
    let outs = v["outputs"].as_array().unwrap();
    assert_eq!(outs.len(), 5, "run.json and timings.json are not listed");
    let csv = outs.iter().find(|o| o["path"] == "邮件/清单.csv").unwrap();
    assert_eq!(csv["bytes"], 3);
    assert_eq!(csv["sha256"], sha256_hex(b"csv").as_str());
    assert_eq!(v["status_counts"]["滞后"], 2);
    assert_eq!(v["status_counts"]["逾期未完成"], 0);
    assert_eq!(v["light_counts"]["红"], 1);
    assert_eq!(v["light_counts"]["黄"], 2);
    assert_eq!(v["light_counts"]["绿"], 2);
    assert_eq!(v["reconciliation"]["rows_read"], 5);
    assert_eq!(v["reconciliation"]["balances"], true);
    assert_eq!(v["units"]["not_reported"], 1);
    assert_eq!(v["problems_by_severity"]["错误"], 1);
    assert_eq!(v["problems_by_severity"]["警告"], 1);
    assert_eq!(v["problems_by_severity"]["提示"], 1);
    assert_eq!(v["problems"].as_array().unwrap().len(), 3);
    assert_eq!(v["problems"][0]["cell"], "F7");
    let docs = &v["documents"];
    assert_eq!(
        (
            docs["汇总表"].as_u64(),
            docs["领导督办单"].as_u64(),
            docs["单位督办通知单"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        (docs["邮件"].as_u64(), docs["邮件清单"].as_u64()),
        (Some(1), Some(1))
    );
    // Keys come in a fixed, documented order.
    let text = String::from_utf8(a).unwrap();
    let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(pos("version") < pos("month") && pos("inputs") < pos("outputs"));
    assert!(text.find("\"按期完成\"").unwrap() < text.find("\"未报送\"").unwrap());

    let t = timings_json(
        &[("load".into(), 12.34567), ("render".into(), 100.0)],
        112.3456,
    );
    let tv: serde_json::Value = serde_json::from_slice(&t).unwrap();
    assert_eq!(tv["stages_ms"]["load"], 12.346);
    assert_eq!(tv["total_ms"], 112.346);
    let t = String::from_utf8(t).unwrap();
    assert!(t.find("load").unwrap() < t.find("render").unwrap());
}

/// Every file under `dir` with its hash, sorted: equal folders give equal values.
fn folder_fingerprint(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, sha256_hex(&std::fs::read(&path).unwrap())));
            }
        }
    }
    out.sort();
    out
}

fn month_files(tag: &str) -> Vec<OutputFile> {
    vec![
        OutputFile::new("汇总表_2026年11月.xlsx", format!("xlsx {tag}").into_bytes()),
        OutputFile::new(
            "督办单/单位/市科技局.pdf",
            format!("pdf {tag}").into_bytes(),
        ),
        OutputFile::new(
            format!("督办单/单位/{}.pdf", safe_file_stem(HOSTILE)),
            format!("hostile {tag}").into_bytes(),
        ),
        OutputFile::new("邮件/清单.csv", format!("csv {tag}").into_bytes()),
        OutputFile::new("run.json", format!("{{\"tag\": \"{tag}\"}}").into_bytes()),
    ]
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The streaming writer the run uses: files land in a hidden folder as they are made, are
/// described for run.json, read back for the emails, and vanish if the run never commits.
#[test]
fn staging_streams_describes_and_cleans_up() {
    let root = scratch("staging").join("output");
    {
        let staging = Staging::begin(&root, NOV, false).unwrap();
        staging
            .put(Path::new("督办单/单位/市科技局.pdf"), b"pdf")
            .unwrap();
        staging.put(Path::new("run.json"), b"{}").unwrap();
        assert!(staging.contains(Path::new("督办单/单位/市科技局.pdf")));
        assert!(!staging.contains(Path::new("邮件/市科技局.eml")));
        assert_eq!(
            staging.read(Path::new("督办单/单位/市科技局.pdf")).unwrap(),
            b"pdf"
        );
        // the same path again, even in other case, is refused: never a silent overwrite
        let err = staging.put(Path::new("RUN.json"), b"x").unwrap_err();
        assert!(matches!(err, DeliverError::DuplicatePath { .. }), "{err}");
        assert!(matches!(
            staging.put(Path::new("../escape.pdf"), b"x").unwrap_err(),
            DeliverError::UnsafePath { .. }
        ));
        let written = staging.written();
        let paths: Vec<&str> = written.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["run.json", "督办单/单位/市科技局.pdf"]);
        assert_eq!(written[1].bytes_len, 3);
        assert_eq!(written[1].sha256, sha256_hex(b"pdf"));
        assert_eq!(entries(&root).len(), 1, "one hidden temporary folder");
        // dropped without commit: a failed run
    }
    assert!(entries(&root).is_empty(), "temporary folder removed");

    let staging = Staging::begin(&root, NOV, false).unwrap();
    staging.put(Path::new("a/b/c.txt"), b"c").unwrap();
    let dir = staging.commit().unwrap();
    assert_eq!(std::fs::read(dir.join("a/b/c.txt")).unwrap(), b"c");
    assert_eq!(entries(&root), ["2026-11"]);
    let err = Staging::begin(&root, NOV, false).unwrap_err();
    assert!(matches!(err, DeliverError::MonthExists { .. }), "{err}");
    assert_eq!(entries(&root), ["2026-11"], "nothing written when refused");
}

#[test]
fn write_month_fresh_exists_and_force() {
    let root = scratch("force").join("output");
    let first = write_month(&root, NOV, &month_files("one"), false).unwrap();
    assert_eq!(first, root.join("2026-11"));
    let one = folder_fingerprint(&first);
    assert_eq!(one.len(), 5);
    assert_eq!(
        std::fs::read(first.join("督办单/单位/市科技局.pdf")).unwrap(),
        b"pdf one"
    );

    let err = write_month(&root, NOV, &month_files("two"), false).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("已存在") && msg.contains("--force") && msg.contains("2026-11.previous-1"),
        "{msg}"
    );
    assert_eq!(folder_fingerprint(&first), one, "untouched without --force");
    assert_eq!(
        entries(&root),
        vec!["2026-11"],
        "no temp folder left behind"
    );

    write_month(&root, NOV, &month_files("two"), true).unwrap();
    let two = folder_fingerprint(&first);
    assert_eq!(folder_fingerprint(&root.join("2026-11.previous-1")), one);
    assert_ne!(two, one);
    assert_eq!(
        std::fs::read(first.join("run.json")).unwrap(),
        b"{\"tag\": \"two\"}"
    );

    write_month(&root, NOV, &month_files("three"), true).unwrap();
    assert_eq!(folder_fingerprint(&root.join("2026-11.previous-1")), one);
    assert_eq!(folder_fingerprint(&root.join("2026-11.previous-2")), two);
    assert_eq!(
        entries(&root),
        vec!["2026-11", "2026-11.previous-1", "2026-11.previous-2"]
    );
    let err = write_month(&root, NOV, &month_files("four"), false).unwrap_err();
    assert!(err.to_string().contains("2026-11.previous-3"), "{err}");
}

#[test]
fn escaping_paths_are_refused_before_anything_is_written() {
    let root = scratch("escape").join("output");
    for bad in [
        "../x",
        "/etc/x",
        "a/../../x",
        "./x",
        "督办单/../../x",
        "",
        "CON.pdf",
        "a/b:c.pdf",
        "x./y",
        " lead.pdf",
        "a\\..\\x",
    ] {
        let mut files = month_files("bad");
        files.push(OutputFile::new(bad, b"evil".to_vec()));
        let err = write_month(&root, NOV, &files, false).unwrap_err();
        assert!(
            matches!(err, DeliverError::UnsafePath { .. }),
            "{bad:?}: {err}"
        );
        assert!(err.to_string().contains("不安全"), "{err}");
        assert!(!root.join("2026-11").exists(), "{bad:?}");
    }
    assert!(!root.parent().unwrap().join("x").exists());
    let mut files = month_files("dup");
    files.push(OutputFile::new(
        "督办单/单位/市科技局.pdf",
        b"again".to_vec(),
    ));
    let err = write_month(&root, NOV, &files, false).unwrap_err();
    assert!(matches!(err, DeliverError::DuplicatePath { .. }), "{err}");
}

#[test]
fn sanitiser_table_and_joined_paths_stay_inside() {
    let table = [
        ("市科技局", "市科技局"),
        ("市发改委/市统计局", "市发改委_市统计局"),
        (HOSTILE, "市_局________"),
        ("..", "未命名"),
        ("../../etc/passwd", "___etc_passwd"),
        ("C:\\Windows\\system32", "C__Windows_system32"),
        ("  .隐藏单位.  ", "隐藏单位"),
        ("CON", "CON_"),
        ("aux.pdf", "aux_.pdf"),
        ("Lpt9", "Lpt9_"),
        ("COM10", "COM10"),
        ("单位\u{0}名\u{7}", "单位_名_"),
        ("报告\u{202E}fdp.exe", "报告fdp.exe"),
        ("", "未命名"),
        ("   ", "未命名"),
        ("...", "未命名"),
    ];
    for (name, expected) in table {
        assert_eq!(safe_file_stem(name), expected, "{name:?}");
    }
    let long = "很长的单位名称".repeat(40);
    assert_eq!(safe_file_stem(&long).chars().count(), 80);
    let root = Path::new("/srv/output/2026-11/督办单/单位");
    for (name, _) in table {
        let stem = safe_file_stem(name);
        let rel = PathBuf::from(format!("督办单/单位/{stem}.pdf"));
        validate_rel_path(&rel).unwrap_or_else(|e| panic!("{name:?}: {e}"));
        let joined = root.join(format!("{stem}.pdf"));
        assert_eq!(joined.parent(), Some(root), "{name:?}");
        assert_eq!(joined.components().count(), root.components().count() + 1);
    }
}

#[test]
fn stale_temp_folders_of_dead_runs_are_removed() {
    let root = scratch("stale").join("output");
    // pid_max is at most 2^22 on Linux, so this process cannot exist.
    let stale = root.join(".2026-11.tmp-99999999-0");
    std::fs::create_dir_all(stale.join("督办单")).unwrap();
    std::fs::write(stale.join("督办单/half.pdf"), b"half").unwrap();
    let other_month = root.join(".2026-10.tmp-99999999-0");
    std::fs::create_dir_all(&other_month).unwrap();
    write_month(&root, NOV, &month_files("one"), false).unwrap();
    if Path::new("/proc/self").exists() {
        assert!(!stale.exists());
    }
    assert!(
        other_month.exists(),
        "only this month's temp folders are touched"
    );
}

/// A whole month as `duban run` would deliver it, written twice to different roots.
fn deliver_demo_month(root: &Path) -> PathBuf {
    let report = report();
    let cfg = Config::default();
    let t = templates();
    let names: Vec<&str> = report
        .master
        .units
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    let stems = unique_stems(&names);
    let mut files = Vec::new();
    let mut rows = Vec::new();
    for (i, (u, stem)) in report.master.units.iter().zip(&stems).enumerate() {
        let attachment = format!("{stem}.pdf");
        let pdf = fake_pdf(i as u8);
        let eml = unit_email(&report, &report.lookup(), u, &attachment, &pdf, &t, &cfg).unwrap();
        let eml_name = eml.as_ref().map(|_| format!("{stem}.eml"));
        rows.push(
            manifest_row(
                &report,
                &report.lookup(),
                u,
                &attachment,
                eml_name.clone(),
                &t,
                &cfg,
            )
            .unwrap(),
        );
        files.push(OutputFile::new(format!("督办单/单位/{attachment}"), pdf));
        if let (Some(eml), Some(name)) = (eml, eml_name) {
            files.push(OutputFile::new(format!("邮件/{name}"), eml));
        }
    }
    files.push(OutputFile::new("邮件/清单.csv", manifest_csv(&rows)));
    let inputs = [InputFile {
        path: "input/units.toml".into(),
        bytes_len: 1,
        sha256: sha256_hex(b"x"),
    }];
    let run = run_json(&report, &inputs, &files);
    files.push(OutputFile::new("run.json", run));
    write_month(root, NOV, &files, false).unwrap()
}

#[test]
fn delivered_month_matches_its_run_json_and_reruns_identically() {
    let base = scratch("e2e");
    let a = deliver_demo_month(&base.join("a"));
    let b = deliver_demo_month(&base.join("b"));
    assert_eq!(
        folder_fingerprint(&a),
        folder_fingerprint(&b),
        "same inputs, same bytes"
    );

    // run.json lists every other file with its size and hash as found on disk.
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("run.json")).unwrap()).unwrap();
    let listed: Vec<(String, String)> = run["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let on_disk: Vec<(String, String)> = folder_fingerprint(&a)
        .into_iter()
        .filter(|(p, _)| p != "run.json")
        .collect();
    assert_eq!(listed, on_disk);
    assert_eq!(run["documents"]["邮件"], 2);
    assert_eq!(run["documents"]["单位督办通知单"], 3);

    let csv = String::from_utf8(std::fs::read(a.join("邮件/清单.csv")).unwrap()).unwrap();
    assert!(csv.contains("市住建局,无邮箱地址，请另行送达,"), "{csv}");
    assert!(
        csv.contains("市科技局,keji@example.org,【督办通知】市科技局2026年11月"),
        "{csv}"
    );
    assert!(
        csv.contains(",市科技局.pdf,1,1,0,1,已生成邮件,市科技局.eml\r\n"),
        "{csv}"
    );

    if !python_available() {
        return;
    }
    // Each email's attachment is byte for byte the PDF on disk.
    for entry in std::fs::read_dir(a.join("邮件")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let parsed = parse_with_python(&path);
        let name = parsed["attachments"][0]["filename"]
            .as_str()
            .unwrap()
            .to_string();
        let pdf = std::fs::read(a.join("督办单/单位").join(&name)).unwrap();
        assert_eq!(
            parsed["attachments"][0]["sha256"],
            sha256_hex(&pdf).as_str(),
            "{name}"
        );
    }
}

#[test]
fn long_names_fit_and_validate() {
    let root = scratch("long").join("output");
    let stem = safe_file_stem(&"呼和浩特市某某某某委员会办公室".repeat(10));
    assert_eq!(stem.chars().count(), 80);
    let rel = format!("督办单/单位/{stem}.pdf");
    validate_rel_path(Path::new(&rel)).unwrap();
    let dir = write_month(
        &root,
        NOV,
        &[OutputFile::new(&rel, b"%PDF".to_vec())],
        false,
    )
    .unwrap();
    assert_eq!(std::fs::read(dir.join(&rel)).unwrap(), b"%PDF");
    let too_long = format!("督办单/{}.pdf", "局".repeat(90));
    assert!(validate_rel_path(Path::new(&too_long)).is_err());
}

const CHILD_ENV: &str = "DUBAN_TEST_SLOW_WRITE_ROOT";

/// Not a test on its own: when the parent test re-executes this binary with `CHILD_ENV` set,
/// this writes a large month slowly enough to be killed in the middle.
#[test]
fn zz_child_slow_write() {
    let Some(root) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let force = std::env::var_os("DUBAN_TEST_SLOW_WRITE_FORCE").is_some();
    let files: Vec<OutputFile> = (0..2000)
        .map(|i| {
            OutputFile::new(
                format!("督办单/单位/单位{i:04}.pdf"),
                vec![b'x'; 256 * 1024],
            )
        })
        .collect();
    let _ = write_month(Path::new(&root), NOV, &files, force);
    // If the machine was fast enough to finish, the parent notices and retries bigger.
}

/// Runs the child writer and kills it (SIGKILL) once its temp folder has files in it.
/// Returns false if the child finished before it could be killed.
fn kill_mid_write(root: &Path, force: bool) -> bool {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        "deliver::zz_child_slow_write",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, root)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null());
    if force {
        cmd.env("DUBAN_TEST_SLOW_WRITE_FORCE", "1");
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let temp_with_files = std::fs::read_dir(root)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".2026-11.tmp-"))
            .any(|e| {
                std::fs::read_dir(e.path().join("督办单/单位"))
                    .map(|d| d.count() > 20)
                    .unwrap_or(false)
            });
        if temp_with_files {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
#[cfg(unix)]
fn kill_dash_nine_mid_write_leaves_no_half_month() {
    let root = scratch("kill").join("output");
    std::fs::create_dir_all(&root).unwrap();
    assert!(
        kill_mid_write(&root, false),
        "could not catch the writer mid-write"
    );
    assert!(
        !root.join("2026-11").exists(),
        "a killed run must not leave output/2026-11"
    );
    let leftovers = entries(&root);
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert!(leftovers[0].starts_with(".2026-11.tmp-"));

    // The next run succeeds, cleaning the dead run's folder.
    let done = write_month(&root, NOV, &month_files("one"), false).unwrap();
    let one = folder_fingerprint(&done);
    assert_eq!(entries(&root), vec!["2026-11"]);

    // With --force and a kill mid-write, the complete old month stays where it was.
    assert!(
        kill_mid_write(&root, true),
        "could not catch the forced writer mid-write"
    );
    assert_eq!(folder_fingerprint(&root.join("2026-11")), one);
    assert!(!root.join("2026-11.previous-1").exists());
}
