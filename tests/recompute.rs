//! Ward estimates, composition and the three recompute routes on a small
//! hand-made case (BNG metres):
//!
//! old seats: OA = x 0..2000, OB = x 2000..4000 (y 0..1000)
//! wards:     W1 = 0..1000, W2 = 1000..2500 (straddles OA/OB), W3 = 2500..4000
//! new seats: NA = x 0..1500, NB = x 1500..4000

use crate::support::*;
use notional::read::{Input, LocalLayout};
use notional::recompute::{recompute, LocalSpec, Others, Route, Spec, WardSpec, WeightsSpec};
use notional::progress::Silent;
use serde_json::json;

const RESULTS: &str = "Title row of the results file\nONS ID,Constituency name,Electorate,Valid votes,Con,Lab,Green,All other candidates\nOA,Old A,\"2,000\",\"1,300\",600,500,100,100\nOB,Old B,2000,1400,700,600,0,100\n";

fn layer(features: &[(&str, f64, f64)], extra: serde_json::Value) -> String {
    let geoms: Vec<_> = features.iter().map(|&(_, x0, x1)| rect(x0, 0.0, x1, 1000.0)).collect();
    let feats: Vec<_> = features
        .iter()
        .zip(&geoms)
        .map(|(&(id, _, _), g)| {
            let mut p = json!({"code": id, "name": format!("Name {id}")});
            if let Some(e) = extra.get(id) {
                p["electorate"] = e.clone();
            }
            (p, g)
        })
        .collect();
    collection(&feats, Some("EPSG:27700"))
}

fn spec(local: Option<&str>) -> Spec {
    let wards = layer(&[("W1", 0.0, 1000.0), ("W2", 1000.0, 2500.0), ("W3", 2500.0, 4000.0)], json!({"W1": 1000, "W2": 1500, "W3": 1500}));
    Spec {
        new_seats: Input::from_text("new.geojson", layer(&[("NA", 0.0, 1500.0), ("NB", 1500.0, 4000.0)], json!({}))).into(),
        new_id: "code".into(),
        new_name: "name".into(),
        old_id: "code".into(),
        old_name: "name".into(),
        old_results: Input::from_text("results.csv", RESULTS),
        results_id: "ONS ID".into(),
        results_name: "Constituency name".into(),
        parties: None,
        route: Route::Wards {
            old_seats: Input::from_text("old.geojson", layer(&[("OA", 0.0, 2000.0), ("OB", 2000.0, 4000.0)], json!({}))).into(),
            wards: vec![WardSpec {
                wards: vec![Input::from_text("wards.geojson", wards).into()],
                id: "code".into(),
                name: "name".into(),
                council: None,
                electorates: None,
                local: local
                    .map(|l| vec![LocalSpec { input: Input::from_text("local.csv", l), layout: LocalLayout::Header { ward_id: "ward".into() } }])
                    .unwrap_or_default(),
                history: None,
                rule: Default::default(),
                aliases: Default::default(),
                config: Default::default(),
                turnout_from_local: false,
            }],
            others: Others::Leave,
        },
        later: None,
        reference: None,
        ensemble: None,
    }
}

/// Per old seat, the sum of its parts' estimates (parties, then electorate).
fn seat_sums(rec: &notional::recompute::Recomputed) -> Vec<Vec<u64>> {
    let we = rec.wards.first().unwrap();
    let mut sums = vec![vec![0u64; we.estimates.votes.width()]; 2];
    for (i, p) in we.estimates.parts.iter().enumerate() {
        for (s, v) in sums[p.seat].iter_mut().zip(we.estimates.votes.row(i)) {
            *s += v;
        }
    }
    sums
}

#[test]
fn estimates_reproduce_every_old_seat_exactly() {
    let rec = recompute(&spec(None), &Silent).unwrap();
    let we = rec.wards.first().unwrap();
    assert_eq!(we.estimates.parties, ["Con", "Lab", "Green", "All other candidates"]);
    assert_eq!(seat_sums(&rec), vec![vec![600, 500, 100, 100, 2000], vec![700, 600, 0, 100, 2000]]);
    // W2 is split: a part in each old seat, ids say so.
    assert_eq!(we.ids, ["W1", "W2/OA", "W2/OB", "W3"]);
    assert!(we.estimates.fits.iter().all(|f| f.max_row_residual < 1e-9));
    // Without local results every part has its seat's shares.
    assert!(we.estimates.parts.iter().all(|p| !p.local_prior));
    // Votes are conserved onto the new seats.
    let n = 4;
    let allocated: u64 = rec.allocation.allocated_totals()[..n].iter().sum();
    assert_eq!(allocated, 2700);
}

