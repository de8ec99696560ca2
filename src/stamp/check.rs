//! Checks the signatures of a signed PDF without any password: for every `/ByteRange` the
//! digest of the bytes it names against the signature's message-digest attribute, the
//! signature over the signed attributes against the certificate inside the signature, that
//! the signature covers the whole file, and the signer's chain against the trusted CAs.

use super::cms::ID_SHA256;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode, SliceReader};
use sha2_10::{Digest, Sha256};
use x509_cert::Certificate;

const ID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";

/// A signature that holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodSignature {
    /// The signer's common name (else the whole subject).
    pub signer: String,
}

/// Why a file's signature does not hold (Chinese, for the console).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureFault {
    #[error("没有电子签名")]
    Unsigned,
    #[error("签名结构损坏：{0}")]
    Malformed(String),
    #[error("签名之后文件被改动过（签名未覆盖整个文件）")]
    NotWholeFile,
    #[error("签名之后文件内容被改动过（摘要不符）")]
    DigestMismatch,
    #[error("签名值与签名证书不符")]
    BadSignature,
    #[error("签名证书“{0}”不是由受信任的证书机构签发的（[signing] trust）")]
    Untrusted(String),
    #[error("不支持的算法 {0}")]
    Algorithm(String),
}

fn malformed(e: impl std::fmt::Display) -> SignatureFault {
    SignatureFault::Malformed(e.to_string())
}

/// Checks every signature of a PDF; `trust` empty skips the chain check.
pub fn check_pdf(pdf: &[u8], trust: &[Certificate]) -> Result<Vec<GoodSignature>, SignatureFault> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&pdf[from..], b"/ByteRange").map(|i| i + from) {
        from = at + 1;
        let range = byte_range(&pdf[at..])?;
        found.push(check_one(pdf, range, trust)?);
    }
    if found.is_empty() {
        return Err(SignatureFault::Unsigned);
    }
    Ok(found)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `/ByteRange [a b c d]` → the four numbers.
fn byte_range(text: &[u8]) -> Result<[usize; 4], SignatureFault> {
    let open = text
        .iter()
        .position(|b| *b == b'[')
        .ok_or_else(|| malformed("ByteRange"))?;
    let close = text
        .iter()
        .position(|b| *b == b']')
        .ok_or_else(|| malformed("ByteRange"))?;
    if close < open || close > 200 {
        return Err(malformed("ByteRange"));
    }
    let numbers: Vec<usize> = String::from_utf8_lossy(&text[open + 1..close])
        .split_ascii_whitespace()
        .map(|n| n.parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(malformed)?;
    <[usize; 4]>::try_from(numbers).map_err(|_| malformed("ByteRange 应有 4 个数"))
}

fn check_one(
    pdf: &[u8],
    [a, b, c, d]: [usize; 4],
    trust: &[Certificate],
) -> Result<GoodSignature, SignatureFault> {
    let end = c.checked_add(d).ok_or_else(|| malformed("ByteRange"))?;
    if a != 0 || b >= c || end > pdf.len() {
        return Err(malformed("ByteRange 超出文件"));
    }
    if end != pdf.len() {
        return Err(SignatureFault::NotWholeFile);
    }
    let gap = &pdf[b..c];
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return Err(malformed("Contents"));
    }
    let der = hex(&gap[1..gap.len() - 1])?;
    let mut reader = SliceReader::new(&der).map_err(malformed)?;
    let info = ContentInfo::decode(&mut reader).map_err(malformed)?;
    let signed: SignedData = info.content.decode_as().map_err(malformed)?;
    let signer = signed
        .signer_infos
        .0
        .as_slice()
        .first()
        .ok_or_else(|| malformed("没有签名者"))?;
    if signer.digest_alg.oid != ID_SHA256 {
        return Err(SignatureFault::Algorithm(signer.digest_alg.oid.to_string()));
    }
    let certs: Vec<&Certificate> = signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let cert = match &signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certs.iter().find(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => certs.first(),
    }
    .copied()
    .ok_or_else(|| malformed("签名中没有签名者的证书"))?;

    // The digest of the bytes the signature covers.
    let mut hasher = Sha256::new();
    hasher.update(&pdf[..b]);
    hasher.update(&pdf[c..end]);
    let digest = hasher.finalize();
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| malformed("没有签名属性"))?;
    let claimed = attrs
        .iter()
        .find(|a| a.oid.to_string() == ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.get(0))
        .ok_or_else(|| malformed("没有 message-digest 属性"))?
        .decode_as::<der::asn1::OctetString>()
        .map_err(malformed)?;
    if claimed.as_bytes() != digest.as_slice() {
        return Err(SignatureFault::DigestMismatch);
    }
    let signed_bytes = attrs.to_der().map_err(malformed)?;
    verify(
        cert,
        &signer.signature_algorithm.oid.to_string(),
        &signed_bytes,
        signer.signature.as_bytes(),
    )?;
    if !trust.is_empty() {
        chain_to_trust(cert, &certs, trust)?;
    }
    Ok(GoodSignature {
        signer: common_name(cert),
    })
}

fn hex(digits: &[u8]) -> Result<Vec<u8>, SignatureFault> {
    let value = |d: u8| match d {
        b'0'..=b'9' => Ok(d - b'0'),
        b'a'..=b'f' => Ok(d - b'a' + 10),
        b'A'..=b'F' => Ok(d - b'A' + 10),
        _ => Err(malformed("Contents 不是十六进制")),
    };
    let digits: Vec<u8> = digits
        .iter()
        .copied()
        .filter(|d| !d.is_ascii_whitespace())
        .collect();
    digits
        .chunks(2)
        .map(|p| Ok(value(p[0])? << 4 | value(*p.get(1).unwrap_or(&b'0'))?))
        .collect()
}

