//! The command line: subcommands, flags and their help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::driver::DriverArg;

/// Where `cgctl run` puts its cgroups unless told otherwise (cgroupfs driver).
pub const DEFAULT_PARENT: &str = "/cgctl";

/// The slice of `cgctl run`'s scopes unless told otherwise (systemd driver).
pub const DEFAULT_SLICE: &str = "cgctl.slice";

pub const EXIT_CODES: &str = "\
Exit status:
  0        success (for `run`: the command exited 0)
  1..=255  for `run`: the command's own exit status, passed through unchanged
           (so a command's own 125..127 look like the codes below: use --json
           to tell them apart)
  125      cgctl itself failed (bad flag or value, not root, unsupported layout,
           missing controller, the kernel refused a value); nothing is left behind
  126      the command was found but could not be executed
  127      the command was not found
  128+N    for `run`: the command was killed by signal N (137 = SIGKILL, e.g. OOM)";

/// Run commands in cgroups with limits, and inspect or change existing cgroups.
#[derive(Debug, Parser)]
#[command(name = "cgctl", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Print debug logs of the libraries (decisions and fallbacks) to stderr.
    #[arg(long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the cgroup layout, mounts, controllers, own cgroups and kernel features.
    Info(InfoArgs),
    /// Run a command inside a new cgroup with limits, then report what it used.
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Change the limits of an existing cgroup.
    #[command(after_help = TARGET_HELP)]
    Update(UpdateArgs),
    /// Freeze every process of a cgroup.
    #[command(after_help = TARGET_HELP)]
    Freeze(PathArg),
    /// Thaw a frozen cgroup.
    #[command(after_help = TARGET_HELP)]
    Thaw(PathArg),
    /// Kill every process of a cgroup and its descendants.
    #[command(after_help = TARGET_HELP)]
    Kill(PathArg),
    /// List the processes of a cgroup.
    #[command(after_help = TARGET_HELP)]
    Ps(PsArgs),
    /// Remove a cgroup from every hierarchy.
    #[command(after_help = TARGET_HELP)]
    Destroy(DestroyArgs),
    /// Show the statistics of a cgroup (once, as JSON, or refreshed with --watch).
    Stats(crate::stats_cmd::StatsArgs),
    /// The cgroups of a subtree sorted by CPU or memory, like systemd-cgtop.
    Top(crate::top::TopArgs),
    /// Print OOM kills, populated/frozen changes and pressure events as they happen.
    Events(crate::events_cmd::EventsArgs),
    /// Resolve a user spec (name, uid, name:group, uid:gid) inside a container rootfs.
    User(crate::user_cmd::UserArgs),
    /// Internal: the gate of `run --driver systemd` (waits, then execs the command).
    #[command(name = "__hold", hide = true)]
    Hold(crate::gate::HoldArgs),
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Which driver and which hierarchies to use.
#[derive(Debug, Args, Clone, Default)]
pub struct Placement {
    /// Who manages the cgroup: `systemd` (a transient unit over D-Bus), `cgroupfs`
    /// (the cgroup files directly), or `auto`: systemd when it is the init system
    /// and answers on the system bus, else cgroupfs (`cgctl info` says which and why).
    #[arg(long, value_enum, default_value_t = DriverArg::Auto, value_name = "DRIVER")]
    pub driver: DriverArg,
    /// v1/hybrid: join only these controllers' hierarchies (comma-separated, e.g.
    /// cpu,cpuacct,pids). Default: every mounted hierarchy, as runtimes do. On a
    /// hybrid host the cgroup2 hierarchy is always joined too.
    #[arg(long, value_delimiter = ',')]
    pub controllers: Option<Vec<String>>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Limits {
    /// Memory limit, e.g. 256M, 1.5G (K/M/G are KiB/MiB/GiB), or max.
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub memory: Option<String>,
    /// Memory plus swap (the OCI/docker meaning), e.g. 512M, or max. Equal to
    /// --memory disables swap.
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Memory soft limit / protection (v1 soft_limit_in_bytes, v2 memory.low).
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub memory_reservation: Option<String>,
    /// v2 memory.high: throttle above this size.
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true)]
    pub memory_high: Option<String>,
    /// CPU bandwidth in CPUs, e.g. 1.5 (quota per 100 ms period).
    #[arg(long, value_name = "CPUS")]
    pub cpus: Option<String>,
    /// v2 cpu.weight, 1..=10000 (default 100).
    #[arg(long, value_name = "N")]
    pub cpu_weight: Option<u64>,
    /// v1 cpu.shares, 2..=262144 (default 1024); converted to a weight on v2.
    #[arg(long, value_name = "N")]
    pub cpu_shares: Option<u64>,
    /// CPUs to run on, e.g. 0-1,3.
    #[arg(long, value_name = "LIST")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes to allocate from, e.g. 0.
    #[arg(long, value_name = "LIST")]
    pub cpuset_mems: Option<String>,
    /// Maximum number of tasks (processes and threads), or max.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub pids: Option<String>,
    /// Block I/O weight on the blkio scale 10..=1000 (converted for v2 io.weight).
    #[arg(long, value_name = "N")]
    pub io_weight: Option<u16>,
    /// OCI `linux.resources` JSON file; the flags above override its values.
    #[arg(long, value_name = "FILE")]
    pub resources: Option<PathBuf>,
    /// Allow a device, e.g. 'c 1:3 rwm' (/dev/null), 'b 8:* r', 'c *:* m'
    /// (TYPE MAJOR:MINOR ACCESS; TYPE a, b or c; * for any number; ACCESS of r, w,
    /// m). Repeatable; applied in command-line order with --device-deny. Without
    /// --device-deny (or when the first device flag allows): only the listed devices.
    #[arg(long, value_name = "RULE", value_parser = parse_device_allow)]
    pub device_allow: Vec<DeviceFlag>,
    /// Deny a device (same syntax as --device-allow). Repeatable. Alone (or when the
    /// first device flag denies): every device except the listed ones.
    #[arg(long, value_name = "RULE", value_parser = parse_device_deny)]
    pub device_deny: Vec<DeviceFlag>,
    /// Start from the runtime default devices only: null, zero, full, random,
    /// urandom, tty, console, ptmx and the pts terminals (rwm), then apply the
    /// device flags. Without any device flag, device access is left as it is.
    #[arg(long)]
    pub default_devices: bool,
}

