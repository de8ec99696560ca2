//! A corpus of the workbooks (and non-workbooks) units actually send, generated here: encrypted
//! files of each format, old and foreign formats, renamed files of each kind, packages with
//! unusual part names, and the layouts people make (two-row headers, group headings, tasks
//! split over sheets, the 1904 date system). For each: the exact kind of message, the unit it
//! is attributed to, no parser English in any message, and nothing panics.

use crate::common::*;
use duban::intake::read_month;
use duban::merge::merge;
use duban::model::ProblemCode;
use duban::model::{Severity, Submission};
use std::io::{Read, Write};
use std::path::Path;

/// A clean 市科技局 workbook's bytes.
fn keji_xlsx(dir: &Path) -> Vec<u8> {
    let path = dir.join("tmp-keji.xlsx");
    clean_keji(&path);
    let bytes = std::fs::read(&path).expect("written");
    std::fs::remove_file(&path).ok();
    bytes
}

/// A compound file with the given streams.
fn cfb_file(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut file =
        cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("compound file");
    for (name, data) in streams {
        let mut s = file.create_stream(name).expect("stream");
        s.write_all(data).expect("write stream");
    }
    file.flush().expect("flush");
    file.into_inner().into_inner()
}

/// A BIFF record.
fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

/// A BIFF workbook globals stream: BOF of `version`, then `more`, then EOF.
fn biff(version: u16, more: &[Vec<u8>]) -> Vec<u8> {
    let mut bof = version.to_le_bytes().to_vec();
    bof.extend([0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut out = record(0x0809, &bof);
    for r in more {
        out.extend(r);
    }
    out.extend(record(0x000A, &[]));
    out
}

/// A zip with the given entries (names as given, bytes stored).
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(data).expect("data");
    }
    zip.finish().expect("zip").into_inner()
}

/// The entries of an xlsx, to rebuild it with changes.
fn entries(xlsx: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("xlsx");
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).expect("entry");
            let mut data = Vec::new();
            e.read_to_end(&mut data).expect("read");
            (e.name().expect("name").to_string(), data)
        })
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

/// What one corpus file must give.
struct Case {
    file: String,
    bytes: Vec<u8>,
    /// The problem code expected among the file's problems (`None` = read fine, no error).
    code: Option<ProblemCode>,
    severity: Severity,
    /// A fragment of that problem's message.
    says: &'static str,
    /// The unit the file must be attributed to.
    unit: Option<&'static str>,
    /// Rows that must be read.
    rows: u32,
}

fn case(
    file: &str,
    bytes: Vec<u8>,
    code: ProblemCode,
    says: &'static str,
    unit: Option<&'static str>,
) -> Case {
    Case {
        file: file.to_string(),
        bytes,
        code: Some(code),
        severity: if code == ProblemCode::NotAWorkbookFile {
            Severity::Warning
        } else {
            Severity::Error
        },
        says,
        unit,
        rows: 0,
    }
}

fn read_ok(file: &str, bytes: Vec<u8>, unit: &'static str, rows: u32) -> Case {
    Case {
        file: file.to_string(),
        bytes,
        code: None,
        severity: Severity::Error,
        says: "",
        unit: Some(unit),
        rows,
    }
}

