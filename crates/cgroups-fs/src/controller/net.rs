//! v1 `net_cls` and `net_prio`: `net_cls.classid` and `net_prio.ifpriomap`.
//!
//! The class id is written in decimal (`0x100001` → `1048577`); each priority entry
//! `"<interface> <priority>"` is its own write.

use cgroups_core::{NetworkResources, Result};

use crate::files::Files;

/// Whether anything is to be written to the net_cls hierarchy.
pub(crate) fn cls_wanted(n: &NetworkResources) -> bool {
    n.class_id.is_some()
}

/// Whether anything is to be written to the net_prio hierarchy.
pub(crate) fn prio_wanted(n: &NetworkResources) -> bool {
    !n.priorities.is_empty()
}

/// Writes `net_cls.classid`.
pub(crate) fn set_cls(files: &dyn Files, n: &NetworkResources) -> Result<()> {
    match n.class_id {
        Some(id) => files.write("net_cls.classid", &id.to_string()),
        None => Ok(()),
    }
}

/// Writes `net_prio.ifpriomap`, one entry per write.
pub(crate) fn set_prio(files: &dyn Files, n: &NetworkResources) -> Result<()> {
    for (iface, prio) in &n.priorities {
        files.write("net_prio.ifpriomap", &format!("{iface} {prio}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    #[test]
    fn class_id_is_written_in_decimal() {
        let f = FakeFiles::new("/fake/net_cls/c", &[("net_cls.classid", "0")]);
        let mut n = NetworkResources::default();
        n.class_id = Some(0x0010_0001);
        set_cls(&f, &n).unwrap();
        assert_eq!(f.writes(), pairs(&[("net_cls.classid", "1048577")]));
    }

    #[test]
    fn each_priority_is_one_write() {
        let f = FakeFiles::new("/fake/net_prio/c", &[("net_prio.ifpriomap", "lo 0\n")]);
        let mut n = NetworkResources::default();
        n.priorities = vec![("eth0".to_owned(), 5), ("lo".to_owned(), 1)];
        set_prio(&f, &n).unwrap();
        let want = [
            ("net_prio.ifpriomap", "eth0 5"),
            ("net_prio.ifpriomap", "lo 1"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }
}
