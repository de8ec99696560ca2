//! The office mailbox over IMAP, read-only: `EXAMINE` (never `SELECT`), `BODY.PEEK` (no
//! `\Seen` flag), nothing deleted, moved or flagged.
//!
//! The connection is the `imap` crate's synchronous client over our own rustls stream, so the
//! trust rule is [`crate::tls::Trust`]'s: implicit TLS (993) or STARTTLS (143, the upgrade done
//! here before the client sees the stream). Login with `AUTHENTICATE PLAIN` when the server
//! offers it, else `LOGIN`. The password comes from `DUBAN_IMAP_PASSWORD` and goes nowhere else.

use super::ReplyError;
use super::collect::{Candidate, Fetched, Inbox};
use crate::config::{Collect, Security};
use crate::tls::Trust;
use chrono::NaiveDate;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The environment variable holding the IMAP password.
pub const PASSWORD_ENV: &str = "DUBAN_IMAP_PASSWORD";

type Stream = StreamOwned<ClientConnection, TcpStream>;

/// An open, logged-in, examined mailbox.
pub struct Mailbox {
    session: imap::Session<Stream>,
    server: String,
    since: NaiveDate,
    until: Option<NaiveDate>,
    mailbox: String,
}

struct Plain<'a> {
    user: &'a str,
    password: &'a str,
}

impl imap::Authenticator for Plain<'_> {
    type Response = Vec<u8>;
    fn process(&self, _challenge: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.user.len() + self.password.len() + 2);
        out.push(0);
        out.extend_from_slice(self.user.as_bytes());
        out.push(0);
        out.extend_from_slice(self.password.as_bytes());
        out
    }
}

impl Mailbox {
    /// Connects, secures, logs in and examines `[collect] mailbox`; the messages looked at are
    /// those received on or after `since` and, when given, before `until`.
    ///
    /// # Errors
    /// [`ReplyError::Tls`], [`ReplyError::Auth`], [`ReplyError::Connect`] or
    /// [`ReplyError::NoMailbox`]; nothing has been read then.
    pub fn open(
        cfg: &Collect,
        password: &str,
        since: NaiveDate,
        until: Option<NaiveDate>,
    ) -> Result<Mailbox, ReplyError> {
        let server = format!("{}:{}", cfg.host.trim(), cfg.port());
        let trust =
            Trust::new(cfg.ca_file.as_deref()).map_err(|e| ReplyError::Config(e.to_string()))?;
        let connect_err = |reason: String| ReplyError::Connect {
            server: server.clone(),
            reason,
        };
        let addr = (cfg.host.trim(), cfg.port())
            .to_socket_addrs()
            .map_err(|e| connect_err(format!("无法解析服务器地址（{}）", io_words(&e))))?
            .next()
            .ok_or_else(|| connect_err("无法解析服务器地址".into()))?;
        let timeout = Duration::from_secs(cfg.timeout_s);
        let mut tcp =
            TcpStream::connect_timeout(&addr, timeout).map_err(|e| connect_err(io_words(&e)))?;
        tcp.set_read_timeout(Some(timeout)).ok();
        tcp.set_write_timeout(Some(timeout)).ok();
        if cfg.security == Security::Starttls {
            starttls(&mut tcp).map_err(connect_err)?;
        }
        let name = ServerName::try_from(cfg.host.trim().to_string())
            .map_err(|_| connect_err("服务器名称不是有效的主机名或地址".into()))?;
        let conn =
            ClientConnection::new(trust.client_config(), name).map_err(|e| ReplyError::Tls {
                server: server.clone(),
                detail: crate::tls::describe(&e),
            })?;
        let mut tls = StreamOwned::new(conn, tcp);
        // Finish the handshake now, so a certificate problem is named as one.
        while tls.conn.is_handshaking() {
            if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
                let detail = crate::tls::describe_io(&e)
                    .unwrap_or_else(|| format!("TLS 握手时连接中断（{}）", io_words(&e)));
                return Err(ReplyError::Tls {
                    server: server.clone(),
                    detail,
                });
            }
        }
        let mut client = imap::Client::new(tls);
        if cfg.security == Security::Tls {
            client.read_greeting().map_err(|e| classify(&server, &e))?;
        }
        let user = cfg.username.trim();
        let plain = client
            .capabilities()
            .map(|c| c.has_str("AUTH=PLAIN"))
            .unwrap_or(false);
        let session = if plain {
            client
                .authenticate("PLAIN", &Plain { user, password })
                .map_err(|(e, _)| auth_error(&server, &e))?
        } else {
            client
                .login(user, password)
                .map_err(|(e, _)| auth_error(&server, &e))?
        };
        let mut mailbox = Mailbox {
            session,
            server,
            since,
            until: until.filter(|u| *u > since),
            mailbox: cfg.mailbox.clone(),
        };
        mailbox
            .session
            .examine(&mailbox.mailbox)
            .map_err(|e| match e {
                imap::Error::No(no) => ReplyError::NoMailbox {
                    server: mailbox.server.clone(),
                    mailbox: mailbox.mailbox.clone(),
                    detail: no.information,
                },
                e => classify(&mailbox.server, &e),
            })?;
        Ok(mailbox)
    }

    /// Says goodbye.
    pub fn close(mut self) {
        let _ = self.session.logout();
    }
}