/// Verifies `signature` over `message` with `cert`'s public key; `algorithm` is the OID of
/// the signature algorithm (or of the key, as some signers write).
fn verify(
    cert: &Certificate,
    algorithm: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureFault> {
    use signature::Verifier as _;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key_der = spki.to_der().map_err(malformed)?;
    match (spki.algorithm.oid.to_string().as_str(), algorithm) {
        (RSA_ENCRYPTION, SHA256_WITH_RSA | RSA_ENCRYPTION) => {
            use rsa::pkcs8::DecodePublicKey as _;
            let key = rsa::RsaPublicKey::from_public_key_der(&key_der).map_err(malformed)?;
            let key = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key);
            let sig = rsa::pkcs1v15::Signature::try_from(signature)
                .map_err(|_| SignatureFault::BadSignature)?;
            key.verify(message, &sig)
                .map_err(|_| SignatureFault::BadSignature)
        }
        (EC_PUBLIC_KEY, ECDSA_WITH_SHA256) => {
            use p256::pkcs8::DecodePublicKey as _;
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&key_der)
                .map_err(|_| SignatureFault::Algorithm("椭圆曲线（仅支持 P-256）".into()))?;
            let sig = p256::ecdsa::DerSignature::try_from(signature)
                .map_err(|_| SignatureFault::BadSignature)?;
            key.verify(message, &sig)
                .map_err(|_| SignatureFault::BadSignature)
        }
        (key, alg) => Err(SignatureFault::Algorithm(format!("{key} / {alg}"))),
    }
}

/// Walks from `cert` up through the certificates in the signature to one of `trust`,
/// checking each certificate's signature with its issuer's key.
fn chain_to_trust(
    cert: &Certificate,
    carried: &[&Certificate],
    trust: &[Certificate],
) -> Result<(), SignatureFault> {
    let untrusted = || SignatureFault::Untrusted(common_name(cert));
    let mut current = cert.clone();
    for _ in 0..8 {
        if trust.contains(&current) {
            return Ok(());
        }
        let issuer_name = &current.tbs_certificate.issuer;
        let tbs = current.tbs_certificate.to_der().map_err(malformed)?;
        let sig = current
            .signature
            .as_bytes()
            .ok_or_else(|| malformed("证书签名"))?;
        let alg = current.signature_algorithm.oid.to_string();
        if trust.iter().any(|t| {
            &t.tbs_certificate.subject == issuer_name && verify(t, &alg, &tbs, sig).is_ok()
        }) {
            return Ok(());
        }
        let next = carried
            .iter()
            .find(|c| {
                &c.tbs_certificate.subject == issuer_name
                    && **c != &current
                    && verify(c, &alg, &tbs, sig).is_ok()
            })
            .ok_or_else(untrusted)?;
        current = (*next).clone();
    }
    Err(untrusted())
}

/// The certificate's common name, else its whole subject.
pub fn common_name(cert: &Certificate) -> String {
    let subject = &cert.tbs_certificate.subject;
    for rdn in subject.0.iter().rev() {
        for atv in rdn.0.iter() {
            if atv.oid.to_string() == "2.5.4.3" {
                if let Ok(s) = atv.value.decode_as::<der::asn1::Utf8StringRef>() {
                    return s.as_str().to_string();
                }
                if let Ok(s) = atv.value.decode_as::<der::asn1::PrintableStringRef>() {
                    return s.as_str().to_string();
                }
            }
        }
    }
    subject.to_string()
}

/// The certificates of a PEM file.
pub fn load_pem(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    Certificate::load_pem_chain(bytes).map_err(|e| e.to_string())
}

/// What checking the signatures of an archived folder found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureReport {
    /// PDFs whose every signature holds, with the signer's name.
    pub good: Vec<(String, String)>,
    /// PDFs without a signature.
    pub unsigned: Vec<String>,
    /// PDFs with a signature that does not hold, and why.
    pub broken: Vec<(String, SignatureFault)>,
}

impl SignatureReport {
    /// No broken signature.
    pub fn holds(&self) -> bool {
        self.broken.is_empty()
    }
}

/// Checks the signature of every PDF under `dir` (paths in the report relative to it,
/// `/`-separated, sorted), in parallel.
pub fn check_folder(dir: &std::path::Path, trust: &[Certificate]) -> SignatureReport {
    use rayon::prelude::*;
    let mut pdfs = Vec::new();
    collect_pdfs(dir, &mut pdfs);
    pdfs.sort();
    let results: Vec<(String, Result<Vec<GoodSignature>, SignatureFault>)> = pdfs
        .par_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let result = match std::fs::read(path) {
                Ok(bytes) => check_pdf(&bytes, trust),
                Err(e) => Err(SignatureFault::Malformed(e.to_string())),
            };
            (rel, result)
        })
        .collect();
    let mut report = SignatureReport::default();
    for (rel, result) in results {
        match result {
            Ok(good) => {
                let names: Vec<String> = good.into_iter().map(|g| g.signer).collect();
                report.good.push((rel, names.join("、")));
            }
            Err(SignatureFault::Unsigned) => report.unsigned.push(rel),
            Err(fault) => report.broken.push((rel, fault)),
        }
    }
    report
}

fn collect_pdfs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_pdfs(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        {
            out.push(path);
        }
    }
}
