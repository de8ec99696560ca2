//! `duban collect`, receipts, `status` and `remind` against real servers on 127.0.0.1, started
//! and stopped by each test: Debian's Dovecot (a throwaway configuration: passwd-file login,
//! TLS with a test CA, a Maildir in the test's folder) for IMAP, and the send tests' aiosmtpd
//! server for the receipts and reminders.
//!
//! The replies are written as the units' mail clients write them (Foxmail and NetEase/QQ
//! webmail with GBK/GB18030 RFC 2047 names, Outlook with RFC 2231, Apple Mail, a forward inside
//! a forward, no attachment, a .zip), carrying the demo's real November workbooks.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

const USER: &str = "duchashi";
const PASSWORD: &str = "Imap-督办-pw1";
const SMTP_PASSWORD: &str = "Zx9-督办-pw!";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("collect")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn november() -> PathBuf {
    root().join("input/submissions/2026-11")
}

fn workbook(name: &str) -> Vec<u8> {
    std::fs::read(november().join(name)).expect("demo workbook")
}

// ---------------------------------------------------------------------------------------------
// Replies as mail clients write them (test fixtures, built byte by byte).

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_lines(bytes: &[u8]) -> String {
    let text = base64(bytes);
    text.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn utf8_word(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
}

/// How the reply's attachment name is written.
#[derive(Clone, Copy)]
enum Client {
    /// Foxmail: GBK RFC 2047 in both name= and filename=.
    Foxmail,
    /// NetEase/QQ webmail: GB18030 RFC 2047.
    Webmail,
    /// A Hong Kong / Taiwan webmail: Big5 RFC 2047.
    Big5,
    /// Outlook: RFC 2231 UTF-8 filename*.
    Outlook,
    /// Apple Mail: RFC 2231 in Content-Disposition, quoted-printable text, multipart/alternative.
    AppleMail,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `name`'s header parameters as `client` writes them; `gbk_b64` is the name in GBK (the same
/// bytes in GB18030 for these characters), base64.
fn attachment_headers(client: Client, name: &str, gbk_b64: Option<&str>) -> String {
    match client {
        Client::Foxmail => {
            let w = format!("=?GBK?B?{}?=", gbk_b64.expect("GBK name"));
            format!(
                "Content-Type: application/octet-stream;\r\n\tname=\"{w}\"\r\nContent-Disposition: attachment;\r\n\tfilename=\"{w}\"\r\n"
            )
        }
        Client::Webmail => {
            let w = format!("=?gb18030?B?{}?=", gbk_b64.expect("GBK name"));
            format!(
                "Content-Type: application/vnd.ms-excel; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\n"
            )
        }
        Client::Big5 => {
            let w = format!("=?big5?B?{}?=", gbk_b64.expect("Big5 name"));
            format!(
                "Content-Type: application/vnd.ms-excel; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\n"
            )
        }
        Client::Outlook => format!(
            "Content-Type: {XLSX};\r\n\tname=\"{}\"\r\nContent-Disposition: attachment;\r\n\tfilename*=utf-8''{}\r\n",
            utf8_word(name),
            pct(name)
        ),
        // Apple Mail splits a long name into RFC 2231 continuations (filename*0*, filename*1* …)
        Client::AppleMail => {
            // whole characters per piece, as Apple Mail cuts (mail-parser 0.11 decodes each
            // piece on its own, so a cut inside a character would garble the name)
            let mut pieces: Vec<String> = vec![String::new()];
            for c in name.chars() {
                if pieces.last().is_some_and(|p| p.len() >= 40) {
                    pieces.push(String::new());
                }
                if let Some(last) = pieces.last_mut() {
                    last.push_str(&pct(&c.to_string()));
                }
            }
            let params: Vec<String> = pieces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if i == 0 {
                        format!("filename*0*=utf-8''{p}")
                    } else {
                        format!("filename*{i}*={p}")
                    }
                })
                .collect();
            format!(
                "Content-Type: {XLSX};\r\n\tx-unix-mode=0644;\r\n\tname=\"{}\"\r\nContent-Disposition: attachment;\r\n\t{}\r\n",
                utf8_word(name),
                params.join(";\r\n\t")
            )
        }
    }
}

