//! `duban send` under real faults: a server that stores a message first and answers late (or
//! never), `kill -9` while a reply is pending, two sends at once, a month rebuilt after sending,
//! a login without TLS, a forged recipient. Across all of them no unit receives a second copy
//! the office did not ask for with `--resend`, and every unit is 已发送 or listed by name.
//!
//! The server is the send tests' aiosmtpd (`tests/smtp/smtp_server.py`) with its store-first
//! faults; the helpers are those of [`crate::send`].

use crate::send::{Project, Server, per_recipient, plain_mail, temp, text};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Units whose last 结果 in the log is `outcome`.
fn units_logged(project: &Project, outcome: &str) -> Vec<String> {
    let rows = duban::mail::read_csv(&project.log());
    let mut last: std::collections::BTreeMap<String, String> = Default::default();
    for row in rows.iter().skip(1).filter(|r| r.len() == 8) {
        last.insert(row[1].clone(), row[6].clone());
    }
    last.into_iter()
        .filter(|(_, o)| o == outcome)
        .map(|(u, _)| u)
        .collect()
}

#[test]
fn a_reply_slower_than_the_timeout_is_waited_for_and_the_notice_sent_once() {
    let dir = temp("slow-reply");
    // The server queues each message, then answers 1.5 s later; timeout_s is 1 s.
    let Some(server) = Server::start(&dir, &["--answer-after", "1.5"]) else {
        return;
    };
    let mail = format!("{}timeout_s = 1\n", plain_mail(server.port));
    let project = Project::new("slow-reply-project", &mail);
    let only = [
        "--month",
        "2026-11",
        "--only",
        "市发改委",
        "--only",
        "市科技局",
    ];
    let out = project.send(&only);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(console.contains("本次发送 2 封"), "{console}");
    assert!(!console.contains("暂时失败"), "{console}");
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(
        counts.values().all(|n| *n == 1),
        "one copy each: {counts:?}"
    );
    // A rerun sends nothing more.
    let out = project.send(&only);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(server.count(), 2);
}

