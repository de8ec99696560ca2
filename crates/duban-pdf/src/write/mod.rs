//! Writers: a [`Layout`] → PDF ([`write_pdf`], `pdf-writer`) and OFD ([`write_ofd`], GB/T
//! 33190), both byte-identical for the same input, the fonts cut once for both (`embed`);
//! a PDF may carry a signature field to be filled by the caller (`sign`).

mod embed;
mod error;
mod ofd;
mod pdf;
mod sfnt;
mod sign;
mod zip;

pub use error::WriteError;
pub use ofd::{OFD_NS, write_ofd};
pub use pdf::write_pdf;
pub use sign::{PreparedPdf, SignatureField};

use crate::elements::Meta;
use crate::fonts::FontSet;
use crate::layout::Layout;
use embed::embed_fonts;

/// A day as a PDF date at midnight UTC: the documents' creation date and the signature's
/// signing day carry no time of day, so the same inputs give the same bytes.
fn pdf_date(day: chrono::NaiveDate) -> pdf_writer::Date {
    use chrono::Datelike as _;
    pdf_writer::Date::new(day.year_ce().1 as u16)
        .month(day.month() as u8)
        .day(day.day() as u8)
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// The PDF and its OFD twin of one layout, the fonts cut once for both (cutting a subset is
/// most of the cost of writing either).
///
/// # Errors
///
/// [`WriteError`] as [`write_pdf`] and [`crate::write_ofd`].
pub fn write_pdf_and_ofd(
    layout: &Layout,
    fonts: &FontSet,
    meta: &Meta,
) -> Result<(Vec<u8>, Vec<u8>), WriteError> {
    let embedded = embed_fonts(layout, fonts)?;
    let pdf = pdf::write_pdf_with(layout, &embedded, meta, None)?;
    let ofd = ofd::write_ofd_with(layout, &embedded, meta)?;
    Ok((pdf, ofd))
}

/// Like [`write_pdf_and_ofd`], but the PDF carries an empty signature field, to be signed
/// with [`crate::PreparedPdf::finish`]; `ofd` is false to skip the OFD twin.
///
/// # Errors
///
/// [`WriteError`] as [`write_pdf`], and [`WriteError::Signature`] when the field's page does
/// not exist.
pub fn write_pdf_for_signing(
    layout: &Layout,
    fonts: &FontSet,
    meta: &Meta,
    field: &SignatureField,
    ofd: bool,
) -> Result<(PreparedPdf, Option<Vec<u8>>), WriteError> {
    if field.page >= layout.pages.len() {
        return Err(WriteError::Signature(format!(
            "签名位置在第 {} 页，文档只有 {} 页",
            field.page + 1,
            layout.pages.len()
        )));
    }
    let embedded = embed_fonts(layout, fonts)?;
    let pdf = pdf::write_pdf_with(layout, &embedded, meta, Some(field))?;
    let prepared = PreparedPdf::locate(pdf, field.capacity)?;
    let ofd = if ofd {
        Some(ofd::write_ofd_with(layout, &embedded, meta)?)
    } else {
        None
    };
    Ok((prepared, ofd))
}
