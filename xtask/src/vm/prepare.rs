//! `cargo xtask vm-prepare`: what the VM tiers need on this machine, made once and
//! cached under `target/vm/`: QEMU and a static busybox (apt packages) and the Debian
//! cloud kernel of each suite (`apt-get download`, vmlinuz taken from the package).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::apt::{self, Apt};
use super::elf;
use super::run::{find_in_path, output, step};

/// The QEMU binary the VM tiers run.
pub const QEMU: &str = "qemu-system-x86_64";
/// The metapackage whose dependency names the current cloud kernel.
const KERNEL_META: &str = "linux-image-cloud-amd64";
/// Where a static busybox may be.
const BUSYBOX_PATHS: &[&str] = &["/bin/busybox", "/usr/bin/busybox"];

/// Everything a VM boot needs from the machine.
#[derive(Debug, Clone)]
pub struct Assets {
    pub qemu: PathBuf,
    pub busybox: PathBuf,
    /// `target/vm`.
    pub dir: PathBuf,
    /// Why the kernel of a suite could not be prepared (the other suites' tiers
    /// still run).
    pub kernel_errors: BTreeMap<String, String>,
}

/// A prepared kernel.
#[derive(Debug, Clone)]
pub struct Kernel {
    pub vmlinuz: PathBuf,
    /// The Debian package it came from (`linux-image-6.12.…-cloud-amd64`).
    pub package: String,
}

impl Assets {
    /// The kernel of `suite`, or why there is none.
    pub fn kernel(&self, suite: &str) -> Result<Kernel, String> {
        if let Some(e) = self.kernel_errors.get(suite) {
            return Err(e.clone());
        }
        kernel_in(&self.dir, suite).ok_or_else(|| format!("no {suite} kernel was prepared"))
    }
}

fn kernel_dir(vm_dir: &Path, suite: &str) -> PathBuf {
    vm_dir.join(format!("kernel-{suite}"))
}

fn kernel_in(vm_dir: &Path, suite: &str) -> Option<Kernel> {
    let dir = kernel_dir(vm_dir, suite);
    let vmlinuz = dir.join("vmlinuz");
    let big_enough = std::fs::metadata(&vmlinuz).is_ok_and(|m| m.len() > 1 << 20);
    let package = std::fs::read_to_string(dir.join("package")).ok()?;
    big_enough.then(|| Kernel {
        vmlinuz,
        package: package.trim().to_owned(),
    })
}

/// A static busybox already on the machine.
fn static_busybox() -> Option<PathBuf> {
    BUSYBOX_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| elf::is_static(p).unwrap_or(false))
}

/// Makes sure the packages and the kernels of `suites` are there, installing and
/// downloading what is missing; prints each step with its time. A kernel that cannot
/// be fetched is recorded in [`Assets::kernel_errors`]; missing packages are an error.
pub fn prepare(vm_dir: &Path, suites: &[&str]) -> Result<Assets, String> {
    if !cfg!(target_arch = "x86_64") {
        return Err("the VM tiers boot x86_64 kernels and need an x86_64 host".to_owned());
    }
    std::fs::create_dir_all(vm_dir)
        .map_err(|e| format!("cannot create {}: {e}", vm_dir.display()))?;
    let mut packages = Vec::new();
    if find_in_path(QEMU).is_none() {
        packages.push("qemu-system-x86");
    }
    if static_busybox().is_none() {
        packages.push("busybox-static");
    }
    let missing: Vec<&str> = suites
        .iter()
        .copied()
        .filter(|s| kernel_in(vm_dir, s).is_none())
        .collect();
    if packages.is_empty() && missing.is_empty() {
        println!(
            "vm-prepare: packages and kernels ({}) cached",
            suites.join(", ")
        );
    }
    if !packages.is_empty() || !missing.is_empty() {
        step("apt-get update", || {
            run_apt(Apt::Machine.command().arg("update"))
        })?;
    }
    if !packages.is_empty() {
        step(&format!("apt-get install {}", packages.join(" ")), || {
            run_apt(
                Apt::Machine
                    .command()
                    .args(["install", "-y", "--no-install-recommends"])
                    .args(&packages),
            )
        })?;
    }
    let mut kernel_errors = BTreeMap::new();
    for suite in missing {
        let fetched = step(&format!("kernel of Debian {suite}"), || {
            let k = fetch_kernel(vm_dir, suite)?;
            println!(
                "vm-prepare: {suite}: {} -> {}",
                k.package,
                k.vmlinuz.display()
            );
            Ok(())
        });
        if let Err(e) = fetched {
            kernel_errors.insert(suite.to_owned(), format!("no {suite} kernel: {e}"));
        }
    }
    let qemu = find_in_path(QEMU).ok_or(format!("{QEMU} not found after installing"))?;
    let busybox = static_busybox().ok_or("no static busybox at /bin/busybox after installing")?;
    Ok(Assets {
        qemu,
        busybox,
        dir: vm_dir.to_owned(),
        kernel_errors,
    })
}

