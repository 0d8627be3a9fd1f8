//! `cargo xtask release CRATE major|minor|patch [--execute]`: one crate's release.
//!
//! A dry run (the default) runs every step and prints one line per step; `--execute`
//! stops at the first failure, then bumps the version, updates the dependents'
//! requirements, dates the changelog, commits `release(<crate>): v<version>`, tags
//! `<crate>-v<version>` and prints (never runs) the publish and push commands.
//! Policy: docs/releasing.md and docs/stability.md.

mod changelog;
mod git;
mod manifest;
mod names;
mod plan;
mod steps;
mod version;
mod workspace;

use std::path::PathBuf;

pub use version::Level;

/// Steps that `--skip` may leave out (the slow ones that build code).
pub const SKIPPABLE: [&str; 6] = ["semver", "matrix", "test", "clippy", "doc", "package"];

/// Options of `cargo xtask release`.
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
        let mut root = default_root;
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
        if execute && !skip.is_empty() {
            return Err("--execute runs every step: drop --skip".to_owned());
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

/// Runs the release; returns whether it succeeded (a dry run: every step passed).
pub fn run(opts: &Options) -> bool {
    plan::run(opts)
}
