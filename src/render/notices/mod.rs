//! The PDF notices of a month: the mayor's overview, a 督办单 per leader and a 督办通知单 per
//! lead unit, laid out by [`duban_pdf`].
//!
//! Documents only describe content. Every sentence, title, heading and the document-number
//! pattern come from `templates/` (`notice_mayor.j2`, `notice_leader.j2`, `notice_unit.j2`,
//! `doc_number.j2`), rendered into the line markup of [`markup`]; the code supplies the tables.
//! Numbers are one gap-free sequence per run: the mayor, the leaders in seed order, then the
//! units in master order. Documents render in parallel; one that fails (template error, panic)
//! is reported and the others are still written.

pub mod cells;
pub mod figures;
mod fit;
mod leader;
pub mod markup;
mod mayor;
pub mod name_column;
pub mod numbering;
pub mod sentence;
pub mod style;
mod unit;
pub use unit::MAX_LISTED_PROBLEMS;
pub mod year;

use crate::config::Config;
use crate::model::{MonthReport, Problem};
use crate::names::FileStems;
use crate::stamp::Stamp;
use crate::templates::Templates;
use chrono::Datelike;
use duban_pdf::{Block, Document, FontSet, Meta, MissingGlyph};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Which kind of notice a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// The mayor's city overview.
    Mayor,
    /// A leader's 督办单.
    Leader,
    /// A lead unit's 督办通知单.
    Unit,
}

/// One finished PDF.
#[derive(Debug, Clone)]
pub struct RenderedDoc {
    pub kind: DocKind,
    /// Leader name or unit name.
    pub owner: String,
    /// Relative to `output/<month>/`: `督办单/领导/<name>.pdf` or `督办单/单位/<unit>.pdf`.
    pub rel_path: PathBuf,
    /// The document number, `呼督〔2026〕17号`.
    pub number: String,
    /// The number alone (17).
    pub serial: u32,
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// Its OFD twin (GB/T 33190), when `[output] ofd` is on; saved beside the PDF as
    /// `<name>.ofd`.
    pub ofd: Option<Vec<u8>>,
}

impl RenderedDoc {
    /// Where the OFD twin goes: the PDF's path with `.ofd`.
    pub fn ofd_path(&self) -> PathBuf {
        self.rel_path.with_extension("ofd")
    }
}

/// All notices of a run.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    /// The mayor, the leaders in master order, the units in `master.units` order.
    pub documents: Vec<RenderedDoc>,
    /// Missing glyphs (naming task and text) and failed documents.
    pub problems: Vec<Problem>,
    /// Chinese one-liners for the console about documents that failed.
    pub failures: Vec<String>,
}

/// A document to make: who it is for, where it goes, its place in the numbering.
#[derive(Debug, Clone)]
struct Job {
    kind: DocKind,
    owner: String,
    rel_path: PathBuf,
    serial: u32,
}

/// What rendering one document produced.
struct Output {
    number: String,
    pdf: Vec<u8>,
    ofd: Option<Vec<u8>>,
    missing: Vec<MissingGlyph>,
}

/// Everything a document builder reads.
pub(crate) struct Input<'a> {
    pub report: &'a MonthReport,
    pub cfg: &'a Config,
    pub fonts: &'a FontSet,
    pub templates: &'a Templates,
    /// The report's problems and receipts by unit and task.
    pub lookup: &'a crate::model::Lookup<'a>,
    /// This document's number.
    pub number: String,
}

/// Renders every document in parallel with rayon; `tick` is called once per finished document.
///
/// A panic inside one document's rendering is caught, reported as an error [`Problem`] and a
/// failure naming that document, and does not lose the others. A template error does the same.
pub fn render_all(
    report: &MonthReport,
    cfg: &Config,
    fonts: &FontSet,
    templates: &Templates,
    tick: &(dyn Fn() + Sync),
) -> Notices {
    render_all_stamped(report, cfg, fonts, templates, &Stamp::none(), tick)
}

