//! The whole release, end to end, with `--execute` on the shared clone of HEAD
//! (tests/common): every publishable crate in dependency order, then a second round
//! (a crate with a new function released at `minor` against its release commit, and
//! pathsafe again as 0.0.N+1). Each release is checked in git, the manifests,
//! `Cargo.lock` and the changelog; `cargo` and `git` run through logging wrappers so
//! that the test sees that nothing was published or pushed.
//!
//! The build steps (matrix, test, clippy, doc) are left out with `--skip`, allowed
//! with `--execute` only on a copy: tests/release_tiny.rs shows that each can
//! refuse a release, and `cargo xtask release --rehearse` runs them all. `cargo
//! package` is never skipped by `--execute`. Needs cargo-deny (the deny step).
// Builds fixture workspaces with std::fs: test code, not shipped.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};

use common::{Body, clone, edit, expect, has, release_with, sh, tmp, trial};
use libtest_mimic::{Arguments, Failed};

/// The first release of everything, in an order that puts dependencies first, with
/// each package's directory.
const ORDER: [(&str, &str); 11] = [
    ("pathsafe", "pathsafe"),
    ("cgroups-devices", "devices"),
    ("cgroups-core", "cgroups-core"),
    ("cgroups-fs1", "cgroups-fs"),
    ("cgroups-fs2", "cgroups-fs2"),
    ("container-user", "user"),
    ("apparmor", "apparmor"),
    ("intelrdt", "intelrdt"),
    ("cgroups-systemd", "cgroups-systemd"),
    ("cgroup-stats", "cgroup-stats"),
    ("cgctl-cli", "cgctl"),
];

const BUILD_STEPS: &str = "matrix,test,clippy,doc";

/// `cargo` and `git` wrappers that log each call to `calls.log`, then run the real
/// tool; returns the environment that puts them in front.
fn wrappers() -> Result<(PathBuf, Vec<(String, String)>), Failed> {
    let bin = tmp().join("bin");
    std::fs::create_dir_all(&bin)?;
    let log = tmp().join("calls.log");
    std::fs::write(&log, "")?;
    let real_git = sh(Path::new("/"), "sh", &["-c", "command -v git"])?;
    let real_cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for (name, real) in [("git", real_git.trim()), ("cargo", real_cargo.as_str())] {
        let script = format!(
            "#!/bin/sh\necho \"{name} $*\" >> '{}'\nexec '{real}' \"$@\"\n",
            log.display()
        );
        let path = bin.join(name);
        std::fs::write(&path, script)?;
        sh(&bin, "chmod", &["+x", name])?;
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let envs = vec![
        ("PATH".to_owned(), path),
        ("CARGO".to_owned(), bin.join("cargo").display().to_string()),
    ];
    Ok((log, envs))
}

fn read(root: &Path, rel: &str) -> Result<String, Failed> {
    std::fs::read_to_string(root.join(rel)).map_err(|e| format!("{rel}: {e}").into())
}

/// The `version = "..."` of a package manifest.
fn manifest_version(root: &Path, dir: &str) -> Result<String, Failed> {
    let text = read(root, &format!("crates/{dir}/Cargo.toml"))?;
    text.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|l| l.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("no version in crates/{dir}/Cargo.toml").into())
}

/// Every `version = "..."` written in a requirement on `krate`, in the root manifest
/// and every crate's, as (file, version).
fn requirements(root: &Path, krate: &str) -> Result<Vec<(String, String)>, Failed> {
    let mut files = vec!["Cargo.toml".to_owned()];
    for (_, dir) in ORDER {
        files.push(format!("crates/{dir}/Cargo.toml"));
    }
    let mut out = Vec::new();
    for f in files {
        for line in read(root, &f)?.lines() {
            let named = line.starts_with(&format!("{krate} = {{"));
            if let (true, Some((_, rest))) = (named, line.split_once("version = \"")) {
                out.push((f.clone(), rest.split('"').next().unwrap_or("").to_owned()));
            }
        }
    }
    Ok(out)
}

fn today() -> Result<String, Failed> {
    Ok(sh(Path::new("/"), "date", &["-u", "+%F"])?
        .trim()
        .to_owned())
}

