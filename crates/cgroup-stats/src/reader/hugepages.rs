//! The huge page sizes of this machine, from `/sys/kernel/mm/hugepages` (C12).

use std::sync::OnceLock;

use crate::model::PageSize;
use crate::parse::hugepage_dir_name;

/// The huge page sizes this kernel supports, smallest first, read once per
/// process from the directory names of `/sys/kernel/mm/hugepages`
/// (`hugepages-2048kB` → `2MB`).
///
/// A name with a malformed size is skipped with a warning in the log, the valid
/// ones are still returned; a machine without the directory (no hugetlbfs
/// support) has no sizes.
pub fn hugepage_sizes() -> &'static [PageSize] {
    static SIZES: OnceLock<Vec<PageSize>> = OnceLock::new();
    SIZES.get_or_init(read_sizes)
}

fn read_sizes() -> Vec<PageSize> {
    const DIR: &str = "/sys/kernel/mm/hugepages";
    let names =
        pathsafe::Dir::open_fs_root(DIR, pathsafe::FsType::Sysfs).and_then(|dir| dir.sub_dirs());
    let names = match names {
        Ok(names) => names,
        Err(err) => {
            log::debug!("no huge page sizes: {DIR}: {err}");
            return Vec::new();
        }
    };
    let mut sizes: Vec<PageSize> = names
        .iter()
        .filter_map(|name| match hugepage_dir_name(name) {
            Ok(size) => size,
            Err(err) => {
                log::warn!("{DIR}: skipped: {err}");
                None
            }
        })
        .collect();
    sizes.sort();
    sizes
}
