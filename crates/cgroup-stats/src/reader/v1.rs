//! What a reader reads on cgroup v1 (one directory per hierarchy), and how the
//! files become [`Stats`].

use crate::error::Result;
use crate::model::{
    BlkioList, BlkioSource, BlkioStats, CpuStats, CpusetStats, HugetlbStats, MemoryData,
    MemoryStatKey, MemoryStats, PageSize, Stats,
};
use crate::parse::{
    blkio_v1, counter, cpu_stat_v1, cpuacct_stat, cpuacct_usage_all, cpuacct_usage_percpu, id_list,
    limit, memory_stat, numa_stat_v1, oom_control, signed,
};
use crate::reader::files::{Files, SlotId};
use crate::reader::pids::PidsPlan;
use crate::reader::v2::{read_misc, read_rdma};

/// Directory index of each hierarchy given to the reader.
#[derive(Default)]
pub(crate) struct V1DirIndex {
    pub(crate) cpu: Option<usize>,
    pub(crate) cpuacct: Option<usize>,
    pub(crate) cpuset: Option<usize>,
    pub(crate) memory: Option<usize>,
    pub(crate) pids: Option<usize>,
    pub(crate) blkio: Option<usize>,
    pub(crate) hugetlb: Option<usize>,
    pub(crate) rdma: Option<usize>,
    pub(crate) misc: Option<usize>,
}

/// The v1 blkio families in the order they are tried (C09), each with the files
/// that fill which list; the first file decides whether the family is used.
const BLKIO_FAMILIES: [(BlkioSource, &[(&str, BlkioList)]); 5] = {
    use BlkioList::*;
    [
        (
            BlkioSource::BfqDebug,
            &[
                ("blkio.bfq.sectors_recursive", Sectors),
                ("blkio.bfq.io_service_time_recursive", ServiceTime),
                ("blkio.bfq.io_wait_time_recursive", WaitTime),
                ("blkio.bfq.io_merged_recursive", Merged),
                ("blkio.bfq.io_queued_recursive", Queued),
                ("blkio.bfq.time_recursive", Time),
                ("blkio.bfq.io_serviced_recursive", Serviced),
                ("blkio.bfq.io_service_bytes_recursive", ServiceBytes),
            ],
        ),
        (
            BlkioSource::Bfq,
            &[
                ("blkio.bfq.io_serviced_recursive", Serviced),
                ("blkio.bfq.io_service_bytes_recursive", ServiceBytes),
            ],
        ),
        (
            BlkioSource::Cfq,
            &[
                ("blkio.sectors_recursive", Sectors),
                ("blkio.io_service_time_recursive", ServiceTime),
                ("blkio.io_wait_time_recursive", WaitTime),
                ("blkio.io_merged_recursive", Merged),
                ("blkio.io_queued_recursive", Queued),
                ("blkio.time_recursive", Time),
                ("blkio.io_serviced_recursive", Serviced),
                ("blkio.io_service_bytes_recursive", ServiceBytes),
            ],
        ),
        (
            BlkioSource::ThrottleRecursive,
            &[
                ("blkio.throttle.io_serviced_recursive", Serviced),
                ("blkio.throttle.io_service_bytes_recursive", ServiceBytes),
            ],
        ),
        (
            BlkioSource::Throttle,
            &[
                ("blkio.throttle.io_serviced", Serviced),
                ("blkio.throttle.io_service_bytes", ServiceBytes),
            ],
        ),
    ]
};

/// `usage_in_bytes`, `max_usage_in_bytes`, `failcnt`, `limit_in_bytes`.
type Quad = [SlotId; 4];

/// The files of each chosen controller.
pub(crate) struct V1Plan {
    cpu_stat: Option<SlotId>,
    cpuacct: Option<[SlotId; 4]>,
    cpuset: Option<Vec<SlotId>>,
    memory: Option<([Quad; 4], [SlotId; 4])>,
    pids: Option<PidsPlan>,
    blkio: Option<Vec<Family>>,
    hugetlb: Vec<(PageSize, [SlotId; 6])>,
    rdma: Option<[SlotId; 2]>,
    misc: Option<[SlotId; 3]>,
}

const CPUSET_FILES: [&str; 13] = [
    "cpus",
    "mems",
    "effective_cpus",
    "effective_mems",
    "cpu_exclusive",
    "mem_hardwall",
    "mem_exclusive",
    "memory_migrate",
    "memory_spread_page",
    "memory_spread_slab",
    "memory_pressure",
    "sched_load_balance",
    "sched_relax_domain_level",
];

fn quad(f: &mut Files, dir: usize, prefix: &str) -> Quad {
    [
        "usage_in_bytes",
        "max_usage_in_bytes",
        "failcnt",
        "limit_in_bytes",
    ]
    .map(|n| f.add(dir, format!("{prefix}.{n}")))
}