/// One `--device-allow`/`--device-deny` value and its place on the command line.
///
/// The two flags fill two lists, but the rules apply in the order they were typed
/// (`--device-allow 'c *:* m' --device-deny 'c 1:3 m'` differs from the reverse).
/// clap parses values in command-line order, so a counter taken while parsing gives
/// that order back.
#[derive(Debug, Clone)]
pub struct DeviceFlag {
    /// Position among all device flags of this command line.
    pub seq: usize,
    pub rule: devices::Rule,
}

fn parse_device_flag(text: &str, allow: bool) -> Result<DeviceFlag, String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let rule = devices::Rule::parse(text, allow).map_err(|e| e.to_string())?;
    rule.validate_for_cgroup().map_err(|e| e.to_string())?;
    Ok(DeviceFlag {
        seq: NEXT.fetch_add(1, Ordering::Relaxed),
        rule,
    })
}

fn parse_device_allow(text: &str) -> Result<DeviceFlag, String> {
    parse_device_flag(text, true)
}

fn parse_device_deny(text: &str) -> Result<DeviceFlag, String> {
    parse_device_flag(text, false)
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// cgroupfs: the parent cgroup, from each hierarchy root (default /cgctl); levels
    /// that do not exist are created and removed again after the run. systemd: the
    /// slice of the scope (default cgctl.slice; `a-b.slice` is /a.slice/a-b.slice).
    #[arg(long, value_name = "PATH|SLICE")]
    pub parent: Option<String>,
    /// Name of the new cgroup (default: `run-PID-NANOS`); with systemd the unit is
    /// `cgctl-NAME.scope`.
    #[arg(long)]
    pub name: Option<String>,
    /// Keep the cgroup after the command exits (default: remove it). cgroupfs only:
    /// systemd removes a scope when its last process exits.
    #[arg(long)]
    pub keep: bool,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub placement: Placement,
    #[command(flatten)]
    pub limits: Limits,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// How the commands on an existing cgroup name it.
pub const TARGET_HELP: &str = "\
TARGET is a cgroup path from each hierarchy root (/cgctl/run-123), or a systemd
scope: its unit name (cgctl-job.scope) or its cgroup (/cgctl.slice/cgctl-job.scope).
A unit name needs the systemd driver. With --driver auto, a path that is the cgroup
of a loaded cgctl-*.scope unit is handled by systemd; every other path by cgroupfs.";

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The cgroup or systemd scope (see below).
    #[arg(value_name = "TARGET")]
    pub path: String,
    #[command(flatten)]
    pub placement: Placement,
    #[command(flatten)]
    pub limits: Limits,
}

#[derive(Debug, Args)]
pub struct PathArg {
    /// The cgroup or systemd scope (see below).
    #[arg(value_name = "TARGET")]
    pub path: String,
    #[command(flatten)]
    pub placement: Placement,
}

#[derive(Debug, Args)]
pub struct PsArgs {
    /// The cgroup or systemd scope (see below).
    #[arg(value_name = "TARGET")]
    pub path: String,
    /// Include the processes of descendant cgroups.
    #[arg(long, short)]
    pub recursive: bool,
    /// List threads instead of processes.
    #[arg(long)]
    pub threads: bool,
    #[command(flatten)]
    pub placement: Placement,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The cgroup or systemd scope (see below); a scope is stopped.
    #[arg(value_name = "TARGET")]
    pub path: String,
    /// Kill the processes first (otherwise a populated cgroup is an error).
    #[arg(long)]
    pub kill: bool,
    #[command(flatten)]
    pub placement: Placement,
}
