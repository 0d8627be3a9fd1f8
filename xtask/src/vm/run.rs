//! Running helper programs: timed steps, captured output, `PATH` lookup.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Runs one preparation step, printing its name and how long it took.
pub fn step<T>(label: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    println!("vm-prepare: {label} ...");
    let start = Instant::now();
    let result = f();
    let secs = start.elapsed().as_secs_f64();
    match &result {
        Ok(_) => println!("vm-prepare: {label}: done ({secs:.1}s)"),
        Err(e) => println!("vm-prepare: {label}: FAILED after {secs:.1}s: {e}"),
    }
    result
}

/// The program and its arguments, without `-o NAME=VALUE` option pairs (apt's long
/// configuration), for messages.
fn short(cmd: &Command) -> String {
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    let mut args = cmd.get_args();
    while let Some(a) = args.next() {
        match a.to_str() {
            Some("-o") => {
                args.next();
            }
            _ => words.push(a.to_string_lossy().into_owned()),
        }
    }
    words.join(" ")
}

/// Runs `cmd` and returns its stdout; an error names the command and shows the end of
/// its stderr.
pub fn output(cmd: &mut Command) -> Result<String, String> {
    let shown = short(cmd);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "{shown} failed ({}):\n{}",
        out.status,
        tail.join("\n")
    ))
}

/// The first executable called `name` in `PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_configuration_options_are_left_out_of_messages() {
        let mut cmd = Command::new("apt-get");
        cmd.args([
            "-q",
            "-o",
            "Dir::State::Lists=/x",
            "download",
            "linux-image-cloud-amd64",
        ]);
        assert_eq!(short(&cmd), "apt-get -q download linux-image-cloud-amd64");
    }
}
