//! One trust rule for every TLS connection duban makes (SMTP for `send`, IMAP for `collect`):
//! the system's trusted roots plus the certificates of `ca_file`, where `ca_file` may hold the
//! office's own CA **or the server's own self-signed certificate**.
//!
//! A self-signed server certificate as `openssl req -x509` makes it carries `CA:TRUE`, which
//! webpki refuses as an end-entity (`CaUsedAsEndEntity`), so adding it as a root is not enough:
//! a certificate of `ca_file` presented by the server is trusted as exactly that certificate
//! (byte for byte), and anything else goes through webpki against the roots as usual. The
//! handshake itself (the server's signature over it) is always verified by the crypto provider.
//!
//! IMAP builds its rustls connection from [`Trust::client_config`]. lettre takes no custom
//! verifier, so SMTP lets lettre's handshake through unverified-by-chain (signatures still
//! checked) and calls [`Trust::check_chain`] on the peer's chain before AUTH or any data.
//!
//! Every message is Chinese ([`describe`]); rustls's own words never reach the office.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{VerifierBuilderError, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

/// `ca_file` cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("ca_file 指定的证书文件 {path} 不可用：{reason}")]
pub struct CaFileError {
    pub path: String,
    pub reason: String,
}

/// The trust rule of one connection target.
#[derive(Debug, Clone)]
pub struct Trust {
    /// System roots plus the CA certificates of `ca_file`; `None` when there are none at all.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    /// Every certificate of `ca_file`, trusted as that exact certificate.
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

/// The crypto provider duban uses (the one lettre is built with).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Certificates of a PEM file (`-----BEGIN CERTIFICATE-----` blocks).
fn read_pem(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    use rustls::pki_types::pem::PemObject;
    let err = |reason: String| CaFileError {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("无法读取（{e}）")))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|_| err("证书格式不正确，无法解析".into()))?;
    if certs.is_empty() {
        return Err(err(
            "其中没有 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头）".into(),
        ));
    }
    Ok(certs)
}

impl Trust {
    /// The rule for a server: system roots, plus `ca_file` when given.
    ///
    /// # Errors
    /// [`CaFileError`] when `ca_file` cannot be read or holds no certificate.
    pub fn new(ca_file: Option<&Path>) -> Result<Trust, CaFileError> {
        let pinned = match ca_file {
            Some(path) => read_pem(path)?,
            None => Vec::new(),
        };
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        // A self-signed server certificate is usually also a valid trust anchor; one webpki
        // cannot parse as an anchor is still pinned.
        roots.add_parsable_certificates(pinned.iter().cloned());
        let provider = provider();
        let webpki = if roots.is_empty() {
            None
        } else {
            match WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
            {
                Ok(v) => Some(v),
                Err(VerifierBuilderError::NoRootAnchors) => None,
                Err(e) => {
                    return Err(CaFileError {
                        path: ca_file.map(|p| p.display().to_string()).unwrap_or_default(),
                        reason: format!("无法建立证书校验（{}）", chinese_builder_error(&e)),
                    });
                }
            }
        };
        Ok(Trust {
            webpki,
            pinned,
            provider,
        })
    }

    /// Whether `ca_file` gave certificates (SMTP then checks the chain itself).
    pub fn has_ca_file(&self) -> bool {
        !self.pinned.is_empty()
    }

