//! Writes the scaled synthetic project the benchmark uses, for profiling by hand:
//! `cargo run --release -p duban-devdata --example gen_synthetic -- 100 /tmp/x100`, then
//! `target/release/duban run --config /tmp/x100/duban.toml --month 2026-11`.

use duban::model::Month;
use std::path::{Path, PathBuf};

fn main() {
    let mut args = std::env::args().skip(1);
    let scale: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| format!("/tmp/duban-x{scale}")),
    );
    let month = Month::parse("2026-11").expect("month");
    // the workspace root, which holds duban.toml, input/ and fonts/
    let project = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    match duban_devdata::synthetic::write_project(project, &dir, scale, &[month]) {
        Ok(cfg) => println!("{}", cfg.display()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
