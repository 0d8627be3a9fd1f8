//! What a reader reads on cgroup v2, and how the files become [`Stats`].

use cgroups_core::Limit;

use crate::error::Result;
use crate::model::{
    CpuStats, CpusetStats, HugetlbStats, MemoryData, MemoryStatKey, MemoryStats, MiscStats,
    PageSize, RdmaStats, Stats,
};
use crate::parse::{
    counter, cpu_stat_v2, flat_keyed, id_list, io_stat, limit, memory_events, memory_stat, misc,
    pressure, rdma,
};
use crate::reader::Controllers;
use crate::reader::files::{Files, SlotId};
use crate::reader::pids::PidsPlan;

/// The files of each chosen controller in the cgroup's one directory (index 0).
pub(crate) struct V2Plan {
    cpu: Option<(SlotId, Option<SlotId>)>,
    cpuset: Option<[SlotId; 4]>,
    memory: Option<([SlotId; 8], Option<SlotId>)>,
    pids: Option<PidsPlan>,
    io: Option<(SlotId, Option<SlotId>)>,
    hugetlb: Vec<(PageSize, [SlotId; 5])>,
    rdma: Option<[SlotId; 2]>,
    misc: Option<[SlotId; 3]>,
}

fn add<const N: usize>(files: &mut Files, names: [&'static str; N]) -> [SlotId; N] {
    names.map(|name| files.add(0, name))
}

impl V2Plan {
    /// `pids_counter`: whether the cgroup has `pids.current`; without it the
    /// task count comes from its process lists (decided once, here).
    pub(crate) fn new(
        files: &mut Files,
        c: Controllers,
        sizes: &[PageSize],
        pids_counter: bool,
    ) -> V2Plan {
        let psi = |name: &'static str, files: &mut Files| {
            c.contains(Controllers::PRESSURE)
                .then(|| files.add(0, name))
        };
        let on = |flag| c.contains(flag);
        V2Plan {
            cpu: on(Controllers::CPU)
                .then(|| (files.add(0, "cpu.stat"), psi("cpu.pressure", files))),
            cpuset: on(Controllers::CPUSET).then(|| {
                let names = ["cpuset.cpus", "cpuset.mems"];
                let [a, b] = add(files, names);
                let eff = ["cpuset.cpus.effective", "cpuset.mems.effective"];
                let [c, d] = add(files, eff);
                [a, b, c, d]
            }),
            memory: on(Controllers::MEMORY).then(|| {
                let slots = add(
                    files,
                    [
                        "memory.current",
                        "memory.max",
                        "memory.peak",
                        "memory.swap.current",
                        "memory.swap.max",
                        "memory.swap.peak",
                        "memory.stat",
                        "memory.events",
                    ],
                );
                (slots, psi("memory.pressure", files))
            }),
            pids: on(Controllers::PIDS).then(|| match pids_counter {
                true => PidsPlan::controller(files, 0),
                false => PidsPlan::count(files, 0),
            }),
            io: on(Controllers::IO).then(|| (files.add(0, "io.stat"), psi("io.pressure", files))),
            hugetlb: match on(Controllers::HUGETLB) {
                true => sizes
                    .iter()
                    .map(|&s| (s, hugetlb_slots(files, s)))
                    .collect(),
                false => Vec::new(),
            },
            rdma: on(Controllers::RDMA).then(|| add(files, ["rdma.current", "rdma.max"])),
            misc: on(Controllers::MISC)
                .then(|| add(files, ["misc.current", "misc.max", "misc.events"])),
        }
    }

    pub(crate) fn read(&self, f: &mut Files, stats: &mut Stats) -> Result<()> {
        if let Some(slots) = &self.cpu {
            read_cpu(f, slots, &mut stats.cpu)?;
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
        if let Some((stat, psi)) = self.io {
            let blkio = stats.blkio.get_or_insert_with(Default::default);
            let found = f.parse(stat, |t| io_stat(t, blkio))?.is_some();
            blkio.source = match found {
                true => crate::model::BlkioSource::IoStat,
                false => crate::model::BlkioSource::None,
            };
            blkio.psi = f.parse_opt(psi, pressure)?;
            if !found && blkio.psi.is_none() {
                stats.blkio = None;
            }
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
}

fn hugetlb_slots(files: &mut Files, size: PageSize) -> [SlotId; 5] {
    let names = ["current", "max", "rsvd.current", "rsvd.max", "events"];
    names.map(|n| files.add(0, format!("hugetlb.{size}.{n}")))
}

fn read_cpu(
    f: &mut Files,
    &(stat, psi): &(SlotId, Option<SlotId>),
    out: &mut Option<CpuStats>,
) -> Result<()> {
    let cpu = out.get_or_insert_with(Default::default);
    cpu.clear();
    if f.parse(stat, |t| cpu_stat_v2(t, cpu))?.is_none() {
        *out = None;
        return Ok(());
    }
    cpu.psi = f.parse_opt(psi, pressure)?;
    Ok(())
}

fn read_cpuset(f: &mut Files, s: &[SlotId; 4], out: &mut Option<CpusetStats>) -> Result<()> {
    if !f.exists(s[0]) && !f.exists(s[2]) {
        *out = None;
        return Ok(());
    }
    let c = out.get_or_insert_with(Default::default);
    f.parse(s[0], |t| id_list(t, &mut c.cpus))?;
    f.parse(s[1], |t| id_list(t, &mut c.mems))?;
    f.parse(s[2], |t| id_list(t, &mut c.effective_cpus))?;
    f.parse(s[3], |t| id_list(t, &mut c.effective_mems))?;
    Ok(())
}

fn read_memory(
    f: &mut Files,
    (s, psi): &([SlotId; 8], Option<SlotId>),
    out: &mut Option<MemoryStats>,
) -> Result<()> {
    let [
        current,
        max,
        peak,
        swap_current,
        swap_max,
        swap_peak,
        stat,
        events,
    ] = *s;
    let Some(usage) = f.parse(current, counter)? else {
        *out = None;
        return Ok(());
    };
    let m = out.get_or_insert_with(Default::default);
    m.clear();
    m.usage = MemoryData {
        usage,
        max_usage: f.parse(peak, counter)?,
        failcnt: None,
        limit: f.parse(max, limit)?,
    };
    if let Some(swap) = f.parse(swap_current, counter)? {
        let only = MemoryData {
            usage: swap,
            max_usage: f.parse(swap_peak, counter)?,
            failcnt: None,
            limit: f.parse(swap_max, limit)?,
        };
        m.swap_usage = Some(MemoryData::v2_memory_plus_swap(&m.usage, &only));
        m.swap_only_usage = Some(only);
    }
    f.parse(stat, |t| memory_stat(t, &mut m.stat))?;
    m.cache = m.stat.get(MemoryStatKey::File);
    m.use_hierarchy = true;
    m.events = f.parse(events, memory_events)?;
    m.psi = f.parse_opt(*psi, pressure)?;
    Ok(())
}

fn read_hugetlb(f: &mut Files, size: PageSize, s: &[SlotId; 5]) -> Result<Option<HugetlbStats>> {
    let [current, max, rsvd_current, _rsvd_max, events] = *s;
    let Some(usage) = f.parse(current, counter)? else {
        return Ok(None);
    };
    Ok(Some(HugetlbStats {
        page_size: size,
        usage,
        rsvd_usage: f.parse(rsvd_current, counter)?,
        max_usage: None,
        // C11: the count is the `max` key of hugetlb.<size>.events (no .rsvd
        // events file exists).
        failcnt: f
            .parse(events, |t| flat_keyed(t, ["max"]))?
            .and_then(|[m]| m),
        limit: f.parse(max, limit)?,
    }))
}

pub(crate) fn read_rdma(
    f: &mut Files,
    &[current, max]: &[SlotId; 2],
    out: &mut Option<RdmaStats>,
) -> Result<()> {
    let r = out.get_or_insert_with(Default::default);
    if f.parse(current, |t| rdma(t, &mut r.current))?.is_none() {
        *out = None;
        return Ok(());
    }
    f.parse(max, |t| rdma(t, &mut r.limit))?;
    Ok(())
}

pub(crate) fn read_misc(f: &mut Files, s: &[SlotId; 3], out: &mut Vec<MiscStats>) -> Result<()> {
    let [current, max, events] = *s;
    out.clear();
    f.parse(current, |t| {
        misc(t, |name, usage| {
            out.push(MiscStats {
                name,
                usage: usage.unwrap_or(0),
                limit: None,
                events: None,
            })
        })
    })?;
    f.parse(max, |t| {
        misc(t, |name, value| {
            if let Some(m) = out.iter_mut().find(|m| m.name == name) {
                m.limit = Some(value.map_or(Limit::Max, Limit::Value));
            }
        })
    })?;
    f.parse(events, |t| {
        misc(t, |name, value| {
            let resource = name.as_str().strip_suffix(".max");
            let entry = out.iter_mut().find(|m| Some(m.name.as_str()) == resource);
            if let (Some(m), Some(v)) = (entry, value) {
                m.events = Some(v);
            }
        })
    })?;
    Ok(())
}