    /// A rustls client configuration that verifies by this rule.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        let verifier = Arc::new(Verifier(self.clone()));
        let config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map(|b| {
                b.dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth()
            });
        // The ring provider supports the default protocol versions; should it not, fall back
        // to the same verifier with TLS 1.3 alone.
        Arc::new(config.unwrap_or_else(|_| {
            ClientConfig::builder_with_provider(self.provider.clone())
                .with_protocol_versions(&[&rustls::version::TLS13])
                .expect("TLS 1.3 is supported by ring")
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Verifier(self.clone())))
                .with_no_client_auth()
        }))
    }

    /// Checks a server's certificate chain (DER, end-entity first) for `host` by this rule;
    /// a Chinese reason when it is not trusted.
    ///
    /// # Errors
    /// The reason, in Chinese, the chain is not trusted.
    pub fn check_chain(&self, chain: &[Vec<u8>], host: &str) -> Result<(), String> {
        let Some((end, rest)) = chain.split_first() else {
            return Err("服务器没有出示证书".into());
        };
        let end = CertificateDer::from(end.clone());
        let rest: Vec<CertificateDer<'static>> = rest
            .iter()
            .map(|c| CertificateDer::from(c.clone()))
            .collect();
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| format!("服务器名称“{host}”不是有效的主机名或地址"))?;
        self.verify(&end, &rest, &name, UnixTime::now())
            .map(|_| ())
            .map_err(|e| describe(&e))
    }

    fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref())
        {
            return Ok(ServerCertVerified::assertion());
        }
        match &self.webpki {
            Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, &[], now),
            None => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        }
    }

    fn algorithms(&self) -> &WebPkiSupportedAlgorithms {
        &self.provider.signature_verification_algorithms
    }
}

#[derive(Debug)]
struct Verifier(Trust);

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.0.verify(end_entity, intermediates, server_name, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, self.0.algorithms())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, self.0.algorithms())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.algorithms().supported_schemes()
    }
}

fn chinese_builder_error(e: &VerifierBuilderError) -> &'static str {
    match e {
        VerifierBuilderError::NoRootAnchors => "没有可用的根证书",
        VerifierBuilderError::InvalidCrl(_) => "证书吊销列表无效",
        _ => "证书设置无效",
    }
}

/// The Chinese reason for a failed TLS connection; never rustls's English words.
pub fn describe(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let what = match e {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => {
                "服务器证书的签发机构不受信任。如本单位邮件服务器使用内部证书，请用 ca_file 指定本单位的根证书，或服务器自己的自签名证书（PEM 文件）"
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "服务器证书与服务器名称不符，请确认 host 填写的是证书上的名称"
            }
            C::Expired | C::ExpiredContext { .. } => "服务器证书已过期",
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "服务器证书尚未生效（或本机时间不正确）"
            }
            C::Revoked => "服务器证书已被吊销",
            C::BadSignature => "服务器证书的签名无效",
            C::BadEncoding => "服务器证书编码有误，无法解析",
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                "服务器证书不是用于服务器身份验证的证书"
            }
            C::Other(other) if format!("{other:?}").contains("CaUsedAsEndEntity") => {
                "服务器出示的是一张 CA 证书（自签名证书）。如确为本单位服务器自己的证书，请把这张证书本身写入 ca_file"
            }
            _ => "服务器证书无法通过验证",
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "服务器的 TLS 回应格式不正确（端口可能不是 TLS 端口，请核对端口和 security 设置）"
        }
        rustls::Error::AlertReceived(_) => "服务器中止了 TLS 握手",
        rustls::Error::PeerIncompatible(_) | rustls::Error::NoCertificatesPresented => {
            "服务器的 TLS 设置与本程序不兼容（需要 TLS 1.2 或以上）"
        }
        rustls::Error::PeerMisbehaved(_) => "服务器在 TLS 握手中出现异常",
        _ => "TLS 握手失败",
    };
    format!("{what}。为安全起见，证书始终校验")
}

/// The Chinese reason when `err` (or an error inside it) is a rustls error.
pub fn describe_io(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(describe(tls));
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(tls) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            return Some(describe(tls));
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_english_in_certificate_messages() {
        let errors = [
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName),
            rustls::Error::General("boom".into()),
        ];
        for e in &errors {
            let text = describe(e);
            let lower = text.to_lowercase();
            for word in ["certificate", "invalid", "issuer", "boom", "error"] {
                assert!(!lower.contains(word), "English in {text}");
            }
        }
    }

    #[test]
    fn missing_ca_file_is_named() {
        let err = Trust::new(Some(Path::new("/nonexistent/ca.pem"))).expect_err("no file");
        assert!(err.to_string().contains("/nonexistent/ca.pem"));
    }
}
