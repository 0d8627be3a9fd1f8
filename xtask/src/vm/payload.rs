//! The initramfs of one VM tier: busybox, the init script (`xtask/vm/init.sh`), the
//! tier's environment (`/test/tier.env`), the ktest binaries in `/test/bin` and the
//! workspace binaries in `/test/tools`, linked from their host paths as well (so
//! `env!("CARGO_BIN_EXE_<name>")` works in the guest).

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::build::{Payload, TestBin};
use super::cpio::{Cpio, Dev};

/// The guest's PID 1.
const INIT: &str = include_str!("../../vm/init.sh");
/// Where the workspace binaries sit in the guest.
const TOOLS: &str = "/test/tools";

/// What the guest's init needs to know about the tier.
#[derive(Debug, Clone)]
pub struct GuestEnv {
    /// `v2`, `hybrid`, `legacy` or `comount` (see `init.sh`).
    pub layout: &'static str,
    /// What the scratch disks `/dev/nvme0n1`, ... are for, in order (`io`, `swap`).
    pub disks: Vec<&'static str>,
    /// Variables exported to every test binary.
    pub vars: Vec<(String, String)>,
    /// Arguments of every test binary.
    pub args: Vec<String>,
    /// Seconds after which a test binary is killed.
    pub bin_timeout: u64,
}

/// `'text'` for sh, with `'` written as `'\''`.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The `tier.env` file the init script sources.
pub fn tier_env(env: &GuestEnv) -> String {
    let mut out = String::from("# written by cargo xtask test\n");
    out.push_str(&format!("XTASK_LAYOUT={}\n", sh_quote(env.layout)));
    out.push_str(&format!("XTASK_BIN_TIMEOUT={}\n", env.bin_timeout));
    out.push_str(&format!("XTASK_DISKS={}\n", sh_quote(&env.disks.join(" "))));
    for (k, v) in &env.vars {
        out.push_str(&format!("export {k}={}\n", sh_quote(v)));
    }
    let args: Vec<String> = env.args.iter().map(|a| sh_quote(a)).collect();
    out.push_str(&format!("set -- {}\n", args.join(" ")));
    out
}

/// `CGCTL_BIN=/test/tools/cgctl` for each workspace binary: tests that run one read
/// `<NAME>_BIN` and fall back to `CARGO_BIN_EXE_<name>` on the host.
pub fn tool_vars(payload: &Payload) -> Vec<(String, String)> {
    payload
        .tools
        .keys()
        .map(|name| {
            let var = format!("{}_BIN", name.to_uppercase().replace('-', "_"));
            (var, format!("{TOOLS}/{name}"))
        })
        .collect()
}

/// The directories of the image.
const IMAGE_DIRS: &[&str] = &[
    "bin",
    "dev",
    "proc",
    "sys",
    "tmp",
    "root",
    "test",
    "test/bin",
    "test/tools",
];
/// Directories the init mounts over: a host path below them cannot be recreated.
const MOUNTED: &[&str] = &["dev", "proc", "sys", "tmp"];

/// For a workspace binary at the absolute host path `path`: the directories to make
/// (parents first, relative to the image root) and the link's name, unless the path
/// falls in a directory the init mounts over.
fn host_path_entries(path: &Path) -> Option<(Vec<String>, String)> {
    let rel = path.strip_prefix("/").ok()?.to_str()?;
    let top = rel.split('/').next()?;
    if MOUNTED.contains(&top) || !rel.contains('/') {
        return None;
    }
    let mut dirs = Vec::new();
    let mut at = 0;
    while let Some(i) = rel[at..].find('/') {
        dirs.push(rel[..at + i].to_owned());
        at += i + 1;
    }
    Some((dirs, rel.to_owned()))
}

/// `e` naming `path`.
fn at(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("copying {}: {e}", path.display()))
}