#[test]
fn local_pattern_moves_votes_between_wards_but_not_seat_totals() {
    // Labour strong locally in W1, Conservatives in the W2 part of OA; an
    // unknown local party goes to "All other candidates"; Green stood in no
    // ward locally, so it keeps the seat's general-election share everywhere.
    let local = "ward,surname,party,votes\nW1,a,Labour Party Candiate,900\nW1,b,Local Conservatives,100\nW2,c,Conservative Party,800\nW2,d,Labour,200\nW2,e,Aspire,50\nW3,f,Labour,500\nW3,g,Conservatives,500\n";
    let rec = recompute(&spec(Some(local)), &Silent).unwrap();
    assert_eq!(seat_sums(&rec), vec![vec![600, 500, 100, 100, 2000], vec![700, 600, 0, 100, 2000]]);
    let we = rec.wards.first().unwrap();
    let row = |i: usize| we.estimates.votes.row(i).to_vec();
    let (w1, w2a) = (row(0), row(1));
    assert!(w1[1] > w1[0], "W1 leans Labour: {w1:?}");
    assert!(w2a[0] > w2a[1], "W2 leans Conservative: {w2a:?}");
    assert!(w1[2] > 0 && w2a[2] > 0, "Green keeps a share where it did not stand locally");
    assert!(we.estimates.parts.iter().all(|p| p.local_prior));
    // The notional result on NA (W1 + part of W2) differs from the naive one.
    let naive = recompute(&spec(None), &Silent).unwrap();
    assert_ne!(rec.results.seat("NA").unwrap().votes, naive.results.seat("NA").unwrap().votes);
}

#[test]
fn composition_says_where_new_seats_come_from() {
    let rec = recompute(&spec(None), &Silent).unwrap();
    let na = rec.new_seats.features.iter().position(|f| f.id == "NA").unwrap();
    let links: Vec<_> = rec.composition.into_new(na).collect();
    assert_eq!(links.len(), 1, "NA lies wholly in old seat A");
    assert_eq!(rec.old[links[0].old].0, "OA");
    assert!((links[0].share_of_new - 1.0).abs() < 1e-12);
    let nb = rec.new_seats.features.iter().position(|f| f.id == "NB").unwrap();
    let sum: f64 = rec.composition.into_new(nb).map(|l| l.share_of_new).sum();
    assert!((sum - 1.0).abs() < 1e-9);
    assert_eq!(rec.old[rec.composition.predecessor(nb).unwrap().old].0, "OB");
    let report = notional::export::seat_report(&rec);
    assert!(report.contains("Name NB (NB): notional"), "{report}");
    assert!(report.contains("from Old B") || report.contains("from Name OB"), "{report}");
}

#[test]
fn old_seats_as_units_and_weights_table_routes() {
    let mut s = spec(None);
    let Route::Wards { old_seats, .. } = s.route.clone() else { panic!("the spec takes the ward route") };
    s.route = Route::OldSeats { old_seats };
    let by_area = recompute(&s, &Silent).unwrap();
    assert_eq!(by_area.route, "old seats by area");
    assert_eq!(by_area.results.seat("NA").unwrap().total, 975); // 1300 × 0.75
    // A weights table with its own seat codes, a lookup, and a fallback column.
    let weights = WeightsSpec {
        input: Input::from_text("w.csv", "from,to,pop,area\nOA,x-na,3,1\nOA,x-nb,1,1\nOB,x-nb,0,5\n"),
        from: "from".into(),
        to: "to".into(),
        weight: "pop".into(),
        fallback: Some("area".into()),
        lookup: Some((Input::from_text("lookup.csv", "short,code\nx-na,NA\nx-nb,NB\n"), "short".into(), "code".into())),
    };
    s.route = Route::Weights(weights.clone());
    let by_pop = recompute(&s, &Silent).unwrap();
    assert_eq!(by_pop.results.seat("NA").unwrap().total, 975); // 1300 × 3/4
    assert_eq!(by_pop.results.seat("NB").unwrap().total, 325 + 1400); // OB falls back to area: all to NB
    let bad = WeightsSpec { input: Input::from_text("w.csv", "from,to,pop,area\nOZ,x-na,1,1\n"), ..weights };
    s.route = Route::Weights(bad);
    let err = recompute(&s, &Silent).err().expect("unknown old seat");
    assert_eq!(err.to_string(), "w.csv: line 2, field `from`: `OZ` is not in results.csv");
}

