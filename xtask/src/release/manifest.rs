//! Line-based edits and reads of `Cargo.toml` files: the package version, version
//! requirements on a workspace crate, the `[features]` names and the release metadata.
//! The manifests of this workspace keep one entry per line (rustfmt-like), which is
//! what these functions expect; anything else is left alone and reported.

/// The lines of `text` that belong to the table `[name]`, as (index, line).
fn table<'a>(text: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let header = format!("[{name}]");
    let mut inside = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == header;
            continue;
        }
        if inside {
            out.push((i, line));
        }
    }
    out
}

fn key_of(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.starts_with('#') {
        return None;
    }
    let (k, _) = t.split_once('=')?;
    Some(k.trim().trim_matches('"'))
}

/// The string value of `key = "..."` in table `name`.
pub fn string_in(text: &str, name: &str, key: &str) -> Option<String> {
    table(text, name)
        .into_iter()
        .find_map(|(_, line)| (key_of(line)? == key).then(|| quoted(line.split_once('=')?.1))?)
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim();
    let rest = s.strip_prefix('"')?;
    rest.split_once('"').map(|(v, _)| v.to_owned())
}

/// Replaces line `index` of `text` with `line`.
fn replace_line(text: &str, index: usize, line: &str) -> String {
    let mut out: Vec<&str> = text.lines().collect();
    out[index] = line;
    let mut s = out.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// `text` with `[package] version` set to `version`.
pub fn set_package_version(text: &str, version: &str) -> Result<String, String> {
    let (i, _) = table(text, "package")
        .into_iter()
        .find(|(_, l)| key_of(l) == Some("version"))
        .ok_or("no `version = \"...\"` line in [package]")?;
    Ok(replace_line(text, i, &format!("version = \"{version}\"")))
}

/// The dependency tables a requirement may sit in.
const DEP_TABLES: [&str; 4] = [
    "workspace.dependencies",
    "dependencies",
    "build-dependencies",
    "dev-dependencies",
];

/// A version requirement on `dep` in one of the dependency tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub table: &'static str,
    pub line: usize,
    pub req: String,
}

/// Every `dep = "REQ"` or `dep = { ..., version = "REQ", ... }` of the manifest.
pub fn requirements(text: &str, dep: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    for name in DEP_TABLES {
        for (i, line) in table(text, name) {
            if key_of(line) != Some(dep) {
                continue;
            }
            let Some((_, value)) = line.split_once('=') else {
                continue;
            };
            let req = match value.trim().starts_with('{') {
                true => inline_version(value),
                false => quoted(value),
            };
            if let Some(req) = req {
                out.push(Requirement {
                    table: name,
                    line: i,
                    req,
                });
            }
        }
    }
    out
}

fn inline_version(value: &str) -> Option<String> {
    let at = value.find("version")?;
    let rest = value[at + "version".len()..]
        .trim_start()
        .strip_prefix('=')?;
    quoted(rest)
}

/// `text` with every requirement on `dep` set to `req`; also returns the old ones.
pub fn set_requirements(text: &str, dep: &str, req: &str) -> (String, Vec<Requirement>) {
    let found = requirements(text, dep);
    let mut out = text.to_owned();
    for r in &found {
        let line = out.lines().nth(r.line).unwrap_or("").to_owned();
        let new = line.replacen(&format!("\"{}\"", r.req), &format!("\"{req}\""), 1);
        out = replace_line(&out, r.line, &new);
    }
    (out, found)
}

/// The names declared in `[features]`.
pub fn feature_names(text: &str) -> Vec<String> {
    table(text, "features")
        .into_iter()
        .filter_map(|(_, l)| key_of(l).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "[workspace]\nmembers = []\n\n[workspace.dependencies]\n\
        pathsafe = { path = \"crates/pathsafe\", version = \"0.0.1\" }\n\
        cgroups-core = { path = \"crates/cgroups-core\", version = \"0.1.0\" }\n\
        ktest = { path = \"crates/ktest\" }\nlog = \"0.4\"\n";

    #[test]
    fn workspace_requirements_are_found_and_rewritten() {
        let (out, old) = set_requirements(ROOT, "cgroups-core", "0.2.0");
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].req, "0.1.0");
        assert!(
            out.contains("cgroups-core = { path = \"crates/cgroups-core\", version = \"0.2.0\" }")
        );
        assert!(out.contains("pathsafe = { path = \"crates/pathsafe\", version = \"0.0.1\" }"));
        assert!(requirements(ROOT, "ktest").is_empty());
        assert_eq!(requirements(ROOT, "log")[0].req, "0.4");
    }

    #[test]
    fn package_version_changes_only_in_the_package_table() {
        let m = "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\n\
                 b = { version = \"0.1.0\" }\n";
        let out = set_package_version(m, "0.1.1").unwrap();
        assert!(out.contains("version = \"0.1.1\"\n\n[dependencies]\nb = { version = \"0.1.0\" }"));
        assert!(set_package_version("[package]\nversion.workspace = true\n", "1.0.0").is_err());
    }

    #[test]
    fn feature_names_and_metadata_strings_are_read() {
        let m = "[package]\nname = \"a\"\n\n[package.metadata.release]\n\
                 published-name = \"a-rs\"\n\n[features]\n# doc\nserde = [\"dep:serde\"]\n\
                 oci = []\n\n[dependencies]\nx = \"1\"\n";
        assert_eq!(feature_names(m), vec!["serde", "oci"]);
        assert_eq!(
            string_in(m, "package.metadata.release", "published-name").as_deref(),
            Some("a-rs")
        );
    }
}
