//! `duban send` against a real SMTP server: Python's aiosmtpd on 127.0.0.1, started and stopped
//! by each test (`tests/smtp/smtp_server.py`), with TLS certificates made by the test.
//!
//! Every test sends the demo's November from its own copy of one archived month, through the
//! binary as the office runs it, and reads what the server received (the message bytes, and the
//! attachments as Python's `email` package parses them).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub(crate) const PASSWORD: &str = "Zx9-督办-pw!";
pub(crate) const USER: &str = "duchashi";

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("send")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The demo's November, archived once for the whole file; each test copies it.
fn archived_november() -> &'static Path {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    CELL.get_or_init(|| {
        let out = temp("archive");
        let mut cfg = duban::config::Config::load(&root().join("duban.toml")).expect("config");
        cfg.paths.output = out.clone();
        let opts = duban::pipeline::RunOptions {
            month: duban::model::Month::parse("2026-11"),
            as_of: None,
            force: false,
        };
        duban::pipeline::run(&cfg, &opts, &duban::pipeline::Silent).expect("November runs");
        out
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// A test's own project: output holding a copy of the archived November, its own copy of
/// November's submissions (where the month's send lock lives), and a duban.toml whose other
/// paths point at the repository's inputs and whose `[mail]` is `mail` (TOML lines).
pub(crate) struct Project {
    pub(crate) dir: PathBuf,
    pub(crate) config: PathBuf,
}

impl Project {
    pub(crate) fn new(name: &str, mail: &str) -> Project {
        Project::with_units(name, mail, &root().join("input/units.toml"))
    }

    pub(crate) fn with_units(name: &str, mail: &str, units: &Path) -> Project {
        let dir = temp(name);
        copy_tree(
            &archived_november().join("2026-11"),
            &dir.join("output/2026-11"),
        );
        // the archive ledger that vouches for run.json
        std::fs::copy(
            archived_november().join(duban::archive::LEDGER),
            dir.join("output").join(duban::archive::LEDGER),
        )
        .expect("ledger");
        copy_tree(
            &root().join("input/submissions/2026-11"),
            &dir.join("submissions/2026-11"),
        );
        let text = crate::common::config_text(&crate::common::ConfigPaths {
            output: Some(&dir.join("output")),
            units: Some(units),
            submissions: Some(&dir.join("submissions")),
        });
        let config = dir.join("duban.toml");
        std::fs::write(&config, format!("{text}\n[mail]\n{mail}\n")).expect("config");
        Project { dir, config }
    }

    pub(crate) fn month(&self) -> PathBuf {
        self.dir.join("output/2026-11")
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.month().join("邮件/发送记录.csv")).unwrap_or_default()
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_duban"));
        cmd.current_dir(&self.dir)
            .arg("--config")
            .arg(&self.config)
            .arg("send")
            .args(args)
            .env("DUBAN_SMTP_PASSWORD", PASSWORD);
        cmd
    }

    pub(crate) fn send(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run duban send")
    }
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A message the server stored.
pub(crate) struct Received {
    pub(crate) rcpt: Vec<String>,
    pub(crate) message: Vec<u8>,
    /// (file name, bytes) as Python's email package decoded them.
    attachments: Vec<(String, Vec<u8>)>,
}

/// The test SMTP server (a child process), killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    dir: PathBuf,
}

impl Server {
    /// Starts `smtp_server.py serve` with `args`; `None` (after noting it) when Python or
    /// aiosmtpd is missing on a developer's machine — under CI that fails the test.
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Option<Server> {
        if !python_has("aiosmtpd") {
            crate::checker::missing("Python 的 aiosmtpd（SMTP 测试服务器）");
            return None;
        }
        let received = dir.join("received");
        let mut child = Command::new("python3")
            .arg(root().join("tests/smtp/smtp_server.py"))
            .arg("serve")
            .arg("--dir")
            .arg(&received)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP server");
        let stdout = child.stdout.take().expect("server stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the SMTP server says READY");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected server output: {line:?}"));
        Some(Server {
            child,
            port,
            dir: received,
        })
    }

