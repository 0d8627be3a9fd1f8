//! Against the kernel's AppArmor (the systemd VM tier): a profile loaded with
//! `apparmor_parser`, applied through [`apparmor::apply_profile`] on exec, denies the
//! read its rule denies, while the same read without the profile succeeds.

// Test fixtures (the profile and the secret file) are built with std::fs.
#![allow(clippy::disallowed_methods)]
// The exec helper reports why it could not exec on stderr.
#![allow(clippy::print_stderr)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ktest::{Failed, Need, Test, ensure, ensure_eq};

/// Set in the environment of this binary when it is re-executed as the exec helper:
/// the profile to apply (empty: none) before it execs `cat` of [`SECRET_ENV`].
const PROFILE_ENV: &str = "CGTEST_APPARMOR_PROFILE";
/// The file the exec helper's `cat` reads.
const SECRET_ENV: &str = "CGTEST_APPARMOR_SECRET";
/// The exit status of the helper when `apply_profile` or the exec failed.
const HELPER_FAILED: i32 = 90;
const SECRET_TEXT: &str = "cgtest secret\n";

/// A profile loaded from `file` with `apparmor_parser -r`, removed (`-R`) on drop.
struct LoadedProfile {
    file: PathBuf,
}

impl LoadedProfile {
    fn load(file: &Path) -> Result<LoadedProfile, Failed> {
        let out = parser("-r", file)?;
        ensure!(
            out.status.success(),
            "apparmor_parser -r {} failed: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(LoadedProfile {
            file: file.to_owned(),
        })
    }
}

impl Drop for LoadedProfile {
    fn drop(&mut self) {
        let _ = parser("-R", &self.file);
    }
}

fn parser(flag: &str, file: &Path) -> Result<Output, Failed> {
    Command::new("apparmor_parser")
        .arg(flag)
        .arg(file)
        .output()
        .map_err(|e| Failed::from(format!("cannot run apparmor_parser {flag}: {e}")))
}

/// Runs this binary as the exec helper: it applies `profile` and execs `cat secret`.
fn cat_under(profile: &str, secret: &Path) -> Result<Output, Failed> {
    let me = std::env::current_exe()?;
    Ok(Command::new(me)
        .env(PROFILE_ENV, profile)
        .env(SECRET_ENV, secret)
        .output()?)
}

/// The exec helper (single-threaded, before the harness starts): on this thread,
/// `apply_profile` then exec `/bin/cat`, so the profile confines `cat`.
fn exec_helper(profile: &str) -> ! {
    let secret = std::env::var_os(SECRET_ENV).unwrap_or_default();
    if let Err(e) = apparmor::apply_profile(profile) {
        eprintln!("apply_profile({profile:?}): {e}");
        std::process::exit(HELPER_FAILED);
    }
    let e = Command::new("/bin/cat").arg(secret).exec();
    eprintln!("exec /bin/cat: {e}");
    std::process::exit(HELPER_FAILED)
}

fn profile_denying_a_read_stops_cat_and_without_it_cat_reads() -> Result<(), Failed> {
    ensure!(
        apparmor::is_enabled(),
        "AppArmor is not enabled in this kernel"
    );
    let dir = tempfile::tempdir()?;
    let name = format!("cgtest-{}-deny-read", std::process::id());
    let secret = dir.path().join("cgtest-secret");
    std::fs::write(&secret, SECRET_TEXT)?;
    let profile_file = dir.path().join(&name);
    // Every file access allowed, except reading the secret.
    let text = format!(
        "profile {name} {{\n  file,\n  deny {} r,\n}}\n",
        secret.display()
    );
    std::fs::write(&profile_file, text)?;
    let _loaded = LoadedProfile::load(&profile_file)?;

    let free = cat_under("", &secret)?;
    ensure!(
        free.status.success(),
        "cat without a profile failed: {:?} {}",
        free.status,
        String::from_utf8_lossy(&free.stderr)
    );
    ensure_eq!(String::from_utf8_lossy(&free.stdout), SECRET_TEXT);

    let confined = cat_under(&name, &secret)?;
    let stderr = String::from_utf8_lossy(&confined.stderr);
    ensure!(
        confined.status.code() != Some(HELPER_FAILED),
        "the helper could not apply {name} or exec cat: {stderr}"
    );
    ensure!(
        !confined.status.success(),
        "cat under {name} read the secret: {}",
        String::from_utf8_lossy(&confined.stdout)
    );
    ensure!(
        stderr.contains("Permission denied"),
        "cat under {name} failed, not with EACCES: {stderr}"
    );
    ensure!(
        confined.stdout.is_empty(),
        "cat under {name} printed something"
    );
    Ok(())
}

fn main() {
    if let Some(profile) = std::env::var_os(PROFILE_ENV) {
        exec_helper(&profile.to_string_lossy());
    }
    ktest::main(vec![
        Test::new(
            "profile_denying_a_read_stops_cat_and_without_it_cat_reads",
            profile_denying_a_read_stops_cat_and_without_it_cat_reads,
        )
        .needs(Need::Root)
        .needs(Need::Systemd)
        // The tier whose kernel has AppArmor enabled and whose rootfs has apparmor_parser.
        .needs(Need::Tier("systemd-vm")),
    ])
}