fn run_apt(cmd: &mut Command) -> Result<(), String> {
    output(cmd).map(|_| ())
}

/// Downloads the cloud kernel of `suite` and extracts its vmlinuz.
fn fetch_kernel(vm_dir: &Path, suite: &str) -> Result<Kernel, String> {
    let dir = kernel_dir(vm_dir, suite);
    let sources = apt::machine_sources();
    let codename = apt::codename();
    let own = codename.as_deref() == Some(suite) && apt::main_source(&sources, suite).is_some();
    let apt = match own {
        true => Apt::Machine,
        false => {
            let mirror = apt::debian_mirror(&sources, codename.as_deref())?;
            let key = codename
                .as_deref()
                .and_then(|c| apt::main_source(&sources, c))
                .and_then(|s| s.signed_by.clone());
            let apt = Apt::private(&dir.join("apt"), &mirror, suite, key.as_deref());
            let said = output(apt.command().arg("update"))?;
            // apt-get update exits 0 when a mirror cannot be reached: look for a list.
            if !apt.has_package_lists() {
                return Err(format!(
                    "apt-get update found no {suite} package list at {mirror}:\n{}",
                    said.trim()
                ));
            }
            apt
        }
    };
    let dl = dir.join("download");
    let _ = std::fs::remove_dir_all(&dl);
    std::fs::create_dir_all(&dl).map_err(|e| format!("cannot create {}: {e}", dl.display()))?;
    let meta = download(&apt, &dl, KERNEL_META)?;
    let depends = output(Command::new("dpkg-deb").arg("-f").arg(&meta).arg("Depends"))?;
    let image = kernel_package(&depends)
        .ok_or_else(|| format!("{KERNEL_META} of {suite} depends on no kernel: {depends}"))?;
    let deb = download(&apt, &dl, &image)?;
    let vmlinuz = dir.join("vmlinuz");
    extract_vmlinuz(&deb, &vmlinuz)?;
    std::fs::write(dir.join("package"), format!("{image}\n"))
        .map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    let _ = std::fs::remove_dir_all(&dl);
    let _ = std::fs::remove_dir_all(dir.join("apt"));
    kernel_in(vm_dir, suite).ok_or_else(|| format!("{} is empty", vmlinuz.display()))
}

/// `apt-get download <package>` into `dir`; the path of the `.deb`.
fn download(apt: &Apt, dir: &Path, package: &str) -> Result<PathBuf, String> {
    output(apt.command().current_dir(dir).args(["download", package]))?;
    let prefix = format!("{package}_");
    std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".deb"))
        })
        .ok_or_else(|| {
            format!(
                "apt-get download {package} left no .deb in {}",
                dir.display()
            )
        })
}

/// The versioned kernel package in a `Depends:` field.
fn kernel_package(depends: &str) -> Option<String> {
    depends
        .split([',', '|'])
        .map(|d| d.split_whitespace().next().unwrap_or(""))
        .find(|name| name.starts_with("linux-image-") && *name != KERNEL_META)
        .map(str::to_owned)
}

/// `dpkg-deb --fsys-tarfile DEB | tar -xO './boot/vmlinuz-*' > OUT`.
fn extract_vmlinuz(deb: &Path, out: &Path) -> Result<(), String> {
    let tmp = out.with_extension("part");
    let file =
        std::fs::File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let mut dpkg = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run dpkg-deb: {e}"))?;
    let pipe = dpkg.stdout.take().ok_or("dpkg-deb has no stdout")?;
    let tar = Command::new("tar")
        .args(["-xO", "--wildcards", "./boot/vmlinuz-*"])
        .stdin(pipe)
        .stdout(file)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let dpkg = dpkg.wait().map_err(|e| format!("dpkg-deb: {e}"))?;
    if !tar.success() || !dpkg.success() {
        return Err(format!(
            "extracting vmlinuz from {} failed (dpkg-deb {dpkg}, tar {tar})",
            deb.display()
        ));
    }
    std::fs::rename(&tmp, out).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_versioned_image_is_found_in_the_metapackage_depends() {
        let d = "linux-image-6.12.48+deb13-cloud-amd64 (= 6.12.48-1)";
        assert_eq!(
            kernel_package(d).as_deref(),
            Some("linux-image-6.12.48+deb13-cloud-amd64")
        );
        let d = "initramfs-tools, linux-image-6.1.0-40-cloud-amd64 (= 6.1.153-1)";
        assert_eq!(
            kernel_package(d).as_deref(),
            Some("linux-image-6.1.0-40-cloud-amd64")
        );
        assert_eq!(kernel_package("initramfs-tools"), None);
    }
}
