//! `cargo xtask release` on temporary copies of this workspace: a `git clone` of HEAD
//! under cargo's per-test tmp dir (target/), changed and committed by each test.
//!
//! A test that needs a pinned release tool (cargo-deny, cargo-semver-checks) is listed
//! as ignored, with the reason, when `cargo xtask tools --check` says the tool is
//! missing: libtest cannot decide that at run time, so this is a `harness = false`
//! binary on libtest-mimic, and the tools are probed when the list is built.
//! The slow steps that only build the crate (matrix, test, clippy, doc) are skipped
//! with `--skip`; they are the same cargo commands CI runs anyway.
// Builds fixture workspaces with std::fs: test code, not shipped.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;

use common::{Body, clone, commit_all, edit, expect, line_starts, release, sh, trial};
use libtest_mimic::{Arguments, Failed};

const SKIP_BUILDS: &str = "matrix,test,clippy,doc";

/// Records `krate` as released at `version` (an empty release commit).
fn mark_released(root: &Path, krate: &str, version: &str) -> Result<(), Failed> {
    let msg = format!("release({krate}): v{version}");
    sh(root, "git", &["commit", "-q", "--allow-empty", "-m", &msg])?;
    Ok(())
}

fn systemd_dry_run_passes_after_its_dependencies() -> Result<(), Failed> {
    let root = clone()?;
    for (c, v) in [
        ("pathsafe", "0.0.1"),
        ("cgroups-devices", "0.1.0"),
        ("cgroups-core", "0.1.0"),
        ("cgroups-fs1", "0.1.0"),
        ("cgroups-fs2", "0.1.0"),
    ] {
        mark_released(&root, c, v)?;
    }
    let (ok, out) = release(&root, &["cgroups-systemd", "minor", "--skip", SKIP_BUILDS])?;
    expect(ok, "success", &out)?;
    expect(
        out.contains("first release: publishes the manifest's 0.1.0"),
        "first release",
        &out,
    )?;
    expect(
        line_starts(&out, "ok     package: packaged and verified"),
        "package ok",
        &out,
    )?;
    expect(out.contains("dependents: cgctl-cli"), "its dependent", &out)?;
    expect(
        out.contains("advisories NOT checked"),
        "the advisories caveat",
        &out,
    )
}

fn dependency_not_released_first_is_refused() -> Result<(), Failed> {
    let root = clone()?;
    let (ok, out) = release(
        &root,
        &[
            "cgroups-fs2",
            "minor",
            "--skip",
            "matrix,test,clippy,doc,package,semver",
        ],
    )?;
    expect(!ok, "a refusal", &out)?;
    expect(
        out.contains("FAILED deps released: release these first, in this order: pathsafe 0.0.1, cgroups-devices 0.1.0, cgroups-core 0.1.0"),
        "the release order",
        &out,
    )
}

fn core_dry_run_lists_the_dependents_requirement_update() -> Result<(), Failed> {
    let root = clone()?;
    for (c, v) in [
        ("pathsafe", "0.0.1"),
        ("cgroups-devices", "0.1.0"),
        ("cgroups-core", "0.1.0"),
    ] {
        mark_released(&root, c, v)?;
    }
    let (ok, out) = release(
        &root,
        &[
            "cgroups-core",
            "minor",
            "--skip",
            "matrix,test,clippy,doc,semver",
        ],
    )?;
    expect(ok, "success", &out)?;
    expect(out.contains("0.1.0 -> 0.1.1 (compatible"), "the bump", &out)?;
    expect(
        out.contains("Cargo.toml [workspace.dependencies] 0.1.0 -> 0.1.1"),
        "the workspace requirement update",
        &out,
    )?;
    for d in ["cgroups-fs1", "cgroups-fs2", "cgroup-stats", "cgctl-cli"] {
        expect(out.contains(d), d, &out)?;
    }
    Ok(())
}

