//! The systemd VM tier: a Debian kernel boots the suite's debootstrap rootfs, packed
//! once as an initramfs (`target/vm/rootfs-<suite>.cpio`), with systemd as PID 1. A
//! second archive appended to it adds the ktest binaries and a oneshot-like service
//! that runs them with `xtask/systemd/run-tests.sh` (output on ttyS0) and powers the
//! VM off when it ends. Under systemd on a real cgroup2 root, limits are enforced.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use super::boot::Machine;
use super::build::{Payload, TestBin};
use super::console::Console;
use super::container::Systemd;
use super::cpio::{Cpio, Dev};
use super::payload::{add_binaries, sh_quote, tool_vars};
use super::prepare::Assets;
use super::{BIN_TIMEOUT_SECS, BOOT_TIMEOUT_SECS, CPUS, Outcome, Selection, env_secs};
use crate::report::Report;
use crate::tiers::{Layout, SystemdVmSpec, Tier};

/// The runner of the container tiers, reused as is.
const RUN_TESTS: &str = include_str!("../../systemd/run-tests.sh");
/// Guest memory: the rootfs and its unpacked copy live in it, and tests allocate.
const MEMORY_MIB: u32 = 2048;
/// The service running the tests; it powers the VM off when it ends.
const UNIT: &str = "\
[Unit]
Description=cargo xtask test payload
After=multi-user.target dbus.service
Wants=dbus.service
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=simple
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
ExecStart=/bin/bash /test/start.sh
";
/// With `CGTEST_USER_UID` in the tier's environment: a user (and group) with that id,
/// lingering, so that logind starts `user@UID.service`, whose `dbus.socket`
/// (dbus-user-session) is the user's session bus; waits for both.
const USER_SETUP: &str = r#"if [ -n "${CGTEST_USER_UID:-}" ]; then
    u=$CGTEST_USER_UID
    groupadd --gid "$u" "cgtest-u$u" && useradd --uid "$u" --gid "$u" --create-home "cgtest-u$u"
    loginctl enable-linger "cgtest-u$u"
    for _ in $(seq 150); do
        [ -S "/run/user/$u/bus" ] && systemctl -q is-active "user@$u.service" && break
        sleep 0.2
    done
    m=/sys/fs/cgroup/user.slice/user-$u.slice/user@$u.service
    echo "XTASK-SD-USER uid $u: user@$u.service $(systemctl is-active "user@$u.service")," \
        "controllers: $(cat "$m/cgroup.controllers" 2>&1)"
fi
"#;
/// systemd 252 enables a controller at the cgroup2 root only for units that set one
/// of its properties, and CPU accounting alone no longer needs `cpu` (kernel 4.15 and
/// later): explicit default weights on `system.slice`, where the tests run, make it
/// enable `cpu` and `io` at boot, so the tests' needs hold when the list is built.
const WEIGHTS_DROP_IN: &str = "[Slice]\nCPUWeight=100\nIOWeight=100\n";
/// Kernel command line: systemd quiet, no getty on the console the tests write to.
const APPEND: &str = "systemd.show_status=0 systemd.mask=serial-getty@ttyS0.service \
                      systemd.mask=console-getty.service";
/// Parts of the rootfs the VM does not need (they only cost guest memory).
const SKIPPED: &[&str] = &[
    "./usr/share/doc",
    "./usr/share/man",
    "./usr/share/info",
    "./usr/share/locale",
    "./var/cache/apt/archives",
    "./var/lib/apt/lists",
];

