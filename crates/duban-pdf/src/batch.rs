//! Writing many documents at once: [`write_batch`] lays them out (through the caller, who
//! decides how a document is fitted onto its pages), readies the fonts for what a batch shows
//! and writes every PDF (and OFD twin) in parallel, one failing document never costing the
//! others.
//!
//! With a CFF face among the role faces ([`FontSet::stocks_pay`]) documents go in batches of
//! [`BATCH`]: a batch is laid out, then its fonts are readied ([`FontSet::prepare`]: a CJK face
//! is cut once for the batch rather than once per document) while its documents are written,
//! those with the fewest glyphs first, so the ones written before the stock is ready cost least.
//! With TrueType faces only each document is laid out and written in one go.

use crate::elements::Meta;
use crate::fonts::FontSet;
use crate::layout::{Layout, MissingGlyph};
use crate::write::{
    SignatureField, WriteError, write_pdf, write_pdf_and_ofd, write_pdf_for_signing,
};
use rayon::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Documents laid out before their fonts are readied and they are written: enough for the
/// stock of a CJK face to pay (see [`FontSet::prepare`]), few enough that the layouts held at
/// once stay small for a batch of many thousand documents.
pub const BATCH: usize = 128;

/// Makes the signature of a PDF written with a signature field: a CMS `SignedData` over the
/// two byte ranges ([`PreparedPdf::signed_parts`](crate::PreparedPdf::signed_parts)), with whatever keys the caller holds — the
/// engine knows no cryptography. An error is the caller's own message.
pub trait Signer: Sync {
    /// The signature (DER) over the two parts of the file around the reserved room.
    ///
    /// # Errors
    ///
    /// The caller's message, reported as [`WriteError::Signature`].
    fn sign(&self, signed_parts: [&[u8]; 2]) -> Result<Vec<u8>, String>;
}

/// A signature field and who fills it.
pub struct Signature<'a> {
    /// The field, written empty into the PDF.
    pub field: SignatureField,
    /// Fills it once the PDF is written.
    pub signer: &'a dyn Signer,
}

/// A laid-out document, ready to be written.
pub struct LaidOut<'a, T> {
    /// Its pages.
    pub layout: Layout,
    /// Its metadata (title, author, dates, creator).
    pub meta: Meta,
    /// When set, the PDF is signed.
    pub signature: Option<Signature<'a>>,
    /// The caller's own data about the document, handed back with it.
    pub tag: T,
}

/// A written document.
#[derive(Debug, Clone)]
pub struct Written<T> {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Its OFD twin, when [`BatchOptions::ofd`] asked for it.
    pub ofd: Option<Vec<u8>>,
    /// Characters no font has (drawn as □).
    pub missing: Vec<MissingGlyph>,
    /// The caller's data from [`LaidOut::tag`].
    pub tag: T,
}

/// How a batch is written.
#[derive(Clone, Copy, Default)]
pub struct BatchOptions<'a> {
    /// Write an OFD twin (GB/T 33190) beside every PDF, the fonts cut once for both.
    pub ofd: bool,
    /// Called once per document, whatever became of it (a progress count).
    pub progress: Option<&'a (dyn Fn() + Sync)>,
}

/// Why one document of a batch was not written. The engine words no message here: the caller
/// says what each case means to its readers.
#[derive(Debug)]
pub enum BatchError<E> {
    /// The caller's `lay_out` failed.
    Document(E),
    /// Writing failed (a face that cannot be cut, a signature that does not fit …).
    Write(WriteError),
    /// Laying out or writing the document panicked; the panic's message when it had one.
    Panic(Option<String>),
}

/// Writes the PDF of one laid-out document (signed, when it has a [`Signature`]) and, if
/// `ofd`, its OFD twin: the step [`write_batch`] takes for each.
///
/// # Errors
///
/// [`WriteError`] as [`write_pdf`], [`write_pdf_for_signing`] and [`PreparedPdf::finish`](crate::PreparedPdf::finish);
/// the signer's error as [`WriteError::Signature`].
pub fn write_document(
    layout: &Layout,
    meta: &Meta,
    signature: Option<&Signature>,
    fonts: &FontSet,
    ofd: bool,
) -> Result<(Vec<u8>, Option<Vec<u8>>), WriteError> {
    let Some(signature) = signature else {
        return if ofd {
            let (pdf, ofd) = write_pdf_and_ofd(layout, fonts, meta)?;
            Ok((pdf, Some(ofd)))
        } else {
            Ok((write_pdf(layout, fonts, meta)?, None))
        };
    };
    let (prepared, ofd) = write_pdf_for_signing(layout, fonts, meta, &signature.field, ofd)?;
    let cms = signature
        .signer
        .sign(prepared.signed_parts())
        .map_err(WriteError::Signature)?;
    Ok((prepared.finish(&cms)?, ofd))
}

