//! A PDF signature field, written empty and filled afterwards (ISO 32000-1 §12.8).
//!
//! The writer puts a signature dictionary (`/Filter /Adobe.PPKLite`, `/SubFilter
//! /ETSI.CAdES.detached`) into the document with `/Contents` reserved as zeros and
//! `/ByteRange` already naming every byte but those zeros; the caller makes the signature
//! (a CMS `SignedData` over [`PreparedPdf::signed_parts`]) with whatever keys it holds — the
//! engine knows no cryptography — and [`PreparedPdf::finish`] writes it into the reserved
//! room. The field's widget sits on a page with an image as its appearance (a seal), printed.

use super::error::WriteError;
use crate::elements::{Image, PlacedImage};
use chrono::NaiveDate;
use pdf_writer::types::{AnnotationFlags, FieldType};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::sync::Arc;

/// A signature field to write into a PDF.
#[derive(Debug, Clone)]
pub struct SignatureField {
    /// Page index, from 0.
    pub page: usize,
    /// Left, points from the left page edge.
    pub x: f32,
    /// Top, points from the top page edge.
    pub y: f32,
    /// Width, points.
    pub width: f32,
    /// Height, points.
    pub height: f32,
    /// The widget's look; an image placed on the page at exactly the field's rectangle is
    /// then drawn by the widget only (drawing both would double its ink).
    pub appearance: Option<Arc<Image>>,
    /// The field's name (`/T`).
    pub field_name: String,
    /// The signer as shown by viewers (`/Name`).
    pub name: String,
    /// `/Reason`, empty for none.
    pub reason: String,
    /// `/Location`, empty for none.
    pub location: String,
    /// The signing date (`/M`, midnight UTC).
    pub date: NaiveDate,
    /// Bytes reserved for the signature (written as twice as many hex digits).
    pub capacity: usize,
}

impl SignatureField {
    /// Whether the widget shows this placed image (same image, same rectangle).
    pub(crate) fn shows(&self, placed: &PlacedImage) -> bool {
        self.appearance.as_deref().is_some_and(|image| {
            same_place(placed, image, [self.x, self.y, self.width, self.height])
        })
    }
}

/// Whether a placed image is `image` at exactly this rectangle.
pub(crate) fn same_place(placed: &PlacedImage, image: &Image, rect: [f32; 4]) -> bool {
    placed.image.digest == image.digest && [placed.x, placed.y, placed.width, placed.height] == rect
}

/// A written PDF whose signature field waits for its signature.
#[derive(Debug, Clone)]
pub struct PreparedPdf {
    pdf: Vec<u8>,
    /// The hex digits of `/Contents`, between `<` and `>`.
    hex: std::ops::Range<usize>,
}

/// `/ByteRange` as first written, before the real offsets are known: four numbers as wide
/// as any real one, overwritten in place (padded with spaces).
const RANGE_PLACEHOLDER: &[u8] = b"[0 2147483647 2147483647 2147483647]";

impl PreparedPdf {
    /// Finds the reserved `/Contents` and writes the real `/ByteRange`.
    pub(crate) fn locate(mut pdf: Vec<u8>, capacity: usize) -> Result<PreparedPdf, WriteError> {
        let missing = || WriteError::Signature("签名占位未找到".to_string());
        // The signature dictionary is written last: search from the end, the reserved hex
        // right after the placeholder range in the same dictionary.
        let range_at = memchr::memmem::rfind(&pdf, RANGE_PLACEHOLDER).ok_or_else(missing)?;
        let at = range_at
            + memchr::memmem::find(&pdf[range_at..], b"/Contents <").ok_or_else(missing)?;
        let start = at + b"/Contents ".len();
        let end = start + 2 * capacity + 2;
        let reserved = pdf.get(start..end).ok_or_else(missing)?;
        if reserved[0] != b'<'
            || reserved[end - start - 1] != b'>'
            || reserved[1..end - start - 1].iter().any(|b| *b != b'F')
        {
            return Err(missing());
        }
        let hex = start + 1..end - 1;
        let ranges = format!("[0 {start} {end} {}]", pdf.len() - end);
        let mut written = ranges.into_bytes();
        if written.len() > RANGE_PLACEHOLDER.len() {
            return Err(WriteError::Signature("文件过大，无法签名".to_string()));
        }
        written.resize(RANGE_PLACEHOLDER.len(), b' ');
        pdf[range_at..range_at + written.len()].copy_from_slice(&written);
        Ok(PreparedPdf { pdf, hex })
    }

