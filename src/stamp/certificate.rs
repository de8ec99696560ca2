//! The office's signing certificate: a PKCS#12 file (.p12/.pfx) as CAs issue them — the
//! private key and the certificate chain — opened with a password from the environment.
//!
//! OpenSSL 3's default form is read: the MAC over the contents (HMAC-SHA-256 with the PKCS#12
//! key derivation), certificates in a PBES2 (PBKDF2 + AES-CBC) encrypted bag, the key in a
//! PBES2 shrouded key bag. The legacy form (RC2/3DES with SHA-1, OpenSSL 1.x and old Windows
//! exports) is refused with how to export the file again.

use super::StampError;
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::OctetString;
use der::{AnyRef, Decode, Encode};
use hmac::{Hmac, Mac};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeContents;
use sha2_10::Sha256;
use std::path::Path;
use x509_cert::Certificate;

/// The private key of the signer.
pub enum SigningKey {
    /// RSA, signed PKCS#1 v1.5 with SHA-256 (deterministic).
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    /// ECDSA P-256 with SHA-256, nonces per RFC 6979 (deterministic).
    P256(p256::ecdsa::SigningKey),
}

/// A certificate with its key and the rest of its chain.
pub struct Credentials {
    pub key: SigningKey,
    /// The signer's certificate.
    pub certificate: Certificate,
    /// The other certificates of the file (intermediate and root CAs).
    pub chain: Vec<Certificate>,
}

const ID_DATA: &str = "1.2.840.113549.1.7.1";
const ID_ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const HMAC_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256_CURVE: &str = "1.2.840.10045.3.1.7";

/// Opens a PKCS#12 file with `password`.
pub fn open(path: &Path, password: &str) -> Result<Credentials, StampError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| StampError::Read {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let not_p12 = |detail: String| StampError::NotPkcs12 {
        file: file.clone(),
        detail,
    };
    let pfx = Pfx::from_der(&bytes).map_err(|e| not_p12(e.to_string()))?;
    if pfx.auth_safe.content_type.to_string() != ID_DATA {
        return Err(not_p12(
            "内容不是 data 类型（公钥完整性模式的 PKCS#12 不受支持）".into(),
        ));
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|e| not_p12(e.to_string()))?;
    let auth_safe = auth_safe.as_bytes();
    check_mac(&pfx, auth_safe, password, &file)?;

    let contents: Vec<ContentInfo> =
        Vec::<ContentInfo>::from_der(auth_safe).map_err(|e| not_p12(e.to_string()))?;
    let mut certificates = Vec::new();
    let mut keys = Vec::new();
    for info in contents {
        let safe = match info.content_type.to_string().as_str() {
            ID_DATA => info
                .content
                .decode_as::<OctetString>()
                .map_err(|e| not_p12(e.to_string()))?
                .into_bytes(),
            ID_ENCRYPTED_DATA => {
                let data = info
                    .content
                    .decode_as::<EncryptedData>()
                    .map_err(|e| not_p12(e.to_string()))?;
                decrypt(&data, password, &file)?
            }
            _ => continue,
        };
        let bags = SafeContents::from_der(&safe).map_err(|e| not_p12(e.to_string()))?;
        for bag in bags {
            let inner = AnyRef::from_der(&bag.bag_value).map_err(|e| not_p12(e.to_string()))?;
            match bag.bag_id {
                pkcs12::PKCS_12_CERT_BAG_OID => {
                    let cert_bag = pkcs12::cert_type::CertBag::from_der(inner.value())
                        .map_err(|e| not_p12(e.to_string()))?;
                    let cert = Certificate::from_der(cert_bag.cert_value.as_bytes())
                        .map_err(|e| not_p12(e.to_string()))?;
                    certificates.push(cert);
                }
                pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                    let encrypted = pkcs8::EncryptedPrivateKeyInfo::try_from(inner.value())
                        .map_err(|e| not_p12(e.to_string()))?;
                    if encrypted.encryption_algorithm.pbes2().is_none() {
                        return Err(StampError::Legacy { file: file.clone() });
                    }
                    let plain = encrypted
                        .decrypt(password)
                        .map_err(|_| StampError::WrongPassword { file: file.clone() })?;
                    keys.push(plain.as_bytes().to_vec());
                }
                pkcs12::PKCS_12_KEY_BAG_OID => keys.push(inner.value().to_vec()),
                _ => {}
            }
        }
    }
    let Some(key_der) = keys.into_iter().next() else {
        return Err(StampError::NoKey { file });
    };
    let (key, public) = signing_key(&key_der, &file)?;
    let position = certificates.iter().position(|c| {
        c.tbs_certificate
            .subject_public_key_info
            .to_der()
            .is_ok_and(|d| d == public)
    });
    let Some(position) = position else {
        return Err(StampError::NoCertificate { file });
    };
    let certificate = certificates.remove(position);
    Ok(Credentials {
        key,
        certificate,
        chain: certificates,
    })
}