fn corpus(dir: &Path) -> Vec<Case> {
    let good = keji_xlsx(dir);
    let encrypted_ooxml = cfb_file(&[
        ("EncryptionInfo", vec![4, 0, 4, 0, 0x40, 0, 0, 0]),
        ("EncryptedPackage", vec![0x5A; 4096]),
    ]);
    // FILEPASS, then records whose bytes are ciphertext: a DIMENSIONS that claims a million
    // rows must not turn into a message about rows.
    let mut huge_dims = 0u32.to_le_bytes().to_vec();
    huge_dims.extend(1_000_000u32.to_le_bytes());
    huge_dims.extend([0, 0, 0xFF, 0, 0, 0]);
    let encrypted_xls = cfb_file(&[(
        "Workbook",
        biff(
            0x0600,
            &[
                record(0x002F, &[1, 0, 1, 0, 1, 0]),
                record(0x0200, &huge_dims),
            ],
        ),
    )]);
    let manifest = br#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"><manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="y"/></manifest:encryption-data></manifest:file-entry></manifest:manifest>"#;
    let encrypted_ods = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", &[0x9C; 512]),
    ]);
    let excel95 = cfb_file(&[("Book", biff(0x0500, &[]))]);
    let excel4 = record(0x0409, &[0, 0, 0x10, 0]);
    let numbers = zip_of(&[
        ("Index/Document.iwa", &[0u8; 64]),
        ("Metadata/Properties.plist", b"bplist00"),
    ]);
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ]);
    let archive = zip_of(&[("市住建局进展表.xlsx", &good), ("说明.txt", b"hi")]);
    let html =
        b"<html><body><table><tr><td>\xe5\xba\x8f\xe5\x8f\xb7</td></tr></table></body></html>"
            .to_vec();
    let xml2003 = br#"<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>"#.to_vec();
    let csv = "序号,任务目标,完成进度\n4,完成老旧小区改造50个,80\n"
        .as_bytes()
        .to_vec();
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0].to_vec();

    // The good workbook with every part name written with backslashes (as some zip tools do).
    let backslashed = rezip(
        &entries(&good)
            .into_iter()
            .map(|(n, d)| (n.replace('/', "\\"), d))
            .collect::<Vec<_>>(),
    );
    // A truncated package: damaged, and its message says so without parser English.
    let truncated = good[..good.len() / 2].to_vec();
    // An xlsb (Excel's binary workbook) recognised by its part; this one's records are garbage.
    let xlsb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.bin", &[0x83, 0x01, 0x00, 0x84, 0x01, 0x00]),
    ]);

    vec![
        case(
            "市住建局-加密.xlsx",
            encrypted_ooxml.clone(),
            ProblemCode::PasswordProtected,
            "有密码保护",
            Some("市住建局"),
        ),
        case(
            "市住建局-加密.xls",
            encrypted_xls.clone(),
            ProblemCode::PasswordProtected,
            "有密码保护",
            Some("市住建局"),
        ),
        case(
            "市住建局-加密.et",
            encrypted_xls,
            ProblemCode::PasswordProtected,
            "有密码保护",
            Some("市住建局"),
        ),
        case(
            "市住建局-加密.ods",
            encrypted_ods,
            ProblemCode::PasswordProtected,
            "有密码保护",
            Some("市住建局"),
        ),
        case(
            "市住建局-加密改名.xlsm",
            encrypted_ooxml,
            ProblemCode::PasswordProtected,
            "有密码保护",
            Some("市住建局"),
        ),
        case(
            "市住建局-95.xls",
            excel95,
            ProblemCode::OldExcelFormat,
            "Excel 95 或更早的格式",
            Some("市住建局"),
        ),
        case(
            "市住建局-4.xls",
            excel4,
            ProblemCode::OldExcelFormat,
            "Excel 95 或更早的格式",
            Some("市住建局"),
        ),
        case(
            "市住建局.numbers",
            numbers.clone(),
            ProblemCode::NotAWorkbookFile,
            "Apple Numbers 表格",
            Some("市住建局"),
        ),
        case(
            "市住建局-numbers.xlsx",
            numbers,
            ProblemCode::NotAWorkbook,
            "导出为 → Excel",
            Some("市住建局"),
        ),
        case(
            "市住建局-word.xlsx",
            docx,
            ProblemCode::NotAWorkbook,
            "Word 文档",
            Some("市住建局"),
        ),
        case(
            "市住建局-打包.xlsx",
            archive,
            ProblemCode::NotAWorkbook,
            "压缩包",
            Some("市住建局"),
        ),
        case(
            "市住建局-网页.xls",
            html,
            ProblemCode::NotAWorkbook,
            "网页（HTML）",
            Some("市住建局"),
        ),
        case(
            "市住建局-2003.xls",
            xml2003,
            ProblemCode::NotAWorkbook,
            "Excel 2003 XML",
            Some("市住建局"),
        ),
        case(
            "市住建局.csv",
            csv.clone(),
            ProblemCode::NotAWorkbookFile,
            "CSV 文本表格",
            Some("市住建局"),
        ),
        case(
            "市住建局-csv.xlsx",
            csv,
            ProblemCode::NotAWorkbook,
            "CSV 文本表格",
            Some("市住建局"),
        ),
        case(
            "市住建局-扫描.xlsx",
            b"%PDF-1.7 scan".to_vec(),
            ProblemCode::NotAWorkbook,
            "PDF 文件",
            Some("市住建局"),
        ),
        case(
            "市住建局-照片.xls",
            png,
            ProblemCode::NotAWorkbook,
            "图片",
            Some("市住建局"),
        ),
        case(
            "市住建局-截断.xlsx",
            truncated,
            ProblemCode::CorruptFile,
            "已损坏（文件不完整）",
            Some("市住建局"),
        ),
        case(
            "市住建局-二进制.xlsb",
            xlsb,
            ProblemCode::CorruptFile,
            "已损坏",
            Some("市住建局"),
        ),
        case(
            "市住建局-空.xlsx",
            Vec::new(),
            ProblemCode::EmptyFile,
            "空的",
            Some("市住建局"),
        ),
        read_ok("市科技局-改名.xls", good.clone(), "市科技局", 2),
        read_ok("市科技局-改名.dat", good.clone(), "市科技局", 2),
        read_ok("市科技局-反斜杠.xlsx", backslashed, "市科技局", 2),
    ]
}