/// A reply from `from` carrying `attachments` (headers, bytes), written by `client`.
fn reply(
    client: Client,
    from: &str,
    subject: &str,
    id: &str,
    attachments: &[(String, Vec<u8>)],
) -> Vec<u8> {
    let sender = match client {
        Client::Foxmail => format!("\"=?GBK?B?zfW9qLuq?=\" <{from}>"),
        Client::Webmail | Client::Big5 => format!("=?gb18030?B?zfW9qLuq?= <{from}>"),
        _ => format!("{} <{from}>", utf8_word("王建华")),
    };
    let mut m = format!(
        "From: {sender}\r\nTo: duchashi@example.org\r\nSubject: {}\r\nDate: Wed, 25 Nov 2026 09:30:00 +0800\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b_{id}\"\r\n\r\n",
        utf8_word(subject)
    );
    let text = format!(
        "--=_b_{id}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64("报送本月进展表，请查收。".as_bytes())
    );
    match client {
        Client::AppleMail => {
            m.push_str(&format!(
                "--=_b_{id}\r\nContent-Type: multipart/alternative; boundary=\"=_alt_{id}\"\r\n\r\n--=_alt_{id}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n=E8=AF=B7=E6=9F=A5=E6=94=B6\r\n--=_alt_{id}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>=E8=AF=B7</body></html>\r\n--=_alt_{id}--\r\n"
            ));
        }
        _ => m.push_str(&text),
    }
    for (headers, bytes) in attachments {
        m.push_str(&format!(
            "--=_b_{id}\r\n{headers}Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64_lines(bytes)
        ));
    }
    m.push_str(&format!("--=_b_{id}--\r\n"));
    m.into_bytes()
}

/// `inner` forwarded as an attachment (message/rfc822) by `from`.
fn forward(from: &str, id: &str, inner: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nSubject: {}\r\nDate: Thu, 26 Nov 2026 10:00:00 +0800\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"fw{id}\"\r\n\r\n--fw{id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFYI\r\n--fw{id}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n",
        utf8_word("转发：进展表")
    )
    .into_bytes();
    m.extend_from_slice(inner);
    m.extend_from_slice(format!("\r\n--fw{id}--\r\n").as_bytes());
    m
}

fn xlsx_attachment(
    client: Client,
    name: &str,
    gbk: Option<&str>,
    bytes: Vec<u8>,
) -> (String, Vec<u8>) {
    (attachment_headers(client, name, gbk), bytes)
}