/// One `--execute` run that must release `krate` at `v`, checked from every side.
fn released(
    root: &Path,
    (krate, dir): (&str, &str),
    v: &str,
    args: &[&str],
    wrap: &(PathBuf, Vec<(String, String)>),
) -> Result<String, Failed> {
    let envs: Vec<(&str, &str)> = wrap
        .1
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let day_before = today()?;
    let (ok, out) = release_with(root, args, &envs)?;
    let days = [day_before, today()?];
    let subject = format!("release({krate}): v{v}");
    let tag = format!("{krate}-v{v}");
    expect(ok, &format!("{krate} released"), &out)?;
    expect(
        out.contains(&format!("== {krate} released -> {v}")),
        "the result line",
        &out,
    )?;
    expect(
        out.contains(&format!("ok     commit: \"{subject}\", tag {tag}")),
        "the commit line",
        &out,
    )?;
    let package = out
        .lines()
        .find(|l| l.starts_with("ok     package: packaged and verified: "))
        .unwrap_or("");
    expect(
        package.contains(krate),
        "cargo package verified the crate",
        &out,
    )?;
    expect(
        out.contains(&format!(
            "next   (not run) publish: cargo publish -p {krate}\n"
        )),
        "the publish command, printed",
        &out,
    )?;
    expect(
        out.contains(&format!(
            "next   (not run) push:    git push origin HEAD {tag}\n"
        )),
        "the push command, printed",
        &out,
    )?;
    let head = sh(root, "git", &["log", "-1", "--format=%s"])?;
    expect(head.trim() == subject, "the release commit at HEAD", &head)?;
    let tags = sh(root, "git", &["tag", "--points-at", "HEAD"])?;
    expect(tags.lines().any(|t| t == tag), "the tag on HEAD", &tags)?;
    let log = read(root, &format!("crates/{dir}/CHANGELOG.md"))?;
    expect(
        days.iter()
            .any(|d| log.contains(&format!("## Unreleased\n\n## {v} - {d}\n"))),
        "an empty Unreleased above the dated section",
        &log,
    )?;
    let mv = manifest_version(root, dir)?;
    expect(mv == v, "the manifest version", &mv)?;
    let reqs = requirements(root, krate)?;
    expect(
        reqs.iter().all(|(_, r)| r == v) && (krate == "cgctl-cli" || !reqs.is_empty()),
        "every requirement on the crate at the new version",
        &format!("{reqs:?}"),
    )?;
    let lock = read(root, "Cargo.lock")?;
    expect(
        lock.contains(&format!("name = \"{krate}\"\nversion = \"{v}\"\n")),
        "Cargo.lock at the new version",
        &out,
    )?;
    let status = sh(root, "git", &["status", "--porcelain"])?;
    expect(
        status.trim().is_empty(),
        "a clean tree after the release",
        &status,
    )?;
    let calls = std::fs::read_to_string(&wrap.0)?;
    expect(
        calls
            .lines()
            .any(|l| l.starts_with("cargo package --offline"))
            && calls.lines().any(|l| l.starts_with("git commit")),
        "cargo and git called through the logging wrappers",
        &calls,
    )?;
    expect(
        !calls
            .lines()
            .any(|l| l.starts_with("cargo publish") || l.starts_with("git push")),
        "no publish and no push run",
        &calls,
    )?;
    let remote = tmp().join("remote.git").display().to_string();
    let refs = sh(root, "git", &["ls-remote", &remote])?;
    expect(refs.trim().is_empty(), "nothing pushed to origin", &refs)?;
    Ok(out)
}

fn parse(v: &str) -> Result<[u64; 3], Failed> {
    let p: Vec<u64> = v.split('.').filter_map(|x| x.parse().ok()).collect();
    p.try_into().map_err(|_| format!("version {v:?}").into())
}

/// `v` after a compatible release (`minor` or `patch`): 0.y.z and 0.0.z count up z,
/// from 1.0.0 on `minor` counts up y.
fn compatible_bump(v: &str, minor: bool) -> Result<String, Failed> {
    let [a, b, c] = parse(v)?;
    Ok(match (a, minor) {
        (0, _) | (_, false) => format!("{a}.{b}.{}", c + 1),
        (_, true) => format!("{a}.{}.0", b + 1),
    })
}