/// A unit reads these messages in its notice: no English running text, no name of the program
/// and no setting it cannot act on (those go to the technical detail).
pub(crate) fn check_no_english(sub: &Submission, failures: &mut Vec<String>) {
    for p in &sub.problems {
        let lower = p.message.to_lowercase();
        for term in ["duban", "limits", "toml", "calamine", "zip", "os error"] {
            if lower.contains(term) {
                failures.push(format!(
                    "{}: the message names “{term}”, which the unit cannot act on: {}",
                    sub.file, p.message
                ));
            }
        }
        if p.message
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .count()
            > 12
        {
            let latin: String = p.message.chars().filter(|c| c.is_ascii()).collect();
            // names like .xlsx, WPS, Excel, Numbers are fine; running English text is not
            let words: Vec<&str> = latin
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() > 3)
                .filter(|w| {
                    ![
                        "xlsx",
                        "Excel",
                        "Numbers",
                        "Apple",
                        "Word",
                        "PowerPoint",
                        "HTML",
                        "OpenDocument",
                    ]
                    .iter()
                    .any(|ok| ok.eq_ignore_ascii_case(w))
                })
                .collect();
            if words.len() > 1 {
                failures.push(format!(
                    "{}: English in the message: {}",
                    sub.file, p.message
                ));
            }
        }
    }
}

