//! v1 `hugetlb`: `hugetlb.<size>.limit_in_bytes` and `hugetlb.<size>.rsvd.limit_in_bytes`.
//!
//! Each limit is written to the fault limit and then, with the same value, to the
//! reservation limit. Kernels before 5.7 have no `rsvd` files: the first ENOENT on an
//! `rsvd` file stops the `rsvd` writes for the remaining sizes of this call. A size
//! name is the cgroup spelling (`2MB`, `1GB`, `64KB`, C12); validation refuses names
//! that are not plain file-name parts, and the kernel's ENOENT on an unknown size is
//! reported with the file name.

use cgroups_core::{ErrorKind, HugetlbLimit, Limit, Result};

use crate::files::{Files, rephrase};

/// Whether anything is to be written to the hugetlb hierarchy.
pub(crate) fn wanted(limits: &[HugetlbLimit]) -> bool {
    !limits.is_empty()
}

/// Writes every limit (and its reservation limit while the kernel has them).
pub(crate) fn set(files: &dyn Files, limits: &[HugetlbLimit]) -> Result<()> {
    let mut rsvd = true;
    for l in limits {
        let value = match l.limit {
            Limit::Max => "-1".to_owned(),
            Limit::Value(v) => v.to_string(),
        };
        let file = format!("hugetlb.{}.limit_in_bytes", l.page_size);
        files.write(&file, &value).map_err(|e| {
            if !e.is_not_found() {
                return e;
            }
            rephrase(
                e,
                ErrorKind::InvalidValue,
                format!(
                    "this kernel has no {file}: hugepage size {:?} is unknown",
                    l.page_size
                ),
                "use a size listed in /sys/kernel/mm/hugepages, spelled as in cgroup \
                 file names (64KB, 2MB, 1GB)",
            )
            .with_field("hugetlb")
        })?;
        if !rsvd {
            continue;
        }
        let file = format!("hugetlb.{}.rsvd.limit_in_bytes", l.page_size);
        match files.write(&file, &value) {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {
                log::debug!("hugetlb: no {file}; reservation limits are not supported");
                rsvd = false;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    fn limit(size: &str, bytes: u64) -> HugetlbLimit {
        HugetlbLimit::new(size.to_owned(), Limit::Value(bytes))
    }

    #[test]
    fn limit_and_reservation_limit_are_both_written() {
        let f = FakeFiles::new(
            "/fake/hugetlb/c",
            &[
                ("hugetlb.2MB.limit_in_bytes", ""),
                ("hugetlb.2MB.rsvd.limit_in_bytes", ""),
                ("hugetlb.1GB.limit_in_bytes", ""),
                ("hugetlb.1GB.rsvd.limit_in_bytes", ""),
            ],
        );
        let mut unlimited = limit("1GB", 0);
        unlimited.limit = Limit::Max;
        set(&f, &[limit("2MB", 4_194_304), unlimited]).unwrap();
        let want = [
            ("hugetlb.2MB.limit_in_bytes", "4194304"),
            ("hugetlb.2MB.rsvd.limit_in_bytes", "4194304"),
            ("hugetlb.1GB.limit_in_bytes", "-1"),
            ("hugetlb.1GB.rsvd.limit_in_bytes", "-1"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn first_missing_rsvd_file_stops_rsvd_writes() {
        let f = FakeFiles::new(
            "/fake/hugetlb/c",
            &[
                ("hugetlb.2MB.limit_in_bytes", ""),
                ("hugetlb.1GB.limit_in_bytes", ""),
                ("hugetlb.64KB.limit_in_bytes", ""),
            ],
        );
        set(&f, &[limit("2MB", 1), limit("1GB", 2), limit("64KB", 3)]).unwrap();
        let attempted: Vec<String> = f.attempts().into_iter().map(|(file, _)| file).collect();
        assert_eq!(
            attempted,
            [
                "hugetlb.2MB.limit_in_bytes",
                "hugetlb.2MB.rsvd.limit_in_bytes",
                "hugetlb.1GB.limit_in_bytes",
                "hugetlb.64KB.limit_in_bytes",
            ]
        );
        assert_eq!(f.writes().len(), 3);
    }

    #[test]
    fn unknown_page_size_is_an_invalid_value_naming_the_file() {
        let f = FakeFiles::new("/fake/hugetlb/c", &[("hugetlb.2MB.limit_in_bytes", "")]);
        let err = set(&f, &[limit("2Mi", 1)]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert!(err.path().unwrap().ends_with("hugetlb.2Mi.limit_in_bytes"));
    }
}
