//! Huge page sizes: the entries of `/sys/kernel/mm/hugepages` (C12).

use crate::error::{Error, Result};
use crate::model::PageSize;
use crate::parse::number::unsigned;

/// Parses an entry name of `/sys/kernel/mm/hugepages` (`hugepages-2048kB`).
///
/// `Ok(None)` for a name that does not start with `hugepages-` (not a page size
/// directory: skipped silently). The size's cgroup spelling is the
/// [`Display`](std::fmt::Display) of [`PageSize`] (`2MB`: sysfs says `kB`,
/// cgroup file names say `KB`, `MB`, `GB`).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a `hugepages-` name whose
/// size is not a number of `kB` (`hugepages-akB`, `hugepages-1024gB`).
pub fn hugepage_dir_name(name: &str) -> Result<Option<PageSize>> {
    let Some(size) = name.strip_prefix("hugepages-") else {
        return Ok(None);
    };
    let Some(kib) = size.strip_suffix("kB") else {
        let problem = "a hugepages directory name ends in kB";
        return Err(Error::parse(problem, name.as_bytes()));
    };
    let kib = unsigned(kib.as_bytes()).map_err(|p| Error::parse(p, name.as_bytes()))?;
    Ok(Some(PageSize::from_kib(kib)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysfs_names_become_cgroup_size_names() {
        // C12
        let names = [
            "hugepages-64kB",
            "hugepages-2048kB",
            "hugepages-32768kB",
            "hugepages-1048576kB",
            "hugepages-16777216kB",
        ];
        let sizes: Vec<String> = names
            .iter()
            .map(|n| hugepage_dir_name(n).unwrap().unwrap().to_string())
            .collect();
        assert_eq!(sizes, ["64KB", "2MB", "32MB", "1GB", "16GB"]);
    }

    #[test]
    fn bad_sizes_are_errors_and_other_names_are_skipped() {
        assert!(hugepage_dir_name("hugepages-akB").is_err());
        assert!(hugepage_dir_name("hugepages-1024gB").is_err());
        assert!(hugepage_dir_name("hugepages-1024").is_err());
        assert!(hugepage_dir_name("hugepages-kB").is_err());
        assert_eq!(hugepage_dir_name("whatever-1024kB").unwrap(), None);
        assert_eq!(hugepage_dir_name("1024kB").unwrap(), None);
    }

    #[test]
    fn sizes_truncate_like_the_kernel_names_its_files() {
        let s = hugepage_dir_name("hugepages-1536kB").unwrap().unwrap();
        assert_eq!(s.to_string(), "1MB");
    }
}
