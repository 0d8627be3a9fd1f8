//! `cgctl info`: what this machine offers.

use std::collections::BTreeMap;

use cgroups_core::{CgroupDir, CgroupMode, Hierarchies, ProcCgroup};
use serde_json::json;

use crate::Result;
use crate::cli::InfoArgs;

/// Kernel features found by probing files (never by kernel version).
#[derive(Debug, Default)]
struct Features {
    openat2: bool,
    cgroup_kill: Option<bool>,
    cgroup_freeze: Option<bool>,
    psi: Option<bool>,
}

fn mode_name(mode: CgroupMode) -> &'static str {
    match mode {
        CgroupMode::Legacy => "legacy (cgroup v1 only)",
        CgroupMode::Hybrid => "hybrid (cgroup v1 controllers + cgroup2 for process tracking)",
        CgroupMode::Unified => "unified (cgroup v2)",
        _ => "unknown",
    }
}

/// Finds a non-root cgroup2 directory to look at: the caller's own, else any child
/// of the root. Interface files such as `cgroup.kill` exist only below the root.
fn probe_dir(root: &CgroupDir, own: &ProcCgroup) -> Option<CgroupDir> {
    if let Some(own) = own.unified.as_deref() {
        let rel = own.trim_start_matches('/');
        if !rel.is_empty()
            && let Ok(dir) = root.open_child(rel)
        {
            return Some(dir);
        }
    }
    let child = root.children().ok()?.into_iter().next()?;
    root.open_child(&child).ok()
}

/// Probes with a short-lived empty child of the root when there is nothing else to
/// look at (needs root; the directory is removed at once).
fn probe_with_temporary_child(root: &CgroupDir, f: &mut Features) {
    let name = format!("cgctl-probe-{}", std::process::id());
    let Ok((dir, created)) = root.create_child_all(&name) else {
        return;
    };
    f.cgroup_kill = Some(dir.exists("cgroup.kill"));
    f.cgroup_freeze = Some(dir.exists("cgroup.freeze"));
    drop(dir);
    if !created.is_empty()
        && let Err(e) = root.remove_tree(&name)
    {
        log::warn!("could not remove the probe cgroup {name}: {e}");
    }
}

fn probe(h: &Hierarchies, own: &ProcCgroup) -> Features {
    let mut f = Features {
        openat2: cgroups_core::openat2_supported(),
        ..Features::default()
    };
    let Some(mount) = h.unified_mount() else {
        return f;
    };
    let Ok(root) = CgroupDir::open_root(mount) else {
        return f;
    };
    f.psi = Some(root.exists("cpu.pressure"));
    if let Some(dir) = probe_dir(&root, own) {
        f.cgroup_kill = Some(dir.exists("cgroup.kill"));
        f.cgroup_freeze = Some(dir.exists("cgroup.freeze"));
    } else if rustix::process::geteuid().is_root() {
        probe_with_temporary_child(&root, &mut f);
    }
    f
}

fn list_or_none(words: &[String]) -> String {
    if words.is_empty() {
        "(none)".to_owned()
    } else {
        words.join(" ")
    }
}

fn words(text: Option<String>) -> Vec<String> {
    text.unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown (no cgroup2 directory to probe)",
    }
}