    /// The bytes the signature covers: everything before `/Contents`' `<` and after its `>`.
    pub fn signed_parts(&self) -> [&[u8]; 2] {
        [
            &self.pdf[..self.hex.start - 1],
            &self.pdf[self.hex.end + 1..],
        ]
    }

    /// `/ByteRange`: offset and length of the two signed parts.
    pub fn byte_range(&self) -> [usize; 4] {
        [
            0,
            self.hex.start - 1,
            self.hex.end + 1,
            self.pdf.len() - self.hex.end - 1,
        ]
    }

    /// Writes the signature (DER) into the reserved room, the rest of it zeros.
    ///
    /// # Errors
    ///
    /// [`WriteError::Signature`] when the signature is larger than the room reserved.
    pub fn finish(mut self, signature: &[u8]) -> Result<Vec<u8>, WriteError> {
        if 2 * signature.len() > self.hex.len() {
            return Err(WriteError::Signature(format!(
                "签名有 {} 字节，超出预留的 {} 字节",
                signature.len(),
                self.hex.len() / 2
            )));
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.pdf[self.hex.clone()].fill(b'0');
        for (i, b) in signature.iter().enumerate() {
            let at = self.hex.start + 2 * i;
            self.pdf[at] = HEX[usize::from(b >> 4)];
            self.pdf[at + 1] = HEX[usize::from(b & 0xF)];
        }
        Ok(self.pdf)
    }
}

/// Writes the field with its widget, the signature dictionary and the widget's appearance.
/// `refs`: field (= widget), signature dictionary, appearance, the page.
pub(crate) fn write_field(
    pdf: &mut Pdf,
    field: &SignatureField,
    [field_ref, sig_ref, ap_ref, page_ref]: [Ref; 4],
    image: Option<(String, Ref)>,
    page_height: f32,
) {
    let (w, h) = (field.width.max(0.0), field.height.max(0.0));
    let bottom = page_height - field.y - h;
    let rect = Rect::new(field.x, bottom, field.x + w, bottom + h);

    let mut f = pdf.form_field(field_ref);
    f.field_type(FieldType::Signature)
        .partial_name(TextStr(&field.field_name));
    f.pair(Name(b"V"), sig_ref);
    let mut widget = f.into_annotation();
    widget
        .rect(rect)
        .page(page_ref)
        .flags(AnnotationFlags::PRINT | AnnotationFlags::LOCKED);
    widget.appearance().normal().stream(ap_ref);
    widget.finish();

    let mut content = Content::new();
    if let Some((name, _)) = &image {
        content.save_state();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
        content.x_object(Name(name.as_bytes()));
        content.restore_state();
    }
    let content = content.finish().into_vec();
    let mut form = pdf.form_xobject(ap_ref, &content);
    form.bbox(Rect::new(0.0, 0.0, w, h));
    if let Some((name, image_ref)) = &image {
        form.resources()
            .x_objects()
            .pair(Name(name.as_bytes()), *image_ref);
    }
    form.finish();

    let date = super::pdf_date(field.date);
    let mut sig = pdf.indirect(sig_ref).dict();
    sig.pair(Name(b"Type"), Name(b"Sig"))
        .pair(Name(b"Filter"), Name(b"Adobe.PPKLite"))
        .pair(Name(b"SubFilter"), Name(b"ETSI.CAdES.detached"))
        .pair(Name(b"M"), date)
        .pair(Name(b"Name"), TextStr(&field.name));
    if !field.reason.is_empty() {
        sig.pair(Name(b"Reason"), TextStr(&field.reason));
    }
    if !field.location.is_empty() {
        sig.pair(Name(b"Location"), TextStr(&field.location));
    }
    sig.insert(Name(b"ByteRange"))
        .array()
        .items([0, i32::MAX, i32::MAX, i32::MAX]);
    // Non-ASCII bytes, so the writer makes it a hex string; found and overwritten later.
    sig.pair(Name(b"Contents"), Str(&vec![0xFFu8; field.capacity]));
    sig.finish();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{meta, notice};
    use crate::{layout, write_pdf_for_signing};

    fn seal() -> Arc<Image> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../input/seal/样章.png");
        Arc::new(Image::from_png(&std::fs::read(path).expect("seal")).expect("png"))
    }

