//! Sealed and signed notices: the demo month signed with a test certificate (RSA-2048 and
//! ECDSA P-256, made by `tests/signing/make_pki.py`), checked by poppler's `pdfsig`, pyHanko
//! and qpdf, a byte changed after signing caught by all three and by `duban verify`, and every
//! faulty seal or certificate stopping the run before anything is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const PASSWORD: &str = "mi ma 密码";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("signing")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn have(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The test PKI, made once per test run; `None` (with a note, or a failure under CI) when
/// Python's `cryptography` or the openssl CLI is missing.
fn pki() -> Option<&'static Path> {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    CELL.get_or_init(|| {
        if !have("python3", &["-c", "import cryptography"]) || !have("openssl", &["version"]) {
            crate::checker::missing("Python 的 cryptography 和 openssl 命令（生成测试证书）");
            return None;
        }
        let dir = tmp("pki");
        let out = Command::new("python3")
            .arg(repo().join("tests/signing/make_pki.py"))
            .arg(&dir)
            .arg(PASSWORD)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "make_pki.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(dir)
    })
    .as_deref()
}

/// A config file in `dir` with the demo's data and `extra` appended (absolute paths), its
/// output in `dir/output`.
fn config(dir: &Path, extra: &str) -> PathBuf {
    let r = repo();
    let text = format!(
        "[paths]\nmaster = {:?}\nunits = {:?}\nsubmissions = {:?}\noutput = {:?}\ntemplates = {:?}\nfonts = {:?}\n\
         [office]\nname = \"呼和浩特市人民政府督查室\"\n{extra}\n",
        r.join("input/master.xlsx"),
        r.join("input/units.toml"),
        r.join("input/submissions"),
        dir.join("output"),
        r.join("templates"),
        r.join("fonts"),
    );
    let path = dir.join("duban.toml");
    std::fs::write(&path, text).expect("config");
    path
}

fn seal_section() -> String {
    format!("[seal]\nimage = {:?}\n", repo().join("input/seal/样章.png"))
}

fn signing_section(p12: &Path, trust: &Path) -> String {
    format!("[signing]\ncertificate = {p12:?}\ntrust = {trust:?}\n")
}

fn duban(config: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_duban"));
    cmd.arg("--config").arg(config).args(args);
    cmd.env_remove("DUBAN_SIGN_PASSWORD");
    if let Some(p) = password {
        cmd.env("DUBAN_SIGN_PASSWORD", p);
    }
    cmd.output().expect("duban runs")
}

/// November of the demo, sealed and signed with `key` (`rsa` or `p256`): the month folder.
fn signed_month(key: &'static str) -> Option<&'static Path> {
    static RSA: OnceLock<Option<PathBuf>> = OnceLock::new();
    static P256: OnceLock<Option<PathBuf>> = OnceLock::new();
    let cell = if key == "rsa" { &RSA } else { &P256 };
    cell.get_or_init(|| {
        let pki = pki()?;
        let dir = tmp(&format!("month-{key}"));
        let cfg = config(
            &dir,
            &(seal_section()
                + &signing_section(&pki.join(format!("{key}.p12")), &pki.join("ca.pem"))),
        );
        let out = duban(&cfg, &["run", "--month", "2026-11"], Some(PASSWORD));
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "run: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Some(dir.join("output/2026-11"))
    })
    .as_deref()
}

fn notices(month: &Path) -> Vec<PathBuf> {
    let mut pdfs = Vec::new();
    for kind in ["领导", "单位"] {
        for entry in std::fs::read_dir(month.join("督办单").join(kind)).expect("notices") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "pdf") {
                pdfs.push(path);
            }
        }
    }
    pdfs.sort();
    pdfs
}

