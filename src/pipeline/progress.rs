//! The stages of a run as the console shows them: [`Stage`], the [`Progress`] display, and the
//! [`Clock`] that times each stage and reports it.

use std::time::Instant;

/// A stage of the run, for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    History,
    Intake,
    Merge,
    Classify,
    Render,
    Deliver,
}

impl Stage {
    /// The stage's name in timings.json and run summaries.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::History => "history",
            Stage::Intake => "intake",
            Stage::Merge => "merge",
            Stage::Classify => "classify",
            Stage::Render => "render",
            Stage::Deliver => "deliver",
        }
    }

    /// The stage's name on the console.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Load => "读取任务分解表和单位名录",
            Stage::History => "读取并核对已归档的各月汇总表",
            Stage::Intake => "读取并校验各单位报送表",
            Stage::Merge => "合并",
            Stage::Classify => "判定状态和亮灯",
            Stage::Render => "生成汇总表、督办单和邮件",
            Stage::Deliver => "写入输出文件夹",
        }
    }
}

/// Receives progress; the CLI shows bars on a terminal and plain lines otherwise.
pub trait Progress: Sync {
    /// A stage starts; `total` is the number of items when known.
    fn start(&self, stage: Stage, total: Option<u64>);
    /// One item of the current stage is done.
    fn tick(&self) {}
    /// The stage is done.
    fn finish(&self, stage: Stage, millis: f64);
}

/// No progress output (tests, benchmarks).
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: Stage, _: Option<u64>) {}
    fn finish(&self, _: Stage, _: f64) {}
}

/// Times the stages of one run and reports them to the progress display.
pub struct Clock<'a> {
    progress: &'a dyn Progress,
    timings: Vec<(String, f64)>,
}

impl<'a> Clock<'a> {
    pub fn new(progress: &'a dyn Progress) -> Clock<'a> {
        Clock {
            progress,
            timings: Vec::new(),
        }
    }

    /// Runs one stage: announces it (with its number of items when known), times it, records
    /// the time under the stage's name.
    pub fn stage<T>(&mut self, stage: Stage, items: Option<u64>, f: impl FnOnce() -> T) -> T {
        self.progress.start(stage, items);
        let t = Instant::now();
        let out = f();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        self.timings.push((stage.key().to_string(), ms));
        self.progress.finish(stage, ms);
        out
    }

    /// Milliseconds per finished stage, in order.
    pub fn timings(&self) -> &[(String, f64)] {
        &self.timings
    }
}
