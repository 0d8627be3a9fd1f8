//! What the `harness = false` release test binaries share: the tools probe, the
//! trial listed as ignored (with the reason) when a tool it needs is missing, and the
//! one clone of this workspace that the cases release on.
// Builds fixture workspaces with std::fs: test code, not shipped.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use libtest_mimic::{Completion, Failed, Trial};

/// A test body.
pub type Body = fn() -> Result<(), Failed>;

/// The tools `cargo xtask tools --check` reports as installed at their pins (probed
/// once per test binary).
pub fn installed() -> &'static [String] {
    static TOOLS: OnceLock<Vec<String>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["tools", "--check"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        out.lines()
            .filter_map(|l| l.strip_prefix("ok     "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect()
    })
}

/// Whether `tool` is installed at its pin.
pub fn has(tool: &str) -> bool {
    installed().iter().any(|i| i == tool)
}

/// The trial for `body`, or an ignored one naming the first tool of `needs` that is
/// missing (libtest cannot decide that at run time; libtest-mimic builds the list).
pub fn trial(name: &str, body: Body, needs: &[&str]) -> Trial {
    match needs.iter().find(|n| !has(n)) {
        None => Trial::test(name, body),
        Some(tool) => {
            let reason =
                format!("{tool} is not installed at its pinned version (cargo xtask tools)");
            let shown = reason.clone();
            Trial::ignorable_test(name, move || Ok(Completion::ignored_with(reason)))
                .with_kind(format!("ignored: {shown}"))
                .with_ignored_flag(true)
        }
    }
}

/// The per-test tmp dir of the release tests (under target/).
pub fn tmp() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("xtask-release")
}

/// Runs `prog ARGS` in `dir`, offline; its output, or a failure with it.
pub fn sh(dir: &Path, prog: &str, args: &[&str]) -> Result<String, Failed> {
    let out = Command::new(prog)
        .current_dir(dir)
        .args(args)
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .map_err(|e| format!("{prog}: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    match out.status.success() {
        true => Ok(text),
        false => Err(format!("{prog} {args:?} failed:\n{text}").into()),
    }
}

/// The one copy of the workspace all cases share: a clone of HEAD in `tmp()/ws`,
/// reset to its first commit (lock file refreshed and committed), tags removed,
/// before each case. One path for all: cargo keys the build of a workspace member by
/// its path relative to the workspace root, so two copies at different paths
/// sharing a target directory would replay each other's stale diagnostics.
/// Its `origin` is an empty bare repository in `tmp()/remote.git`, never this one.
pub fn clone() -> Result<PathBuf, Failed> {
    static BASE: OnceLock<Result<String, String>> = OnceLock::new();
    let root = tmp().join("ws");
    let base = BASE.get_or_init(|| fresh_clone(&root).map_err(|e| format!("{e:?}")));
    let base = base.clone().map_err(Failed::from)?;
    sh(&root, "git", &["reset", "-q", "--hard", &base])?;
    sh(&root, "git", &["clean", "-q", "-f", "-d"])?;
    for t in sh(&root, "git", &["tag", "--list"])?.lines() {
        sh(&root, "git", &["tag", "-d", t])?;
    }
    Ok(root)
}

fn fresh_clone(root: &Path) -> Result<String, Failed> {
    let _ = std::fs::remove_dir_all(root);
    let remote = tmp().join("remote.git");
    let _ = std::fs::remove_dir_all(&remote);
    std::fs::create_dir_all(tmp())?;
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace")?;
    sh(
        &tmp(),
        "git",
        &["clone", "-q", &src.display().to_string(), "ws"],
    )?;
    sh(&tmp(), "git", &["init", "-q", "--bare", "remote.git"])?;
    let remote = remote.display().to_string();
    sh(root, "git", &["remote", "set-url", "origin", &remote])?;
    sh(
        root,
        "git",
        &["config", "user.email", "release-test@example.invalid"],
    )?;
    sh(root, "git", &["config", "user.name", "release test"])?;
    sh(
        root,
        "cargo",
        &["metadata", "--format-version", "1", "--offline"],
    )?;
    commit_all(root, "test setup: lock file")?;
    Ok(sh(root, "git", &["rev-parse", "HEAD"])?.trim().to_owned())
}

/// Commits every tracked change, if there is one.
pub fn commit_all(root: &Path, msg: &str) -> Result<(), Failed> {
    if !sh(root, "git", &["status", "--porcelain"])?
        .trim()
        .is_empty()
    {
        sh(root, "git", &["commit", "-q", "-a", "-m", msg])?;
    }
    Ok(())
}

/// Replaces the first `from` in `rel` by `to`.
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) -> Result<(), Failed> {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path)?;
    if !text.contains(from) {
        return Err(format!("{rel} does not contain {from:?}").into());
    }
    std::fs::write(&path, text.replacen(from, to, 1))?;
    Ok(())
}

/// Runs `xtask release ARGS --root ROOT` with `envs`; returns (success, output).
pub fn release_with(
    root: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Result<(bool, String), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("release")
        .args(args)
        .arg("--root")
        .arg(root)
        .env("CARGO_TARGET_DIR", tmp().join("ws-target"))
        .env("CARGO_NET_OFFLINE", "true")
        .envs(envs.iter().copied())
        .output()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Ok((out.status.success(), text))
}

/// Runs `xtask release ARGS --root ROOT`; returns (success, output).
pub fn release(root: &Path, args: &[&str]) -> Result<(bool, String), Failed> {
    release_with(root, args, &[])
}

/// `Ok` when `cond`, else a failure naming `what` with the output.
pub fn expect(cond: bool, what: &str, out: &str) -> Result<(), Failed> {
    match cond {
        true => Ok(()),
        false => Err(format!("expected {what}; output:\n{out}").into()),
    }
}

/// Whether a line of `out` starts with `prefix`.
pub fn line_starts(out: &str, prefix: &str) -> bool {
    out.lines().any(|l| l.starts_with(prefix))
}
