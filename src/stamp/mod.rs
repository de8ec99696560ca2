//! The office's seal on the sign-off and the PAdES signature of every notice PDF.
//!
//! `[seal] image` is a PNG placed per GB/T 9704-2012 §7.3.5 over the office name and date of
//! the sign-off, in the PDF and its OFD twin. `[signing] certificate` (PKCS#12, password from
//! `DUBAN_SIGN_PASSWORD`) signs every PDF: a PAdES B-B signature whose widget shows the seal.
//! Both are loaded once, before anything is written ([`Stamp::load`]); a fault stops the run
//! with a message naming the file.

pub mod certificate;
pub mod check;
pub mod cms;

use crate::config::Config;
use duban_pdf::{
    FontSet, Image, Layout, Meta, PlacedImage, Signature, SignatureField, Signer, WriteError, mm,
};
use std::path::Path;
use std::sync::Arc;

/// The environment variable holding the certificate's password.
pub const PASSWORD_VAR: &str = "DUBAN_SIGN_PASSWORD";

/// Room reserved in each PDF beyond the size of a probe signature made with the same key: an
/// ECDSA signature's DER varies by a few bytes with its numbers.
const SIGNATURE_SLACK: usize = 64;

/// The seal and the signer of a run (either may be absent).
#[derive(Default)]
pub struct Stamp {
    seal: Option<Seal>,
    signer: Option<certificate::Credentials>,
    /// The signer's name as viewers show it.
    signer_name: String,
    /// The office, as `/Location` of the signature.
    office: String,
    /// Bytes reserved in each PDF for the signature.
    capacity: usize,
}

struct Seal {
    image: Arc<Image>,
    /// Diameter in points.
    size: f32,
}

/// A seal or certificate that cannot be used; the run stops before writing anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StampError {
    #[error("无法读取 {file}：{reason}")]
    Read { file: String, reason: String },
    #[error("印章图片 {file} {reason}。请提供透明背景的 PNG 图片（[seal] image）")]
    Seal { file: String, reason: String },
    #[error("签名证书 {file} 不是可读的 PKCS#12（.p12/.pfx）文件（技术细节：{detail}）")]
    NotPkcs12 { file: String, detail: String },
    #[error("签名证书 {file} 的密码不对：请检查环境变量 DUBAN_SIGN_PASSWORD")]
    WrongPassword { file: String },
    #[error(
        "签名证书 {file} 是旧式加密（RC2/3DES、SHA-1）的 PKCS#12，无法读取。请用 OpenSSL 3 重新导出：\
         openssl pkcs12 -in 旧文件.pfx -legacy -nodes -out 临时.pem，再 openssl pkcs12 -export -in 临时.pem -out 新文件.p12（导出后删除 临时.pem）"
    )]
    Legacy { file: String },
    #[error(
        "签名证书 {file} 中没有私钥：请向证书机构索取含私钥的 .p12/.pfx 文件（导出时选择“导出私钥”）"
    )]
    NoKey { file: String },
    #[error("签名证书 {file} 中没有与私钥对应的证书")]
    NoCertificate { file: String },
    #[error("签名证书 {file} 的算法不受支持：{what}（支持 RSA 2048 位以上、ECDSA P-256）")]
    Algorithm { file: String, what: String },
    #[error("签名证书 {file}（{subject}）已于 {date} 过期，请更换有效的证书")]
    Expired {
        file: String,
        subject: String,
        date: String,
    },
    #[error("签名证书 {file}（{subject}）自 {date} 起才生效")]
    NotYetValid {
        file: String,
        subject: String,
        date: String,
    },
    #[error(
        "配置了 [signing] certificate，但未设置环境变量 DUBAN_SIGN_PASSWORD（签名证书 {file} 的密码）"
    )]
    NoPassword { file: String },
    #[error(
        "受信任的证书文件 {file} 无法读取：{reason}（[signing] trust 应为 PEM 格式的 CA 证书）"
    )]
    Trust { file: String, reason: String },
}

impl Stamp {
    /// No seal, no signature.
    pub fn none() -> Stamp {
        Stamp::default()
    }

    /// Loads `[seal]` and `[signing]`: the PNG decoded, the certificate opened with the
    /// password from [`PASSWORD_VAR`] and checked for validity today.
    pub fn load(cfg: &Config) -> Result<Stamp, StampError> {
        let password = std::env::var(PASSWORD_VAR).ok();
        Stamp::load_with(cfg, password.as_deref(), chrono::Utc::now().date_naive())
    }