#[test]
fn no_reply_after_the_body_is_unknown_listed_and_never_resent_by_itself() {
    let dir = temp("unknown");
    // Message 3 is stored and the connection dropped without a reply; message 5 is stored
    // and never answered (the wait for it is shortened for the test only).
    let Some(server) = Server::start(
        &dir,
        &["--drop-after-store", "3", "--hang-after-store", "5"],
    ) else {
        return;
    };
    let mail = format!("{}timeout_s = 1\n", plain_mail(server.port));
    let project = Project::new("unknown-project", &mail);
    let send = |args: &[&str]| {
        project
            .command(args)
            .env("DUBAN_TEST_DATA_REPLY_WAIT_MS", "1500")
            .output()
            .expect("run duban send")
    };
    let out = send(&["--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    let unknown = units_logged(&project, "状态不明");
    assert_eq!(unknown.len(), 2, "{unknown:?}\n{}", project.log());
    for unit in &unknown {
        assert!(
            console.contains(&format!("状态不明：{unit}")),
            "{unit}: {console}"
        );
    }
    assert_eq!(units_logged(&project, "已发送").len(), 43);
    // The server has every notice once: the two without a reply were delivered after all.
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 45);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");

    // A rerun sends nothing, and names both units again.
    let out = send(&["--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(console.contains("本次发送 0 封"), "{console}");
    for unit in &unknown {
        assert!(console.contains(unit.as_str()), "{unit}: {console}");
    }
    let out = send(&["--month", "2026-11", "--dry-run"]);
    let listing = text(&out);
    assert!(
        listing.contains(&format!("[状态不明，跳过（上次发出后未收到服务器答复，请向该单位核实，必要时用 --resend --only 重发）] {}", unknown[0])),
        "{listing}"
    );
    assert_eq!(server.count(), 45);

    // The office decides: --resend --only sends that one again (the other stays listed).
    let out = send(&["--month", "2026-11", "--resend", "--only", &unknown[0]]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(server.count(), 46);
    assert!(units_logged(&project, "已发送").contains(&unknown[0]));
    let out = send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(&unknown[1]), "{}", text(&out));
    assert_eq!(server.count(), 46);
}

#[test]
fn killed_while_the_reply_is_pending_a_rerun_sends_no_second_copy() {
    let dir = temp("kill-store-first");
    // Every message is queued first and answered 0.2 s later: the window a crash falls into.
    let Some(server) = Server::start(&dir, &["--answer-after", "0.2"]) else {
        return;
    };
    let project = Project::new("kill-store-first-project", &plain_mail(server.port));
    for kill_at in [1, 9, 23] {
        let mut child = project
            .command(&["--month", "2026-11"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn duban send");
        let started = Instant::now();
        while server.count() < kill_at && started.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("kill -9");
        child.wait().expect("wait");
        assert!(server.count() >= kill_at);
    }
    let out = project.send(&["--month", "2026-11"]);
    let console = text(&out);
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 45, "every unit has its notice: {console}");
    assert!(
        counts.values().all(|n| *n == 1),
        "no second copy: {counts:?}"
    );
    // Every unit is 已发送, or listed by name as 状态不明 (a crash between the body and the reply).
    let sent = units_logged(&project, "已发送");
    let unknown = units_logged(&project, "状态不明");
    assert_eq!(sent.len() + unknown.len(), 45, "{}", project.log());
    assert!(unknown.len() <= 3, "{unknown:?}");
    for unit in &unknown {
        assert!(console.contains(unit.as_str()), "{unit}: {console}");
    }
    let expected = if unknown.is_empty() { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected), "{console}");
}

#[test]
fn two_sends_at_once_deliver_each_notice_once() {
    let dir = temp("concurrent");
    let Some(server) = Server::start(&dir, &["--answer-after", "0.02"]) else {
        return;
    };
    let project = Project::new("concurrent-project", &plain_mail(server.port));
    let spawn = || {
        project
            .command(&["--month", "2026-11"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn duban send")
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    );
    let mut codes = [a.status.code(), b.status.code()];
    codes.sort();
    assert_eq!(codes, [Some(0), Some(2)], "{}\n{}", text(&a), text(&b));
    let refused = if a.status.code() == Some(2) { &a } else { &b };
    assert!(text(refused).contains("正在进行（"), "{}", text(refused));
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 45);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    // The lock lives beside the submissions and does not stay taken.
    assert!(project.dir.join("submissions/.发送锁-2026-11").is_file());
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_month_rebuilt_with_force_keeps_its_send_log_and_names_changed_notices() {
    let dir = temp("rebuilt");
    let Some(server) = Server::start(&dir, &[]) else {
        return;
    };
    let project = Project::new("rebuilt-project", &plain_mail(server.port));
    let out = project.send(&[
        "--month",
        "2026-11",
        "--only",
        "市发改委",
        "--only",
        "市科技局",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_duban"))
            .arg("--config")
            .arg(&project.config)
            .args(["run", "--month", "2026-11", "--force"])
            .args(extra)
            .output()
            .expect("run");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
        assert!(
            text(&out).contains("发送记录已随新结果保留"),
            "{}",
            text(&out)
        );
    };
    // While a send of the month runs (its lock held, here by this test), the month is not
    // rebuilt: the send's log would be carried away under it.
    let cfg = duban::config::Config::load(&project.config).expect("config");
    let month = duban::model::Month::parse("2026-11").expect("month");
    let lock = duban::mail::lock_month(&cfg, month).expect("lock");
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(&project.config)
        .args(["run", "--month", "2026-11", "--force"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("正在进行（"), "{}", text(&out));
    drop(lock);
    // The same inputs: the same notices, still sent.
    run(&[]);
    let out = project.send(&["--month", "2026-11", "--dry-run"]);
    let listing = text(&out);
    assert!(listing.contains("本次将发送 43 封"), "{listing}");
    assert!(listing.contains("[已发送过，跳过] 市发改委"), "{listing}");
    // Another as-of date: the notices changed; the two sent are 已发送旧版, not sent again.
    run(&["--as-of", "2026-11-27"]);
    let out = project.send(&["--month", "2026-11", "--dry-run"]);
    let listing = text(&out);
    assert!(listing.contains("本次将发送 43 封"), "{listing}");
    assert!(listing.contains("[已发送旧版，跳过"), "{listing}");
    let out = project.send(&["--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(0), "{console}");
    assert!(console.contains("已发送旧版"), "{console}");
    assert!(console.contains("市发改委"), "{console}");
    let counts = per_recipient(&server.received());
    assert_eq!(counts.len(), 45);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    // The carried log is not part of the archive's checksums.
    let report = duban::archive::verify::verify_month(&project.month()).expect("verify");
    assert!(report.is_intact(), "{:?}", report.lines());
}

#[test]
fn a_login_without_tls_is_refused_before_connecting() {
    let project = Project::new(
        "clear-text",
        "host = \"mail.example.org\"\nport = 25\nsecurity = \"none\"\nusername = \"duchashi\"\n",
    );
    let out = project.send(&["--month", "2026-11"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(console.contains("明文"), "{console}");
    assert!(console.contains("mail.example.org"), "{console}");
    assert_eq!(project.log(), "", "nothing was tried");
    // Offline commands are not affected.
    let out = project.send(&["--month", "2026-11", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_recipient_units_toml_does_not_give_the_unit_is_refused() {
    let project = Project::new("forged-cc", &plain_mail(9));
    let month = project.month();
    let eml = month.join("邮件/市发改委.eml");
    let archived = std::fs::read(&eml).expect("eml");
    let forged = [b"Cc: someone@elsewhere.example\r\n".as_slice(), &archived].concat();
    std::fs::write(&eml, &forged).expect("forge");
    // ... and its hash fixed in run.json, so the archive still verifies.
    let run_json = month.join("run.json");
    let text_json = std::fs::read_to_string(&run_json).expect("run.json");
    let fixed = text_json
        .replace(
            &duban::archive::sha256_hex(&archived),
            &duban::archive::sha256_hex(&forged),
        )
        .replace(
            &format!("\"bytes\": {}", archived.len()),
            &format!("\"bytes\": {}", forged.len()),
        );
    std::fs::write(&run_json, &fixed).expect("fix run.json");
    // The ledger beside the months does not know that run.json: the archive is refused.
    let out = project.send(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("run.json 已被改动"), "{}", text(&out));
    // Forged the ledger too: the address check against units.toml still refuses.
    duban::archive::ledger::register(&project.dir.join("output"), "2026-11", fixed.as_bytes())
        .expect("forge the ledger");
    for args in [
        &["--month", "2026-11"][..],
        &["--month", "2026-11", "--dry-run"],
    ] {
        let out = project.send(args);
        let console = text(&out);
        assert_eq!(out.status.code(), Some(2), "{console}");
        assert!(console.contains("someone@elsewhere.example"), "{console}");
        assert!(
            console.contains("不是 units.toml 中“市发改委”的邮箱"),
            "{console}"
        );
    }
    assert_eq!(project.log(), "");
}

#[test]
fn verify_sees_a_forged_manifest_a_lost_one_and_goes_on_past_broken_entries() {
    let project = Project::new("verify-faults", &plain_mail(9));
    let verify = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .arg("--config")
            .arg(&project.config)
            .arg("verify")
            .args(args)
            .output()
            .expect("run duban verify")
    };
    let month = project.month();
    let out = verify(&["--month", "2026-11"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A send log anywhere but 邮件/ and templates/ is an extra file.
    std::fs::write(month.join("督办单/发送记录.csv"), "x").expect("write");
    // A listed file replaced by a link to a folder: named, and the check goes on.
    let pdf = month.join("督办单/单位/市科技局.pdf");
    std::fs::remove_file(&pdf).expect("remove");
    std::os::unix::fs::symlink("/etc", &pdf).expect("symlink");
    // An edited message whose hash is fixed in run.json: run.json no longer matches the ledger.
    let eml = month.join("邮件/市财政局.eml");
    let archived = std::fs::read(&eml).expect("eml");
    let forged = [b"Cc: someone@elsewhere.example\r\n".as_slice(), &archived].concat();
    std::fs::write(&eml, &forged).expect("forge");
    let run_json = month.join("run.json");
    let fixed = std::fs::read_to_string(&run_json)
        .expect("run.json")
        .replace(
            &duban::archive::sha256_hex(&archived),
            &duban::archive::sha256_hex(&forged),
        );
    std::fs::write(&run_json, fixed).expect("fix run.json");
    // A month built elsewhere whose run.json was deleted, and a month of forms only.
    let lost = project.dir.join("output/2026-10");
    std::fs::create_dir_all(lost.join("督办单")).expect("dir");
    std::fs::write(lost.join("汇总表_2026年10月.xlsx"), "x").expect("write");
    let forms_only = project.dir.join("output/2026-12/templates");
    std::fs::create_dir_all(&forms_only).expect("dir");
    std::fs::write(forms_only.join("清单.csv"), "x").expect("write");

    let out = verify(&["--all"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(1), "{console}");
    assert!(
        console.contains("多出文件：督办单/发送记录.csv"),
        "{console}"
    );
    assert!(
        console.contains("无法核对：督办单/单位/市科技局.pdf"),
        "{console}"
    );
    assert!(console.contains("run.json 已被改动"), "{console}");
    assert!(console.contains("✗ 2026年10月"), "{console}");
    assert!(console.contains("没有 run.json"), "{console}");
    assert!(console.contains("2026年12月：尚未生成"), "{console}");
    // The send refuses the month as it stands.
    let out = project.send(&["--month", "2026-11", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn a_form_message_with_a_foreign_recipient_is_refused() {
    let project = Project::new("forms-forged", &format!("{}retries = 0\n", plain_mail(9)));
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(&project.config)
        .args(["templates", "--month", "2026-12"])
        .output()
        .expect("templates");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let folder = project.dir.join("output/2026-12/templates");
    let eml = folder.join("市科技局_2026年12月重点任务进展表.eml");
    let message = std::fs::read(&eml).expect("form message");
    let forged = [b"Cc: someone@elsewhere.example\r\n".as_slice(), &message].concat();
    std::fs::write(&eml, forged).expect("forge");
    let out = project.send(&["--templates", "--month", "2026-12", "--dry-run"]);
    let console = text(&out);
    assert_eq!(out.status.code(), Some(2), "{console}");
    assert!(
        console.contains("someone@elsewhere.example")
            && console.contains("不是 units.toml 中“市科技局”的邮箱"),
        "{console}"
    );
    // Sending the coming month's forms creates no month folder for it among the
    // submissions (which `duban run` would then build).
    std::fs::write(&eml, &message).expect("restore");
    let out = project.send(&["--templates", "--month", "2026-12"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "nothing listens on port 9: {}",
        text(&out)
    );
    assert!(!project.dir.join("submissions/2026-12").exists());
    assert!(project.dir.join("submissions/.发送锁-2026-12").is_file());
}
