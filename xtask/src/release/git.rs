//! The git facts a release needs: a clean tree, the last release of a crate (its
//! release commit, or its tag where the commit message was lost), files at a revision.

use std::path::Path;
use std::process::Command;

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        false => Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// The `git status --porcelain` lines (untracked files included).
pub fn dirty(root: &Path) -> Result<Vec<String>, String> {
    Ok(git(root, &["status", "--porcelain"])?
        .lines()
        .map(str::to_owned)
        .collect())
}

/// The message of a release commit.
pub fn release_subject(krate: &str, version: &str) -> String {
    format!("release({krate}): v{version}")
}

/// The tag of a release.
pub fn tag(krate: &str, version: &str) -> String {
    format!("{krate}-v{version}")
}

/// The last release of `krate`: (revision, version, how it was found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub rev: String,
    pub version: String,
    pub found_by: String,
}

/// Finds the newest `release(<krate>): v<version>` commit on HEAD's history, else the
/// highest `<krate>-v<version>` tag; `None` for a crate never released.
pub fn baseline(root: &Path, krate: &str) -> Result<Option<Baseline>, String> {
    let pattern = format!("^release({krate}): v");
    let log = git(
        root,
        &["log", "--format=%H %s", "--grep", &pattern, "-n", "1"],
    )?;
    if let Some(line) = log.lines().next() {
        let (rev, subject) = line.split_once(' ').unwrap_or((line, ""));
        let prefix = format!("release({krate}): v");
        if let Some(version) = subject.strip_prefix(&prefix) {
            return Ok(Some(Baseline {
                rev: rev.to_owned(),
                version: version.trim().to_owned(),
                found_by: format!("release commit \"{subject}\""),
            }));
        }
    }
    let tags = git(
        root,
        &["tag", "--list", &format!("{krate}-v*"), "--sort=-v:refname"],
    )?;
    for t in tags.lines() {
        let Some(version) = t.strip_prefix(&format!("{krate}-v")) else {
            continue;
        };
        if super::version::Version::parse(version).is_ok() {
            let rev = git(root, &["rev-list", "-n", "1", t])?.trim().to_owned();
            return Ok(Some(Baseline {
                rev,
                version: version.to_owned(),
                found_by: format!("tag {t}"),
            }));
        }
    }
    Ok(None)
}

/// The text of `path` (relative to the repository root) at `rev`.
pub fn show(root: &Path, rev: &str, path: &str) -> Result<String, String> {
    git(root, &["show", &format!("{rev}:{path}")])
}

/// Commits `paths` with `message` and tags the commit `tag`.
pub fn commit_and_tag(
    root: &Path,
    paths: &[String],
    message: &str,
    tag: &str,
) -> Result<(), String> {
    let mut add = vec!["add", "--"];
    add.extend(paths.iter().map(String::as_str));
    git(root, &add)?;
    let mut commit = vec!["commit", "-q", "-m", message, "--"];
    commit.extend(paths.iter().map(String::as_str));
    git(root, &commit)?;
    git(root, &["tag", "-a", tag, "-m", message])?;
    Ok(())
}
