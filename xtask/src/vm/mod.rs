//! The tiers that run the ktest binaries away from the host: prepare the machine (QEMU,
//! busybox, kernels for the VMs; a debootstrap rootfs for the systemd containers),
//! build the ktest binaries static once, and run each tier once with all of them: a VM
//! boots them (`xtask/vm/init.sh`), a container runs them under systemd
//! (`xtask/systemd/`).

mod apt;
mod boot;
mod build;
mod console;
mod container;
mod cpio;
mod elf;
mod manifest;
mod payload;
pub mod prepare;
mod rootfs;
mod run;
mod sdvm;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::report::Report;
use crate::tiers::{ContainerSpec, Disk, Runner, SystemdVmSpec, Tier, VmSpec};
use crate::util::{target_dir, workspace_root};
use build::{Payload, TestBin};
use console::Console;
use payload::GuestEnv;

/// Default bound of one boot (all binaries of a tier); `XTASK_VM_TIMEOUT` overrides.
const BOOT_TIMEOUT_SECS: u64 = 900;
/// Default bound of one test binary in the guest; `XTASK_VM_BIN_TIMEOUT` overrides.
const BIN_TIMEOUT_SECS: u64 = 300;
/// Guest memory: the initramfs is unpacked into it, and tests allocate.
const MEMORY_MIB: u32 = 1024;
const CPUS: u32 = 2;

/// How a VM or container tier ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// It booted and ran; the problems make it fail (empty: it passed).
    Ran {
        /// What ran the tests: `kernel <uname -r>` or `systemd <version>`.
        machine: String,
        problems: Vec<String>,
    },
    /// It could not run on this machine (preparation failed, nothing selected).
    NotRun(String),
    /// It should have run but something of ours broke (the static build, the image).
    Broken(String),
}

/// A VM tier's result and wall time.
#[derive(Debug, Clone)]
pub struct TierResult {
    pub name: &'static str,
    pub secs: f64,
    pub outcome: Outcome,
}

/// Which binaries and arguments a run selects, from `cargo xtask test -- ARGS`: the
/// packages (`-p`) and test targets (`--test`) pick binaries, the words after a
/// second `--` go to every binary; other cargo options do not apply to the VM tiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub packages: Vec<String>,
    pub targets: Vec<String>,
    pub test_args: Vec<String>,
}

impl Selection {
    /// Reads the cargo arguments of `cargo xtask test -- ARGS`.
    pub fn from_cargo_args(args: &[String]) -> Selection {
        let mut s = Selection::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |flag: &str, short: Option<&str>| -> Option<String> {
                if a == flag || short.is_some_and(|s| a == s) {
                    return it.next().cloned();
                }
                if let Some(v) = a.strip_prefix(&format!("{flag}=")) {
                    return Some(v.to_owned());
                }
                short.and_then(|s| a.strip_prefix(s)).map(str::to_owned)
            };
            if a == "--" {
                s.test_args = it.cloned().collect();
                break;
            } else if let Some(p) = value("--package", Some("-p")) {
                s.packages.push(p);
            } else if let Some(t) = value("--test", None) {
                s.targets.push(t);
            }
        }
        s
    }

    /// Whether anything narrows the run (then a tier may run no test).
    pub fn is_filtered(&self) -> bool {
        !(self.packages.is_empty() && self.targets.is_empty() && self.test_args.is_empty())
    }

    fn picks(&self, t: &TestBin) -> bool {
        (self.packages.is_empty() || self.packages.contains(&t.package))
            && (self.targets.is_empty() || self.targets.contains(&t.target))
    }
}

