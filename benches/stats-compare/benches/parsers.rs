//! criterion benchmarks of every parser of `cgroup_stats::parse` on captured
//! kernel files (bytes/s; divide the time by the line count for ns per line),
//! and of a full `Reader::read` on a test v2 tree (tmpfs: indicative only, a
//! tmpfs is not kernfs) and on the real v1 cgroupfs of this machine.

#![allow(clippy::disallowed_methods, clippy::print_stderr)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cgroup_stats::parse;
use cgroup_stats::{
    BlkioStats, Controllers, CpuStats, FdBudget, IdList, MemoryStat, NumaStat, PageSize, Reader,
    ReaderOptions,
};

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            "../../../crates/cgroup-stats/tests/fixtures/",
            $path
        ))
        .as_slice()
    };
}

fn bench<T>(c: &mut Criterion, name: &str, text: &[u8], mut f: impl FnMut(&[u8]) -> T) {
    let lines = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function(format!("{name} ({lines} lines)"), |b| {
        b.iter(|| std::hint::black_box(f(std::hint::black_box(text))))
    });
    g.finish();
}

fn parsers(c: &mut Criterion) {
    let v2_stat = fixture!("v2-memory.stat/elastic__v2-kernel6x-session.memory.stat");
    let v1_stat = fixture!("v1-memory.stat/cgroupsrs__parent-with-totals.memory.stat");
    let mut stat = MemoryStat::default();
    bench(c, "memory_stat v2", v2_stat, |t| {
        parse::memory_stat(t, &mut stat)
    });
    let mut stat = MemoryStat::default();
    bench(c, "memory_stat v1", v1_stat, |t| {
        parse::memory_stat(t, &mut stat)
    });
    let mut numa = NumaStat::default();
    let numa_text = fixture!("v1-memory.numa_stat/ocgroups__4-numa-nodes.memory.numa_stat");
    bench(c, "numa_stat_v1", numa_text, |t| {
        parse::numa_stat_v1(t, &mut numa)
    });
    let v2_numa = fixture!("v2-memory.numa_stat/elastic__v2-kernel6x-single-node.memory.numa_stat");
    bench(c, "numa_stat_v2", v2_numa, |t| {
        parse::numa_stat_v2(t, |_, _, _| ())
    });
    let mut cpu = CpuStats::default();
    let cpu_v2 = fixture!("v2-cpu.stat/elastic__v2-kernel6x-bursts-coresched.cpu.stat");
    bench(c, "cpu_stat_v2", cpu_v2, |t| {
        parse::cpu_stat_v2(t, &mut cpu)
    });
    let cpu_v1 = fixture!("v1-cpu.stat/elastic__docker-2016-throttled.cpu.stat");
    bench(c, "cpu_stat_v1", cpu_v1, parse::cpu_stat_v1);
    bench(
        c,
        "cpuacct_stat",
        fixture!("v1-cpuacct.stat/elastic__amzn2.cpuacct.stat"),
        parse::cpuacct_stat,
    );
    let (mut u, mut s) = (Vec::new(), Vec::new());
    let all = fixture!("v1-cpuacct.usage_all/ocgroups__8cpu.cpuacct.usage_all");
    bench(c, "cpuacct_usage_all", all, |t| {
        parse::cpuacct_usage_all(t, &mut u, &mut s)
    });
    let mut percpu = Vec::new();
    let pc =
        fixture!("v1-cpuacct.usage_percpu/elastic__amzn2-8cpu-trailing-space.cpuacct.usage_percpu");
    bench(c, "cpuacct_usage_percpu", pc, |t| {
        parse::cpuacct_usage_percpu(t, &mut percpu)
    });
    let mut blkio = BlkioStats::default();
    let io = fixture!("v2-io.stat/ocgroups__iocost-debug-extra-keys.io.stat");
    bench(c, "io_stat", io, |t| parse::io_stat(t, &mut blkio));
    let mut entries = Vec::new();
    let b1 = fixture!(
        "v1-blkio/elastic__docker-2016-3devices-no-discard.blkio.throttle.io_service_bytes"
    );
    bench(c, "blkio_v1", b1, |t| {
        entries.clear();
        parse::blkio_v1(t, &mut entries)
    });
    bench(
        c,
        "pressure",
        fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        parse::pressure,
    );
    let events =
        fixture!("v2-memory.events/elastic__v2-kernel6x-with-oom_group_kill.memory.events");
    bench(c, "memory_events", events, parse::memory_events);
    let oom = fixture!("v1-memory.oom_control/elastic__amzn2-with-oom_kill.memory.oom_control");
    bench(c, "oom_control", oom, parse::oom_control);
    let ev = fixture!("v2-cgroup.events/elastic__v2-populated-frozen.cgroup.events");
    bench(c, "cgroup_events", ev, parse::cgroup_events);
    bench(
        c,
        "counter",
        fixture!("v2-single-value/elastic__v2-kernel6x.memory.peak"),
        parse::counter,
    );
    let lim = fixture!("v1-single-value/elastic__amzn2-unlimited.memory.soft_limit_in_bytes");
    bench(c, "limit", lim, parse::limit);
    bench(c, "signed", b"-1\n", parse::signed);
    let mut ids = IdList::default();
    bench(c, "id_list", b"0-2,7,12-14,16,18-31\n", |t| {
        parse::id_list(t, &mut ids)
    });
    let mut rdma = Vec::new();
    let rd = b"mlx4_0 hca_handle=2 hca_object=2000\nocrdma1 hca_handle=3 hca_object=max\n";
    bench(c, "rdma", rd, |t| parse::rdma(t, &mut rdma));
    bench(c, "misc", b"sev 3\nsev_es 0\ntdx 1\n", |t| {
        parse::misc(t, |_, _| ())
    });
    let keyed = fixture!("v2-cgroup.stat/elastic__v2-kernel6x.cgroup.stat");
    bench(c, "flat_keyed", keyed, |t| {
        parse::flat_keyed(t, ["nr_descendants"])
    });
    bench(c, "hugepage_dir_name", b"hugepages-2048kB", |t| {
        parse::hugepage_dir_name(std::str::from_utf8(t).unwrap_or(""))
    });
}

