//! The Chinese message of every [`ProblemCode`], beside the codes: one builder per kind of
//! problem, taking the facts the message names. Each says what is wrong and what to do; the
//! caller adds where (file, sheet, cell, raw value, task).
//!
//! Files that cannot be read at all carry their message in `intake::read::ReadError`, written
//! by the reader that refused them (what it found decides what it can truthfully say).

use super::{Month, Problem, ProblemCode as C};
use std::fmt::Display;

/// Master sheet (任务分解表).
impl Problem {
    /// A row of the master sheet that is neither a task, a section nor a leader row.
    pub fn master_unrecognised_row() -> Problem {
        Problem::info(
            C::MasterUnrecognisedRow,
            "任务分解表中有一行无法识别，已忽略",
        )
    }
    /// A task row whose 序号 is not a positive integer.
    pub fn master_bad_number() -> Problem {
        Problem::warning(
            C::MasterBadNumber,
            "任务分解表的“序号”不是正整数，此行已忽略，请核对",
        )
    }
    /// A task number that occurs twice in the master sheet.
    pub fn master_duplicate_number(number: impl Display) -> Problem {
        Problem::error(
            C::MasterDuplicateNumber,
            format!("序号 {number} 重复出现，后一行已忽略"),
        )
    }
    /// A lead unit the unit directory does not know.
    pub fn master_unknown_unit(
        source_row: impl Display,
        number: impl Display,
        unit: &str,
    ) -> Problem {
        Problem::error(
            C::MasterUnknownUnit,
            format!(
                "第 {source_row} 行（序号 {number}）的牵头单位“{unit}”不在单位名录 units.toml 中，请在名录中补充该单位或其别名"
            ),
        )
    }
    /// A task without a lead unit.
    pub fn master_no_unit(number: impl Display) -> Problem {
        Problem::error(C::MasterNoUnit, format!("序号 {number} 没有牵头单位"))
    }
    /// A deadline that is not a fixed date (“长期坚持”).
    pub fn master_open_deadline(number: impl Display, deadline: &str) -> Problem {
        Problem::info(
            C::MasterOpenDeadline,
            format!(
                "序号 {number} 的完成时限“{deadline}”不是固定日期，按无固定时限处理（不判逾期、不按序时进度判滞后）"
            ),
        )
    }
    /// A task no leader is responsible for.
    pub fn master_no_leader(number: impl Display) -> Problem {
        Problem::error(
            C::MasterNoLeader,
            format!(
                "序号 {number} 没有分管市领导：既不在任何领导分管领域下，也未在 duban.toml 的 [main_targets] 中指定"
            ),
        )
    }
    /// No “××市长为总负责人” row.
    pub fn master_no_mayor() -> Problem {
        Problem::warning(
            C::MasterNoMayor,
            "任务分解表中没有“××市长为总负责人”一行，市长总览将不署姓名",
        )
    }
    /// A `[main_targets]` entry naming a leader the master sheet does not have.
    pub fn master_bad_assignment(number: impl Display, name: &str) -> Problem {
        Problem::error(
            C::MasterBadAssignment,
            format!(
                "duban.toml 的 [main_targets] 把主要预期目标 {number} 分给“{name}”，但任务分解表中没有这位领导"
            ),
        )
    }
    /// A main target whose leader cannot be found from its lead unit.
    pub fn master_main_target_unassigned(number: impl Display, unit: &str, who: &str) -> Problem {
        Problem::error(
            C::MasterMainTargetUnassigned,
            format!(
                "主要预期目标 {number}（{unit}）无法按牵头单位确定分管领导（{who}），请在 duban.toml 的 [main_targets] 中指定，例如 {number} = \"领导姓名\""
            ),
        )
    }
    /// A leader row declares another number of tasks than were found.
    pub fn master_count_mismatch(
        leader: &str,
        declared: impl Display,
        total: impl Display,
        mains: impl Display,
    ) -> Problem {
        Problem::error(
            C::MasterCountMismatch,
            format!(
                "{leader}分管领域声明 {declared} 项，实际找到 {total} 项（其中主要预期目标 {mains} 项），请核对任务分解表"
            ),
        )
    }
    /// A leader row declares another number of main targets than were assigned.
    pub fn master_main_count_mismatch(
        leader: &str,
        declared: impl Display,
        mains: impl Display,
    ) -> Problem {
        Problem::error(
            C::MasterMainCountMismatch,
            format!(
                "{leader}分管领域声明含主要预期目标 {declared} 项，实际分配到 {mains} 项，请核对任务分解表或 duban.toml 的 [main_targets]"
            ),
        )
    }
}

