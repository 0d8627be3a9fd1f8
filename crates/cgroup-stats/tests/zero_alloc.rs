//! A counting allocator proves that `Reader::read` allocates nothing once the
//! reader has warmed up (steady state), on v1 and v2 with every controller.

mod common;

use cgroup_stats::{Controllers, FdBudget, PageSize, Reader, ReaderOptions, V1Dirs};
use common::{Counting, allocations_during, full_v1, full_v2};

#[global_allocator]
static GLOBAL: Counting = Counting;

fn options() -> ReaderOptions {
    let mut options = ReaderOptions::with_controllers(Controllers::all());
    options.budget = Some(FdBudget::new(1000));
    options.hugepage_sizes = Some(vec![PageSize::from_kib(2048)]);
    options
}

fn assert_steady_state_allocates_nothing(reader: &mut Reader) {
    for _ in 0..3 {
        reader.read().expect("warm-up read");
    }
    let n = allocations_during(|| {
        for _ in 0..100 {
            std::hint::black_box(reader.read().expect("read"));
        }
    });
    assert_eq!(n, 0, "allocations in 100 steady-state reads");
}

#[test]
fn v2_read_with_every_controller_allocates_nothing_in_steady_state() {
    let cg = full_v2();
    let mut reader = Reader::open_v2(&cg.dir, options()).unwrap();
    let stats = reader.read().unwrap();
    assert!(stats.cpu.is_some() && stats.memory.is_some() && stats.blkio.is_some());
    assert!(stats.rdma.is_some() && !stats.misc.is_empty() && !stats.hugetlb.is_empty());
    assert!(stats.memory.as_ref().unwrap().stat.len() > 50);
    assert_steady_state_allocates_nothing(&mut reader);
}

#[test]
fn v1_read_with_every_controller_allocates_nothing_in_steady_state() {
    let cg = full_v1();
    let mut dirs = V1Dirs::new();
    for c in [
        "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb",
    ] {
        assert!(dirs.set(c, cg.dir.try_clone().unwrap()));
    }
    let mut reader = Reader::open_v1(&dirs, options()).unwrap();
    let stats = reader.read().unwrap();
    let cpu = stats.cpu.as_ref().unwrap();
    assert_eq!(cpu.usage.as_ref().unwrap().percpu_ns.len(), 8);
    assert!(stats.memory.as_ref().unwrap().numa.is_some());
    assert_eq!(
        stats
            .blkio
            .as_ref()
            .unwrap()
            .io_service_bytes_recursive
            .len(),
        6
    );
    assert_steady_state_allocates_nothing(&mut reader);
}