/// The fixture mailbox: every November workbook of the demo as its unit's reply, each unit's
/// client in turn, plus the odd ones (forward in a forward, no attachment, a zip, an unknown
/// sender). Returns (raw message, what the test expects saved) pairs.
fn november_replies() -> Vec<Vec<u8>> {
    let units = duban::units::Directory::load(&root().join("input/units.toml")).expect("units");
    let mut names: Vec<String> = std::fs::read_dir(november())
        .expect("november")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xlsx"))
        .collect();
    names.sort();
    let clients = [Client::Outlook, Client::AppleMail, Client::Outlook];
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let stem = name.trim_end_matches(".xlsx");
        let unit = duban::intake::identify::unit_from_file_name(stem, &units).expect("unit");
        let from = units
            .get(&unit)
            .and_then(|u| u.email.clone())
            .expect("address");
        let bytes = workbook(name);
        let raw = match unit.as_str() {
            // Foxmail, GBK name
            "市发改委" if !name.contains("更正") => reply(
                Client::Foxmail,
                &from,
                "回复：11月进展表",
                "fox-fgw@hhht",
                &[xlsx_attachment(
                    Client::Foxmail,
                    "",
                    Some("ytC3orjEzq8xMdTCvfjVubHtLnhsc3g="),
                    bytes,
                )],
            ),
            // a sender not in units.toml (a clerk's own 163 mailbox): the workbook names its unit
            "市财政局" => reply(
                Client::Webmail,
                "clerk.liu@163.example.com",
                "财政局报送",
                "web-czj@163",
                &[xlsx_attachment(
                    Client::Webmail,
                    "",
                    Some("ytCyxtX+vtaxqMvNLnhsc3g="),
                    bytes,
                )],
            ),
            // Big5 name (“市民委進展表.xlsx”)
            "市民委" => reply(
                Client::Big5,
                &from,
                "進展表",
                "big5-mw@hhht",
                &[xlsx_attachment(
                    Client::Big5,
                    "",
                    Some("paulwalltmmuaartLnhsc3g="),
                    bytes,
                )],
            ),
            // forwarded inside a forward
            "市教育局" => {
                let original = reply(
                    Client::Outlook,
                    "teacher@edu.example.org",
                    "进展表",
                    "inner-jyj@edu",
                    &[xlsx_attachment(Client::Outlook, name, None, bytes)],
                );
                forward(
                    &from,
                    "fwd2-jyj@hhht",
                    &forward("office@edu.example.org", "fwd1-jyj@edu", &original),
                )
            }
            _ => {
                let client = clients[i % clients.len()];
                reply(
                    client,
                    &from,
                    &format!("{unit}11月进展表"),
                    &format!("m{i}@hhht"),
                    &[xlsx_attachment(client, name, None, bytes)],
                )
            }
        };
        out.push(raw);
    }
    // no attachment, and a zip
    out.push(reply(
        Client::Outlook,
        "sfj@hhht.example.org",
        "进展表稍后报送",
        "noatt@hhht",
        &[],
    ));
    let zip = workbook_zip();
    out.push(reply(
        Client::Outlook,
        "sfj@hhht.example.org",
        "进展表（压缩包）",
        "zip@hhht",
        &[(attachment_headers(Client::Outlook, "材料.zip", None), zip)],
    ));
    out
}

/// A .zip holding a text file (not a workbook).
fn workbook_zip() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    zip.start_file("说明.txt", zip::write::SimpleFileOptions::default())
        .expect("zip");
    zip.write_all("见附件".as_bytes()).expect("zip");
    zip.finish().expect("zip");
    buf.into_inner()
}

// ---------------------------------------------------------------------------------------------
// The project and the servers.

struct Project {
    dir: PathBuf,
    config: PathBuf,
}

impl Project {
    /// A project with empty submissions and output, `[collect]`/`[mail]` given as TOML.
    fn new(name: &str, extra: &str) -> Project {
        let dir = temp(name);
        let text = crate::common::config_text(&crate::common::ConfigPaths {
            output: Some(&dir.join("output")),
            submissions: Some(&dir.join("submissions")),
            units: None,
        });
        let config = dir.join("duban.toml");
        std::fs::write(&config, format!("{text}\n{extra}\n")).expect("config");
        Project { dir, config }
    }

    fn month_dir(&self) -> PathBuf {
        self.dir.join("submissions/2026-11")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .current_dir(&self.dir)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("DUBAN_IMAP_PASSWORD", PASSWORD)
            .env("DUBAN_SMTP_PASSWORD", SMTP_PASSWORD)
            .env("TZ", "Asia/Shanghai")
            .output()
            .expect("run duban")
    }

