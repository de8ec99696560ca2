//! Writes `input/master.xlsx` from the published task list in `input/seed/`.
//!
//! `cargo run -p duban-devdata --example gen_master [seed.txt] [out.xlsx]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seed = args
        .next()
        .unwrap_or_else(|| "input/seed/2026-government-work-report-task-breakdown.txt".into());
    let out = args.next().unwrap_or_else(|| "input/master.xlsx".into());
    let text = std::fs::read_to_string(&seed)?;
    let bytes = duban_devdata::seed::master_workbook(&text, 2026)?;
    std::fs::write(&out, bytes)?;
    println!("已写入 {out}");
    Ok(())
}
