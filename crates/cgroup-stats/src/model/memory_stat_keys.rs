//! The keys of `memory.stat` that this crate knows by name (v1 and v2).

macro_rules! memory_stat_keys {
    ($($variant:ident => $name:literal,)*) => {
        /// A key of `memory.stat` known by name, v1 or v2 (see the kernel's
        /// `Documentation/admin-guide/cgroup-v2.rst`, "memory.stat", and
        /// `cgroup-v1/memory.rst`, section 5.2).
        ///
        /// v1's hierarchical `total_<key>` lines are kept under the same key in
        /// [`MemoryStat::total`](crate::MemoryStat::total). Keys not listed here
        /// are kept too, by name ([`MemoryStat::others`](crate::MemoryStat::others)).
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum MemoryStatKey {
            $($variant,)*
        }

        impl MemoryStatKey {
            /// Every known key, in declaration order.
            pub const ALL: &'static [MemoryStatKey] = &[$(MemoryStatKey::$variant,)*];

            /// The key as the kernel prints it.
            pub fn name(self) -> &'static str {
                match self {
                    $(MemoryStatKey::$variant => $name,)*
                }
            }

            /// The key printed as `name`, if it is a known one.
            pub fn from_name(name: &[u8]) -> Option<MemoryStatKey> {
                match std::str::from_utf8(name).ok()? {
                    $($name => Some(MemoryStatKey::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

memory_stat_keys! {
    // cgroup v1 (and some shared with v2)
    Cache => "cache",
    Rss => "rss",
    RssHuge => "rss_huge",
    Shmem => "shmem",
    MappedFile => "mapped_file",
    Dirty => "dirty",
    Writeback => "writeback",
    Swap => "swap",
    Swapcached => "swapcached",
    Pgpgin => "pgpgin",
    Pgpgout => "pgpgout",
    Pgfault => "pgfault",
    Pgmajfault => "pgmajfault",
    InactiveAnon => "inactive_anon",
    ActiveAnon => "active_anon",
    InactiveFile => "inactive_file",
    ActiveFile => "active_file",
    Unevictable => "unevictable",
    HierarchicalMemoryLimit => "hierarchical_memory_limit",
    HierarchicalMemswLimit => "hierarchical_memsw_limit",
    WorkingsetRefaultAnon => "workingset_refault_anon",
    WorkingsetRefaultFile => "workingset_refault_file",
    // cgroup v2
    Anon => "anon",
    File => "file",
    Kernel => "kernel",
    KernelStack => "kernel_stack",
    Pagetables => "pagetables",
    SecPagetables => "sec_pagetables",
    Percpu => "percpu",
    Sock => "sock",
    Vmalloc => "vmalloc",
    Zswap => "zswap",
    Zswapped => "zswapped",
    FileMapped => "file_mapped",
    FileDirty => "file_dirty",
    FileWriteback => "file_writeback",
    AnonThp => "anon_thp",
    FileThp => "file_thp",
    ShmemThp => "shmem_thp",
    SlabReclaimable => "slab_reclaimable",
    SlabUnreclaimable => "slab_unreclaimable",
    Slab => "slab",
    Hugetlb => "hugetlb",
    WorkingsetActivateAnon => "workingset_activate_anon",
    WorkingsetActivateFile => "workingset_activate_file",
    WorkingsetRestoreAnon => "workingset_restore_anon",
    WorkingsetRestoreFile => "workingset_restore_file",
    WorkingsetNodereclaim => "workingset_nodereclaim",
    Pgscan => "pgscan",
    Pgsteal => "pgsteal",
    PgscanKswapd => "pgscan_kswapd",
    PgscanDirect => "pgscan_direct",
    PgscanKhugepaged => "pgscan_khugepaged",
    PgstealKswapd => "pgsteal_kswapd",
    PgstealDirect => "pgsteal_direct",
    PgstealKhugepaged => "pgsteal_khugepaged",
    Pgrefill => "pgrefill",
    Pgactivate => "pgactivate",
    Pgdeactivate => "pgdeactivate",
    Pglazyfree => "pglazyfree",
    Pglazyfreed => "pglazyfreed",
    Zswpin => "zswpin",
    Zswpout => "zswpout",
    Zswpwb => "zswpwb",
    ThpFaultAlloc => "thp_fault_alloc",
    ThpCollapseAlloc => "thp_collapse_alloc",
    ThpSwpout => "thp_swpout",
    ThpSwpoutFallback => "thp_swpout_fallback",
    NumaPagesMigrated => "numa_pages_migrated",
    NumaPteUpdates => "numa_pte_updates",
    NumaHintFaults => "numa_hint_faults",
    PgdemoteKswapd => "pgdemote_kswapd",
    PgdemoteDirect => "pgdemote_direct",
    PgdemoteKhugepaged => "pgdemote_khugepaged",
    PgpromoteSuccess => "pgpromote_success",
}

/// Number of known keys.
pub(crate) const KEY_COUNT: usize = MemoryStatKey::ALL.len();