#[test]
fn every_kind_of_file_gets_the_right_message_and_unit() {
    let dir = temp_dir("corpus");
    let cases = corpus(&dir);
    for c in &cases {
        std::fs::write(dir.join(&c.file), &c.bytes).expect("write");
    }
    let ctx = ctx();
    let subs = read_month(&dir, &ctx);
    let mut failures = Vec::new();
    for c in &cases {
        let Some(sub) = subs.iter().find(|s| s.file == c.file) else {
            failures.push(format!("{}: not in intake's result", c.file));
            continue;
        };
        check_no_english(sub, &mut failures);
        if sub.unit.as_deref() != c.unit {
            failures.push(format!(
                "{}: unit {:?}, expected {:?}",
                c.file, sub.unit, c.unit
            ));
        }
        let Some(code) = c.code else {
            if let Some(p) = sub.problems.iter().find(|p| p.severity == Severity::Error) {
                failures.push(format!("{}: expected to read, got {}", c.file, p.message));
            }
            if sub.rows_read != c.rows {
                failures.push(format!(
                    "{}: {} rows read, expected {}",
                    c.file, sub.rows_read, c.rows
                ));
            }
            continue;
        };
        let hit = sub
            .problems
            .iter()
            .any(|p| p.code == code && p.severity == c.severity && p.message.contains(c.says));
        if !hit {
            failures.push(format!(
                "{}: expected {} “{}”, got {:?}",
                c.file,
                code,
                c.says,
                sub.problems
                    .iter()
                    .map(|p| format!("{} {}", p.code.as_str(), p.message))
                    .collect::<Vec<_>>()
            ));
        }
        // every problem of the file reaches its unit
        for p in sub
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
        {
            if p.unit.as_deref() != c.unit {
                failures.push(format!("{}: problem not attributed: {p}", c.file));
            }
        }
    }
    // The damaged package keeps the parser's words as technical detail.
    let truncated = subs
        .iter()
        .find(|s| s.file == "市住建局-截断.xlsx")
        .expect("truncated");
    assert!(
        truncated.problems.iter().any(|p| p.detail.is_some()),
        "{:?}",
        truncated.problems
    );
    // 市住建局 sent nothing readable: 报送无效, not reported; 市科技局 reported.
    let merged = merge(ctx.master, &subs);
    let receipt = |u: &str| {
        merged
            .receipts
            .iter()
            .find(|r| r.unit == u)
            .expect("receipt")
    };
    let zhujian = receipt("市住建局");
    if zhujian.received || zhujian.invalid.is_none() || zhujian.status_label() != "报送无效" {
        failures.push(format!("市住建局 should be 报送无效: {zhujian:?}"));
    }
    assert!(receipt("市科技局").received);
    assert!(merged.reconciliation.balances());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The layouts people make of the form, read without a code change.
#[test]
fn two_row_headers_group_headings_split_sheets_and_1904_dates() {
    let dir = temp_dir("corpus-layouts");
    // 市科技局: a two-row header (完成情况 merged over 完成进度 and 状态), a group heading
    // between its two tasks, the second task on a second sheet.
    let mut first = SheetSpec::new("一季度重点");
    first.set(0, 0, s("填报单位：市科技局"));
    first.set(0, 5, s("填报日期："));
    first.set(0, 6, s("2026-11-25"));
    for (c, h) in [
        "序号",
        "任务目标",
        "完成时限",
        "本月工作进展",
        "",
        "",
        "存在问题",
    ]
    .iter()
    .enumerate()
    {
        if !h.is_empty() {
            first.set(1, c as u16, s(h));
        }
    }
    first.merges.push((1, 4, 1, 5, "完成情况".to_string()));
    first.set(2, 4, s("完成进度(%)"));
    first.set(2, 5, s("状态"));
    first.set(3, 0, V::N(3.0));
    first.set(3, 1, s("实施科技创新重大项目10个以上"));
    first.set(3, 3, s("已实施重大项目8个。"));
    first.set(3, 4, V::N(80.0));
    first.set(3, 5, s("序时推进"));
    first.set(4, 1, s("二、企业培育"));
    let mut second = SheetSpec::new("企业培育");
    second.row(
        0,
        ["序号", "任务目标", "本月工作进展", "完成进度(%)", "状态"]
            .map(s)
            .to_vec(),
    );
    second.row(
        1,
        vec![
            V::N(6.0),
            s("培育高新技术企业100家"),
            s("新认定高新技术企业95家。"),
            V::N(95.0),
            s("序时推进"),
        ],
    );
    let mut notes = SheetSpec::new("填表说明");
    notes.set(0, 0, s("请按要求填写。"));
    write_xlsx(&dir.join("市科技局.xlsx"), &[first, second, notes]);

    // 市住建局: a workbook saved with the 1904 date system (Excel for Mac): its 填报日期 is the
    // serial 45619 - 1462 with a date format, and Excel shows 2026-11-23.
    let path = dir.join("市住建局.xlsx");
    write_xlsx(&path, &[zhujian_undated()]);
    let serial_1900 = (chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
    .num_days();
    let mut parts = entries(&std::fs::read(&path).expect("xlsx"));
    let part = |parts: &mut Vec<(String, Vec<u8>)>, name: &str| -> usize {
        parts
            .iter()
            .position(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // the 1904 flag
    let i = part(&mut parts, "xl/workbook.xml");
    let text = String::from_utf8(parts[i].1.clone()).expect("xml");
    let text = if text.contains("<workbookPr") {
        text.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
    } else {
        text.replacen("<bookViews>", "<workbookPr date1904=\"1\"/><bookViews>", 1)
    };
    parts[i].1 = text.into_bytes();
    // a date style (built-in format 14) appended to cellXfs
    let i = part(&mut parts, "xl/styles.xml");
    let mut text = String::from_utf8(parts[i].1.clone()).expect("xml");
    let start = text.find("<cellXfs count=\"").expect("cellXfs") + "<cellXfs count=\"".len();
    let end = start + text[start..].find('"').expect("count");
    let date_style: usize = text[start..end].parse().expect("count");
    text.replace_range(start..end, &(date_style + 1).to_string());
    let text = text.replacen(
        "</cellXfs>",
        "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>",
        1,
    );
    parts[i].1 = text.into_bytes();
    // I2, after the block row's last cell: the date as a 1904 serial in that style
    let i = part(&mut parts, "xl/worksheets/sheet1.xml");
    let mut text = String::from_utf8(parts[i].1.clone()).expect("xml");
    let row = text.find("<row r=\"2\"").expect("row 2");
    let close = row + text[row..].find("</row>").expect("row end");
    text.insert_str(
        close,
        &format!(
            "<c r=\"I2\" s=\"{date_style}\"><v>{}</v></c>",
            serial_1900 - 1462
        ),
    );
    parts[i].1 = text.into_bytes();
    std::fs::write(&path, rezip(&parts)).expect("1904 workbook");

    let ctx = ctx();
    let subs = read_month(&dir, &ctx);
    let keji = subs
        .iter()
        .find(|s| s.file == "市科技局.xlsx")
        .expect("keji");
    let errors: Vec<String> = keji
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(keji.rows_read, 2, "both sheets' tasks: {:?}", keji.problems);
    let row3 = keji.rows.iter().find(|r| r.task == 3).expect("task 3");
    assert_eq!(
        row3.percent,
        Some(80.0),
        "完成进度 under the merged 完成情况"
    );
    assert!(
        !row3
            .task_text
            .as_deref()
            .unwrap_or_default()
            .contains("企业培育"),
        "the group heading is not a sub-item: {:?}",
        row3.task_text
    );
    let row6 = keji.rows.iter().find(|r| r.task == 6).expect("task 6");
    assert_eq!(row6.percent, Some(95.0));

    let zhujian = subs
        .iter()
        .find(|s| s.file == "市住建局.xlsx")
        .expect("zhujian");
    assert_eq!(
        zhujian.reported_on,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        "the date Excel shows in a 1904 workbook: {:?}",
        zhujian.problems
    );
}

/// A header whose 完成进度 column cannot be recognised never merges rows silently.
#[test]
fn a_header_without_progress_column_is_listed() {
    let dir = temp_dir("corpus-no-percent");
    let mut sh = SheetSpec::new("Sheet1");
    sh.set(0, 0, s("填报单位：市科技局"));
    sh.row(
        1,
        ["序号", "任务目标", "本月工作进展", "进展百分比", "状态"]
            .map(s)
            .to_vec(),
    );
    sh.row(
        2,
        vec![
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("已实施8个。"),
            V::N(80.0),
            s("序时推进"),
        ],
    );
    write_xlsx(&dir.join("市科技局.xlsx"), &[sh]);
    let subs = read_month(&dir, &ctx());
    let sub = &subs[0];
    assert!(
        sub.problems
            .iter()
            .any(|p| p.code == ProblemCode::NoPercentColumn && p.sheet.as_deref() == Some("Sheet1")),
        "{:?}",
        sub.problems
    );
}

/// A workbook encrypted by a real tool (msoffcrypto-tool, Agile encryption as Excel writes it)
/// is told it has a password, under its own name and renamed.
#[test]
fn a_really_encrypted_workbook_is_named_as_such() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import msoffcrypto"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        crate::checker::missing("Python 的 msoffcrypto-tool（加密测试文件）");
        return;
    }
    let dir = temp_dir("corpus-encrypted");
    let plain = dir.join("plain.xlsx.src");
    clean_keji(&plain);
    let encrypted = dir.join("市科技局-加密.xlsx");
    let script = "import sys\nfrom msoffcrypto.format.ooxml import OOXMLFile\nwith open(sys.argv[1], 'rb') as f:\n    o = OOXMLFile(f)\n    with open(sys.argv[2], 'wb') as out:\n        o.encrypt('密码123', out)\n";
    let status = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&plain)
        .arg(&encrypted)
        .status()
        .expect("python3");
    assert!(status.success());
    std::fs::remove_file(&plain).ok();
    std::fs::copy(&encrypted, dir.join("市科技局-加密改名.xls")).expect("copy");
    let subs = read_month(&dir, &ctx());
    assert_eq!(subs.len(), 2);
    for sub in &subs {
        assert_eq!(sub.unit.as_deref(), Some("市科技局"), "{}", sub.file);
        assert!(
            sub.problems
                .iter()
                .any(|p| p.code == ProblemCode::PasswordProtected
                    && p.message.contains("有密码保护")),
            "{}: {:?}",
            sub.file,
            sub.problems
        );
    }
}

/// Hidden rows are read like the others, each with a 提示; the same task twice: the visible
/// row wins over a hidden one, and the warning names both cells.
#[test]
fn hidden_rows_are_read_and_a_visible_duplicate_wins() {
    let dir = temp_dir("corpus-hidden");
    let mut rows = keji_rows();
    rows.insert(
        1,
        [
            V::N(3.0),
            s("实施科技创新重大项目10个以上"),
            s("旧数据。"),
            V::N(40.0),
            s("滞后"),
        ],
    );
    let mut sheet = form_sheet("市科技局", "2026-11-25", rows);
    // row 5 (the second task-3 row) and row 6 (task 6) hidden
    sheet.hidden_rows = vec![4, 5];
    write_xlsx(&dir.join("市科技局.xlsx"), &[sheet]);
    let ctx = ctx();
    let subs = read_month(&dir, &ctx);
    let sub = &subs[0];
    let codes: Vec<ProblemCode> = sub.problems.iter().map(|p| p.code).collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == ProblemCode::HiddenRow)
            .count(),
        2,
        "{:?}",
        sub.problems
    );
    let dup = sub
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::DuplicateTask)
        .expect("duplicate warning");
    assert!(
        dup.message.contains("第 5 行（隐藏行）")
            && dup.message.contains("第 4 行")
            && dup.message.contains("可见行优先于隐藏行"),
        "{}",
        dup.message
    );
    assert_eq!(dup.cell.as_deref(), Some("A5"));
    let merged = merge(ctx.master, &subs);
    let task3 = &merged.reports[&3][0];
    assert_eq!(task3.row.percent, Some(80.0), "the visible row wins");
    assert!(!task3.row.source.hidden);
    let task6 = &merged.reports[&6][0];
    assert!(task6.row.source.hidden, "a hidden row alone is merged");
    assert!(merged.reconciliation.balances());
}

