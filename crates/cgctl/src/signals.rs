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

/// Starts catching the forwarded signals.
pub fn catch() -> Result<Caught> {
    Signals::new(FORWARDED)
        .map(Caught)
        .map_err(|e| Failure::usage(format!("installing signal handlers: {e}")))
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
