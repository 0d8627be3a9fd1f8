//! (a) pathsafe types in public interfaces, found by the compiler.
//!
//! Under cargo's `-Zpublic-dependency`, every dependency not marked `public = true` is
//! passed to rustc as private (`--extern priv:...`), and rustc's
//! `exported_private_dependencies` lint (warn by default) reports each public item
//! whose signature names, or that re-exports, an item of a private dependency. We run
//! `cargo check` that way in a separate target directory and fail on every such
//! diagnostic that mentions pathsafe outside pathsafe itself.

use std::path::Path;
use std::process::Command;

use super::Problem;
use crate::util::{cargo, target_dir};

/// Runs the public-dependency check on the workspace at `root`.
pub fn check(root: &Path) -> Result<Vec<Problem>, String> {
    let target = target_dir(root).join("xtask-check");
    let output = Command::new(cargo())
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "check",
            "-Zpublic-dependency",
            "--workspace",
            "--lib",
            "--all-features",
        ])
        // A crate that does not compile must not hide the leaks of the others.
        .arg("--keep-going")
        .args(["--message-format=short", "--color=never"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let problems = diagnostics_about_pathsafe(&stderr);
    if !output.status.success() && problems.is_empty() {
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).collect();
        return Err(format!(
            "cargo check -Zpublic-dependency failed (target dir {}):\n{}",
            target.display(),
            errors.join("\n")
        ));
    }
    let others = stderr
        .lines()
        .filter(|l| l.contains("from private dependency"))
        .count();
    if others > problems.len() {
        println!(
            "note   {} private-dependency diagnostics about other crates (not a failure)",
            others - problems.len()
        );
    }
    Ok(problems)
}

/// Short-format diagnostics (`file:line:col: warning: message`) whose message mentions
/// pathsafe, except those located in pathsafe's own sources.
pub fn diagnostics_about_pathsafe(stderr: &str) -> Vec<Problem> {
    stderr
        .lines()
        .filter_map(|line| {
            let (place, what) = split_diagnostic(line)?;
            let inside_pathsafe = place.split('/').any(|part| part == "pathsafe");
            (what.contains("pathsafe") && !inside_pathsafe).then(|| Problem {
                place: place.to_owned(),
                what: what.to_owned(),
            })
        })
        .collect()
}

fn split_diagnostic(line: &str) -> Option<(&str, &str)> {
    ["warning: ", "error: ", "error[", "warning["]
        .iter()
        .filter_map(|level| line.find(level).map(|i| (i, level)))
        .min_by_key(|(i, _)| *i)
        .and_then(|(i, _)| {
            let place = line[..i].trim_end().trim_end_matches(':');
            (!place.is_empty()).then_some((place, &line[i..]))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leak_warnings_outside_pathsafe_are_problems() {
        let stderr = "\
    Checking leaky v0.0.1 (/tmp/w/leaky)
leaky/src/lib.rs:1:1: warning: type `pathsafe::Dir` from private dependency 'pathsafe' in public interface
crates/pathsafe/src/dir.rs:3:9: warning: unused variable: `pathsafe_root`
crates/core/src/lib.rs:9:1: warning: unused import: `std::io`
warning: `leaky` (lib) generated 1 warning
";
        let p = diagnostics_about_pathsafe(stderr);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].place, "leaky/src/lib.rs:1:1");
    }
}
