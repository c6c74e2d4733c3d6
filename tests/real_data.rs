//! The real-data suite: reads `../shared/data` (never copied into the repo).
//! Ignored by default so that `cargo test` works on a fresh clone alone;
//! `.ci/run` runs it with `cargo test -- --ignored`.

use crate::support::shared_data;
use notional::apportion::{apportion, Options, Outcome};
use notional::progress::Silent;
use notional::read::Input;
use std::collections::{BTreeMap, BTreeSet};

fn input(rel: &str) -> Input {
    let path = shared_data().join(rel);
    Input::from_path(&path).unwrap_or_else(|e| panic!("real data missing ({e}); is ../shared beside the repo?"))
}

fn run(from: &str, to: &str, options: &Options) -> Outcome {
    apportion(&input(from), &input(to), None, options, &Silent).expect("apportion real data")
}

/// `(code → row)` of a House of Commons Library results CSV.
fn hoc(rel: &str) -> Vec<BTreeMap<String, String>> {
    let text = input(rel);
    let mut r = csv::Reader::from_reader(text.text().as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

fn assert_conserved(out: &Outcome) {
    let s = out.summary();
    assert_eq!(s.votes_in, s.allocated + s.unallocated);
    let (input, allocated) = (out.votes.totals(), out.allocation.allocated_totals());
    for c in 0..input.len() {
        assert_eq!(input[c], allocated[c] + out.allocation.unallocated[c], "column {c}");
    }
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn london_wards_2022_to_2024_seats() {
    let out = run("derived/london_wards_2022.geojson", "derived/pcon2024_bgc.geojson", &Options::default());
    assert_conserved(&out);
    let s = out.summary();
    assert_eq!(s.units, 679);
    assert_eq!(s.unallocated, 0, "no London ward lies outside every seat");
    assert_eq!(s.votes_in, 3_766_124);

    // Every one of the 75 London seats receives votes.
    let london: Vec<String> = hoc("results_ge2024/HoC-GE2024-results-by-constituency.csv")
        .into_iter()
        .filter(|r| r["Region name"] == "London")
        .map(|r| r["ONS ID"].clone())
        .collect();
    assert_eq!(london.len(), 75);
    for code in &london {
        let seat = out.results.seat(code).unwrap_or_else(|| panic!("{code} got nothing"));
        assert!(seat.total > 10_000, "{code} {} got only {}", seat.name, seat.total);
    }

    // Kensington and Bayswater = 14 Kensington and Chelsea wards + Bayswater + Lancaster Gate.
    let raw = notional::read::read_layer(&input("boundaries/wards/london_wd22/London_wards_Dec2022_WGS84.geojson"), "WD22CD", Some("WD22NM")).unwrap();
    let kc = ["Abingdon", "Brompton & Hans Town", "Campden", "Colville", "Courtfield", "Dalgarno", "Earl's Court", "Golborne", "Holland", "Norland", "Notting Dale", "Pembridge", "Queen's Gate", "St. Helen's"];
    let expected: BTreeSet<String> = raw
        .features
        .iter()
        .filter(|f| {
            let lad = f.properties["LAD22NM"].as_str().unwrap_or("");
            let name = f.name.as_deref().unwrap_or("");
            (lad == "Kensington and Chelsea" && kc.contains(&name))
                || (lad == "Westminster" && (name == "Bayswater" || name == "Lancaster Gate"))
        })
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(expected.len(), 16);
    let kb = out.target_ids().iter().position(|&c| c == "E14001310").unwrap();
    let ids = out.unit_ids();
    let members: BTreeSet<String> = out
        .crosswalk
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.weights.iter().any(|&(t, w)| t == kb && w >= 0.99))
        .map(|(i, _)| ids[i].to_string())
        .collect();
    assert_eq!(members, expected);
    // No other ward puts more than a boundary sliver there (the ward and seat
    // files are generalised differently: Stanley and Westbourne put ~1.6%).
    let others: Vec<&str> = out
        .crosswalk
        .units
        .iter()
        .enumerate()
        .filter(|(i, u)| !expected.contains(ids[*i]) && u.weights.iter().any(|&(t, w)| t == kb && w > 0.05))
        .map(|(i, _)| ids[i])
        .collect();
    assert!(others.is_empty(), "{others:?}");
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn england_wards_2013_to_2024_seats() {
    let out = run("derived/england_wards_2013.geojson", "derived/pcon2024_bgc.geojson", &Options::default());
    assert_conserved(&out);
    let s = out.summary();
    assert_eq!((s.units, s.targets), (7681, 650));
    assert_eq!(s.votes_in, 26_911_621);
    assert_eq!(s.unallocated, 0);
    // Every English seat gets votes (the fixture notes say so); Scotland, Wales
    // and Northern Ireland get at most border slivers.
    for seat in &out.results.seats {
        if seat.code.starts_with('E') {
            assert!(seat.total > 10_000, "{} {}", seat.code, seat.total);
        } else {
            assert!(seat.total < 200, "{} {}", seat.code, seat.total);
        }
    }
    assert_eq!(out.results.seats.iter().filter(|s| s.code.starts_with('E')).count(), 543);
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn centroid_method_on_england_conserves_votes() {
    use notional::crosswalk::Method;
    let options = Options { method: Method::Centroid, ..Options::default() };
    let out = run("derived/england_wards_2013.geojson", "derived/pcon2024_bgc.geojson", &options);
    assert_conserved(&out);
    assert_eq!(out.crosswalk.split_count(), 0);
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn raw_ons_buc_seats_load_with_their_own_field_names() {
    // The ultra-generalised 2024 file as published: PCON24CD/PCON24NM, 18 invalid geometries.
    let options = Options { to_id: "PCON24CD".into(), to_name: "PCON24NM".into(), ..Options::default() };
    let out = run(
        "derived/london_wards_2022.geojson",
        "boundaries/pcon2024/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BUC.geojson",
        &options,
    );
    assert_conserved(&out);
    assert_eq!(out.summary().targets, 650);
    assert_eq!(out.results.seat("E14001310").unwrap().name, "Kensington and Bayswater");
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn demo_wards_add_up_to_the_real_2019_results() {
    let (wards, _) = notional::demo::inputs();
    let layer = notional::read::read_layer(&wards, "code", None).unwrap();
    let mut sums: BTreeMap<String, [u64; 7]> = BTreeMap::new();
    for f in &layer.features {
        let seat = f.properties["old_seat"].as_str().unwrap().to_lowercase();
        let e = sums.entry(seat).or_default();
        for (i, k) in ["con", "lab", "ld", "brx", "green", "oth", "electorate"].iter().enumerate() {
            e[i] += f.properties[*k].as_u64().unwrap();
        }
    }
    let rows = hoc("results_ge2019/HoC-GE2019-results-by-constituency.csv");
    assert_eq!(sums.len(), 3);
    for (seat, got) in sums {
        let row = rows.iter().find(|r| r["Constituency name"].to_lowercase() == seat).unwrap_or_else(|| panic!("{seat}"));
        let want: Vec<u64> = ["Con", "Lab", "LD", "BRX", "Green", "All other candidates", "Electorate"]
            .iter()
            .map(|k| row[*k].parse().unwrap())
            .collect();
        assert_eq!(got.to_vec(), want, "{seat}");
    }
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn outputs_are_byte_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = shared_data().join("derived");
    let run = |threads: &str, out: &str| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_notional"))
            .env("RAYON_NUM_THREADS", threads)
            .args(["apportion", "-q", "-o"])
            .arg(dir.path().join(out))
            .arg(d.join("london_wards_2022.geojson"))
            .arg(d.join("pcon2024_bgc.geojson"))
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    };
    run("1", "one");
    run("2", "two");
    run("2", "again");
    for f in ["results.csv", "results.geojson", "crosswalk.csv"] {
        let one = std::fs::read(dir.path().join("one").join(f)).unwrap();
        assert_eq!(one, std::fs::read(dir.path().join("two").join(f)).unwrap(), "{f}: 1 vs 2 threads");
        assert_eq!(one, std::fs::read(dir.path().join("again").join(f)).unwrap(), "{f}: run to run");
    }
}

/// Runs an example script with the test build of the binary.
fn example(script: &str, out: &std::path::Path) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new("bash")
        .arg(root.join("examples").join(script))
        .arg(shared_data())
        .arg(out)
        .env("NOTIONAL", env!("CARGO_BIN_EXE_notional"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{script}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn read_csv(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn london_2019_walkthrough() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = example("london_2019.sh", dir.path());
    assert!(stdout.contains("Kensington and Bayswater (E14001310): notional Lab"), "{stdout}");

    let results = read_csv(&dir.path().join("results.csv"));
    let kb = results.iter().find(|r| r["code"] == "E14001310").unwrap();
    assert_eq!((kb["winner"].as_str(), kb["second"].as_str()), ("Lab", "Con"));
    assert_eq!(kb["predecessor"], "E14000768", "Kensington is the largest contributor");
    assert_eq!(kb["later_result"], "Lab hold");
    let (lab, con): (u64, u64) = (kb["Lab"].parse().unwrap(), kb["Con"].parse().unwrap());
    assert!(lab > con && lab - con < 2_000, "a narrow notional Labour lead: {lab} v {con}");

    // Every old London seat's 2019 party totals and electorate are reproduced exactly.
    assert_eq!(old_seats_reproduced(&dir.path().join("wards.csv")), 73, "73 old London seats estimated");
    // Composition: K&B's shares add up to 100%.
    let comp = read_csv(&dir.path().join("composition.csv"));
    let share: f64 = comp.iter().filter(|r| r["new_code"] == "E14001310").map(|r| r["share_of_new"].parse::<f64>().unwrap()).sum();
    assert!((share - 100.0).abs() < 0.05, "{share}");

    // The map, in a real browser: the 2024 layout has 650 hexes, 75 of them London's.
    let figures = crate::browser::check_map(dir.path(), ("E14001310", "Kensington and Bayswater"), "Lab", "#E4003B", &thousands(lab), 650, "london");
    eprintln!("london map.html: {figures}");
    let svg = std::fs::read_to_string(dir.path().join("map.svg")).unwrap();
    assert!(svg.contains("Kensington and Bayswater: Lab"), "the SVG's tooltip");
}

/// 21394 → "21,394", as the page writes numbers.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Checks that the ward estimates in `wards_csv` add up, per old seat, to the
/// seat's 2019 party totals and electorate exactly; returns the seats.
fn old_seats_reproduced(wards_csv: &std::path::Path) -> usize {
    let wards = read_csv(wards_csv);
    let cols = ["Con", "Lab", "LD", "BRX", "Green", "SNP", "PC", "DUP", "SF", "SDLP", "UUP", "APNI", "All other candidates", "Electorate"];
    let mut sums: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for w in &wards {
        let e = sums.entry(w["old_code"].clone()).or_insert_with(|| vec![0; cols.len()]);
        for (i, c) in cols.iter().enumerate() {
            let key = if *c == "Electorate" { "electorate" } else { c };
            e[i] += w[key].parse::<u64>().unwrap();
        }
    }
    let actual = hoc("results_ge2019/HoC-GE2019-results-by-constituency.csv");
    for (code, got) in &sums {
        let row = actual.iter().find(|r| &r["ONS ID"] == code).unwrap();
        let want: Vec<u64> = cols.iter().map(|c| row[*c].parse().unwrap()).collect();
        assert_eq!(got, &want, "{code} {}", row["Constituency name"]);
    }
    sums.len()
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn gb_2019_ward_route_from_the_published_files() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = example("gb_2019.sh", dir.path());
    assert!(stdout.contains("seats: 650"), "{stdout}");
    // Kensington and Bayswater as in the London run (London's set comes first).
    assert!(stdout.contains("Kensington and Bayswater (E14001310): notional Lab"), "{stdout}");

    let results = read_csv(&dir.path().join("results.csv"));
    assert_eq!(results.len(), 650);
    let total: u64 = results.iter().map(|r| r["total"].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 32_014_110, "every 2019 vote placed once");
    let kb = results.iter().find(|r| r["code"] == "E14001310").unwrap();
    let (lab, con): (u64, u64) = (kb["Lab"].parse().unwrap(), kb["Con"].parse().unwrap());
    assert!(lab > con && lab - con < 2_000, "a narrow notional Labour lead: {lab} v {con}");
    // Northern Ireland's seats rest on their old seats; most of Britain on local patterns.
    let ni: Vec<_> = results.iter().filter(|r| r["code"].starts_with('N')).collect();
    assert_eq!(ni.len(), 18);
    assert!(ni.iter().all(|r| r["from_whole_old_seats"] == "100.00"), "NI carried whole");
    let local: Vec<f64> = results.iter().filter(|r| !r["code"].starts_with('N')).map(|r| r["from_local_pattern"].parse().unwrap()).collect();
    let mean = local.iter().sum::<f64>() / local.len() as f64;
    assert!(mean > 90.0, "mean share from local patterns {mean}");

    // Every ledger row placed; every Great Britain old seat reproduced exactly.
    let ledger = read_csv(&dir.path().join("ledger.csv"));
    assert!(ledger.iter().all(|r| r["unallocated"] == "0" && r["cause"].is_empty()), "nothing unplaced");
    assert_eq!(old_seats_reproduced(&dir.path().join("wards.csv")), 632, "the 632 old seats of Great Britain");

    // The postcode table agrees on nearly every shared ward's main seat.
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    let line = report.lines().find(|l| l.starts_with("check: ward → new seat weights")).expect("agreement line");
    let pct: f64 = line.split("same main seat for ").nth(1).unwrap().split('(').nth(1).unwrap().split('%').next().unwrap().parse().unwrap();
    assert!(pct > 99.0, "{line}");

    // The maps, written by the run: every seat drawn twice in the SVG
    // (geographic and in the 2024 hex layout, which holds all 650), and the
    // page checked in a real browser.
    assert!(!stdout.contains("not in the hex layout"), "{stdout}");
    let svg = std::fs::read_to_string(dir.path().join("map.svg")).unwrap();
    assert_eq!(svg.matches("<path").count(), 1300);
    assert_eq!(svg.matches(r##"fill="#E4003B" fill-opacity="0.5""##).count() % 2, 0, "each marginal Labour seat drawn twice");
    let figures = crate::browser::check_map(dir.path(), ("E14001310", "Kensington and Bayswater"), "Lab", "#E4003B", &thousands(lab), 650, "gb");
    eprintln!("gb map.html: {figures}");
    assert!(figures.bytes <= 4_000_000, "map.html {} bytes", figures.bytes);

    // `notional map` redraws them from the folder, with the old seats' outlines.
    let html_before = std::fs::read(dir.path().join("map.html")).unwrap();
    let hex = shared_data().join("hexjson/openinnovations_uk-constituencies-2024_v1.2.hexjson");
    let old = shared_data().join("derived/pcon2010_bgc.geojson");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_notional")).arg("map").arg(dir.path()).arg("--hexjson").arg(&hex).arg("--old-seats").arg(&old).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(dir.path().join("map.html")).unwrap();
    assert_ne!(html.as_bytes(), &html_before[..]);
    assert!(html.contains(r#""code":"E14000768","name":"Kensington""#), "Kensington's old outline");
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn gb_ensemble_calls_kensington_and_bayswater_uncertain_the_same_on_any_thread_count() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, out: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_notional"))
            .args(["recompute", "--recipe"])
            .arg(root.join("examples/gb_2019.toml"))
            .arg("--data")
            .arg(shared_data())
            .args(["--ensemble", "150", "--seed", "3", "-q", "-o"])
            .arg(dir.path().join(out))
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run("1", "one");
    run("2", "two");
    let (one, two) = (std::fs::read(dir.path().join("one/uncertainty.csv")).unwrap(), std::fs::read(dir.path().join("two/uncertainty.csv")).unwrap());
    assert!(one == two, "same seed, same bytes, any thread count");
    let rows = read_csv(&dir.path().join("one/uncertainty.csv"));
    assert_eq!(rows.len(), 650);
    let kb = rows.iter().find(|r| r["code"] == "E14001310").unwrap();
    assert_ne!(kb["call"], "safe", "published notionals disagree on Kensington and Bayswater");
    let uncertain = rows.iter().filter(|r| r["call"] == "lean" || r["call"] == "tossup").count();
    assert!(uncertain * 100 <= 8 * 650, "{uncertain} seats lean or tossup");
    let results = read_csv(&dir.path().join("one/results.csv"));
    assert!(results.iter().all(|r| !r["call"].is_empty() && r["leader_win_probability"].parse::<f64>().is_ok()));
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn uk_2019_walkthrough_gives_650_seats_by_both_routes() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = example("uk_2019.sh", dir.path());
    assert!(stdout.contains("seats: 650"), "{stdout}");
    for sub in ["", "by-area"] {
        let results = read_csv(&dir.path().join(sub).join("results.csv"));
        assert_eq!(results.len(), 650, "{sub}");
        let total: u64 = results.iter().map(|r| r["total"].parse::<u64>().unwrap()).sum();
        assert_eq!(total, 32_014_110, "{sub}: every 2019 vote placed once");
        assert!(results.iter().all(|r| !r["winner"].is_empty() && !r["later_result"].is_empty()), "{sub}");
    }
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn wellingborough_swing_to_the_2024_by_election() {
    use notional::election::compare::compare;
    use notional::read::KeyedTable;
    use notional::results::{Results, SeatResult};
    // The 2019 result as the Commons Library has it; the by-election's published shares.
    let rows = hoc("results_ge2019/HoC-GE2019-results-by-constituency.csv");
    let w = rows.iter().find(|r| r["ONS ID"] == "E14001025").unwrap();
    let cols = ["Con", "Lab", "LD", "Green"];
    let votes: Vec<u64> = cols.iter().map(|c| w[*c].parse().unwrap()).collect();
    let seat = SeatResult::new(0, "E14001025", "Wellingborough", &votes, None);
    let results = Results { parties: cols.iter().map(|c| c.to_string()).collect(), has_electorate: false, seats: vec![seat] };
    assert!((results.seats[0].share(0) - 62.2).abs() < 0.05 && (results.seats[0].share(1) - 26.5).abs() < 0.05);
    // Shares in tenths of a percent: Lab 45.9, Con 24.6, the rest 29.5.
    let later = KeyedTable::read(&Input::from_text("by-election.csv", "ONS ID,Con,Lab,Other\nE14001025,246,459,295\n"), "ONS ID", None).unwrap();
    let c = compare(&results, &later)[0].clone().unwrap();
    assert_eq!(c.label, "Lab gain from Con");
    let s = c.swing.unwrap();
    assert_eq!((s.from.as_str(), s.to.as_str()), ("Con", "Lab"));
    assert!((s.points - 28.5).abs() < 0.05, "{}", s.points);
    assert_eq!(c.needed.unwrap().points.round(), 18.0, "Labour needed 18");
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn estimate_with_the_commons_library_ward_level_local_file() {
    // Title row, CRLF, thousands separators, `NA` electorates, two codes
    // shared by different wards (reported and not used), and `TRUE` where
    // counts should be.
    let dir = tempfile::tempdir().unwrap();
    let d = shared_data();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_notional"))
        .args(["estimate", "-q", "--local-id", "Ward code", "-o"])
        .arg(dir.path())
        .arg("--wards").arg(d.join("derived/london_wards_2022.geojson"))
        .arg("--old-seats").arg(d.join("derived/pcon2010_bgc.geojson"))
        .arg("--old-results").arg(d.join("results_ge2019/HoC-GE2019-results-by-constituency.csv"))
        .arg("--local").arg(d.join("local_elections/HoC_local_elections_2022_ward_results.csv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(report.contains("is on several lines (1036, 1038): ambiguous, not used as a pattern"), "{report}");
    assert!(report.contains("is on several lines (1093, 1094)"), "{report}");
    let wards = read_csv(&dir.path().join("wards.csv"));
    // `TRUE` stands for a count in 575 rows of the file (22 of them London
    // wards, 22 parts; two rows are also duplicates): those rows are not used
    // as a pattern, and said so.
    assert!(report.contains("573 ward row(s) with a party cell that is not a count not used as a pattern"), "{report}");
    assert_eq!(wards.iter().filter(|w| w["prior"] == "seat").count(), 26);
    let kensington: u64 = wards.iter().filter(|w| w["old_code"] == "E14000768").map(|w| w["Con"].parse::<u64>().unwrap()).sum();
    assert_eq!(kensington, 16_768);
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn check_reports_the_invalid_seats_of_the_raw_ons_file() {
    use notional::check::check;
    // As `notional check` runs it: every seat checked, reachable or not.
    let options = Options { to_id: "PCON24CD".into(), to_name: "PCON24NM".into(), check_unreached: true, ..Options::default() };
    let (wards, buc) = ("derived/london_wards_2022.geojson", "boundaries/pcon2024/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BUC.geojson");
    let out = run(wards, buc, &options);
    let report = check(&out, 0.001);
    let invalid = &report.layers[1].invalid;
    assert_eq!(invalid.len(), 18, "the SOURCES notes: 18 of 650 invalid");
    assert!(invalid.iter().all(|r| r.action == "repaired"));
    assert_eq!(report.layers[1].unchecked, 0);
    assert!(report.coverage.unplaced.is_empty());
    assert!(!report.coverage.partly_outside.is_empty(), "the ultra-generalised coast cuts off Thames-side wards");
    assert_conserved(&out);
    // A run leaves out the seats no London ward can reach, unchecked (most
    // of the UK), and the weights and results are the same to the bit.
    let run_only = run(wards, buc, &Options { check_unreached: false, ..options });
    let left_out = &run_only.unchecked_targets;
    assert!((500..=600).contains(&left_out.len()), "{} left out", left_out.len());
    assert!(left_out.iter().all(|&t| !run_only.allocation.received[t]));
    let only = check(&run_only, 0.001);
    assert_eq!(only.layers[1].unchecked, left_out.len());
    assert!(only.layers[1].invalid.len() < 18, "the invalid seats far from London are not checked");
    assert_eq!(run_only.crosswalk, out.crosswalk);
    assert_eq!(run_only.results.seats.len(), out.results.seats.len());
    for (a, b) in run_only.results.seats.iter().zip(&out.results.seats) {
        assert_eq!((&a.code, &a.votes, a.total), (&b.code, &b.votes, b.total));
    }
    // The derived (already repaired) fixtures have nothing to repair.
    let clean = run("derived/london_wards_2022.geojson", "derived/pcon2024_bgc.geojson", &Options::default());
    let r = check(&clean, 0.001);
    assert!(r.layers.iter().all(|l| l.invalid.is_empty()));
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn raw_topojson_boundaries_load_are_repaired_and_reported() {
    use notional::check::check;
    // (file, id, name, collapsed rings the fixtures' notes found)
    for (file, id, name, collapsed) in [
        ("boundaries/pcon2024/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BGC.topojson", "PCON24CD", "PCON24NM", 10),
        ("boundaries/pcon2010set/WPC_Dec_2019_UK_BGC.topojson", "pcon19cd", "pcon19nm", 249),
    ] {
        let options = Options { to_id: id.into(), to_name: name.into(), check_unreached: true, ..Options::default() };
        let out = run("derived/london_wards_2022.geojson", file, &options);
        assert_conserved(&out);
        assert_eq!(out.targets.features.len(), 650, "{file}");
        let collapsed_found = out.targets.warnings.iter().filter(|w| matches!(w, notional::read::ReadWarning::CollapsedRing { .. })).count();
        assert_eq!(collapsed_found, collapsed, "{file}");
        let report = check(&out, 0.001);
        let invalid = &report.layers[1].invalid;
        assert!(invalid.len() > 50, "{file}: {} invalid", invalid.len());
        assert!(invalid.iter().all(|r| r.action == "repaired"), "{file}");
        assert!(report.coverage.unplaced.is_empty(), "{file}");
    }
}

#[test]
#[ignore = "real data: needs ../shared/data"]
fn far_seats_are_left_out_before_projection_with_the_same_extent() {
    use notional::apportion::{parse, prepare};
    use notional::geometry::project::Projector;
    use notional::geometry::reach::unreached;
    // England's wards: the Scottish and most Welsh seats; London's: all but 94.
    for (wards, far_at_least) in [("derived/england_wards_2013.geojson", 90), ("derived/london_wards_2022.geojson", 550)] {
        let (from, to) = (input(wards), input("derived/pcon2024_bgc.geojson"));
        let every = Options { check_unreached: true, ..Options::default() };
        let mut parsed = parse(&from, &to, None, &every).unwrap();
        let all = prepare(&mut parsed.units, &parsed.targets, &every, &Projector::new()).unwrap();
        let mut parsed = parse(&from, &to, None, &Options::default()).unwrap();
        let run = prepare(&mut parsed.units, &parsed.targets, &Options::default(), &Projector::new()).unwrap();
        // The same targets left out as by the boxes of every projected seat,
        // the same extent to the bit, and the others projected alike.
        assert_eq!(run.unchecked_targets, unreached(&all.units.geometries, &all.targets.geometries), "{wards}");
        assert!(run.unchecked_targets.len() >= far_at_least, "{wards}: {}", run.unchecked_targets.len());
        assert_eq!(run.extent, all.extent, "{wards}");
        for (t, (a, b)) in run.targets.geometries.iter().zip(&all.targets.geometries).enumerate() {
            if run.unchecked_targets.binary_search(&t).is_err() {
                assert_eq!(a, b, "{wards}: target {t}");
            }
        }
    }
}

/// The ONS boundaries as Shapefiles (BNG), zipped Shapefiles and
/// GeoPackages (`derived/formats/`) give the same per-seat results as the
/// GeoJSON fixtures, within a vote per seat and party; and `results.gpkg`
/// holds the rows of `results.csv`.
#[test]
#[ignore = "real data: needs ../shared/data"]
fn shapefiles_and_geopackages_match_geojson() {
    use notional::export::{write_outputs, Durability};
    let options = Options { parties: Some(["con", "lab", "ld", "brx", "green", "oth"].map(String::from).to_vec()), ..Options::default() };
    let per_seat = |out: &Outcome| -> BTreeMap<String, Vec<u64>> {
        out.results.seats.iter().map(|s| (s.code.clone(), s.votes.iter().copied().chain(s.electorate).collect())).collect()
    };
    let timed = |from: Input, to: Input| {
        let start = std::time::Instant::now();
        let out = apportion(&from, &to, None, &options, &Silent).expect("apportion");
        (out, start.elapsed())
    };
    let (geojson, t_geojson) = timed(input("derived/london_wards_2022.geojson"), input("derived/pcon2024_bgc.geojson"));
    let want = per_seat(&geojson);
    assert_eq!(want.len(), 92);

    let dir = tempfile::tempdir().unwrap();
    let formats = shared_data().join("derived/formats");
    let part = |stem: &str| -> Vec<std::path::PathBuf> { ["shp", "shx", "dbf", "prj", "cpg"].iter().map(|e| formats.join(format!("{stem}.{e}"))).collect() };
    let (wards_zip, seats_zip) = (dir.path().join("wards.zip"), dir.path().join("seats.zip"));
    crate::formats::zip_of(&wards_zip, "London_Wards_2022", &part("london_wards_2022_bng"));
    crate::formats::zip_of(&seats_zip, "PCON_2024", &part("pcon2024_bgc_bng"));
    let open = |p: &std::path::Path| Input::from_path(p).unwrap();
    let runs = [
        ("shapefile", input("derived/formats/london_wards_2022_bng.shp"), input("derived/formats/pcon2024_bgc_bng.shp")),
        ("zip", open(&wards_zip), open(&seats_zip)),
        ("geopackage", input("derived/formats/london_wards_2022.gpkg").with_layer("wards"), input("derived/formats/pcon2024_bgc_bng.gpkg")),
    ];
    for (what, from, to) in runs {
        let (out, took) = timed(from, to);
        assert_conserved(&out);
        let got = per_seat(&out);
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{what}: the same seats");
        let worst = want.iter().flat_map(|(code, w)| w.iter().zip(&got[code]).map(|(a, b)| a.abs_diff(*b))).max().unwrap();
        eprintln!("{what}: max difference from GeoJSON {worst} vote(s) per seat and party; run {took:.2?} (GeoJSON {t_geojson:.2?})");
        assert!(worst <= 1, "{what}: {worst} votes apart from the GeoJSON run");
        if what == "geopackage" {
            let out_dir = dir.path().join("out");
            write_outputs(&out_dir, &out, &Default::default(), Durability::Atomic, true).unwrap();
            let csv = std::fs::read_to_string(out_dir.join("results.csv")).unwrap();
            let conn = rusqlite::Connection::open(out_dir.join("results.gpkg")).unwrap();
            assert_eq!(crate::formats::rows_of(&conn), crate::formats::csv_rows(&csv));
        }
    }
}