/// The archived 汇总表 of earlier months (history).
impl Problem {
    /// An archived month's 汇总表 cannot be read (`detail` says why); `hint` is `YYYY-MM`.
    pub fn history_unreadable(detail: &str, month: Month, hint: &str) -> Problem {
        Problem::warning(
            C::HistoryUnreadable,
            format!(
                "无法读取{label}的汇总表（{detail}），该月按缺失处理：本月不显示该月的进度和亮灯，连续未报送、连续红灯和趋势在该月中断。\
                 请用 duban verify --month {hint} 核对，必要时重新生成该月（duban run --month {hint} --force）",
                label = month.label()
            ),
        )
    }
    /// An archived month's 汇总表 differs from what its run.json records.
    pub fn history_changed(month: Month, hint: &str) -> Problem {
        Problem::warning(
            C::HistoryChanged,
            format!(
                "{label}的汇总表与该月 run.json 记录的校验值不符（归档后被改动或损坏），该月按缺失处理：本月不显示该月的进度和亮灯，连续未报送、连续红灯和趋势在该月中断。\
                 请用 duban verify --month {hint} 核对；如需恢复，请从备份取回原文件，或重新生成该月（duban run --month {hint} --force）",
                label = month.label()
            ),
        )
    }
    /// A cell of an archived 汇总表 that cannot be read.
    pub fn history_bad_cell(month: Month, number: impl Display, what: &str) -> Problem {
        Problem::warning(
            C::HistoryBadCell,
            format!(
                "{}汇总表中任务{number}的{what}无法识别，已忽略",
                month.label()
            ),
        )
    }
    /// A task that occurs twice in an archived 汇总表.
    pub fn history_duplicate_task(month: Month, number: impl Display) -> Problem {
        Problem::warning(
            C::HistoryDuplicateTask,
            format!(
                "{}汇总表中任务{number}出现多次，以最后一行为准",
                month.label()
            ),
        )
    }
}

