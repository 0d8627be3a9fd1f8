//! The release command on a tiny generated workspace (crate `tiny`, no dependencies,
//! optionally crate `tiny-user` depending on it; a git repository under cargo's per-test
//! tmp dir in target/).
//!
//! Each build step can refuse a release, one break per case: a feature combination
//! that does not compile (`matrix`), a failing unit test (`test`), a clippy warning
//! (`clippy`), a broken intra-doc link (`doc`). The dry run names the step and shows
//! why; the same break with `--execute` changes nothing (no commit, no tag, no
//! edited file). The unbroken workspace passes, so the breaks are what the refusals
//! are about.
//!
//! `--rehearse` releases both crates in a clone, in order, and leaves the repository
//! alone; a refused crate stops its dependents.
// Builds fixture workspaces with std::fs: test code, not shipped.
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Body, expect, line_starts, sh, trial};
use libtest_mimic::{Arguments, Failed};

/// The unbroken crate: `one` calls a helper that feature `extra` (on by default)
/// does not gate, a unit test, docs on everything.
const LIB: &str = "\
//! A tiny crate to break.

/// One.
pub fn one() -> u32 {
    helper()
}

fn helper() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_one() {
        assert_eq!(super::one(), 1);
    }
}
";

/// Crate `tiny-user` (in `user/`): depends on `tiny` by path and version, as the real crates do.
const USER_LIB: &str =
    "//! Uses tiny.\n\n/// Two.\npub fn two() -> u32 {\n    tiny::one() + 1\n}\n";

/// Writes the workspace for `case` with `lib` as the crate's source, commits it and
/// returns its root.
fn workspace(case: &str, lib: &str) -> Result<PathBuf, Failed> {
    workspace_of(case, lib, false)
}

/// Like `workspace`, with crate `tiny-user` too when `with_user`.
fn workspace_of(case: &str, lib: &str, with_user: bool) -> Result<PathBuf, Failed> {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-release-tiny")
        .join(case);
    let _ = std::fs::remove_dir_all(&root);
    let write = |rel: &str, text: &str| -> Result<(), Failed> {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        std::fs::write(path, text)?;
        Ok(())
    };
    let members = match with_user {
        true => "[\"tiny\", \"user\"]",
        false => "[\"tiny\"]",
    };
    write(
        "Cargo.toml",
        &format!("[workspace]\nresolver = \"3\"\nmembers = {members}\n"),
    )?;
    if with_user {
        write(
            "user/Cargo.toml",
            "[package]\nname = \"tiny-user\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
             license = \"MIT\"\ndescription = \"Uses tiny.\"\n\n\
             [dependencies]\ntiny = { path = \"../tiny\", version = \"0.1.0\" }\n",
        )?;
        write("user/src/lib.rs", USER_LIB)?;
        write(
            "user/CHANGELOG.md",
            "# Changelog\n\n## Unreleased\n\n- First.\n",
        )?;
    }
    write(".gitignore", "/target\n")?;
    write("deny.toml", "[licenses]\nversion = 2\nallow = [\"MIT\"]\n")?;
    write(
        "tiny/Cargo.toml",
        "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
         license = \"MIT\"\ndescription = \"A crate to break.\"\n\n\
         [features]\ndefault = [\"extra\"]\nextra = []\nother = []\n",
    )?;
    write("tiny/src/lib.rs", lib)?;
    write(
        "tiny/CHANGELOG.md",
        "# Changelog\n\n## Unreleased\n\n- First release.\n",
    )?;
    sh(&root, "git", &["init", "-q"])?;
    sh(
        &root,
        "git",
        &["config", "user.email", "refusals@example.invalid"],
    )?;
    sh(&root, "git", &["config", "user.name", "refusals test"])?;
    sh(&root, "cargo", &["generate-lockfile", "--offline"])?;
    sh(&root, "git", &["add", "-A"])?;
    sh(&root, "git", &["commit", "-q", "-m", "tiny"])?;
    Ok(root)
}

/// Runs `xtask release tiny minor ARGS --root ROOT`; returns (success, output).
fn release(root: &Path, args: &[&str]) -> Result<(bool, String), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["release", "tiny", "minor"])
        .args(args)
        .arg("--root")
        .arg(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("CARGO_NET_OFFLINE", "true")
        .output()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Ok((out.status.success(), text))
}