/// `rootfs` packed as `<rootfs>.cpio`, made once per package list: the list the rootfs
/// was made with is kept next to it (`<rootfs>.cpio.packages`), and an archive whose
/// list differs from the rootfs's (or has none) is packed again.
fn packed_rootfs(rootfs: &Path) -> Result<std::path::PathBuf, String> {
    let out = rootfs.with_extension("cpio");
    let packages = rootfs.with_extension("cpio.packages");
    let wanted = super::rootfs::packages_of(rootfs);
    let packed = std::fs::read_to_string(&packages).ok();
    if out.exists() && wanted.is_some() && packed == wanted {
        return Ok(out);
    }
    let part = rootfs.with_extension("cpio.part");
    let err = |e: std::io::Error| format!("packing {}: {e}", rootfs.display());
    let file = std::fs::File::create(&part).map_err(err)?;
    let mut c = Cpio::new(BufWriter::new(file));
    pack_dir(&mut c, rootfs, ".").map_err(err)?;
    c.finish().map_err(err)?;
    std::fs::rename(&part, &out).map_err(err)?;
    std::fs::write(&packages, wanted.unwrap_or_default()).map_err(err)?;
    Ok(out)
}

/// Adds everything below `root/rel` (directories, files, symlinks, character
/// devices) with its mode and owner, parents first.
fn pack_dir<W: Write>(c: &mut Cpio<W>, root: &Path, rel: &str) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for name in entries {
        let name = format!("{rel}/{}", name.to_string_lossy());
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        let path = root.join(&name);
        let meta = std::fs::symlink_metadata(&path)?;
        let (ft, perm) = (meta.file_type(), meta.mode() & 0o7777);
        let archived = &name[2..];
        c.set_owner(meta.uid(), meta.gid());
        if ft.is_dir() {
            c.dir(archived, perm)?;
            pack_dir(c, root, &name)?;
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&path)?;
            c.symlink(archived, &target.to_string_lossy())?;
        } else if ft.is_file() {
            c.copy(archived, perm, &path)?;
        } else if std::os::unix::fs::FileTypeExt::is_char_device(&ft) {
            let rdev = meta.rdev();
            let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
            let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
            let dev = Dev {
                major: major as u32,
                minor: minor as u32,
            };
            c.char_device(archived, perm, dev)?;
        }
    }
    c.set_owner(0, 0);
    Ok(())
}

/// The script the service runs: the tier's environment, then `run-tests.sh` once
/// systemd has finished booting.
fn start_script(vars: &[(String, String)], tests: &[&TestBin]) -> String {
    let mut out = String::from("#!/bin/bash\n# written by cargo xtask test\n");
    for (k, v) in vars {
        out.push_str(&format!("export {k}={}\n", sh_quote(v)));
    }
    out.push_str("systemctl is-system-running --wait > /dev/null\ncd /tmp\n");
    out.push_str(USER_SETUP);
    // The layout systemd mounted: the file system at /sys/fs/cgroup and what is in it.
    out.push_str(concat!(
        "echo \"XTASK-SD-CGROUP $(stat -fc %T /sys/fs/cgroup)",
        " $(ls /sys/fs/cgroup | tr '\\n' ' ')\"\n"
    ));
    out.push_str("exec /bin/bash /test/run-tests.sh");
    for t in tests {
        let name = t.guest_name();
        out.push_str(&format!(
            " {}",
            sh_quote(&format!("{name}=/test/bin/{name}"))
        ));
    }
    out.push('\n');
    out
}

/// What the guest said about `/sys/fs/cgroup` (`XTASK-SD-CGROUP <fstype> <entries>`).
#[derive(Debug, Default)]
struct CgroupSeen {
    line: Option<String>,
}

impl CgroupSeen {
    fn line(&mut self, line: &str) {
        if let Some(rest) = super::container::after_marker(line, "XTASK-SD-CGROUP ") {
            self.line = Some(rest.trim().to_owned());
        }
    }

    /// `Err` when systemd mounted another layout than `layout`.
    fn check(&self, layout: Layout) -> Result<(), String> {
        let Some(line) = self.line.as_deref() else {
            return Err("the VM did not say which cgroup layout systemd mounted".to_owned());
        };
        let mut words = line.split_whitespace();
        let fstype = words.next().unwrap_or_default();
        let entries: Vec<&str> = words.collect();
        // systemd mounts pure v2 or, asked for v1, the hybrid layout.
        let ok = if layout == Layout::PureV2 {
            fstype == "cgroup2fs"
        } else if layout == Layout::Hybrid {
            let v1 = ["memory", "pids", "devices", "systemd", "unified"];
            fstype == "tmpfs" && v1.iter().all(|e| entries.contains(e))
        } else {
            false
        };
        match ok {
            true => Ok(()),
            false => Err(format!(
                "systemd mounted another cgroup layout than {}: /sys/fs/cgroup is {line}",
                layout.word()
            )),
        }
    }
}

