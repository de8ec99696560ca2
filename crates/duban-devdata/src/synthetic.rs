//! Synthetic data for benchmarks: the real task list scaled ×k (tasks, units, leaders and
//! workbooks), deterministic, written as a complete project folder that `duban run` accepts.
//!
//! Copy 0 is the real data; copy c > 0 repeats every leader section with new leader names, the
//! units with a numeric suffix (“市发改委3”) and task numbers shifted by `c × 189`. Section rows
//! keep their declared counts, so the master importer's count checks still pass.

use duban::config::Config;
use duban::model::{Month, Unit};
use std::fmt::Write;
use std::path::Path;

const SURNAMES: &str = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏";
const GIVEN: &str = "建国志强海涛文斌立新振宇永刚晓燕丽娟秀兰雅琴红梅春燕慧敏国庆";

/// A unique three-character leader name for copy `c`, leader `i` (copy 0 keeps real names).
fn leader_name(c: usize, i: usize) -> String {
    let s: Vec<char> = SURNAMES.chars().collect();
    let g: Vec<char> = GIVEN.chars().collect();
    let k = c * 16 + i;
    let a = s[k % s.len()];
    let b = g[(k / s.len()) % g.len()];
    let d = g[(k / (s.len() * g.len()) + k) % g.len()];
    format!("{a}{b}{d}")
}