/// `pdfsig`'s report of one file; `None` when poppler is missing.
fn pdfsig(pdf: &Path) -> Option<String> {
    let out = match Command::new("pdfsig").arg(pdf).output() {
        Ok(o) => o,
        Err(_) => {
            crate::checker::missing("pdfsig（poppler-utils）");
            return None;
        }
    };
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// pyHanko's verdict per file (see `tests/signing/validate.py`).
fn pyhanko(ca: &Path, pdfs: &[PathBuf]) -> Option<serde_json::Value> {
    if !have("python3", &["-c", "import pyhanko, pyhanko_certvalidator"]) {
        crate::checker::missing("pyHanko（pip install pyhanko pyhanko-certvalidator）");
        return None;
    }
    let out = Command::new("python3")
        .arg(repo().join("tests/signing/validate.py"))
        .arg(ca)
        .args(pdfs)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    Some(
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
            panic!(
                "validate.py: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        }),
    )
}

/// `pyhanko sign validate --trust CA --executive-summary`: `签发:<fingerprint>:VALID` or
/// `…:INVALID`.
fn pyhanko_cli(ca: &Path, pdf: &Path) -> Option<String> {
    let out = Command::new("pyhanko")
        .args([
            "sign",
            "validate",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
        ])
        .arg(ca)
        .arg("--executive-summary")
        .arg(pdf)
        .output();
    match out {
        Ok(o) => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Err(_) => {
            crate::checker::missing("pyhanko 命令（pip install pyhanko-cli）");
            None
        }
    }
}

fn check_signed_month(key: &'static str, signer: &str) {
    let Some(month) = signed_month(key) else {
        return;
    };
    let pki = pki().expect("made with the month");
    let pdfs = notices(month);
    assert_eq!(pdfs.len(), 56, "11 leader documents and 45 unit notices");
    for pdf in &pdfs {
        let bytes = std::fs::read(pdf).expect("pdf");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/SubFilter /ETSI.CAdES.detached"),
            "{}",
            pdf.display()
        );
        assert!(text.contains("/Filter /Adobe.PPKLite"), "{}", pdf.display());
        // the library's own check, no password
        let good = duban::stamp::check::check_pdf(&bytes, &[]).expect("signature holds");
        assert_eq!(good[0].signer, signer);
        let Some(report) = pdfsig(pdf) else {
            continue;
        };
        assert!(
            report.contains("Signature is Valid"),
            "{}: {report}",
            pdf.display()
        );
        assert!(
            report.contains("Total document signed"),
            "{}: {report}",
            pdf.display()
        );
        assert!(report.contains(signer), "{}: {report}", pdf.display());
        assert!(report.contains("ETSI.CAdES.detached"), "{report}");
        // signed at the date of issue (成文日期), not the clock
        assert!(
            report.contains("Signing Time: Dec 02 2026 00:00:00"),
            "{report}"
        );
    }
    if let Some(verdicts) = pyhanko(&pki.join("ca.pem"), &pdfs) {
        for pdf in &pdfs {
            let v = &verdicts[pdf.to_string_lossy().as_ref()];
            assert_eq!(v["intact"], true, "{}: {v}", pdf.display());
            assert_eq!(v["valid"], true, "{}: {v}", pdf.display());
            assert_eq!(v["trusted"], true, "{}: {v}", pdf.display());
            assert_eq!(v["coverage"], "SignatureCoverageLevel.ENTIRE_FILE", "{v}");
            assert_eq!(v["signer"], signer, "{v}");
            assert_eq!(v["md_algorithm"], "sha256", "{v}");
        }
    }
    // The email carries the signed PDF, byte for byte (Python's email parser reads it).
    let eml = month.join("邮件/市科技局.eml");
    let script = "import sys, email, hashlib; m = email.message_from_binary_file(open(sys.argv[1], 'rb')); \
                  print(''.join(hashlib.sha256(p.get_payload(decode=True)).hexdigest() \
                  for p in m.walk() if p.get_content_type() == 'application/pdf'))";
    if let Ok(out) = Command::new("python3")
        .args(["-c", script])
        .arg(&eml)
        .output()
    {
        let pdf = std::fs::read(month.join("督办单/单位/市科技局.pdf")).expect("pdf");
        use sha2::Digest as _;
        let hex: String = sha2::Sha256::digest(&pdf)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            hex,
            "attachment = signed PDF"
        );
    }
    if let Some(summary) = pyhanko_cli(&pki.join("ca.pem"), &pdfs[0]) {
        assert!(summary.trim_end().ends_with(":VALID"), "{summary}");
    }
    // `duban verify` checks hashes and every signature against [signing] trust.
    let cfg = month
        .parent()
        .and_then(Path::parent)
        .expect("dir")
        .join("duban.toml");
    let out = duban(&cfg, &["verify", "--month", "2026-11"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("份 PDF 的电子签名有效"), "{stdout}");
    assert!(stdout.contains(signer), "{stdout}");
}

#[test]
fn the_demo_month_signed_with_rsa_passes_pdfsig_pyhanko_and_verify() {
    check_signed_month("rsa", "督查室签名（RSA测试）");
}

#[test]
fn the_demo_month_signed_with_p256_passes_pdfsig_pyhanko_and_verify() {
    check_signed_month("p256", "督查室签名（P-256测试）");
}

#[test]
fn signed_notices_pass_qpdf_and_render_the_seal_in_red() {
    let Some(month) = signed_month("p256") else {
        return;
    };
    let pdf = month.join("督办单/单位/市发改委.pdf");
    match Command::new("qpdf").arg("--check").arg(&pdf).output() {
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "qpdf --check: {stdout}");
            assert!(
                stdout.contains("No syntax or stream encoding errors"),
                "{stdout}"
            );
        }
        Err(_) => crate::checker::missing("qpdf"),
    }
    // The seal is the signature widget's appearance: poppler draws it on the last page.
    let png = month.parent().expect("output").join("seal-page");
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-singlefile", "-l", "99"])
        .arg("-f")
        .arg(pdf_page_count(&pdf).to_string())
        .arg(&pdf)
        .arg(&png)
        .output();
    match rendered {
        Ok(out) if out.status.success() => {
            let red = red_pixels(&png.with_extension("png"));
            assert!(red > 400, "{red} red pixels: the seal is drawn");
        }
        Ok(out) => panic!("pdftoppm: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => crate::checker::missing("pdftoppm（poppler-utils）"),
    }
}

