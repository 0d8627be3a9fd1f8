//! `cargo xtask test`: the project's test command.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::cgscan;
use crate::report::{Report, Row};
use crate::tiers::{self, Runner, Tier};
use crate::util::{cargo, is_root, workspace_root};
use crate::vm;

/// Options of `cargo xtask test`.
#[derive(Debug)]
pub struct Options {
    /// `all` (every tier this machine supports) or one tier's name.
    pub tier: String,
    pub strict: bool,
    pub cargo_args: Vec<String>,
}

/// Whether this is a CI run (`CI=true` or `CI=1`).
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl Options {
    /// Parses `[--tier NAME|all] [--strict] [-- CARGO TEST ARGS...]`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            tier: "all".to_owned(),
            strict: is_ci(),
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

/// Runs the tests of the chosen tiers (the host first, then each VM and systemd
/// container tier), prints the per-tier table with times, checks that no test cgroup
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
    let chosen: Vec<&'static Tier> = match opts.tier.as_str() {
        "all" => tiers::TIERS.iter().collect(),
        name => match tiers::find(name) {
            Some(t) => vec![t],
            None => {
                eprintln!(
                    "unknown tier {name:?}; known tiers: all, {}",
                    tiers::names()
                );
                return ExitCode::from(2);
            }
        },
    };
    // A tier that cannot run fails a CI run and a run that asked for it by name.
    let must_run = is_ci() || opts.tier != "all";
    let mut report = Report::default();
    let mut rows = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut ok = true;

    if let Some(host) = chosen.iter().find(|t| t.runner == Runner::Host) {
        let before = cgscan::scan();
        let start = Instant::now();
        let status_ok = match run_host(host, opts, &mut report) {
            Ok(status_ok) => status_ok,
            Err(e) => {
                eprintln!("xtask test: {e}");
                return ExitCode::FAILURE;
            }
        };
        let secs = start.elapsed().as_secs_f64();
        for line in &report.failed_binaries {
            problems.push(format!("host: failed binary: {line}"));
        }
        if !status_ok && report.all.failed == 0 {
            problems.push(
                "host: cargo test failed without a failing test (build error or crashed \
                 binary)"
                    .to_owned(),
            );
        }
        let leftovers_ok = check_leftovers(&before);
        let host_ok = status_ok && report.all.failed == 0 && leftovers_ok;
        ok &= host_ok;
        rows.push(Row {
            tier: host.name.to_owned(),
            secs: Some(secs),
            status: ok_or_failed(host_ok).to_owned(),
        });
    }

    let vm_tiers: Vec<&'static Tier> = chosen
        .iter()
        .copied()
        .filter(|t| t.runner != Runner::Host)
        .collect();
    let mut phases = Vec::new();
    if !vm_tiers.is_empty() {
        let selection = vm::Selection::from_cargo_args(&opts.cargo_args);
        let run = vm::run_tiers(&vm_tiers, &selection, &mut report);
        phases = run.phases;
        for r in run.tiers {
            let failed = report.tiers.get(r.name).map_or(0, |c| c.failed);
            let ran = matches!(r.outcome, vm::Outcome::Ran { .. });
            let (status, tier_ok) = match r.outcome {
                vm::Outcome::Ran {
                    machine,
                    problems: p,
                } => {
                    let tier_ok = p.is_empty() && failed == 0;
                    problems.extend(p.iter().map(|p| format!("{}: {p}", r.name)));
                    (format!("{}, {machine}", ok_or_failed(tier_ok)), tier_ok)
                }
                vm::Outcome::NotRun(why) => {
                    let note = match must_run {
                        true => "",
                        false => " (a warning: not CI, no --tier)",
                    };
                    problems.push(format!("{}: not run: {why}", r.name));
                    (format!("not run: {}{note}", first_line(&why)), !must_run)
                }
                vm::Outcome::Broken(why) => {
                    problems.push(format!("{}: {why}", r.name));
                    (format!("FAILED: {}", first_line(&why)), false)
                }
            };
            ok &= tier_ok;
            rows.push(Row {
                tier: r.name.to_owned(),
                secs: ran.then_some(r.secs),
                status,
            });
        }
    }

    println!(
        "\n== per-tier counts (tier {}{}; VM and systemd tiers are always strict)",
        opts.tier,
        strict_note(opts.strict)
    );
    print!("{}", report.table(&rows));
    if !phases.is_empty() {
        let shown: Vec<String> = phases
            .iter()
            .map(|(name, secs)| format!("{name} {secs:.1}s"))
            .collect();
        println!("shared by the VM and systemd tiers: {}", shown.join(", "));
    }
    for p in &problems {
        println!("problem: {p}");
    }
    let all = report.all;
    println!(
        "{} passed, {} failed, {} skipped",
        all.passed, all.failed, all.ignored
    );
    match ok && all.failed == 0 {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

/// The first line of a reason, at most 80 characters, for the table.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(80) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_owned(),
    }
}

fn ok_or_failed(ok: bool) -> &'static str {
    match ok {
        true => "ok",
        false => "FAILED",
    }
}

fn strict_note(strict: bool) -> &'static str {
    match strict {
        true => ", strict: a provided capability may not be ignored",
        false => "",
    }
}

/// `cargo test --workspace --all-features --no-fail-fast`, output streamed and parsed
/// into `report`; whether cargo succeeded.
fn run_host(tier: &Tier, opts: &Options, report: &mut Report) -> Result<bool, String> {
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
        .env("CGTEST_TIER_PROVIDES", tier.provides_env())
        .env("CGTEST_STRICT_TIER", if opts.strict { "1" } else { "0" });
    println!("== running: {cmd:?}");
    stream(cmd, report)
}

/// Runs `cmd` with stdout and stderr merged into one pipe, echoing and parsing lines.
fn stream(mut cmd: Command, report: &mut Report) -> Result<bool, String> {
    let (reader, writer) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    let writer2 = writer.try_clone().map_err(|e| format!("pipe: {e}"))?;
    cmd.stdout(writer).stderr(writer2);
    let mut child = cmd.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    // The command still holds the write ends: drop it so the reader sees EOF.
    drop(cmd);

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
    Ok(status.success())
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
