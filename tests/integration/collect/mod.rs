//! `duban collect`, receipts, `status` and `remind` against real servers on 127.0.0.1, started
//! and stopped by each test: Debian's Dovecot (a throwaway configuration: passwd-file login,
//! TLS with a test CA, a Maildir in the test's folder) for IMAP, and the send tests' aiosmtpd
//! server for the receipts and reminders.
//!
//! The replies are written as the units' mail clients write them (Foxmail and NetEase/QQ
//! webmail with GBK/GB18030 RFC 2047 names, Outlook with RFC 2231, Apple Mail, a forward inside
//! a forward, no attachment, a .zip), carrying the demo's real November workbooks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

pub(super) const USER: &str = "duchashi";
pub(super) const PASSWORD: &str = "Imap-督办-pw1";
pub(super) const SMTP_PASSWORD: &str = "Zx9-督办-pw!";

pub(super) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(super) fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("collect")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub(super) fn november() -> PathBuf {
    root().join("input/submissions/2026-11")
}

pub(super) fn workbook(name: &str) -> Vec<u8> {
    std::fs::read(november().join(name)).expect("demo workbook")
}

mod fixtures;
mod servers;

use fixtures::*;
use servers::*;

/// `--from` a folder of saved .eml files: every client's attachment name comes out right, the
/// unknown sender's workbook goes to the unit it names, the forward inside a forward is found,
/// the message without a workbook and the zip are listed; a second run saves nothing; a dry
/// run writes nothing. A .eml dropped into the month folder is read by intake as the sender's.
#[test]
fn collect_from_saved_eml_files() {
    let project = Project::new("from-eml", "");
    let inbox = project.dir.join("saved-mail");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let replies = november_replies();
    for (i, raw) in replies.iter().enumerate() {
        std::fs::write(inbox.join(format!("{i:02}.eml")), raw).expect("eml");
    }
    let dry = project.run(&[
        "collect",
        "--month",
        "2026-11",
        "--dry-run",
        "--from",
        inbox.to_str().expect("utf8"),
    ]);
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    assert!(text(&dry).contains("将保存 42 个文件"), "{}", text(&dry));
    assert!(project.saved().is_empty(), "a dry run saves nothing");

    let out = project.run(&[
        "collect",
        "--month",
        "2026-11",
        "--from",
        inbox.to_str().expect("utf8"),
    ]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(console.contains("已保存 42 个文件"), "{console}");
    let saved = project.saved();
    assert_eq!(saved.len(), 42, "{saved:?}");
    // Foxmail's GBK name, the webmail's GB18030 name (unknown sender: unit from the workbook)
    assert!(
        saved
            .iter()
            .any(|f| f.starts_with("市发改委_20261125-093000_市发改委11月进展表.xlsx")),
        "{saved:?}"
    );
    assert!(
        saved
            .iter()
            .any(|f| f.starts_with("市财政局_") && f.ends_with("市财政局报送.xlsx")),
        "{saved:?}"
    );
    assert!(
        saved
            .iter()
            .any(|f| f.starts_with("市民委_") && f.ends_with("_市民委進展表.xlsx")),
        "Big5: {saved:?}"
    );
    // Outlook / Apple Mail UTF-8 names, and the forward inside a forward
    assert!(
        saved
            .iter()
            .any(|f| f.starts_with("市教育局_")
                && f.ends_with("市教育局_2026年11月重点任务进展表.xlsx")),
        "{saved:?}"
    );
    assert!(
        saved
            .iter()
            .any(|f| f.ends_with("附件2-呼和浩特市科学技术局-重点任务进展（11月）.xlsx")),
        "{saved:?}"
    );
    // every other reply's attachment name, as its client wrote it, survives in the saved name
    for name in std::fs::read_dir(november())
        .expect("dir")
        .filter_map(Result::ok)
    {
        let name = name.file_name().to_string_lossy().into_owned();
        let unit_of_gbk = name.starts_with("市财政局")
            || name.starts_with("市民委")
            || name == "市发改委_2026年11月重点任务进展表.xlsx";
        if name.ends_with(".xlsx") && !unit_of_gbk {
            assert!(
                saved.iter().any(|f| f.ends_with(&format!("_{name}"))),
                "{name} in {saved:?}"
            );
        }
    }
    assert!(console.contains("[没有进展表]"), "{console}");
    assert!(console.contains("压缩包 材料.zip"), "{console}");
    let log = project.log("收件记录.csv");
    assert_eq!(log.len(), replies.len());
    assert!(
        log.iter()
            .any(|r| r[6].starts_with("没有进展表（压缩包 材料.zip")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|r| r[6].starts_with("没有进展表（没有附件")),
        "{log:?}"
    );

    // idempotent
    let again = project.run(&[
        "collect",
        "--month",
        "2026-11",
        "--from",
        inbox.to_str().expect("utf8"),
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        text(&again).contains("已保存 0 个文件，此前已收取 44 封"),
        "{}",
        text(&again)
    );
    assert_eq!(project.saved().len(), 42);

    // The month collected gives the same 汇总表 as the same files dropped in by hand: every
    // sheet, cell by cell, once each saved name is read as the original file it holds (the
    // same bytes); 任务总表 in the same order, the other sheets as the same rows.
    // (the same month alone: no October folder beside it in either)
    let by_hand = project.dir.join("by-hand");
    std::fs::create_dir_all(by_hand.join("2026-11")).expect("dir");
    for e in std::fs::read_dir(november())
        .expect("dir")
        .filter_map(Result::ok)
    {
        std::fs::copy(e.path(), by_hand.join("2026-11").join(e.file_name())).expect("copy");
    }
    let mut rename = Vec::new();
    for f in project.saved() {
        let bytes = std::fs::read(project.month_dir().join(&f)).expect("saved");
        let original = std::fs::read_dir(november())
            .expect("dir")
            .filter_map(Result::ok)
            .find(|e| std::fs::read(e.path()).is_ok_and(|b| b == bytes))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .expect("every saved file is a demo file");
        rename.push((f, original));
    }
    let collected = summary_sheets(&project.config, &project.dir.join("submissions"), &rename);
    let dropped = summary_sheets(&project.config, &by_hand, &[]);
    assert_eq!(
        collected.keys().collect::<Vec<_>>(),
        dropped.keys().collect::<Vec<_>>()
    );
    for (sheet, rows) in &dropped {
        let mut ours = collected[sheet].clone();
        let mut theirs = rows.clone();
        if sheet != "任务总表" {
            // rows in file-name order: a saved name (单位_时间_原名) sorts elsewhere than the
            // original, so compare the rows as a set, without their running number in 校验问题
            if sheet == "校验问题" {
                for row in ours.iter_mut().chain(theirs.iter_mut()) {
                    row.remove(0);
                }
            }
            ours.sort();
            theirs.sort();
        }
        assert_eq!(ours, theirs, "sheet {sheet}");
    }

    // A .eml saved by hand into the month folder is read as its sender's submission.
    let hand = project.dir.join("hand/2026-11");
    std::fs::create_dir_all(&hand).expect("hand");
    std::fs::write(hand.join("来信.eml"), &replies[0]).expect("eml");
    let mut cfg = duban::config::Config::load(&project.config).expect("config");
    cfg.paths.submissions = project.dir.join("hand");
    let loaded = duban::pipeline::load_month(
        &cfg,
        &duban::pipeline::RunOptions {
            month: duban::model::Month::parse("2026-11"),
            as_of: None,
            force: false,
        },
        &duban::pipeline::Silent,
    )
    .expect("load");
    assert_eq!(loaded.submissions.len(), 1);
    assert!(
        loaded.submissions[0].file.starts_with("来信.eml › "),
        "{}",
        loaded.submissions[0].file
    );
    assert!(loaded.submissions[0].unit.is_some());
    assert!(loaded.submissions[0].rows_read > 0);
}

/// Every reply of the fixture mailbox delivered into Dovecot, received on 25 November from
/// 09:00 on, one a minute.
fn fill_mailbox(dovecot: &Dovecot) -> usize {
    let replies = november_replies();
    for (i, raw) in replies.iter().enumerate() {
        dovecot.deliver(i, raw, nov(25, 9) + Duration::from_secs(60 * i as u64));
    }
    replies.len()
}

/// IMAP over TLS (993-style) then STARTTLS (143-style): the replies are saved once, named by
/// their INTERNALDATE, the mailbox is left unflagged (EXAMINE, BODY.PEEK), the receipts go to
/// the units' addresses through `[mail]` (one per saved file, never twice), and 45 replies are
/// collected well within the two seconds asked.
#[test]
fn collect_from_dovecot_with_receipts() {
    let dir = temp("dovecot");
    let Some(dovecot) = Dovecot::start(&dir) else {
        return;
    };
    let Some(smtp) = Smtp::start(&dir, &[]) else {
        return;
    };
    let messages = fill_mailbox(&dovecot);
    let ca = dir.join("certs/ca.pem");
    let project = Project::new(
        "dovecot-project",
        &format!("{}\n{}", dovecot.collect_toml("tls", &ca), smtp.toml()),
    );
    let started = Instant::now();
    let out = project.run(&["collect", "--month", "2026-11"]);
    let took = started.elapsed();
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(
        console.contains(&format!("查看新邮件 {messages} 封，已保存 42 个文件")),
        "{console}"
    );
    eprintln!("collect of {messages} replies from Dovecot, receipts included: {took:?}");
    let saved = project.saved();
    assert_eq!(saved.len(), 42);
    assert!(
        saved.iter().any(|f| f.starts_with("市发改委_20261125-09")),
        "{saved:?}"
    );
    assert!(
        !dovecot.flags().contains("Seen"),
        "read-only: {}",
        dovecot.flags()
    );

    // one receipt per saved file, to the unit's own address (not the clerk's 163 mailbox)
    let received = smtp.received();
    assert_eq!(received.len(), 42, "{console}");
    assert!(received.iter().any(|(to, _)| to == "czj@hhht.example.org"));
    assert!(!received.iter().any(|(to, _)| to.contains("163")));
    let (_, fgw) = received
        .iter()
        .find(|(to, _)| to == "fgw@hhht.example.org")
        .expect("receipt to 市发改委");
    let body = body_text(fgw, &dir);
    assert!(
        body.contains("【报送回执】市发改委2026年11月进展表已收到"),
        "{body}"
    );
    assert!(body.contains("已于2026年11月25日 09:"), "{body}");
    let receipts = project.log("回执记录.csv");
    // the send log's columns: 时间 单位 邮箱 邮件文件 邮件SHA-256 发送SHA-256 结果 服务器回复
    assert_eq!(receipts.iter().filter(|r| r[6] == "已发送").count(), 42);

    // STARTTLS, again: nothing new, no receipt twice
    let project_starttls = std::fs::read_to_string(&project.config)
        .expect("config")
        .replace(
            &dovecot.collect_toml("tls", &ca),
            &dovecot.collect_toml("starttls", &ca),
        );
    std::fs::write(&project.config, project_starttls).expect("config");
    let out = project.run(&["collect", "--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("已保存 0 个文件，此前已收取 {messages} 封")),
        "{}",
        text(&out)
    );
    assert_eq!(smtp.received().len(), 42);
    assert_eq!(project.saved().len(), 42);
}

/// A wrong password or a certificate no `ca_file` vouches for stops with exit 2, in Chinese,
/// and nothing is saved.
#[test]
fn wrong_password_or_untrusted_certificate_saves_nothing() {
    let dir = temp("refused");
    let Some(dovecot) = Dovecot::start(&dir) else {
        return;
    };
    fill_mailbox(&dovecot);
    let project = Project::new(
        "refused-project",
        &dovecot.collect_toml("tls", &dir.join("certs/ca.pem")),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(&project.config)
        .args(["collect", "--month", "2026-11"])
        .env("DUBAN_IMAP_PASSWORD", "wrong")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("拒绝登录"), "{}", text(&out));
    assert!(
        !text(&out).contains("wrong"),
        "the password is never printed"
    );
    assert!(project.saved().is_empty());

    let other = Project::new(
        "untrusted-project",
        &dovecot.collect_toml("tls", &dir.join("certs/other-ca.pem")),
    );
    let out = other.run(&["collect", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(console.contains("签发机构不受信任"), "{console}");
    assert!(
        !console.contains("UnknownIssuer") && !console.contains("invalid peer"),
        "{console}"
    );
    assert!(other.saved().is_empty());
}

/// A TCP relay to `target` that cuts both directions once `cut_after` bytes came back from the
/// server (a connection dropped mid-fetch).
fn cutting_relay(target: u16, cut_after: usize) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let Ok((mut client, _)) = listener.accept() else {
            return;
        };
        let mut server = std::net::TcpStream::connect(("127.0.0.1", target)).expect("connect");
        let (mut c2, mut s2) = (
            client.try_clone().expect("clone"),
            server.try_clone().expect("clone"),
        );
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = c2.read(&mut buf) {
                if n == 0 || s2.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        });
        let mut sent = 0usize;
        let mut buf = [0u8; 16384];
        while let Ok(n) = server.read(&mut buf) {
            if n == 0 {
                break;
            }
            let take = n.min(cut_after.saturating_sub(sent));
            if client.write_all(&buf[..take]).is_err() {
                break;
            }
            sent += take;
            if sent >= cut_after {
                break;
            }
        }
        let _ = client.shutdown(std::net::Shutdown::Both);
        let _ = server.shutdown(std::net::Shutdown::Both);
    });
    port
}

/// The server drops the connection in the middle of the fetches: what was saved stays saved
/// and logged (exit 1, run again), and the next run saves the rest, nothing twice.
#[test]
fn dropped_connection_mid_fetch_resumes() {
    let dir = temp("dropped");
    let Some(dovecot) = Dovecot::start(&dir) else {
        return;
    };
    let messages = fill_mailbox(&dovecot);
    let ca = dir.join("certs/ca.pem");
    // about a third of the mailbox's bytes get through
    let total: usize = november_replies().iter().map(Vec::len).sum();
    let relay = cutting_relay(dovecot.imaps_port, total / 3);
    let project = Project::new(
        "dropped-project",
        &dovecot.collect_toml("tls", &ca).replace(
            &format!("port = {}", dovecot.imaps_port),
            &format!("port = {relay}"),
        ),
    );
    let out = project.run(&["collect", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(console.contains("收取中断"), "{console}");
    let first = project.saved();
    assert!(!first.is_empty() && first.len() < 42, "{first:?}");
    let logged = project.log("收件记录.csv").len();
    assert!(logged < messages);

    let config = std::fs::read_to_string(&project.config)
        .expect("config")
        .replace(
            &format!("port = {relay}"),
            &format!("port = {}", dovecot.imaps_port),
        );
    std::fs::write(&project.config, config).expect("config");
    let out = project.run(&["collect", "--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let all = project.saved();
    assert_eq!(all.len(), 42, "{all:?}");
    assert!(first.iter().all(|f| all.contains(f)));
    assert_eq!(
        project.log("收件记录.csv").len(),
        messages,
        "one row per message, none twice"
    );
}

/// The month's whole loop on real servers: forms → send → the units reply (APPEND, as
/// their clients do) → collect → receipts → status → remind (only the silent units, once a
/// day) → run → send.
#[test]
fn whole_loop_forms_to_notices() {
    let dir = temp("loop");
    let Some(dovecot) = Dovecot::start(&dir) else {
        return;
    };
    let Some(smtp) = Smtp::start(&dir, &[]) else {
        return;
    };
    let ca = dir.join("certs/ca.pem");
    let project = Project::new(
        "loop-project",
        &format!("{}\n{}", dovecot.collect_toml("starttls", &ca), smtp.toml()),
    );
    let ok = |out: &Output, code: i32| {
        assert_eq!(out.status.code(), Some(code), "{}", text(out));
        text(out)
    };
    ok(&project.run(&["templates", "--month", "2026-11"]), 0);
    ok(
        &project.run(&["send", "--templates", "--month", "2026-11"]),
        0,
    );
    let forms_sent = smtp.received().len();
    assert_eq!(forms_sent, 45);

    // the units reply (all but the fixture's odd ones, appended by an IMAP client)
    let replies = november_replies();
    for raw in &replies {
        dovecot.append(raw);
    }
    let console = ok(&project.run(&["collect"]), 0);
    assert!(console.contains("已保存 42 个文件"), "{console}");
    let receipts = smtp.received().len() - forms_sent;
    assert_eq!(receipts, 42, "{console}");

    let console = ok(&project.run(&["status"]), 1);
    assert!(console.contains("2026年11月 报送进度"), "{console}");
    let status = project.log("报送进度.csv");
    assert_eq!(status.len(), 45);
    let silent: Vec<String> = status
        .iter()
        .filter(|r| r[1] != "已报送")
        .map(|r| r[0].clone())
        .collect();
    assert!(!silent.is_empty(), "{status:?}");
    assert!(
        silent.contains(&"市司法局".to_string())
            || status
                .iter()
                .any(|r| r[0] == "市司法局" && r[1] == "已报送")
    );

    let before = smtp.received().len();
    let console = ok(&project.run(&["remind"]), 0);
    let reminders: Vec<(String, Vec<u8>)> = smtp.received().into_iter().skip(before).collect();
    assert_eq!(
        reminders.len(),
        silent
            .iter()
            .filter(|u| status.iter().any(|r| &r[0] == *u && !r[9].is_empty()))
            .count(),
        "{console}"
    );
    let units = duban::units::Directory::load(&root().join("input/units.toml")).expect("units");
    for (to, raw) in &reminders {
        let unit = units.by_address(to).expect("a unit's address");
        assert!(
            silent.contains(&unit.name),
            "{} reminded though it replied",
            unit.name
        );
        let body = body_text(raw, &dir);
        assert!(body.contains("【催报】"), "{body}");
        assert!(body.contains("附件: "), "form attached: {body}");
    }
    // at most once a day
    let console = ok(&project.run(&["remind"]), 0);
    assert!(console.contains("催报 0 个单位"), "{console}");
    assert_eq!(smtp.received().len(), before + reminders.len());

    // intake reads the workbooks only: not the loop's logs (nor any dot-file)
    let mut cfg = duban::config::Config::load(&project.config).expect("config");
    cfg.paths.output = project.dir.join("scratch-output");
    let loaded = duban::pipeline::load_month(
        &cfg,
        &duban::pipeline::RunOptions {
            month: duban::model::Month::parse("2026-11"),
            as_of: None,
            force: false,
        },
        &duban::pipeline::Silent,
    )
    .expect("load");
    let month_files: Vec<String> = std::fs::read_dir(project.month_dir())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for log in [
        "收件记录.csv",
        "回执记录.csv",
        "报送进度.csv",
        "催报记录.csv",
    ] {
        assert!(
            month_files.iter().any(|f| f == log),
            "{log} in {month_files:?}"
        );
    }
    assert_eq!(loaded.submissions.len(), 42);
    assert!(
        loaded.submissions.iter().all(|s| s.file.ends_with(".xlsx")),
        "{:?}",
        loaded
            .submissions
            .iter()
            .map(|s| &s.file)
            .collect::<Vec<_>>()
    );

    ok(&project.run(&["run", "--month", "2026-11"]), 1);
    let before = smtp.received().len();
    ok(&project.run(&["send", "--month", "2026-11"]), 0);
    assert_eq!(smtp.received().len() - before, 45);
}

/// A server certificate made as offices make them, `openssl req -x509` (self-signed, with
/// `CA:TRUE`): (certificate, key).
fn self_signed(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (cert, key) = (dir.join("self-signed.pem"), dir.join("self-signed.key"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args([
            "-days",
            "30",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => Some((cert, key)),
        _ => {
            crate::checker::missing("openssl 命令（生成自签名证书）");
            None
        }
    }
}

/// `ca_file` holding the server's own self-signed certificate (CA:TRUE, which webpki alone
/// refuses as `CaUsedAsEndEntity`) is trusted as exactly that certificate, by IMAP and SMTP
/// alike; another certificate in `ca_file` is refused in Chinese, exit 2, nothing done.
#[test]
fn self_signed_server_certificate_pinned_for_imap_and_smtp() {
    let dir = temp("pinned");
    let Some((cert, key)) = self_signed(&dir) else {
        return;
    };
    let Some(dovecot) = Dovecot::start_with(&dir, &cert, &key, &cert) else {
        return;
    };
    let replies = november_replies();
    dovecot.deliver(0, &replies[0], nov(25, 9));
    let Some(smtp) = Smtp::start(
        &dir,
        &[
            "--security",
            "tls",
            "--cert",
            cert.to_str().expect("utf8"),
            "--key",
            key.to_str().expect("utf8"),
        ],
    ) else {
        return;
    };
    let mail = format!(
        "[mail]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\nper_minute = 0\nca_file = {:?}\n",
        smtp.port(),
        cert.display().to_string()
    );
    let project = Project::new(
        "pinned-project",
        &format!("{}\n{mail}", dovecot.collect_toml("tls", &cert)),
    );
    let out = project.run(&["collect", "--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(project.saved().len(), 1);
    assert_eq!(
        smtp.received().len(),
        1,
        "the receipt went out over pinned TLS: {}",
        text(&out)
    );

    // another self-signed certificate in ca_file: refused, in Chinese
    let other_dir = dir.join("other");
    std::fs::create_dir_all(&other_dir).expect("dir");
    let (other, _) = self_signed(&other_dir).expect("second certificate");
    let refused = Project::new(
        "pinned-refused",
        &format!(
            "{}\n{}",
            dovecot.collect_toml("tls", &other),
            mail.replace(&cert.display().to_string(), &other.display().to_string())
        ),
    );
    let out = refused.run(&["collect", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(console.contains("无法与收件服务器"), "{console}");
    assert!(
        !console.is_ascii() && !console.contains("invalid peer certificate"),
        "{console}"
    );
    assert!(refused.saved().is_empty());

    // SMTP alone (duban send of the receipts): the same rule refuses the unpinned server
    std::fs::create_dir_all(refused.month_dir()).expect("dir");
    std::fs::copy(
        project.month_dir().join("收件记录.csv"),
        refused.month_dir().join("收件记录.csv"),
    )
    .expect("log");
    for f in project.saved() {
        std::fs::copy(project.month_dir().join(&f), refused.month_dir().join(&f)).expect("copy");
    }
    // [collect] pinned right, [mail] pinned to the other certificate
    let collect_ok = dovecot.collect_toml("tls", &cert);
    let mail_wrong = mail.replace(&cert.display().to_string(), &other.display().to_string());
    let text_cfg = crate::common::config_text(&crate::common::ConfigPaths {
        output: Some(&refused.dir.join("output")),
        submissions: Some(&refused.dir.join("submissions")),
        units: None,
    });
    std::fs::write(
        &refused.config,
        format!("{text_cfg}\n{collect_ok}\n{mail_wrong}\n"),
    )
    .expect("config");
    let before = smtp.received().len();
    let out = refused.run(&["collect", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(console.contains("无法与邮件服务器"), "{console}");
    assert!(
        console.contains("签发机构不受信任") || console.contains("CA 证书"),
        "{console}"
    );
    assert_eq!(smtp.received().len(), before, "nothing sent");
}

/// Receipts wait for the month's send lock: while another send holds it, collect saves the
/// files and stops before any receipt (exit 2, in Chinese); the next collect sends the receipts
/// still owed, once.
#[test]
fn receipts_wait_for_the_send_lock_and_are_owed_until_sent() {
    let dir = temp("lock");
    let Some(smtp) = Smtp::start(&dir, &[]) else {
        return;
    };
    let project = Project::new("lock-project", &smtp.toml());
    let inbox = project.dir.join("saved-mail");
    std::fs::create_dir_all(&inbox).expect("inbox");
    for (i, raw) in november_replies().iter().take(3).enumerate() {
        std::fs::write(inbox.join(format!("{i}.eml")), raw).expect("eml");
    }
    let cfg = duban::config::Config::load(&project.config).expect("config");
    let month = duban::model::Month::parse("2026-11").expect("month");
    let lock = duban::mail::lock::lock_month(&cfg, month).expect("lock");
    let from = inbox.to_str().expect("utf8");
    let out = project.run(&["collect", "--month", "2026-11", "--from", from]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(console.contains("本次未发送"), "{console}");
    assert_eq!(project.saved().len(), 3);
    assert_eq!(smtp.received().len(), 0);
    drop(lock);
    let out = project.run(&["collect", "--month", "2026-11", "--from", from]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(smtp.received().len(), 3, "{}", text(&out));
    let out = project.run(&["collect", "--month", "2026-11", "--from", from]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(smtp.received().len(), 3, "never twice");
}

/// The month's replies are those received from its forms' sending on and before the next
/// month's forms went out: a reply after that belongs to the next month.
#[test]
fn replies_after_next_months_forms_are_left_for_next_month() {
    let dir = temp("span");
    let Some(dovecot) = Dovecot::start(&dir) else {
        return;
    };
    let replies = november_replies();
    dovecot.deliver(0, &replies[0], nov(25, 9));
    dovecot.deliver(1, &replies[1], nov(28, 9));
    let project = Project::new(
        "span-project",
        &dovecot.collect_toml("tls", &dir.join("certs/ca.pem")),
    );
    let december = project.dir.join("output/2026-12/templates");
    std::fs::create_dir_all(&december).expect("dir");
    std::fs::write(
        december.join("发送记录.csv"),
        "\u{FEFF}时间,单位,邮箱,邮件文件,SHA-256,结果,服务器回复\r\n2026-11-27 09:00:00 +08:00,市发改委,fgw@hhht.example.org,市发改委.eml,00,已发送,250 OK\r\n",
    )
    .expect("log");
    let out = project.run(&["collect", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(
        console.contains("2026-11-01 至 2026-11-27（下月模板发出）之前"),
        "{console}"
    );
    assert_eq!(project.saved().len(), 1, "{console}");
    assert!(
        project.saved()[0].contains("_20261125-"),
        "{:?}",
        project.saved()
    );
}

/// Every sheet of the month's 汇总表 built from `submissions` (no PDFs), cells as text, each
/// `(saved, original)` file name of `rename` written as the original.
fn summary_sheets(
    config: &Path,
    submissions: &Path,
    rename: &[(String, String)],
) -> std::collections::BTreeMap<String, Vec<Vec<String>>> {
    use calamine::{Data, Reader, Xlsx};
    let mut cfg = duban::config::Config::load(config).expect("config");
    cfg.paths.submissions = submissions.to_path_buf();
    let loaded = duban::pipeline::load_month(
        &cfg,
        &duban::pipeline::RunOptions {
            month: duban::model::Month::parse("2026-11"),
            as_of: None,
            force: false,
        },
        &duban::pipeline::Silent,
    )
    .expect("load");
    let report = duban::pipeline::build_report(&cfg, &loaded);
    let bytes = duban::render::xlsx::summary_workbook(&report, &cfg).expect("汇总表");
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let mut out = std::collections::BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        let rows = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| {
                        let mut t = match c {
                            Data::String(s) => s.clone(),
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        };
                        for (saved, original) in rename {
                            t = t.replace(saved.as_str(), original);
                        }
                        t
                    })
                    .collect()
            })
            .collect();
        out.insert(name, rows);
    }
    out
}

/// A unit whose only file cannot be read hears at once that its reply is 报送无效 and why;
/// status lists it so, and remind reminds it (and only the units without a valid reply).
#[test]
fn an_unreadable_reply_gets_a_receipt_saying_why_then_a_reminder() {
    let dir = temp("invalid");
    let Some(smtp) = Smtp::start(&dir, &[]) else {
        return;
    };
    let project = Project::new("invalid-project", &smtp.toml());
    let out = project.run(&["templates", "--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let inbox = project.dir.join("saved-mail");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let damaged = b"PK\x03\x04\x14\x00\x00\x00 this workbook was cut short".to_vec();
    std::fs::write(
        inbox.join("mw.eml"),
        reply(
            Client::Outlook,
            "mw@hhht.example.org",
            "进展表",
            "damaged@hhht",
            &[xlsx_attachment(
                Client::Outlook,
                "市民委进展表.xlsx",
                None,
                damaged,
            )],
        ),
    )
    .expect("eml");
    let out = project.run(&[
        "collect",
        "--month",
        "2026-11",
        "--from",
        inbox.to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let received = smtp.received();
    assert_eq!(received.len(), 1, "{}", text(&out));
    assert_eq!(received[0].0, "mw@hhht.example.org");
    let body = body_text(&received[0].1, &dir);
    assert!(
        body.contains("进展表已收到（报送无效，请于"),
        "subject: {body}"
    );
    assert!(body.contains("本次报送无效"), "{body}");
    assert!(body.contains("已损坏") || body.contains("无法"), "{body}");

    let out = project.run(&["status", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(console.contains("报送无效 1 个"), "{console}");
    assert!(console.contains("市民委"), "{console}");

    let out = project.run(&["remind", "--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    let reminders: Vec<(String, Vec<u8>)> = smtp.received().into_iter().skip(1).collect();
    // every unit of the master lacks a valid reply here; those with an address are reminded
    assert!(reminders.len() >= 40, "{console}");
    let (_, mw) = reminders
        .iter()
        .find(|(to, _)| to == "mw@hhht.example.org")
        .expect("市民委 reminded");
    let body = body_text(mw, &dir);
    assert!(body.contains("报送无效"), "{body}");
    assert!(
        body.contains("附件: 市民委_2026年11月重点任务进展表.xlsx"),
        "{body}"
    );
}
