//! `cgctl`: run commands in cgroups with limits and see what they used; inspect and
//! change existing cgroups. The end-to-end proof that the workspace's crates work
//! together on a real kernel.

// The binary is where printing belongs (the libraries never print).
#![allow(clippy::print_stdout, clippy::print_stderr)]
// One module may use `unsafe` (taking an inherited descriptor in `gate`).
#![deny(unsafe_code)]

mod backend;
mod cli;
mod driver;
mod events_cmd;
mod failure;
mod gate;
mod info;
mod limits;
mod ops;
mod run;
mod sdrun;
mod signals;
mod size;
mod stats_cmd;
mod stats_open;
mod summary;
mod target;
mod top;
mod usage;
mod user_cmd;

use clap::Parser;

pub use failure::Failure;

/// Writes to stdout; a reader that went away (EPIPE) is not cgctl's failure and
/// must not turn into a panic.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// cgctl's result: an exit status or a failure to report.
pub type Result<T, E = Failure> = std::result::Result<T, E>;

/// A minimal logger for `--verbose`: the libraries' debug and warn lines on stderr.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        eprintln!(
            "cgctl: [{}] {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }

    fn flush(&self) {}
}

fn main() {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not failures; bad flags are cgctl's own
            // failure (125), as documented, not clap's default 2.
            let code = if e.use_stderr() {
                failure::EXIT_CGCTL
            } else {
                0
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if cli.verbose {
        static LOGGER: StderrLogger = StderrLogger;
        if log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(log::LevelFilter::Debug);
        }
    }
    let result = match cli.command {
        cli::Command::Info(a) => info::info(a),
        cli::Command::Run(a) => run::run(a),
        cli::Command::Update(a) => ops::update(a),
        cli::Command::Freeze(a) => ops::freeze(a),
        cli::Command::Thaw(a) => ops::thaw(a),
        cli::Command::Kill(a) => ops::kill(a),
        cli::Command::Ps(a) => ops::ps(a),
        cli::Command::Destroy(a) => ops::destroy(a),
        cli::Command::Stats(a) => stats_cmd::stats(a),
        cli::Command::Top(a) => top::top(a),
        cli::Command::Events(a) => events_cmd::events(a),
        cli::Command::User(a) => user_cmd::user(a),
        cli::Command::Hold(a) => gate::hold(a),
    };
    let code = match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{failure}");
            failure.code
        }
    };
    std::process::exit(code);
}
