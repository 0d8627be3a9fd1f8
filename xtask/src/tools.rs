//! `cargo xtask tools`: the release tools at pinned versions.
//!
//! `cargo install --locked --version X` builds each tool from the registry with the
//! lock file its authors published, so every machine gets the same binary. A tool
//! already installed at the pinned version is skipped; another version is replaced.
//! The builds take minutes on 2 cores, which is why CI runs this only when a change
//! touches a crate's version or `deny.toml` (`.ci/run`).

use std::process::Command;
use std::time::Instant;

use crate::util::cargo;

/// A tool the release command runs.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The registry package (also the binary's name).
    pub package: &'static str,
    /// The pinned version.
    pub version: &'static str,
    /// What the release command uses it for.
    pub role: &'static str,
}

/// The pinned tools. Raise a pin in its own commit, after `cargo xtask tools` and a
/// dry run of `cargo xtask release` with the new version.
pub const TOOLS: [Tool; 3] = [
    Tool {
        package: "cargo-hack",
        version: "0.6.46",
        role: "feature matrix (--feature-powerset)",
    },
    Tool {
        package: "cargo-deny",
        version: "0.20.2",
        role: "licences, bans and sources of the dependency tree",
    },
    Tool {
        package: "cargo-semver-checks",
        version: "0.51.0",
        role: "semver check against the last release commit",
    },
];

/// The tool whose package is `package`.
pub fn tool(package: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.package == package)
}

/// The version the installed tool reports (`<name> <version>` on `--version`), or
/// `None` when cargo does not find it. Asked as the cargo subcommand the release
/// runs (`cargo hack --version`): cargo-hack started directly refuses `--version`.
pub fn installed_version(package: &str) -> Option<String> {
    let sub = package.strip_prefix("cargo-")?;
    let out = Command::new(cargo())
        .args([sub, "--version"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_version_line(&text, package)
}

fn parse_version_line(text: &str, package: &str) -> Option<String> {
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix(package)?.trim();
    rest.split_whitespace().next().map(str::to_owned)
}

/// `Ok(())` when `package` is installed at its pinned version, else what to do.
pub fn require(package: &str) -> Result<(), String> {
    let Some(t) = tool(package) else {
        return Err(format!("{package} is not one of the pinned tools"));
    };
    match installed_version(package) {
        Some(v) if v == t.version => Ok(()),
        Some(v) => Err(format!(
            "{package} {v} is installed, the release needs {} (run `cargo xtask tools`)",
            t.version
        )),
        None => Err(format!(
            "{package} {} is not installed (run `cargo xtask tools`)",
            t.version
        )),
    }
}

/// Installs every pinned tool that is missing or at another version; prints one line
/// per tool with its time. With `check_only`, installs nothing and fails when one is
/// missing.
pub fn run(check_only: bool) -> bool {
    let mut ok = true;
    let total = Instant::now();
    for t in &TOOLS {
        match installed_version(t.package) {
            Some(v) if v == t.version => {
                println!("ok     {} {} already installed ({})", t.package, v, t.role);
                continue;
            }
            found if check_only => {
                ok = false;
                let now = found.unwrap_or_else(|| "not installed".to_owned());
                println!("MISSING {} {} (found: {now})", t.package, t.version);
                continue;
            }
            _ => {}
        }
        let start = Instant::now();
        println!(
            "...    installing {} {} (cargo install --locked)",
            t.package, t.version
        );
        let status = Command::new(cargo())
            .args(["install", "--locked", "--version", t.version, t.package])
            .status();
        let secs = start.elapsed().as_secs();
        match status {
            Ok(s) if s.success() => {
                println!("ok     {} {} installed in {secs}s", t.package, t.version)
            }
            Ok(s) => {
                ok = false;
                println!("FAILED {} {} after {secs}s ({s})", t.package, t.version);
            }
            Err(e) => {
                ok = false;
                println!("FAILED {}: cannot run cargo install: {e}", t.package);
            }
        }
    }
    println!("tools: {}s in all", total.elapsed().as_secs());
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_read_from_the_tools_version_line() {
        assert_eq!(
            parse_version_line("cargo-semver-checks 0.51.0\n", "cargo-semver-checks"),
            Some("0.51.0".to_owned())
        );
        assert_eq!(
            parse_version_line("cargo-hack 0.6.46 (abc)\n", "cargo-hack"),
            Some("0.6.46".to_owned())
        );
        assert_eq!(parse_version_line("other 1.0\n", "cargo-deny"), None);
    }

    #[test]
    fn every_pinned_tool_is_found_by_name() {
        for t in &TOOLS {
            assert_eq!(tool(t.package).map(|f| f.version), Some(t.version));
        }
        assert!(tool("cargo-nextest").is_none());
    }
}
