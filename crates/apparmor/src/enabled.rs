//! Is AppArmor enabled? (securityfs directory and module parameter)

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use pathsafe::{OpenMode, Rootfs};

/// Where the kernel exposes AppArmor's securityfs directory, relative to sysfs.
const SECURITYFS_DIR: &str = "kernel/security/apparmor";
/// The module parameter, relative to sysfs: `Y` when AppArmor is enabled.
const ENABLED_PARAM: &str = "module/apparmor/parameters/enabled";

/// Whether AppArmor is enabled on this host (checked once per process, then cached).
///
/// Same as [`is_enabled_at`]`("/sys")`. Neither `apparmor_parser` nor the
/// `container` environment variable play a part (field case C32: older runtimes
/// required both and so never applied profiles in nested containers).
pub fn is_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| is_enabled_at("/sys"))
}

/// Whether AppArmor is enabled according to the sysfs tree mounted at `sysfs`
/// (uncached; for the real host pass `/sys`, or use [`is_enabled`]).
///
/// True when both hold:
///
/// - `<sysfs>/kernel/security/apparmor` exists (securityfs is mounted and AppArmor
///   registered its directory there), and
/// - `<sysfs>/module/apparmor/parameters/enabled` starts with `Y` (one byte is
///   enough: a bare `Y` without newline counts).
///
/// Any failure to look (a missing file, an empty file, `EACCES`) means "not
/// enabled"; the reason is logged at debug level. Paths are resolved inside `sysfs`
/// and never leave it.
///
/// ```
/// // A directory that is not sysfs has neither file: not enabled.
/// assert!(!apparmor::is_enabled_at(std::env::temp_dir()));
/// ```
pub fn is_enabled_at(sysfs: impl AsRef<Path>) -> bool {
    let sysfs = sysfs.as_ref();
    let root = match Rootfs::open(sysfs) {
        Ok(root) => root,
        Err(err) => {
            log::debug!("AppArmor: cannot open {}: {err}", sysfs.display());
            return false;
        }
    };
    securityfs_dir_present(&root) && module_parameter_is_yes(&root)
}

fn securityfs_dir_present(root: &Rootfs) -> bool {
    match root.resolve(SECURITYFS_DIR) {
        Ok(_) => true,
        Err(err) => {
            log::debug!("AppArmor: no securityfs directory: {err}");
            false
        }
    }
}

fn module_parameter_is_yes(root: &Rootfs) -> bool {
    let mut file = match root.open_file(ENABLED_PARAM, OpenMode::Read) {
        Ok(file) => file,
        Err(err) => {
            log::debug!("AppArmor: no module parameter: {err}");
            return false;
        }
    };
    let mut first = [0u8; 1];
    loop {
        match file.read(&mut first) {
            Ok(1) => return first[0] == b'Y',
            Ok(_) => {
                log::debug!("AppArmor: {ENABLED_PARAM} is empty");
                return false;
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => {
                log::debug!("AppArmor: read {ENABLED_PARAM}: {err}");
                return false;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // building fixture trees
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fake sysfs tree: optionally the securityfs directory, optionally the
    /// module parameter with `enabled` as its content.
    fn fake_sysfs(securityfs: bool, enabled: Option<&str>) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        if securityfs {
            std::fs::create_dir_all(tmp.path().join(SECURITYFS_DIR)).unwrap();
        }
        if let Some(content) = enabled {
            let param = tmp.path().join(ENABLED_PARAM);
            std::fs::create_dir_all(param.parent().unwrap()).unwrap();
            std::fs::write(param, content).unwrap();
        }
        tmp
    }

    #[test]
    fn c32_y_with_newline_is_enabled() {
        assert!(is_enabled_at(fake_sysfs(true, Some("Y\n")).path()));
    }

    #[test]
    fn c32_bare_y_without_newline_is_enabled() {
        assert!(is_enabled_at(fake_sysfs(true, Some("Y")).path()));
    }

    #[test]
    fn c32_n_is_not_enabled() {
        assert!(!is_enabled_at(fake_sysfs(true, Some("N\n")).path()));
    }

    #[test]
    fn c32_empty_parameter_is_not_enabled() {
        assert!(!is_enabled_at(fake_sysfs(true, Some("")).path()));
    }

    #[test]
    fn c32_missing_parameter_is_not_enabled() {
        assert!(!is_enabled_at(fake_sysfs(true, None).path()));
    }

    #[test]
    fn c32_missing_securityfs_dir_is_not_enabled() {
        assert!(!is_enabled_at(fake_sysfs(false, Some("Y\n")).path()));
    }

    #[test]
    fn lowercase_y_is_not_enabled() {
        assert!(!is_enabled_at(fake_sysfs(true, Some("y\n")).path()));
    }

    #[test]
    fn missing_sysfs_root_is_not_enabled() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!is_enabled_at(tmp.path().join("absent")));
    }

    #[test]
    fn symlink_out_of_the_sysfs_root_is_not_followed() {
        // The parameter file is a symlink to an absolute "Y" file outside the tree:
        // resolution stays inside the root, where that path does not exist.
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("enabled");
        std::fs::write(&target, "Y\n").unwrap();
        let tmp = fake_sysfs(true, None);
        let param = tmp.path().join(ENABLED_PARAM);
        std::fs::create_dir_all(param.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&target, &param).unwrap();
        assert!(!is_enabled_at(tmp.path()));
    }

    /// C32 row 7: `container=podman` in the environment and no
    /// `/sbin/apparmor_parser` change nothing. The environment is set for a child
    /// copy of this test binary (setting it here would race with other tests), which
    /// runs `c32_child_env_and_parser_do_not_matter`.
    #[test]
    fn c32_container_env_and_missing_parser_do_not_matter() {
        let tmp = fake_sysfs(true, Some("Y\n"));
        assert!(!tmp.path().join("sbin/apparmor_parser").exists());
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "enabled::tests::c32_child_env_and_parser_do_not_matter",
            ])
            .args(["--test-threads", "1"])
            .env("container", "podman")
            .env("APPARMOR_TEST_FAKE_SYSFS", tmp.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {stdout}");
        assert!(
            stdout.contains("1 passed"),
            "child did not run the test: {stdout}"
        );
    }

    /// Run directly, it builds its own tree; run by the test above, it uses the tree
    /// and environment given by the parent.
    #[test]
    fn c32_child_env_and_parser_do_not_matter() {
        let own;
        let root: PathBuf = match std::env::var_os("APPARMOR_TEST_FAKE_SYSFS") {
            Some(path) => {
                assert_eq!(std::env::var("container").as_deref(), Ok("podman"));
                PathBuf::from(path)
            }
            None => {
                own = fake_sysfs(true, Some("Y\n"));
                own.path().to_path_buf()
            }
        };
        assert!(is_enabled_at(root));
    }
}