/// The rootfs archive followed by the payload archive (the kernel unpacks both).
fn write_initrd(
    out: &Path,
    base: &Path,
    payload: &Payload,
    tests: &[&TestBin],
    start: &str,
) -> Result<u64, String> {
    let err = |e: std::io::Error| format!("writing {}: {e}", out.display());
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::copy(base, out).map_err(err)?;
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(out)
        .map_err(err)?;
    let mut c = Cpio::new(BufWriter::new(file));
    let dirs = ["test", "test/bin", "test/tools"];
    for d in dirs {
        c.dir(d, 0o755).map_err(err)?;
    }
    c.file("test/run-tests.sh", 0o755, RUN_TESTS.as_bytes())
        .map_err(err)?;
    c.file("test/start.sh", 0o755, start.as_bytes())
        .map_err(err)?;
    let units = "etc/systemd/system";
    c.file(
        &format!("{units}/xtask-tests.service"),
        0o644,
        UNIT.as_bytes(),
    )
    .map_err(err)?;
    c.dir(&format!("{units}/multi-user.target.wants"), 0o755)
        .map_err(err)?;
    c.symlink(
        &format!("{units}/multi-user.target.wants/xtask-tests.service"),
        "../xtask-tests.service",
    )
    .map_err(err)?;
    c.dir(&format!("{units}/system.slice.d"), 0o755)
        .map_err(err)?;
    c.file(
        &format!("{units}/system.slice.d/cgtest-weights.conf"),
        0o644,
        WEIGHTS_DROP_IN.as_bytes(),
    )
    .map_err(err)?;
    let made: BTreeSet<String> = dirs.iter().map(|d| d.to_string()).collect();
    add_binaries(&mut c, payload, tests, made).map_err(err)?;
    c.finish().map_err(err)?;
    std::fs::metadata(out).map(|m| m.len()).map_err(err)
}