    /// Messages stored so far, in arrival order.
    pub(crate) fn received(&self) -> Vec<Received> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_none())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        dirs.iter()
            .map(|d| {
                let envelope: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(d.join("envelope.json")).expect("envelope"),
                )
                .expect("json");
                let names: Vec<String> = envelope["attachments"]
                    .as_array()
                    .expect("attachments")
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect();
                Received {
                    rcpt: envelope["rcpt_tos"]
                        .as_array()
                        .expect("rcpt")
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default().to_string())
                        .collect(),
                    message: std::fs::read(d.join("message.eml")).expect("message"),
                    attachments: names
                        .into_iter()
                        .enumerate()
                        .map(|(i, n)| {
                            (
                                n,
                                std::fs::read(d.join(format!("attachment-{i}")))
                                    .expect("attachment"),
                            )
                        })
                        .collect(),
                }
            })
            .collect()
    }

    pub(crate) fn count(&self) -> usize {
        self.received().len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Test CA, server certificate and a second, unrelated CA (made by the server script with
/// Python's cryptography); `None` when that is missing on a developer's machine.
pub(crate) fn certs(dir: &Path) -> Option<PathBuf> {
    if !python_has("cryptography") {
        crate::checker::missing("Python 的 cryptography（生成测试证书）");
        return None;
    }
    let certs = dir.join("certs");
    let status = Command::new("python3")
        .arg(root().join("tests/smtp/smtp_server.py"))
        .arg("certs")
        .arg(&certs)
        .status()
        .expect("make certificates");
    assert!(status.success(), "certificates made");
    Some(certs)
}

pub(crate) fn plain_mail(port: u16) -> String {
    format!("host = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nper_minute = 0\n")
}

/// Received messages per first recipient.
pub(crate) fn per_recipient(received: &[Received]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in received {
        *out.entry(r.rcpt.join(",")).or_insert(0) += 1;
    }
    out
}

/// Every unit's address in the archived 清单.csv.
fn addresses(project: &Project) -> Vec<String> {
    let manifest =
        std::fs::read_to_string(project.month().join("邮件/清单.csv")).expect("清单.csv");
    duban::mail::read_csv(&manifest)
        .iter()
        .skip(1)
        .map(|r| r[1].clone())
        .collect()
}

/// The unfolded value of header `name` in a message.
pub(crate) fn header_value(message: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(message);
    let head = text.split("\r\n\r\n").next()?;
    let mut value: Option<String> = None;
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push_str(line);
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_string());
        }
    }
    value
}

pub(crate) fn log_rows(project: &Project, outcome: &str) -> usize {
    duban::mail::read_csv(&project.log())
        .iter()
        .skip(1)
        .filter(|r| r.get(6).is_some_and(|o| o == outcome))
        .count()
}

