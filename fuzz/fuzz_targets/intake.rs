//! Fuzz target: the intake entry point on arbitrary bytes.
//!
//! The bytes are written to a temp file whose extension is chosen from the first byte
//! (.xlsx/.xls/.ods — intake decides the format from the content anyway) and read with
//! `duban::intake::read_submission` against a small in-memory master and tight limits.
#![no_main]

use chrono::NaiveDate;
use duban::config::Limits;
use duban::intake::{IntakeContext, read_submission};
use duban::model::{Category, Deadline, Leader, Master, Month, Task, Unit, UnitKind};
use duban::units::Directory;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Fixture {
    master: Master,
    units: Directory,
    limits: Limits,
    dir: PathBuf,
}

fn unit(name: &str, alias: &str) -> Unit {
    Unit {
        name: name.into(),
        aliases: vec![alias.into()],
        kind: UnitKind::CityDepartment,
        contact: None,
        phone: None,
        email: None,
        reply_from: Vec::new(),
    }
}

fn task(number: u32, text: &str, unit: &str) -> Task {
    Task {
        number,
        text: text.into(),
        category: Category::Other,
        leaders: vec!["刘继英".into()],
        units: vec![unit.into()],
        unit_raw: unit.into(),
        deadline: Deadline {
            raw: "12月底".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 31),
        },
        source_row: number + 3,
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let units = vec![
            unit("市科技局", "呼和浩特市科学技术局"),
            unit("市发改委", "呼和浩特市发展和改革委员会"),
        ];
        let leader = |name: &str| Leader {
            name: name.into(),
            title: "副市长".into(),
            declared_count: None,
            declared_main_targets: None,
        };
        let master = Master {
            title: "测试".into(),
            mayor: leader("贺海东"),
            leaders: vec![leader("刘继英")],
            tasks: vec![
                task(1, "全市地区生产总值增长6%左右", "市发改委"),
                task(3, "实施科技创新重大项目10个以上", "市科技局"),
                task(6, "培育高新技术企业100家", "市科技局"),
            ],
            units: units.clone(),
            index: Default::default(),
        };
        quiet_panic_hook();
        let dir = std::env::temp_dir().join(format!("duban-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Fixture {
            master,
            units: Directory::new(units).expect("directory"),
            limits: Limits {
                max_file_bytes: 1 << 20,
                max_inflated_bytes: 8 << 20,
                max_rows_per_sheet: 2_000,
                max_cells: 50_000,
            },
            dir,
        }
    })
}

/// Panics caught inside intake (calamine on hostile bytes) are handled behaviour, not crashes:
/// record each distinct location once instead of aborting. libfuzzer-sys still aborts on a
/// panic that escapes `read_submission`.
fn quiet_panic_hook() {
    use std::collections::BTreeSet;
    use std::io::Write;
    use std::sync::Mutex;
    static SEEN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let Ok(mut seen) = SEEN.lock() else { return };
        if seen.insert(at.clone()) {
            let _ = std::fs::create_dir_all("artifacts");
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open("artifacts/caught_panics.txt")
            {
                let _ = writeln!(f, "{at}: {info}");
            }
        }
    }));
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let ext = match data.first().map(|b| b % 3) {
        Some(0) => "xlsx",
        Some(1) => "xls",
        _ => "ods",
    };
    let path = fx.dir.join(format!("市科技局.{ext}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let ctx = IntakeContext {
        master: &fx.master,
        units: &fx.units,
        month: Month {
            year: 2026,
            month: 11,
        },
        as_of: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
        limits: &fx.limits,
        previous: None,
        done_percent: 100.0,
    };
    let sub = read_submission(&path, &ctx);
    // Invariant: every row read is either accepted or rejected.
    assert_eq!(sub.rows.len() as u32 + sub.rows_rejected, sub.rows_read);
});
