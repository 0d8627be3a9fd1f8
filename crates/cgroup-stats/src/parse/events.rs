//! v2 `cgroup.events`: `populated` and `frozen`.

use crate::error::{Error, Result};
use crate::parse::flat_keyed::flat_keyed;

/// The content of v2 `cgroup.events`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CgroupEvents {
    /// Some process lives in the cgroup or a descendant.
    pub populated: bool,
    /// The cgroup is frozen (`None` before kernel 5.2, which has no freezer).
    pub frozen: Option<bool>,
}

/// Parses v2 `cgroup.events`.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a malformed line or a
/// missing `populated` line.
pub fn cgroup_events(text: &[u8]) -> Result<CgroupEvents> {
    let [populated, frozen] = flat_keyed(text, ["populated", "frozen"])?;
    let Some(populated) = populated else {
        return Err(Error::parse("there is no populated line", text));
    };
    Ok(CgroupEvents {
        populated: populated != 0,
        frozen: frozen.map(|f| f != 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn populated_and_frozen_are_read() {
        let e = cgroup_events(b"populated 1\nfrozen 0\n").unwrap();
        assert_eq!((e.populated, e.frozen), (true, Some(false)));
        let old = cgroup_events(b"populated 0\n").unwrap();
        assert_eq!(old.frozen, None);
        assert!(cgroup_events(b"frozen 1\n").is_err());
    }
}
