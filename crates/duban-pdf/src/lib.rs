//! A small PDF layout engine for Chinese official documents, knowing nothing about 督办.
//!
//! Content first, then layout (the typst split): documents describe [`Block`]s of styled
//! [`Span`]s, paragraphs and tables; [`layout()`] breaks lines (CJK rules, kinsoku, number runs
//! kept whole), fills pages (tables with repeated headers, rows never split, keep-together
//! groups, page numbers “— N —” on the outer side); [`write_pdf`] embeds subset fonts and
//! writes byte-identical output for identical input.
//! [`write_batch`] lays out (through the caller) and writes many documents in parallel, the
//! fonts readied once per batch.
//!
//! Modules in layers, each importing only those below it: [`elements`] (what a document
//! says) → [`fonts`] → [`layout`](mod@layout) → [`write`](mod@write) (PDF, OFD, the font embedding both share) →
//! `batch`.
//!
//! ```
//! use duban_pdf::*;
//! use chrono::NaiveDate;
//!
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
//! let fonts = FontSet::load_dir(&dir)?; // once per process
//! let body = Style::new(FontRole::Body, 16.0).tracking(-0.21);
//! let doc = Document {
//!     page: PageSetup::a4_portrait(),
//!     blocks: vec![Block::Paragraph(
//!         Paragraph::new(vec![Span::text("截至2026年11月30日，……", body)], 28.99)
//!             .align(Align::Justify)
//!             .first_line_indent(2.0 * 15.79),
//!     )],
//! };
//! let meta = Meta {
//!     title: "督办通知单".into(),
//!     author: "督查室".into(),
//!     subject: String::new(),
//!     date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
//!     creator: "notice-maker".into(),
//!     creator_version: "0.1.0".into(),
//! };
//! let rendered = render(&doc, &fonts, &meta)?;
//! assert!(rendered.pdf.starts_with(b"%PDF-") && rendered.pages == 1);
//! std::fs::write(std::env::temp_dir().join("notice.pdf"), &rendered.pdf)?;
//! for m in &rendered.missing { eprintln!("缺字 {} 于 “{}”", m.ch, m.context); }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
mod deflate;
pub mod elements;
pub mod fonts;
pub mod layout;
pub mod write;

pub use batch::{
    BATCH, BatchError, BatchOptions, LaidOut, Signature, Signer, Written, write_batch,
    write_document,
};
pub use elements::{
    Align, BarChart, Block, Cell, CellContent, Color, Column, ColumnWidth, Document, FontRole,
    Image, ImageError, Meta, PT_PER_MM, PageNumbers, PageSetup, Paragraph, PlacedImage, Row, Rule,
    Series, Span, Style, Table, TableStyle, mm,
};
pub use fonts::{FontError, FontSet, FontSource, Glyph, SHIPPED_FALLBACKS};
pub use layout::{
    EM_ASCENT, FillRect, Item, Layout, MissingGlyph, Origin, Page, PlacedGlyph, RowMark, RowRef,
    ShapedLine, StrokeLine, TextLine, break_lines, layout, may_end_line, may_start_line, measure,
};
pub use write::{
    OFD_NS, PreparedPdf, SignatureField, WriteError, write_ofd, write_pdf, write_pdf_and_ofd,
    write_pdf_for_signing,
};

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Characters no font has; they are printed as □.
    pub missing: Vec<MissingGlyph>,
}

/// Lays out and writes a document in one go: [`layout()`] then [`write_pdf`].
///
/// # Examples
///
/// ```
/// use duban_pdf::*;
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
/// let fonts = FontSet::load_dir(&dir)?;
/// let style = Style::new(FontRole::Body, 16.0);
/// let doc = Document {
///     page: PageSetup::a4_portrait(),
///     blocks: vec![Block::Paragraph(Paragraph::new(vec![Span::text("督办事项", style)], 28.0))],
/// };
/// let meta = Meta {
///     title: "示例".into(),
///     author: "督查室".into(),
///     subject: String::new(),
///     date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
///     creator: String::new(),
///     creator_version: String::new(),
/// };
/// let a = render(&doc, &fonts, &meta)?;
/// let b = render(&doc, &fonts, &meta)?;
/// assert_eq!(a.pdf, b.pdf); // deterministic
/// assert!(a.missing.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`WriteError`] when a face the document uses cannot be subset.
pub fn render(doc: &Document, fonts: &FontSet, meta: &Meta) -> Result<Rendered, WriteError> {
    let laid = layout(doc, fonts);
    let pdf = write_pdf(&laid, fonts, meta)?;
    Ok(Rendered {
        pdf,
        pages: laid.pages.len(),
        missing: laid.missing,
    })
}

#[cfg(test)]
mod tests {
    use super::fonts::tests::shipped;
    use super::*;
    use chrono::NaiveDate;
    use rayon::prelude::*;

