//! The workspace as the release command sees it: members with version, publishability,
//! features and workspace dependencies (from `cargo metadata`), and the public edges
//! between them (from the compiler's private-dependency diagnostics).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::json::Json;
use crate::util::{cargo, target_dir};

/// A workspace member.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub version: String,
    pub dir: PathBuf,
    pub publishable: bool,
    /// Normal and build dependencies on other members.
    pub deps: Vec<String>,
    /// Whether it has a library target (a binary-only crate has no API to check).
    pub has_lib: bool,
}

/// Reads the members of the workspace at `root`.
pub fn members(root: &Path) -> Result<Vec<Member>, String> {
    let doc = crate::check::features::metadata(root)?;
    let packages = doc.get("packages").items();
    let names: Vec<String> = packages
        .iter()
        .filter_map(|p| p.get("name").as_str().map(str::to_owned))
        .collect();
    Ok(packages.iter().map(|p| member(p, &names)).collect())
}

fn member(p: &Json, names: &[String]) -> Member {
    let manifest = PathBuf::from(p.get("manifest_path").as_str().unwrap_or(""));
    let deps = p
        .get("dependencies")
        .items()
        .iter()
        .filter(|d| d.get("kind").as_str() != Some("dev"))
        .filter_map(|d| d.get("name").as_str())
        .filter(|n| names.iter().any(|m| m == n))
        .map(str::to_owned)
        .collect();
    // `publish = false` is an empty list; null means any registry.
    let publishable = !matches!(p.get("publish"), Json::Array(list) if list.is_empty());
    let has_lib = p.get("targets").items().iter().any(|t| {
        t.get("kind")
            .items()
            .iter()
            .any(|k| k.as_str() == Some("lib"))
    });
    Member {
        has_lib,
        name: p.get("name").as_str().unwrap_or("").to_owned(),
        version: p.get("version").as_str().unwrap_or("").to_owned(),
        dir: manifest.parent().map(PathBuf::from).unwrap_or_default(),
        publishable,
        deps,
    }
}

/// Members that depend on `name` (normal or build dependency).
pub fn dependents<'a>(members: &'a [Member], name: &str) -> Vec<&'a Member> {
    members
        .iter()
        .filter(|m| m.deps.iter().any(|d| d == name))
        .collect()
}

/// `name` and every member it reaches through normal and build dependencies, deepest
/// first (the order `cargo package` needs nothing special for, but it reads well).
pub fn closure(members: &[Member], name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    visit(members, name, &mut out);
    out
}

fn visit(members: &[Member], name: &str, out: &mut Vec<String>) {
    if out.iter().any(|n| n == name) {
        return;
    }
    if let Some(m) = members.iter().find(|m| m.name == name) {
        for d in &m.deps {
            visit(members, d, out);
        }
    }
    out.push(name.to_owned());
}

/// A public edge: `user`'s public interface names items of `dependency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicEdge {
    pub user: String,
    pub dependency: String,
}

/// Runs the same `cargo check -Zpublic-dependency` as `cargo xtask check`, in the same
/// target directory (so cargo replays the cached diagnostics in a second), and returns
/// the public edges between members that its `exported_private_dependencies`
/// diagnostics reveal.
pub fn public_edges(root: &Path, members: &[Member]) -> Result<Vec<PublicEdge>, String> {
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
        .args(["--keep-going", "--message-format=short", "--color=never"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(edges_from(
        &String::from_utf8_lossy(&output.stderr),
        root,
        members,
    ))
}

/// Edges from short diagnostics `path:line:col: warning: ... from private dependency
/// 'crate_name' in public interface`: the user is the member owning `path`.
pub fn edges_from(stderr: &str, root: &Path, members: &[Member]) -> Vec<PublicEdge> {
    let mut out: Vec<PublicEdge> = Vec::new();
    for line in stderr.lines() {
        let Some(at) = line.find("private dependency '") else {
            continue;
        };
        let rest = &line[at + "private dependency '".len()..];
        let Some((krate, _)) = rest.split_once('\'') else {
            continue;
        };
        let Some((file, _)) = line.split_once(':') else {
            continue;
        };
        let path = root.join(file);
        let Some(user) = members
            .iter()
            .filter(|m| path.starts_with(&m.dir))
            .max_by_key(|m| m.dir.components().count())
        else {
            continue;
        };
        let Some(dep) = members.iter().find(|m| m.name.replace('-', "_") == krate) else {
            continue;
        };
        // Unpublished members (benchmarks, tools) are never released together.
        if !user.publishable {
            continue;
        }
        let edge = PublicEdge {
            user: user.name.clone(),
            dependency: dep.name.clone(),
        };
        if edge.user != edge.dependency && !out.contains(&edge) {
            out.push(edge);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, deps: &[&str]) -> Member {
        Member {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            dir: PathBuf::from("/w/crates").join(name),
            publishable: true,
            deps: deps.iter().map(|d| d.to_string()).collect(),
            has_lib: true,
        }
    }

    #[test]
    fn private_dependency_diagnostics_become_edges_once() {
        let ms = [
            m("cgroups-core", &["pathsafe"]),
            m("cgroups-fs", &["cgroups-core"]),
        ];
        let stderr = "\
crates/cgroups-fs/src/a.rs:3:1: warning: type `Mode` from private dependency 'cgroups_core' in public interface
crates/cgroups-fs/src/b.rs:9:1: warning: trait `Manager` from private dependency 'cgroups_core' in public interface
crates/cgroups-fs/src/b.rs:9:1: warning: type `Vec` from private dependency 'alloc_thing' in public interface
";
        let e = edges_from(stderr, Path::new("/w"), &ms);
        assert_eq!(
            e,
            vec![PublicEdge {
                user: "cgroups-fs".into(),
                dependency: "cgroups-core".into()
            }]
        );
    }

    #[test]
    fn closure_lists_workspace_dependencies_before_the_crate() {
        let ms = [m("a", &["b", "c"]), m("b", &["c"]), m("c", &[])];
        assert_eq!(closure(&ms, "a"), vec!["c", "b", "a"]);
        assert_eq!(dependents(&ms, "c").len(), 2);
    }
}