/// The month folder and its files (intake).
impl Problem {
    /// The month's submissions folder does not exist.
    pub fn no_submissions_folder(folder: impl Display) -> Problem {
        Problem::warning(
            C::NoSubmissionsFolder,
            format!(
                "没有找到本月报送文件夹 {folder}：所有任务将按“未报送”处理。请把各单位报送的文件放入该文件夹。"
            ),
        )
    }
    /// Last month's submissions exist but its 汇总表 does not.
    pub fn previous_summary_missing(
        prev: impl Display,
        month: impl Display,
        summary: impl Display,
        prev_folder: impl Display,
    ) -> Problem {
        Problem::warning(
            C::PreviousSummaryMissing,
            format!(
                "没有找到上月（{prev}）的汇总表 {summary}，但上月的报送文件夹 {prev_folder} 存在。本月将不显示上月进度、进度倒退和连续未报送。请先运行 duban run --month {prev} 生成上月结果，再加 --force 重新运行本月（本次结果会保留为 {month}.previous-N）。"
            ),
        )
    }
    /// A folder inside the month folder (never descended into).
    pub fn subfolder_not_read(name: &str) -> Problem {
        Problem::warning(
            C::SubfolderNotRead,
            format!(
                "文件夹“{name}”中的文件未读取（只读取月份文件夹本身中的文件）；如其中有报送的进展表，请移到上一级文件夹"
            ),
        )
    }
    /// A link or shortcut in the month folder (never followed).
    pub fn link_not_read(name: &str) -> Problem {
        Problem::warning(
            C::LinkNotRead,
            format!("“{name}”是快捷方式或链接，未读取；请放入文件本身"),
        )
    }
    /// A named pipe, socket or device in the month folder: never opened (a pipe would wait
    /// forever for a writer, a device could be read without end).
    pub fn special_file_not_read(name: &str, kind: &str) -> Problem {
        Problem::warning(
            C::LinkNotRead,
            format!("“{name}”不是普通文件（{kind}），未读取；请放入报送的文件本身"),
        )
    }
    /// A file name that is not UTF-8 (read as usual); the encoding only in the detail.
    pub fn file_name_not_utf8(shown: &str) -> Problem {
        Problem::warning(
            C::FileNameNotUtf8,
            format!("文件名含无法识别的字符，显示为“{shown}”；文件已照常读取，建议改名后归档"),
        )
        .detail("文件名不是 UTF-8 编码（可能是其他系统压缩包解出的 GBK 文件名）")
    }
    /// A file that cannot be opened.
    pub fn unreadable_file(error: impl Display) -> Problem {
        Problem::error(
            C::UnreadableFile,
            "无法打开文件，请检查文件是否被占用或损坏后重新报送",
        )
        .detail(error.to_string())
    }
    /// A file over `limits.max_file_bytes`.
    pub fn file_too_large(len: impl Display, limit: impl Display) -> Problem {
        Problem::error(
            C::FileTooLarge,
            format!("文件大小 {len} 字节，超过上限 {limit} 字节，未读取；请删去无关内容后重新报送"),
        )
        .detail(format!("duban.toml [limits] max_file_bytes = {limit}"))
    }
    /// No sheet has a header row in its first 20 rows.
    /// A header without a 完成进度 column: the sheet's rows carry no progress figure.
    pub fn no_percent_column(header_row: u32) -> Problem {
        Problem::warning(
            C::NoPercentColumn,
            format!(
                "表头（第 {} 行）中没有“完成进度(%)”列（或列名无法识别），本表各任务的完成进度无法读取，将按未填进度处理；请使用下发的模板，保留“完成进度(%)”列后重新报送",
                header_row + 1
            ),
        )
    }
    pub fn no_header() -> Problem {
        Problem::error(
            C::NoHeader,
            "在各工作表前 20 行中未找到表头（应含“序号”“本月工作进展”“完成进度(%)”等列），无法读取；请使用下发的模板填报",
        )
    }
    /// A 填报单位 the directory does not know (the unit is found otherwise).
    pub fn unit_name_unrecognised() -> Problem {
        Problem::warning(
            C::UnitNameUnrecognised,
            "“填报单位”无法识别为名录中的单位，已改按文件名或所报任务认定；请填写单位规范名称",
        )
    }
    /// No way to tell which unit sent the file.
    pub fn unit_unknown(rows: impl Display) -> Problem {
        Problem::error(
            C::UnitUnknown,
            format!(
                "无法确定报送单位：“填报单位”未填写或无法识别，文件名中没有单位名称，所报任务也不属于同一个单位；本文件 {rows} 行未合并。请在“填报单位”处填写单位全称后重新报送"
            ),
        )
    }
    /// The 填报单位 and the file name name different units.
    pub fn unit_conflict(block: &str, from_name: &str, rows: impl Display) -> Problem {
        Problem::error(
            C::UnitConflict,
            format!(
                "“填报单位”写的是“{block}”，但文件名表明是“{from_name}”，无法确定是哪个单位报送；本文件 {rows} 行未合并。请核对填报单位或文件名后重新报送"
            ),
        )
    }
    /// No 填报日期.
    pub fn report_date_missing() -> Problem {
        Problem::info(
            C::ReportDateMissing,
            "未填写填报日期；同一单位报送多份文件时将按文件名先后取舍，请填写填报日期",
        )
    }
    /// A 填报日期 that is not a date.
    pub fn report_date_unreadable() -> Problem {
        Problem::warning(
            C::ReportDateUnreadable,
            "填报日期无法识别，请按“2026-11-25”的格式填写",
        )
    }
    /// A 填报日期 after the as-of date.
    pub fn report_date_future(date: &str, as_of: &str) -> Problem {
        Problem::warning(
            C::ReportDateFuture,
            format!("填报日期 {date} 晚于统计截止日 {as_of}，请核对"),
        )
    }
    /// A 填报日期 outside the report month.
    pub fn report_date_outside_month(date: &str, month: &str) -> Problem {
        Problem::warning(
            C::ReportDateOutsideMonth,
            format!("填报日期 {date} 不在本次报送的 {month}，可能误报了其他月份的表格，请核对"),
        )
    }
}