#[test]
fn later_results_label_holds_and_gains() {
    let mut s = spec(None);
    s.later = Some((Input::from_text("later.csv", "ONS ID,Con,Lab,Green\nNA,100,300,10\nNB,500,100,10\n"), "ONS ID".into()));
    let rec = recompute(&s, &Silent).unwrap();
    let later = rec.later.as_ref().unwrap();
    let na = rec.results.seats.iter().position(|r| r.code == "NA").unwrap();
    let nb = rec.results.seats.iter().position(|r| r.code == "NB").unwrap();
    assert_eq!(later[na].as_ref().unwrap().label, "Lab gain from Con");
    assert_eq!(later[nb].as_ref().unwrap().label, "Con hold");
}

#[test]
fn local_rows_without_a_ward_id_are_counted_in_the_notes() {
    // A mayoral row with no ward code (as LEAP files have) is not used, and said.
    let local = "ward,surname,party,votes\nW1,a,Labour,900\n,m,Conservative,5000\nW2,c,Conservative,800\nW3,f,Labour,500\n";
    let rec = recompute(&spec(Some(local)), &Silent).unwrap();
    let notes = &rec.wards.first().unwrap().estimates.notes;
    assert!(notes.iter().any(|n| n == "local.csv: 1 row(s) with no ward id (blank or NULL) not used (lines 3)"), "{notes:?}");
}

/// A second set of wards covering only OA, given first: it estimates OA; the
/// first spec's wards estimate OB alone.
fn two_sets() -> Spec {
    let mut s = spec(None);
    let Route::Wards { old_seats, wards, .. } = s.route.clone() else { panic!("ward route") };
    let london = layer(&[("L1", 0.0, 1000.0), ("L2", 1000.0, 2000.0)], json!({"L1": 500, "L2": 1500}));
    let first = WardSpec { wards: vec![Input::from_text("better.geojson", london).into()], ..wards[0].clone() };
    s.route = Route::Wards { old_seats, wards: vec![first, wards[0].clone()], others: Others::Leave };
    s
}

#[test]
fn ward_sets_in_order_of_precedence_each_estimate_their_own_seats() {
    let rec = recompute(&two_sets(), &Silent).unwrap();
    assert_eq!(rec.wards.len(), 2);
    let seats_of = |i: usize| -> Vec<&str> { rec.wards[i].estimates.fits.iter().map(|f| rec.old[f.seat].0.as_str()).collect() };
    assert_eq!(seats_of(0), ["OA"], "the first set claims the seat it covers");
    assert_eq!(seats_of(1), ["OB"], "the second estimates only what is left");
    assert_eq!(rec.unit_ids, ["L1", "L2", "W2/OB", "W3"]);
    // Each old seat reproduced, and every vote placed once.
    assert_eq!(rec.allocation.allocated_totals()[..4].iter().sum::<u64>(), 2700);
    let notes = &rec.wards[1].estimates.notes;
    assert!(notes.iter().any(|n| n.contains("1 old seat(s) estimated from other wards first; this layer's 2 ward part(s) in them not used")), "{notes:?}");
    // wards.csv holds both sets' parts, in order.
    let mut csv = Vec::new();
    notional::export::estimates_csv(&rec.wards, &mut csv).unwrap();
    let codes: Vec<String> = String::from_utf8(csv).unwrap().lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect();
    assert_eq!(codes, ["L1", "L2", "W2/OB", "W3"]);
}

