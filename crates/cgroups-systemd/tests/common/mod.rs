//! Helpers shared by the real-systemd test binaries: the bus client, unique unit
//! names, children that are killed on drop, guards that stop units, cgroupfs reads.

// Each binary uses its own part of these helpers.
#![allow(dead_code)]

use std::process::{Child, Command};

use cgroups_core::Manager;
use cgroups_systemd::version::{SystemdVersion, parse_version};
use cgroups_systemd::{Bus, Client, ErrorKind, SystemdManager};
use ktest::{Failed, ensure};

/// The D-Bus interface of scope properties.
pub const SCOPE: &str = "org.freedesktop.systemd1.Scope";
/// The D-Bus interface of every unit's properties.
pub const UNIT: &str = "org.freedesktop.systemd1.Unit";

/// The system bus client.
pub fn client() -> Client {
    Client::new(Bus::System)
}

/// Every test holds this while it uses the bus, so that the fork test forks while no
/// other thread is inside a client call (the documented contract of `fork`).
pub static BUS: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    BUS.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn unique(tag: &str) -> String {
    format!("cgtest-{}-{tag}", std::process::id())
}

/// A child that sleeps, killed and reaped on drop.
pub struct Sleeper(pub Child);

impl Sleeper {
    pub fn start() -> Result<Sleeper, Failed> {
        let child = Command::new("sleep").arg("60").spawn()?;
        Ok(Sleeper(child))
    }
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Stops the unit on drop (also when a check failed).
pub struct UnitGuard(pub String);

impl Drop for UnitGuard {
    fn drop(&mut self) {
        let _ = client().stop_unit(&self.0);
    }
}

pub fn version() -> Result<SystemdVersion, Failed> {
    let text = client().version()?;
    Ok(SystemdVersion(parse_version(&text).ok_or("no version")?))
}

#[allow(clippy::disallowed_methods)] // reading procfs of our own child in a test
pub fn cgroup_of(pid: u32) -> Result<String, Failed> {
    Ok(std::fs::read_to_string(format!("/proc/{pid}/cgroup"))?)
}

#[allow(clippy::disallowed_methods)] // reading cgroupfs files in a test
pub fn read(path: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
}

pub fn unit_gone(name: &str) -> Result<(), Failed> {
    let gone = client().get_unit(name);
    ensure!(
        matches!(&gone, Err(e) if e.kind() == ErrorKind::NoSuchUnit),
        "unit still loaded: {gone:?}"
    );
    Ok(())
}

/// Destroys through the manager on drop (also when a check failed).
pub struct ManagerGuard<'a>(pub &'a SystemdManager);

impl Drop for ManagerGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.destroy();
    }
}

/// A shell in the scope that waits for a line on stdin, then runs `script`.
pub struct Gated(pub Child);

impl Gated {
    pub fn start(script: &str) -> Result<Gated, Failed> {
        let child = Command::new("sh")
            .args(["-c", &format!("read go; {script}")])
            .stdin(std::process::Stdio::piped())
            .spawn()?;
        Ok(Gated(child))
    }

    /// Lets the script run and waits for it.
    pub fn release(&mut self) -> Result<std::process::ExitStatus, Failed> {
        use std::io::Write;
        let mut stdin = self.0.stdin.take().ok_or("no stdin")?;
        stdin.write_all(b"go\n")?;
        drop(stdin);
        Ok(self.0.wait()?)
    }
}

impl Drop for Gated {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `key value` line of a flat-keyed cgroup file.
pub fn keyed(dir: &std::path::Path, file: &str, key: &str) -> Result<u64, Failed> {
    let text = read(&dir.join(file)).ok_or_else(|| format!("no {file}"))?;
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
        .ok_or_else(|| format!("no {key} in {file}: {text:?}"))?;
    Ok(value.trim().parse()?)
}

/// A shell that ignores `SIGTERM` (and so does its `sleep`), killed and reaped on
/// drop.
pub struct Stubborn(pub Child);

impl Stubborn {
    /// Returns once the shell ignores `SIGTERM`.
    pub fn start() -> Result<Stubborn, Failed> {
        use std::io::BufRead;
        let script = "trap '' TERM; echo ready; while :; do sleep 1; done";
        let mut child = Command::new("sh")
            .args(["-c", script])
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let out = child.stdout.take().ok_or("no stdout")?;
        let stubborn = Stubborn(child);
        let mut line = String::new();
        std::io::BufReader::new(out).read_line(&mut line)?;
        ensure!(line.trim() == "ready", "the shell said {line:?}");
        Ok(stubborn)
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// The exit status once the shell is gone, `None` if it still runs after `wait`.
    pub fn exited_within(
        &mut self,
        wait: std::time::Duration,
    ) -> Result<Option<std::process::ExitStatus>, Failed> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(status) = self.0.try_wait()? {
                return Ok(Some(status));
            }
            if std::time::Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Stubborn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn killed_by_sigkill(status: std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(9)
}
