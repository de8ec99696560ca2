//! Entries of a submissions folder that are not plain files, met by the whole `duban run` as the
//! office runs it: a named pipe called `x.xlsx` (opening it would wait forever for a writer), a
//! symlink to a system file, a 400 MB file over the size limit (hashed by streaming, never held
//! in memory: the peak RSS of the run is measured), and a file name with a terminal escape
//! sequence in it (printed escaped by `duban check`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo's November submissions plus the hostile entries, in a project of its own.
fn project(name: &str) -> (PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("inputs-not-plain")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let month = dir.join("submissions/2026-11");
    std::fs::create_dir_all(&month).expect("dir");
    for e in std::fs::read_dir(root().join("input/submissions/2026-11")).expect("demo") {
        let e = e.expect("entry");
        if e.file_type().expect("type").is_file() {
            std::fs::copy(e.path(), month.join(e.file_name())).expect("copy");
        }
    }
    let text = crate::common::config_text(&crate::common::ConfigPaths {
        output: Some(&dir.join("output")),
        submissions: Some(&dir.join("submissions")),
        ..Default::default()
    });
    let config = dir.join("duban.toml");
    std::fs::write(&config, text).expect("config");
    (dir, config)
}

/// Runs `duban <args>` under Python, which waits at most two minutes (a hang fails the test
/// instead of hanging it) and reports the child's peak RSS (KiB) from getrusage.
fn run_measured(config: &Path, args: &[&str]) -> Option<(i32, String, u64)> {
    let probe = Command::new("python3").arg("-c").arg("pass").status();
    if !probe.is_ok_and(|s| s.success()) {
        crate::checker::missing("python3（测量子进程内存峰值）");
        return None;
    }
    const SCRIPT: &str = r#"
import resource, subprocess, sys
try:
    p = subprocess.run(sys.argv[1:], capture_output=True, timeout=120)
except subprocess.TimeoutExpired:
    print("TIMEOUT")
    sys.exit(0)
sys.stdout.buffer.write(b"%d %d\n" % (p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.stdout.buffer.write(p.stdout + p.stderr)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !text.starts_with("TIMEOUT"),
        "duban {args:?} did not finish within two minutes"
    );
    let (head, rest) = text.split_once('\n').expect("status line");
    let mut fields = head.split(' ');
    let code = fields.next().and_then(|c| c.parse().ok()).expect("code");
    let rss = fields.next().and_then(|c| c.parse().ok()).expect("rss");
    Some((code, rest.to_string(), rss))
}

#[cfg(unix)]
#[test]
fn pipes_links_and_oversized_files_are_listed_not_read_and_memory_stays_flat() {
    let (dir, config) = project("run");
    let month = dir.join("submissions/2026-11");
    let fifo = month.join("x.xlsx");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success());
    std::os::unix::fs::symlink("/etc/passwd", month.join("passwd.xlsx")).expect("symlink");
    let big = month.join("市科技局_大文件.xlsx");
    let file = std::fs::File::create(&big).expect("big");
    const BIG: u64 = 400 * 1024 * 1024;
    file.set_len(BIG).expect("sparse 400 MB");
    drop(file);

    let Some((code, console, rss_kib)) = run_measured(&config, &["run", "--month", "2026-11"])
    else {
        return;
    };
    assert!(matches!(code, 0 | 1), "{console}");
    // Peak RSS: the demo month alone stays well under 400 MB; reading the big file whole would
    // not.
    assert!(
        rss_kib < 200 * 1024,
        "peak RSS {} MiB: the oversized file was held in memory",
        rss_kib / 1024
    );
    let run_json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("output/2026-11/run.json")).expect("run.json"),
    )
    .expect("json");
    let inputs = run_json["inputs"].as_array().expect("inputs");
    let find = |name: &str| {
        inputs
            .iter()
            .find(|i| i["path"].as_str().is_some_and(|p| p.ends_with(name)))
    };
    assert!(find("x.xlsx").is_none(), "a pipe is not an input");
    assert!(find("passwd.xlsx").is_none(), "a link is not followed");
    assert!(
        !inputs
            .iter()
            .any(|i| i["path"].as_str().is_some_and(|p| p.contains("passwd"))),
        "{inputs:?}"
    );
    let big_input = find("市科技局_大文件.xlsx").expect("the big file is recorded");
    assert_eq!(big_input["bytes"].as_u64(), Some(BIG));
    // The hash of the very bytes on disk, streamed.
    let zeros_sha = sha_of_zeros(BIG);
    assert_eq!(big_input["sha256"].as_str(), Some(zeros_sha.as_str()));
    // Every entry is named in the problems, with what it is.
    let problems = serde_json::to_string(&run_json["problems"]).expect("problems");
    assert!(
        problems.contains("“x.xlsx”不是普通文件（命名管道）"),
        "{problems}"
    );
    assert!(
        problems.contains("“passwd.xlsx”是快捷方式或链接"),
        "{problems}"
    );
    assert!(problems.contains("超过上限"), "{problems}");
    assert!(
        !problems.contains("root:x:0:0"),
        "nothing of the linked file"
    );
}

/// SHA-256 of `len` zero bytes, hashed in 1 MiB steps.
fn sha_of_zeros(len: u64) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        hasher.update(&block[..n]);
        left -= n as u64;
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn check_prints_control_characters_in_file_names_escaped() {
    let (dir, config) = project("escape");
    let month = dir.join("submissions/2026-11");
    std::fs::write(month.join("报表\u{1b}[2J\u{1b}[H.xlsx"), b"not a workbook").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .arg("--config")
        .arg(&config)
        .args(["check", "--month", "2026-11"])
        .output()
        .expect("check");
    let console = String::from_utf8_lossy(&out.stdout);
    assert!(
        !console.contains('\u{1b}'),
        "a raw escape reached the terminal"
    );
    assert!(
        console.contains("报表\\u{1b}[2J\\u{1b}[H.xlsx"),
        "{console}"
    );
}