fn pdf_page_count(pdf: &Path) -> usize {
    let bytes = std::fs::read(pdf).expect("pdf");
    bytes
        .windows(b"/Type /Page".len() + 1)
        .filter(|w| w.starts_with(b"/Type /Page") && w[w.len() - 1] != b's')
        .count()
}

/// Pixels of a PNG that are clearly seal red (Python's Pillow reads it).
fn red_pixels(png: &Path) -> usize {
    let script = "import sys; from PIL import Image; im = Image.open(sys.argv[1]).convert('RGB'); \
                  print(sum(1 for r, g, b in im.getdata() if r > 180 and g < 110 and b < 110))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(png)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_byte_changed_after_signing_is_caught_by_pdfsig_pyhanko_and_verify() {
    let Some(month) = signed_month("rsa") else {
        return;
    };
    let pki = pki().expect("made with the month");
    let dir = tmp("tampered");
    let copy = dir.join("output/2026-11");
    copy_dir(month, &copy);
    let victim = copy.join("督办单/单位/市科技局.pdf");
    let mut bytes = std::fs::read(&victim).expect("pdf");
    let at = find(&bytes, b"/Producer (duban)").expect("producer") + b"/Producer (".len();
    bytes[at] = b'D';
    std::fs::write(&victim, &bytes).expect("write");

    let fault = duban::stamp::check::check_pdf(&bytes, &[]).expect_err("broken");
    assert_eq!(fault, duban::stamp::check::SignatureFault::DigestMismatch);
    if let Some(report) = pdfsig(&victim) {
        assert!(!report.contains("Signature is Valid"), "{report}");
        assert!(
            report.contains("Signature is Invalid") || report.contains("Digest Mismatch"),
            "{report}"
        );
    }
    if let Some(verdicts) = pyhanko(&pki.join("ca.pem"), std::slice::from_ref(&victim)) {
        let v = &verdicts[victim.to_string_lossy().as_ref()];
        assert_eq!(v["intact"], false, "{v}");
    }
    if let Some(summary) = pyhanko_cli(&pki.join("ca.pem"), &victim) {
        assert!(summary.contains(":INVALID"), "{summary}");
    }
    let cfg = config(
        &dir,
        &(seal_section() + &signing_section(&pki.join("rsa.p12"), &pki.join("ca.pem"))),
    );
    let out = duban(&cfg, &["verify", "--month", "2026-11"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .contains("签名无效：督办单/单位/市科技局.pdf（签名之后文件内容被改动过（摘要不符））"),
        "{stdout}"
    );
    assert!(
        stdout.contains("55 份 PDF 的电子签名有效，1 份无效"),
        "{stdout}"
    );

    // A signer the trusted CA did not issue is named too.
    let stranger = config(
        &dir,
        &(seal_section() + &signing_section(&pki.join("rsa.p12"), &pki.join("stranger-ca.pem"))),
    );
    std::fs::write(
        &victim,
        std::fs::read(month.join("督办单/单位/市科技局.pdf")).expect("pdf"),
    )
    .expect("restore");
    let out = duban(&stranger, &["verify", "--month", "2026-11"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("不是由受信任的证书机构签发的"), "{stdout}");
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn a_faulty_seal_or_certificate_stops_the_run_before_writing() {
    let Some(pki) = pki() else {
        return;
    };
    let dir = tmp("faults");
    let not_png = dir.join("印章.png");
    std::fs::write(&not_png, b"GIF89a not a png").expect("write");
    let trust = pki.join("ca.pem");
    let cases: Vec<(String, Option<&str>, Vec<String>)> = vec![
        (
            signing_section(&pki.join("rsa.p12"), &trust),
            Some("wrong"),
            vec!["rsa.p12".into(), "密码不对".into()],
        ),
        (
            signing_section(&pki.join("rsa.p12"), &trust),
            None,
            vec!["DUBAN_SIGN_PASSWORD".into(), "rsa.p12".into()],
        ),
        (
            signing_section(&pki.join("expired.p12"), &trust),
            Some(PASSWORD),
            vec!["expired.p12".into(), "已过期".into(), "过期".into()],
        ),
        (
            signing_section(&pki.join("certs-only.p12"), &trust),
            Some(PASSWORD),
            vec!["certs-only.p12".into(), "没有私钥".into()],
        ),
        (
            signing_section(&pki.join("legacy.p12"), &trust),
            Some(PASSWORD),
            vec![
                "legacy.p12".into(),
                "openssl pkcs12".into(),
                "-legacy".into(),
            ],
        ),
        (
            format!("[seal]\nimage = {not_png:?}\n"),
            None,
            vec!["印章.png".into(), "不是 PNG 图片".into()],
        ),
    ];
    for (i, (section, password, expected)) in cases.iter().enumerate() {
        let case = dir.join(format!("case{i}"));
        std::fs::create_dir_all(&case).expect("dir");
        let cfg = config(&case, section);
        let out = duban(&cfg, &["run", "--month", "2026-11"], *password);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "case {i}: {stderr}");
        for word in expected {
            assert!(
                stderr.contains(word.as_str()),
                "case {i}: “{word}” in {stderr}"
            );
        }
        assert!(!case.join("output").exists(), "case {i}: nothing written");
    }
}

#[test]
fn the_year_report_is_sealed_and_signed_the_same_way() {
    let Some(month) = signed_month("rsa") else {
        return;
    };
    let dir = month.parent().and_then(Path::parent).expect("dir");
    let out = duban(
        &dir.join("duban.toml"),
        &["year", "--year", "2026"],
        Some(PASSWORD),
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "year: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = dir.join("output/2026年度/年度督办总结_2026年.pdf");
    let bytes = std::fs::read(&pdf).expect("year report");
    let good = duban::stamp::check::check_pdf(&bytes, &[]).expect("signed");
    assert_eq!(good[0].signer, "督查室签名（RSA测试）");
    if let Some(report) = pdfsig(&pdf) {
        assert!(report.contains("Signature is Valid"), "{report}");
        assert!(report.contains("Total document signed"), "{report}");
    }
    let ofd = std::fs::read(pdf.with_extension("ofd")).expect("ofd twin");
    assert!(
        ofd.windows(b"Doc_0/Res/image_".len())
            .any(|w| w == b"Doc_0/Res/image_"),
        "the OFD twin carries the seal"
    );
}

#[test]
fn the_same_document_signed_twice_gives_the_same_bytes() {
    use duban_pdf::{Align, Block, Document, FontRole, PageSetup, Paragraph, Span, Style};
    let Some(pki) = pki() else {
        return;
    };
    let fonts = duban_pdf::FontSet::load_dir(&repo().join("fonts")).expect("fonts");
    let body = Style::new(FontRole::Body, 16.0);
    let line = |text: &str| {
        Block::Paragraph(Paragraph::new(vec![Span::text(text, body)], 28.99).align(Align::Right))
    };
    let doc = Document {
        page: PageSetup::a4_portrait(),
        blocks: vec![
            line("请于2026年12月10日前书面反馈。"),
            Block::Spacer(58.0),
            line("呼和浩特市人民政府督查室"),
            line("2026年12月2日"),
        ],
    };
    let meta = duban_pdf::Meta {
        title: "督办通知单".into(),
        author: "督查室".into(),
        subject: String::new(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
        creator: "duban".into(),
        creator_version: env!("CARGO_PKG_VERSION").into(),
    };
    let issued = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
    let ca = duban::stamp::check::load_pem(&std::fs::read(pki.join("ca.pem")).expect("ca"))
        .expect("pem");
    for key in ["rsa", "p256"] {
        let dir = tmp(&format!("twice-{key}"));
        let cfg_path = config(
            &dir,
            &(seal_section()
                + &signing_section(&pki.join(format!("{key}.p12")), &pki.join("ca.pem"))),
        );
        let cfg = duban::config::Config::load(&cfg_path).expect("config");
        let today = chrono::Utc::now().date_naive();
        let stamp =
            duban::stamp::Stamp::load_with(&cfg, Some(PASSWORD), today).expect("certificate opens");
        let mut laid = duban_pdf::layout(&doc, &fonts);
        stamp.place_seal(&mut laid);
        assert_eq!(laid.pages[0].images().count(), 1, "sealed");
        let (a, ofd) = stamp
            .write(&laid, &fonts, &meta, issued, true)
            .expect("signs");
        let (b, _) = stamp
            .write(&laid, &fonts, &meta, issued, true)
            .expect("signs");
        assert!(a == b, "{key}: deterministic signature");
        assert!(ofd.is_some());
        let good = duban::stamp::check::check_pdf(&a, &ca).expect("valid against the CA");
        assert_eq!(good.len(), 1);
        // A wrong password or the expired certificate is refused by name.
        let err = duban::stamp::Stamp::load_with(&cfg, Some("nope"), today)
            .err()
            .expect("wrong password");
        assert!(
            matches!(err, duban::stamp::StampError::WrongPassword { .. }),
            "{err}"
        );
    }
}
