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
use duban_pdf::{BatchError, Block, Document, FontSet, LaidOut, Meta};
use std::collections::BTreeMap;
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

/// Renders every document in parallel ([`duban_pdf::write_batch`]); `tick` is called once per
/// finished document.
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
    let options = duban_pdf::BatchOptions {
        ofd: cfg.output.ofd,
        progress: Some(tick),
    };
    let results = duban_pdf::write_batch(
        &jobs,
        fonts,
        &options,
        |job: &Job| lay_out(job, report, cfg, fonts, templates, stamp, &lookup),
        |job: &Job, written: &mut Written| {
            if let Some(sink) = sink {
                sink(&RenderedDoc {
                    kind: job.kind,
                    owner: job.owner.clone(),
                    rel_path: job.rel_path.clone(),
                    number: written.tag.clone(),
                    serial: job.serial,
                    bytes: std::mem::take(&mut written.pdf),
                    ofd: written.ofd.take(),
                });
            }
        },
    );
    let results = results
        .into_iter()
        .map(|r| r.map_err(NoticeError::from))
        .collect();
    assemble(report, jobs, results)
}

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
                PathBuf::from(crate::archive::LEADER_NOTICE_DIR).join(format!("{stem}.pdf")),
            )
        });
    let units = units.iter().zip(&stems.units).map(|(name, stem)| {
        (
            DocKind::Unit,
            name.to_string(),
            PathBuf::from(crate::archive::UNIT_NOTICE_DIR).join(format!("{stem}.pdf")),
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

impl From<BatchError<NoticeError>> for NoticeError {
    fn from(error: BatchError<NoticeError>) -> Self {
        match error {
            BatchError::Document(e) => e,
            BatchError::Write(e) => NoticeError::Pdf(e),
            BatchError::Panic(message) => {
                NoticeError::Panic(message.unwrap_or_else(|| "未知错误".to_string()))
            }
        }
    }
}

/// A written notice; its tag is the document number.
type Written = duban_pdf::Written<String>;

/// Lays out one document: its number, its content, its pages, the seal over its sign-off.
fn lay_out<'a>(
    job: &Job,
    report: &MonthReport,
    cfg: &Config,
    fonts: &FontSet,
    templates: &Templates,
    stamp: &'a Stamp,
    lookup: &crate::model::Lookup,
) -> Result<LaidOut<'a, String>, NoticeError> {
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
    let signature = stamp.signature(&layout, &meta, report.issued_on);
    Ok(LaidOut {
        layout,
        meta,
        signature,
        tag: number,
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
    results: Vec<Result<Written, NoticeError>>,
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
                    number: out.tag,
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

    /// What the engine reports about a document becomes the notice's own error, worded here.
    #[test]
    fn the_engines_batch_errors_become_notice_errors() {
        let panic = NoticeError::from(BatchError::Panic(Some("故意的错误".to_string())));
        assert_eq!(panic.to_string(), "程序内部错误：故意的错误");
        let silent = NoticeError::from(BatchError::Panic(None));
        assert_eq!(silent.to_string(), "程序内部错误：未知错误");
        let own = NoticeError::from(BatchError::Document(NoticeError::UnknownLeader(
            "张三".to_string(),
        )));
        assert!(matches!(own, NoticeError::UnknownLeader(ref n) if n == "张三"));
        let write = NoticeError::from(BatchError::Write(duban_pdf::WriteError::Subset {
            face: "a.ttf".to_string(),
        }));
        let text = write.to_string();
        assert!(text.contains("a.ttf") && text.contains("[fonts]"), "{text}");
    }
}