    /// [`Stamp::load`] with the password and today's date given.
    pub fn load_with(
        cfg: &Config,
        password: Option<&str>,
        today: chrono::NaiveDate,
    ) -> Result<Stamp, StampError> {
        let seal = match &cfg.seal {
            Some(s) => Some(Seal {
                image: Arc::new(load_seal(&s.image)?),
                size: mm(s.size_mm),
            }),
            None => None,
        };
        let signer = match &cfg.signing {
            Some(s) => {
                let file = s.certificate.display().to_string();
                let password =
                    password.ok_or_else(|| StampError::NoPassword { file: file.clone() })?;
                let creds = certificate::open(&s.certificate, password)?;
                check_validity(&creds.certificate, &file, today)?;
                Some(creds)
            }
            None => None,
        };
        let signer_name = signer
            .as_ref()
            .map(|c| check::common_name(&c.certificate))
            .unwrap_or_default();
        // Every signature with this key has the size of this one (give or take an ECDSA
        // signature's few bytes): reserving just that keeps a signed PDF ~4 KB larger than an
        // unsigned one (the room is written as hex, and hashed, mailed and archived).
        let capacity = match &signer {
            Some(creds) => {
                let probe = cms::sign(creds, &[b"probe"]).map_err(|e| StampError::Algorithm {
                    file: cfg
                        .signing
                        .as_ref()
                        .map(|s| s.certificate.display().to_string())
                        .unwrap_or_default(),
                    what: e.to_string(),
                })?;
                probe.len() + SIGNATURE_SLACK
            }
            None => 0,
        };
        Ok(Stamp {
            seal,
            signer,
            signer_name,
            office: cfg.office.name.clone(),
            capacity,
        })
    }

    /// Whether notices are signed.
    pub fn signs(&self) -> bool {
        self.signer.is_some()
    }

    /// Places the seal over the sign-off of a laid-out document (GB/T 9704-2012 §7.3.5):
    /// centred on the office name and date, which sit a little below its centre, its top
    /// within a line of the text above. A document without a sign-off gets no seal.
    pub fn place_seal(&self, layout: &mut Layout) {
        let Some(seal) = &self.seal else {
            return;
        };
        let Some((page, left, right, top, bottom)) = signoff(layout) else {
            return;
        };
        let size = seal.size;
        let centre_x = (left + right) / 2.0;
        // The sign-off's two lines lie just below the seal's centre.
        let centre_y = (top + bottom) / 2.0 - 0.2 * size;
        let x = (centre_x - size / 2.0)
            .min(layout.setup.width - size)
            .max(0.0);
        layout.pages[page].place_image(PlacedImage {
            x,
            y: centre_y - size / 2.0,
            width: size,
            height: size,
            image: Arc::clone(&seal.image),
        });
    }

    /// The signature of a laid-out document (signed at midnight UTC of `issued_on`, its date
    /// of issue), when a certificate is configured.
    pub fn signature(
        &self,
        layout: &Layout,
        meta: &Meta,
        issued_on: chrono::NaiveDate,
    ) -> Option<Signature<'_>> {
        let signer = self.signer.as_ref()?;
        Some(Signature {
            field: self.field(layout, meta, issued_on),
            signer,
        })
    }

    /// Writes the PDF (signed, when a certificate is configured, at midnight UTC of
    /// `issued_on`, the document's date of issue) and, if `ofd`, its OFD twin.
    pub fn write(
        &self,
        layout: &Layout,
        fonts: &FontSet,
        meta: &Meta,
        issued_on: chrono::NaiveDate,
        ofd: bool,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), WriteError> {
        let signature = self.signature(layout, meta, issued_on);
        duban_pdf::write_document(layout, meta, signature.as_ref(), fonts, ofd)
    }

    /// The signature field: over the seal when the document has one, else invisible on the
    /// last page.
    fn field(&self, layout: &Layout, meta: &Meta, issued_on: chrono::NaiveDate) -> SignatureField {
        let placed = self.seal.as_ref().and_then(|seal| {
            layout.pages.iter().enumerate().rev().find_map(|(i, page)| {
                page.images()
                    .find(|p| p.image.digest == seal.image.digest)
                    .map(|p| (i, p.clone()))
            })
        });
        let last = layout.pages.len().saturating_sub(1);
        let (page, x, y, width, height, appearance) = match placed {
            Some((i, p)) => (i, p.x, p.y, p.width, p.height, Some(p.image)),
            None => (last, 0.0, 0.0, 0.0, 0.0, None),
        };
        SignatureField {
            page,
            x,
            y,
            width,
            height,
            appearance,
            field_name: "签发".to_string(),
            name: self.signer_name.clone(),
            reason: meta.title.clone(),
            location: self.office.clone(),
            date: issued_on,
            capacity: self.capacity,
        }
    }
}

/// The certificate signs every notice: a detached CMS signature over the PDF's byte ranges.
impl Signer for certificate::Credentials {
    fn sign(&self, signed_parts: [&[u8]; 2]) -> Result<Vec<u8>, String> {
        cms::sign(self, &signed_parts).map_err(|e| e.to_string())
    }
}

fn load_seal(path: &Path) -> Result<Image, StampError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| StampError::Read {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    Image::from_png(&bytes).map_err(|e| StampError::Seal {
        file,
        reason: e.to_string(),
    })
}

