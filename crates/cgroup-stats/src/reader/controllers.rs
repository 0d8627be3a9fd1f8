//! [`Controllers`]: which statistics a reader reads.

bitflags::bitflags! {
    /// The statistics a [`Reader`](crate::Reader) reads; each flag adds the files
    /// of one controller (and `PRESSURE` the PSI files of the chosen ones).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Controllers: u16 {
        /// v2 `cpu.stat`; v1 `cpu.stat` and the `cpuacct` files.
        const CPU = 1 << 0;
        /// cpuset lists (and on v1 the cpuset flags).
        const CPUSET = 1 << 1;
        /// Memory, swap, kernel memory, `memory.stat`, events, v1 NUMA.
        const MEMORY = 1 << 2;
        /// `pids.current`, `pids.max`, `pids.peak`, `pids.events`.
        const PIDS = 1 << 3;
        /// v2 `io.stat`; v1 the `blkio` statistics families.
        const IO = 1 << 4;
        /// hugetlb per page size.
        const HUGETLB = 1 << 5;
        /// `rdma.current`, `rdma.max`.
        const RDMA = 1 << 6;
        /// `misc.current`, `misc.max`, `misc.events`.
        const MISC = 1 << 7;
        /// PSI (`cpu.pressure`, `memory.pressure`, `io.pressure`; v2 only) of
        /// the controllers chosen.
        const PRESSURE = 1 << 8;
    }
}

impl Controllers {
    /// Parses a comma-separated list of names: `cpu`, `cpuacct` (same as `cpu`),
    /// `cpuset`, `memory`, `pids`, `io`, `blkio` (same as `io`), `hugetlb`,
    /// `rdma`, `misc`, `pressure` (or `psi`), `all`.
    ///
    /// # Errors
    ///
    /// The first name that is not one of these.
    pub fn from_names(list: &str) -> Result<Controllers, String> {
        let mut out = Controllers::empty();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            out |= match name {
                "cpu" | "cpuacct" => Controllers::CPU,
                "cpuset" => Controllers::CPUSET,
                "memory" => Controllers::MEMORY,
                "pids" => Controllers::PIDS,
                "io" | "blkio" => Controllers::IO,
                "hugetlb" => Controllers::HUGETLB,
                "rdma" => Controllers::RDMA,
                "misc" => Controllers::MISC,
                "pressure" | "psi" => Controllers::PRESSURE,
                "all" => Controllers::all(),
                other => return Err(other.to_owned()),
            };
        }
        Ok(out)
    }
}

impl Default for Controllers {
    /// Every controller and PSI.
    fn default() -> Controllers {
        Controllers::all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_flags_and_unknown_names_are_refused() {
        let c = Controllers::from_names("cpu,memory, blkio").unwrap();
        assert_eq!(c, Controllers::CPU | Controllers::MEMORY | Controllers::IO);
        assert_eq!(Controllers::from_names("all").unwrap(), Controllers::all());
        assert_eq!(Controllers::from_names("cpu,net").unwrap_err(), "net");
    }
}