/// Prints the layout, mounts, controllers, own cgroups and features.
pub fn info(args: InfoArgs) -> Result<i32> {
    let h = Hierarchies::detect()?;
    let own = ProcCgroup::of_process(None)?;
    let features = probe(h, &own);
    let driver = crate::driver::choose(crate::driver::DriverArg::Auto)?;
    let (available, enabled) = match h.unified_mount().map(CgroupDir::open_root) {
        Some(Ok(root)) => (
            words(root.read_optional("cgroup.controllers").ok().flatten()),
            words(root.read_optional("cgroup.subtree_control").ok().flatten()),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let v1: BTreeMap<String, String> = h
        .v1_all()
        .iter()
        .map(|v| (v.controllers.join(","), v.mount_point.display().to_string()))
        .collect();

    if args.json {
        let doc = json!({
            "mode": format!("{:?}", h.mode()).to_lowercase(),
            "unified_mount": h.unified_mount().map(|p| p.display().to_string()),
            "v1_hierarchies": v1,
            "v2_controllers_available": available,
            "v2_controllers_enabled_for_children": enabled,
            "own_cgroup": { "v1": own.v1, "unified": own.unified },
            "driver": { "auto": driver.driver.name(), "reason": driver.reason },
            "features": {
                "openat2": features.openat2,
                "cgroup_kill": features.cgroup_kill,
                "cgroup_freeze": features.cgroup_freeze,
                "psi": features.psi,
                "apparmor": apparmor::is_enabled(),
                "resctrl": resctrl_json(),
            },
        });
        crate::out(&format!("{doc:#}\n"));
        return Ok(0);
    }

    let mut out = format!("layout:   {}\n", mode_name(h.mode()));
    out.push_str(&format!(
        "driver:   --driver auto picks {}: {}\n",
        driver.driver.name(),
        driver.reason
    ));
    match h.unified_mount() {
        Some(m) => {
            out.push_str(&format!("cgroup2:  {}\n", m.display()));
            out.push_str(&format!(
                "  controllers available: {}\n",
                list_or_none(&available)
            ));
            out.push_str(&format!(
                "  enabled for children:  {}\n",
                list_or_none(&enabled)
            ));
        }
        None => out.push_str("cgroup2:  not mounted\n"),
    }
    if !v1.is_empty() {
        out.push_str("cgroup v1 hierarchies:\n");
        for (controllers, mount) in &v1 {
            out.push_str(&format!("  {controllers:<22} {mount}\n"));
        }
    }
    out.push_str("own cgroups:\n");
    if let Some(u) = &own.unified {
        out.push_str(&format!("  {:<22} {u}\n", "(unified)"));
    }
    for (controller, path) in &own.v1 {
        out.push_str(&format!("  {controller:<22} {path}\n"));
    }
    out.push_str("kernel features (probed):\n");
    out.push_str(&format!(
        "  openat2                {}\n",
        if features.openat2 { "yes" } else { "no" }
    ));
    out.push_str(&format!(
        "  cgroup.kill            {}\n",
        yes_no(features.cgroup_kill)
    ));
    out.push_str(&format!(
        "  cgroup.freeze          {}\n",
        yes_no(features.cgroup_freeze)
    ));
    out.push_str(&format!(
        "  PSI (pressure files)   {}\n",
        yes_no(features.psi)
    ));
    let aa = if apparmor::is_enabled() {
        "enabled"
    } else {
        "not enabled"
    };
    out.push_str(&format!("  AppArmor               {aa}\n"));
    out.push_str(&format!("  resctrl (Intel RDT)    {}\n", resctrl_text()));
    crate::out(&out);
    Ok(0)
}

/// resctrl availability and features, or why it is not available.
fn resctrl_text() -> String {
    match intelrdt::features() {
        Ok(f) => {
            let mut have = Vec::new();
            for (on, name) in [(f.cat, "L3 CAT"), (f.cdp, "CDP"), (f.mba, "MBA")] {
                if on {
                    have.push(name);
                }
            }
            for (on, name) in [(f.cmt, "CMT"), (f.mbm(), "MBM")] {
                if on {
                    have.push(name);
                }
            }
            format!("available ({})", have.join(", "))
        }
        Err(e) => format!("not available ({e})"),
    }
}

fn resctrl_json() -> serde_json::Value {
    match intelrdt::features() {
        Ok(f) => json!({
            "available": true, "cat": f.cat, "cdp": f.cdp, "mba": f.mba,
            "cmt": f.cmt, "mbm": f.mbm(),
        }),
        Err(e) => json!({ "available": false, "reason": e.to_string() }),
    }
}