/// A fake v2 cgroup with the captured files (a tmpfs tree).
fn v2_tree() -> (tempfile::TempDir, cgroups_core::CgroupDir) {
    let root = tempfile::tempdir().expect("temp dir");
    let job = root.path().join("job");
    std::fs::create_dir(&job).expect("mkdir");
    let files: &[(&str, &[u8])] = &[
        ("cgroup.procs", b""),
        (
            "cpu.stat",
            fixture!("v2-cpu.stat/elastic__v2-kernel6x-bursts-coresched.cpu.stat"),
        ),
        (
            "cpu.pressure",
            fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        ),
        ("memory.current", b"18772946944\n"),
        ("memory.max", b"max\n"),
        (
            "memory.peak",
            fixture!("v2-single-value/elastic__v2-kernel6x.memory.peak"),
        ),
        (
            "memory.stat",
            fixture!("v2-memory.stat/elastic__v2-kernel6x-session.memory.stat"),
        ),
        (
            "memory.events",
            fixture!("v2-memory.events/elastic__v2-kernel6x-with-oom_group_kill.memory.events"),
        ),
        (
            "memory.pressure",
            fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        ),
        ("pids.current", b"12\n"),
        ("pids.max", b"max\n"),
        ("pids.peak", fixture!("v2-pids/elastic__v2.pids.peak")),
        (
            "io.stat",
            fixture!("v2-io.stat/ocgroups__three-devices.io.stat"),
        ),
        (
            "io.pressure",
            fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        ),
    ];
    for (name, text) in files {
        std::fs::write(job.join(name), text).expect("write");
    }
    let tree = cgroups_core::TestTree::default();
    let dir = cgroups_core::CgroupDir::open_test_root(root.path(), tree)
        .and_then(|r| r.open_child("job"))
        .expect("open tree");
    (root, dir)
}

fn reader(c: &mut Criterion) {
    let mut options = ReaderOptions::with_controllers(Controllers::all());
    options.budget = Some(FdBudget::new(1000));
    options.hugepage_sizes = Some(Vec::<PageSize>::new());
    let (_keep, dir) = v2_tree();
    let mut r = Reader::open_v2(&dir, options).expect("reader");
    c.bench_function("reader/full read, test v2 tree (tmpfs)", |b| {
        b.iter(|| std::hint::black_box(r.read().expect("read").cpu.is_some()))
    });
    match stats_compare::setup::BenchCgroup::create("criterion") {
        Ok(cg) => {
            let mut r = stats_compare::impls::our_reader(cg.name());
            c.bench_function("reader/full read, real v1 cgroupfs", |b| {
                b.iter(|| std::hint::black_box(r.read().expect("read").cpu.is_some()))
            });
            drop(r);
            drop(cg);
        }
        Err(err) => eprintln!("no real v1 benchmark cgroup (root needed): {err}"),
    }
}

criterion_group!(benches, parsers, reader);
criterion_main!(benches);
