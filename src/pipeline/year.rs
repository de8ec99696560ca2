//! `duban year`: the 年度督办总结 of a plan year from its archived months, written atomically
//! to `output/<YYYY>年度/` (a PDF for the mayor with its OFD twin, the same tables as a
//! workbook, and `year.json` naming the archives read and the files written with SHA-256).

use super::{Resources, RunError};
use crate::archive::year_manifest::YearManifest;
use crate::archive::{self, InputFile, YEAR_FILE};
use crate::config::Config;
use crate::deliver::Staging;
use crate::model::{Month, Problem};
use crate::units::Directory;
use crate::year::YearReport;
use std::path::{Path, PathBuf};

/// What the caller asked for.
#[derive(Debug, Clone, Default)]
pub struct YearOptions {
    /// Plan year; default the configuration's `year`.
    pub year: Option<i32>,
    /// Replace an existing year folder (the old one is kept as `<YYYY>年度.previous-<n>`).
    pub force: bool,
}

/// What `duban year` wrote.
#[derive(Debug, Clone)]
pub struct YearSummary {
    pub year: i32,
    pub dir: PathBuf,
    pub kept_previous: Option<PathBuf>,
    /// Months on record that the report covers.
    pub months: Vec<Month>,
    /// Months before the latest without a usable archive.
    pub missing: Vec<Month>,
    /// Months after the latest, to December.
    pub not_yet: Vec<Month>,
    /// Files written, relative to `dir`.
    pub files: Vec<String>,
    /// Warnings about archives (changed, unreadable).
    pub problems: Vec<Problem>,
}

/// `年度督办总结_2026年`.
pub fn year_stem(year: i32) -> String {
    format!("年度督办总结_{year}年")
}

/// Builds and writes the year report.
pub fn year(cfg: &Config, opts: &YearOptions) -> Result<YearSummary, RunError> {
    let year = opts.year.unwrap_or(cfg.year);
    let units = Directory::load(&cfg.paths.units).map_err(crate::LoadError::from)?;
    let (master, _) =
        crate::master::load(&cfg.paths.master, &units, cfg).map_err(crate::LoadError::from)?;
    let history = crate::history::load(
        &cfg.paths.output,
        Month {
            year: year + 1,
            month: 1,
        },
        year,
    );
    let report = crate::year::build(year, &master, &history, cfg.office.issue_after_days)
        .ok_or_else(|| no_months(cfg, year, &history))?;
    let resources = Resources::load(cfg)?;
    // the year report takes a number of its year of issue too; a rebuilt one keeps its own
    let stem = year_stem(year);
    let document = format!("{stem}.pdf");
    let issue_year = chrono::Datelike::year(&report.issued_on);
    let year_dir = cfg.paths.output.join(archive::year_folder(year));
    let own = archive::is_year_archived(&year_dir).then(|| archive::year_file(&year_dir));
    let numbering = crate::doc_numbers::Numbering::plan(
        &cfg.paths.output,
        issue_year,
        cfg.office.number_start,
        own.as_deref(),
    );
    let serial = numbering.assign([document.as_str()])[0];
    let number = crate::render::notices::numbering::document_number(
        &resources.templates,
        &cfg.office.number_prefix,
        issue_year,
        serial,
    )?;
    let (doc, meta) = crate::render::notices::year::document(
        &report,
        cfg,
        &resources.fonts,
        &resources.templates,
        &number,
    )
    .map_err(|e| RunError::Usage(format!("年度督办总结无法生成：{e}")))?;
    let mut laid = crate::render::notices::year::lay_out(&doc, &resources.fonts);
    resources.stamp.place_seal(&mut laid);
    let (pdf, ofd) = resources
        .stamp
        .write(
            &laid,
            &resources.fonts,
            &meta,
            report.issued_on,
            cfg.output.ofd,
        )
        .map_err(|e| RunError::Usage(format!("年度督办总结无法生成：{e}")))?;
    let xlsx = crate::render::xlsx::year_workbook(&report, cfg).map_err(RunError::Xlsx)?;

    let staging = Staging::begin_named(&cfg.paths.output, &archive::year_folder(year), opts.force)?;
    let mut files = Vec::new();
    let mut put = |name: String, bytes: &[u8]| -> Result<(), RunError> {
        staging.put(Path::new(&name), bytes)?;
        files.push(name);
        Ok(())
    };
    put(format!("{stem}.pdf"), &pdf)?;
    if let Some(ofd) = &ofd {
        put(format!("{stem}.ofd"), ofd)?;
    }
    put(format!("{stem}.xlsx"), &xlsx)?;
    let inputs: Vec<InputFile> = history
        .months
        .iter()
        .filter(|r| r.month.year == year)
        .filter_map(|r| archive::input_file(&r.file, &cfg.base_dir).ok())
        .collect();
    let used = crate::model::DocumentNumber {
        document,
        year: issue_year,
        number: serial,
        text: number,
    };
    let manifest = year_json(&report, &inputs, staging.written(), &used);
    put(YEAR_FILE.to_string(), &manifest)?;
    let (dir, kept_previous) = staging.commit_keeping()?;
    Ok(YearSummary {
        year,
        dir,
        kept_previous,
        months: report.trend.on_record(),
        missing: report.missing.clone(),
        not_yet: report.not_yet.clone(),
        files,
        problems: report.problems.clone(),
    })
}

/// No month of `year` is on record: say where the archives were looked for.
fn no_months(cfg: &Config, year: i32, history: &crate::history::History) -> RunError {
    let mut text = format!(
        "{} 下没有 {year} 年已归档的月份（形如 {}/{year}-11/，含 run.json 和汇总表），无法生成年度督办总结。请先运行 duban run。",
        cfg.paths.output.display(),
        cfg.paths.output.display()
    );
    let rejected: Vec<String> = history
        .rejected
        .iter()
        .filter(|m| m.year == year)
        .map(|m| m.label())
        .collect();
    if !rejected.is_empty() {
        text.push_str(&format!(
            "（{} 的归档已被改动或损坏，未能采用，可用 duban verify 核对）",
            rejected.join("、")
        ));
    }
    RunError::Usage(text)
}

/// `year.json` ([`YearManifest`]): the year, the months covered and missing, the archives read
/// and the files written with SHA-256 (sorted; no clock, so the same archives give the same
/// bytes).
fn year_json(
    report: &YearReport,
    inputs: &[InputFile],
    outputs: Vec<InputFile>,
    number: &crate::model::DocumentNumber,
) -> Vec<u8> {
    let mut outputs = outputs;
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    let mut inputs = inputs.to_vec();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let months = |list: &[Month]| list.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    YearManifest {
        tool: "duban".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        year: report.year,
        as_of: report.as_of.to_string(),
        months_covered: months(&report.trend.on_record()),
        months_missing: months(&report.missing),
        months_not_yet: months(&report.not_yet),
        inputs,
        outputs,
        document_numbers: Some(vec![number.clone()]),
    }
    .to_bytes()
}
