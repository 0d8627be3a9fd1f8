//! `cargo xtask test`: the project's test command.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode};

use crate::cgscan;
use crate::report::Report;
use crate::tiers::{self, Runner, Tier};
use crate::util::{cargo, is_root, workspace_root};

/// Options of `cargo xtask test`.
#[derive(Debug)]
pub struct Options {
    pub tier: String,
    pub strict: bool,
    pub cargo_args: Vec<String>,
}

impl Options {
    /// Parses `[--tier NAME] [--strict] [-- CARGO TEST ARGS...]`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            tier: "host".to_owned(),
            strict: std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            cargo_args: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--tier" => o.tier = it.next().ok_or("--tier needs a name")?.clone(),
                "--strict" => o.strict = true,
                "--" => {
                    o.cargo_args = it.cloned().collect();
                    break;
                }
                other => return Err(format!("unknown option {other:?} for `cargo xtask test`")),
            }
        }
        Ok(o)
    }
}

/// Runs the tests of one tier, prints the per-tier table, checks that no test cgroup
/// is left and prints `N passed, N failed, N skipped`.
pub fn run(opts: &Options) -> ExitCode {
    if !is_root() {
        eprintln!(
            "cargo xtask test must run as root: the real-kernel tests create and remove \
             cgroups. Run it as root (e.g. `sudo -E cargo xtask test`), or run unit tests \
             only with `cargo test -p <crate> --lib`."
        );
        return ExitCode::from(2);
    }
    let Some(tier) = tiers::find(&opts.tier) else {
        eprintln!(
            "unknown tier {:?}; known tiers: {}",
            opts.tier,
            tiers::names()
        );
        return ExitCode::from(2);
    };
    let before = cgscan::scan();

    let (report, status_ok) = match tier.runner {
        Runner::Host => run_host(tier, opts),
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xtask test: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!(
        "\n== per-tier counts (tier {}{})",
        tier.name,
        strict_note(opts.strict)
    );
    print!("{}", report.table());
    for line in &report.failed_binaries {
        println!("failed binary: {line}");
    }
    let leftovers_ok = check_leftovers(&before);
    let all = report.all;
    if !status_ok && all.failed == 0 {
        println!("cargo test failed without a failing test (build error or crashed binary)");
    }
    println!(
        "{} passed, {} failed, {} skipped",
        all.passed, all.failed, all.ignored
    );
    match status_ok && all.failed == 0 && leftovers_ok {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

fn strict_note(strict: bool) -> &'static str {
    match strict {
        true => ", strict: a provided capability may not be ignored",
        false => "",
    }
}

/// `cargo test --workspace --all-features --no-fail-fast`, output streamed and parsed.
fn run_host(tier: &Tier, opts: &Options) -> (Result<Report, String>, bool) {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(workspace_root()).arg("test");
    let picks_packages = opts
        .cargo_args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "-p" || a.starts_with("--package") || a.starts_with("-p"));
    if !picks_packages {
        cmd.arg("--workspace");
    }
    cmd.args(["--all-features", "--no-fail-fast"])
        .args(&opts.cargo_args);
    cmd.env("CGTEST_TIER", tier.name)
        .env("CGTEST_TIER_PROVIDES", tier.provides.join(","))
        .env("CGTEST_STRICT_TIER", if opts.strict { "1" } else { "0" });
    println!("== running: {cmd:?}");
    match stream(cmd) {
        Ok((report, ok)) => (Ok(report), ok),
        Err(e) => (Err(e), false),
    }
}

/// Runs `cmd` with stdout and stderr merged into one pipe, echoing and parsing lines.
fn stream(mut cmd: Command) -> Result<(Report, bool), String> {
    let (reader, writer) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    let writer2 = writer.try_clone().map_err(|e| format!("pipe: {e}"))?;
    cmd.stdout(writer).stderr(writer2);
    let mut child = cmd.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    // The command still holds the write ends: drop it so the reader sees EOF.
    drop(cmd);

    let mut report = Report::default();
    let mut out = std::io::stdout().lock();
    for line in BufReader::new(reader).lines() {
        let line = line.map_err(|e| format!("reading cargo output: {e}"))?;
        let _ = writeln!(out, "{line}");
        report.line(&line);
    }
    drop(out);
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo: {e}"))?;
    Ok((report, status.success()))
}

/// Reports `cgtest-*` cgroups left behind; fails on those made during this run by a
/// process that is gone (a test that did not clean up).
fn check_leftovers(before: &[cgscan::Found]) -> bool {
    let mut ok = true;
    let now = cgscan::scan();
    for found in &now {
        let shown = found.path.display();
        if !found.owner_is_dead() {
            println!("note: {shown} belongs to a running process (not this run)");
        } else if before.contains(found) {
            println!("warning: {shown} was left by an earlier run: `cargo xtask clean`");
        } else {
            println!("LEFTOVER: {shown} was left by this run (a test did not clean up)");
            ok = false;
        }
    }
    if now.is_empty() {
        println!("no test cgroup (cgtest-*) remains in any hierarchy");
    }
    ok
}