/// [`render_all`] with the office's seal over every sign-off and, when `stamp` holds a
/// certificate, every PDF signed.
pub fn render_all_stamped(
    report: &MonthReport,
    cfg: &Config,
    fonts: &FontSet,
    templates: &Templates,
    stamp: &Stamp,
    tick: &(dyn Fn() + Sync),
) -> Notices {
    let stems = FileStems::of(&report.master);
    let kit = Kit {
        cfg,
        fonts,
        templates,
        stamp,
    };
    render(report, &kit, &stems, tick, None)
}

/// Like [`render_all`], but hands each finished document to `sink` as soon as it is made (on
/// the rendering thread) and drops its bytes, so a run never holds every PDF in memory: the
/// returned documents have empty `bytes`. A document the sink receives is a success; saving
/// it (and reporting a failure to save) is the sink's business. The documents are named by
/// `stems`, decided by the caller before rendering.
#[allow(clippy::too_many_arguments)]
pub fn render_all_into(
    report: &MonthReport,
    cfg: &Config,
    fonts: &FontSet,
    templates: &Templates,
    stamp: &Stamp,
    stems: &FileStems,
    tick: &(dyn Fn() + Sync),
    sink: &(dyn Fn(&RenderedDoc) + Sync),
) -> Notices {
    let kit = Kit {
        cfg,
        fonts,
        templates,
        stamp,
    };
    render(report, &kit, stems, tick, Some(sink))
}

/// What every document of a run is made with.
struct Kit<'a> {
    cfg: &'a Config,
    fonts: &'a FontSet,
    templates: &'a Templates,
    stamp: &'a Stamp,
}

fn render(
    report: &MonthReport,
    kit: &Kit,
    stems: &FileStems,
    tick: &(dyn Fn() + Sync),
    sink: Option<&(dyn Fn(&RenderedDoc) + Sync)>,
) -> Notices {
    let Kit {
        cfg,
        fonts,
        templates,
        stamp,
    } = *kit;
    let jobs = plan(report, stems);
    let lookup = report.lookup();
    let finish = |job: &Job, laid: &Laid| -> Result<Output, NoticeError> {
        let mut out = write(laid, cfg, fonts, stamp)?;
        if let Some(sink) = sink {
            sink(&RenderedDoc {
                kind: job.kind,
                owner: job.owner.clone(),
                rel_path: job.rel_path.clone(),
                number: out.number.clone(),
                serial: job.serial,
                bytes: std::mem::take(&mut out.pdf),
                ofd: out.ofd.take(),
            });
        }
        Ok(out)
    };
    if !fonts.stocks_pay() {
        // TrueType faces only: each document is laid out and written in one go.
        let results = run_guarded(
            jobs.iter().collect(),
            &|job: &Job| {
                finish(
                    job,
                    &lay_out(job, report, cfg, fonts, templates, stamp, &lookup)?,
                )
            },
            tick,
        );
        return assemble(report, jobs, results);
    }
    let mut results = Vec::with_capacity(jobs.len());
    // A batch is laid out, the fonts are readied for its glyphs (`FontSet::prepare`: a CFF
    // face is cut once for the batch rather than once per document), then it is written.
    for batch in jobs.chunks(BATCH) {
        let laid = run_guarded(
            batch.iter().collect(),
            &|job: &Job| lay_out(job, report, cfg, fonts, templates, stamp, &lookup),
            &|| {},
        );
        let layouts: Vec<&duban_pdf::Layout> = laid
            .iter()
            .filter_map(|l| l.as_ref().ok())
            .map(|l| &l.layout)
            .collect();
        // The stock is cut while the first documents are written (from the face itself, the
        // same bytes): making it keeps one core busy for a while. The documents with the
        // fewest glyphs go first, so those cut without the stock cost least.
        let mut order: Vec<(usize, &Job, &Laid)> = batch
            .iter()
            .zip(&laid)
            .enumerate()
            .filter_map(|(i, (job, laid))| Some((i, job, laid.as_ref().ok()?)))
            .collect();
        order.sort_by_key(|(i, _, laid)| (glyph_count(&laid.layout), *i));
        let ((), written) = rayon::join(
            || fonts.prepare(&layouts),
            || {
                let ids: Vec<usize> = order.iter().map(|(i, _, _)| *i).collect();
                let out = run_guarded(
                    order
                        .into_iter()
                        .map(|(_, job, laid)| (job, laid))
                        .collect(),
                    &|(job, laid): (&Job, &Laid)| finish(job, laid),
                    tick,
                );
                let mut by_job: Vec<(usize, Result<Output, NoticeError>)> =
                    ids.into_iter().zip(out).collect();
                by_job.sort_by_key(|(i, _)| *i);
                by_job.into_iter().map(|(_, r)| r).collect::<Vec<_>>()
            },
        );
        // Written documents in order, with the ones that failed to lay out in their places.
        let mut written = written.into_iter();
        for laid in laid {
            results.push(match laid {
                Ok(_) => written
                    .next()
                    .unwrap_or_else(|| Err(NoticeError::Panic("文档数与排版结果不符".to_string()))),
                Err(e) => {
                    tick();
                    Err(e)
                }
            });
        }
    }
    assemble(report, jobs, results)
}

