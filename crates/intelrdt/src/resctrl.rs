//! [`Resctrl`]: finding and opening the resctrl filesystem.

use std::path::{Path, PathBuf};

use pathsafe::{MountInfo, ProcBase, ProcFs};

use crate::error::{Error, ErrorKind, Result, from_pathsafe};
use crate::features::{BandwidthInfo, CacheInfo, Features};
use crate::root::{Root, read_text};
use crate::schemata::{Resource, Schemata};

/// Where resctrl is mounted by convention (the kernel creates this directory).
pub const DEFAULT_MOUNT_POINT: &str = "/sys/fs/resctrl";

/// An open resctrl filesystem: the root directory handle, checked to be resctrl.
///
/// Every file below it is opened beneath this handle: names are plain components
/// (no `..`, no `/` inside a group name), and any symlink or mount crossing below it
/// is refused ([`ErrorKind::UnsafePath`]): resctrl has neither.
#[derive(Debug)]
pub struct Resctrl {
    pub(crate) root: Root,
}

impl Resctrl {
    /// Find and open resctrl: [`DEFAULT_MOUNT_POINT`] when it is resctrl (filesystem
    /// magic), else the first mount of type `resctrl` in `/proc/self/mountinfo`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotAvailable`] when there is no resctrl mount (no RDT/PQoS in
    /// the CPU or kernel, or not mounted); errors of [`Resctrl::open`] for the mount
    /// found; `/proc` errors while reading mountinfo.
    pub fn discover() -> Result<Resctrl> {
        match Resctrl::open(DEFAULT_MOUNT_POINT) {
            Ok(resctrl) => return Ok(resctrl),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::WrongFilesystem) => {
                log::debug!("resctrl: {e}; looking in mountinfo");
            }
            Err(e) => return Err(e),
        }
        let proc = ProcFs::open().map_err(|e| from_pathsafe(&e))?;
        let mounts = proc
            .mountinfo(ProcBase::SelfProcess)
            .map_err(|e| from_pathsafe(&e))?;
        match find_mount_point(&mounts) {
            Some(mount_point) => Resctrl::open(mount_point),
            None => Err(not_available()),
        }
    }

    /// Open resctrl mounted at `path`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] if the path does not exist;
    /// [`ErrorKind::WrongFilesystem`] if it is not resctrl (`RDTGROUP_SUPER_MAGIC`).
    pub fn open(path: impl AsRef<Path>) -> Result<Resctrl> {
        Ok(Resctrl {
            root: Root::open(path.as_ref())?,
        })
    }

    /// Test-only (feature `test-fixtures`): open a fake resctrl tree in a temp dir.
    ///
    /// The filesystem is not checked; symlinks and mount crossings are refused as on
    /// resctrl. To mimic the kernel, writes create missing files, creating a group
    /// populates it (`tasks`, `schemata` copied from the root, and `mon_groups/` and
    /// `mon_data/` when the root has `mon_groups/`), and removing a group removes
    /// everything in it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] if the path does not exist.
    #[cfg(feature = "test-fixtures")]
    pub fn open_test_tree(path: impl AsRef<Path>) -> Result<Resctrl> {
        Ok(Resctrl {
            root: Root::open_fake(path.as_ref())?,
        })
    }

    /// The path this resctrl was opened at.
    pub fn path(&self) -> &Path {
        self.root.dir.path()
    }

    /// Duplicate the handle (for a second [`Manager`](crate::Manager)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] if the fd cannot be duplicated.
    pub fn try_clone(&self) -> Result<Resctrl> {
        Ok(Resctrl {
            root: self.root.try_clone()?,
        })
    }

    /// The features of this resctrl, from `info/`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] if `info/` is missing; read errors.
    pub fn features(&self) -> Result<Features> {
        Features::read(&self.root.dir)
    }

    /// The allocation parameters of a cache resource (`L3`, `L3CODE`, `L2`, ...).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] if `info/<resource>` or a file is missing;
    /// [`ErrorKind::Parse`] for content that is not a number.
    pub fn cache_info(&self, resource: &Resource) -> Result<CacheInfo> {
        CacheInfo::read(&self.root.dir, resource)
    }

    /// The allocation parameters of a bandwidth resource (`MB`, `SMBA`).
    ///
    /// # Errors
    ///
    /// As [`Resctrl::cache_info`].
    pub fn bandwidth_info(&self, resource: &Resource) -> Result<BandwidthInfo> {
        BandwidthInfo::read(&self.root.dir, resource)
    }

    /// The schemata of the root (default) group.
    ///
    /// # Errors
    ///
    /// Read errors; [`ErrorKind::InvalidSchemata`] if the kernel's text does not
    /// parse.
    pub fn root_schemata(&self) -> Result<Schemata> {
        Schemata::parse(&read_text(&self.root.dir, "schemata")?)
    }

    /// `info/last_cmd_status`: the kernel's explanation of the last resctrl command
    /// (`ok` or why it was refused), when readable.
    pub fn last_cmd_status(&self) -> Option<String> {
        self.root.last_cmd_status().map(|s| s.trim().to_owned())
    }
}