#[test]
fn all_notices_arrive_once_byte_for_byte_and_never_twice() {
    let dir = temp("once");
    let Some(server) = Server::start(&dir, &[]) else {
        return;
    };
    let project = Project::new("once-project", &plain_mail(server.port));
    // A dry run lists and connects to nothing.
    let out = project.send(&["--dry-run", "--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let listing = text(&out);
    assert!(
        listing.contains("共 45 封邮件，本次将发送 45 封"),
        "{listing}"
    );
    assert!(
        listing.contains(
            "[将发送] 市发改委  收件人：fgw@hhht.example.org  主题：【督办通知】市发改委2026年11月"
        ),
        "{listing}"
    );
    assert_eq!(server.count(), 0);

    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("本次发送 45 封"), "{}", text(&out));
    let received = server.received();
    assert_eq!(received.len(), 45);
    let counts = per_recipient(&received);
    let mut expected = addresses(&project);
    expected.sort();
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), expected);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let month = project.month();
    for r in &received {
        assert_eq!(r.attachments.len(), 1);
        let (name, bytes) = &r.attachments[0];
        let archived_pdf = std::fs::read(month.join("督办单/单位").join(name)).expect("pdf");
        assert!(
            *bytes == archived_pdf,
            "{name}: received PDF equals the archived one"
        );
        // The message is the archived .eml minus X-Unsent, dated when sent (lettre ends the
        // DATA with CRLF . CRLF after the message's own final CRLF, so the server may keep one
        // more).
        let stem = name.strip_suffix(".pdf").expect("pdf name");
        let archived = std::fs::read(month.join("邮件").join(format!("{stem}.eml"))).expect("eml");
        let date = header_value(&r.message, "Date").expect("a Date header");
        assert_ne!(
            Some(date.clone()),
            header_value(&archived, "Date"),
            "{name}: dated when sent, not with the run's date"
        );
        let sent_at = chrono::DateTime::parse_from_rfc2822(&date).expect("RFC 5322 date");
        let age = chrono::Utc::now().signed_duration_since(sent_at);
        assert!(age.num_seconds().abs() < 600, "{name}: {date}");
        let expected = duban::mail::dated(&duban::mail::without_unsent(&archived), &date);
        assert!(
            r.message == expected || r.message == [&expected[..], b"\r\n"].concat(),
            "{name}: message bytes as archived"
        );
        // The log names both: the archived message, and the bytes that went out.
        let log = duban::mail::read_csv(&project.log());
        let row = log
            .iter()
            .find(|row| row[3] == format!("{stem}.eml") && row[6] == "已发送")
            .expect("logged");
        assert_eq!(row[4], duban::archive::sha256_hex(&archived));
        assert_eq!(
            row[5],
            duban::archive::sha256_hex(&expected),
            "{name}: the log's SHA-256 is of the bytes sent"
        );
    }
    assert_eq!(log_rows(&project, "已发送"), 45);

    // Idempotent: a second run sends nothing and says so.
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("此前已发送 45 封"), "{}", text(&out));
    assert_eq!(server.count(), 45);

    // --resend needs --only; with it, one unit gets one more copy.
    let out = project.send(&["--month", "2026-11", "--resend"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = project.send(&["--month", "2026-11", "--resend", "--only", "市财政局"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let received = server.received();
    assert_eq!(received.len(), 46);
    assert_eq!(received[45].rcpt, ["czj@hhht.example.org"]);
    assert_eq!(log_rows(&project, "已发送"), 46);
    // An unknown unit is a usage error naming it.
    let out = project.send(&["--month", "2026-11", "--only", "市不存在局"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("市不存在局"), "{}", text(&out));
    // The send log does not disturb verification of the archive.
    let report = duban::archive::verify::verify_month(&month).expect("verify");
    assert!(report.is_intact(), "{:?}", report.lines());
}

#[test]
fn starttls_and_implicit_tls_with_the_office_ca_and_no_password_anywhere() {
    let dir = temp("tls");
    let Some(certs) = certs(&dir) else {
        return;
    };
    let (cert, key) = (certs.join("server.pem"), certs.join("server.key"));
    let tls_args = |security: &'static str| {
        vec![
            "--security".to_string(),
            security.to_string(),
            "--cert".to_string(),
            cert.display().to_string(),
            "--key".to_string(),
            key.display().to_string(),
            "--user".to_string(),
            USER.to_string(),
            "--password".to_string(),
            PASSWORD.to_string(),
        ]
    };
    let start = |security: &'static str| {
        let args = tls_args(security);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Server::start(&dir.join(security), &args)
    };
    let Some(starttls) = start("starttls") else {
        return;
    };
    let Some(implicit) = start("tls") else {
        return;
    };
    let mail = |port: u16, security: &str| {
        format!(
            "host = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\nusername = \"{USER}\"\nper_minute = 0\nca_file = {:?}\n",
            certs.join("ca.pem").display().to_string()
        )
    };
    let project = Project::new("tls-starttls", &mail(starttls.port, "starttls"));
    let out = project.send(&["--month", "2026-11"]);
    let console_a = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console_a}");
    assert_eq!(starttls.count(), 45);

    let project_b = Project::new("tls-implicit", &mail(implicit.port, "tls"));
    let out = project_b.send(&[
        "--month",
        "2026-11",
        "--only",
        "市发改委",
        "--only",
        "市科技局",
    ]);
    let console_b = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console_b}");
    let got = implicit.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].rcpt, ["fgw@hhht.example.org"]);

    // The password is in no file, log or console output.
    for haystack in [console_a, console_b, project.log(), project_b.log()] {
        assert!(!haystack.contains(PASSWORD));
    }
    for p in [&project, &project_b] {
        let mut stack = vec![p.dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("dir").filter_map(Result::ok) {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).expect("read");
                    assert!(
                        !bytes
                            .windows(PASSWORD.len())
                            .any(|w| w == PASSWORD.as_bytes()),
                        "password found in {}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn wrong_ca_wrong_or_missing_password_stop_with_exit_2_and_nothing_sent() {
    let dir = temp("refused");
    let Some(certs) = certs(&dir) else {
        return;
    };
    let cert = certs.join("server.pem").display().to_string();
    let key = certs.join("server.key").display().to_string();
    let Some(server) = Server::start(
        &dir,
        &[
            "--security",
            "tls",
            "--cert",
            &cert,
            "--key",
            &key,
            "--user",
            USER,
            "--password",
            PASSWORD,
        ],
    ) else {
        return;
    };
    let mail = |ca: &str| {
        format!(
            "host = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\nusername = \"{USER}\"\nper_minute = 0\nca_file = {:?}\n",
            server.port,
            certs.join(ca).display().to_string()
        )
    };
    // A CA that did not sign the server's certificate.
    let project = Project::new("refused-ca", &mail("other-ca.pem"));
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("签发机构不受信任"), "{}", text(&out));
    assert_eq!(log_rows(&project, "已发送"), 0);
    // No CA file at all: the test CA is not trusted by the system either.
    let project = Project::new(
        "refused-noca",
        &format!(
            "host = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\nusername = \"{USER}\"\nper_minute = 0\n",
            server.port
        ),
    );
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(log_rows(&project, "已发送"), 0);

    // The right CA but a wrong password.
    let project = Project::new("refused-password", &mail("ca.pem"));
    let out = project
        .command(&["--month", "2026-11"])
        .env("DUBAN_SMTP_PASSWORD", "not-the-password")
        .output()
        .expect("run");
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(console.contains("拒绝登录"), "{console}");
    assert!(!console.contains("not-the-password"), "{console}");
    assert_eq!(log_rows(&project, "已发送"), 0);
    // No password at all.
    let out = project
        .command(&["--month", "2026-11"])
        .env_remove("DUBAN_SMTP_PASSWORD")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("DUBAN_SMTP_PASSWORD"), "{}", text(&out));
    assert_eq!(server.count(), 0);
    assert!(!project.log().contains("not-the-password"));
}