fn add_changelog_entry(root: &Path, dir: &str, entry: &str) -> Result<(), Failed> {
    let rel = format!("crates/{dir}/CHANGELOG.md");
    edit(
        root,
        &rel,
        "## Unreleased\n",
        &format!("## Unreleased\n\n- {entry}\n"),
    )
}

fn every_crate_released_in_order_then_again() -> Result<(), Failed> {
    let root = clone()?;
    let wrap = wrappers()?;
    let skip_first = format!("semver,{BUILD_STEPS}");
    for (krate, dir) in ORDER {
        // A crate released before (once HEAD has real releases) is released again
        // at `patch`, with an entry if its Unreleased section is empty.
        let pattern = format!("^release({krate}): v");
        let before = sh(&root, "git", &["log", "--oneline", "--grep", &pattern])?;
        let current = manifest_version(&root, dir)?;
        let v = match before.trim().is_empty() {
            true => current,
            false => {
                add_changelog_entry(&root, dir, "Released again by the end-to-end test.")?;
                sh(&root, "git", &["commit", "-q", "-a", "-m", "e2e: entry"])?;
                compatible_bump(&current, false)?
            }
        };
        let args = [krate, "patch", "--execute", "--skip", &skip_first];
        released(&root, (krate, dir), &v, &args, &wrap)?;
    }
    let count = sh(&root, "git", &["tag", "--list"])?.lines().count();
    expect(
        count == ORDER.len(),
        "one tag per crate",
        &count.to_string(),
    )?;

    // Round two: an addition to intelrdt, released at minor against its release
    // commit (semver-checks runs when installed).
    let intelrdt = ("intelrdt", "intelrdt");
    let v1 = manifest_version(&root, "intelrdt")?;
    let v2 = compatible_bump(&v1, true)?;
    let lib = root.join("crates/intelrdt/src/lib.rs");
    let mut text = std::fs::read_to_string(&lib)?;
    text.push_str(
        "\n/// Added by the end-to-end release test.\npub fn e2e_added() -> u32 {\n    2\n}\n",
    );
    std::fs::write(&lib, text)?;
    add_changelog_entry(&root, "intelrdt", "Added `e2e_added`.")?;
    sh(
        &root,
        "git",
        &["commit", "-q", "-a", "-m", "intelrdt: e2e_added"],
    )?;
    let skip = match has("cargo-semver-checks") {
        true => BUILD_STEPS.to_owned(),
        false => format!("semver,{BUILD_STEPS}"),
    };
    let args = ["intelrdt", "minor", "--execute", "--skip", &skip];
    let out = released(&root, intelrdt, &v2, &args, &wrap)?;
    let baseline = format!(
        "{v1} -> {v2} (compatible; last release: release commit \"release(intelrdt): v{v1}\")"
    );
    expect(
        out.contains(&baseline),
        "the release commit as baseline",
        &out,
    )?;
    if has("cargo-semver-checks") {
        expect(
            out.lines().any(|l| l.starts_with("ok     semver:")),
            "semver checked against the baseline",
            &out,
        )?;
    }
    expect(
        out.contains("dependents: cgctl-cli"),
        "the dependent named",
        &out,
    )?;

    // pathsafe again: 0.0.N -> 0.0.N+1 whatever the level.
    let p1 = manifest_version(&root, "pathsafe")?;
    let p2 = compatible_bump(&p1, false)?;
    add_changelog_entry(&root, "pathsafe", "Released again by the end-to-end test.")?;
    sh(
        &root,
        "git",
        &["commit", "-q", "-a", "-m", "pathsafe: entry"],
    )?;
    let args = ["pathsafe", "minor", "--execute", "--skip", BUILD_STEPS];
    let out = released(&root, ("pathsafe", "pathsafe"), &p2, &args, &wrap)?;
    expect(
        out.contains("note   semver: pathsafe is internal"),
        "the pathsafe note",
        &out,
    )
}

fn main() {
    let args = Arguments::from_args();
    let cases: [(&str, Body, &[&str]); 1] = [(
        "every_crate_released_in_order_then_again",
        every_crate_released_in_order_then_again,
        &["cargo-deny"],
    )];
    let trials = cases
        .into_iter()
        .map(|(name, body, needs)| trial(name, body, needs))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