/// The repository's state: HEAD, tags, `git status`, and the files a release edits.
fn state(root: &Path) -> Result<String, Failed> {
    let mut s = sh(root, "git", &["rev-parse", "HEAD"])?;
    s += &sh(root, "git", &["tag", "--list"])?;
    s += &sh(root, "git", &["status", "--porcelain"])?;
    for f in ["tiny/Cargo.toml", "tiny/CHANGELOG.md", "Cargo.lock"] {
        s += &std::fs::read_to_string(root.join(f))?;
    }
    Ok(s)
}

/// `lib` refused by `step` in a dry run (the reason's text `why` shown, the other
/// build steps passing), then by `--execute` without any change. `skip` leaves out
/// steps whose tool the case does not need.
fn refused(case: &str, lib: &str, step: &str, why: &str, skip: &str) -> Result<(), Failed> {
    let root = workspace(case, lib)?;
    let mut args = vec!["--skip", skip];
    if skip.is_empty() {
        args.clear();
    }
    let (ok, out) = release(&root, &args)?;
    expect(!ok, "a refusal", &out)?;
    expect(
        line_starts(&out, &format!("FAILED {step}:")),
        "the step's failure",
        &out,
    )?;
    expect(out.contains(why), why, &out)?;
    for other in ["matrix", "test", "clippy", "doc"] {
        if other != step && !skip.split(',').any(|s| s == other) {
            let line = format!("ok     {other}:");
            expect(line_starts(&out, &line), &line, &out)?;
        }
    }
    expect(
        out.contains(&format!("REFUSED (1 failed: {step})")),
        "only this step failed",
        &out,
    )?;
    let before = state(&root)?;
    args.push("--execute");
    let (ok, out) = release(&root, &args)?;
    expect(!ok, "a refusal with --execute", &out)?;
    expect(
        line_starts(&out, &format!("FAILED {step}:")),
        "the step's failure",
        &out,
    )?;
    for later in ["deny", "package", "commit"] {
        let shown = out.lines().any(|l| l.contains(&format!(" {later}: ")));
        expect(
            !shown,
            &format!("nothing after the failure ({later})"),
            &out,
        )?;
    }
    let after = state(&root)?;
    expect(
        before == after,
        "the tree, the tags and the files unchanged",
        &after,
    )
}

fn unbroken_crate_passes_every_step() -> Result<(), Failed> {
    let root = workspace("unbroken", LIB)?;
    let (ok, out) = release(&root, &[])?;
    expect(ok, "the dry run passing", &out)?;
    for step in ["matrix", "test", "clippy", "doc", "deny", "package"] {
        let line = format!("ok     {step}:");
        expect(line_starts(&out, &line), &line, &out)?;
    }
    Ok(())
}

fn feature_combination_that_does_not_compile_is_refused_by_matrix() -> Result<(), Failed> {
    // The helper exists only with the default feature: default builds, tests, clippy
    // and docs (all features) pass, `--no-default-features` does not compile.
    let lib = LIB.replace("fn helper()", "#[cfg(feature = \"extra\")]\nfn helper()");
    refused(
        "matrix",
        &lib,
        "matrix",
        "cannot find function `helper`",
        "",
    )
}

fn failing_unit_test_is_refused_by_test() -> Result<(), Failed> {
    let lib = LIB.replace("assert_eq!(super::one(), 1)", "assert_eq!(super::one(), 2)");
    refused("test", &lib, "test", "one_is_one", "matrix")
}

fn clippy_warning_is_refused_by_clippy() -> Result<(), Failed> {
    let lib = LIB.replace("    helper()\n", "    return helper();\n");
    refused("clippy", &lib, "clippy", "needless_return", "matrix")
}

fn broken_intra_doc_link_is_refused_by_doc() -> Result<(), Failed> {
    let lib = LIB.replace("/// One.", "/// One, unlike [`Two`].");
    refused("doc", &lib, "doc", "unresolved link to `Two`", "matrix")
}

/// Runs `xtask release --rehearse minor --root ROOT`; returns (success, output).
fn rehearse(root: &Path) -> Result<(bool, String), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["release", "--rehearse", "minor", "--root"])
        .arg(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("CARGO_NET_OFFLINE", "true")
        .output()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Ok((out.status.success(), text))
}

