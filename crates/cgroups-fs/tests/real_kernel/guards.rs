//! Kill guards and hostile trees on the real kernel: a sub-cgroup whose name is not
//! UTF-8, and a caller that is inside the tree it kills.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cgroups_core::{CgroupPath, Config, ErrorKind, Manager};
use cgroups_fs::FsManager;
use ktest::{Failed, ensure, ensure_eq};

use crate::fixture::Fixture;

/// The child mode of this binary: join the cgroup at this path (freezer and pids
/// only) and try to kill it; exit 0 when the kill is refused as it must be.
pub const KILL_SELF_ENV: &str = "CGROUPS_FS_TEST_KILL_SELF";

/// A child that is killed and reaped on drop.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `bad\xff`, as `mkdir "$(printf 'bad\xff')"` makes it.
fn bad() -> &'static OsStr {
    OsStr::from_bytes(b"bad\xff")
}

pub fn kill_and_destroy_pass_a_sub_cgroup_whose_name_is_not_utf8() -> Result<(), Failed> {
    let controllers: &[&str] = &["cpu", "freezer", "pids"];
    let f = Fixture::new("rawkill", Some(controllers), "")?;
    f.create()?;
    let top = f.path("pids")?;
    let inner = Config::new(CgroupPath::parse(&format!(
        "/{}/a",
        top.file_name().and_then(|n| n.to_str()).ok_or("name")?
    ))?)
    .controllers(controllers.iter().copied());
    FsManager::new(inner)?.create()?;
    // Co-mounted controllers (cpu,cpuacct) share a directory: each one once.
    let dirs: std::collections::BTreeSet<_> = f.m.paths().into_values().collect();
    for path in dirs {
        std::fs::create_dir(path.join(bad()))?;
    }
    let sleeper = Command::new("sleep")
        .arg("30")
        .stdin(Stdio::null())
        .spawn()?;
    let mut sleeper = Reaped(sleeper);
    f.m.add_pid_to("a", sleeper.0.id())?;
    ensure_eq!(f.m.all_pids()?, [sleeper.0.id()]);

    f.m.kill()?;
    let status = sleeper.0.wait()?;
    ensure_eq!(status.signal(), Some(9), "the sleeper survived the kill");
    f.m.destroy()?;
    for (controller, path) in f.m.paths() {
        ensure!(!path.exists(), "{controller}: {} survived", path.display());
    }
    Ok(())
}

pub fn kill_is_refused_when_the_caller_is_inside() -> Result<(), Failed> {
    let f = Fixture::new("killself", Some(&["freezer", "pids"]), "")?;
    f.create()?;
    let freezer = f.path("freezer")?;
    let name = freezer.file_name().and_then(|n| n.to_str()).ok_or("name")?;
    let child = Command::new(std::env::current_exe()?)
        .env(KILL_SELF_ENV, format!("/{name}"))
        .stdin(Stdio::null())
        .spawn()?;
    let mut child = Reaped(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let state = f.read("freezer", "freezer.state");
            // A frozen v1 task dies only once thawed: thaw before the child is
            // killed and reaped on drop, or the reaping would wait forever.
            let _ = f.m.thaw();
            return Err(format!("the child hung: freezer.state {state:?}").into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    ensure_eq!(status.code(), Some(0), "the kill was not refused: {status}");
    ensure_eq!(f.read("freezer", "freezer.state")?, "THAWED");
    Ok(())
}

/// Child mode: moves itself into `path` and expects kill to refuse.
pub fn kill_self_and_exit(path: &str) -> ! {
    let outcome = (|| -> cgroups_core::Result<Option<ErrorKind>> {
        let config = Config::new(CgroupPath::parse(path)?).controllers(["freezer", "pids"]);
        let m = FsManager::new(config)?;
        m.add_pid(std::process::id())?;
        Ok(m.kill().err().map(|e| e.kind()))
    })();
    std::process::exit(match outcome {
        Ok(Some(ErrorKind::InvalidPath)) => 0,
        Ok(_) => 1,
        Err(_) => 2,
    })
}
