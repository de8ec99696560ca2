//! The domain types shared by every stage of the pipeline.
//!
//! Stages pass these values forward (load → validate → merge → classify → render → deliver);
//! no stage reaches back. Rendering never computes a status, it only lays out [`TaskOutcome`]s.

mod counts;
mod master;
mod messages;
mod month;
mod numbering;
mod outcome;
mod problem;
mod record;
mod report;
mod submission;
mod trend;
pub use counts::{Counts, LightCounts};
pub use master::{Category, Deadline, Leader, Master, MasterIndex, Task, Unit, UnitKind};
pub use month::{Month, chinese_date};
pub use numbering::{DocumentNumber, Numbering};
pub use outcome::{
    Classification, Completion, LastKnown, Light, PreviousTask, Status, TaskOutcome,
};
pub use problem::{Problem, ProblemCode, Severity, cell_order, cell_ref, sort_problems};
pub use record::{MonthRecord, PART_NOT_REPORTED, UnitReceipt, unit_part_heading};
pub use report::{Lookup, MonthReport};
pub use submission::{
    Merged, ProgressRow, Receipt, Reconciliation, ReportedStatus, RowSource, Submission, UnitReport,
};
pub use trend::{Point, Trend};