#[test]
fn a_451_is_retried_a_550_is_logged_and_the_others_go_on() {
    let dir = temp("faults");
    let Some(server) = Server::start(
        &dir,
        &[
            "--tempfail-rcpt",
            "czj@hhht.example.org",
            "--reject-rcpt",
            "fgw@hhht.example.org",
        ],
    ) else {
        return;
    };
    let project = Project::new("faults-project", &plain_mail(server.port));
    let out = project.send(&["--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(
        console.contains("未送达：市发改委（fgw@hhht.example.org）被拒收"),
        "{console}"
    );
    assert!(console.contains("550"), "{console}");
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 44, "all but the rejected one");
    assert_eq!(counts.get("czj@hhht.example.org"), Some(&1), "retried once");
    assert!(!counts.contains_key("fgw@hhht.example.org"));
    let log = project.log();
    assert!(
        log.lines()
            .any(|l| l.contains("市发改委") && l.contains("被拒收") && l.contains("550 5.1.1")),
        "{log}"
    );
    assert_eq!(log_rows(&project, "已发送"), 44);
    // Next run: only the rejected unit is tried again (and refused again).
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("此前已发送 44 封"), "{}", text(&out));
    assert_eq!(server.count(), 44);
}

#[test]
fn a_dropped_connection_is_reopened_and_the_rest_delivered() {
    let dir = temp("dropped");
    let Some(server) = Server::start(&dir, &["--drop-after", "10"]) else {
        return;
    };
    let project = Project::new("dropped-project", &plain_mail(server.port));
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("重试"), "{}", text(&out));
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 45);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
}

