//! Building the VM payload: every test binary and workspace binary linked static
//! (`-C target-feature=+crt-static` with an explicit `--target`, so that build scripts
//! and proc-macros stay dynamic), with the small `vmtest` profile, in its own target
//! directory; the executables are taken from cargo's JSON messages.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{elf, manifest};
use crate::check::features::Package;
use crate::json::Json;
use crate::util::cargo;

/// The target the static binaries are built for (the guest has no libc).
pub const TARGET: &str = "x86_64-unknown-linux-gnu";
/// The Cargo profile of the payload (workspace Cargo.toml: no debug info, stripped).
pub const PROFILE: &str = "vmtest";

/// A ktest binary of the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBin {
    pub package: String,
    pub target: String,
    pub path: PathBuf,
}

impl TestBin {
    /// Its file name in the guest: `<package>.<target>`.
    pub fn guest_name(&self) -> String {
        format!("{}.{}", self.package, self.target)
    }
}

/// What goes into every VM: the ktest binaries and the workspace's binaries (which
/// tests run through `<NAME>_BIN`).
#[derive(Debug, Clone, Default)]
pub struct Payload {
    pub tests: Vec<TestBin>,
    /// Binary name to path.
    pub tools: BTreeMap<String, PathBuf>,
    /// The target directory of the build: every path above lies below it.
    pub dir: PathBuf,
}

/// Whether the tests of `p` are written with ktest: ktest itself, or a package with
/// ktest among its dev-dependencies (xtask uses ktest's library, and its own
/// `harness = false` tests drive cargo and git on the host).
fn tests_with_ktest(p: &Package) -> bool {
    p.name == "ktest"
        || p.deps
            .iter()
            .any(|d| d.name == "ktest" && d.kind.as_deref() == Some("dev"))
}

/// The workspace packages with at least one ktest binary: a `harness = false` test of
/// a package whose tests use ktest.
fn ktest_packages(root: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for p in crate::check::features::packages(root)? {
        if tests_with_ktest(&p)
            && !manifest::custom_harness_tests(&p.dir.join("Cargo.toml"))?.is_empty()
        {
            out.push(p.name);
        }
    }
    match out.is_empty() {
        true => Err("no workspace package has a `harness = false` test".to_owned()),
        false => Ok(out),
    }
}

/// Builds the payload of the workspace at `root` into `build_dir`: the test targets
/// of the packages that have ktest binaries (and, with them, their binaries).
pub fn build(root: &Path, build_dir: &Path) -> Result<Payload, String> {
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    flags.push_str(" -C target-feature=+crt-static");
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root)
        .args(["test", "--no-run", "--tests", "--all-features"]);
    for p in ktest_packages(root)? {
        cmd.args(["-p", &p]);
    }
    cmd.args([
        "--target",
        TARGET,
        "--profile",
        PROFILE,
        "--message-format=json",
    ])
    .arg("--target-dir")
    .arg(build_dir)
    .env("RUSTFLAGS", flags.trim())
    .env_remove("CARGO_ENCODED_RUSTFLAGS")
    .stdout(Stdio::piped());
    println!("== building the VM payload: {cmd:?}");
    let mut child = cmd.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child.stdout.take().ok_or("cargo has no stdout")?;
    let mut payload = Payload {
        dir: build_dir.to_owned(),
        ..Payload::default()
    };
    let mut problems = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading cargo output: {e}"))?;
        let Ok(msg) = Json::parse(&line) else {
            continue;
        };
        if let Err(e) = take_artifact(&msg, &mut payload) {
            problems.push(e);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the static build failed ({status})"));
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    payload.tests.sort_by_key(TestBin::guest_name);
    if payload.tests.is_empty() {
        return Err("the static build produced no ktest binary".to_owned());
    }
    Ok(payload)
}

