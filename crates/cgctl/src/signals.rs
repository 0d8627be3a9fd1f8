//! Forwarding SIGINT, SIGTERM, SIGHUP and SIGQUIT to the command while it runs.

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};

/// The signals a terminal or a supervisor sends to stop a job.
const FORWARDED: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];
use signal_hook::iterator::{Handle, Signals};

use crate::{Failure, Result};

/// A thread that forwards signals until stopped.
pub struct Forwarder {
    handle: Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT caught from now on, to be forwarded once the command runs.
///
/// Install this BEFORE spawning: a signal that arrives between the spawn and the
/// start of forwarding is queued, not lost, and cgctl never dies of it while the
/// command runs (it waits, reports and cleans up). The command gets the default
/// dispositions back at exec, so it reacts to these signals normally.
pub struct Caught(Signals);

/// Starts catching the forwarded signals, except those the caller ignores: they stay
/// ignored for cgctl and the command (`nohup cgctl run ...` keeps SIGHUP away from
/// the command; a handler would reset it to the default at the command's exec).
pub fn catch() -> Result<Caught> {
    let ignored = ignored_mask();
    let wanted: Vec<i32> = FORWARDED
        .into_iter()
        .filter(|&s| !is_in_mask(ignored, s))
        .collect();
    Signals::new(wanted)
        .map(Caught)
        .map_err(|e| Failure::usage(format!("installing signal handlers: {e}")))
}

/// The `SigIgn` mask of this process (`/proc/self/status`; 0 when unreadable).
fn ignored_mask() -> u64 {
    let status = pathsafe::ProcFs::open()
        .and_then(|p| p.read_to_string(pathsafe::ProcBase::SelfProcess, "status"));
    match status {
        Ok(text) => parse_sig_ign(&text).unwrap_or(0),
        Err(e) => {
            log::debug!("reading the ignored signals: {e}");
            0
        }
    }
}

/// The `SigIgn:` line of `/proc/<pid>/status`, a hexadecimal mask (bit n-1: signal n).
fn parse_sig_ign(status: &str) -> Option<u64> {
    let hex = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
    u64::from_str_radix(hex.trim(), 16).ok()
}

fn is_in_mask(mask: u64, signal: i32) -> bool {
    (1..=64).contains(&signal) && mask & (1u64 << (signal - 1)) != 0
}

/// Forwards the caught signals (queued ones first) to process `pid` until stopped.
pub fn forward_to(caught: Caught, pid: u32) -> Forwarder {
    let mut signals = caught.0;
    let handle = signals.handle();
    let thread = std::thread::spawn(move || {
        for signal in signals.forever() {
            let Some(pid) = rustix::process::Pid::from_raw(pid as i32) else {
                break;
            };
            let Some(sig) = rustix::process::Signal::from_named_raw(signal) else {
                continue;
            };
            // The child may already have exited; nothing to do then.
            let _ = rustix::process::kill_process(pid, sig);
        }
    });
    Forwarder {
        handle,
        thread: Some(thread),
    }
}

impl Forwarder {
    /// Stops forwarding and joins the thread.
    pub fn stop(mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_signals_are_read_from_the_status_mask() {
        let status = "Name:\tcgctl\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000006\n";
        let mask = parse_sig_ign(status).unwrap();
        assert!(is_in_mask(mask, SIGINT));
        assert!(is_in_mask(mask, SIGQUIT));
        assert!(!is_in_mask(mask, SIGHUP));
        assert!(!is_in_mask(mask, SIGTERM));
        assert_eq!(parse_sig_ign("Name:\tx\n"), None);
    }
}
