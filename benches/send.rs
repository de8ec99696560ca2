//! Benchmark of `duban send`: the demo month's 45 notices to a real SMTP server on 127.0.0.1
//! (Python's aiosmtpd, `tests/smtp/smtp_server.py`, started and stopped here), `per_minute`
//! unlimited, plain connection (a local relay) and STARTTLS with login.
//!
//! `cargo bench --bench send`. The month is archived once (outside the timing); every round
//! starts from an empty send log, so all 45 messages go out each time. Prints the median and
//! the best of the rounds; the goal is 45 messages in ≤ 2 s.

use duban::config::{Config, Mail, Security};
use duban::mail::{self, Batch, SendOptions};
use duban::model::Month;
use duban::pipeline::{RunOptions, Silent};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const ROUNDS: usize = 7;
const PASSWORD: &str = "bench-password";

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd, cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "跳过：需要 Python 的 aiosmtpd 和 cryptography（pip install aiosmtpd cryptography）"
        );
        return;
    }
    let dir = std::env::temp_dir().join("duban-bench-send");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let month = Month::parse("2026-11").expect("month");
    let mut cfg = Config::load(&root.join("duban.toml")).expect("duban.toml");
    cfg.paths.output = dir.join("output");
    let opts = RunOptions {
        month: Some(month),
        as_of: None,
        force: false,
    };
    duban::pipeline::run(&cfg, &opts, &Silent).expect("the demo month runs");
    let certs = dir.join("certs");
    let script = root.join("tests/smtp/smtp_server.py");
    let made = Command::new("python3")
        .arg(&script)
        .arg("certs")
        .arg(&certs)
        .status()
        .expect("certificates");
    assert!(made.success());

    println!("| connection | messages | median | best |");
    println!("|---|---|---|---|");
    for security in [Security::None, Security::Starttls] {
        // The server accepts and discards: the time measured is duban's (plan, which
        // re-hashes the archive, then the SMTP conversation), not the test server's storage.
        let mut args: Vec<String> = vec![
            "--discard".into(),
            "--dir".into(),
            dir.join("received").display().to_string(),
        ];
        if security == Security::Starttls {
            args.extend(
                [
                    "--security",
                    "starttls",
                    "--cert",
                    &certs.join("server.pem").display().to_string(),
                    "--key",
                    &certs.join("server.key").display().to_string(),
                    "--user",
                    "bench",
                    "--password",
                    PASSWORD,
                ]
                .map(String::from),
            );
        }
        let (mut server, port) = start(&script, &args);
        let mut mail = Mail::new("127.0.0.1", port, security);
        mail.per_minute = 0;
        if security == Security::Starttls {
            mail.username = Some("bench".into());
            mail.ca_file = Some(certs.join("ca.pem"));
        }
        cfg.mail = Some(mail);
        let send_opts = SendOptions {
            batch: Batch::Notices,
            month,
            only: Vec::new(),
            resend: false,
        };
        let log = cfg
            .paths
            .output
            .join(month.to_string())
            .join(duban::archive::MAIL_DIR)
            .join(duban::archive::SEND_LOG);
        let mut times = Vec::new();
        let mut sent = 0;
        for _ in 0..ROUNDS {
            let _ = std::fs::remove_file(&log);
            let t = Instant::now();
            let plan = mail::plan(&cfg, &send_opts).expect("plan");
            let report = mail::send(&cfg, &plan, Some(PASSWORD), &mail::Quiet).expect("send");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(report.complete(), "every message delivered: {report:?}");
            sent = report.sent.len();
        }
        let _ = server.kill();
        let _ = server.wait();
        times.sort_by(f64::total_cmp);
        let label = match security {
            Security::None => "plain (local relay)",
            Security::Starttls => "STARTTLS + AUTH PLAIN",
            Security::Tls => "implicit TLS",
        };
        println!(
            "| {label} | {sent} | {:.0} ms | {:.0} ms |",
            times[times.len() / 2],
            times[0]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts the server and waits for its `READY <port>`.
fn start(script: &PathBuf, args: &[String]) -> (Child, u16) {
    let mut child = Command::new("python3")
        .arg(script)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the SMTP server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("READY line");
    let port = line
        .trim()
        .strip_prefix("READY ")
        .and_then(|p| p.parse().ok())
        .expect("port");
    (child, port)
}