/// A parser panic on a hostile file is caught and prints nothing but our message: the console
/// of `duban check` shows no Rust panic text.
#[test]
fn a_caught_parser_panic_prints_nothing_but_our_message() {
    let dir = temp_dir("corpus-panic");
    let month = dir.join("submissions/2026-11");
    std::fs::create_dir_all(&month).expect("month");
    std::fs::write(
        month.join("市住建局.xls"),
        crate::hostile::xls_short_record(),
    )
    .expect("xls");
    let config = config_text(&ConfigPaths {
        output: Some(&dir.join("output")),
        submissions: Some(&dir.join("submissions")),
        ..Default::default()
    });
    let config_path = dir.join("duban.toml");
    std::fs::write(&config_path, config).expect("config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(&config_path)
        .args(["check", "--month", "2026-11"])
        .output()
        .expect("duban check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("已损坏（文件不完整）"), "{stdout}");
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
            "panic text on the console: {text}"
        );
    }
}

/// A BIFF12 record: type and size as 7-bit varints, then the data.
fn b12(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.push((typ & 0x7F) as u8 | 0x80);
        out.push((typ >> 7) as u8);
    }
    let mut len = data.len();
    loop {
        let byte = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend(data);
    out
}

/// An XLWideString: character count, then UTF-16LE.
fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// A minimal Excel binary workbook (.xlsb) written record by record: one sheet holding the
/// form's header block, header row and rows of (number, text, progress, percent, status).
fn xlsb_workbook(unit: &str, rows: &[(f64, &str, &str, f64, &str)]) -> Vec<u8> {
    let mut workbook = b12(0x0083, &[]); // BrtBeginBook
    workbook.extend(b12(0x008F, &[])); // BrtBeginBundleShs
    let mut sheet = 0u32.to_le_bytes().to_vec(); // hsState: visible
    sheet.extend(1u32.to_le_bytes()); // iTabID
    sheet.extend(wide("rId1"));
    sheet.extend(wide("进展情况"));
    workbook.extend(b12(0x009C, &sheet)); // BrtBundleSh
    workbook.extend(b12(0x0090, &[])); // BrtEndBundleShs
    workbook.extend(b12(0x0084, &[])); // BrtEndBook

    let text = |col: u32, s: &str| {
        let mut d = col.to_le_bytes().to_vec();
        d.extend(0u32.to_le_bytes()); // style
        d.extend(wide(s));
        b12(0x0006, &d) // BrtCellSt
    };
    let number = |col: u32, v: f64| {
        let mut d = col.to_le_bytes().to_vec();
        d.extend(0u32.to_le_bytes());
        d.extend(v.to_le_bytes());
        b12(0x0005, &d) // BrtCellReal
    };
    let row_header = |row: u32| {
        let mut d = row.to_le_bytes().to_vec();
        d.extend([0u8; 13]);
        b12(0x0000, &d) // BrtRowHdr
    };
    let last_row = 2 + rows.len() as u32;
    let mut ws = b12(0x0081, &[]); // BrtBeginSheet
    let mut dim = 0u32.to_le_bytes().to_vec();
    dim.extend(last_row.to_le_bytes());
    dim.extend(0u32.to_le_bytes());
    dim.extend(9u32.to_le_bytes());
    ws.extend(b12(0x0094, &dim)); // BrtWsDim
    ws.extend(b12(0x0091, &[])); // BrtBeginSheetData
    ws.extend(row_header(0));
    ws.extend(text(0, &format!("填报单位：{unit}")));
    ws.extend(text(7, "填报日期："));
    ws.extend(text(8, "2026-11-25"));
    ws.extend(row_header(1));
    for (c, h) in HEADERS.iter().enumerate() {
        ws.extend(text(c as u32, h));
    }
    for (i, (n, task, progress, pct, status)) in rows.iter().enumerate() {
        ws.extend(row_header(2 + i as u32));
        ws.extend(number(0, *n));
        ws.extend(text(1, task));
        ws.extend(text(3, progress));
        ws.extend(number(4, *pct));
        ws.extend(text(5, status));
    }
    ws.extend(b12(0x0092, &[])); // BrtEndSheetData
    ws.extend(b12(0x0082, &[])); // BrtEndSheet

    let content_types = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>"#;
    let rels = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let root_rels = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;
    zip_of(&[
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("xl/workbook.bin", &workbook),
        ("xl/_rels/workbook.bin.rels", rels),
        ("xl/worksheets/sheet1.bin", &ws),
    ])
}