/// Find resctrl with [`Resctrl::discover`].
///
/// # Errors
///
/// As [`Resctrl::discover`]; [`ErrorKind::NotAvailable`] on hosts without resctrl.
pub fn discover() -> Result<Resctrl> {
    Resctrl::discover()
}

/// Whether resctrl is available here (discovered once, then cached).
pub fn is_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| match discover() {
        Ok(_) => true,
        Err(e) => {
            log::debug!("resctrl: {e}");
            false
        }
    })
}

/// The features of the discovered resctrl ([`discover`] then [`Resctrl::features`]).
///
/// # Errors
///
/// As [`discover`] and [`Resctrl::features`].
pub fn features() -> Result<Features> {
    discover()?.features()
}

/// The mount point of the first `resctrl` mount.
fn find_mount_point(mounts: &[MountInfo]) -> Option<PathBuf> {
    let mount = mounts.iter().find(|m| m.fs_type == "resctrl")?;
    Some(PathBuf::from(&mount.mount_point))
}

fn not_available() -> Error {
    let msg = format!(
        "Intel RDT is not available: {DEFAULT_MOUNT_POINT} is not resctrl and no resctrl \
         mount is listed in /proc/self/mountinfo; it needs a CPU with RDT (or AMD PQoS), \
         a kernel with CONFIG_X86_CPU_RESCTRL, and `mount -t resctrl resctrl \
         {DEFAULT_MOUNT_POINT}`"
    );
    Error::new(ErrorKind::NotAvailable, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(fs_type: &str, mount_point: &str) -> MountInfo {
        MountInfo {
            mount_id: 1,
            parent_id: 0,
            major: 0,
            minor: 1,
            root: "/".into(),
            mount_point: mount_point.into(),
            mount_options: "rw".into(),
            optional_fields: String::new(),
            fs_type: fs_type.into(),
            source: fs_type.into(),
            super_options: "rw".into(),
        }
    }

    #[test]
    fn first_resctrl_mount_in_mountinfo_is_taken() {
        let mounts = [
            mount("sysfs", "/sys"),
            mount("tmpfs", "/sys/fs/resctrl"),
            mount("resctrl", "/mnt/rdt one"),
            mount("resctrl", "/sys/fs/resctrl"),
        ];
        assert_eq!(
            find_mount_point(&mounts),
            Some(PathBuf::from("/mnt/rdt one"))
        );
    }

    #[test]
    fn mountinfo_without_resctrl_finds_nothing() {
        assert_eq!(
            find_mount_point(&[mount("cgroup2", "/sys/fs/cgroup")]),
            None
        );
        assert_eq!(find_mount_point(&[]), None);
    }

    #[test]
    fn escaped_resctrl_mount_point_is_unescaped_by_the_parser() {
        let text = "24 1 0:22 / /sys rw - sysfs sysfs rw\n\
                    40 24 0:35 / /mnt/rdt\\040x rw,relatime - resctrl resctrl rw,cdp\n";
        let mounts = pathsafe::parse_mountinfo(text).unwrap();
        assert_eq!(find_mount_point(&mounts), Some(PathBuf::from("/mnt/rdt x")));
    }

    /// Real host: there is no resctrl here.
    #[test]
    fn discover_on_a_host_without_resctrl_is_not_available() {
        let err = discover().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotAvailable, "{err}");
        assert!(!is_enabled());
        assert_eq!(features().unwrap_err().kind(), ErrorKind::NotAvailable);
    }

    /// Real host: a directory that is not resctrl is refused by its magic.
    #[test]
    fn open_refuses_a_directory_that_is_not_resctrl() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Resctrl::open(tmp.path()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
        assert_eq!(err.path(), Some(tmp.path()));
        let err = Resctrl::open("/sys/fs/cgroup/cpu").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
        let err = Resctrl::open(tmp.path().join("absent")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    }
}
