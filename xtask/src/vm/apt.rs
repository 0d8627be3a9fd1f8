//! The machine's apt configuration: its Debian codename, the Debian mirror its sources
//! use, and `apt-get` runs against either those sources or a private sources list
//! (for another suite) that leaves the machine's apt state untouched.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One `deb` entry of the machine's apt sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub uri: String,
    pub suites: Vec<String>,
    pub components: Vec<String>,
    pub signed_by: Option<String>,
}

/// The machine's release codename (`VERSION_CODENAME` in `/etc/os-release`).
pub fn codename() -> Option<String> {
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("VERSION_CODENAME="))
        .map(|v| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Every `deb` entry of `/etc/apt/sources.list` and `/etc/apt/sources.list.d/*.list`
/// and `*.sources` (deb822), in apt's reading order.
pub fn machine_sources() -> Vec<Source> {
    let mut out = Vec::new();
    if let Ok(text) = std::fs::read_to_string("/etc/apt/sources.list") {
        out.extend(parse_one_line(&text));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir("/etc/apt/sources.list.d")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        match f.extension().and_then(|e| e.to_str()) {
            Some("list") => out.extend(parse_one_line(&text)),
            Some("sources") => out.extend(parse_deb822(&text)),
            _ => {}
        }
    }
    out
}

/// The Debian mirror of the machine: `XTASK_DEBIAN_MIRROR` if set, else the URI of
/// the first source that carries the machine's own codename with `main`.
pub fn debian_mirror(sources: &[Source], codename: Option<&str>) -> Result<String, String> {
    if let Ok(m) = std::env::var("XTASK_DEBIAN_MIRROR")
        && !m.is_empty()
    {
        return Ok(m);
    }
    let codename = codename.ok_or(
        "no VERSION_CODENAME in /etc/os-release: set XTASK_DEBIAN_MIRROR to a Debian mirror",
    )?;
    main_source(sources, codename)
        .map(|s| s.uri.clone())
        .ok_or_else(|| {
            format!(
                "no apt source for {codename} main in /etc/apt: set XTASK_DEBIAN_MIRROR to a \
                 Debian mirror URI"
            )
        })
}

/// The first source carrying `suite` with the `main` component.
pub fn main_source<'a>(sources: &'a [Source], suite: &str) -> Option<&'a Source> {
    sources
        .iter()
        .find(|s| s.suites.iter().any(|x| x == suite) && s.components.iter().any(|c| c == "main"))
}

fn parse_one_line(text: &str) -> Vec<Source> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(rest) = line.strip_prefix("deb ") else {
            continue;
        };
        let mut rest = rest.trim_start();
        let mut signed_by = None;
        if let Some(opts) = rest.strip_prefix('[') {
            let Some((opts, after)) = opts.split_once(']') else {
                continue;
            };
            signed_by = opts
                .split_whitespace()
                .find_map(|o| o.strip_prefix("signed-by="))
                .map(str::to_owned);
            rest = after.trim_start();
        }
        let mut words = rest.split_whitespace();
        let (Some(uri), Some(suite)) = (words.next(), words.next()) else {
            continue;
        };
        out.push(Source {
            uri: uri.to_owned(),
            suites: vec![suite.to_owned()],
            components: words.map(str::to_owned).collect(),
            signed_by,
        });
    }
    out
}

fn parse_deb822(text: &str) -> Vec<Source> {
    let mut out = Vec::new();
    for stanza in text.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .filter(|l| !l.starts_with('#'))
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.trim().to_owned())
                })
        };
        let words = |name: &str| -> Vec<String> {
            field(name)
                .map(|v| v.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let types = words("Types");
        let enabled = field("Enabled").is_none_or(|v| v != "no");
        if !types.iter().any(|t| t == "deb") || !enabled {
            continue;
        }
        for uri in words("URIs") {
            out.push(Source {
                uri,
                suites: words("Suites"),
                components: words("Components"),
                signed_by: field("Signed-By").filter(|v| v.starts_with('/')),
            });
        }
    }
    out
}

/// How `apt-get` is run for one suite.
#[derive(Debug, Clone)]
pub enum Apt {
    /// With the machine's own configuration.
    Machine,
    /// With a private sources list and package lists under `dir`; the machine's
    /// sources, lists and caches are not used or changed.
    Private { dir: PathBuf },
}

impl Apt {
    /// A private configuration for `suite` of `mirror`, kept under `dir`.
    pub fn private(dir: &Path, mirror: &str, suite: &str, signed_by: Option<&str>) -> Apt {
        let _ = std::fs::create_dir_all(dir.join("lists/partial"));
        let opts = signed_by
            .map(|k| format!("[signed-by={k}] "))
            .unwrap_or_default();
        let _ = std::fs::write(
            dir.join("sources.list"),
            format!("deb {opts}{mirror} {suite} main\n"),
        );
        Apt::Private {
            dir: dir.to_owned(),
        }
    }

    /// Whether a private configuration has fetched a `Packages` list (the machine's
    /// own is assumed to have them).
    pub fn has_package_lists(&self) -> bool {
        let Apt::Private { dir } = self else {
            return true;
        };
        std::fs::read_dir(dir.join("lists")).is_ok_and(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
        })
    }

    /// `apt-get` with this configuration, non-interactive.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive").arg("-q");
        if let Apt::Private { dir } = self {
            let opt = |k: &str, v: &Path| format!("{k}={}", v.display());
            cmd.arg("-o")
                .arg(opt("Dir::Etc::sourcelist", &dir.join("sources.list")))
                .args(["-o", "Dir::Etc::sourceparts=-"])
                .arg("-o")
                .arg(opt("Dir::State::Lists", &dir.join("lists")))
                .args([
                    "-o",
                    "Dir::Cache::pkgcache=",
                    "-o",
                    "Dir::Cache::srcpkgcache=",
                ]);
        }
        cmd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEB822: &str = "\
Types: deb
# a comment
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
";

    #[test]
    fn deb822_stanzas_give_one_source_per_uri() {
        let s = parse_deb822(DEB822);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].suites, ["bookworm", "bookworm-updates"]);
        assert_eq!(
            s[0].signed_by.as_deref(),
            Some("/usr/share/keyrings/debian-archive-keyring.gpg")
        );
        assert_eq!(s[1].signed_by, None);
    }

    #[test]
    fn the_mirror_is_the_source_of_the_machines_own_codename() {
        let mut s = parse_one_line("deb https://vendor.invalid/apt cloud-sdk main\n");
        s.extend(parse_deb822(DEB822));
        let m = main_source(&s, "bookworm").map(|s| s.uri.as_str());
        assert_eq!(m, Some("http://mirror.invalid/debian"));
        assert!(main_source(&s, "trixie").is_none());
    }

    #[test]
    fn one_line_sources_with_options_and_comments_are_read() {
        let text = "# deb http://old.invalid x main\n\
                    deb [arch=amd64 signed-by=/k.gpg] http://m.invalid/debian trixie main contrib\n\
                    deb-src http://m.invalid/debian trixie main\n";
        let s = parse_one_line(text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].uri, "http://m.invalid/debian");
        assert_eq!(s[0].components, ["main", "contrib"]);
        assert_eq!(s[0].signed_by.as_deref(), Some("/k.gpg"));
    }

    #[test]
    fn disabled_deb822_stanzas_are_skipped() {
        let text = "Types: deb\nURIs: http://m.invalid/d\nSuites: trixie\nComponents: main\n\
                    Enabled: no\n";
        assert!(parse_deb822(text).is_empty());
    }
}