/// An Excel binary workbook is read like the others, under its name or renamed.
#[test]
fn an_xlsb_workbook_is_read_like_the_others() {
    let dir = temp_dir("corpus-xlsb");
    let rows = [
        (
            3.0,
            "实施科技创新重大项目10个以上",
            "已实施重大项目8个。",
            80.0,
            "序时推进",
        ),
        (
            6.0,
            "培育高新技术企业100家",
            "新认定高新技术企业95家。",
            95.0,
            "序时推进",
        ),
    ];
    let bytes = xlsb_workbook("市科技局", &rows);
    std::fs::write(dir.join("市科技局.xlsb"), &bytes).expect("xlsb");
    std::fs::write(dir.join("市科技局-改名.xlsx"), &bytes).expect("renamed");
    let subs = read_month(&dir, &ctx());
    assert_eq!(subs.len(), 2);
    for sub in &subs {
        let errors: Vec<String> = sub
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| format!("{p} {:?}", p.detail))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", sub.file);
        assert_eq!(sub.unit.as_deref(), Some("市科技局"), "{}", sub.file);
        assert_eq!(sub.rows_read, 2, "{}: {:?}", sub.file, sub.problems);
        assert_eq!(
            sub.reported_on,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        );
        let percents: Vec<Option<f64>> = sub.rows.iter().map(|r| r.percent).collect();
        assert_eq!(percents, [Some(80.0), Some(95.0)], "{}", sub.file);
    }
}