fn check_validity(
    cert: &x509_cert::Certificate,
    file: &str,
    today: chrono::NaiveDate,
) -> Result<(), StampError> {
    let validity = &cert.tbs_certificate.validity;
    let date = |t: &x509_cert::time::Time| {
        let secs = t.to_unix_duration().as_secs() as i64;
        chrono::DateTime::from_timestamp(secs, 0)
            .map(|d| d.date_naive())
            .unwrap_or_default()
    };
    let (from, until) = (date(&validity.not_before), date(&validity.not_after));
    let subject = check::common_name(cert);
    if today > until {
        return Err(StampError::Expired {
            file: file.to_string(),
            subject,
            date: until.format("%Y年%-m月%-d日").to_string(),
        });
    }
    if today < from {
        return Err(StampError::NotYetValid {
            file: file.to_string(),
            subject,
            date: from.format("%Y年%-m月%-d日").to_string(),
        });
    }
    Ok(())
}

/// The sign-off of a document: the last line reading like a date (`2026年12月2日`) and the
/// line right above it (the office name), if within two line pitches. Page index and the
/// box around both lines (left, right, top, bottom in points).
fn signoff(layout: &Layout) -> Option<(usize, f32, f32, f32, f32)> {
    for (index, page) in layout.pages.iter().enumerate().rev() {
        let lines: Vec<&duban_pdf::TextLine> = page
            .lines()
            .filter(|l| !matches!(l.origin, duban_pdf::Origin::PageNumber))
            .collect();
        let Some(pos) = lines.iter().rposition(|l| is_cn_date(&l.text())) else {
            continue;
        };
        let date = lines[pos];
        let size = date.glyphs.first().map_or(16.0, |g| g.size);
        let mut left = date.x;
        let mut right = date.x + date.width;
        let mut top = date.baseline - duban_pdf::EM_ASCENT * size;
        let bottom = date.baseline + (1.0 - duban_pdf::EM_ASCENT) * size;
        if let Some(office) = pos.checked_sub(1).map(|p| lines[p])
            && date.baseline - office.baseline <= 2.5 * size * 1.2
            && office.baseline < date.baseline
        {
            left = left.min(office.x);
            right = right.max(office.x + office.width);
            let size = office.glyphs.first().map_or(size, |g| g.size);
            top = office.baseline - duban_pdf::EM_ASCENT * size;
        }
        return Some((index, left, right, top, bottom));
    }
    None
}

/// `2026年12月2日`, nothing else on the line (spaces aside).
fn is_cn_date(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(rest) = t.strip_suffix('日') else {
        return false;
    };
    let parts: Vec<&str> = rest.split(['年', '月']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_a_signoff_are_told_from_other_lines() {
        assert!(is_cn_date("2026年12月2日"));
        assert!(is_cn_date(" 2026年1月31日 "));
        assert!(!is_cn_date("截至2026年11月30日"));
        assert!(!is_cn_date("2026年12月"));
        assert!(!is_cn_date("二〇二六年十二月二日"));
    }

    #[test]
    fn seal_and_signing_settings_resolve_paths_and_refuse_a_password_in_the_file() {
        let base = Path::new("/srv/duban");
        let cfg = Config::from_toml(
            "[seal]\nimage = \"印章/督查室.png\"\n[signing]\ncertificate = \"certs/签名.p12\"\ntrust = \"certs/ca.pem\"\n",
            "duban.toml",
            base,
        )
        .expect("parses");
        let seal = cfg.seal.as_ref().expect("[seal]");
        assert_eq!(seal.image, base.join("印章/督查室.png"));
        assert_eq!(seal.size_mm, 42.0, "GB/T 9704's 42 mm by default");
        let signing = cfg.signing.as_ref().expect("[signing]");
        assert_eq!(signing.certificate, base.join("certs/签名.p12"));
        assert_eq!(
            signing.trust.as_deref(),
            Some(base.join("certs/ca.pem").as_path())
        );

        let err = Config::from_toml(
            "[signing]\ncertificate = \"a.p12\"\npassword = \"123456\"\n",
            "duban.toml",
            base,
        )
        .expect_err("no password in the file");
        assert!(err.to_string().contains("DUBAN_SIGN_PASSWORD"), "{err}");
        let err = Config::from_toml(
            "[seal]\nimage = \"a.png\"\nsize_mm = 4\n",
            "duban.toml",
            base,
        )
        .expect_err("too small");
        assert!(err.to_string().contains("seal.size_mm"), "{err}");
    }

    #[test]
    fn without_a_password_a_configured_certificate_stops_the_run_naming_it() {
        let cfg = Config::from_toml(
            "[signing]\ncertificate = \"certs/签名.p12\"\n",
            "duban.toml",
            Path::new("/srv/duban"),
        )
        .expect("parses");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default();
        let err = Stamp::load_with(&cfg, None, today)
            .err()
            .expect("no password");
        assert!(matches!(err, StampError::NoPassword { .. }));
        assert!(err.to_string().contains("certs/签名.p12"), "{err}");
        // no [seal], no [signing]: nothing to do, nothing refused
        let plain = Stamp::load_with(&Config::default(), None, today).expect("loads");
        assert!(!plain.signs());
    }
}