    pub(super) fn notice(unit: &str) -> Document {
        let body = Style::new(FontRole::Body, 16.0).tracking(-0.21);
        let cell = Style::new(FontRole::Body, 10.5);
        let rows = (0..40)
            .map(|i| {
                Row::new(vec![
                    Cell::text(i.to_string(), cell),
                    Cell::text("推进与中科院深圳先进研究院“1+6+N”合作项目", cell),
                    Cell::new(vec![
                        Span::text("●", cell.size(8.61).color(Color::hex(0xE60012))),
                        Span::gap(1.26),
                        Span::text("逾期未完成", cell),
                    ]),
                ])
            })
            .collect();
        Document {
            page: PageSetup::a4_portrait(),
            blocks: vec![
                Block::Paragraph(
                    Paragraph::new(
                        vec![Span::text(
                            "重点工作任务督办通知单",
                            Style::new(FontRole::Title, 22.0),
                        )],
                        28.99,
                    )
                    .align(Align::Center),
                ),
                Block::Heading(Paragraph::new(
                    vec![Span::text(
                        format!("承办单位：{unit}"),
                        Style::new(FontRole::Heading, 16.0),
                    )],
                    28.99,
                )),
                Block::Paragraph(
                    Paragraph::new(
                        vec![Span::text(
                            "截至2026年11月30日，你单位牵头的重点工作任务18项中，已完成10项。",
                            body,
                        )],
                        28.99,
                    )
                    .align(Align::Justify)
                    .first_line_indent(31.58),
                ),
                Block::Table(Table {
                    columns: vec![
                        Column::mm(8.0, Align::Center),
                        Column::flex(Align::Left),
                        Column::mm(24.5, Align::Left),
                    ],
                    header: Some(Row::new(vec![
                        Cell::text("序\n号", Style::new(FontRole::Heading, 10.5)),
                        Cell::text("任务目标", Style::new(FontRole::Heading, 10.5)),
                        Cell::text("状态", Style::new(FontRole::Heading, 10.5)),
                    ])),
                    rows,
                    style: TableStyle::default(),
                }),
            ],
        }
    }