impl V1Plan {
    /// `cpuset_prefix` is `cpuset.` unless the hierarchy is mounted `noprefix`.
    pub(crate) fn new(
        f: &mut Files,
        d: &V1DirIndex,
        sizes: &[PageSize],
        cpuset_prefix: &str,
    ) -> V1Plan {
        V1Plan {
            cpu_stat: d.cpu.map(|dir| f.add(dir, "cpu.stat")),
            cpuacct: d.cpuacct.map(|dir| {
                let names = [
                    "cpuacct.usage",
                    "cpuacct.stat",
                    "cpuacct.usage_all",
                    "cpuacct.usage_percpu",
                ];
                names.map(|n| f.add(dir, n))
            }),
            cpuset: d.cpuset.map(|dir| {
                let names = CPUSET_FILES.iter();
                names
                    .map(|n| f.add(dir, format!("{cpuset_prefix}{n}")))
                    .collect()
            }),
            memory: d.memory.map(|dir| {
                let quads = ["memory", "memory.memsw", "memory.kmem", "memory.kmem.tcp"]
                    .map(|p| quad(f, dir, p));
                let names = [
                    "memory.stat",
                    "memory.use_hierarchy",
                    "memory.oom_control",
                    "memory.numa_stat",
                ];
                (quads, names.map(|n| f.add(dir, n)))
            }),
            pids: d.pids.map(|dir| PidsPlan::controller(f, dir)),
            blkio: d.blkio.map(|dir| {
                let family = |files: &[(&'static str, BlkioList)], f: &mut Files| {
                    files
                        .iter()
                        .map(|&(n, list)| (f.add(dir, n), list))
                        .collect()
                };
                BLKIO_FAMILIES
                    .iter()
                    .map(|(source, files)| (*source, family(files, f)))
                    .collect()
            }),
            hugetlb: match d.hugetlb {
                Some(dir) => sizes
                    .iter()
                    .map(|&s| (s, hugetlb_slots(f, dir, s)))
                    .collect(),
                None => Vec::new(),
            },
            rdma: d
                .rdma
                .map(|dir| ["rdma.current", "rdma.max"].map(|n| f.add(dir, n))),
            misc: d
                .misc
                .map(|dir| ["misc.current", "misc.max", "misc.events"].map(|n| f.add(dir, n))),
        }
    }

    pub(crate) fn read(&self, f: &mut Files, stats: &mut Stats) -> Result<()> {
        if self.cpu_stat.is_some() || self.cpuacct.is_some() {
            self.read_cpu(f, &mut stats.cpu)?;
        }
        if let Some(slots) = &self.cpuset {
            read_cpuset(f, slots, &mut stats.cpuset)?;
        }
        if let Some(slots) = &self.memory {
            read_memory(f, slots, &mut stats.memory)?;
        }
        if let Some(plan) = &self.pids {
            stats.pids = plan.read(f)?;
        }
        if let Some(families) = &self.blkio {
            read_blkio(f, families, &mut stats.blkio)?;
        }
        stats.hugetlb.clear();
        for (size, slots) in &self.hugetlb {
            if let Some(h) = read_hugetlb(f, *size, slots)? {
                stats.hugetlb.push(h);
            }
        }
        if let Some(slots) = &self.rdma {
            read_rdma(f, slots, &mut stats.rdma)?;
        }
        if let Some(slots) = &self.misc {
            read_misc(f, slots, &mut stats.misc)?;
        }
        Ok(())
    }

    fn read_cpu(&self, f: &mut Files, out: &mut Option<CpuStats>) -> Result<()> {
        let cpu = out.get_or_insert_with(Default::default);
        cpu.clear();
        let mut any = false;
        if let Some(stat) = self.cpu_stat
            && let Some((throttling, burst)) = f.parse(stat, cpu_stat_v1)?
        {
            (cpu.throttling, cpu.burst, any) = (Some(throttling), burst, true);
        }
        if let Some([usage, stat, all, percpu]) = self.cpuacct
            && let Some(total_ns) = f.parse(usage, counter)?
        {
            let times = f.parse_required(stat, cpuacct_stat)?;
            let u = cpu.usage.get_or_insert_with(Default::default);
            (u.total_ns, u.user_ns, u.system_ns) = (total_ns, times.user_ns, times.system_ns);
            let (user, system) = (&mut u.percpu_user_ns, &mut u.percpu_system_ns);
            // usage_all's columns are tick-based on recent kernels and do not add
            // up to usage_percpu, which is the scheduler's own count: read both.
            f.parse(all, |t| cpuacct_usage_all(t, user, system))?;
            f.parse(percpu, |t| cpuacct_usage_percpu(t, &mut u.percpu_ns))?;
            any = true;
        } else {
            cpu.usage = None;
        }
        if !any {
            *out = None;
        }
        Ok(())
    }
}

fn hugetlb_slots(f: &mut Files, dir: usize, size: PageSize) -> [SlotId; 6] {
    let names = [
        "usage_in_bytes",
        "max_usage_in_bytes",
        "failcnt",
        "limit_in_bytes",
        "rsvd.usage_in_bytes",
        "rsvd.max_usage_in_bytes",
    ];
    names.map(|n| f.add(dir, format!("hugetlb.{size}.{n}")))
}

fn read_cpuset(f: &mut Files, s: &[SlotId], out: &mut Option<CpusetStats>) -> Result<()> {
    if !f.exists(s[0]) {
        *out = None;
        return Ok(());
    }
    let c = out.get_or_insert_with(Default::default);
    f.parse(s[0], |t| id_list(t, &mut c.cpus))?;
    f.parse(s[1], |t| id_list(t, &mut c.mems))?;
    f.parse(s[2], |t| id_list(t, &mut c.effective_cpus))?;
    f.parse(s[3], |t| id_list(t, &mut c.effective_mems))?;
    let flags = [
        &mut c.cpu_exclusive,
        &mut c.mem_hardwall,
        &mut c.mem_exclusive,
        &mut c.memory_migrate,
        &mut c.memory_spread_page,
        &mut c.memory_spread_slab,
        &mut c.memory_pressure,
        &mut c.sched_load_balance,
    ];
    for (slot, value) in s[4..12].iter().zip(flags) {
        *value = f.parse(*slot, counter)?;
    }
    c.sched_relax_domain_level = f.parse(s[12], signed)?;
    Ok(())
}

fn read_quad(f: &mut Files, q: &Quad) -> Result<Option<MemoryData>> {
    let [usage, max_usage, failcnt, lim] = *q;
    let Some(usage) = f.parse(usage, counter)? else {
        return Ok(None);
    };
    Ok(Some(MemoryData {
        usage,
        max_usage: f.parse(max_usage, counter)?,
        failcnt: f.parse(failcnt, counter)?,
        // C15: memory.kmem.limit_in_bytes is gone on newer kernels.
        limit: f.parse(lim, limit)?,
    }))
}

fn read_memory(
    f: &mut Files,
    (quads, [stat, hierarchy, oom, numa_file]): &([Quad; 4], [SlotId; 4]),
    out: &mut Option<MemoryStats>,
) -> Result<()> {
    let [memory, memsw, kmem, kmem_tcp] = quads;
    let Some(usage) = read_quad(f, memory)? else {
        *out = None;
        return Ok(());
    };
    let m = out.get_or_insert_with(Default::default);
    m.clear();
    m.usage = usage;
    m.swap_usage = read_quad(f, memsw)?;
    m.swap_only_usage = m.swap_usage.map(|sw| swap_only(&m.usage, &sw));
    m.kernel_usage = read_quad(f, kmem)?;
    m.kernel_tcp_usage = read_quad(f, kmem_tcp)?;
    f.parse(*stat, |t| memory_stat(t, &mut m.stat))?;
    m.cache = m.stat.get(MemoryStatKey::Cache);
    m.use_hierarchy = f.parse(*hierarchy, counter)? == Some(1);
    m.oom_control = f.parse(*oom, oom_control)?;
    let numa = m.numa.get_or_insert_with(Default::default);
    if f.parse(*numa_file, |t| numa_stat_v1(t, numa))?.is_none() {
        m.numa = None;
    }
    Ok(())
}

/// Swap alone on v1: memory+swap minus memory (saturating: the two files are
/// read at slightly different times).
fn swap_only(memory: &MemoryData, memsw: &MemoryData) -> MemoryData {
    use cgroups_core::Limit;
    let limit = match (memory.limit, memsw.limit) {
        (Some(Limit::Value(m)), Some(Limit::Value(s))) => Some(Limit::Value(s.saturating_sub(m))),
        (_, Some(Limit::Max)) => Some(Limit::Max),
        _ => None,
    };
    MemoryData {
        usage: memsw.usage.saturating_sub(memory.usage),
        max_usage: None,
        failcnt: None,
        limit,
    }
}

type Family = (BlkioSource, Vec<(SlotId, BlkioList)>);

fn read_blkio(f: &mut Files, families: &[Family], out: &mut Option<BlkioStats>) -> Result<()> {
    let b = out.get_or_insert_with(Default::default);
    b.clear();
    let mut first_existing = None;
    for (source, files) in families {
        let Some(&(first, list)) = files.first() else {
            continue;
        };
        let target = b.list(list);
        if f.parse(first, |t| blkio_v1(t, target))?.is_none() {
            continue;
        }
        first_existing.get_or_insert(*source);
        if b.list(list).is_empty() {
            continue;
        }
        // C09: the first family whose first file has entries wins.
        b.source = *source;
        for &(slot, list) in &files[1..] {
            let target = b.list(list);
            f.parse(slot, |t| blkio_v1(t, target))?;
        }
        return Ok(());
    }
    match first_existing {
        Some(source) => b.source = source,
        None => *out = None,
    }
    Ok(())
}

fn read_hugetlb(f: &mut Files, size: PageSize, s: &[SlotId; 6]) -> Result<Option<HugetlbStats>> {
    let [usage, max_usage, failcnt, lim, rsvd_usage, _rsvd_max] = *s;
    let Some(usage) = f.parse(usage, counter)? else {
        return Ok(None);
    };
    Ok(Some(HugetlbStats {
        page_size: size,
        usage,
        rsvd_usage: f.parse(rsvd_usage, counter)?,
        max_usage: f.parse(max_usage, counter)?,
        failcnt: f.parse(failcnt, counter)?,
        limit: f.parse(lim, limit)?,
    }))
}
