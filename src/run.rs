//! `duban run`: the whole monthly job, from the loaded month to the archived output folder.

use crate::config::Config;
use crate::deliver::{self, InputFile, OutputFile};
use crate::model::MonthReport;
use crate::pipeline::{self, Loaded, Progress, RunError, RunOptions, Stage};
use crate::render::notices::{self, DocKind};
use duban_pdf::{FontSet, FontSource};
use crate::templates::Templates;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// What a finished run reports to the console.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub month: crate::model::Month,
    pub as_of: chrono::NaiveDate,
    pub output_dir: PathBuf,
    /// Where the month's earlier result was kept (`--force` over an archived month).
    pub kept_previous: Option<PathBuf>,
    pub files_read: usize,
    pub reconciliation: crate::model::Reconciliation,
    /// Red, yellow, blue, green.
    pub lights: [u32; 4],
    pub red_list: usize,
    pub units_received: usize,
    pub units_total: usize,
    pub leader_pdfs: usize,
    pub unit_pdfs: usize,
    pub emails: usize,
    pub units_without_email: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files with errors and how many each, in file-name order (for the console).
    pub error_files: Vec<(String, usize)>,
    pub previous_available: bool,
    /// Milliseconds per stage, and in all.
    pub timings: Vec<(String, f64)>,
    pub total_ms: f64,
    /// Messages the office should read first (missing last month, render failures …).
    pub notes: Vec<String>,
}

impl RunSummary {
    /// 0 ok, 1 data errors found (output written).
    pub fn exit_code(&self) -> u8 {
        if self.errors > 0 { 1 } else { 0 }
    }

    /// The closing summary in Chinese.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let r = &self.reconciliation;
        let _ = writeln!(
            s,
            "\n{} 督办批处理完成（截至 {}）",
            self.month.label(),
            crate::model::chinese_date(self.as_of)
        );
        for note in &self.notes {
            let _ = writeln!(s, "注意：{note}");
        }
        let _ = writeln!(
            s,
            "读取文件 {} 个，{}/{} 个单位已报送；上月汇总表：{}",
            self.files_read,
            self.units_received,
            self.units_total,
            if self.previous_available {
                "已读取"
            } else {
                "无"
            }
        );
        let _ = writeln!(
            s,
            "核对：读取 {} 行 = 合并 {} 行 + 驳回 {} 行 + 被取代 {} 行（{}）",
            r.rows_read,
            r.merged,
            r.rejected,
            r.superseded,
            if r.balances() {
                "相符"
            } else {
                "不相符！"
            }
        );
        let [red, yellow, blue, green] = self.lights;
        let _ = writeln!(
            s,
            "亮灯：红灯 {red} 项，黄灯 {yellow} 项，蓝灯 {blue} 项，绿灯 {green} 项；重点督办清单 {} 项",
            self.red_list
        );
        let _ = writeln!(
            s,
            "问题：错误 {} 个，警告 {} 个，提示 {} 个（详见汇总表“校验问题”）",
            self.errors, self.warnings, self.infos
        );
        if !self.error_files.is_empty() {
            const SHOWN: usize = 10;
            let mut list: Vec<String> = self
                .error_files
                .iter()
                .take(SHOWN)
                .map(|(file, n)| format!("{file}（{n} 个）"))
                .collect();
            if self.error_files.len() > SHOWN {
                list.push(format!("等共 {} 个文件", self.error_files.len()));
            }
            let _ = writeln!(s, "有错误的文件：{}", list.join("、"));
        }
        let _ = writeln!(
            s,
            "生成：汇总表 1 份，领导督办单 {} 份，单位督办通知单 {} 份，邮件 {} 封",
            self.leader_pdfs, self.unit_pdfs, self.emails
        );
        if !self.units_without_email.is_empty() {
            let _ = writeln!(
                s,
                "无邮箱、需另行送达：{}",
                self.units_without_email.join("、")
            );
        }
        let _ = writeln!(
            s,
            "用时 {:.2} 秒；输出位于 {}",
            self.total_ms / 1000.0,
            self.output_dir.display()
        );
        if let Some(kept) = &self.kept_previous {
            let _ = writeln!(s, "原有的本月结果已保留在 {}", kept.display());
        }
        s
    }
}

