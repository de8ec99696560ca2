//! The master sheet as data: tasks, their categories, deadlines, leaders and lead units, and
//! the look-up tables by unit and leader.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Task category as the master sheet groups it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Category {
    /// 主要预期目标
    MainTarget,
    /// 其他经济社会发展任务
    Other,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::MainTarget => "主要预期目标",
            Category::Other => "其他经济社会发展任务",
        }
    }
}

/// A 完成时限 as written in the master, with the date it stands for when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The text exactly as the master sheet has it (“12月底”, “按自治区安排统筹推进”).
    pub raw: String,
    /// The last day the task may be completed on; `None` for free text (no fixed date).
    pub date: Option<NaiveDate>,
}

/// A leader (分管市领导) with the counts the section row declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    /// Name only, e.g. “刘继英”.
    pub name: String,
    /// Title as written, e.g. “副市长”, “主任”, “市长”.
    pub title: String,
    /// “35项” on the section row, when declared.
    pub declared_count: Option<u32>,
    /// “含主要预期目标5项” on the section row, when declared.
    pub declared_main_targets: Option<u32>,
}

impl Leader {
    /// “刘继英副市长”.
    pub fn display(&self) -> String {
        format!("{}{}", self.name, self.title)
    }
}

/// One key task from the master sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// 序号, 1-based, unique.
    pub number: u32,
    /// 任务目标, verbatim.
    pub text: String,
    pub category: Category,
    /// Leader names (a main target belongs to the deputy mayor whose section counts it).
    pub leaders: Vec<String>,
    /// Canonical short names of the lead units (a compound “土左旗、托县政府” gives two).
    pub units: Vec<String>,
    /// The 牵头单位 cell verbatim.
    pub unit_raw: String,
    pub deadline: Deadline,
    /// 1-based row in the master sheet, for messages.
    pub source_row: u32,
}

/// Kind of a lead unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    #[serde(rename = "市直部门")]
    CityDepartment,
    #[serde(rename = "旗县区政府")]
    CountyGovernment,
    #[serde(rename = "开发区")]
    DevelopmentZone,
    #[serde(rename = "其他")]
    Other,
}

/// A lead unit (牵头单位) from `units.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Canonical short name (“市发改委”); used in file names and tables.
    pub name: String,
    /// Full official names and other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: UnitKind,
    #[serde(default, rename = "联系人")]
    pub contact: Option<String>,
    #[serde(default, rename = "电话")]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Further addresses the unit replies from (a clerk's own mailbox); `duban collect`
    /// attributes mail from them to the unit. Receipts still go to `email`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reply_from: Vec<String>,
}

impl Unit {
    /// The unit's address as units.toml gives it, trimmed; `None` when blank or absent.
    pub fn address(&self) -> Option<&str> {
        self.email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// The parsed master sheet.
#[derive(Debug, Clone, Serialize)]
pub struct Master {
    /// The title row.
    pub title: String,
    /// 总负责人 (the mayor).
    pub mayor: Leader,
    /// Deputy mayors and directors in seed order.
    pub leaders: Vec<Leader>,
    /// Tasks in master order.
    pub tasks: Vec<Task>,
    /// Units in order of first appearance in the master (only units that lead a task).
    pub units: Vec<Unit>,
    /// Look-up tables by unit and leader name, built on first use (see [`MasterIndex`]).
    #[serde(skip)]
    pub index: MasterIndex,
}

/// Which tasks each unit and each leader has, and where each unit sits in [`Master::units`].
///
/// Built from the tasks the first time a look-up needs it, so that per-unit questions cost
/// O(own tasks) instead of a scan of the whole master (at ×100 the master has 18,000 tasks and
/// 4,300 units). A `Master` is not changed after it is loaded; code that builds one by hand
/// sets `index: Default::default()` and must not edit `tasks` or `units` after a look-up.
#[derive(Debug, Clone, Default)]
pub struct MasterIndex(std::sync::OnceLock<IndexTables>);

#[derive(Debug, Clone, Default)]
struct IndexTables {
    /// Unit name → positions in `tasks` (master order, no duplicates).
    unit_tasks: std::collections::HashMap<String, Vec<usize>>,
    /// Leader name → positions in `tasks`.
    leader_tasks: std::collections::HashMap<String, Vec<usize>>,
    /// Unit name → position in `units` (first one if a name repeats).
    unit_pos: std::collections::HashMap<String, usize>,
}

impl IndexTables {
    fn build(master: &Master) -> IndexTables {
        let mut t = IndexTables::default();
        for (i, task) in master.tasks.iter().enumerate() {
            for unit in &task.units {
                let list = t.unit_tasks.entry(unit.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            for leader in &task.leaders {
                let list = t.leader_tasks.entry(leader.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        for (i, unit) in master.units.iter().enumerate() {
            t.unit_pos.entry(unit.name.clone()).or_insert(i);
        }
        t
    }
}

impl Master {
    /// The task with that 序号. Tasks are normally in ascending order, so this is a binary
    /// search, with a linear scan as the fallback for a master sheet that is not sorted.
    pub fn task(&self, number: u32) -> Option<&Task> {
        match self.tasks.binary_search_by_key(&number, |t| t.number) {
            Ok(i) => self.tasks.get(i),
            Err(_) => self.tasks.iter().find(|t| t.number == number),
        }
    }
    pub fn unit(&self, name: &str) -> Option<&Unit> {
        let pos = *self.tables().unit_pos.get(name)?;
        self.units.get(pos)
    }
    /// Tasks led by `unit`, in master order.
    pub fn tasks_of_unit<'a>(&'a self, unit: &str) -> impl Iterator<Item = &'a Task> + 'a {
        self.indexed(self.tables().unit_tasks.get(unit))
    }
    /// Tasks under `leader`, in master order.
    pub fn tasks_of_leader<'a>(&'a self, leader: &str) -> impl Iterator<Item = &'a Task> + 'a {
        self.indexed(self.tables().leader_tasks.get(leader))
    }
    fn tables(&self) -> &IndexTables {
        self.index.0.get_or_init(|| IndexTables::build(self))
    }
    fn indexed<'a>(
        &'a self,
        positions: Option<&'a Vec<usize>>,
    ) -> impl Iterator<Item = &'a Task> + 'a {
        positions
            .into_iter()
            .flatten()
            .filter_map(|&i| self.tasks.get(i))
    }
}
