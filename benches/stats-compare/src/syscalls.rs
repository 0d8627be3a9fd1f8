//! System calls per read and the files touched, measured with `strace` on a
//! child process (the `stats-compare` binary in child mode).

use std::path::Path;
use std::process::Command;

/// Total system calls of a child run (`strace -f -c`).
fn count(exe: &Path, which: &str, cgroup: &str, reads: usize) -> Option<u64> {
    let out = std::env::temp_dir().join(format!(
        "stats-compare-{}-{reads}.strace",
        std::process::id()
    ));
    let status = Command::new("strace")
        .args(["-f", "-c", "-o"])
        .arg(&out)
        .arg(exe)
        .args(["child", which, cgroup, &reads.to_string()])
        .status()
        .ok()?;
    let text = std::fs::read_to_string(&out).ok()?;
    let _ = std::fs::remove_file(&out);
    if !status.success() {
        return None;
    }
    // The summary's last line: "100.00 <secs> <usecs/call> <calls> <errors> total".
    let total = text
        .lines()
        .rev()
        .find(|l| l.trim_end().ends_with("total"))?;
    let fields: Vec<&str> = total.split_whitespace().collect();
    fields.get(fields.len().checked_sub(3)?)?.parse().ok()
}

/// System calls per read: the difference of two runs (110 and 10 reads) / 100,
/// so startup and warm-up cancel out. `None` without a working `strace`.
pub fn per_read(exe: &Path, which: &str, cgroup: &str) -> Option<f64> {
    let few = count(exe, which, cgroup, 10)?;
    let many = count(exe, which, cgroup, 110)?;
    Some(many.saturating_sub(few) as f64 / 100.0)
}

/// The cgroup files one read touches (`strace -y`, after the child's marker).
pub fn files(exe: &Path, which: &str, cgroup: &str) -> Option<Vec<String>> {
    let out =
        std::env::temp_dir().join(format!("stats-compare-{}-files.strace", std::process::id()));
    let status = Command::new("strace")
        .args([
            "-f",
            "-y",
            "-e",
            "trace=openat,open,read,pread64,write",
            "-o",
        ])
        .arg(&out)
        .arg(exe)
        .args(["child", which, cgroup, "1"])
        .status()
        .ok()?;
    let text = std::fs::read_to_string(&out).ok()?;
    let _ = std::fs::remove_file(&out);
    if !status.success() {
        return None;
    }
    let after = text.rsplit_once("=MARK=")?.1;
    let mut files: Vec<String> = Vec::new();
    for line in after.lines() {
        let path = if line.contains("openat(") || line.contains("open(") {
            line.split('"').nth(1)
        } else if line.contains("read") {
            line.split('<').nth(1).and_then(|s| s.split('>').next())
        } else {
            None
        };
        let Some(path) = path.filter(|p| p.starts_with("/sys/fs/cgroup/")) else {
            continue;
        };
        let short = path.rsplit('/').next().unwrap_or(path).to_owned();
        if !files.contains(&short) {
            files.push(short);
        }
    }
    Some(files)
}
