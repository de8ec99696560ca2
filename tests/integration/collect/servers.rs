//! The test's project, Dovecot and the SMTP test server, each stopped when dropped.

use super::*;

pub(super) struct Project {
    pub(super) dir: PathBuf,
    pub(super) config: PathBuf,
}

impl Project {
    /// A project with empty submissions and output, `[collect]`/`[mail]` given as TOML.
    pub(super) fn new(name: &str, extra: &str) -> Project {
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

    pub(super) fn month_dir(&self) -> PathBuf {
        self.dir.join("submissions/2026-11")
    }

    pub(super) fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_duban"))
            .current_dir(&self.dir)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("DUBAN_IMAP_PASSWORD", PASSWORD)
            .env("DUBAN_SMTP_PASSWORD", SMTP_PASSWORD)
            .env("TZ", "CST-8")
            .output()
            .expect("run duban")
    }

    /// Workbook files in the month folder (not the logs, not dot-files).
    pub(super) fn saved(&self) -> Vec<String> {
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

    pub(super) fn log(&self, name: &str) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.month_dir().join(name)).unwrap_or_default();
        duban::mail::read_csv(&text).into_iter().skip(1).collect()
    }
}

pub(super) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Debian's Dovecot with a throwaway configuration; stopped when dropped.
pub(super) struct Dovecot {
    pub(super) dir: PathBuf,
    pub(super) imap_port: u16,
    pub(super) imaps_port: u16,
    pub(super) ca: PathBuf,
}

pub(super) fn dovecot_uid() -> Option<(u32, u32)> {
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
    pub(super) fn start(dir: &Path) -> Option<Dovecot> {
        let certs = crate::send::certs(dir)?;
        Dovecot::start_with(
            dir,
            &certs.join("server.pem"),
            &certs.join("server.key"),
            &certs.join("ca.pem"),
        )
    }

    pub(super) fn start_with(dir: &Path, cert: &Path, key: &Path, ca: &Path) -> Option<Dovecot> {
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
    pub(super) fn deliver(&self, n: usize, raw: &[u8], when: SystemTime) {
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
    pub(super) fn append(&self, raw: &[u8]) {
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
    pub(super) fn flags(&self) -> String {
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

    pub(super) fn collect_toml(&self, security: &str, ca: &Path) -> String {
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

pub(super) fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    if path.is_dir() {
        for e in std::fs::read_dir(path).expect("dir").filter_map(Result::ok) {
            chown_tree(&e.path(), uid, gid);
        }
    }
}

/// The send tests' SMTP server (aiosmtpd, `crate::send::Server`), read here as (first
/// recipient, message bytes) per message.
pub(super) struct Smtp(crate::send::Server);

impl Smtp {
    pub(super) fn start(dir: &Path, args: &[&str]) -> Option<Smtp> {
        crate::send::Server::start(&dir.join("smtp"), args).map(Smtp)
    }

    /// (first recipient, message bytes) of every message received, in order.
    pub(super) fn received(&self) -> Vec<(String, Vec<u8>)> {
        self.0
            .received()
            .into_iter()
            .map(|r| (r.rcpt.into_iter().next().unwrap_or_default(), r.message))
            .collect()
    }

    pub(super) fn port(&self) -> u16 {
        self.0.port
    }

    pub(super) fn toml(&self) -> String {
        format!("[mail]\n{}", crate::send::plain_mail(self.0.port))
    }
}

/// A message's text part decoded (Python's email package, an independent parser).
pub(super) fn body_text(raw: &[u8], dir: &Path) -> String {
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

pub(super) fn nov(day: u32, hour: u32) -> SystemTime {
    use chrono::TimeZone;
    let t = chrono::FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("time");
    SystemTime::UNIX_EPOCH + Duration::from_secs(t.timestamp() as u64)
}