/// The seed text scaled ×`scale`.
pub fn scaled_seed(seed: &str, scale: usize) -> String {
    let mut out = String::new();
    let tasks_per_copy = seed
        .lines()
        .filter(|l| {
            l.split('\t')
                .next()
                .is_some_and(|c| c.trim().parse::<u32>().is_ok())
        })
        .count();
    // Copy 0: verbatim.
    out.push_str(seed);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    // Later copies: section (二) only, main targets folded into ordinary tasks.
    for c in 1..scale {
        let mut leader_index = 0;
        let mut in_main = false;
        for line in seed.lines() {
            let cells: Vec<&str> = line.split('\t').collect();
            let first = cells.first().map(|s| s.trim()).unwrap_or("");
            if first.starts_with("(一)") {
                in_main = true;
                continue;
            }
            if first.starts_with("(二)") {
                in_main = false;
                continue;
            }
            if in_main || first.contains("总负责人") || first.contains("分解方案") {
                continue;
            }
            if let Ok(n) = first.parse::<usize>() {
                let unit = cells
                    .get(2)
                    .map(|u| scaled_unit_cell(u, c))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    n + c * tasks_per_copy,
                    cells.get(1).unwrap_or(&""),
                    unit,
                    cells.get(3).unwrap_or(&"")
                );
            } else if let Some(rest) = leader_rest(first) {
                // Drop the main-target clause: copies carry no main targets.
                let (count, _) = rest;
                let title = if first.contains("主任") {
                    "主任负责"
                } else {
                    "副市长分管领域"
                };
                let _ = writeln!(
                    out,
                    "{}{title}{count}项\t\t\t",
                    leader_name(c, leader_index)
                );
                leader_index += 1;
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// (“35” minus main targets, main targets) of a leader row, or `None`.
fn leader_rest(line: &str) -> Option<(u32, u32)> {
    if !(line.contains("分管领域") || line.contains("负责")) || !line.contains('项') {
        return None;
    }
    let digits = |s: &str| -> Vec<u32> {
        let mut nums = Vec::new();
        let mut cur = String::new();
        for ch in s.chars() {
            if ch.is_ascii_digit() {
                cur.push(ch);
            } else if !cur.is_empty() {
                nums.extend(cur.parse::<u32>().ok());
                cur.clear();
            }
        }
        nums
    };
    let nums = digits(line);
    let total = *nums.first()?;
    let main = nums.get(1).copied().unwrap_or(0);
    Some((total - main, main))
}

fn scaled_unit_cell(cell: &str, c: usize) -> String {
    // Keep the quirks (annotation, compound) but suffix each unit.
    cell.split('、')
        .map(|part| {
            let part = part.trim();
            match part.find('（') {
                Some(i) => format!("{}{c}{}", &part[..i], &part[i..]),
                None if part == "土左旗" => format!("土左旗政府{c}"),
                None => format!("{part}{c}"),
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The unit directory scaled ×`scale`.
pub fn scaled_units(units: &[Unit], scale: usize) -> Vec<Unit> {
    let mut out = units.to_vec();
    for c in 1..scale {
        for u in units {
            let mut v = u.clone();
            v.name = format!("{}{c}", u.name);
            // Suffix full names too, and give the “呼和浩特 职业技术大学” quirk its spelling.
            v.aliases = u.aliases.iter().map(|a| format!("{a}{c}")).collect();
            if u.name == "呼和浩特职业技术大学" {
                v.aliases.push(format!("呼和浩特 职业技术大学{c}"));
            }
            v.email = u
                .email
                .as_ref()
                .map(|e| e.replacen('@', &format!("{c}@"), 1));
            out.push(v);
        }
    }
    out
}

/// Writes a complete project folder at `dir` for scale ×`scale`: duban.toml, input/master.xlsx,
/// input/units.toml, templates and fonts (copied from `project`), and demo submissions for
/// `months`. Returns the config path.
pub fn write_project(
    project: &Path,
    dir: &Path,
    scale: usize,
    months: &[Month],
) -> Result<std::path::PathBuf, String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let cfg = Config::load(&project.join("duban.toml")).map_err(|x| e(&x))?;
    let seed = std::fs::read_to_string(
        project.join("input/seed/2026-government-work-report-task-breakdown.txt"),
    )
    .map_err(|x| e(&x))?;
    std::fs::create_dir_all(dir.join("input")).map_err(|x| e(&x))?;
    let xlsx =
        crate::seed::master_workbook(&scaled_seed(&seed, scale), cfg.year).map_err(|x| e(&x))?;
    std::fs::write(dir.join("input/master.xlsx"), xlsx).map_err(|x| e(&x))?;
    let units = duban::units::Directory::load(&cfg.paths.units).map_err(|x| e(&x))?;
    let scaled = scaled_units(units.units(), scale);
    std::fs::write(dir.join("input/units.toml"), units_toml(&scaled)).map_err(|x| e(&x))?;
    let mut toml = std::fs::read_to_string(project.join("duban.toml")).map_err(|x| e(&x))?;
    toml = toml
        .replace(
            "templates = \"templates\"",
            &format!(
                "templates = {:?}",
                project.join("templates").display().to_string()
            ),
        )
        .replace(
            "fonts = \"fonts\"",
            &format!("fonts = {:?}", project.join("fonts").display().to_string()),
        )
        .replace(
            "image = \"input/seal/样章.png\"",
            &format!(
                "image = {:?}",
                project.join("input/seal/样章.png").display().to_string()
            ),
        );
    let cfg_path = dir.join("duban.toml");
    std::fs::write(&cfg_path, toml).map_err(|x| e(&x))?;
    let cfg = Config::load(&cfg_path).map_err(|x| e(&x))?;
    let (master, problems) = duban::load_master(&cfg).map_err(|x| e(&x))?;
    if let Some(p) = problems
        .iter()
        .find(|p| p.severity == duban::model::Severity::Error)
    {
        return Err(format!("synthetic master has an error: {p}"));
    }
    for &m in months {
        let folder = cfg.paths.submissions.join(m.to_string());
        std::fs::create_dir_all(&folder).map_err(|x| e(&x))?;
        for (name, bytes) in crate::demo::demo_submissions(&master, m, &cfg) {
            std::fs::write(folder.join(name), bytes).map_err(|x| e(&x))?;
        }
    }
    Ok(cfg_path)
}

fn units_toml(units: &[Unit]) -> String {
    let mut s = String::new();
    for u in units {
        let _ = writeln!(
            s,
            "[[unit]]\nname = {:?}\naliases = {:?}\nkind = \"{}\"",
            u.name,
            u.aliases,
            u.kind.label()
        );
        if let Some(c) = &u.contact {
            let _ = writeln!(s, "\"联系人\" = {c:?}");
        }
        if let Some(p) = &u.phone {
            let _ = writeln!(s, "\"电话\" = {p:?}");
        }
        if let Some(m) = &u.email {
            let _ = writeln!(s, "email = {m:?}");
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leader_names_are_unique() {
        let mut names: Vec<String> = (1..100)
            .flat_map(|c| (0..10).map(move |i| leader_name(c, i)))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
