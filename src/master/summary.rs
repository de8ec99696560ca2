//! What `duban master` prints: leaders, lead units, the spread of deadlines and the problems
//! found, as text or JSON.

use super::*;

/// What `duban master` prints (and, as JSON, `duban master --json`).
#[derive(Debug, serde::Serialize)]
pub struct MasterSummary {
    pub title: String,
    pub mayor: String,
    pub tasks: usize,
    pub leaders: Vec<CountRow>,
    pub units: Vec<CountRow>,
    /// Deadline text → number of tasks, sorted by date (free text last).
    pub deadlines: Vec<CountRow>,
    pub dated: usize,
    pub undated: usize,
    pub problems: Vec<Problem>,
}

/// A name with a count.
#[derive(Debug, serde::Serialize)]
pub struct CountRow {
    pub name: String,
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<u32>,
}

impl MasterSummary {
    pub fn new(master: &Master, problems: &[Problem]) -> MasterSummary {
        let leaders = master
            .leaders
            .iter()
            .map(|l| CountRow {
                name: l.display(),
                count: master.tasks_of_leader(&l.name).count(),
                declared: l.declared_count,
            })
            .collect();
        let units = master
            .units
            .iter()
            .map(|u| CountRow {
                name: u.name.clone(),
                count: master.tasks_of_unit(&u.name).count(),
                declared: None,
            })
            .collect();
        let mut by_deadline: Vec<(Option<chrono::NaiveDate>, String, usize)> = Vec::new();
        for t in &master.tasks {
            match by_deadline
                .iter_mut()
                .find(|(_, raw, _)| *raw == t.deadline.raw)
            {
                Some(entry) => entry.2 += 1,
                None => by_deadline.push((t.deadline.date, t.deadline.raw.clone(), 1)),
            }
        }
        by_deadline.sort_by_key(|(d, raw, _)| (d.is_none(), *d, raw.clone()));
        let dated = master
            .tasks
            .iter()
            .filter(|t| t.deadline.date.is_some())
            .count();
        MasterSummary {
            title: master.title.clone(),
            mayor: master.mayor.display(),
            tasks: master.tasks.len(),
            leaders,
            units,
            deadlines: by_deadline
                .into_iter()
                .map(|(_, name, count)| CountRow {
                    name,
                    count,
                    declared: None,
                })
                .collect(),
            dated,
            undated: master.tasks.len() - dated,
            problems: problems.to_vec(),
        }
    }

    /// The Chinese text report.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "{}", self.title);
        let _ = writeln!(s, "总负责人：{}", self.mayor);
        let _ = writeln!(
            s,
            "任务共 {} 项；分管市领导 {} 位；牵头单位 {} 个。",
            self.tasks,
            self.leaders.len(),
            self.units.len()
        );
        let _ = writeln!(s, "\n分管市领导（任务数）：");
        for l in &self.leaders {
            let note = match l.declared {
                Some(d) if d as usize != l.count => format!("  ← 声明 {d} 项，不一致"),
                _ => String::new(),
            };
            let _ = writeln!(s, "  {:<12}{:>4} 项{note}", l.name, l.count);
        }
        let _ = writeln!(s, "\n牵头单位（任务数）：");
        for u in &self.units {
            let _ = writeln!(s, "  {:<16}{:>4} 项", u.name, u.count);
        }
        let _ = writeln!(s, "\n完成时限分布：");
        for d in &self.deadlines {
            let _ = writeln!(s, "  {:<16}{:>4} 项", d.name, d.count);
        }
        let _ = writeln!(
            s,
            "有固定日期 {} 项，无固定日期 {} 项。",
            self.dated, self.undated
        );
        if self.problems.is_empty() {
            let _ = writeln!(s, "\n未发现问题。");
        } else {
            let _ = writeln!(s, "\n发现的问题（{} 条）：", self.problems.len());
            for p in &self.problems {
                let _ = writeln!(s, "  {p}");
            }
        }
        s
    }
}
