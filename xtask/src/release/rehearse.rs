//! `cargo xtask release --rehearse LEVEL`: the release of the whole workspace, shown
//! on a clone of HEAD, the repository itself untouched.
//!
//! The clone lives in `<target>/release-rehearsal/ws` with its own target directory
//! next to it (two copies of the workspace must not share one: docs/releasing.md), so
//! a second rehearsal reuses the builds of the first. Every publishable crate, deps
//! first, gets the full dry run (no step skipped), then `--execute` in the clone so
//! that its dependents find it released; the execute run leaves out only the build
//! steps the dry run has just passed on the same tree, and packages again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use super::version::Level;
use super::workspace::{self, Member};
use crate::util::{cargo, target_dir};

/// The build steps the execute run does not repeat after a passed dry run.
const ALREADY_CHECKED: &str = "semver,matrix,test,clippy,doc";

/// One crate's line in the final table.
struct Row {
    krate: String,
    version: String,
    result: String,
    secs: u64,
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        false => Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// A fresh clone of `root`'s HEAD at `clone`, with a committer identity and an
/// up-to-date `Cargo.lock` (committed in the clone when HEAD's was stale).
fn prepare(root: &Path, clone: &Path) -> Result<(), String> {
    if clone.exists() {
        std::fs::remove_dir_all(clone)
            .map_err(|e| format!("cannot remove the old clone {}: {e}", clone.display()))?;
    }
    let parent = clone.parent().ok_or("the clone has no parent directory")?;
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let (src, dst) = (root.display().to_string(), clone.display().to_string());
    git(parent, &["clone", "-q", &src, &dst])?;
    // The clone's remote must never be the real repository: a push by mistake would
    // land there. Nothing in the release pushes, and this makes sure of it.
    git(clone, &["remote", "remove", "origin"])?;
    git(
        clone,
        &["config", "user.email", "rehearsal@example.invalid"],
    )?;
    git(clone, &["config", "user.name", "release rehearsal"])?;
    let out = Command::new(cargo())
        .current_dir(clone)
        .args(["metadata", "--format-version", "1", "--offline"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    if !git(clone, &["status", "--porcelain"])?.is_empty() {
        println!("note   Cargo.lock at HEAD is stale (cargo rewrote it): committed in the clone");
        git(
            clone,
            &["commit", "-q", "-a", "-m", "rehearsal: refresh Cargo.lock"],
        )?;
    }
    Ok(())
}

/// Publishable members, each after every member it depends on; within one depth, in
/// the workspace's member order.
pub fn release_order(members: &[Member]) -> Vec<String> {
    fn depth(members: &[Member], name: &str, seen: &mut Vec<String>) -> usize {
        if seen.iter().any(|s| s == name) {
            return 0; // a cycle cargo would refuse anyway
        }
        seen.push(name.to_owned());
        let d = members.iter().find(|m| m.name == name).map_or(0, |m| {
            m.deps
                .iter()
                .map(|d| 1 + depth(members, d, seen))
                .max()
                .unwrap_or(0)
        });
        seen.pop();
        d
    }
    let mut ranked: Vec<(usize, usize, String)> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.publishable)
        .map(|(i, m)| (depth(members, &m.name, &mut Vec::new()), i, m.name.clone()))
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, _, n)| n).collect()
}

/// Runs this xtask's `release` with `args` in the clone; its output goes straight to
/// ours. Returns whether it passed.
fn release(clone: &Path, target: &Path, args: &[&str]) -> bool {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("xtask"));
    let status = Command::new(exe)
        .arg("release")
        .args(args)
        .arg("--root")
        .arg(clone)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_NET_OFFLINE", "true")
        .status();
    match status {
        Ok(s) => s.success(),
        Err(e) => {
            println!("FAILED cannot run the release command: {e}");
            false
        }
    }
}

fn version_of(clone: &Path, krate: &str) -> String {
    workspace::members(clone)
        .ok()
        .and_then(|ms| ms.into_iter().find(|m| m.name == krate))
        .map_or_else(|| "?".to_owned(), |m| m.version)
}