/// One row of a progress workbook (validation).
impl Problem {
    /// A cell holding a formula error value (`#DIV/0!` …).
    pub fn formula_error(value: &str) -> Problem {
        Problem::error(
            C::FormulaError,
            format!("单元格是公式错误值 {value}，请改为直接填写内容（数字或文字）"),
        )
    }
    /// A 序号 that is not in the task list.
    pub fn unknown_task(number: impl Display) -> Problem {
        Problem::error(
            C::UnknownTask,
            format!("序号 {number} 不在重点任务清单中，请核对序号"),
        )
    }
    /// Neither a 序号 nor a task text that matches one.
    pub fn task_number_missing() -> Problem {
        Problem::error(
            C::TaskNumberMissing,
            "未填写序号，且任务目标与清单中的任务对不上，请填写清单中的序号",
        )
    }
    /// A task of another unit (the row is not merged).
    pub fn task_not_assigned(number: impl Display, lead: &str, unit: &str) -> Problem {
        Problem::error(
            C::TaskNotAssigned,
            format!(
                "第 {number} 项任务的牵头单位是“{lead}”，不是“{unit}”，本行未合并；请删除此行或由牵头单位报送"
            ),
        )
    }
    /// The task was recognised from its text, not its 序号.
    pub fn task_number_from_text(number: impl Display) -> Problem {
        Problem::warning(
            C::TaskNumberFromText,
            format!("序号未填或无法识别，已按任务目标认定为第 {number} 项；请补填序号"),
        )
    }
    /// The row's task text differs from the master's.
    pub fn task_text_differs(master_text: &str) -> Problem {
        Problem::warning(
            C::TaskTextDiffers,
            format!("任务目标与清单不一致（清单为“{master_text}”），请不要改动任务目标"),
        )
    }
    /// A 完成进度 outside 0–100.
    pub fn progress_out_of_range(value: impl Display) -> Problem {
        Problem::error(
            C::ProgressOutOfRange,
            format!("完成进度 {value} 超出 0–100 的范围，请填写 0 到 100 之间的数字"),
        )
    }
    /// A 完成进度 that is not a number.
    pub fn progress_not_number() -> Problem {
        Problem::error(
            C::ProgressNotNumber,
            "完成进度不是数字，请填写 0 到 100 之间的数字（如 80）",
        )
    }
    /// A 完成进度 with words around its figure: the figure is read, the words are kept here.
    pub fn percent_with_words(value: &str) -> Problem {
        Problem::info(
            C::PercentWithWords,
            format!("完成进度按 {value}% 计入，单元格中的文字说明已保留在原值中；今后请只填写数字"),
        )
    }
    /// A task row with neither 完成进度 nor 状态: it does not report the task.
    pub fn row_not_reported(number: impl Display, has_text: bool) -> Problem {
        let what = if has_text {
            "只填写了本月工作进展"
        } else {
            "未填写任何内容"
        };
        Problem::warning(
            C::RowNotReported,
            format!(
                "第 {number} 项任务{what}，完成进度和状态均为空，本月按未报送计；请填写完成进度（0–100）和状态"
            ),
        )
    }
    /// A 合计 / 小计 / 总计 row under the tasks.
    pub fn summary_row_skipped(label: &str) -> Problem {
        Problem::info(
            C::SummaryRowSkipped,
            format!("“{label}”行是汇总行，不是任务，未计入"),
        )
    }
    /// A finished task's pre-filled row returned as the form gave it.
    pub fn carried_row_unchanged(number: impl Display, month: &str) -> Problem {
        Problem::info(
            C::CarriedRowUnchanged,
            format!(
                "第 {number} 项任务已于{month}完成，本行与模板预填内容相同，按已完成结转，不作为本月报送"
            ),
        )
    }
    /// A sub-item row with another 完成进度 than its task row.
    pub fn sub_row_progress_differs() -> Problem {
        Problem::warning(
            C::SubRowProgressDiffers,
            "分项行填写了不同的完成进度，以任务所在行的进度为准；如需修改请改任务所在行",
        )
    }
    /// A 状态 that is not one of the four (or a synonym).
    pub fn status_unknown() -> Problem {
        Problem::warning(
            C::StatusUnknown,
            "状态无法识别，已按完成进度认定；请从下拉列表选择：已完成、序时推进、滞后、未启动",
        )
    }
    /// 已完成 below the done threshold.
    pub fn status_done_but_progress(percent: &str) -> Problem {
        Problem::warning(
            C::StatusContradictsProgress,
            format!(
                "状态为“已完成”，但完成进度只有 {percent}%：按完成进度 {percent}% 判定，不计为已完成。如确已完成，请将完成进度填为 100"
            ),
        )
    }
    /// 未启动 with progress.
    pub fn status_not_started_but_progress(percent: &str) -> Problem {
        Problem::warning(
            C::StatusContradictsProgress,
            format!("状态为“未启动”，但完成进度为 {percent}%，请核对状态或进度"),
        )
    }
    /// 序时推进 / 滞后 at the done threshold.
    pub fn status_open_but_done(percent: &str, status: &str) -> Problem {
        Problem::warning(
            C::StatusContradictsProgress,
            format!(
                "完成进度为 {percent}%，但状态为“{status}”：按完成进度判定为已完成。如尚未完成，请改正完成进度"
            ),
        )
    }
    /// A 完成日期 that is not a date.
    pub fn completed_on_unreadable() -> Problem {
        Problem::warning(
            C::CompletedOnUnreadable,
            "完成日期无法识别，请按“2026-11-25”的格式填写",
        )
    }
    /// No 本月工作进展.
    pub fn progress_text_empty() -> Problem {
        Problem::warning(
            C::ProgressTextEmpty,
            "本月工作进展未填写，请填写本月具体工作进展",
        )
    }
    /// A 完成进度 below last month's.
    /// `when` is “上月” or the month of the last figure (“10月”).
    pub fn progress_regressed(before: &str, when: &str) -> Problem {
        Problem::warning(
            C::ProgressRegressed,
            format!("进度倒退：完成进度低于上次报送（{when} {before}%），请核实"),
        )
    }
    /// The progress text is last month's, word for word.
    pub fn progress_copied() -> Problem {
        Problem::warning(
            C::ProgressCopied,
            "本月工作进展与上次报送的完全相同，疑似照抄，请填写本月新的进展",
        )
    }
    /// A task reported twice in one file (the later row wins).
    /// The same task twice in one file: (sheet, 1-based row, hidden) of the row used and of
    /// this one.
    pub fn duplicate_task(
        number: impl Display,
        used: (&str, u32, bool),
        this: (&str, u32, bool),
    ) -> Problem {
        let place = |(sheet, row, hidden): (&str, u32, bool)| {
            format!(
                "工作表“{sheet}”第 {row} 行{}",
                if hidden { "（隐藏行）" } else { "" }
            )
        };
        let why = if this.2 && !used.2 {
            "可见行优先于隐藏行"
        } else {
            "以后一行为准"
        };
        Problem::warning(
            C::DuplicateTask,
            format!(
                "第 {number} 项任务在本文件中重复填报：{}与{}，采用{}（{why}）；请删除重复行",
                place(this),
                place(used),
                place(used)
            ),
        )
    }
    /// A task row hidden in the sheet (read like the others).
    pub fn hidden_row(number: impl Display) -> Problem {
        Problem::info(
            C::HiddenRow,
            format!(
                "第 {number} 项任务所在行在表格中被隐藏，已照常读取；如该行作废，请删除该行而不是隐藏"
            ),
        )
    }
}

