//! `io.max` on a real block device: the scratch disk of the `vm-v2` tier
//! (`ktest::io_disk`, an NVMe namespace nothing else uses). The children are busybox
//! `dd` with direct I/O, moved into the cgroup before they start.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cgroups_core::convert::blkio_weight_to_io_weight;
use cgroups_core::{DeviceNumber, Limit, Manager, Resources, ThrottleDevice};
use cgroups_fs2::Fs2Manager;
use ktest::{Failed, Need, Test, ensure, ensure_eq};

use crate::common::case;

pub fn tests() -> Vec<Test> {
    vec![
        Test::new(
            "io_weight_is_written_on_the_scale_the_kernel_offers",
            io_weight,
        )
        .needs(Need::Root)
        .needs(Need::V2Controller("io")),
        Test::new(
            "io_max_for_a_real_disk_is_written_read_back_and_enforced",
            io_max,
        )
        // The disk first: where there is none, that is the reason shown.
        .needs(Need::IoDisk)
        .needs(Need::Root)
        .needs(Need::V2Controller("io")),
    ]
}

/// Runs `dd ARGS` (busybox or coreutils) inside the cgroup of `m` and returns how
/// long it took; the child is killed after 60 s.
pub fn dd_in(m: &Fs2Manager, args: &str) -> Result<Duration, Failed> {
    let mut child = Command::new("sh")
        .args(["-c", &format!("read go; exec dd {args} 2>/dev/null")])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn sh: {e}"))?;
    let joined = m.add_pid(child.id());
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let start = Instant::now();
    let status = match joined.map_err(Failed::from).and_then(|()| {
        stdin.write_all(b"go\n")?;
        Ok(())
    }) {
        Err(e) => Err(e),
        Ok(()) => loop {
            if let Some(status) = child.try_wait()? {
                break Ok(status);
            }
            if start.elapsed() > Duration::from_secs(60) {
                break Err(Failed::from(format!("dd {args} ran for 60 s")));
            }
            std::thread::sleep(Duration::from_millis(20));
        },
    };
    let _ = child.kill();
    let _ = child.wait();
    let status = status?;
    ensure!(status.success(), "dd {args}: {status}");
    Ok(start.elapsed())
}

/// C18: `io.bfq.weight` takes the blkio scale as is; without BFQ the weight is
/// converted for `io.weight`. No disk needed: the default line changes.
fn io_weight() -> Result<(), Failed> {
    let c = case("ioweight")?;
    let m = c.manager("job")?;
    let mut r = Resources::default();
    r.block_io.weight = Some(500);
    m.create_with(&r)?;
    m.set(&r)?;
    let default_line = |file| -> Result<String, Failed> {
        let text = c.read("job", file)?;
        Ok(text.lines().next().unwrap_or("").to_owned())
    };
    match c.read("job", "io.bfq.weight") {
        Ok(_) => ensure_eq!(default_line("io.bfq.weight")?, "default 500"),
        Err(_) => {
            let converted = blkio_weight_to_io_weight(500).ok_or("500 not converted")?;
            ensure_eq!(default_line("io.weight")?, format!("default {converted}"));
        }
    }
    c.manager("")?.destroy()?;
    Ok(())
}

fn io_max() -> Result<(), Failed> {
    let disk = ktest::io_disk()?;
    let dev = DeviceNumber {
        major: disk.major,
        minor: disk.minor,
    };
    let c = case("io")?;
    let m = c.manager("job")?;
    let mut r = Resources::default();
    let t = |rate| vec![ThrottleDevice::new(dev, Limit::Value(rate))];
    r.block_io.throttle_read_bps = t(4 << 20);
    r.block_io.throttle_write_bps = t(1 << 20);
    r.block_io.throttle_read_iops = t(1000);
    r.block_io.throttle_write_iops = t(500);
    m.create_with(&r)?;
    m.set(&r)?;
    let key = format!("{}:{}", disk.major, disk.minor);
    ensure_eq!(
        c.read("job", "io.max")?,
        format!("{key} rbps=4194304 wbps=1048576 riops=1000 wiops=500")
    );

    // 3 MiB written directly at 1 MiB/s: the throttle holds the writer back.
    let path = disk.path();
    let write = format!(
        "if=/dev/zero of={} bs=64k count=48 oflag=direct",
        path.display()
    );
    let took = dd_in(&m, &write)?;
    ensure!(
        took >= Duration::from_millis(1500),
        "3 MiB at 1 MiB/s took {took:?}"
    );

    // Max removes one throttle and keeps the others.
    let mut lift = Resources::default();
    lift.block_io.throttle_write_bps = vec![ThrottleDevice::new(dev, Limit::Max)];
    m.set(&lift)?;
    ensure_eq!(
        c.read("job", "io.max")?,
        format!("{key} rbps=4194304 wbps=max riops=1000 wiops=500")
    );
    c.manager("")?.kill_and_destroy()?;
    Ok(())
}