/// Adds the ktest binaries as `test/bin/<package>.<target>` and the workspace binaries
/// as `test/tools/<name>`, linked from their host paths; `made` are the directories the
/// archive already has (`test/bin` and `test/tools` among them).
pub fn add_binaries<W: Write>(
    c: &mut Cpio<W>,
    payload: &Payload,
    tests: &[&TestBin],
    mut made: BTreeSet<String>,
) -> std::io::Result<()> {
    for t in tests {
        let name = format!("test/bin/{}", t.guest_name());
        c.copy(&name, 0o755, &t.path).map_err(|e| at(&t.path, e))?;
    }
    for (name, path) in &payload.tools {
        c.copy(&format!("test/tools/{name}"), 0o755, path)
            .map_err(|e| at(path, e))?;
        // Also at the host path `env!("CARGO_BIN_EXE_<name>")` names in the tests.
        let Some((dirs, link)) = host_path_entries(path) else {
            continue;
        };
        for dir in dirs {
            if made.insert(dir.clone()) {
                c.dir(&dir, 0o755)?;
            }
        }
        c.symlink(&link, &format!("{TOOLS}/{name}"))?;
    }
    Ok(())
}

/// Writes the initramfs to `out`; returns its size in bytes.
pub fn write(
    out: &Path,
    busybox: &Path,
    payload: &Payload,
    tests: &[&TestBin],
    env: &GuestEnv,
) -> Result<u64, String> {
    let err = |e: std::io::Error| format!("writing {}: {e}", out.display());
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file = std::fs::File::create(out).map_err(err)?;
    let mut c = Cpio::new(BufWriter::new(file));
    for dir in IMAGE_DIRS {
        c.dir(dir, 0o755).map_err(err)?;
    }
    c.char_device("dev/console", 0o600, Dev { major: 5, minor: 1 })
        .map_err(err)?;
    c.copy("bin/busybox", 0o755, busybox).map_err(err)?;
    c.symlink("bin/sh", "busybox").map_err(err)?;
    c.file("init", 0o755, INIT.as_bytes()).map_err(err)?;
    c.file("test/tier.env", 0o644, tier_env(env).as_bytes())
        .map_err(err)?;
    let made: BTreeSet<String> = IMAGE_DIRS.iter().map(|d| d.to_string()).collect();
    add_binaries(&mut c, payload, tests, made).map_err(err)?;
    c.finish().map_err(err)?;
    std::fs::metadata(out).map(|m| m.len()).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_single_quotes_and_spaces() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn tier_env_exports_variables_and_sets_the_arguments() {
        let env = GuestEnv {
            layout: "v2",
            disks: vec!["io", "swap"],
            vars: vec![("CGTEST_TIER".to_owned(), "vm-v2".to_owned())],
            args: vec!["--color".to_owned(), "never".to_owned()],
            bin_timeout: 60,
        };
        let text = tier_env(&env);
        assert!(text.contains("XTASK_LAYOUT='v2'\n"), "{text}");
        assert!(text.contains("XTASK_DISKS='io swap'\n"), "{text}");
        assert!(text.contains("export CGTEST_TIER='vm-v2'\n"), "{text}");
        assert!(text.ends_with("set -- '--color' 'never'\n"), "{text}");
    }

    #[test]
    fn a_host_binary_path_gets_its_parents_and_a_link() {
        let (dirs, link) = host_path_entries(Path::new("/w/target/vm-build/t/cgctl")).unwrap();
        assert_eq!(
            dirs,
            ["w", "w/target", "w/target/vm-build", "w/target/vm-build/t"]
        );
        assert_eq!(link, "w/target/vm-build/t/cgctl");
        assert!(host_path_entries(Path::new("/tmp/x/cgctl")).is_none());
        assert!(host_path_entries(Path::new("relative/cgctl")).is_none());
        assert!(host_path_entries(Path::new("/cgctl")).is_none());
    }

    #[test]
    fn workspace_binaries_get_a_bin_variable() {
        let mut p = Payload::default();
        p.tools.insert("cgctl".to_owned(), "/x/cgctl".into());
        p.tools.insert("my-tool".to_owned(), "/x/t".into());
        let vars = tool_vars(&p);
        assert!(vars.contains(&("CGCTL_BIN".to_owned(), "/test/tools/cgctl".to_owned())));
        assert!(vars.contains(&("MY_TOOL_BIN".to_owned(), "/test/tools/my-tool".to_owned())));
    }
}
