//! One SMTP session for a batch, on lettre's SMTP client (`SmtpConnection`): connect (implicit
//! TLS, STARTTLS or plain), log in, send message after message over the same connection, and
//! reconnect when the server dropped it or refused a message (lettre closes the connection
//! after any failed transaction).
//!
//! Every failure is sorted into what the batch does next ([`Fault`]): stop at once (TLS or
//! login), give up on this message (5xx), or try again (4xx, dropped connection, timeout).

use super::SendError;
use crate::config::{Mail, Security};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;

/// Why a message was not delivered, and so what to do next.
#[derive(Debug)]
pub enum Fault {
    /// Stop the batch now: TLS cannot be trusted, or the server refused our login.
    Fatal(SendError),
    /// The server refused this message for good (5xx); its words.
    Permanent(String),
    /// Worth another try: a 4xx reply, a dropped connection, a timeout.
    Temporary { words: String, stage: Stage },
}

/// Where a temporary failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
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

    /// Sends one message; the server's reply (`250 …`) on success.
    pub fn send(&mut self, envelope: &Envelope, bytes: &[u8]) -> Result<String, Fault> {
        if self.conn.as_ref().is_none_or(SmtpConnection::has_broken) {
            self.conn = None;
            self.conn = Some(self.connect()?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(Fault::Temporary {
                words: "未能建立连接".into(),
                stage: Stage::Connect,
            });
        };
        match conn.send(envelope, bytes) {
            Ok(response) => Ok(reply_text(&response)),
            Err(e) => {
                // lettre has already ended the transaction (and the connection) on any error.
                self.conn = None;
                Err(self.classify_send(&e))
            }
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
                            stage: Stage::Connect,
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
            stage: Stage::Connect,
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
                stage: Stage::Reply,
            };
        }
        if e.is_client() {
            return Fault::Permanent(error_words(e));
        }
        Fault::Temporary {
            words: error_words(e),
            stage: Stage::Dropped,
        }
    }

    fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
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
