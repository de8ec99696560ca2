//! One SMTP session for a batch, on lettre's SMTP client (`SmtpConnection`): connect (implicit
//! TLS, STARTTLS or plain), log in, send message after message over the same connection, and
//! reconnect when the server dropped it or refused a message (lettre closes the connection
//! after any failed transaction).
//!
//! Every failure is sorted into what the batch does next ([`Fault`]): stop at once (TLS or
//! login), give up on this message (5xx), try again (4xx, or a dropped connection or timeout
//! before the body went out), or leave it undecided (no reply at all after the body went out:
//! the server may have taken it, so sending again could deliver it twice).
//!
//! The transaction is driven command by command (MAIL, RCPT, DATA, body) so that the caller
//! can log 发送中 just before the body goes out, and the reply to the final “.” gets its own
//! wait of at least [`DATA_REPLY_WAIT`] (RFC 5321 §4.5.3.2: a server may take that long to
//! take responsibility for a message); `timeout_s` bounds everything else.

use super::SendError;
use crate::config::{Mail, Security};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail as MailCommand, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::time::Duration;

/// The least wait for the reply to the end of the data (RFC 5321 §4.5.3.2.6: 10 minutes).
pub const DATA_REPLY_WAIT: Duration = Duration::from_secs(600);

/// Why a message was not delivered, and so what to do next.
#[derive(Debug)]
pub enum Fault {
    /// Stop the batch now: TLS cannot be trusted, or the server refused our login.
    Fatal(SendError),
    /// The server refused this message for good (5xx); its words.
    Permanent(String),
    /// Worth another try: a 4xx reply, a dropped connection, a timeout — all before the body
    /// went out, or a 4xx reply to the end of the data (the server did not take it).
    Temporary { words: String, stage: SmtpStep },
    /// The body went out and no reply came (timeout, dropped connection): delivered or not,
    /// nobody knows. Never retried by itself.
    Unknown(String),
}

/// Where a temporary failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpStep {
    /// Reaching the server at all (connection refused, timeout before the greeting).
    Connect,
    /// The connection broke while a message was on its way.
    Dropped,
    /// The server answered 4xx.
    Reply,
}

/// The batch's connection to the server.
pub struct Session {
    host: String,
    port: u16,
    security: Security,
    timeout: Duration,
    credentials: Option<Credentials>,
    tls: Option<TlsParameters>,
    /// `ca_file`'s trust rule, checked on the peer's chain before AUTH or any data (lettre
    /// takes no custom verifier: with `ca_file` its own chain check is off, the handshake
    /// signatures are still verified, and [`crate::tls::Trust`] decides).
    pinned: Option<crate::tls::Trust>,
    hello: ClientId,
    conn: Option<SmtpConnection>,
}

impl Session {
    /// Prepares (does not open) the session. `hello` is the name we greet the server with.
    ///
    /// # Errors
    /// [`SendError::CaFile`] when `ca_file` cannot be read or holds no certificate,
    /// [`SendError::Tls`] when the TLS settings cannot be built.
    pub fn new(mail: &Mail, hello: &str, password: Option<&str>) -> Result<Session, SendError> {
        let (tls, pinned) = match mail.security {
            Security::None => (None, None),
            Security::Starttls | Security::Tls => {
                let (tls, pinned) = tls_parameters(mail)?;
                (Some(tls), pinned)
            }
        };
        let credentials = mail.username.as_ref().map(|user| {
            Credentials::new(user.trim().to_string(), password.unwrap_or("").to_string())
        });
        Ok(Session {
            host: mail.host.trim().to_string(),
            port: mail.port(),
            security: mail.security,
            timeout: Duration::from_secs(mail.timeout_s),
            credentials,
            tls,
            pinned,
            hello: ClientId::Domain(hello.to_string()),
            conn: None,
        })
    }

    /// Sends one message; the server's reply (`250 …`) on success. `before_body` runs once
    /// the server has said go ahead (354 to DATA), just before the body goes out; its error
    /// ends the batch ([`Fault::Fatal`]) with nothing sent.
    pub fn send(
        &mut self,
        envelope: &Envelope,
        bytes: &[u8],
        before_body: &mut dyn FnMut() -> Result<(), SendError>,
    ) -> Result<String, Fault> {
        if self.conn.as_ref().is_none_or(SmtpConnection::has_broken) {
            self.conn = None;
            self.conn = Some(self.connect()?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(Fault::Temporary {
                words: "未能建立连接".into(),
                stage: SmtpStep::Connect,
            });
        };
        let result = transaction(conn, envelope, bytes, self.timeout, before_body);
        if result.is_err() {
            // A failed transaction leaves the connection in an unknown state: start afresh.
            if let Some(mut conn) = self.conn.take() {
                // abort says QUIT: its reply is not worth the long wait for the body's
                let _ = conn.set_timeout(Some(self.timeout));
                conn.abort();
            }
        }
        match result {
            Ok(response) => Ok(reply_text(&response)),
            Err(Step::Envelope(e)) => Err(self.classify_send(&e)),
            Err(Step::Logging(e)) => Err(Fault::Fatal(e)),
            Err(Step::Unsupported(words)) => Err(Fault::Permanent(words)),
            Err(Step::Socket(e)) => Err(Fault::Temporary {
                words: format!("连接中断（{e}）"),
                stage: SmtpStep::Dropped,
            }),
            Err(Step::Body(e)) => Err(classify_body(&e)),
        }
    }

    /// Says goodbye (QUIT) when connected.
    pub fn close(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.quit();
        }
    }

