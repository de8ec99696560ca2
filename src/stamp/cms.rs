//! The CMS `SignedData` of a PAdES baseline B-B signature (ETSI EN 319 142-1): detached,
//! SHA-256, signed attributes content-type, message-digest and signing-certificate-v2 (no
//! signing-time: PAdES puts the time in the signature dictionary's `/M`), the signer's
//! certificate and its chain included. Built with RustCrypto's `cms`; the one structure it
//! lacks, SigningCertificateV2 (RFC 5035), is a `der` derive.

use super::certificate::{Credentials, SigningKey};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode, Sequence};
use sha2_10::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

/// id-aa-signingCertificateV2 (RFC 5035).
pub const ID_AA_SIGNING_CERTIFICATE_V2: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-sha256.
pub const ID_SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }`
/// (the hash is SHA-256, the default, which DER leaves out).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    pub cert_hash: OctetString,
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
#[error("签名数据无法生成：{0}")]
pub struct CmsError(String);

fn failed(e: impl std::fmt::Display) -> CmsError {
    CmsError(e.to_string())
}

/// The DER of a detached CMS signature over `parts` (concatenated).
pub fn sign(credentials: &Credentials, parts: &[&[u8]]) -> Result<Vec<u8>, CmsError> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize().to_vec();
    let cert = &credentials.certificate;
    let content = EncapsulatedContentInfo {
        econtent_type: der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1"),
        econtent: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let mut data = SignedDataBuilder::new(&content);
    data.add_digest_algorithm(sha256.clone()).map_err(failed)?;
    for c in std::iter::once(cert).chain(&credentials.chain) {
        data.add_certificate(CertificateChoices::Certificate(c.clone()))
            .map_err(failed)?;
    }
    let attribute = signing_certificate_v2(cert)?;
    match &credentials.key {
        SigningKey::Rsa(key) => {
            let mut signer =
                SignerInfoBuilder::new(key.as_ref(), sid, sha256, &content, Some(&digest))
                    .map_err(failed)?;
            signer.add_signed_attribute(attribute).map_err(failed)?;
            data.add_signer_info::<_, rsa::pkcs1v15::Signature>(signer)
                .map_err(failed)?;
        }
        SigningKey::P256(key) => {
            let mut signer = SignerInfoBuilder::new(key, sid, sha256, &content, Some(&digest))
                .map_err(failed)?;
            signer.add_signed_attribute(attribute).map_err(failed)?;
            data.add_signer_info::<_, p256::ecdsa::DerSignature>(signer)
                .map_err(failed)?;
        }
    }
    data.build().map_err(failed)?.to_der().map_err(failed)
}

/// The signing-certificate-v2 attribute naming `cert` by its SHA-256 and issuer/serial.
fn signing_certificate_v2(cert: &x509_cert::Certificate) -> Result<Attribute, CmsError> {
    let hash = Sha256::digest(cert.to_der().map_err(failed)?);
    let value = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(hash.to_vec()).map_err(failed)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
    };
    let any = Any::encode_from(&value).map_err(failed)?;
    let mut values = SetOfVec::new();
    values.insert(any).map_err(failed)?;
    Ok(Attribute {
        oid: ID_AA_SIGNING_CERTIFICATE_V2,
        values,
    })
}