fn env_secs(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `target/vm` (assets) of this workspace.
pub fn vm_dir() -> PathBuf {
    target_dir(&workspace_root()).join("vm")
}

/// The suites whose kernels the given VM tiers boot.
pub fn suites(tiers: &[&Tier]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in tiers {
        let suite = match t.runner {
            Runner::Vm(spec) => spec.suite,
            Runner::SystemdVm(spec) => spec.kernel,
            Runner::Host | Runner::Container(_) => continue,
        };
        if !out.contains(&suite) {
            out.push(suite);
        }
    }
    out
}

/// The suites whose rootfs the given container tiers run.
pub fn rootfs_suites(tiers: &[&Tier]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in tiers {
        let suite = match t.runner {
            Runner::Container(spec) => spec.suite,
            Runner::SystemdVm(spec) => spec.rootfs,
            Runner::Host | Runner::Vm(_) => continue,
        };
        if !out.contains(&suite) {
            out.push(suite);
        }
    }
    out
}

/// The VM tiers' results and the times of the shared phases (preparation, static
/// build) as `(name, seconds)`.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub tiers: Vec<TierResult>,
    pub phases: Vec<(&'static str, f64)>,
}

/// Prepares, builds and runs every VM and container tier in `tiers`; their output goes
/// into `report`. Prints the time of each phase.
pub fn run_tiers(tiers: &[&'static Tier], sel: &Selection, report: &mut Report) -> Run {
    let mut run = Run::default();
    let vm_suites = suites(tiers);
    let assets = match vm_suites.is_empty() {
        true => Err("no VM tier".to_owned()),
        false => {
            let start = Instant::now();
            let prepared = prepare::prepare(&vm_dir(), &vm_suites);
            let secs = start.elapsed().as_secs_f64();
            run.phases.push(("VM preparation", secs));
            println!("== VM preparation: {secs:.1}s");
            prepared.map_err(|e| format!("VM preparation failed: {e}"))
        }
    };
    let ct_suites = rootfs_suites(tiers);
    let mut rootfs = BTreeMap::new();
    if !ct_suites.is_empty() {
        let start = Instant::now();
        rootfs = rootfs::prepare(&vm_dir(), &ct_suites);
        let secs = start.elapsed().as_secs_f64();
        run.phases.push(("rootfs preparation", secs));
        println!("== systemd rootfs preparation: {secs:.1}s");
    }
    let ready = |tier: &Tier| -> Result<Ready<'_>, String> {
        match tier.runner {
            Runner::Vm(spec) => match &assets {
                Ok(a) => Ok(Ready::Vm(a, spec)),
                Err(e) => Err(e.clone()),
            },
            Runner::Container(spec) => match rootfs.get(spec.suite) {
                Some(Ok(dir)) => Ok(Ready::Container(dir, spec)),
                Some(Err(e)) => Err(e.clone()),
                None => Err(format!("no {} rootfs", spec.suite)),
            },
            Runner::SystemdVm(spec) => match (&assets, rootfs.get(spec.rootfs)) {
                (Err(e), _) | (_, Some(Err(e))) => Err(e.clone()),
                (Ok(a), Some(Ok(dir))) => Ok(Ready::SystemdVm(a, dir, spec)),
                (Ok(_), None) => Err(format!("no {} rootfs", spec.rootfs)),
            },
            Runner::Host => Err("the host tier runs cargo test".to_owned()),
        }
    };
    // Built only when some tier can run.
    let mut built = Err("no tier could be prepared".to_owned());
    if tiers.iter().any(|t| ready(t).is_ok()) {
        let start = Instant::now();
        let build_dir = target_dir(&workspace_root()).join("vm-build");
        built = build::build(&workspace_root(), &build_dir);
        let secs = start.elapsed().as_secs_f64();
        run.phases.push(("static build", secs));
        if let Ok(payload) = &built {
            println!(
                "== static build of the payload: {secs:.1}s ({} ktest binaries, tools: {})",
                payload.tests.len(),
                payload.tools.keys().cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    for tier in tiers {
        let start = Instant::now();
        let outcome = match (ready(tier), &built) {
            (Err(e), _) => Outcome::NotRun(e),
            (Ok(_), Err(e)) => Outcome::Broken(format!("static build failed: {e}")),
            (Ok(ready), Ok(payload)) => {
                let tests: Vec<&TestBin> = payload.tests.iter().filter(|t| sel.picks(t)).collect();
                match (ready, tests.is_empty()) {
                    (_, true) => Outcome::NotRun("no ktest binary selected".to_owned()),
                    (Ready::Vm(a, spec), false) => {
                        run_one(tier, &spec, a, payload, &tests, sel, report)
                    }
                    (Ready::Container(dir, spec), false) => {
                        container::run_one(tier, &spec, dir, payload, &tests, sel, report)
                    }
                    (Ready::SystemdVm(a, dir, spec), false) => {
                        sdvm::run_one(tier, &spec, a, dir, payload, &tests, sel, report)
                    }
                }
            }
        };
        let secs = start.elapsed().as_secs_f64();
        println!("== tier {}: {secs:.1}s", tier.name);
        run.tiers.push(TierResult {
            name: tier.name,
            secs,
            outcome,
        });
    }
    run
}

/// What a tier needs from the preparation, prepared.
enum Ready<'a> {
    Vm(&'a prepare::Assets, VmSpec),
    Container(&'a PathBuf, ContainerSpec),
    SystemdVm(&'a prepare::Assets, &'a PathBuf, SystemdVmSpec),
}

fn run_one(
    tier: &Tier,
    spec: &VmSpec,
    assets: &prepare::Assets,
    payload: &Payload,
    tests: &[&TestBin],
    sel: &Selection,
    report: &mut Report,
) -> Outcome {
    let kernel = match assets.kernel(spec.suite) {
        Ok(k) => k,
        Err(e) => return Outcome::NotRun(e),
    };
    let mut vars = vec![
        ("CGTEST_TIER".to_owned(), tier.name.to_owned()),
        ("CGTEST_STRICT_TIER".to_owned(), "1".to_owned()),
        ("CGTEST_TIER_PROVIDES".to_owned(), tier.provides_env()),
    ];
    vars.extend(spec.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars.extend(payload::tool_vars(payload));
    let mut args = vec!["--color".to_owned(), "never".to_owned()];
    args.extend(sel.test_args.iter().cloned());
    let env = GuestEnv {
        layout: spec.layout.word(),
        disks: spec.disks.iter().map(|d| d.word()).collect(),
        vars,
        args,
        bin_timeout: env_secs("XTASK_VM_BIN_TIMEOUT", BIN_TIMEOUT_SECS),
    };
    let initrd = assets.dir.join(tier.name).join("initramfs.cpio");
    let disks = match scratch_disks(&assets.dir.join(tier.name), spec.disks) {
        Ok(disks) => disks,
        Err(e) => return Outcome::Broken(e),
    };
    let size = match payload::write(&initrd, &assets.busybox, payload, tests, &env) {
        Ok(size) => size,
        Err(e) => return Outcome::Broken(format!("cannot write the initramfs: {e}")),
    };
    println!(
        "== {}: {} ({} MiB initramfs, {} binaries)",
        tier.name,
        kernel.package,
        size >> 20,
        tests.len()
    );
    let machine = boot::Machine {
        qemu: &assets.qemu,
        kernel: &kernel.vmlinuz,
        initrd: &initrd,
        init: "/init",
        append: spec.append,
        memory_mib: MEMORY_MIB,
        cpus: CPUS,
        timeout: Duration::from_secs(env_secs("XTASK_VM_TIMEOUT", BOOT_TIMEOUT_SECS)),
    };
    let mut console = Console::default();
    let booted = machine.boot_with_disks(&disks, tier.name, &mut |line| {
        console.line(line);
        report.line(line);
    });
    for disk in &disks {
        let _ = std::fs::remove_file(disk);
    }
    let mut problems = console.problems();
    if let Err(e) = booted {
        problems.insert(0, e);
    }
    let ran = report.tiers.get(tier.name).map_or(0, |c| c.ran());
    if ran == 0 && !sel.is_filtered() {
        problems.push("the tier ran no test".to_owned());
    }
    Outcome::Ran {
        machine: format!(
            "kernel {}",
            console.kernel.unwrap_or_else(|| kernel.package.clone())
        ),
        problems,
    }
}

/// Empty sparse raw images `<dir>/<word>.img` of [`Disk::MIB`] MiB, one per disk,
/// made afresh (a previous run's data never reaches the next); removed after the boot.
fn scratch_disks(dir: &std::path::Path, disks: &[Disk]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for disk in disks {
        let path = dir.join(format!("{}.img", disk.word()));
        let err = |e: std::io::Error| format!("cannot make the disk {}: {e}", path.display());
        std::fs::create_dir_all(dir).map_err(err)?;
        let file = std::fs::File::create(&path).map_err(err)?;
        file.set_len(Disk::MIB << 20).map_err(err)?;
        out.push(path);
    }
    Ok(out)
}

/// `cargo xtask vm-prepare`: packages and kernels of every VM tier, the rootfs of
/// every systemd container tier.
pub fn prepare_command(tiers: &[&'static Tier]) -> bool {
    let start = Instant::now();
    let result = prepare::prepare(&vm_dir(), &suites(tiers));
    println!("== VM preparation: {:.1}s", start.elapsed().as_secs_f64());
    let mut ok = match result {
        Ok(a) => {
            for s in suites(tiers) {
                match a.kernel(s) {
                    Ok(k) => println!("{s}: {} ({})", k.package, k.vmlinuz.display()),
                    Err(e) => println!("{s}: FAILED: {e}"),
                }
            }
            println!(
                "qemu: {}, busybox: {}",
                a.qemu.display(),
                a.busybox.display()
            );
            a.kernel_errors.is_empty()
        }
        Err(e) => {
            println!("VM preparation failed: {e}");
            false
        }
    };
    let start = Instant::now();
    let rootfs = rootfs::prepare(&vm_dir(), &rootfs_suites(tiers));
    println!(
        "== systemd rootfs preparation: {:.1}s",
        start.elapsed().as_secs_f64()
    );
    for (suite, dir) in rootfs {
        match dir {
            Ok(d) => println!("{suite} rootfs: {}", d.display()),
            Err(e) => {
                println!("{suite} rootfs: FAILED: {e}");
                ok = false;
            }
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn packages_targets_and_test_arguments_are_read() {
        let s = Selection::from_cargo_args(&args(
            "-p cgroups-fs1 --package=cgctl-cli -pktest --test real_kernel --lib -- freeze --exact",
        ));
        assert_eq!(s.packages, ["cgroups-fs1", "cgctl-cli", "ktest"]);
        assert_eq!(s.targets, ["real_kernel"]);
        assert_eq!(s.test_args, ["freeze", "--exact"]);
        assert!(s.is_filtered());
        assert!(!Selection::from_cargo_args(&[]).is_filtered());
    }

    #[test]
    fn a_selection_picks_by_package_and_target() {
        let t = TestBin {
            package: "cgctl-cli".to_owned(),
            target: "e2e".to_owned(),
            path: PathBuf::from("/x"),
        };
        assert!(Selection::default().picks(&t));
        assert!(Selection::from_cargo_args(&args("-p cgctl-cli")).picks(&t));
        assert!(!Selection::from_cargo_args(&args("-p ktest")).picks(&t));
        assert!(!Selection::from_cargo_args(&args("--test real_kernel")).picks(&t));
    }
}
