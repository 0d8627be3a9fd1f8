//! xtask: the workspace's developer commands, run as `cargo xtask <command>`.
//!
//! - `test [--tier all|host|vm-v2|vm-v1|systemd-252|systemd-257] [--strict] [-- ARGS]`:
//!   the project test command (root): the host tier, every VM tier and every systemd
//!   container tier, per-tier counts and times, no test cgroup left behind.
//! - `vm-prepare`: installs QEMU, busybox and debootstrap, downloads the VM tiers'
//!   kernels and makes the systemd tiers' rootfs into `target/vm/` (also done by
//!   `test` when something is missing).
//! - `clean`: removes test cgroups left by killed test runs.
//! - `check [--root DIR]`: the pathsafe boundary and `test-fixtures` rules.
//! - `release CRATE major|minor|patch [--execute]`: one crate's release (docs/releasing.md);
//!   `release --rehearse LEVEL`: every crate's release, in order, on a clone of HEAD.
//! - `tools [--check]`: installs the release tools at their pinned versions.
// A developer tool, never shipped: it reads the tree and cgroupfs with std::fs directly.
#![allow(clippy::disallowed_methods)]
// A command-line tool reports on stdout/stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cgscan;
mod check;
mod json;
mod release;
mod report;
mod test_cmd;
mod tiers;
mod tools;
mod util;
mod vm;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>
  test [--tier NAME] [--strict] [-- ARGS]  run all tests (as root) in every tier, or in
                                           NAME (all, host, vm-v2, vm-v1, systemd-252,
                                           systemd-257); ARGS go to cargo test (-p,
                                           --test and `-- FILTER` also select the VM
                                           and systemd tiers' binaries and tests)
  vm-prepare                               install qemu/busybox/debootstrap, fetch the
                                           VM kernels, debootstrap the systemd rootfs
  clean                                    remove cgtest-* cgroups of dead test runs
  check [--root DIR]                       pathsafe boundary and test-fixtures rules
  release CRATE major|minor|patch          release checks (dry run), or the release with
      [--execute] [--root DIR] [--skip S]  --execute (docs/releasing.md)
  release --rehearse major|minor|patch     every crate's full dry run and release, in
      [--root DIR]                         dependency order, on a clone of HEAD under
                                           target/ (the repository is not touched)
  tools [--check]                          install the pinned release tools";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match cmd.as_str() {
        "test" => match test_cmd::Options::parse(rest) {
            Ok(opts) => test_cmd::run(&opts),
            Err(e) => usage_error(&e),
        },
        "vm-prepare" => match rest.is_empty() {
            true => exit(vm::prepare_command(
                &tiers::TIERS.iter().collect::<Vec<_>>(),
            )),
            false => usage_error("vm-prepare takes no arguments"),
        },
        "clean" => match rest.is_empty() {
            true => exit(cgscan::clean()),
            false => usage_error("clean takes no arguments"),
        },
        "check" => match rest {
            [] => exit(check::run(&util::workspace_root())),
            [flag, dir] if flag == "--root" => exit(check::run(&PathBuf::from(dir))),
            _ => usage_error("check takes only --root DIR"),
        },
        "release" => match release::parse(rest, util::workspace_root()) {
            Ok(opts) => exit(release::run(&opts)),
            Err(e) => usage_error(&e),
        },
        "tools" => match rest {
            [] => exit(tools::run(false)),
            [flag] if flag == "--check" => exit(tools::run(true)),
            _ => usage_error("tools takes only --check"),
        },
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => usage_error(&format!("unknown command {other:?}")),
    }
}

fn exit(ok: bool) -> ExitCode {
    match ok {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("xtask: {msg}\n{USAGE}");
    ExitCode::from(2)
}
