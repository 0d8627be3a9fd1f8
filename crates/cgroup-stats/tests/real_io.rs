//! `io.stat` of a real block device through the reader: the scratch disk of the
//! `vm-v2` tier (`ktest::io_disk`), read and written with direct I/O by a busybox
//! `dd` that runs inside the test cgroup.

// Tests compare with io.stat read directly (std::fs).
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::process::{Command, Stdio};

use cgroup_stats::{BlkioEntry, BlkioOp, BlkioSource, Reader, ReaderOptions};
use cgroups_core::CgroupDir;
use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

/// Runs `sh -c SCRIPT` inside `cg` (moved there before it starts) and waits for it.
fn run_inside(cg: &TestCgroup, script: &str) -> Result<(), Failed> {
    let mut child = Command::new("sh")
        .args(["-c", &format!("read go; {script}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn sh: {e}"))?;
    cg.adopt_child(child.id())?;
    cg.attach(child.id())?;
    child.stdin.take().ok_or("no stdin")?.write_all(b"go\n")?;
    let status = child.wait()?;
    ensure!(status.success(), "{script}: {status}");
    Ok(())
}

/// The value of `op` for the device `(major, minor)` in `entries`.
fn value(entries: &[BlkioEntry], major: u32, minor: u32, op: BlkioOp) -> Option<u64> {
    entries
        .iter()
        .find(|e| (e.major, e.minor, e.op) == (major.into(), minor.into(), op))
        .map(|e| e.value)
}

fn direct_io_on_the_disk_is_counted_in_io_stat() -> Result<(), Failed> {
    let disk = ktest::io_disk()?;
    let cg = TestCgroup::new_unified("stats-io")?;
    let dir = CgroupDir::open_root(cg.hierarchy_root())?.open_child(cg.name())?;
    let mut reader = Reader::open_v2(&dir, ReaderOptions::default())?;
    let dev = disk.path();
    // 1 MiB written, then 512 KiB read, 64 KiB at a time, bypassing the page cache.
    let script = format!(
        "dd if=/dev/zero of={d} bs=64k count=16 oflag=direct 2>/dev/null && \
         dd if={d} of=/dev/null bs=64k count=8 iflag=direct 2>/dev/null",
        d = dev.display()
    );
    run_inside(&cg, &script)?;
    let stats = reader.read()?.clone();
    let blkio = stats.blkio.as_ref().ok_or("no io part")?;
    ensure_eq!(blkio.source, BlkioSource::IoStat);
    let (major, minor) = (disk.major, disk.minor);
    let bytes = &blkio.io_service_bytes_recursive;
    let ios = &blkio.io_serviced_recursive;
    let wbytes = value(bytes, major, minor, BlkioOp::Write).ok_or("no wbytes")?;
    let rbytes = value(bytes, major, minor, BlkioOp::Read).ok_or("no rbytes")?;
    ensure!(wbytes >= 1 << 20, "wbytes {wbytes} < 1 MiB");
    ensure!(rbytes >= 512 << 10, "rbytes {rbytes} < 512 KiB");
    let wios = value(ios, major, minor, BlkioOp::Write).ok_or("no wios")?;
    ensure!(wios >= 16, "wios {wios} < 16");

    // The same figures as the kernel's own line for the device.
    let text = std::fs::read_to_string(cg.path().join("io.stat"))?;
    let key = format!("{major}:{minor} ");
    let line = text
        .lines()
        .find(|l| l.starts_with(&key))
        .ok_or(text.clone())?;
    let field = |name: &str| -> Option<u64> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
    };
    ensure_eq!(Some(wbytes), field("wbytes"), "{line}");
    ensure_eq!(Some(rbytes), field("rbytes"), "{line}");
    ensure_eq!(Some(wios), field("wios"), "{line}");
    drop(reader);
    cg.remove()
}

fn main() {
    ktest::main(vec![
        Test::new(
            "direct_io_on_the_disk_is_counted_in_io_stat",
            direct_io_on_the_disk_is_counted_in_io_stat,
        )
        // The disk first: where there is none, that is the reason shown.
        .needs(Need::IoDisk)
        .needs(Need::Root)
        .needs(Need::V2Controller("io")),
    ])
}