    fn connect(&self) -> Result<SmtpConnection, Fault> {
        let wrapper = match self.security {
            Security::Tls => self.tls.as_ref(),
            Security::Starttls | Security::None => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper,
            None,
        )
        .map_err(|e| self.classify_connect(&e))?;
        if self.security == Security::Starttls {
            if !conn.can_starttls() {
                conn.abort();
                return Err(Fault::Fatal(SendError::Tls {
                    server: self.server(),
                    detail: "服务器不支持 STARTTLS 加密。请确认端口（STARTTLS 通常为 587），或改用 security = \"tls\"（端口 465）".into(),
                }));
            }
            let Some(tls) = self.tls.as_ref() else {
                return Err(Fault::Fatal(SendError::Tls {
                    server: self.server(),
                    detail: "未能建立 TLS 设置".into(),
                }));
            };
            conn.starttls(tls, &self.hello)
                .map_err(|e| self.classify_connect(&e))?;
        }
        if let Some(trust) = &self.pinned {
            let chain = conn.certificate_chain().unwrap_or_default();
            if let Err(detail) = trust.check_chain(&chain, &self.host) {
                conn.abort();
                return Err(Fault::Fatal(SendError::Tls {
                    server: self.server(),
                    detail: format!("{detail}，未发送任何邮件"),
                }));
            }
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .map_err(|e| {
                    if e.is_transient() {
                        Fault::Temporary {
                            words: error_words(&e),
                            stage: SmtpStep::Connect,
                        }
                    } else if e.is_permanent() || e.is_client() || e.is_response() {
                        Fault::Fatal(SendError::Auth {
                            server: self.server(),
                            detail: error_words(&e),
                        })
                    } else {
                        self.classify_connect(&e)
                    }
                })?;
        }
        Ok(conn)
    }

    /// A failure while connecting or securing the connection.
    fn classify_connect(&self, e: &lettre::transport::smtp::Error) -> Fault {
        if let Some(detail) = tls_failure(e) {
            return Fault::Fatal(SendError::Tls {
                server: self.server(),
                detail,
            });
        }
        if e.is_permanent() {
            // e.g. 554 at the greeting: this server will not talk to us
            return Fault::Fatal(SendError::Refused {
                server: self.server(),
                detail: error_words(e),
            });
        }
        Fault::Temporary {
            words: error_words(e),
            stage: SmtpStep::Connect,
        }
    }

    /// A failure of the transaction (MAIL, RCPT, DATA).
    fn classify_send(&self, e: &lettre::transport::smtp::Error) -> Fault {
        if let Some(code) = e.status() {
            let words = error_words(e);
            if e.is_permanent() {
                if code.to_string() == "530" {
                    return Fault::Fatal(SendError::Auth {
                        server: self.server(),
                        detail: format!(
                            "{words}（服务器要求登录：请在 [mail] 中设置 username，并设置环境变量 DUBAN_SMTP_PASSWORD）"
                        ),
                    });
                }
                return Fault::Permanent(words);
            }
            return Fault::Temporary {
                words,
                stage: SmtpStep::Reply,
            };
        }
        if e.is_client() {
            return Fault::Permanent(error_words(e));
        }
        Fault::Temporary {
            words: error_words(e),
            stage: SmtpStep::Dropped,
        }
    }

    fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Where a transaction failed.
enum Step {
    /// MAIL, RCPT or DATA: the body has not gone out.
    Envelope(lettre::transport::smtp::Error),
    /// The message cannot go to this server (it lacks SMTPUTF8 or 8BITMIME); nothing was sent.
    Unsupported(String),
    /// The caller's `before_body` (the 发送中 row could not be written).
    Logging(SendError),
    /// The socket refused the long wait; the body has not gone out.
    Socket(std::io::Error),
    /// The body or the reply to its end.
    Body(lettre::transport::smtp::Error),
}

/// MAIL FROM, RCPT TO, DATA, then the body with its own long wait for the final reply (as
/// lettre's `SmtpConnection::send`, whose one timeout covers every reply).
fn transaction(
    conn: &mut SmtpConnection,
    envelope: &Envelope,
    bytes: &[u8],
    timeout: Duration,
    before_body: &mut dyn FnMut() -> Result<(), SendError>,
) -> Result<lettre::transport::smtp::response::Response, Step> {
    let mut options = Vec::new();
    let non_ascii = envelope
        .to()
        .iter()
        .chain(envelope.from())
        .any(|a| !a.to_string().is_ascii());
    if non_ascii {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Step::Unsupported(
                "收件人地址含非 ASCII 字符，但服务器不支持 SMTPUTF8".into(),
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Step::Unsupported(
                "邮件含 8 位字符，但服务器不支持 8BITMIME".into(),
            ));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(MailCommand::new(envelope.from().cloned(), options))
        .map_err(Step::Envelope)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))
            .map_err(Step::Envelope)?;
    }
    conn.command(Data).map_err(Step::Envelope)?;
    let wait = timeout.max(data_reply_wait());
    conn.set_timeout(Some(wait)).map_err(Step::Socket)?;
    before_body().map_err(Step::Logging)?;
    let result = conn.message(bytes).map_err(Step::Body);
    if result.is_ok() {
        let _ = conn.set_timeout(Some(timeout));
    }
    result
}

