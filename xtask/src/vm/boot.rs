//! Booting one VM under QEMU (TCG, `-M pc`), streaming its serial console to our
//! stdout and to a caller's function, bounded by a timeout.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The machine every VM tier boots: `-M pc` and single-threaded TCG (multi-threaded
/// TCG and `microvm` hung or panicked in a few boots out of tens).
#[derive(Debug, Clone)]
pub struct Machine<'a> {
    pub qemu: &'a Path,
    pub kernel: &'a Path,
    pub initrd: &'a Path,
    /// The guest's PID 1 (`rdinit=`).
    pub init: &'a str,
    /// Extra kernel command line.
    pub append: &'a str,
    pub memory_mib: u32,
    pub cpus: u32,
    pub timeout: Duration,
}

/// QEMU arguments attaching `disks` (raw images) as namespaces 1, 2, ... of one NVMe
/// controller: `/dev/nvme0n1`, ... in the guest, in this order.
fn nvme_args(disks: &[PathBuf]) -> Vec<String> {
    if disks.is_empty() {
        return Vec::new();
    }
    let mut args = vec![
        "-device".to_owned(),
        "nvme,id=nvme0,serial=cgtest".to_owned(),
    ];
    for (i, disk) in disks.iter().enumerate() {
        args.push("-drive".to_owned());
        args.push(format!(
            "file={},if=none,id=disk{i},format=raw,cache=unsafe",
            disk.display()
        ));
        args.push("-device".to_owned());
        args.push(format!("nvme-ns,drive=disk{i},bus=nvme0,nsid={}", i + 1));
    }
    args
}

impl Machine<'_> {
    fn command(&self, disks: &[PathBuf]) -> Command {
        let mut cmd = Command::new(self.qemu);
        cmd.args(["-M", "pc", "-accel", "tcg,thread=single", "-cpu", "max"])
            .args([
                "-smp",
                &self.cpus.to_string(),
                "-m",
                &self.memory_mib.to_string(),
            ])
            .args([
                "-nographic",
                "-no-reboot",
                "-nodefaults",
                "-serial",
                "stdio",
            ])
            .args(nvme_args(disks))
            .arg("-kernel")
            .arg(self.kernel)
            .arg("-initrd")
            .arg(self.initrd)
            .arg("-append")
            .arg(format!(
                "console=ttyS0 rdinit={} panic=-1 quiet loglevel=3 {}",
                self.init, self.append
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        cmd
    }

    /// Boots, echoes every console line prefixed with `[tier] `, and passes it to
    /// `take`. Returns an error when QEMU cannot run or the timeout
    /// hits (QEMU is then killed).
    pub fn boot(&self, tier: &str, take: &mut dyn FnMut(&str)) -> Result<(), String> {
        self.boot_with_disks(&[], tier, take)
    }

    /// [`Machine::boot`] with `disks` (raw images) attached as NVMe namespaces.
    pub fn boot_with_disks(
        &self,
        disks: &[PathBuf],
        tier: &str,
        take: &mut dyn FnMut(&str),
    ) -> Result<(), String> {
        let mut cmd = self.command(disks);
        println!("== booting {tier}: {cmd:?}");
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.qemu.display()))?;
        let stdout = child.stdout.take().ok_or("qemu has no stdout")?;
        let (rx, reader) = line_reader(stdout);
        let deadline = Instant::now() + self.timeout;
        let mut out = std::io::stdout();
        let mut timed_out = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left.min(Duration::from_secs(1))) {
                Ok(line) => {
                    let shown = without_escapes(line.trim_end_matches(['\r', '\n']));
                    let _ = writeln!(out, "[{tier}] {shown}");
                    take(&shown);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                    timed_out = true;
                    let _ = child.kill();
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
        let status = child.wait().map_err(|e| format!("waiting for qemu: {e}"))?;
        let _ = reader.join();
        if timed_out {
            return Err(format!(
                "the VM did not finish within {}s and was killed",
                self.timeout.as_secs()
            ));
        }
        match status.success() {
            true => Ok(()),
            false => Err(format!("qemu exited with {status}")),
        }
    }
}

/// The line without terminal escape sequences (the firmware clears the screen) and
/// other control characters.
fn without_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            // A CSI sequence runs to a final byte in @..~; other escapes are one char.
            '\u{1b}' => {
                if chars.next() == Some('[') {
                    while chars.next().is_some_and(|c| !('@'..='~').contains(&c)) {}
                }
            }
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Reads `from` on a thread and sends each line (with its newline, lossily decoded)
/// until EOF or until the receiver is gone.
pub(super) fn line_reader(
    from: impl std::io::Read + Send + 'static,
) -> (mpsc::Receiver<String>, std::thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel::<String>();
    let thread = std::thread::spawn(move || {
        let mut r = BufReader::new(from);
        let mut buf = Vec::new();
        while r.read_until(b'\n', &mut buf).is_ok_and(|n| n > 0) {
            if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                break;
            }
            buf.clear();
        }
    });
    (rx, thread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disks_become_namespaces_of_one_nvme_controller_in_order() {
        assert!(nvme_args(&[]).is_empty());
        let args = nvme_args(&[PathBuf::from("/v/io.img"), PathBuf::from("/v/swap.img")]);
        assert_eq!(args.iter().filter(|a| a.starts_with("nvme,")).count(), 1);
        let text = args.join(" ");
        assert!(
            text.contains("file=/v/io.img,if=none,id=disk0,format=raw"),
            "{text}"
        );
        assert!(
            text.contains("nvme-ns,drive=disk0,bus=nvme0,nsid=1"),
            "{text}"
        );
        assert!(
            text.contains("nvme-ns,drive=disk1,bus=nvme0,nsid=2"),
            "{text}"
        );
    }

    #[test]
    fn firmware_escapes_are_removed() {
        let line = "\u{1b}c\u{1b}[?7l\u{1b}[2J\u{1b}[0mSeaBIOS (version 1.16)";
        assert_eq!(without_escapes(line), "SeaBIOS (version 1.16)");
        assert_eq!(without_escapes("a\tb\u{7}c"), "a\tbc");
    }
}
