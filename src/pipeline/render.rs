//! The render stage: the PDF notices, then the 汇总表 beside the emails and their manifest,
//! each file written into the staging folder as soon as it is made.

use super::{Progress, RunError};
use crate::config::Config;
use crate::deliver;
use crate::model::MonthReport;
use crate::render::notices::{self, DocKind};
use crate::templates::Templates;
use duban_pdf::{FontSet, FontSource};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// Loads fonts, templates, the seal and the signing certificate once: all are checked before
/// any input is read, so a broken template, a missing font, a seal that is not a PNG or a wrong
/// certificate password is a usage error (exit 2) and not a half-made month.
pub struct Resources {
    pub fonts: FontSet,
    pub templates: Templates,
    pub stamp: crate::stamp::Stamp,
}

impl Resources {
    pub fn load(cfg: &Config) -> Result<Resources, RunError> {
        let templates = Templates::load(&cfg.paths.templates)?;
        let source = |s: &crate::config::FontSpec| FontSource::new(cfg.font_path(s), s.face);
        let fonts = FontSet::load(
            &source(&cfg.fonts.title),
            &source(&cfg.fonts.body),
            &source(&cfg.fonts.heading),
            &FontSet::shipped_fallbacks(&cfg.paths.fonts),
        )?;
        let stamp = crate::stamp::Stamp::load(cfg).map_err(|e| RunError::Usage(e.to_string()))?;
        Ok(Resources {
            fonts,
            templates,
            stamp,
        })
    }
}

/// What the render stage made.
pub struct Rendered {
    pub leader_pdfs: usize,
    pub unit_pdfs: usize,
    pub emails: usize,
    pub units_without_email: Vec<String>,
    /// Documents that failed, for the console.
    pub notes: Vec<String>,
}

/// Renders the PDFs, then the 汇总表 alongside the emails, writing each file into `staging`
/// as soon as it is made.
pub fn render(
    cfg: &Config,
    report: &mut MonthReport,
    res: &Resources,
    stems: &crate::names::FileStems,
    staging: &deliver::Staging,
    progress: &dyn Progress,
) -> Result<Rendered, RunError> {
    // Documents first: their problems (missing glyphs, a failed document) belong in the 汇总表.
    // Each PDF is saved as soon as it is made; the first failure to save stops the run below.
    let save_error: Mutex<Option<deliver::DeliverError>> = Mutex::new(None);
    let notices = notices::render_all_into(
        report,
        cfg,
        &res.fonts,
        &res.templates,
        &res.stamp,
        stems,
        &|| progress.tick(),
        &|doc| {
            let saved = staging
                .put(&doc.rel_path, &doc.bytes)
                .and_then(|()| match &doc.ofd {
                    Some(ofd) => staging.put(&doc.ofd_path(), ofd),
                    None => Ok(()),
                });
            if let Err(e) = saved {
                let mut slot = save_error.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(e);
            }
        },
    );
    if let Some(e) = save_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    report.problems.extend(notices.problems.iter().cloned());
    crate::model::sort_problems(&mut report.problems);
    let issue_year = chrono::Datelike::year(&report.issued_on);
    report.document_numbers = notices
        .documents
        .iter()
        .map(|d| crate::doc_numbers::DocumentNumber {
            document: d.rel_path.to_string_lossy().replace('\\', "/"),
            year: issue_year,
            number: d.serial,
            text: d.number.clone(),
        })
        .collect();
    let report: &MonthReport = report;
    let lookup = report.lookup();
    let unit_docs: HashMap<&str, &notices::RenderedDoc> = notices
        .documents
        .iter()
        .filter(|d| d.kind == DocKind::Unit)
        .map(|d| (d.owner.as_str(), d))
        .collect();
    let (xlsx, rows) = rayon::join(
        || {
            let bytes =
                crate::render::xlsx::summary_workbook(report, cfg).map_err(RunError::Xlsx)?;
            let name = crate::archive::summary_file_name(report.month);
            staging.put(Path::new(&name), &bytes)?;
            if let Some(record) = crate::history::record_bytes(&bytes, &name, report.month) {
                staging.put(Path::new(crate::archive::RECORD_FILE), &record)?;
            }
            progress.tick();
            Ok::<_, RunError>(())
        },
        || {
            report
                .master
                .units
                .par_iter()
                .map(|unit| {
                    let doc = unit_docs.get(unit.name.as_str());
                    let attachment = doc
                        .and_then(|d| d.rel_path.file_name())
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let eml = match doc {
                        Some(d) => {
                            let pdf = staging.read(&d.rel_path)?;
                            deliver::unit_email(
                                report,
                                &lookup,
                                unit,
                                &attachment,
                                &pdf,
                                &res.templates,
                                cfg,
                            )?
                        }
                        None => None,
                    };
                    // the email is named as its attachment: `督办单/单位/<stem>.pdf` → `<stem>.eml`
                    let eml_name = eml
                        .as_ref()
                        .and(doc)
                        .and_then(|d| d.rel_path.file_stem())
                        .map(|stem| format!("{}.eml", stem.to_string_lossy()));
                    if let (Some(bytes), Some(name)) = (&eml, &eml_name) {
                        staging.put(&Path::new(crate::archive::MAIL_DIR).join(name), bytes)?;
                    }
                    let row = deliver::manifest_row(
                        report,
                        &lookup,
                        unit,
                        &attachment,
                        eml_name,
                        &res.templates,
                        cfg,
                    )?;
                    progress.tick();
                    Ok::<_, RunError>(row)
                })
                .collect::<Result<Vec<_>, RunError>>()
        },
    );
    xlsx?;
    let manifest = rows?;
    let leader_pdfs = notices
        .documents
        .iter()
        .filter(|d| d.kind != DocKind::Unit)
        .count();
    let unit_pdfs = unit_docs.len();
    let n_emails = manifest.iter().filter(|r| r.eml.is_some()).count();
    let without = manifest
        .iter()
        .filter(|r| r.eml.is_none())
        .map(|r| r.unit.clone())
        .collect();
    staging.put(
        &Path::new(crate::archive::MAIL_DIR).join(crate::archive::MANIFEST_FILE),
        &deliver::manifest_csv(&manifest),
    )?;
    Ok(Rendered {
        leader_pdfs,
        unit_pdfs,
        emails: n_emails,
        units_without_email: without,
        notes: notices.failures,
    })
}

/// Items the render stage ticks: every document, every unit's email and the 汇总表.
pub fn render_items(report: &MonthReport) -> u64 {
    let n_docs = 1 + report.master.leaders.len() + report.master.units.len();
    (n_docs + report.master.units.len() + 1) as u64
}