/// The wait for the reply to the end of the data: [`DATA_REPLY_WAIT`]. Tests of the 状态不明
/// path shorten it with the environment variable `DUBAN_TEST_DATA_REPLY_WAIT_MS`, which exists
/// for the test suite only (it is not a setting: no file can lower it, and the office has no
/// reason to set it).
fn data_reply_wait() -> Duration {
    std::env::var("DUBAN_TEST_DATA_REPLY_WAIT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DATA_REPLY_WAIT, Duration::from_millis)
}

/// A failure after the body went out: a 4xx or 5xx reply is the server's word; anything else
/// (no reply, a dropped connection, a reply that cannot be read) leaves the message's fate
/// unknown.
fn classify_body(e: &lettre::transport::smtp::Error) -> Fault {
    if e.status().is_some() {
        let words = error_words(e);
        if e.is_permanent() {
            return Fault::Permanent(words);
        }
        return Fault::Temporary {
            words,
            stage: SmtpStep::Reply,
        };
    }
    Fault::Unknown(unanswered_words(e))
}

/// Why no reply came after the body, in words: the wait ran out, the server closed the
/// connection, or the connection broke.
fn unanswered_words(e: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    let mut source = e.source();
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            let why = match io.kind() {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    "等待服务器答复超时".to_string()
                }
                _ => format!("连接中断（{io}）"),
            };
            return format!("邮件正文已发出，但{why}，无法确认服务器是否收下");
        }
        source = err.source();
    }
    if e.is_response() {
        // lettre's “incomplete response”: the server closed the connection without a reply
        return "邮件正文已发出，但服务器未答复就关闭了连接，无法确认是否收下".to_string();
    }
    format!(
        "邮件正文已发出，但未收到服务器答复（{}），无法确认是否收下",
        error_words(e)
    )
}

/// TLS settings by the one trust rule ([`crate::tls`]): without `ca_file`, lettre verifies
/// against the system's roots; with it, lettre lets the chain through (signatures still
/// checked) and the returned [`crate::tls::Trust`] checks the peer's chain after the handshake.
fn tls_parameters(mail: &Mail) -> Result<(TlsParameters, Option<crate::tls::Trust>), SendError> {
    let mut builder = TlsParameters::builder(mail.host.trim().to_string());
    let mut pinned = None;
    if let Some(path) = &mail.ca_file {
        let trust = crate::tls::Trust::new(Some(path)).map_err(|e| SendError::CaFile {
            path: e.path,
            reason: e.reason,
        })?;
        builder = builder.dangerous_accept_invalid_certs(true);
        pinned = Some(trust);
    }
    let tls = builder.build_rustls().map_err(|_| SendError::Tls {
        server: format!("{}:{}", mail.host.trim(), mail.port()),
        detail: "无法建立 TLS 设置".into(),
    })?;
    Ok((tls, pinned))
}

/// The Chinese reason when `e` is a failed TLS handshake (rustls's error travels inside the I/O
/// error of the first read), `None` otherwise.
fn tls_failure(e: &lettre::transport::smtp::Error) -> Option<String> {
    if let Some(source) = std::error::Error::source(e)
        && let Some(detail) = crate::tls::describe_io(source)
    {
        return Some(format!("{detail}，未发送任何邮件"));
    }
    e.is_tls()
        .then(|| "TLS 握手失败。为安全起见，证书始终校验，未发送任何邮件".to_string())
}

/// `550 5.1.1 user unknown` from a reply.
fn reply_text(response: &lettre::transport::smtp::response::Response) -> String {
    let lines: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), lines.join(" "))
        .trim()
        .to_string()
}

/// The server's words for a reply error (code and text), or a short Chinese description.
fn error_words(e: &lettre::transport::smtp::Error) -> String {
    use std::error::Error as _;
    let source = e.source().map(ToString::to_string).unwrap_or_default();
    if let Some(code) = e.status() {
        return format!("{code} {source}").trim().to_string();
    }
    let kind = if e.is_timeout() {
        "等待服务器超时"
    } else if e.is_transport_shutdown() {
        "连接已关闭"
    } else if e.is_client() {
        "无法发送"
    } else if e.is_response() {
        "服务器回复无法识别"
    } else {
        "连接中断"
    };
    if source.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}（{source}）")
    }
}