/// Boots the tier once with `tests`; the console goes into `report`.
#[allow(clippy::too_many_arguments)]
pub fn run_one(
    tier: &Tier,
    spec: &SystemdVmSpec,
    assets: &Assets,
    rootfs: &Path,
    payload: &Payload,
    tests: &[&TestBin],
    sel: &Selection,
    report: &mut Report,
) -> Outcome {
    let kernel = match assets.kernel(spec.kernel) {
        Ok(k) => k,
        Err(e) => return Outcome::NotRun(e),
    };
    let base = match super::run::step(&format!("pack the {} rootfs", spec.rootfs), || {
        packed_rootfs(rootfs)
    }) {
        Ok(b) => b,
        Err(e) => return Outcome::Broken(e),
    };
    let mut args = vec!["--color".to_owned(), "never".to_owned()];
    args.extend(sel.test_args.iter().cloned());
    let mut vars = vec![
        ("CGTEST_TIER".to_owned(), tier.name.to_owned()),
        ("CGTEST_STRICT_TIER".to_owned(), "1".to_owned()),
        ("CGTEST_TIER_PROVIDES".to_owned(), tier.provides_env()),
        (
            "XTASK_BIN_TIMEOUT".to_owned(),
            env_secs("XTASK_VM_BIN_TIMEOUT", BIN_TIMEOUT_SECS).to_string(),
        ),
        ("XTASK_TEST_ARGS".to_owned(), args.join("\n")),
    ];
    vars.extend(spec.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars.extend(tool_vars(payload));
    let initrd = assets.dir.join(tier.name).join("initramfs.cpio");
    let start = start_script(&vars, tests);
    let size = match write_initrd(&initrd, &base, payload, tests, &start) {
        Ok(size) => size,
        Err(e) => return Outcome::Broken(format!("cannot write the initramfs: {e}")),
    };
    println!(
        "== {}: {} with the Debian {} rootfs ({} MiB initramfs, {} binaries)",
        tier.name,
        kernel.package,
        spec.rootfs,
        size >> 20,
        tests.len()
    );
    let append = format!("{APPEND} {}", spec.append);
    let machine = Machine {
        qemu: &assets.qemu,
        kernel: &kernel.vmlinuz,
        initrd: &initrd,
        init: "/lib/systemd/systemd",
        append: append.trim_end(),
        memory_mib: MEMORY_MIB,
        cpus: CPUS,
        timeout: Duration::from_secs(env_secs("XTASK_VM_TIMEOUT", BOOT_TIMEOUT_SECS)),
    };
    let mut console = Console::default();
    let mut systemd = Systemd::default();
    let mut cgroup = CgroupSeen::default();
    let booted = machine.boot(tier.name, &mut |line| {
        console.line(line);
        systemd.line(line);
        cgroup.line(line);
        report.line(line);
    });
    let mut problems = console.problems();
    if let Err(e) = booted {
        problems.insert(0, e);
    }
    if let Err(e) = cgroup.check(spec.layout) {
        problems.push(e);
    }
    problems.extend(systemd.problem(spec.rootfs, spec.systemd, "VM"));
    let ran = report.tiers.get(tier.name).map_or(0, |c| c.ran());
    if ran == 0 && !sel.is_filtered() {
        problems.push("the tier ran no test".to_owned());
    }
    Outcome::Ran {
        machine: format!(
            "kernel {}, {}, cgroup {}",
            console.kernel.unwrap_or_else(|| kernel.package.clone()),
            systemd.label(),
            spec.layout.word()
        ),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(line: &str) -> CgroupSeen {
        let mut c = CgroupSeen::default();
        c.line(line);
        c
    }

    #[test]
    fn the_layout_systemd_mounted_is_checked() {
        let v2 = seen("XTASK-SD-CGROUP cgroup2fs cgroup.controllers cgroup.procs system.slice ");
        assert_eq!(v2.check(Layout::PureV2), Ok(()));
        assert!(v2.check(Layout::Hybrid).is_err());
        let hybrid = "XTASK-SD-CGROUP tmpfs blkio cpu cpu,cpuacct cpuacct devices freezer \
                      memory pids systemd unified";
        assert_eq!(seen(hybrid).check(Layout::Hybrid), Ok(()));
        let err = seen(hybrid).check(Layout::PureV2).unwrap_err();
        assert!(err.contains("tmpfs"), "{err}");
        let no_unified = "XTASK-SD-CGROUP tmpfs memory pids devices systemd";
        assert!(seen(no_unified).check(Layout::Hybrid).is_err());
        assert!(CgroupSeen::default().check(Layout::PureV2).is_err());
        // The serial console glued the firmware's text in front of the guest's line.
        let glued = format!("Booting from ROM..{hybrid}");
        assert_eq!(seen(&glued).check(Layout::Hybrid), Ok(()));
    }

    #[test]
    fn the_start_script_exports_the_tier_and_names_each_binary() {
        let t = TestBin {
            package: "ktest".to_owned(),
            target: "real_kernel".to_owned(),
            path: "/x".into(),
        };
        let vars = vec![("CGTEST_TIER".to_owned(), "systemd-vm".to_owned())];
        let text = start_script(&vars, &[&t]);
        assert!(text.contains("export CGTEST_TIER='systemd-vm'\n"), "{text}");
        // The user of CGTEST_USER_UID is made after boot, before the tests.
        let user = text.find("loginctl enable-linger").expect("user setup");
        assert!(user < text.find("run-tests.sh").expect("runner"), "{text}");
        assert!(
            text.ends_with("run-tests.sh 'ktest.real_kernel=/test/bin/ktest.real_kernel'\n"),
            "{text}"
        );
    }
}
