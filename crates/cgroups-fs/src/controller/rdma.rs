//! v1 `rdma`: `rdma.max`, one write per device: `"<dev> hca_handle=N hca_object=M"`
//! with only the keys that are set.

use std::collections::BTreeMap;

use cgroups_core::{RdmaLimit, Result};

use crate::files::Files;

/// Whether anything is to be written to the rdma hierarchy.
pub(crate) fn wanted(limits: &BTreeMap<String, RdmaLimit>) -> bool {
    limits
        .values()
        .any(|l| l.hca_handles.is_some() || l.hca_objects.is_some())
}

/// Writes `rdma.max` for every device with a limit.
pub(crate) fn set(files: &dyn Files, limits: &BTreeMap<String, RdmaLimit>) -> Result<()> {
    for (device, l) in limits {
        let mut line = device.clone();
        if let Some(h) = l.hca_handles {
            line.push_str(&format!(" hca_handle={h}"));
        }
        if let Some(o) = l.hca_objects {
            line.push_str(&format!(" hca_object={o}"));
        }
        if line.len() > device.len() {
            files.write("rdma.max", &line)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    #[test]
    fn each_device_is_one_write_with_the_keys_that_are_set() {
        let f = FakeFiles::new("/fake/rdma/c", &[("rdma.max", "")]);
        let mut limits = BTreeMap::new();
        limits.insert("mlx5_1".to_owned(), RdmaLimit::new(Some(100), Some(300)));
        limits.insert("mlx4_0".to_owned(), RdmaLimit::new(None, Some(7)));
        limits.insert("none".to_owned(), RdmaLimit::default());
        set(&f, &limits).unwrap();
        let want = [
            ("rdma.max", "mlx4_0 hca_object=7"),
            ("rdma.max", "mlx5_1 hca_handle=100 hca_object=300"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }
}
