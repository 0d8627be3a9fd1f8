//! The checks that run tools: semver, feature matrix, tests, clippy, docs, deny,
//! package. Each returns `Ok(note)` or `Err(why)`, with the command's tail on failure.

use std::path::Path;
use std::process::Command;

use super::version::Level;
use crate::tools;
use crate::util::cargo;

/// Runs `cmd`, streaming nothing; returns (success, stdout + stderr).
fn run(cmd: &mut Command) -> Result<(bool, String), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Ok((out.status.success(), text))
}

/// The last `n` lines of `text`, indented.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(n);
    lines[from..]
        .iter()
        .map(|l| format!("\n         | {l}"))
        .collect()
}

fn cargo_in(root: &Path) -> Command {
    let mut c = Command::new(cargo());
    c.current_dir(root);
    c
}

/// What the semver check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SemverOutcome {
    /// Nothing the level does not allow.
    Fine(String),
    /// A major level where a minor check passes too: nothing breaking.
    MajorWithoutBreak,
    /// Changes that the level does not allow (the tool's report).
    Breaking(String),
}

/// `cargo semver-checks check-release` of `krate` against `rev`, with explicit feature
/// lists (the stable ones: `oci` and `test-fixtures` are outside the promise).
pub fn semver(
    root: &Path,
    krate: &str,
    rev: &str,
    level: Level,
    current_features: &[String],
    baseline_features: &[String],
) -> Result<SemverOutcome, String> {
    tools::require("cargo-semver-checks")?;
    let check = |release_type: &str| {
        let mut c = cargo_in(root);
        c.args([
            "semver-checks",
            "check-release",
            "-p",
            krate,
            "--baseline-rev",
            rev,
        ])
        .args(["--release-type", release_type, "--only-explicit-features"]);
        for f in current_features {
            c.args(["--current-features", f]);
        }
        for f in baseline_features {
            c.args(["--baseline-features", f]);
        }
        run(&mut c)
    };
    let (ok, text) = check(level.name())?;
    if !ok {
        if text.contains("requires new major version") || text.contains("--- failure") {
            return Ok(SemverOutcome::Breaking(tail(&text, 40)));
        }
        return Err(format!(
            "cargo semver-checks did not run through:{}",
            tail(&text, 25)
        ));
    }
    if level == Level::Major {
        let (minor_ok, _) = check("minor")?;
        if minor_ok {
            return Ok(SemverOutcome::MajorWithoutBreak);
        }
    }
    let summary = text
        .lines()
        .find(|l| l.trim_start().starts_with("Summary"))
        .unwrap_or("passed")
        .trim()
        .to_owned();
    Ok(SemverOutcome::Fine(summary))
}

/// `cargo hack check -p CRATE --feature-powerset --no-dev-deps`.
pub fn matrix(root: &Path, krate: &str) -> Result<String, String> {
    tools::require("cargo-hack")?;
    let (ok, text) = run(cargo_in(root).args([
        "hack",
        "check",
        "-p",
        krate,
        "--feature-powerset",
        "--no-dev-deps",
    ]))?;
    let runs = text
        .lines()
        .filter(|l| l.trim_start().starts_with("info: running"))
        .count();
    match ok {
        true if runs == 1 => {
            Ok("1 feature combination (the crate has no feature) builds".to_owned())
        }
        true => Ok(format!("{runs} feature combinations build")),
        false => Err(format!("a feature combination fails:{}", tail(&text, 25))),
    }
}

/// `cargo test -p CRATE`.
pub fn test(root: &Path, krate: &str) -> Result<String, String> {
    let (ok, text) = run(cargo_in(root).args(["test", "-p", krate]))?;
    let passed: u64 = text
        .lines()
        .filter_map(|l| l.split("test result: ok. ").nth(1))
        .filter_map(|r| r.split(' ').next()?.parse::<u64>().ok())
        .sum();
    match ok {
        true => Ok(format!("{passed} tests passed")),
        false => Err(format!("tests fail:{}", tail(&text, 30))),
    }
}

/// `cargo clippy -p CRATE --all-targets --all-features -- -D warnings`.
pub fn clippy(root: &Path, krate: &str) -> Result<String, String> {
    let (ok, text) = run(cargo_in(root).args([
        "clippy",
        "-p",
        krate,
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    match ok {
        true => Ok("no warning".to_owned()),
        false => Err(format!("clippy:{}", tail(&text, 30))),
    }
}

/// `cargo doc -p CRATE --no-deps --all-features` with warnings denied.
pub fn doc(root: &Path, krate: &str) -> Result<String, String> {
    let (ok, text) = run(cargo_in(root).env("RUSTDOCFLAGS", "-D warnings").args([
        "doc",
        "-p",
        krate,
        "--no-deps",
        "--all-features",
    ]))?;
    match ok {
        true => Ok("builds without warnings".to_owned()),
        false => Err(format!("rustdoc:{}", tail(&text, 30))),
    }
}

/// `cargo deny --offline check licenses bans sources` with the workspace's deny.toml.
/// The unpublished members (`exclude`: benchmarks and tools such as stats-compare,
/// whose comparison dependencies are never distributed) are left out of the graph.
pub fn deny(root: &Path, exclude: &[String]) -> Result<String, String> {
    tools::require("cargo-deny")?;
    let mut c = cargo_in(root);
    c.args(["deny", "--offline"]);
    for e in exclude {
        c.args(["--exclude", e]);
    }
    let (ok, text) = run(c.args(["check", "licenses", "bans", "sources"]))?;
    match ok {
        true => Ok(
            "licenses, bans, sources ok; advisories NOT checked: they need the \
                    advisory database, which this machine cannot fetch (only the package \
                    registries are reachable)"
                .to_owned(),
        ),
        false => Err(format!("cargo deny:{}", tail(&text, 30))),
    }
}

/// `cargo package --offline -p CRATE -p DEP...`: builds each package from its packed
/// sources against the unpublished siblings.
pub fn package(root: &Path, packages: &[String], allow_dirty: bool) -> Result<String, String> {
    let mut c = cargo_in(root);
    c.args(["package", "--offline"]);
    for p in packages {
        c.args(["-p", p]);
    }
    if allow_dirty {
        c.arg("--allow-dirty");
    }
    let (ok, text) = run(&mut c)?;
    match ok {
        true => Ok(format!("packaged and verified: {}", packages.join(", "))),
        false => Err(format!("cargo package:{}", tail(&text, 30))),
    }
}