#[test]
fn old_seats_no_ward_covers_are_left_out_or_carried_whole() {
    // Wards only in OA: OB is not estimated.
    let mut s = spec(None);
    let Route::Wards { old_seats, wards, .. } = s.route.clone() else { panic!("ward route") };
    let only_a = layer(&[("W1", 0.0, 1000.0), ("W2", 1000.0, 2000.0)], json!({"W1": 1000, "W2": 1000}));
    let ws = WardSpec { wards: vec![Input::from_text("a.geojson", only_a).into()], ..wards[0].clone() };
    s.route = Route::Wards { old_seats: old_seats.clone(), wards: vec![ws.clone()], others: Others::Leave };
    let left = recompute(&s, &Silent).unwrap();
    assert_eq!(left.votes.totals()[..4].iter().sum::<u64>(), 1300, "OB's 1,400 votes are not part of the run");
    assert!(left.notes.iter().any(|n| n.starts_with("1 old seat(s) with results no ward covers are not part of this run: OB")), "{:?}", left.notes);

    s.route = Route::Wards { old_seats, wards: vec![ws], others: Others::Whole };
    let whole = recompute(&s, &Silent).unwrap();
    assert_eq!(whole.unit_ids.last().unwrap(), "OB");
    assert_eq!(whole.allocation.allocated_totals()[..4].iter().sum::<u64>(), 2700, "every vote placed");
    let nb = whole.new_seats.features.iter().position(|f| f.id == "NB").unwrap();
    let by = whole.sources[nb];
    assert!(by[2] > 0.0 && by[0] == 0.0, "NB rests on OB carried whole and on OA's seat shares: {by:?}");
    let report = notional::export::seat_report(&whole);
    assert!(report.contains("% from whole old seats (not covered by wards)"), "{report}");
}

#[test]
fn headerless_local_results_by_position_and_the_most_recent_contested_year() {
    let mut s = spec(None);
    let Route::Wards { old_seats, wards, .. } = s.route.clone() else { panic!("ward route") };
    let leap = LocalLayout::preset("leap").unwrap();
    // 2018: W1 leans Labour; 2019: W1 uncontested (0 votes), W3 contested.
    let y2018 = "\"C1\",\"X\",\"Name W1\",\"W1\",\"a\",\"Lab\",\"900\",\"1\"\n\"C1\",\"X\",\"Name W1\",\"W1\",\"b\",\"C\",\"100\",\"0\"\n";
    let y2019 = "\"C1\",\"X\",\"Name W1\",\"W1\",\"a\",\"Lab\",\"0\",\"1\"\n\"C1\",\"X\",\"Name W3\",\"W3\",\"c\",\"C\",\"600\",\"1\"\n\"C1\",\"X\",\"Name W3\",\"W3\",\"d\",\"Lab\",\"400\",\"0\"\n\"C1\",\"X\",\"Elected Mayor\",NULL,NULL,NULL,NULL,NULL\n";
    let local = vec![
        LocalSpec { input: Input::from_text("leap-2018.csv", y2018), layout: leap.clone() },
        LocalSpec { input: Input::from_text("leap-2019.csv", y2019), layout: leap },
    ];
    s.route = Route::Wards { old_seats, wards: vec![WardSpec { local, ..wards[0].clone() }], others: Others::Leave };
    let rec = recompute(&s, &Silent).unwrap();
    let we = &rec.wards[0];
    let prior: Vec<bool> = we.estimates.parts.iter().map(|p| p.local_prior).collect();
    assert_eq!(prior, [true, false, false, true], "W1 from 2018 (2019 uncontested), W2 none, W3 from 2019");
    let w1 = we.estimates.votes.row(0);
    assert!(w1[1] > w1[0], "W1 keeps its 2018 Labour lean: {w1:?}");
    let notes = we.estimates.notes.join("\n");
    assert!(notes.contains("leap-2019.csv: 1 row(s) with no ward id (blank or NULL) not used (lines 4)"), "{notes}");
    assert!(notes.contains("leap-2019.csv: pattern of 1 ward(s); results matched to wards: 2 by code; 1 uncontested (not a pattern)"), "{notes}");
    assert!(notes.contains("1 of 3 wards have no contested local result"), "{notes}");
}