/// The MAC over the contents: a wrong password fails here, before anything is decrypted.
fn check_mac(pfx: &Pfx, content: &[u8], password: &str, file: &str) -> Result<(), StampError> {
    let Some(mac) = &pfx.mac_data else {
        return Ok(());
    };
    if mac.mac.algorithm.oid.to_string() != HMAC_SHA256 {
        // SHA-1 MACs come with the legacy encryption.
        return Err(StampError::Legacy {
            file: file.to_string(),
        });
    }
    let key = pkcs12::kdf::derive_key_utf8::<Sha256>(
        password,
        mac.mac_salt.as_bytes(),
        pkcs12::kdf::Pkcs12KeyType::Mac,
        mac.iterations,
        32,
    )
    .map_err(|e| StampError::NotPkcs12 {
        file: file.to_string(),
        detail: e.to_string(),
    })?;
    let mut hmac =
        <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|e| StampError::NotPkcs12 {
            file: file.to_string(),
            detail: e.to_string(),
        })?;
    hmac.update(content);
    hmac.verify_slice(mac.mac.digest.as_bytes())
        .map_err(|_| StampError::WrongPassword {
            file: file.to_string(),
        })
}

/// Decrypts an encrypted bag (PBES2 only).
fn decrypt(data: &EncryptedData, password: &str, file: &str) -> Result<Vec<u8>, StampError> {
    let info = &data.enc_content_info;
    let alg = info
        .content_enc_alg
        .to_der()
        .map_err(|e| StampError::NotPkcs12 {
            file: file.to_string(),
            detail: e.to_string(),
        })?;
    let scheme = pkcs5::EncryptionScheme::from_der(&alg).map_err(|_| StampError::Legacy {
        file: file.to_string(),
    })?;
    if scheme.pbes2().is_none() {
        return Err(StampError::Legacy {
            file: file.to_string(),
        });
    }
    let Some(ciphertext) = &info.encrypted_content else {
        return Ok(Vec::new());
    };
    scheme
        .decrypt(password, ciphertext.as_bytes())
        .map_err(|_| StampError::WrongPassword {
            file: file.to_string(),
        })
}

/// The key as a signer, with its public key (SubjectPublicKeyInfo, DER) to find its certificate.
fn signing_key(der: &[u8], file: &str) -> Result<(SigningKey, Vec<u8>), StampError> {
    use pkcs8::DecodePrivateKey as _;
    use spki::EncodePublicKey as _;
    let unsupported = |what: String| StampError::Algorithm {
        file: file.to_string(),
        what,
    };
    let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| unsupported(e.to_string()))?;
    match info.algorithm.oid.to_string().as_str() {
        RSA_ENCRYPTION => {
            let key =
                rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|e| unsupported(e.to_string()))?;
            let bits = rsa::traits::PublicKeyParts::n(&key).bits();
            if bits < 2048 {
                return Err(unsupported(format!("RSA {bits} 位（至少需要 2048 位）")));
            }
            let public = key
                .to_public_key()
                .to_public_key_der()
                .map_err(|e| unsupported(e.to_string()))?;
            Ok((
                SigningKey::Rsa(Box::new(rsa::pkcs1v15::SigningKey::<Sha256>::new(key))),
                public.as_bytes().to_vec(),
            ))
        }
        EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map(|o| o.to_string())
                .unwrap_or_default();
            if curve != P256_CURVE {
                return Err(unsupported(format!("椭圆曲线 {curve}（仅支持 P-256）")));
            }
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(der)
                .map_err(|e| unsupported(e.to_string()))?;
            let public = key
                .verifying_key()
                .to_public_key_der()
                .map_err(|e| unsupported(e.to_string()))?;
            Ok((SigningKey::P256(key), public.as_bytes().to_vec()))
        }
        other => Err(unsupported(format!("密钥算法 {other}"))),
    }
}