    /// Workbook files in the month folder (not the logs, not dot-files).
    fn saved(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.month_dir())
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.') && !n.ends_with(".csv"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn log(&self, name: &str) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.month_dir().join(name)).unwrap_or_default();
        duban::mail::read_csv(&text).into_iter().skip(1).collect()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Debian's Dovecot with a throwaway configuration; stopped when dropped.
struct Dovecot {
    dir: PathBuf,
    imap_port: u16,
    imaps_port: u16,
    ca: PathBuf,
}

fn dovecot_uid() -> Option<(u32, u32)> {
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

impl Dovecot {
    /// Starts Dovecot with `cert`/`key`; `None` (after noting it) where Dovecot or Python's
    /// cryptography is missing on a developer's machine — under CI that fails the test.
    fn start(dir: &Path) -> Option<Dovecot> {
        let certs = certs(dir)?;
        Dovecot::start_with(
            dir,
            &certs.join("server.pem"),
            &certs.join("server.key"),
            &certs.join("ca.pem"),
        )
    }

    fn start_with(dir: &Path, cert: &Path, key: &Path, ca: &Path) -> Option<Dovecot> {
        let binary = Path::new("/usr/sbin/dovecot");
        let Some((uid, gid)) = dovecot_uid().filter(|_| binary.exists()) else {
            crate::checker::missing("Debian 的 dovecot-imapd（IMAP 测试服务器）");
            return None;
        };
        // Under the system's temporary folder, not the target folder: Dovecot reads the mail as
        // the `dovecot` user, who must be able to reach it (a clone under /root is not).
        let test = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("duban-dovecot-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mail = dir.join("mail");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(mail.join(USER).join(sub)).expect("maildir");
        }
        std::fs::create_dir_all(dir.join("run")).expect("run dir");
        chown_tree(&mail, uid, gid);
        let (imap_port, imaps_port) = (free_port(), free_port());
        let conf = format!(
            r#"base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"#,
            d = dir.display(),
            cert = cert.display(),
            key = key.display(),
        );
        std::fs::write(dir.join("dovecot.conf"), conf).expect("conf");
        std::fs::write(dir.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n"))
            .expect("passwd");
        let status = Command::new(binary)
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .status()
            .expect("start dovecot");
        assert!(
            status.success(),
            "dovecot starts: {}",
            std::fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default()
        );
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", imaps_port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "dovecot listens"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Dovecot {
            dir,
            imap_port,
            imaps_port,
            ca: ca.to_path_buf(),
        })
    }

    /// Delivers `raw` into the Maildir as received at `when` (its INTERNALDATE).
    fn deliver(&self, n: usize, raw: &[u8], when: SystemTime) {
        let (uid, gid) = dovecot_uid().expect("dovecot user");
        let path = self.dir.join("mail").join(USER).join("new").join(format!(
            "{}.M{n}P1.duban-test",
            when.duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        ));
        std::fs::write(&path, raw).expect("deliver");
        let f = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_modified(when).expect("mtime");
        std::os::unix::fs::chown(&path, Some(uid), Some(gid)).expect("chown");
    }

    /// Appends `raw` as a unit's client does (Python's imaplib over TLS, APPEND).
    fn append(&self, raw: &[u8]) {
        let file = self.dir.join("append.eml");
        std::fs::write(&file, raw).expect("write");
        let script = format!(
            "import imaplib,ssl\nctx=ssl.create_default_context(cafile={ca:?})\nm=imaplib.IMAP4_SSL('127.0.0.1',{port},ssl_context=ctx)\nm.authenticate('PLAIN',lambda _: ('\\0'+{USER:?}+'\\0'+{PASSWORD:?}).encode())\nm.append('INBOX',None,None,open({file:?},'rb').read())\nm.logout()\n",
            ca = self.ca.display().to_string(),
            port = self.imaps_port,
            file = file.display().to_string()
        );
        let out = Command::new("python3")
            .args(["-c", &script])
            .output()
            .expect("python");
        assert!(out.status.success(), "APPEND: {}", text(&out));
    }

    /// The flags of every message (duban must leave them as they were).
    fn flags(&self) -> String {
        let script = format!(
            "import imaplib,ssl\nctx=ssl.create_default_context(cafile={ca:?})\nm=imaplib.IMAP4_SSL('127.0.0.1',{port},ssl_context=ctx)\nm.authenticate('PLAIN',lambda _: ('\\0'+{USER:?}+'\\0'+{PASSWORD:?}).encode())\nm.select('INBOX',readonly=True)\nt,d=m.fetch('1:*','(FLAGS)')\nprint(d)\nm.logout()\n",
            ca = self.ca.display().to_string(),
            port = self.imaps_port,
        );
        let out = Command::new("python3")
            .args(["-c", &script])
            .output()
            .expect("python");
        assert!(out.status.success(), "FETCH FLAGS: {}", text(&out));
        let flags = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(flags.contains("FLAGS"), "{flags}");
        flags
    }

    fn collect_toml(&self, security: &str, ca: &Path) -> String {
        let port = if security == "tls" {
            self.imaps_port
        } else {
            self.imap_port
        };
        format!(
            "[collect]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\nusername = \"{USER}\"\nca_file = {:?}\n",
            ca.display().to_string()
        )
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("run/master.pid")) {
            let pid = pid.trim();
            let _ = Command::new("kill").arg(pid).status();
            // wait (a little) for the master to go, then remove the throwaway folder
            let gone = Instant::now();
            while Path::new("/proc").join(pid).exists() && gone.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    if path.is_dir() {
        for e in std::fs::read_dir(path).expect("dir").filter_map(Result::ok) {
            chown_tree(&e.path(), uid, gid);
        }
    }
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The send tests' certificates (test CA, server certificate for 127.0.0.1, another CA).
fn certs(dir: &Path) -> Option<PathBuf> {
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

/// The send tests' SMTP server (aiosmtpd), stopped when dropped.
struct Smtp {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Smtp {
    fn start(dir: &Path, args: &[&str]) -> Option<Smtp> {
        if !python_has("aiosmtpd") {
            crate::checker::missing("Python 的 aiosmtpd（SMTP 测试服务器）");
            return None;
        }
        let received = dir.join("smtp-received");
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
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("READY");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected server output: {line:?}"));
        Some(Smtp {
            child,
            port,
            dir: received,
        })
    }

    /// (first recipient, message bytes) of every message received, in order.
    fn received(&self) -> Vec<(String, Vec<u8>)> {
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
                let env: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(d.join("envelope.json")).expect("env"))
                        .expect("json");
                (
                    env["rcpt_tos"][0].as_str().unwrap_or_default().to_string(),
                    std::fs::read(d.join("message.eml")).expect("message"),
                )
            })
            .collect()
    }

    fn toml(&self) -> String {
        format!(
            "[mail]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nper_minute = 0\n",
            self.port
        )
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message's text part decoded (Python's email package, an independent parser).
fn body_text(raw: &[u8], dir: &Path) -> String {
    let file = dir.join("body.eml");
    std::fs::write(&file, raw).expect("write");
    let script = format!(
        "import email,email.policy\nm=email.message_from_binary_file(open({:?},'rb'),policy=email.policy.default)\nprint(m['subject'])\nb=m.get_body(('plain',))\nprint(b.get_content())\nfor p in m.iter_attachments(): print('附件:', p.get_filename())\n",
        file.display().to_string()
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn nov(day: u32, hour: u32) -> SystemTime {
    use chrono::TimeZone;
    let t = chrono::FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("time");
    SystemTime::UNIX_EPOCH + Duration::from_secs(t.timestamp() as u64)
}

// ---------------------------------------------------------------------------------------------
// The tests.

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
    assert_eq!(receipts.iter().filter(|r| r[5] == "已发送").count(), 42);

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

/// The month's whole loop on real servers: templates → send → the units reply (APPEND, as
/// their clients do) → collect → receipts → status → remind (only the silent units, once a
/// day) → run → send.
#[test]
fn whole_loop_templates_to_notices() {
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
    let templates_sent = smtp.received().len();
    assert_eq!(templates_sent, 45);

    // the units reply (all but the fixture's odd ones, appended by an IMAP client)
    let replies = november_replies();
    for raw in &replies {
        dovecot.append(raw);
    }
    let console = ok(&project.run(&["collect"]), 0);
    assert!(console.contains("已保存 42 个文件"), "{console}");
    let receipts = smtp.received().len() - templates_sent;
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
        assert!(body.contains("附件: "), "template attached: {body}");
    }
    // at most once a day
    let console = ok(&project.run(&["remind"]), 0);
    assert!(console.contains("催报 0 个单位"), "{console}");
    assert_eq!(smtp.received().len(), before + reminders.len());

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
        smtp.port,
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
    assert!(console.contains("另一次发送"), "{console}");
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

/// The month's replies are those received from its templates' sending on and before the next
/// month's templates went out: a reply after that belongs to the next month.
#[test]
fn replies_after_next_months_templates_are_left_for_next_month() {
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
