use super::*;
use crate::ErrorKind;

fn config(l3: Option<&str>, mb: Option<&str>, lines: &[&str]) -> RdtConfig {
    RdtConfig {
        l3_cache_schema: l3.map(str::to_owned),
        mem_bw_schema: mb.map(str::to_owned),
        schemata: lines.iter().map(|s| s.to_string()).collect(),
        ..RdtConfig::default()
    }
}

fn written(c: &RdtConfig) -> Vec<String> {
    let text = c.schemata_to_write().unwrap().to_string();
    text.lines().map(str::to_owned).collect()
}

fn features(resources: &[Resource]) -> Features {
    let mut f = Features {
        resources: resources.to_vec(),
        ..Features::default()
    };
    f.resources.sort();
    let has = |r: Resource| resources.contains(&r);
    f.cdp = has(Resource::L3Code) && has(Resource::L3Data);
    f.cat = has(Resource::L3) || f.cdp;
    f.mba = has(Resource::Mb);
    f
}

// Reference §9 "Set" vectors: the lines that are written (and, on a fake tree, read
// back).

#[test]
fn set_vector_l3_only() {
    assert_eq!(
        written(&config(Some("L3:0=f0;1=f"), None, &[])),
        ["L3:0=f0;1=f"]
    );
}

#[test]
fn set_vector_mem_bw_percent_and_mbps() {
    assert_eq!(
        written(&config(None, Some("MB:0=70;1=20"), &[])),
        ["MB:0=70;1=20"]
    );
    assert_eq!(
        written(&config(None, Some("MB:0=9000;1=4000"), &[])),
        ["MB:0=9000;1=4000"]
    );
}

#[test]
fn set_vector_l3_then_mb() {
    let c = config(Some("L3:0=f0;1=f"), Some("MB:0=70;1=20"), &[]);
    assert_eq!(written(&c), ["L3:0=f0;1=f", "MB:0=70;1=20"]);
}

#[test]
fn set_vector_cdp_lines_in_schemata() {
    let c = config(None, None, &["L3CODE:0=ff;1=ff", "L3DATA:0=f;1=f0"]);
    assert_eq!(written(&c), ["L3CODE:0=ff;1=ff", "L3DATA:0=f;1=f0"]);
}

#[test]
fn set_vector_l3_then_l2_from_schemata() {
    let c = config(Some("L3:0=f0;1=f"), None, &["L2:0=ff00;1=ff"]);
    assert_eq!(written(&c), ["L3:0=f0;1=f", "L2:0=ff00;1=ff"]);
}

#[test]
fn set_vector_mb_then_l3_from_schemata() {
    let c = config(None, Some("MB:0=70;1=20"), &["L3:0=ff;1=ff"]);
    assert_eq!(written(&c), ["MB:0=70;1=20", "L3:0=ff;1=ff"]);
}

/// runc writes all four lines; the kernel would refuse that write ("Duplicate
/// domain 0" for the second L3 line). The later L3 line updates the first instead.
#[test]
fn set_vector_repeated_l3_merges_instead_of_writing_twice() {
    let c = config(
        Some("L3:0=80;1=7f"),
        Some("MB:0=2000;1=4000"),
        &["L2:0=ff00;1=ff", "L3:0=c0;1=3f"],
    );
    assert_eq!(
        written(&c),
        ["L3:0=c0;1=3f", "MB:0=2000;1=4000", "L2:0=ff00;1=ff"]
    );
}

#[test]
fn c33_a_mb_line_in_l3_schema_is_dropped_when_mem_bw_is_set() {
    let c = config(
        Some("L3:0=7f0;1=1f\nMB:0=20;1=70"),
        Some("MB:0=50;1=50"),
        &[],
    );
    assert_eq!(
        c.schemata_to_write().unwrap().to_string(),
        "L3:0=7f0;1=1f\nMB:0=50;1=50\n"
    );
}

#[test]
fn c33_dropped_mb_line_leaves_none_of_its_domains() {
    let c = config(Some("L3:0=1\nMB:2=10"), Some("MB:0=50"), &[]);
    assert_eq!(
        c.schemata_to_write().unwrap().to_string(),
        "L3:0=1\nMB:0=50\n"
    );
}

#[test]
fn mb_line_in_l3_schema_is_kept_without_mem_bw() {
    let c = config(Some("L3:0=7f0;1=1f\nMB:0=20;1=70"), None, &[]);
    assert_eq!(written(&c), ["L3:0=7f0;1=1f", "MB:0=20;1=70"]);
}

#[test]
fn empty_strings_and_blank_entries_mean_unset() {
    let c = config(Some(""), Some("  "), &["", "\n"]);
    assert!(!c.has_schema());
    assert!(c.schemata_to_write().unwrap().is_empty());
    let c = RdtConfig {
        clos_id: Some(String::new()),
        ..RdtConfig::default()
    };
    assert_eq!(c.clos_id(), None);
}

#[test]
fn bad_schema_lines_are_refused() {
    for c in [
        config(Some("L3:0=zz"), None, &[]),
        config(None, Some("MB:0=fast"), &[]),
        config(None, None, &["L2:0=f\nL3"]),
        config(Some("L3 0=f"), None, &[]),
    ] {
        let err = c.schemata_to_write().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSchemata, "{c:?}");
    }
}

#[test]
fn clos_id_slash_alone_is_the_root_group() {
    let c = RdtConfig {
        clos_id: Some("/".into()),
        ..RdtConfig::default()
    };
    assert_eq!(c.check("ctr1", &features(&[])).unwrap(), GroupName::Root);
}

#[test]
fn no_clos_id_names_the_group_after_the_container() {
    let group = RdtConfig::default().check("ctr1", &features(&[])).unwrap();
    assert_eq!(group, GroupName::Named("ctr1".into()));
}

#[test]
fn hostile_clos_ids_are_refused() {
    for bad in [
        ".",
        "..",
        "a/b",
        "/a",
        "a/",
        "../x",
        "x\0y",
        &"x".repeat(256),
    ] {
        let c = RdtConfig {
            clos_id: Some(bad.to_string()),
            ..RdtConfig::default()
        };
        let err = c.check("ctr1", &features(&[])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad:?}");
        assert_eq!(err.value(), Some(bad), "{bad:?}");
    }
}

#[test]
fn hostile_container_ids_are_refused() {
    for bad in ["", ".", "..", "a/b", "../../etc"] {
        let err = RdtConfig::default().check(bad, &features(&[])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad:?}");
    }
}

#[test]
fn l3_schema_without_cat_is_refused() {
    let c = config(Some("L3:0=f"), None, &[]);
    let err = c.check("ctr1", &features(&[Resource::Mb])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("CAT"), "{err}");
}

#[test]
fn mem_bw_schema_without_mba_is_refused() {
    let c = config(None, Some("MB:0=50"), &[]);
    let err = c.check("ctr1", &features(&[Resource::L3])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(err.to_string().contains("MBA"), "{err}");
}

#[test]
fn lines_for_resources_missing_from_info_are_refused() {
    let c = config(None, None, &["L2:0=f"]);
    let err = c
        .check("ctr1", &features(&[Resource::L3, Resource::Mb]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert_eq!(err.value(), Some("L2:0=f"));
    // Under CDP there is no plain L3 resource to write.
    let c = config(Some("L3:0=f"), None, &[]);
    let cdp = features(&[Resource::L3Code, Resource::L3Data]);
    assert_eq!(
        c.check("ctr1", &cdp).unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
    let c = config(Some("L3CODE:0=f\nL3DATA:0=3"), None, &[]);
    assert!(c.check("ctr1", &cdp).is_ok());
}