#[test]
fn refits_reproduce_every_old_seat_and_an_ensemble_is_the_same_for_the_same_seed() {
    use notional::election::ensemble::EnsembleSpec;
    use notional::election::estimate::{Config, Draw};
    let local = "ward,surname,party,votes\nW1,a,Labour,900\nW1,b,Conservative,100\nW2,c,Conservative,800\nW2,d,Labour,200\nW3,f,Labour,500\nW3,g,Conservative,500\n";
    let mut s = spec(Some(local));
    let rec = recompute(&s, &Silent).unwrap();
    let est = &rec.wards[0].estimates;
    // A refit with other constants and resampled patterns still adds up to each old seat.
    let rows = est.refit(&Config { pattern_weight: 0.5, turnout_damping: 0.2, ..Config::default() }, Some(&mut Draw::new(3, 0)));
    let mut sums = vec![vec![0.0; est.parties.len()]; 2];
    for (p, row) in est.parts.iter().zip(&rows) {
        sums[p.seat].iter_mut().zip(row).for_each(|(s, v)| *s += v);
    }
    for (got, want) in sums.iter().zip([[600.0, 500.0, 100.0, 100.0], [700.0, 600.0, 0.0, 100.0]]) {
        got.iter().zip(want).for_each(|(g, w)| assert!((g - w).abs() < 1e-6, "{got:?} vs {want:?}"));
    }
    assert_ne!(rows[0], est.refit(&Config::default(), None)[0], "a draw moves votes between wards");

    s.ensemble = Some(EnsembleSpec { draws: 40, seed: 9, ..EnsembleSpec::default() });
    let (a, b) = (recompute(&s, &Silent).unwrap(), recompute(&s, &Silent).unwrap());
    let (ea, eb) = (a.ensemble.unwrap(), b.ensemble.unwrap());
    assert_eq!(ea.seats, eb.seats, "same seed, same spread");
    for seat in &ea.seats {
        assert!((seat.wins.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        for q in seat.shares.iter().chain(&seat.votes) {
            assert!(q[0] <= q[1] + 1e-9 && q[1] <= q[2] + 1e-9, "{q:?}");
        }
    }
    s.ensemble = Some(EnsembleSpec { draws: 40, seed: 10, ..EnsembleSpec::default() });
    assert_ne!(recompute(&s, &Silent).unwrap().ensemble.unwrap().seats, ea.seats, "another seed, other draws");
    // The ensemble varies the ward method: other routes refuse it.
    let Route::Wards { old_seats, .. } = s.route.clone() else { panic!("ward route") };
    s.route = Route::OldSeats { old_seats };
    assert!(recompute(&s, &Silent).is_err());
}

#[test]
fn layers_held_in_memory_give_the_same_notional_as_files() {
    use notional::read::{Layer, LayerSource};
    let local = "ward,surname,party,votes\nW1,a,Labour,900\nW1,b,Conservative,100\nW2,c,Conservative,800\nW2,d,Labour,200\n";
    let from_files = spec(Some(local));
    // Each layer built in memory from ids, names and geo geometries (as a
    // binding would from a GeoDataFrame; the wards' electorates here are
    // proportional to their areas, which stand in without the property),
    // not from GeoJSON text.
    let held = |source: &LayerSource| -> LayerSource {
        let l = source.read("code", Some("name")).unwrap();
        let ids = l.features.iter().map(|f| f.id.clone()).collect();
        let names = Some(l.features.iter().map(|f| f.name.clone().unwrap_or_default()).collect());
        let geoms = l.features.iter().map(|f| f.geometry.clone()).collect();
        Layer::from_parts(format!("{} (in memory)", l.source_name), ids, names, geoms, Some("EPSG:27700")).unwrap().into()
    };
    let mut in_memory = from_files.clone();
    in_memory.new_seats = held(&from_files.new_seats);
    let Route::Wards { old_seats, mut wards, others } = from_files.route.clone() else { panic!("ward route") };
    wards[0].wards = wards[0].wards.iter().map(held).collect();
    in_memory.route = Route::Wards { old_seats: held(&old_seats), wards, others };
    let (a, b) = (recompute(&from_files, &Silent).unwrap(), recompute(&in_memory, &Silent).unwrap());
    assert_eq!(a.results.seats.iter().map(|s| s.votes.clone()).collect::<Vec<_>>(), b.results.seats.iter().map(|s| s.votes.clone()).collect::<Vec<_>>());
    assert_eq!(a.unit_ids, b.unit_ids);
}
