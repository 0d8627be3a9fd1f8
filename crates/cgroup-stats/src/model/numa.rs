//! v1 `memory.numa_stat`: pages per NUMA node.

/// v1 `memory.numa_stat` (Go reference: `PageUsageByNUMA`), in pages.
///
/// Each line is `<name>=<total> N0=<pages> N1=<pages> ...`; the names known here
/// are `total`, `file`, `anon`, `unevictable` and their `hierarchical_` forms.
/// Other lines (custom kernels print e.g. `numa_locality ...`) are skipped.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NumaStat {
    /// `total=`: every page of the cgroup.
    pub total: PageStats,
    /// `file=`: page cache.
    pub file: PageStats,
    /// `anon=`: anonymous pages.
    pub anon: PageStats,
    /// `unevictable=`.
    pub unevictable: PageStats,
    /// The `hierarchical_*` lines: the cgroup and its descendants.
    pub hierarchical: HierarchicalNumaStat,
}

/// The `hierarchical_*` lines of v1 `memory.numa_stat`.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HierarchicalNumaStat {
    /// `hierarchical_total=`.
    pub total: PageStats,
    /// `hierarchical_file=`.
    pub file: PageStats,
    /// `hierarchical_anon=`.
    pub anon: PageStats,
    /// `hierarchical_unevictable=`.
    pub unevictable: PageStats,
}

/// One line of `memory.numa_stat`: a total and the pages on each node (Go
/// reference: `PageStats`).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PageStats {
    /// The value after `name=`; `None` when the line is absent.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub total: Option<u64>,
    /// `(node, pages)` for each `N<node>=<pages>` column, in file order.
    #[cfg_attr(
        feature = "serde",
        serde(serialize_with = "crate::model::json::node_map")
    )]
    pub nodes: Vec<(u8, u64)>,
}

impl PageStats {
    fn clear(&mut self) {
        self.total = None;
        self.nodes.clear();
    }
}

impl NumaStat {
    /// The line slot for a name, if the name is one of the eight known ones.
    pub(crate) fn slot(&mut self, name: &[u8]) -> Option<&mut PageStats> {
        let h = &mut self.hierarchical;
        Some(match name {
            b"total" => &mut self.total,
            b"file" => &mut self.file,
            b"anon" => &mut self.anon,
            b"unevictable" => &mut self.unevictable,
            b"hierarchical_total" => &mut h.total,
            b"hierarchical_file" => &mut h.file,
            b"hierarchical_anon" => &mut h.anon,
            b"hierarchical_unevictable" => &mut h.unevictable,
            _ => return None,
        })
    }

    pub(crate) fn clear(&mut self) {
        for p in [
            &mut self.total,
            &mut self.file,
            &mut self.anon,
            &mut self.unevictable,
        ] {
            p.clear();
        }
        let h = &mut self.hierarchical;
        for p in [&mut h.total, &mut h.file, &mut h.anon, &mut h.unevictable] {
            p.clear();
        }
    }
}