    /// The text poppler's `pdftotext` extracts (pages end in a form feed). `None` when poppler
    /// is not installed on a developer's machine; under CI (`CI=true`) its absence fails.
    pub(crate) fn pdftotext(pdf: &[u8]) -> Option<String> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let child = Command::new("pdftotext")
            .args(["-enc", "UTF-8", "-", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(_) => {
                let ci =
                    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
                assert!(!ci, "pdftotext (poppler-utils) is missing under CI");
                eprintln!("注意：未安装 pdftotext，跳过文字提取检查");
                return None;
            }
        };
        child.stdin.take()?.write_all(pdf).ok()?;
        let out = child.wait_with_output().ok()?;
        assert!(
            out.status.success(),
            "pdftotext: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "pdftotext warns: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub(super) fn meta() -> Meta {
        Meta {
            title: "督办通知单".into(),
            author: "督查室".into(),
            subject: "测试".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default(),
            creator: String::new(),
            creator_version: String::new(),
        }
    }

    #[test]
    fn same_input_same_bytes_across_runs_and_threads() {
        let fonts = shipped();
        let first = render(&notice("市科技局"), &fonts, &meta()).expect("renders");
        assert!(first.pages >= 2);
        assert!(first.missing.is_empty(), "{:?}", first.missing);
        let units: Vec<String> = (0..8)
            .map(|i| {
                if i % 2 == 0 {
                    "市科技局".into()
                } else {
                    format!("单位{i}")
                }
            })
            .collect();
        let parallel: Vec<Vec<u8>> = units
            .par_iter()
            .map(|u| render(&notice(u), &fonts, &meta()).expect("renders").pdf)
            .collect();
        for (unit, bytes) in units.iter().zip(&parallel) {
            if unit == "市科技局" {
                assert!(bytes == &first.pdf, "render differs between runs/threads");
            } else {
                assert!(bytes != &first.pdf);
            }
        }
        let again = render(&notice("市科技局"), &fonts, &meta()).expect("renders");
        assert!(again.pdf == first.pdf);
    }

    #[test]
    fn pdf_has_subset_fonts_fixed_dates_and_extractable_text() {
        let fonts = shipped();
        let out = render(&notice("市科技局"), &fonts, &meta()).expect("renders");
        let pdf = &out.pdf;
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("D:20261202000000"), "creation date from Meta");
        let tagged = text.matches("+NotoSerifSC-Regular").count();
        assert!(tagged >= 1, "subset tag on the body font");
        assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
        let Some(text) = pdftotext(pdf) else {
            return;
        };
        let page1 = text
            .split('\u{c}')
            .next()
            .unwrap_or_default()
            .replace(' ', "");
        assert!(page1.contains("重点工作任务督办通知单"), "{page1}");
        assert!(page1.contains("逾期未完成"), "{page1}");
        assert_eq!(
            text.matches('\u{c}').count(),
            out.pages,
            "one form feed per page"
        );
    }

    #[test]
    fn rare_characters_come_from_the_fallback_face_and_stay_extractable() {
        let fonts = shipped();
        let doc = Document {
            page: PageSetup::a4_portrait(),
            blocks: vec![Block::Paragraph(Paragraph::new(
                vec![Span::text(
                    "联系人：王堃，督办",
                    Style::new(FontRole::Body, 16.0),
                )],
                28.99,
            ))],
        };
        let out = render(&doc, &fonts, &meta()).expect("renders");
        assert!(out.missing.is_empty(), "{:?}", out.missing);
        let text = String::from_utf8_lossy(&out.pdf);
        assert_eq!(
            text.matches("/FontFile2").count(),
            2,
            "the body face and the fallback face are embedded"
        );
        if let Some(page) = pdftotext(&out.pdf) {
            assert!(page.contains("王堃"), "{page}");
        }
    }

    #[test]
    fn missing_characters_are_reported_by_render() {
        let fonts = shipped();
        let doc = Document {
            page: PageSetup::a4_portrait(),
            blocks: vec![Block::Paragraph(Paragraph::new(
                vec![Span::text(
                    "联系人：王\u{2A6A5}明",
                    Style::new(FontRole::Body, 16.0),
                )],
                28.99,
            ))],
        };
        let out = render(&doc, &fonts, &meta()).expect("renders");
        assert_eq!(out.missing.len(), 1);
        assert_eq!(out.missing[0].ch, '\u{2A6A5}');
    }

    #[test]
    fn a_face_that_cannot_be_cut_fails_the_document_instead_of_dropping_its_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fonts");
        let mut bytes = std::fs::read(dir.join("NotoSansSC-Bold.ttf")).expect("shipped font");
        // Overwrite the `loca` table: the cmap still maps characters, but no outline can be found.
        let tables = usize::from(u16::from_be_bytes([bytes[4], bytes[5]]));
        for i in 0..tables {
            let rec = 12 + 16 * i;
            if &bytes[rec..rec + 4] == b"loca" {
                let at = |k: usize| {
                    u32::from_be_bytes([bytes[k], bytes[k + 1], bytes[k + 2], bytes[k + 3]])
                        as usize
                };
                let (offset, len) = (at(rec + 8), at(rec + 12));
                bytes[offset..offset + len].fill(0xFF);
            }
        }
        let path =
            std::env::temp_dir().join(format!("duban-pdf-broken-{}.ttf", std::process::id()));
        std::fs::write(&path, &bytes).expect("temp font");
        let source = FontSource::new(&path, 0);
        let fonts =
            FontSet::load(&source, &source, &source, &[]).expect("the table directory parses");
        let doc = Document {
            page: PageSetup::a4_portrait(),
            blocks: vec![Block::Paragraph(Paragraph::new(
                vec![Span::text("督办", Style::new(FontRole::Body, 16.0))],
                28.0,
            ))],
        };
        let err = render(&doc, &fonts, &meta()).expect_err("no PDF without the face's text");
        assert!(err.to_string().contains("duban-pdf-broken"), "{err}");
        // the engine names no application setting; its caller adds where fonts are configured
        assert!(!err.to_string().contains("toml"), "{err}");
        let _ = std::fs::remove_file(&path);
        let missing = FontSource::new(&path, 0);
        let err = FontSet::load(&missing, &missing, &missing, &[]).expect_err("no such file");
        assert!(err.to_string().contains("duban-pdf-broken"), "{err}");
        assert!(!err.to_string().contains("toml"), "{err}");
    }

    /// The engine's messages say what is wrong with the file or the document, never where its
    /// caller configures it (the caller adds that).
    #[test]
    fn no_message_names_an_application_or_its_settings() {
        let (path, face) = ("a.ttf".to_string(), 2);
        let messages: Vec<String> = [
            FontError::Read {
                path: path.clone(),
                source: std::io::Error::other("gone"),
            }
            .to_string(),
            FontError::Parse {
                path: path.clone(),
                face,
            }
            .to_string(),
            FontError::NoOutlines {
                path: path.clone(),
                face,
            }
            .to_string(),
            FontError::SymbolOnly { path, face }.to_string(),
            WriteError::Subset {
                face: "a.ttf".into(),
            }
            .to_string(),
            WriteError::Signature("x".into()).to_string(),
            WriteError::Package { reason: "x".into() }.to_string(),
            ImageError::NotPng.to_string(),
        ]
        .into();
        for message in &messages[..5] {
            assert!(message.contains("a.ttf"), "names the file: {message}");
        }
        for message in &messages {
            for word in ["duban", "toml", "[fonts]", "督办"] {
                assert!(!message.contains(word), "{message}");
            }
        }
    }
}
