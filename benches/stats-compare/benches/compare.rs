//! `cargo bench -p stats-compare --bench compare`: the side-by-side table (one
//! process, one run) and the 1,000-cgroup scale benchmark.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;

use cgroup_stats::{Controllers, FdBudget, Reader, ReaderOptions};
use cgroups_core::CgroupDir;
use stats_compare::impls::{Impl, Prepared, reader_files};
use stats_compare::setup::BenchCgroup;
use stats_compare::{measure_interleaved_us, syscalls};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // cargo test --benches asks for a list; nothing to list
    }
    let mut report = String::new();
    let cg = BenchCgroup::create("bench").expect("create the benchmark cgroup (root?)");
    let exe = Path::new(env!("CARGO_BIN_EXE_stats-compare"));
    let ours_files = reader_files(cg.name());

    let mut readers: Vec<Prepared> = Impl::ALL
        .iter()
        .map(|w| Prepared::new(*w, cg.name(), &ours_files))
        .collect();
    let mut calls: Vec<Box<dyn FnMut() + '_>> = readers
        .iter_mut()
        .map(|r| Box::new(move || _ = std::hint::black_box(r.read())) as Box<dyn FnMut()>)
        .collect();
    let mut refs: Vec<&mut dyn FnMut()> = calls
        .iter_mut()
        .map(|b| &mut **b as &mut dyn FnMut())
        .collect();
    let medians = measure_interleaved_us(301, 20, &mut refs);
    drop(refs);
    drop(calls);
    drop(readers);
    let mut rows = Vec::new();
    for (which, us) in Impl::ALL.into_iter().zip(medians) {
        let calls = syscalls::per_read(exe, which.name(), cg.name());
        let files = syscalls::files(exe, which.name(), cg.name());
        rows.push((which, us, calls, files));
    }
    let ours = rows[0].1;
    let floor = rows[4].1;
    let _ = writeln!(
        report,
        "| reader | files read | syscalls/read | median µs/read | ÷ cgroup-stats | ÷ pread floor |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|---|");
    for (which, us, calls, files) in &rows {
        let n = files
            .as_ref()
            .map_or("?".to_owned(), |f| f.len().to_string());
        let calls = calls.map_or("?".to_owned(), |c| format!("{c:.0}"));
        let _ = writeln!(
            report,
            "| {} | {n} | {calls} | {us:.1} | {:.2} | {:.2} |",
            which.name(),
            us / ours,
            us / floor
        );
    }
    let lib = rows[1].1 / ours;
    let rs = rows[2].1 / ours;
    let _ = writeln!(report);
    let _ = writeln!(
        report,
        "cgroup-stats is {lib:.1}x faster than libcgroups (target >= 5), {rs:.1}x faster than cgroups-rs (target >= 15), {:.2}x the pread floor (target <= 1.5).",
        ours / floor
    );
    let _ = writeln!(report);
    let _ = writeln!(
        report,
        "Files cgroup-stats keeps open ({}):",
        ours_files.len()
    );
    let names: Vec<String> = ours_files
        .iter()
        .map(|p| {
            p.strip_prefix("/sys/fs/cgroup")
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect();
    let _ = writeln!(report, "{}", names.join(", "));
    for (which, _, _, files) in &rows[1..3] {
        if let Some(files) = files {
            let _ = writeln!(
                report,
                "\nFiles {} reads ({}): {}",
                which.name(),
                files.len(),
                files.join(", ")
            );
        }
    }
    drop(cg);

    let _ = writeln!(report, "\nScale (unified hierarchy, cpu + pressure files):");
    let _ = writeln!(
        report,
        "| cgroups | cgroup-stats µs per cgroup per poll | pread floor µs per cgroup | ratio | fds held |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|");
    for n in [10, 100, 1000] {
        let (us, floor, fds) = scale(n);
        let _ = writeln!(
            report,
            "| {n} | {us:.2} | {floor:.2} | {:.2} | {fds} |",
            us / floor
        );
    }
    println!("{report}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/stats-compare.md");
    if std::fs::write(&out, &report).is_ok() {
        println!("(also written to {})", out.display());
    }
}

/// Polls `n` unified cgroups with one reader each; the median cost per cgroup,
/// and that of one `pread` per kept file of the same cgroups.
fn scale(n: usize) -> (f64, f64, usize) {
    let root_path = Path::new("/sys/fs/cgroup/unified");
    let parent = format!("cgtest-{}-scale", std::process::id());
    std::fs::create_dir(root_path.join(&parent)).expect("mkdir scale parent");
    let root = CgroupDir::open_root(root_path).expect("unified root");
    let budget = FdBudget::new(15_000);
    let mut readers = Vec::new();
    for i in 0..n {
        let rel = format!("{parent}/c{i}");
        std::fs::create_dir(root_path.join(&rel)).expect("mkdir scale child");
        let dir = root.open_child(&rel).expect("open child");
        let controllers =
            Controllers::CPU | Controllers::MEMORY | Controllers::IO | Controllers::PRESSURE;
        let mut options = ReaderOptions::with_controllers(controllers);
        options.budget = Some(budget.clone());
        options.hugepage_sizes = Some(Vec::new());
        readers.push(Reader::open_v2(&dir, options).expect("reader"));
    }
    let fds = budget.in_use();
    let mut raw = Vec::new();
    for i in 0..n {
        for f in ["cpu.stat", "cpu.pressure", "io.pressure", "memory.pressure"] {
            let p = root_path.join(format!("{parent}/c{i}/{f}"));
            let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC;
            if let Ok(fd) = rustix::fs::open(&p, flags, rustix::fs::Mode::empty()) {
                raw.push(fd);
            }
        }
    }
    let mut buf = vec![0u8; 4096];
    let samples = if n >= 1000 { 31 } else { 101 };
    let mut poll_ours = || {
        for r in readers.iter_mut() {
            std::hint::black_box(r.read().expect("read"));
        }
    };
    let mut poll_floor = || {
        for fd in &raw {
            std::hint::black_box(rustix::io::pread(fd, &mut buf[..], 0).expect("pread"));
        }
    };
    let m = measure_interleaved_us(samples, 1, &mut [&mut poll_ours, &mut poll_floor]);
    let (us, floor) = (m[0] / n as f64, m[1] / n as f64);
    drop(raw);
    drop(readers);
    for i in 0..n {
        let _ = std::fs::remove_dir(root_path.join(format!("{parent}/c{i}")));
    }
    let _ = std::fs::remove_dir(root_path.join(&parent));
    (us, floor, fds)
}
