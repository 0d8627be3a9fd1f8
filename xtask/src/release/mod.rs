//! `cargo xtask release CRATE major|minor|patch [--execute]`: one crate's release.
//!
//! A dry run (the default) runs every step and prints one line per step; `--execute`
//! stops at the first failure, then bumps the version, updates the dependents'
//! requirements, dates the changelog, commits `release(<crate>): v<version>`, tags
//! `<crate>-v<version>` and prints (never runs) the publish and push commands.
//! `--rehearse LEVEL` releases every crate in dependency order on a clone (rehearse.rs).
//! Policy: docs/releasing.md and docs/stability.md.

mod changelog;
mod git;
mod manifest;
mod names;
mod plan;
mod rehearse;
mod steps;
mod version;
mod workspace;

use std::path::PathBuf;

pub use version::Level;

/// Steps that `--skip` may leave out (the slow ones that build code).
pub const SKIPPABLE: [&str; 6] = ["semver", "matrix", "test", "clippy", "doc", "package"];

/// What `cargo xtask release` was asked to do.
#[derive(Debug, Clone)]
pub enum Request {
    /// One crate's release (dry run or `--execute`).
    One(Options),
    /// `--rehearse LEVEL [--root DIR]`: every crate, in order, on a clone of HEAD of
    /// this workspace (or of DIR).
    Rehearse { level: Level, root: PathBuf },
}

/// Parses the arguments of `cargo xtask release`; `default_root` is this workspace.
pub fn parse(args: &[String], default_root: PathBuf) -> Result<Request, String> {
    let Some(at) = args.iter().position(|a| a == "--rehearse") else {
        return Options::parse(args, default_root).map(Request::One);
    };
    let rest: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at)
        .map(|(_, a)| a)
        .collect();
    let (level, root) = match rest.as_slice() {
        [level] => (*level, default_root),
        [level, flag, dir] if *flag == "--root" => (*level, PathBuf::from(dir)),
        _ => {
            return Err(
                "--rehearse takes only a level (major|minor|patch) and --root DIR".to_owned(),
            );
        }
    };
    let level = Level::parse(level)
        .ok_or_else(|| format!("level {level:?} is not major, minor or patch"))?;
    Ok(Request::Rehearse { level, root })
}

/// Options of one crate's `cargo xtask release`.
#[derive(Debug, Clone)]
pub struct Options {
    pub krate: String,
    pub level: Level,
    pub execute: bool,
    pub root: PathBuf,
    pub skip: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String], default_root: PathBuf) -> Result<Options, String> {
        let mut positional = Vec::new();
        let mut execute = false;
        let mut root = default_root.clone();
        let mut skip = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--execute" => execute = true,
                "--root" => root = PathBuf::from(it.next().ok_or("--root needs a directory")?),
                "--skip" => {
                    let list = it.next().ok_or("--skip needs a list of steps")?;
                    for s in list.split(',').filter(|s| !s.is_empty()) {
                        if !SKIPPABLE.contains(&s) {
                            return Err(format!(
                                "--skip {s:?}: only {} can be skipped",
                                SKIPPABLE.join(", ")
                            ));
                        }
                        skip.push(s.to_owned());
                    }
                }
                other if other.starts_with('-') => {
                    return Err(format!(
                        "unknown option {other:?} for `cargo xtask release`"
                    ));
                }
                _ => positional.push(a.clone()),
            }
        }
        let [krate, level] = positional.as_slice() else {
            return Err("release takes CRATE and major|minor|patch".to_owned());
        };
        let level = Level::parse(level)
            .ok_or_else(|| format!("level {level:?} is not major, minor or patch"))?;
        // Skipping steps of a real release is never allowed; on a copy (the tests, the
        // rehearsal after its full dry run) it saves rebuilding what was just checked.
        if execute && !skip.is_empty() && same_dir(&root, &default_root) {
            return Err(
                "--execute runs every step: drop --skip (--skip with --execute only on a \
                 copy given with --root)"
                    .to_owned(),
            );
        }
        Ok(Options {
            krate: krate.clone(),
            level,
            execute,
            root,
            skip,
        })
    }
}

fn same_dir(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Runs the request; returns whether it succeeded (a dry run: every step passed).
pub fn run(req: &Request) -> bool {
    match req {
        Request::One(opts) => plan::run(opts),
        Request::Rehearse { level, root } => rehearse::run(root, *level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn execute_with_skip_is_refused_here_and_allowed_on_a_copy() {
        let here = crate::util::workspace_root();
        let refused = Options::parse(&args("apparmor minor --execute --skip test"), here.clone());
        assert!(refused.unwrap_err().contains("drop --skip"));
        let copy = here.join("xtask");
        let line = format!(
            "apparmor minor --execute --skip test --root {}",
            copy.display()
        );
        let opts = Options::parse(&args(&line), here).unwrap();
        assert!(opts.execute);
        assert_eq!(opts.skip, vec!["test"]);
    }

    #[test]
    fn rehearse_takes_only_a_level() {
        let here = crate::util::workspace_root();
        match parse(&args("--rehearse minor"), here.clone()) {
            Ok(Request::Rehearse { level, root }) => {
                assert_eq!(level, Level::Minor);
                assert_eq!(root, here);
            }
            other => panic!("not a rehearsal: {other:?}"),
        }
        let other = parse(&args("--rehearse patch --root /elsewhere"), here.clone());
        assert!(
            matches!(other, Ok(Request::Rehearse { root, .. }) if root == Path::new("/elsewhere"))
        );
        assert!(parse(&args("--rehearse apparmor minor"), here.clone()).is_err());
        assert!(parse(&args("--rehearse sideways"), here).is_err());
    }
}