/// Lays out (by `lay_out`) and writes every document of `jobs` in parallel; results in the
/// order of `jobs`.
///
/// `deliver` receives each written document on the thread that wrote it, as soon as it is
/// written — it may take its bytes (save them and drop them), so a long run never holds every
/// file in memory. A panic in `lay_out`, in writing or in `deliver` is caught and fails that
/// document alone.
pub fn write_batch<'a, J, T, E, L, D>(
    jobs: &[J],
    fonts: &FontSet,
    options: &BatchOptions,
    lay_out: L,
    deliver: D,
) -> Vec<Result<Written<T>, BatchError<E>>>
where
    J: Sync,
    T: Clone + Send + Sync,
    E: Send,
    L: Fn(&J) -> Result<LaidOut<'a, T>, E> + Sync,
    D: Fn(&J, &mut Written<T>) + Sync,
{
    let progress = || {
        if let Some(progress) = options.progress {
            progress();
        }
    };
    let write = |job: &J, doc: &LaidOut<T>| -> Result<Written<T>, BatchError<E>> {
        let (pdf, ofd) = write_document(
            &doc.layout,
            &doc.meta,
            doc.signature.as_ref(),
            fonts,
            options.ofd,
        )
        .map_err(BatchError::Write)?;
        let mut written = Written {
            pdf,
            ofd,
            missing: doc.layout.missing.clone(),
            tag: doc.tag.clone(),
        };
        deliver(job, &mut written);
        Ok(written)
    };
    if !fonts.stocks_pay() {
        return guarded(
            jobs.iter().collect(),
            &|job: &J| write(job, &lay_out(job).map_err(BatchError::Document)?),
            &progress,
        );
    }
    let mut results = Vec::with_capacity(jobs.len());
    for batch in jobs.chunks(BATCH) {
        let laid = guarded(
            batch.iter().collect(),
            &|job: &J| lay_out(job).map_err(BatchError::Document),
            &|| {},
        );
        let layouts: Vec<&Layout> = laid
            .iter()
            .filter_map(|l| l.as_ref().ok())
            .map(|l| &l.layout)
            .collect();
        // The stock is cut while the first documents are written (from the face itself, the
        // same bytes): making it keeps one core busy for a while.
        let mut order: Vec<(usize, &J, &LaidOut<T>)> = batch
            .iter()
            .zip(&laid)
            .enumerate()
            .filter_map(|(i, (job, doc))| Some((i, job, doc.as_ref().ok()?)))
            .collect();
        order.sort_by_key(|(i, _, doc)| (glyph_count(&doc.layout), *i));
        let ids: Vec<usize> = order.iter().map(|(i, _, _)| *i).collect();
        let ((), written) = rayon::join(
            || fonts.prepare(layouts.iter().map(|l| l.glyph_ids())),
            || {
                guarded(
                    order.into_iter().map(|(_, job, doc)| (job, doc)).collect(),
                    &|(job, doc): (&J, &LaidOut<T>)| write(job, doc),
                    &progress,
                )
            },
        );
        // Back in the batch's order, the documents that failed to lay out in their places.
        let mut slots: Vec<Option<Result<Written<T>, BatchError<E>>>> = laid
            .into_iter()
            .map(|doc| {
                doc.err().map(|e| {
                    progress();
                    Err(e)
                })
            })
            .collect();
        for (i, result) in ids.into_iter().zip(written) {
            slots[i] = Some(result);
        }
        results.extend(slots.into_iter().flatten());
    }
    results
}

/// Glyphs a laid-out document shows (a measure of what writing it costs).
fn glyph_count(layout: &Layout) -> usize {
    layout
        .pages
        .iter()
        .flat_map(crate::layout::Page::lines)
        .map(|l| l.glyphs.len())
        .sum()
}