impl Inbox for Mailbox {
    fn list(&mut self) -> Result<Vec<Candidate>, ReplyError> {
        let mut query = format!("SINCE {}", self.since.format("%-d-%b-%Y"));
        if let Some(until) = self.until {
            query.push_str(&format!(" BEFORE {}", until.format("%-d-%b-%Y")));
        }
        let mut uids: Vec<u32> = self
            .session
            .uid_search(&query)
            .map_err(|e| classify(&self.server, &e))?
            .into_iter()
            .collect();
        uids.sort_unstable();
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let headers = self
            .session
            .uid_fetch(&set, "(UID BODY.PEEK[HEADER])")
            .map_err(|e| classify(&self.server, &e))?;
        let mut ids = std::collections::HashMap::new();
        for f in headers.iter() {
            if let (Some(uid), Some(header)) = (f.uid, f.header()) {
                let id = mail_parser::MessageParser::default()
                    .parse_headers(header)
                    .and_then(|m| m.message_id().map(str::to_string))
                    .map(|m| m.trim().trim_matches(['<', '>']).to_string())
                    .filter(|m| !m.is_empty());
                ids.insert(uid, id);
            }
        }
        Ok(uids
            .into_iter()
            .map(|uid| Candidate {
                key: uid.to_string(),
                message_id: ids.get(&uid).cloned().flatten(),
            })
            .collect())
    }

    fn fetch(&mut self, candidate: &Candidate) -> Result<Fetched, ReplyError> {
        let fetches = self
            .session
            .uid_fetch(&candidate.key, "(UID INTERNALDATE BODY.PEEK[])")
            .map_err(|e| classify(&self.server, &e))?;
        let Some(f) = fetches.iter().find(|f| f.body().is_some()) else {
            return Err(ReplyError::Connect {
                server: self.server.clone(),
                reason: format!("服务器没有返回邮件 UID {} 的内容", candidate.key),
            });
        };
        Ok(Fetched {
            raw: f.body().map(<[u8]>::to_vec).unwrap_or_default(),
            received: f.internal_date(),
            origin: format!("IMAP UID {}", candidate.key),
        })
    }
}

/// The STARTTLS upgrade on a plain connection: greeting, `STARTTLS`, its OK.
fn starttls(tcp: &mut TcpStream) -> Result<(), String> {
    let mut reader = BufReader::new(tcp.try_clone().map_err(|e| io_words(&e))?);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| format!("等待服务器问候时出错（{}）", io_words(&e)))?;
    if !line.starts_with("* OK") && !line.starts_with("* PREAUTH") {
        return Err("服务器的问候不是 IMAP 协议（请核对端口）".into());
    }
    tcp.write_all(b"a0 STARTTLS\r\n")
        .map_err(|e| io_words(&e))?;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| format!("STARTTLS 时出错（{}）", io_words(&e)))?;
        if n == 0 {
            return Err("服务器在 STARTTLS 时关闭了连接".into());
        }
        if let Some(rest) = line.strip_prefix("a0 ") {
            if rest.starts_with("OK") {
                // Nothing may be buffered past the OK: the TLS handshake starts right after it.
                if !reader.buffer().is_empty() {
                    return Err("服务器在 STARTTLS 之后发来了多余的数据".into());
                }
                return Ok(());
            }
            return Err("服务器不支持 STARTTLS 加密。请确认端口（STARTTLS 通常为 143），或改用 security = \"tls\"（端口 993）".into());
        }
    }
}

fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "连接被拒绝（服务器未在该端口监听）".into(),
        K::TimedOut | K::WouldBlock => "等待服务器超时".into(),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            "连接被服务器中断".into()
        }
        K::NotFound => "找不到服务器".into(),
        _ => format!("网络错误（错误码 {}）", e.raw_os_error().unwrap_or(0)),
    }
}

fn auth_error(server: &str, e: &imap::Error) -> ReplyError {
    match e {
        imap::Error::No(_) | imap::Error::Bad(_) => ReplyError::Auth {
            server: server.to_string(),
        },
        other => classify(server, other),
    }
}

/// An IMAP failure after the connection was made: TLS, dropped connection, refusal.
fn classify(server: &str, e: &imap::Error) -> ReplyError {
    let reason = match e {
        imap::Error::Io(io) => {
            if let Some(detail) = crate::tls::describe_io(io) {
                return ReplyError::Tls {
                    server: server.to_string(),
                    detail,
                };
            }
            io_words(io)
        }
        imap::Error::ConnectionLost => "连接被服务器中断".into(),
        imap::Error::Bye(_) => "服务器结束了会话".into(),
        imap::Error::No(no) => format!("服务器拒绝了请求（{}）", no.information),
        imap::Error::Bad(bad) => format!("服务器不接受请求（{}）", bad.information),
        _ => "服务器的回应无法识别".into(),
    };
    ReplyError::Connect {
        server: server.to_string(),
        reason,
    }
}