    fn field(image: Option<Arc<Image>>, page: usize) -> SignatureField {
        SignatureField {
            page,
            x: 300.0,
            y: 500.0,
            width: 119.0,
            height: 119.0,
            appearance: image,
            field_name: "签发".into(),
            name: "测试签名者".into(),
            reason: "测试".into(),
            location: "督查室".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default(),
            capacity: 64,
        }
    }

    #[test]
    fn the_byte_range_names_every_byte_but_the_reserved_signature() {
        let fonts = crate::fonts::tests::shipped();
        let mut laid = layout(&notice("市科技局"), &fonts);
        let image = seal();
        let f = field(Some(Arc::clone(&image)), 0);
        laid.pages[0].place_image(PlacedImage {
            x: f.x,
            y: f.y,
            width: f.width,
            height: f.height,
            image: Arc::clone(&image),
        });
        let (prepared, ofd) =
            write_pdf_for_signing(&laid, &fonts, &meta(), &f, true).expect("writes");
        let [a, b, c, d] = prepared.byte_range();
        let [first, second] = prepared.signed_parts();
        assert_eq!((a, b, d), (0, first.len(), second.len()));
        assert_eq!(c - b, 2 + 2 * 64, "the hex string with its brackets");
        let signed = prepared.clone().finish(&[0xAB; 10]).expect("fits");
        assert_eq!(signed.len(), c + d);
        assert_eq!(&signed[b..b + 22], b"<ABABABABABABABABABAB0");
        assert_eq!(signed[c - 1], b'>');
        let text = String::from_utf8_lossy(&signed);
        let range = format!("/ByteRange [0 {b} {c} {d}]");
        assert!(text.contains(&range), "{range}");
        assert!(text.contains("/SubFilter /ETSI.CAdES.detached"));
        assert!(text.contains("/FT /Sig") && text.contains("/SigFlags 3"));
        assert!(
            text.contains("/M (D:20261202000000Z") || text.contains("/M (D:20261202000000+00'00")
        );
        // The seal is the widget's appearance and not drawn a second time by the page.
        assert_eq!(
            text.matches("/Subtype /Image").count(),
            2,
            "seal and its soft mask"
        );
        assert!(text.contains("/SMask"));
        // The OFD twin shows the seal in the page content.
        let ofd = ofd.expect("ofd");
        assert!(
            ofd.windows(b"Doc_0/Res/image_".len())
                .any(|w| w == b"Doc_0/Res/image_")
        );
        // A signature larger than the room is refused, not truncated.
        assert!(prepared.finish(&[1; 65]).is_err());
    }

    #[test]
    fn a_field_on_a_page_that_does_not_exist_is_an_error() {
        let fonts = crate::fonts::tests::shipped();
        let laid = layout(&notice("市科技局"), &fonts);
        let err = write_pdf_for_signing(&laid, &fonts, &meta(), &field(None, 99), false)
            .expect_err("no page 100");
        assert!(err.to_string().contains("第 100 页"), "{err}");
    }

    #[test]
    fn an_unsigned_document_with_a_placed_image_draws_it_with_a_soft_mask() {
        let fonts = crate::fonts::tests::shipped();
        let mut laid = layout(&notice("市科技局"), &fonts);
        let plain = crate::write_pdf(&laid, &fonts, &meta()).expect("writes");
        laid.pages[1].place_image(PlacedImage {
            x: 300.0,
            y: 500.0,
            width: 119.0,
            height: 119.0,
            image: seal(),
        });
        let (pdf, ofd) = crate::write_pdf_and_ofd(&laid, &fonts, &meta()).expect("writes");
        let again = crate::write_pdf(&laid, &fonts, &meta()).expect("writes");
        assert_eq!(pdf, again, "deterministic");
        assert_ne!(pdf, plain);
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/XObject") && text.contains("/Im0"),
            "in the page's resources"
        );
        assert!(text.contains("/SMask"));
        assert!(!text.contains("/AcroForm"));
        let ofd_text = String::from_utf8_lossy(&ofd);
        assert!(
            ofd_text.contains("Doc_0/Res/image_"),
            "PNG stored in the package"
        );
    }
}