/// Runs `work` for every item in parallel, catching panics; results in item order. `after` is
/// called once per item, whatever became of it.
fn guarded<I, U, E, F>(
    items: Vec<I>,
    work: &F,
    after: &(dyn Fn() + Sync),
) -> Vec<Result<U, BatchError<E>>>
where
    I: Send,
    U: Send,
    E: Send,
    F: Fn(I) -> Result<U, BatchError<E>> + Sync,
{
    items
        .into_par_iter()
        .map(|item| {
            let result = catch_unwind(AssertUnwindSafe(|| work(item)))
                .unwrap_or_else(|payload| Err(BatchError::Panic(panic_text(&*payload))));
            after();
            result
        })
        .collect()
}

/// The message of a panic, when it had one.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elements::{Block, Document, PageSetup, Paragraph, Span, Style};
    use crate::fonts::{FontRole, FontSource};
    use crate::tests::meta;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn doc(text: &str) -> Document {
        Document {
            page: PageSetup::a4_portrait(),
            blocks: vec![Block::Paragraph(Paragraph::new(
                vec![Span::text(text, Style::new(FontRole::Body, 16.0))],
                28.99,
            ))],
        }
    }

    /// Six documents, the third failing to lay out and the fifth panicking; the others are
    /// written as [`write_pdf_and_ofd`] writes them alone, in their order, delivered once each.
    fn check_batch(fonts: &FontSet, plain: &FontSet) {
        let texts: Vec<String> = (0..6)
            .map(|i| format!("第{i}份：截至2026年11月30日，你单位牵头的重点工作任务{i}项。"))
            .collect();
        let progress = AtomicUsize::new(0);
        let tick = || {
            progress.fetch_add(1, Ordering::Relaxed);
        };
        let delivered = Mutex::new(Vec::new());
        let options = BatchOptions {
            ofd: true,
            progress: Some(&tick),
        };
        let results = write_batch(
            &texts,
            fonts,
            &options,
            |text: &String| {
                if text.starts_with("第2份") {
                    return Err("无法排版");
                }
                if text.starts_with("第4份") {
                    panic!("故意的错误");
                }
                Ok(LaidOut {
                    layout: crate::layout(&doc(text), fonts),
                    meta: meta(),
                    signature: None,
                    tag: text.clone(),
                })
            },
            |text: &String, written: &mut Written<String>| {
                assert_eq!(&written.tag, text);
                delivered.lock().expect("lock").push(text.clone());
            },
        );
        assert_eq!(results.len(), 6);
        assert_eq!(progress.load(Ordering::Relaxed), 6, "once per document");
        assert!(matches!(results[2], Err(BatchError::Document("无法排版"))));
        assert!(
            matches!(&results[4], Err(BatchError::Panic(Some(m))) if m == "故意的错误"),
            "{:?}",
            results[4]
        );
        let mut delivered = delivered.into_inner().expect("lock");
        delivered.sort();
        assert_eq!(delivered.len(), 4);
        for (i, text) in texts.iter().enumerate() {
            if i == 2 || i == 4 {
                continue;
            }
            let Ok(written) = &results[i] else {
                panic!("document {i}: {:?}", results[i].as_ref().err());
            };
            assert_eq!(&written.tag, text, "in the order of the jobs");
            assert!(delivered.contains(text));
            let (pdf, ofd) = write_pdf_and_ofd(&crate::layout(&doc(text), plain), plain, &meta())
                .expect("writes");
            assert!(written.pdf == pdf, "document {i}: the PDF written alone");
            assert!(written.ofd.as_ref() == Some(&ofd), "document {i}: the OFD");
            assert!(written.missing.is_empty());
        }
    }

    #[test]
    fn a_batch_is_written_in_order_and_one_failing_document_costs_no_other() {
        let fonts = crate::fonts::tests::shipped();
        assert!(!fonts.stocks_pay(), "the shipped faces are TrueType");
        check_batch(&fonts, &fonts);
    }

    /// With a CFF face the batch goes through the stock (`FontSet::prepare`), to the same bytes.
    #[test]
    fn a_batch_with_a_cff_face_is_written_through_the_stock_to_the_same_bytes() {
        let path = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";
        if !std::path::Path::new(path).is_file() {
            eprintln!("注意：未安装 fonts-noto-cjk，跳过 CFF 字体的批量写出检查");
            return;
        }
        let source = FontSource::new(path, 2);
        let load = || FontSet::load(&source, &source, &source, &[]).expect("face loads");
        let (stocked, plain) = (load(), load());
        assert!(stocked.stocks_pay());
        check_batch(&stocked, &plain);
        assert!(stocked.stocked(0).is_some(), "the batch made a stock");
        assert_eq!(plain.stocked(0), None);
    }
}