/// Whether the summary table has `krate` at 0.1.0 with `result`.
fn table_row(out: &str, krate: &str, result: &str) -> bool {
    out.lines().any(|l| {
        let cols: Vec<&str> = l
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        cols.len() == 4 && cols[0] == krate && cols[1] == "0.1.0" && cols[2] == result
    })
}

fn rehearsal_releases_every_crate_in_a_clone_and_leaves_the_repository_alone() -> Result<(), Failed>
{
    let root = workspace_of("rehearse", LIB, true)?;
    let before = state(&root)?;
    let (ok, out) = rehearse(&root)?;
    expect(ok, "the rehearsal passing", &out)?;
    expect(
        out.contains("order: tiny -> tiny-user"),
        "dependencies first",
        &out,
    )?;
    // Full dry runs (nothing skipped), then the execute runs skip what they checked.
    for (line, n) in [
        ("ok     matrix:", 2),
        ("ok     test:", 2),
        ("skip   test:", 2),
    ] {
        let found = out.lines().filter(|l| l.starts_with(line)).count();
        expect(found == n, &format!("{n} lines {line:?}"), &out)?;
    }
    expect(table_row(&out, "tiny", "released"), "tiny released", &out)?;
    expect(
        table_row(&out, "tiny-user", "released"),
        "tiny-user released",
        &out,
    )?;
    expect(
        out.contains("2 of 2 released in the clone"),
        "the count",
        &out,
    )?;
    let clone = root.join("target/release-rehearsal/ws");
    let log = sh(&clone, "git", &["log", "--format=%s", "-n", "2"])?;
    expect(
        log == "release(tiny-user): v0.1.0\nrelease(tiny): v0.1.0\n",
        "the release commits in the clone",
        &log,
    )?;
    let remotes = sh(&clone, "git", &["remote"])?;
    expect(
        remotes.trim().is_empty(),
        "a clone without a remote",
        &remotes,
    )?;
    let after = state(&root)?;
    expect(before == after, "the repository unchanged", &after)
}

fn rehearsal_does_not_run_the_dependents_of_a_refused_crate() -> Result<(), Failed> {
    let lib = LIB.replace("assert_eq!(super::one(), 1)", "assert_eq!(super::one(), 2)");
    let root = workspace_of("rehearse-refused", &lib, true)?;
    let (ok, out) = rehearse(&root)?;
    expect(!ok, "a failed rehearsal", &out)?;
    expect(
        line_starts(&out, "FAILED test:"),
        "tiny's failing test",
        &out,
    )?;
    expect(
        table_row(&out, "tiny", "REFUSED in the dry run"),
        "tiny refused",
        &out,
    )?;
    expect(
        table_row(&out, "tiny-user", "not run (needs tiny)"),
        "user not run",
        &out,
    )?;
    expect(out.contains("0 of 2 released"), "the count", &out)
}

fn main() {
    let args = Arguments::from_args();
    let cases: [(&str, Body, &[&str]); 7] = [
        (
            "rehearsal_releases_every_crate_in_a_clone_and_leaves_the_repository_alone",
            rehearsal_releases_every_crate_in_a_clone_and_leaves_the_repository_alone,
            &["cargo-hack", "cargo-deny"],
        ),
        (
            "rehearsal_does_not_run_the_dependents_of_a_refused_crate",
            rehearsal_does_not_run_the_dependents_of_a_refused_crate,
            &["cargo-hack", "cargo-deny"],
        ),
        (
            "unbroken_crate_passes_every_step",
            unbroken_crate_passes_every_step,
            &["cargo-hack", "cargo-deny"],
        ),
        (
            "feature_combination_that_does_not_compile_is_refused_by_matrix",
            feature_combination_that_does_not_compile_is_refused_by_matrix,
            &["cargo-hack"],
        ),
        (
            "failing_unit_test_is_refused_by_test",
            failing_unit_test_is_refused_by_test,
            &[],
        ),
        (
            "clippy_warning_is_refused_by_clippy",
            clippy_warning_is_refused_by_clippy,
            &[],
        ),
        (
            "broken_intra_doc_link_is_refused_by_doc",
            broken_intra_doc_link_is_refused_by_doc,
            &[],
        ),
    ];
    let trials = cases
        .into_iter()
        .map(|(name, body, needs)| trial(name, body, needs))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