fn breaking_change_is_refused_at_minor_and_allowed_at_major() -> Result<(), Failed> {
    let root = clone()?;
    mark_released(&root, "pathsafe", "0.0.1")?;
    mark_released(&root, "apparmor", "0.1.0")?;
    edit(
        &root,
        "crates/apparmor/src/lib.rs",
        "pub use enabled::{is_enabled, is_enabled_at};",
        "pub use enabled::is_enabled;\n#[allow(unused_imports)]\nuse enabled::is_enabled_at;",
    )?;
    edit(
        &root,
        "crates/apparmor/CHANGELOG.md",
        "## Unreleased\n",
        "## Unreleased\n\n- Breaking: no is_enabled_at\n",
    )?;
    commit_all(&root, "apparmor: drop is_enabled_at")?;
    let skip = "matrix,test,clippy,doc,package";
    let (ok, out) = release(&root, &["apparmor", "minor", "--skip", skip])?;
    expect(!ok, "a refusal", &out)?;
    expect(
        out.contains("FAILED semver: breaking changes are not allowed at `minor`"),
        "the semver refusal",
        &out,
    )?;
    let (_, out) = release(&root, &["apparmor", "major", "--skip", skip])?;
    expect(
        line_starts(&out, "ok     semver:"),
        "semver ok at major",
        &out,
    )?;
    expect(out.contains("0.1.0 -> 0.2.0 (breaking"), "0.2.0", &out)
}

fn pathsafe_leak_is_caught() -> Result<(), Failed> {
    let root = clone()?;
    let lib = root.join("crates/apparmor/src/lib.rs");
    let mut text = std::fs::read_to_string(&lib)?;
    text.push_str("\n/// Leaks.\npub fn leak() -> Option<pathsafe::Dir> {\n    None\n}\n");
    std::fs::write(&lib, text)?;
    commit_all(&root, "apparmor: leak")?;
    let (ok, out) = release(
        &root,
        &[
            "apparmor",
            "patch",
            "--skip",
            "matrix,test,clippy,doc,package,semver",
        ],
    )?;
    expect(!ok, "a refusal", &out)?;
    expect(
        line_starts(&out, "FAILED boundary"),
        "the boundary failure",
        &out,
    )?;
    expect(
        out.contains("crates/apparmor/src/lib.rs"),
        "the leaking file",
        &out,
    )
}

fn first_release_without_baseline_skips_semver_with_a_note() -> Result<(), Failed> {
    let root = clone()?;
    mark_released(&root, "pathsafe", "0.0.1")?;
    let (ok, out) = release(
        &root,
        &[
            "intelrdt",
            "minor",
            "--skip",
            "matrix,test,clippy,doc,package",
        ],
    )?;
    expect(ok, "success", &out)?;
    expect(
        out.contains("note   semver: first release: no baseline"),
        "the no-baseline note",
        &out,
    )
}

fn main() {
    let mut args = Arguments::from_args();
    // One clone at a time: the cases share a target directory.
    args.test_threads = Some(1);
    let cases: [(&str, Body, &[&str]); 6] = [
        (
            "systemd_dry_run_passes_after_its_dependencies",
            systemd_dry_run_passes_after_its_dependencies,
            &["cargo-deny"],
        ),
        (
            "dependency_not_released_first_is_refused",
            dependency_not_released_first_is_refused,
            &[],
        ),
        (
            "core_dry_run_lists_the_dependents_requirement_update",
            core_dry_run_lists_the_dependents_requirement_update,
            &["cargo-deny"],
        ),
        (
            "breaking_change_is_refused_at_minor_and_allowed_at_major",
            breaking_change_is_refused_at_minor_and_allowed_at_major,
            &["cargo-semver-checks"],
        ),
        ("pathsafe_leak_is_caught", pathsafe_leak_is_caught, &[]),
        (
            "first_release_without_baseline_skips_semver_with_a_note",
            first_release_without_baseline_skips_semver_with_a_note,
            &["cargo-deny"],
        ),
    ];
    let trials = cases
        .into_iter()
        .map(|(name, body, needs)| trial(name, body, needs))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