/// Loads fonts and templates once: both are checked before any input is read, so a broken
/// template or a missing font is a usage error (exit 2) and not a half-made month.
pub struct Resources {
    pub fonts: FontSet,
    pub templates: Templates,
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
        )
        .map_err(|e| RunError::Fonts(e.to_string()))?;
        Ok(Resources { fonts, templates })
    }
}

/// Runs the month end to end.
pub fn run(
    cfg: &Config,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let (month, _) = pipeline::resolve_month(cfg, opts)?;
    let target = cfg.paths.output.join(month.to_string());
    // A month folder holding only `duban templates` output is not an archived month: its files
    // are carried into the new folder instead of blocking the run.
    let carried =
        if target.exists() && !target.join("run.json").exists() {
            Some(read_tree(&target).map_err(|e| {
                RunError::Usage(format!("无法读取已有的 {}：{e}", target.display()))
            })?)
        } else {
            None
        };
    if target.exists() && carried.is_none() && !opts.force {
        return Err(RunError::Usage(format!(
            "{month} 的输出已存在：{}。为防止覆盖已归档的结果，本次未生成任何文件。如确需重新生成，请加 --force（旧结果会保留为 {month}.previous-N）。",
            target.display()
        )));
    }
    let resources = Resources::load(cfg)?;
    let loaded = pipeline::load_month(cfg, opts, progress)?;
    let mut timings = loaded.timings.clone();

    let t = Instant::now();
    progress.start(Stage::Classify, None);
    let mut report = pipeline::build_report(cfg, &loaded);
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    progress.finish(Stage::Classify, ms);
    timings.push(("classify".into(), ms));

    // Output goes straight into the hidden temporary month folder as it is made.
    let replacing_templates_only = carried.is_some();
    let staging = deliver::Staging::begin(
        &cfg.paths.output,
        month,
        opts.force || replacing_templates_only,
    )?;

    let t = Instant::now();
    let rendered = render(cfg, &mut report, &resources, &staging, progress)?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    progress.finish(Stage::Render, ms);
    timings.push(("render".into(), ms));

    let t = Instant::now();
    progress.start(Stage::Deliver, None);
    if let Some(extra) = carried {
        for f in extra.iter().filter(|f| !staging.contains(&f.rel_path)) {
            staging.put(&f.rel_path, &f.bytes)?;
        }
    }
    let inputs = input_files(cfg, &loaded);
    let run_json = deliver::run_json_of(&report, &inputs, staging.written());
    staging.put(Path::new("run.json"), &run_json)?;
    let deliver_ms_so_far = t.elapsed().as_secs_f64() * 1000.0;
    let mut all_timings = timings.clone();
    all_timings.push(("deliver".into(), deliver_ms_so_far));
    let total_ms = started.elapsed().as_secs_f64() * 1000.0;
    staging.put(
        Path::new("timings.json"),
        &deliver::timings_json(&all_timings, total_ms),
    )?;
    let (output_dir, mut kept_previous) = staging.commit_keeping()?;
    if replacing_templates_only && !opts.force {
        // Everything of the old folder was carried into the new one: drop the kept copy.
        remove_kept_previous(&cfg.paths.output, month);
        kept_previous = None;
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    progress.finish(Stage::Deliver, ms);
    timings.push(("deliver".into(), ms));

    let (errors, warnings, infos) = pipeline::severity_counts(&report.problems);
    let lights = pipeline::light_counts(&report);
    let mut notes = rendered.notes;
    notes.extend(
        report
            .problems
            .iter()
            .filter(|p| p.code == "previous_summary_missing" || p.code == "no_submissions_folder")
            .map(|p| p.message.clone()),
    );
    Ok(RunSummary {
        kept_previous,
        month,
        as_of: report.as_of,
        output_dir,
        files_read: loaded.submissions.len(),
        reconciliation: report.merged.reconciliation,
        lights,
        red_list: (lights[0] + lights[1] + lights[2]) as usize,
        units_received: report.merged.receipts.iter().filter(|r| r.received).count(),
        units_total: report.merged.receipts.len(),
        leader_pdfs: rendered.leader_pdfs,
        unit_pdfs: rendered.unit_pdfs,
        emails: rendered.emails,
        units_without_email: rendered.units_without_email,
        errors,
        warnings,
        infos,
        error_files: error_files(&report.problems),
        previous_available: report.previous_available,
        timings,
        total_ms: started.elapsed().as_secs_f64() * 1000.0,
        notes,
    })
}

struct Rendered {
    leader_pdfs: usize,
    unit_pdfs: usize,
    emails: usize,
    units_without_email: Vec<String>,
    notes: Vec<String>,
}

/// Renders the PDFs, then the 汇总表 alongside the emails, writing each file into `staging`
/// as soon as it is made.
fn render(
    cfg: &Config,
    report: &mut MonthReport,
    res: &Resources,
    staging: &deliver::Staging,
    progress: &dyn Progress,
) -> Result<Rendered, RunError> {
    let n_docs = 1 + report.master.leaders.len() + report.master.units.len();
    progress.start(
        Stage::Render,
        Some((n_docs + report.master.units.len() + 1) as u64),
    );
    // Documents first: their problems (missing glyphs, a failed document) belong in the 汇总表.
    // Each PDF is saved as soon as it is made; the first failure to save stops the run below.
    let save_error: Mutex<Option<deliver::DeliverError>> = Mutex::new(None);
    let notices = notices::render_all_into(
        report,
        cfg,
        &res.fonts,
        &res.templates,
        &|| progress.tick(),
        &|doc| {
            if let Err(e) = staging.put(&doc.rel_path, &doc.bytes) {
                let mut slot = save_error.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(e);
            }
        },
    );
    if let Some(e) = save_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    report.problems.extend(notices.problems.iter().cloned());
    crate::merge::sort_problems(&mut report.problems);
    let report: &MonthReport = report;
    let unit_docs: HashMap<&str, &notices::RenderedDoc> = notices
        .documents
        .iter()
        .filter(|d| d.kind == DocKind::Unit)
        .map(|d| (d.owner.as_str(), d))
        .collect();
    let (xlsx, rows) = rayon::join(
        || {
            let bytes = crate::render::xlsx::summary_workbook(report, cfg)
                .map_err(|e| RunError::Xlsx(e.to_string()))?;
            let name = crate::history::summary_file_name(report.month);
            staging.put(Path::new(&name), &bytes)?;
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
                        staging.put(&Path::new("邮件").join(name), bytes)?;
                    }
                    let row = deliver::manifest_row(
                        report,
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
        &Path::new("邮件").join("清单.csv"),
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

/// Files named by error problems, with their error counts, sorted by file name.
fn error_files(problems: &[crate::model::Problem]) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for p in problems
        .iter()
        .filter(|p| p.severity == crate::model::Severity::Error)
    {
        if let Some(file) = p.file.as_deref() {
            *counts.entry(file).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(f, n)| (f.to_string(), n))
        .collect()
}

/// The run's inputs with sizes and SHA-256 (master, units, config, submissions, last month's 汇总表).
fn input_files(cfg: &Config, loaded: &Loaded) -> Vec<InputFile> {
    let mut paths: Vec<PathBuf> = vec![cfg.paths.master.clone(), cfg.paths.units.clone()];
    let month_dir = cfg.paths.submissions.join(loaded.month.to_string());
    for s in &loaded.submissions {
        let path = month_dir.join(&s.file);
        // a file name that is not UTF-8 is known to intake only in its lossy form
        let path = if path.exists() {
            path
        } else {
            on_disk(&month_dir, &s.file).unwrap_or(path)
        };
        paths.push(path);
    }
    if loaded.history.found
        && let Some(f) = &loaded.history.file
    {
        paths.push(f.clone());
    }
    paths
        .iter()
        .filter_map(|p| deliver::input_file(p, &cfg.base_dir).ok())
        .collect()
}

/// The file in `dir` whose lossily decoded name is `lossy_name`.
fn on_disk(dir: &Path, lossy_name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy() == lossy_name)
        .map(|e| e.path())
}

/// Every file under `dir`, with paths relative to it.
fn read_tree(dir: &Path) -> std::io::Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(OutputFile {
                    rel_path: rel.to_path_buf(),
                    bytes: std::fs::read(&path)?,
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(out)
}

/// Removes the newest `<month>.previous-<n>` folder (used when it only held carried templates).
fn remove_kept_previous(output: &Path, month: crate::model::Month) {
    let prefix = format!("{month}.previous-");
    let newest = std::fs::read_dir(output)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(&prefix)
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| (n, e.path()))
        })
        .max_by_key(|(n, _)| *n);
    if let Some((_, path)) = newest
        && !path.join("run.json").exists()
    {
        let _ = std::fs::remove_dir_all(path);
    }
}
