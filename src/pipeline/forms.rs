//! `duban templates`: one pre-filled progress workbook per lead unit for the coming month, each
//! with the message that carries it (`<workbook>.eml`, sent by `duban send --templates`) and
//! the folder's `清单.csv`, in `output/<month>/templates/`.

use super::RunError;
use crate::config::Config;
use crate::deliver::{self, FormFile, FormManifestRow, form_email, form_manifest_csv};
use crate::model::{Master, Month};
use crate::render::form_xlsx::{FormPast, filled_form, form_file_name};
use crate::templates::Templates;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What [`write_forms`] wrote.
#[derive(Debug, Clone)]
pub struct FormsWritten {
    /// `output/<month>/templates/`.
    pub dir: PathBuf,
    /// The workbooks, master order.
    pub workbooks: Vec<PathBuf>,
    /// Messages written (units with an address).
    pub emails: usize,
    /// Units without an address (their workbook must be delivered otherwise).
    pub without_address: Vec<String>,
}

/// One unit's files, made in memory before anything is written.
struct Made {
    manifest: FormManifestRow,
    workbook: (String, Vec<u8>),
    eml: Option<(String, Vec<u8>)>,
}

/// Writes every unit's workbook, its message and `清单.csv` into `output/<month>/templates/`.
/// `past` (the record of the year) adds the read-only 上月进度 column (the last figure on
/// record) and pre-fills the tasks finished on record.
///
/// An archived month (its `run.json` exists) is refused: its files are on record.
pub fn write_forms(
    cfg: &Config,
    master: &Master,
    month: Month,
    past: Option<&FormPast>,
) -> Result<FormsWritten, RunError> {
    let previous: Option<&BTreeMap<u32, f64>> = past.map(|p| &p.figures);
    let month_dir = cfg.paths.output.join(month.to_string());
    if crate::archive::is_archived(&month_dir) {
        return Err(RunError::Usage(format!(
            "{} 已归档（{}），不能再向其中写入模板。请为下一个月生成模板，例如 --month {}",
            month.label(),
            month_dir.display(),
            month.next()
        )));
    }
    let templates = Templates::load(&cfg.paths.templates)?;
    // The notices' unique stems (units “a/b” and “a:b” would both clean to `a_b`).
    let stems = crate::names::FileStems::of(master).units;
    let made: Vec<Made> = master
        .units
        .par_iter()
        .zip(stems.par_iter())
        .map(|(unit, stem)| {
            let name = form_file_name(stem, month);
            let filling = past
                .map(|p| p.filling(master, &unit.name))
                .unwrap_or_default();
            let bytes = filled_form(master, unit, month, cfg, previous, &filling)
                .map_err(RunError::Xlsx)?;
            let file = FormFile {
                month,
                tasks_total: master.tasks_of_unit(&unit.name).count() as u32,
                with_previous: previous.is_some(),
                name: &name,
                bytes: &bytes,
            };
            let email = form_email(unit, file, &templates, cfg)?;
            let eml_name = email.as_ref().map(|_| eml_name_for(&name));
            let manifest = FormManifestRow {
                unit: unit.name.clone(),
                email: unit.address().map(str::to_string),
                subject: email
                    .as_ref()
                    .map(|e| e.subject.clone())
                    .unwrap_or_default(),
                attachment: name.clone(),
                eml: eml_name.clone(),
            };
            Ok(Made {
                manifest,
                eml: eml_name.zip(email.map(|e| e.eml)),
                workbook: (name, bytes),
            })
        })
        .collect::<Result<_, RunError>>()?;
    let dir = month_dir.join(crate::archive::FORMS_DIR);
    std::fs::create_dir_all(&dir).map_err(deliver::io_err(&dir))?;
    let mut workbooks = Vec::with_capacity(made.len());
    let mut emails = 0;
    for m in &made {
        let path = dir.join(&m.workbook.0);
        std::fs::write(&path, &m.workbook.1).map_err(deliver::io_err(&path))?;
        workbooks.push(path);
        if let Some((name, bytes)) = &m.eml {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(deliver::io_err(&path))?;
            emails += 1;
        }
    }
    let rows: Vec<FormManifestRow> = made.iter().map(|m| m.manifest.clone()).collect();
    let manifest = dir.join(crate::archive::MANIFEST_FILE);
    std::fs::write(&manifest, form_manifest_csv(&rows)).map_err(deliver::io_err(&manifest))?;
    Ok(FormsWritten {
        dir,
        workbooks,
        emails,
        without_address: rows
            .iter()
            .filter(|r| r.eml.is_none())
            .map(|r| r.unit.clone())
            .collect(),
    })
}

/// `市发改委_2026年12月重点任务进展表.xlsx` → `市发改委_2026年12月重点任务进展表.eml`.
fn eml_name_for(workbook: &str) -> String {
    let stem = workbook.strip_suffix(".xlsx").unwrap_or(workbook);
    format!("{stem}.eml")
}
