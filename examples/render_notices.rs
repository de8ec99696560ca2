//! Renders every PDF notice of the 2026-11 demo month and reports the time `render_all` takes.
//!
//! `cargo run --release --example render_notices [out-dir]` — writes the PDFs to `out-dir`
//! (default `target/notices-demo`) and prints the wall time of three runs of `render_all`.

use duban::config::Config;
use duban::model::Month;
use duban::pipeline::{self, RunOptions};
use duban::render::notices::render_all;
use duban::templates::Templates;
use duban_pdf::FontSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/notices-demo"));
    let cfg = Config::load(&root.join("duban.toml"))?;
    let opts = RunOptions {
        month: Month::parse("2026-11"),
        ..Default::default()
    };
    let loaded = pipeline::load_month(&cfg, &opts, &pipeline::Silent)?;
    let report = pipeline::build_report(&cfg, &loaded);
    let t = Instant::now();
    let fonts = FontSet::load_dir(&cfg.paths.fonts)?;
    let templates = Templates::load(&cfg.paths.templates)?;
    println!(
        "字体和模板加载：{:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut notices = None;
    for run in 1..=3 {
        let t = Instant::now();
        let n = render_all(&report, &cfg, &fonts, &templates, &|| {});
        println!(
            "第 {run} 次 render_all：{} 份，{:.1} ms",
            n.documents.len(),
            t.elapsed().as_secs_f64() * 1000.0
        );
        notices = Some(n);
    }
    let notices = notices.ok_or("no run")?;
    for f in &notices.failures {
        println!("失败：{f}");
    }
    for p in &notices.problems {
        println!("{p}");
    }
    let mut total = 0;
    for doc in &notices.documents {
        let path = out_dir.join(&doc.rel_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &doc.bytes)?;
        total += doc.bytes.len();
        println!(
            "{:>8} B  {}  {}",
            doc.bytes.len(),
            doc.number,
            doc.rel_path.display()
        );
    }
    println!("合计 {} KB，写入 {}", total / 1024, out_dir.display());
    Ok(())
}