/// The rehearsal; returns whether every crate was released.
pub fn run(root: &Path, level: Level) -> bool {
    let base = target_dir(root).join("release-rehearsal");
    let (clone, target) = (base.join("ws"), base.join("target"));
    let head = git(root, &["log", "-1", "--format=%h %s"]).unwrap_or_default();
    println!(
        "== rehearsal of a `{}` release of every crate",
        level.name()
    );
    println!("   HEAD {head}");
    match git(root, &["status", "--porcelain"]) {
        Ok(d) if !d.is_empty() => println!(
            "note   {} uncommitted paths in {} are not part of the rehearsal (HEAD only)",
            d.lines().count(),
            root.display()
        ),
        _ => {}
    }
    println!("   clone {} (target {})", clone.display(), target.display());
    if let Err(e) = prepare(root, &clone) {
        println!("FAILED clone: {e}");
        return false;
    }
    let members = match workspace::members(&clone) {
        Ok(m) => m,
        Err(e) => {
            println!("FAILED metadata: {e}");
            return false;
        }
    };
    let order = release_order(&members);
    println!("   order: {}", order.join(" -> "));
    let total = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for (i, krate) in order.iter().enumerate() {
        let start = Instant::now();
        let needs: Vec<String> = workspace::closure(&members, krate)
            .into_iter()
            .filter(|d| failed.contains(d))
            .collect();
        let result = if !needs.is_empty() {
            println!("\n#### {}/{} {krate}: not run", i + 1, order.len());
            format!("not run (needs {})", needs.join(", "))
        } else {
            println!("\n#### {}/{} {krate}: dry run", i + 1, order.len());
            if !release(&clone, &target, &[krate, level.name()]) {
                "REFUSED in the dry run".to_owned()
            } else {
                println!(
                    "\n#### {}/{} {krate}: --execute in the clone",
                    i + 1,
                    order.len()
                );
                let args = [krate, level.name(), "--execute", "--skip", ALREADY_CHECKED];
                match release(&clone, &target, &args) {
                    true => "released".to_owned(),
                    false => "dry run passed, --execute FAILED".to_owned(),
                }
            }
        };
        if result != "released" {
            failed.push(krate.clone());
        }
        rows.push(Row {
            krate: krate.clone(),
            version: version_of(&clone, krate),
            result,
            secs: start.elapsed().as_secs(),
        });
    }
    print_table(&rows, total.elapsed().as_secs());
    if let Ok(log) = git(
        &clone,
        &[
            "log",
            "--format=%h %s",
            "--grep",
            "^release(",
            "-n",
            &order.len().to_string(),
        ],
    ) {
        let shown = if log.is_empty() {
            "(none)"
        } else {
            log.as_str()
        };
        println!("\nrelease commits in the clone:\n{shown}");
    }
    failed.is_empty()
}

fn print_table(rows: &[Row], total: u64) {
    let w = rows.iter().map(|r| r.krate.len()).max().unwrap_or(5).max(5);
    let rw = rows
        .iter()
        .map(|r| r.result.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!("\n== rehearsal summary");
    println!(
        "{:<w$}  {:<8}  {:<rw$}  {:>6}",
        "crate", "version", "result", "time"
    );
    for r in rows {
        let t = format!("{}m{:02}s", r.secs / 60, r.secs % 60);
        println!(
            "{:<w$}  {:<8}  {:<rw$}  {t:>6}",
            r.krate, r.version, r.result
        );
    }
    let released = rows.iter().filter(|r| r.result == "released").count();
    println!(
        "{released} of {} released in the clone, {}m{:02}s; nothing was published or pushed",
        rows.len(),
        total / 60,
        total % 60
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, deps: &[&str], publishable: bool) -> Member {
        Member {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            dir: PathBuf::from("/w").join(name),
            publishable,
            deps: deps.iter().map(|d| d.to_string()).collect(),
            has_lib: true,
        }
    }

    #[test]
    fn release_order_puts_dependencies_first_and_leaves_out_private_crates() {
        let ms = [
            m("cli", &["fs", "core", "safe"], true),
            m("fs", &["core"], true),
            m("bench", &["fs"], false),
            m("core", &["safe"], true),
            m("safe", &[], true),
            m("leaf", &["safe"], true),
        ];
        assert_eq!(
            release_order(&ms),
            vec!["safe", "core", "leaf", "fs", "cli"]
        );
    }
}