/// Merging the month's files.
impl Problem {
    /// A file identical to another of the month (counted once).
    pub fn duplicate_file(first: &str, rows: impl Display) -> Problem {
        Problem::warning(
            C::DuplicateFile,
            format!(
                "本文件与“{first}”内容完全相同（重复报送），已按一份处理：其 {rows} 行不重复合并，问题只在“{first}”中列出；请确认是否误发"
            ),
        )
    }
    /// A row replaced by a later row of the same file.
    pub fn superseded_in_file(number: impl Display, sheet: &str, row: impl Display) -> Problem {
        Problem::info(
            C::Superseded,
            format!(
                "第 {number} 项任务在同一文件中重复，本行已被工作表“{sheet}”第 {row} 行取代，未合并"
            ),
        )
    }
    /// A row replaced by a newer file of the same unit.
    pub fn superseded_by_file(number: impl Display, file: &str) -> Problem {
        Problem::info(
            C::Superseded,
            format!(
                "第 {number} 项任务本单位另有较新的报送（文件“{file}”），本行已被取代，未合并；如有误请核对填报日期"
            ),
        )
    }
    /// Tasks of the unit that none of its files reports.
    pub fn tasks_missing(list: &str, count: impl Display) -> Problem {
        Problem::warning(
            C::TasksMissing,
            format!(
                "本单位牵头的第 {list} 项任务（共 {count} 项）在报送文件中没有找到，将按未报送处理；请补报"
            ),
        )
    }
}

/// The notices.
impl Problem {
    /// `line` names the document and why it failed; it is also shown on the console.
    pub fn notice_failed(line: &str) -> Problem {
        Problem::error(C::NoticeFailed, line)
    }
    /// A character no configured face has (drawn as □).
    pub fn pdf_missing_glyph(place: &str, ch: char, documents: &str, context: &str) -> Problem {
        Problem::warning(
            C::PdfMissingGlyph,
            format!(
                "{place}中的字符“{ch}”（U+{:04X}）在所有字体中都没有，{documents}中已显示为□（上下文：“{context}”）。请在 duban.toml 的 [fonts] 中改用包含该字的字体。",
                u32::from(ch)
            ),
        )
    }
}
