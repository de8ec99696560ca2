//! Writes the demo submissions `input/submissions/2026-07/` … `input/submissions/2026-11/`
//! (deterministic: the same master gives the same bytes).
//!
//! `cargo run -p duban-devdata --example gen_demo [config]`

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "duban.toml".into());
    let cfg = duban::config::Config::load(Path::new(&config))?;
    let (master, _) = duban::load_master(&cfg)?;
    for month in duban_devdata::demo::DEMO_MONTHS {
        let dir = cfg.paths.submissions.join(month.to_string());
        if dir.exists() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_file() {
                    std::fs::remove_file(&path)?;
                }
            }
        }
        std::fs::create_dir_all(&dir)?;
        let files = duban_devdata::demo::demo_submissions(&master, month, &cfg);
        for (name, bytes) in &files {
            std::fs::write(dir.join(name), bytes)?;
        }
        let missing = duban_devdata::demo::missing_units(&master, month);
        println!(
            "{}：写入 {} 个文件到 {}；未报送单位：{}",
            month.label(),
            files.len(),
            dir.display(),
            missing.join("、")
        );
        for (name, _) in &files {
            println!("  {name}");
        }
    }
    Ok(())
}