#[test]
fn killed_mid_batch_a_rerun_delivers_the_rest_and_no_second_copy() {
    let dir = temp("killed");
    let Some(server) = Server::start(&dir, &["--delay", "0.05"]) else {
        return;
    };
    let project = Project::new("killed-project", &plain_mail(server.port));
    let mut child = project
        .command(&["--month", "2026-11"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn duban send");
    let started = Instant::now();
    while server.count() < 12 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("kill -9");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the sender was killed mid-batch");
    let before = server.count();
    assert!(
        (12..45).contains(&before),
        "{before} messages before the kill"
    );
    let out = project.send(&["--month", "2026-11"]);
    let console = text(&out);
    let received = server.received();
    let counts = per_recipient(&received);
    assert!(
        counts.values().all(|n| *n == 1),
        "no second copy: {counts:?}"
    );
    // Every unit has its notice, or is named as 状态不明 (killed between body and reply).
    let unknown: Vec<String> =
        duban::mail::read_records(&project.month().join("邮件/发送记录.csv"))
            .expect("log")
            .into_iter()
            .filter(|(_, r)| r.unknown && r.sent.is_none())
            .map(|(unit, _)| unit)
            .collect();
    assert!(unknown.len() <= 1, "{unknown:?}");
    for unit in &unknown {
        assert!(console.contains(unit.as_str()), "{unit}: {console}");
    }
    assert_eq!(
        log_rows(&project, "已发送") + unknown.len(),
        45,
        "{console}"
    );
    let expected = if unknown.is_empty() { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected), "{console}");
}

#[test]
fn an_altered_archive_is_refused_before_connecting() {
    let project = Project::new("altered", &plain_mail(9));
    let pdf = project.month().join("督办单/单位/市发改委.pdf");
    let mut bytes = std::fs::read(&pdf).expect("pdf");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&pdf, bytes).expect("write");
    for args in [
        &["--month", "2026-11"][..],
        &["--month", "2026-11", "--dry-run"],
    ] {
        let out = project.send(args);
        let console = text(&out);
        assert_eq!(out.status.code(), Some(2), "{console}");
        assert!(
            console.contains("已被改动：督办单/单位/市发改委.pdf"),
            "{console}"
        );
        assert!(console.contains("未发送任何邮件"), "{console}");
    }
    assert_eq!(project.log(), "", "no send log was started");
    // A month never run is named with what to do.
    let out = project.send(&["--month", "2026-09"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("duban run --month 2026-09"),
        "{}",
        text(&out)
    );
}

#[test]
fn forms_are_sent_and_a_unit_without_address_is_listed_once() {
    let dir = temp("forms");
    let Some(server) = Server::start(&dir, &[]) else {
        return;
    };
    // units.toml with one address removed
    let units = std::fs::read_to_string(root().join("input/units.toml")).expect("units");
    let units = units.replacen("email = \"czj@hhht.example.org\"\n", "", 1);
    let units_file = dir.join("units.toml");
    std::fs::write(&units_file, units).expect("units");
    let project = Project::with_units("forms-project", &plain_mail(server.port), &units_file);
    let forms = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(&project.config)
        .args(["templates", "--month", "2026-12"])
        .output()
        .expect("templates");
    assert_eq!(forms.status.code(), Some(0), "{}", text(&forms));
    assert!(text(&forms).contains("市财政局"), "{}", text(&forms));
    let out = project.send(&["--templates", "--month", "2026-12"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(console.contains("本次发送 44 封"), "{console}");
    assert!(console.contains("另行送达：市财政局"), "{console}");
    let received = server.received();
    assert_eq!(received.len(), 44);
    let folder = project.dir.join("output/2026-12/templates");
    for r in &received {
        let (name, bytes) = &r.attachments[0];
        assert!(name.ends_with("_2026年12月重点任务进展表.xlsx"), "{name}");
        assert!(
            *bytes == std::fs::read(folder.join(name)).expect("workbook"),
            "{name}"
        );
    }
    let log_path = folder.join("发送记录.csv");
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert_eq!(log.matches("未发送（无邮箱）").count(), 1);
    // Rerun: nothing sent, the unit without address not logged again.
    let out = project.send(&["--templates", "--month", "2026-12"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(server.count(), 44);
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert_eq!(log.matches("未发送（无邮箱）").count(), 1);
}

#[test]
fn verify_lists_changed_missing_and_extra_files() {
    let project = Project::new("verify", &plain_mail(9));
    let verify = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .arg("--config")
            .arg(&project.config)
            .arg("verify")
            .args(args)
            .output()
            .expect("run duban verify")
    };
    let out = verify(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("✓ 2026年11月"), "{}", text(&out));
    // The send log may change; it is not a finding.
    std::fs::write(
        project.month().join("邮件/发送记录.csv"),
        "\u{FEFF}时间\r\n",
    )
    .expect("log");
    let month = project.month();
    let pdf = month.join("督办单/单位/市科技局.pdf");
    let mut bytes = std::fs::read(&pdf).expect("pdf");
    bytes[100] ^= 0x20;
    std::fs::write(&pdf, bytes).expect("flip a byte");
    std::fs::remove_file(month.join("邮件/市财政局.eml")).expect("delete");
    std::fs::write(month.join("督办单/说明.txt"), "added by hand").expect("add");
    let out = verify(&["--all"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(
        console.contains("已被改动：督办单/单位/市科技局.pdf"),
        "{console}"
    );
    assert!(console.contains("已缺失：邮件/市财政局.eml"), "{console}");
    assert!(console.contains("多出文件：督办单/说明.txt"), "{console}");
    assert!(!console.contains("发送记录"), "{console}");
    assert!(
        console.contains("1 个被改动，1 个缺失，1 个多出"),
        "{console}"
    );
    // A month never archived is a usage error.
    let out = verify(&["--month", "2026-09"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