/// Adds a `compiler-artifact` message's executable to the payload when it is a ktest
/// test binary or a workspace binary.
fn take_artifact(msg: &Json, payload: &mut Payload) -> Result<(), String> {
    if msg.get("reason").as_str() != Some("compiler-artifact") {
        return Ok(());
    }
    let Some(exe) = msg.get("executable").as_str().map(PathBuf::from) else {
        return Ok(());
    };
    let target = msg.get("target");
    let name = target.get("name").as_str().unwrap_or("").to_owned();
    let kinds: Vec<&str> = target
        .get("kind")
        .items()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    let is_test_profile = msg.get("profile").get("test") == &Json::Bool(true);
    let manifest = PathBuf::from(msg.get("manifest_path").as_str().unwrap_or(""));
    let wanted = if kinds.contains(&"test") && is_test_profile {
        manifest::custom_harness_tests(&manifest)?.contains(&name)
    } else {
        kinds.contains(&"bin") && !is_test_profile
    };
    if !wanted {
        return Ok(());
    }
    if !elf::is_static(&exe)? {
        return Err(format!(
            "{} is dynamically linked: the guest has no libc (RUSTFLAGS overridden?)",
            exe.display()
        ));
    }
    if kinds.contains(&"test") {
        payload.tests.push(TestBin {
            package: package_name(msg.get("package_id").as_str().unwrap_or(""), &manifest),
            target: name,
            path: exe,
        });
    } else {
        payload.tools.insert(name, exe);
    }
    Ok(())
}

/// The package name in a package id (`path+file:///w/crates/cgctl#0.1.0` or
/// `path+file:///w/crates/x#name@0.1.0`), else the manifest's directory name.
fn package_name(id: &str, manifest: &Path) -> String {
    let from_dir = || {
        manifest
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    match id.rsplit_once('#') {
        Some((_, frag)) => match frag.split_once('@') {
            Some((name, _)) => name.to_owned(),
            None => id
                .split_once('#')
                .and_then(|(url, _)| url.rsplit('/').next())
                .map_or_else(from_dir, str::to_owned),
        },
        None => from_dir(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::features::Dep;

    fn package(name: &str, deps: &[(&str, Option<&str>)]) -> Package {
        Package {
            name: name.to_owned(),
            dir: PathBuf::new(),
            deps: deps
                .iter()
                .map(|(n, kind)| Dep {
                    name: (*n).to_owned(),
                    rename: None,
                    kind: kind.map(str::to_owned),
                    features: Vec::new(),
                })
                .collect(),
            default_features: Vec::new(),
        }
    }

    #[test]
    fn only_packages_testing_with_ktest_give_ktest_binaries() {
        assert!(tests_with_ktest(&package("ktest", &[])));
        assert!(tests_with_ktest(&package(
            "cgctl",
            &[("ktest", Some("dev"))]
        )));
        assert!(!tests_with_ktest(&package("xtask", &[("ktest", None)])));
        assert!(!tests_with_ktest(&package("user", &[("libc", None)])));
    }

    #[test]
    fn package_names_come_from_the_package_id() {
        let m = Path::new("/w/crates/fs/Cargo.toml");
        assert_eq!(
            package_name("path+file:///w/crates/cgctl#0.1.0", m),
            "cgctl"
        );
        assert_eq!(
            package_name("path+file:///w/crates/fs#cgroups-fs@0.1.0", m),
            "cgroups-fs"
        );
        assert_eq!(package_name("", m), "fs");
    }

    #[test]
    fn libtest_binaries_and_test_builds_of_binaries_are_left_out() {
        let mut p = Payload::default();
        let bin_unit_test = r#"{"reason":"compiler-artifact","executable":"/x/cgctl-1",
            "target":{"name":"cgctl","kind":["bin"]},"profile":{"test":true},
            "manifest_path":"/nonexistent/Cargo.toml","package_id":"p#cgctl@0.1.0"}"#;
        take_artifact(&Json::parse(bin_unit_test).unwrap(), &mut p).unwrap();
        let lib = r#"{"reason":"compiler-artifact","executable":null,
            "target":{"name":"x","kind":["lib"]},"profile":{"test":false}}"#;
        take_artifact(&Json::parse(lib).unwrap(), &mut p).unwrap();
        assert!(p.tests.is_empty() && p.tools.is_empty());
    }
}
