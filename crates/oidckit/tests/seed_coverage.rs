//! `docs/seed-coverage.md` lists every name of the seed's surface (`surface.tsv`), and every row
//! marked implemented has a member in the facade (its exported name lists and settings table).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use oidckit::OpenId;
use oidckit::openid::settings::{self, Status};

fn surface_path() -> PathBuf {
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed/surface.tsv");
    if beside.is_file() {
        return beside;
    }
    if let Some(dir) = std::env::var_os("OIDCKIT_SEED_DIR") {
        let p = PathBuf::from(dir).join("surface.tsv");
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "seed surface not found: neither {} nor $OIDCKIT_SEED_DIR/surface.tsv exists; \
         set OIDCKIT_SEED_DIR to the directory holding the seed's surface.tsv",
        beside.display()
    );
}

/// (kind, name) of every seed name.
fn surface() -> BTreeSet<(String, String)> {
    let path = surface_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let kind = f.next().unwrap_or_default().to_string();
            let name = f.next().unwrap_or_default().to_string();
            (kind, name)
        })
        .collect()
}

/// The heading of the doc's section on the settings that are not the seed's.
const BEYOND_HEADING: &str = "## Beyond the seed";

/// The setting names of the doc's "Beyond the seed" table.
fn beyond_the_seed() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/seed-coverage.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (_, section) = text
        .split_once(BEYOND_HEADING)
        .unwrap_or_else(|| panic!("no `{BEYOND_HEADING}` section in docs/seed-coverage.md"));
    section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect()
}

/// (kind, name) → status, from the doc's table.
fn coverage() -> BTreeMap<(String, String), String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/seed-coverage.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut rows = BTreeMap::new();
    // The settings beyond the seed have their own section after the seed's table.
    let seed_part = text.split(BEYOND_HEADING).next().unwrap_or_default();
    for line in seed_part.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line
            .split(" | ")
            .map(|c| c.trim_matches(['|', ' ']))
            .collect();
        if cells.len() < 5 || cells[0] == "Kind" {
            continue;
        }
        let name = cells[1].trim_matches('`').to_string();
        let status = cells[2].to_string();
        assert!(
            status == "implemented"
                || status == "not applicable"
                || status.starts_with("planned (issue "),
            "unknown status {status:?} for {name}"
        );
        if status == "not applicable" {
            assert!(cells[4].len() > 10, "{name}: not applicable needs a reason");
        }
        let prev = rows.insert((cells[0].to_string(), name.clone()), status);
        assert!(prev.is_none(), "{name} is listed twice");
    }
    rows
}

#[test]
fn every_seed_name_is_in_the_coverage_table() {
    let table = coverage();
    let missing: Vec<_> = surface()
        .into_iter()
        .filter(|k| !table.contains_key(k))
        .collect();
    assert!(
        missing.is_empty(),
        "missing from docs/seed-coverage.md: {missing:?}"
    );
}

#[test]
fn every_implemented_name_exists_in_the_facade() {
    let surface = surface();
    for ((kind, name), status) in coverage() {
        assert!(
            surface.contains(&(kind.clone(), name.clone())),
            "{kind} {name} is not a seed name"
        );
        if status != "implemented" {
            continue;
        }
        let present = match kind.as_str() {
            "property" => OpenId::PROPERTY_NAMES.contains(&name.as_str()),
            "method" => OpenId::METHOD_NAMES.contains(&name.as_str()),
            "event" => OpenId::EVENT_NAMES.contains(&name.as_str()),
            "config" => settings::TABLE
                .iter()
                .any(|s| s.display_name() == name && s.status == Status::Implemented),
            "error" => true,
            other => panic!("unknown kind {other}"),
        };
        assert!(
            present,
            "{kind} {name} is marked implemented but the facade has no such member"
        );
    }
}

#[test]
fn the_settings_table_and_the_doc_agree() {
    let table = coverage();
    for s in settings::TABLE
        .iter()
        .filter(|s| s.status != Status::BeyondSeed)
    {
        let key = ("config".to_string(), s.display_name());
        let doc = table
            .get(&key)
            .unwrap_or_else(|| panic!("{} missing from the doc", s.display_name()));
        let expected = match s.status {
            Status::Implemented => "implemented".to_string(),
            Status::NotApplicable(_) => "not applicable".to_string(),
            Status::Planned(n) => format!("planned (issue {n})"),
            Status::BeyondSeed => unreachable!("filtered out"),
        };
        assert_eq!(doc, &expected, "{}", s.display_name());
    }
    let seed_configs = surface().into_iter().filter(|(k, _)| k == "config").count();
    let seed_rows = settings::TABLE
        .iter()
        .filter(|s| s.status != Status::BeyondSeed)
        .count();
    assert_eq!(seed_rows, seed_configs, "one table row per seed setting");
}

#[test]
fn every_setting_beyond_the_seed_is_documented_and_is_not_a_seed_name() {
    let surface = surface();
    let beyond: Vec<String> = settings::TABLE
        .iter()
        .filter(|s| s.status == Status::BeyondSeed)
        .map(|s| s.display_name())
        .collect();
    assert!(!beyond.is_empty());
    for name in &beyond {
        assert!(
            !surface
                .iter()
                .any(|(k, n)| k == "config" && n.eq_ignore_ascii_case(name)),
            "{name} is a seed setting; give it the seed's status"
        );
    }
    assert_eq!(
        beyond_the_seed(),
        beyond,
        "the doc's `Beyond the seed` table lists exactly these settings, in table order"
    );
}
