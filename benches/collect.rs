//! Benchmark of `duban collect`: 45 replies (the demo's 42 November workbooks as their units'
//! replies, and three more: a reply without attachment, a .zip, a workbook sent twice) fetched
//! from Debian's Dovecot on 127.0.0.1 over TLS, started and stopped here with a throwaway
//! configuration, and saved into an empty month folder. Receipts aside (they follow
//! `per_minute`).
//!
//! `cargo bench --bench collect` (needs `dovecot-imapd` and Python's cryptography for the test
//! CA, as the tests do). Every round starts from an empty submissions folder, so all 45 messages
//! are fetched and all workbooks saved each time. Prints the median and the best; the goal is
//! 45 replies in ≤ 2 s.

use duban::config::{Collect, Config, Security};
use duban::model::Month;
use duban::replies::collect::{Collector, since};
use duban::replies::imap::Mailbox;
use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;
const USER: &str = "duchashi";
const PASSWORD: &str = "bench-password";

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dovecot = Path::new("/usr/sbin/dovecot");
    let ids = dovecot_ids();
    let python = Command::new("python3")
        .args(["-c", "import cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    let (Some((uid, gid)), true, true) = (ids, dovecot.exists(), python) else {
        eprintln!("跳过：需要 Debian 的 dovecot-imapd 和 Python 的 cryptography");
        return;
    };
    let dir = std::env::temp_dir().join("duban-bench-collect");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("run")).expect("temp dir");
    let certs = dir.join("certs");
    let made = Command::new("python3")
        .arg(root.join("tests/smtp/smtp_server.py"))
        .arg("certs")
        .arg(&certs)
        .status()
        .expect("certificates");
    assert!(made.success());

    // The mailbox: 45 replies in a Maildir owned by the dovecot user.
    let maildir = dir.join("mail").join(USER);
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    let replies = replies(root);
    for (i, raw) in replies.iter().enumerate() {
        let path = maildir.join("new").join(format!("1795000000.M{i}P1.bench"));
        std::fs::write(&path, raw).expect("deliver");
    }
    chown_tree(&dir.join("mail"), uid, gid);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let conf = format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\nssl = required\nssl_cert = <{d}/certs/server.pem\nssl_key = <{d}/certs/server.key\nauth_mechanisms = plain\nfirst_valid_uid = 1\nmail_location = maildir:{d}/mail/%u\npassdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\nuserdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/mail/%u\n}}\nservice imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = 0\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {port}\n    ssl = yes\n  }}\n}}\nservice anvil {{\n  chroot =\n}}\n",
        d = dir.display()
    );
    std::fs::write(dir.join("dovecot.conf"), conf).expect("conf");
    std::fs::write(dir.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("passwd");
    let started = Command::new(dovecot)
        .arg("-c")
        .arg(dir.join("dovecot.conf"))
        .status()
        .expect("dovecot");
    assert!(started.success(), "dovecot starts");
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(20), "dovecot listens");
        std::thread::sleep(Duration::from_millis(50));
    }

    let month = Month::parse("2026-11").expect("month");
    let mut cfg = Config::load(&root.join("duban.toml")).expect("duban.toml");
    let mut settings = Collect::new("127.0.0.1", port, Security::Tls, USER);
    settings.ca_file = Some(certs.join("ca.pem"));
    let mut times = Vec::new();
    let mut saved = 0;
    for round in 0..ROUNDS {
        cfg.paths.submissions = dir.join(format!("submissions-{round}"));
        let t = Instant::now();
        let units = duban::units::Directory::load(&cfg.paths.units).expect("units");
        let (master, _) = duban::load_master(&cfg).expect("master");
        let mut collector = Collector::new(&cfg, month, &units, &master, false).expect("collector");
        let mut mailbox =
            Mailbox::open(&settings, PASSWORD, since(&cfg, month), None).expect("mailbox");
        let report = collector.collect(&mut mailbox).expect("collect");
        mailbox.close();
        times.push(t.elapsed());
        assert_eq!(report.messages.len(), replies.len());
        assert!(report.interrupted.is_none());
        saved = report.saved().count();
    }
    if let Ok(pid) = std::fs::read_to_string(dir.join("run/master.pid")) {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }
    times.sort();
    println!("| replies | files saved | median | best |");
    println!("|---|---|---|---|");
    println!(
        "| {} | {saved} | {:.0} ms | {:.0} ms |",
        replies.len(),
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
}

/// The 45 replies, built with lettre as a mail client would send them.
fn replies(root: &Path) -> Vec<Vec<u8>> {
    let units = duban::units::Directory::load(&root.join("input/units.toml")).expect("units");
    let folder = root.join("input/submissions/2026-11");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("november")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    names.sort();
    let xlsx =
        ContentType::parse("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .expect("type");
    let mail = |i: usize, from: &str, attachment: Option<(String, Vec<u8>, ContentType)>| {
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain("请查收。".to_string()));
        if let Some((name, bytes, kind)) = attachment {
            parts = parts.singlepart(Attachment::new(name).body(bytes, kind));
        }
        lettre::Message::builder()
            .from(from.parse().expect("from"))
            .to("duchashi@example.org".parse().expect("to"))
            .subject(format!("进展表 {i}"))
            .date(std::time::UNIX_EPOCH + Duration::from_secs(1_795_000_000 + 60 * i as u64))
            .multipart(parts)
            .expect("message")
            .formatted()
    };
    let mut out = Vec::new();
    for (i, path) in names.iter().enumerate() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.trim_end_matches(".xlsx");
        let unit = duban::intake::identify::unit_from_file_name(stem, &units).expect("unit");
        let from = units
            .get(&unit)
            .and_then(|u| u.email.clone())
            .expect("address");
        let bytes = std::fs::read(path).expect("workbook");
        out.push(mail(i, &from, Some((name, bytes, xlsx.clone()))));
    }
    let n = out.len();
    out.push(mail(n, "sfj@hhht.example.org", None));
    out.push(mail(
        n + 1,
        "sfj@hhht.example.org",
        Some((
            "材料.zip".into(),
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(),
            ContentType::parse("application/zip").expect("zip"),
        )),
    ));
    let again = std::fs::read(&names[0]).expect("workbook");
    out.push(mail(
        n + 2,
        "gdgs@hhht.example.org",
        Some(("再次报送.xlsx".into(), again, xlsx)),
    ));
    out
}

fn dovecot_ids() -> Option<(u32, u32)> {
    let id = |flag: &str| {
        Command::new("id")
            .args([flag, "dovecot"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
    };
    Some((id("-u")?, id("-g")?))
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    if path.is_dir() {
        for e in std::fs::read_dir(path).expect("dir").filter_map(Result::ok) {
            chown_tree(&e.path(), uid, gid);
        }
    }
}