/// Glyphs a laid-out document shows (a measure of what writing it costs).
fn glyph_count(layout: &duban_pdf::Layout) -> usize {
    layout
        .pages
        .iter()
        .flat_map(duban_pdf::Page::lines)
        .map(|l| l.glyphs.len())
        .sum()
}

/// Documents laid out before their fonts are readied and they are written: enough for the
/// stock of a CJK face to pay (see [`FontSet::prepare`]), few enough that the layouts held
/// at once stay small at a hundred times the demo's size.
const BATCH: usize = 128;

/// The documents of a month in numbering order.
fn plan(report: &MonthReport, stems: &FileStems) -> Vec<Job> {
    let master = &report.master;
    let people: Vec<&str> = std::iter::once(master.mayor.name.as_str())
        .chain(master.leaders.iter().map(|l| l.name.as_str()))
        .collect();
    let units: Vec<&str> = master.units.iter().map(|u| u.name.as_str()).collect();
    let leaders = people
        .iter()
        .zip(&stems.people)
        .enumerate()
        .map(|(i, (name, stem))| {
            let kind = if i == 0 {
                DocKind::Mayor
            } else {
                DocKind::Leader
            };
            (
                kind,
                name.to_string(),
                PathBuf::from("督办单")
                    .join("领导")
                    .join(format!("{stem}.pdf")),
            )
        });
    let units = units.iter().zip(&stems.units).map(|(name, stem)| {
        (
            DocKind::Unit,
            name.to_string(),
            PathBuf::from("督办单")
                .join("单位")
                .join(format!("{stem}.pdf")),
        )
    });
    let all: Vec<_> = leaders.chain(units).collect();
    let paths: Vec<String> = all
        .iter()
        .map(|(_, _, p)| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let serials = report.numbering.assign(paths.iter().map(String::as_str));
    all.into_iter()
        .zip(serials)
        .map(|((kind, owner, rel_path), serial)| Job {
            kind,
            owner,
            rel_path,
            serial,
        })
        .collect()
}

/// Why one notice could not be made (the others are made regardless).
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Template(#[from] crate::templates::TemplateError),
    #[error("模板 {template} {source}")]
    Layout {
        template: String,
        #[source]
        source: markup::TemplateLineError,
    },
    #[error("任务分解表中没有分管市领导“{0}”")]
    UnknownLeader(String),
    #[error("{0}（字体在 duban.toml 的 [fonts] 中设置）")]
    Pdf(#[from] duban_pdf::WriteError),
    #[error("程序内部错误：{0}")]
    Panic(String),
}

/// Runs `work` for every item in parallel, catching panics; results in item order. `after`
/// is called once per item, whatever became of it.
fn run_guarded<T, U, F>(
    items: Vec<T>,
    work: &F,
    after: &(dyn Fn() + Sync),
) -> Vec<Result<U, NoticeError>>
where
    T: Send,
    U: Send,
    F: Fn(T) -> Result<U, NoticeError> + Sync,
{
    items
        .into_par_iter()
        .map(|item| {
            let result = catch_unwind(AssertUnwindSafe(|| work(item)))
                .unwrap_or_else(|payload| Err(NoticeError::Panic(panic_text(&*payload))));
            after();
            result
        })
        .collect()
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "未知错误".to_string())
}

/// A document laid out, to be written.
struct Laid {
    number: String,
    layout: duban_pdf::Layout,
    meta: Meta,
    /// The date of issue (成文日期), the signing time.
    issued_on: chrono::NaiveDate,
}

/// Lays out one document: its number, its content, its pages, the seal over its sign-off.
fn lay_out(
    job: &Job,
    report: &MonthReport,
    cfg: &Config,
    fonts: &FontSet,
    templates: &Templates,
    stamp: &Stamp,
    lookup: &crate::model::Lookup,
) -> Result<Laid, NoticeError> {
    let number = numbering::document_number(
        templates,
        &cfg.office.number_prefix,
        report.issued_on.year(),
        job.serial,
    )?;
    let input = Input {
        report,
        cfg,
        fonts,
        templates,
        lookup,
        number: number.clone(),
    };
    let (doc, meta) = match job.kind {
        DocKind::Mayor => mayor::document(&input)?,
        DocKind::Leader => {
            let leader = report
                .master
                .leaders
                .iter()
                .find(|l| l.name == job.owner)
                .ok_or_else(|| NoticeError::UnknownLeader(job.owner.clone()))?;
            leader::document(&input, leader)?
        }
        DocKind::Unit => unit::document(&input, &job.owner)?,
    };
    let mut layout = fit::fit(&doc, fonts);
    stamp.place_seal(&mut layout);
    Ok(Laid {
        number,
        layout,
        meta,
        issued_on: report.issued_on,
    })
}

/// Writes a laid-out document: the PDF (signed, when a certificate is configured) and, when
/// `[output] ofd` is on, its OFD twin.
fn write(laid: &Laid, cfg: &Config, fonts: &FontSet, stamp: &Stamp) -> Result<Output, NoticeError> {
    let (pdf, ofd) = stamp.write(
        &laid.layout,
        fonts,
        &laid.meta,
        laid.issued_on,
        cfg.output.ofd,
    )?;
    Ok(Output {
        number: laid.number.clone(),
        pdf,
        ofd,
        missing: laid.layout.missing.clone(),
    })
}

/// The context every notice template gets.
pub(crate) fn base_context(input: &Input) -> serde_json::Map<String, serde_json::Value> {
    let r = input.report;
    let office = &input.cfg.office;
    let value = serde_json::json!({
        "office": {
            "name": office.name,
            "contact_person": office.contact_person,
            "contact_phone": office.contact_phone,
        },
        "number": input.number,
        "year": r.month.year,
        "month": r.month.to_string(),
        "month_label": r.month.label(),
        "as_of": r.as_of,
        "issued_on": r.issued_on,
        "feedback_due": r.feedback_due,
        "mayor": r.master.mayor.display(),
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// Renders `template` with the base context plus `extra` and builds the document from its lines.
pub(crate) fn compose(
    input: &Input,
    template: &str,
    extra: serde_json::Value,
    tables: &dyn Fn(&str) -> Option<Block>,
) -> Result<(Document, Meta), NoticeError> {
    let mut ctx = base_context(input);
    if let serde_json::Value::Object(map) = extra {
        ctx.extend(map);
    }
    let lines = input.templates.render_lines(template, &ctx)?;
    let layout_error = |source| NoticeError::Layout {
        template: template.to_string(),
        source,
    };
    let parsed = markup::parse_lines(&lines).map_err(layout_error)?;
    let built = markup::build(&parsed, input.fonts, tables).map_err(layout_error)?;
    Ok(built.into_document(&input.cfg.office.name, input.report.as_of))
}

/// Collects documents, missing-glyph problems (one per character and text, naming the task
/// and the documents) and failures.
fn assemble(
    report: &MonthReport,
    jobs: Vec<Job>,
    results: Vec<Result<Output, NoticeError>>,
) -> Notices {
    let mut notices = Notices::default();
    let mut missing: BTreeMap<(char, String), Vec<String>> = BTreeMap::new();
    for (job, result) in jobs.into_iter().zip(results) {
        let path = job.rel_path.to_string_lossy().replace('\\', "/");
        match result {
            Ok(out) => {
                for m in out.missing {
                    let docs = missing.entry((m.ch, m.context)).or_default();
                    if !docs.contains(&path) {
                        docs.push(path.clone());
                    }
                }
                notices.documents.push(RenderedDoc {
                    kind: job.kind,
                    owner: job.owner,
                    rel_path: job.rel_path,
                    number: out.number,
                    serial: job.serial,
                    bytes: out.pdf,
                    ofd: out.ofd,
                });
            }
            Err(error) => {
                let line = format!("{path}（{}）生成失败：{error}", job.owner);
                let mut problem = Problem::notice_failed(&line).file(path);
                if job.kind == DocKind::Unit {
                    problem = problem.unit(job.owner);
                }
                notices.problems.push(problem);
                notices.failures.push(line);
            }
        }
    }
    notices.problems.extend(
        missing
            .into_iter()
            .map(|((ch, context), docs)| missing_problem(report, ch, &context, &docs)),
    );
    notices
}

fn missing_problem(report: &MonthReport, ch: char, context: &str, docs: &[String]) -> Problem {
    let task = report.master.tasks.iter().find(|t| t.text.contains(ch));
    let place = match task {
        Some(t) => format!("第 {} 项任务“{}”", t.number, &t.text),
        None => format!("“{context}”"),
    };
    let first = docs.first().cloned().unwrap_or_default();
    let more = if docs.len() > 1 {
        format!("等 {} 份督办单", docs.len())
    } else {
        String::new()
    };
    let mut p = Problem::pdf_missing_glyph(&place, ch, &format!("{first}{more}"), context)
        .file(first)
        .raw(ch.to_string());
    if let Some(t) = task {
        p = p.task(t.number);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn job(owner: &str, serial: u32) -> Job {
        Job {
            kind: DocKind::Unit,
            owner: owner.to_string(),
            rel_path: PathBuf::from("督办单/单位").join(format!("{owner}.pdf")),
            serial,
        }
    }

    #[test]
    fn a_panicking_document_is_caught_and_the_others_render() {
        let jobs: Vec<Job> = ["甲", "乙", "丙", "丁"]
            .iter()
            .zip(1..)
            .map(|(o, n)| job(o, n))
            .collect();
        let ticks = AtomicUsize::new(0);
        let results = run_guarded(
            jobs.iter().collect(),
            &|j: &Job| {
                if j.owner == "乙" {
                    panic!("故意的错误");
                }
                Ok(Output {
                    number: format!("呼督〔2026〕{}号", j.serial),
                    pdf: vec![1, 2, 3],
                    ofd: None,
                    missing: Vec::new(),
                })
            },
            &|| {
                ticks.fetch_add(1, Ordering::Relaxed);
            },
        );
        assert_eq!(ticks.load(Ordering::Relaxed), 4);
        assert_eq!(results.len(), 4);
        assert!(results[0].is_ok() && results[2].is_ok() && results[3].is_ok());
        let err = results[1]
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(err.contains("故意的错误"), "{err}");
    }
}
