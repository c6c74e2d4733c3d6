use super::geojson_out::{feature_collection, feature_size, write_feature};
use super::{crosswalk_csv, maps, ledger_csv, results_csv, results_geojson, write_files_removing, Durability, Extra, Written};
use crate::error::Result;
use super::map::MapOptions;
use crate::geometry::project::{layer_to_wgs84, Projector};
use crate::geometry::crs::detect;
use crate::election::ensemble::{Call, Ensemble, LEAN, LIKELY, SAFE};
use crate::recompute::{Recomputed, WardEstimates, MIN_SEAT_COVERAGE};
use geo::MultiPolygon;
use rayon::prelude::*;
use serde_json::{json, Map};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

/// Writes a recompute's outputs into `dir`, all-or-nothing: `results.csv`,
/// `results.geojson` and `crosswalk.csv` as `apportion` writes them (plus
/// predecessor and later-result columns), `composition.csv`, `report.txt`,
/// and for the ward route `wards.csv` and `wards.geojson` (the estimates,
/// ready for `apportion`); with `gpkg`, `results.gpkg` too (the
/// results.csv columns and the new seats: [`super::results_gpkg`]).
pub fn write_recomputed(dir: &Path, rec: &Recomputed, map: &MapOptions, durability: Durability, gpkg: bool) -> Result<Written> {
    let extra = extras(rec);
    let mem = "writing to memory";
    let mut results = Vec::new();
    results_csv(&rec.results, &extra, &mut results).expect(mem);
    let projector = Projector::new();
    let new_wgs84 = layer_to_wgs84(&rec.new_seats, detect(&rec.new_seats)?.crs, &projector)?;
    let mut geojson = Vec::new();
    results_geojson(&rec.results, &new_wgs84, &extra, &mut geojson).expect(mem);
    let unit_ids: Vec<&str> = rec.unit_ids.iter().map(String::as_str).collect();
    let new_ids: Vec<&str> = rec.new_seats.features.iter().map(|f| f.id.as_str()).collect();
    let mut crosswalk = Vec::new();
    crosswalk_csv(&rec.crosswalk, &unit_ids, &new_ids, &mut crosswalk).expect(mem);
    let mut ledger = Vec::new();
    ledger_csv(&rec.votes, &rec.crosswalk, &unit_ids, &mut ledger).expect(mem);
    let mut composition = Vec::new();
    composition_csv(rec, &mut composition).expect(mem);
    let report = seat_report(rec);
    let old: Vec<(String, String, MultiPolygon<f64>)> =
        rec.old.iter().zip(&rec.old_geometries).map(|((c, n), g)| (c.clone(), n.clone(), g.clone())).collect();
    let (geojson, composition) = (super::as_input("results.geojson", geojson), super::as_input("composition.csv", composition));
    let drawn = if map.skip { None } else { Some(maps(&geojson, Some(&composition), old, map)?) };
    let mut files: Vec<(&str, &[u8])> = vec![
        ("results.csv", &results),
        ("results.geojson", geojson.text().as_bytes()),
        ("crosswalk.csv", &crosswalk),
        ("ledger.csv", &ledger),
        ("composition.csv", composition.text().as_bytes()),
        ("report.txt", report.as_bytes()),
    ];
    if let Some((html, svg)) = &drawn {
        files.extend([("map.html", html.as_bytes()), ("map.svg", svg.as_bytes())]);
    }
    let package = if gpkg { super::results_gpkg(&rec.results, &new_wgs84, &extra)? } else { Vec::new() };
    if gpkg {
        files.push(("results.gpkg", &package));
    }
    let mut uncertainty = Vec::new();
    if let Some(e) = &rec.ensemble {
        uncertainty_csv(rec, e, &mut uncertainty).expect(mem);
        files.push(("uncertainty.csv", &uncertainty));
    }
    let (mut wards_csv, mut wards_geojson) = (Vec::new(), Vec::new());
    if !rec.wards.is_empty() {
        estimates_csv(&rec.wards, &mut wards_csv).expect(mem);
        estimates_geojson(&rec.wards, &mut wards_geojson)?;
        files.push(("wards.csv", &wards_csv));
        files.push(("wards.geojson", &wards_geojson));
    }
    // A run without wards must not leave an earlier run's ward estimates beside its results.
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    write_files_removing(dir, &files, &super::stale_outputs(&names), durability)
}

/// Links smaller than this (boundary slivers) are left out of the report's
/// sentences; `composition.csv` has them all.
const REPORT_MIN_SHARE: f64 = 0.0005;

/// What a new seat's estimate rests on, e.g. `estimated 93.2% from local
/// patterns, 6.8% from old seats' shares`, from its measure by source
/// ([`Recomputed::sources`]).
fn rests_on(by_source: &[f64; 3]) -> String {
    let total: f64 = by_source.iter().sum();
    if total <= 0.0 {
        return "nothing to estimate from".to_string();
    }
    let parts: Vec<String> = [(0, "local patterns"), (1, "old seats' shares (no local result)"), (2, "whole old seats (not covered by wards)")]
        .iter()
        .filter(|(i, _)| by_source[*i] / total >= 0.0005)
        .map(|(i, what)| format!("{:.1}% from {what}", by_source[*i] / total * 100.0))
        .collect();
    format!("estimated {}", parts.join(", "))
}

/// `uncertainty.csv`: per new seat, the central notional, each party's 5th,
/// 50th and 95th percentile of votes and share (points) over the draws and
/// its win probability, the leader and the call.
pub fn uncertainty_csv(rec: &Recomputed, e: &Ensemble, out: impl Write) -> io::Result<()> {
    let parties = rec.votes.parties();
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = ["code", "name", "central_winner", "central_majority", "leader", "leader_win_probability", "call"].map(String::from).to_vec();
    for p in parties {
        for h in ["votes_p5", "votes_p50", "votes_p95", "share_p5", "share_p50", "share_p95", "win"] {
            header.push(format!("{p}_{h}"));
        }
    }
    w.write_record(&header)?;
    for s in &rec.results.seats {
        let spread = &e.seats[s.target];
        let mut row = vec![
            s.code.clone(),
            s.name.clone(),
            rec.results.party(s.winner).to_string(),
            s.majority.to_string(),
            parties[spread.leader].clone(),
            format!("{:.3}", spread.wins[spread.leader]),
            spread.call.as_str().to_string(),
        ];
        for p in 0..parties.len() {
            row.extend(spread.votes[p].iter().map(|v| format!("{:.0}", v.max(0.0))));
            row.extend(spread.shares[p].iter().map(|v| format!("{:.2}", v * 100.0)));
            row.push(format!("{:.3}", spread.wins[p]));
        }
        w.write_record(&row)?;
    }
    w.flush()
}

/// The ensemble in words: how many seats get each call, and every seat not
/// called safe with its leading parties' shares of the draws.
fn ensemble_report(rec: &Recomputed, e: &Ensemble) -> String {
    let parties = rec.votes.parties();
    let mut out = String::new();
    let whole: Vec<_> = rec.results.seats.iter().filter(|s| rec.coverage.as_ref().is_none_or(|c| c[s.target] >= MIN_SEAT_COVERAGE)).collect();
    let n = whole.len();
    let count = |c: Call| whole.iter().filter(|s| e.seats[s.target].call == c).count();
    let _ = writeln!(
        out,
        "uncertainty: {} draws (seed {}); pattern weight ± {}, turnout damping {}..{}, local results resampled: {}",
        e.spec.draws, e.spec.seed, e.spec.pattern_weight_spread, e.spec.turnout_damping.0, e.spec.turnout_damping.1, if e.spec.resample { "yes" } else { "no" }
    );
    let _ = writeln!(
        out,
        "calls: safe {}, likely {}, lean {}, tossup {} of {n} seats ({:.1}% lean or tossup); thresholds: the leader wins ≥{:.0}% of draws safe, ≥{:.0}% likely, ≥{:.0}% lean",
        count(Call::Safe),
        count(Call::Likely),
        count(Call::Lean),
        count(Call::Tossup),
        (count(Call::Lean) + count(Call::Tossup)) as f64 / n.max(1) as f64 * 100.0,
        SAFE * 100.0,
        LIKELY * 100.0,
        LEAN * 100.0
    );
    for s in &rec.results.seats {
        let spread = &e.seats[s.target];
        // A partial seat (units cover too little of it) has no notional to be sure of.
        let partial = rec.coverage.as_ref().is_some_and(|c| c[s.target] < MIN_SEAT_COVERAGE);
        if spread.call == Call::Safe || partial {
            continue;
        }
        let mut order: Vec<usize> = (0..parties.len()).filter(|&p| spread.wins[p] > 0.0).collect();
        order.sort_by(|a, b| spread.wins[*b].total_cmp(&spread.wins[*a]).then(a.cmp(b)));
        let parts: Vec<String> = order.iter().map(|&p| format!("{} in {:.0}% of runs", parties[p], spread.wins[p] * 100.0)).collect();
        let _ = writeln!(out, "{}: {}: {}", s.name, parts.join(", "), spread.call.as_str());
    }
    out
}

/// Predecessor and later-result columns, one value per result row.
fn extras(rec: &Recomputed) -> Vec<Extra> {
    let seats = &rec.results.seats;
    let mut out: Vec<Extra> = Vec::new();
    if let Some(cov) = &rec.coverage {
        out.push(("coverage".into(), seats.iter().map(|s| format!("{:.2}", cov[s.target] * 100.0)).collect()));
    }
    if !rec.wards.is_empty() {
        let pct = |i: usize| -> Vec<String> {
            seats
                .iter()
                .map(|s| {
                    let by = &rec.sources[s.target];
                    let total: f64 = by.iter().sum();
                    if total > 0.0 { format!("{:.2}", by[i] / total * 100.0) } else { String::new() }
                })
                .collect()
        };
        out.push(("from_local_pattern".into(), pct(0)));
        out.push(("from_whole_old_seats".into(), pct(2)));
    }
    if let Some(e) = &rec.ensemble {
        let parties = rec.votes.parties();
        out.push(("call".into(), seats.iter().map(|s| e.seats[s.target].call.as_str().to_string()).collect()));
        out.push(("leader".into(), seats.iter().map(|s| parties[e.seats[s.target].leader].clone()).collect()));
        out.push((
            "leader_win_probability".into(),
            seats.iter().map(|s| format!("{:.3}", e.seats[s.target].wins[e.seats[s.target].leader])).collect(),
        ));
    }
    out.extend([
        ("predecessor".into(), seats.iter().map(|s| rec.composition.predecessor(s.target).map_or(String::new(), |l| rec.old[l.old].0.clone())).collect()),
        (
            "predecessor_share".into(),
            seats.iter().map(|s| rec.composition.predecessor(s.target).map_or(String::new(), |l| format!("{:.2}", l.share_of_new * 100.0))).collect(),
        ),
    ]);
    if let Some(later) = &rec.later {
        let col = |f: &dyn Fn(&crate::election::compare::Comparison) -> String| -> Vec<String> {
            later.iter().map(|c| c.as_ref().map_or(String::new(), f)).collect()
        };
        let pts = |x: f64| format!("{x:.2}");
        out.push(("later_winner".into(), col(&|c| c.winner.clone())));
        out.push(("later_result".into(), col(&|c| c.label.clone())));
        out.push(("swing_from".into(), col(&|c| c.swing.as_ref().map_or(String::new(), |s| s.from.clone()))));
        out.push(("swing_to".into(), col(&|c| c.swing.as_ref().map_or(String::new(), |s| s.to.clone()))));
        out.push(("swing".into(), col(&|c| c.swing.as_ref().map_or(String::new(), |s| pts(s.points)))));
        out.push(("swing_con_to_lab".into(), col(&|c| c.con_lab.map_or(String::new(), pts))));
        out.push(("swing_needed".into(), col(&|c| c.needed.as_ref().map_or(String::new(), |s| pts(s.points)))));
    }
    out
}

/// `composition.csv`: one row per old-seat × new-seat overlap, by new seat,
/// largest first: `new_code,new_name,old_code,old_name,<electorate|votes>,share_of_new,share_of_old`
/// (shares in percent).
pub fn composition_csv(rec: &Recomputed, out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let measure = if rec.composition.by_electorate { "electorate" } else { "votes" };
    w.write_record(["new_code", "new_name", "old_code", "old_name", measure, "share_of_new", "share_of_old"])?;
    for l in &rec.composition.links {
        let new = &rec.new_seats.features[l.new];
        w.write_record([
            new.id.as_str(),
            new.name.as_deref().unwrap_or(""),
            &rec.old[l.old].0,
            &rec.old[l.old].1,
            &format!("{:.0}", l.measure),
            &format!("{:.2}", l.share_of_new * 100.0),
            &format!("{:.2}", l.share_of_old * 100.0),
        ])?;
    }
    w.flush()
}

/// `wards.csv`: the ward-part estimates of every set of wards, in order: `code,ward_code,ward_name,old_code,old_name,area_share,prior,<parties>,total,electorate`.
pub fn estimates_csv(sets: &[WardEstimates], out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let Some(first) = sets.first() else { return w.flush() };
    let est = &first.estimates;
    let mut header = vec!["code", "ward_code", "ward_name", "old_code", "old_name", "area_share", "prior"];
    header.extend(est.parties.iter().map(String::as_str));
    header.push("total");
    if est.votes.has_electorate() {
        header.push("electorate");
    }
    w.write_record(&header)?;
    for we in sets {
        let (est, wards) = (&we.estimates, &we.wards);
        let k = est.parties.len();
        for (i, p) in est.parts.iter().enumerate() {
            let ward = &wards.features[p.ward];
            let row = est.votes.row(i);
            let mut r = vec![
                we.ids[i].clone(),
                ward.id.clone(),
                ward.name.clone().unwrap_or_default(),
                we.old[p.seat].0.clone(),
                we.old[p.seat].1.clone(),
                format!("{:.6}", p.share),
                if p.local_prior { "local" } else { "seat" }.to_string(),
            ];
            r.extend(row[..k].iter().map(u64::to_string));
            r.push(row[..k].iter().sum::<u64>().to_string());
            if est.votes.has_electorate() {
                r.push(row[k].to_string());
            }
            w.write_record(&r)?;
        }
    }
    w.flush()
}

/// `wards.geojson`: the ward parts of every set (WGS84) with `code`, `name`, `old_seat`,
/// the party estimates and `electorate`: an input for `notional apportion`.
pub fn estimates_geojson(sets: &[WardEstimates], out: &mut Vec<u8>) -> Result<()> {
    let projector = Projector::new();
    // Every set's parts in one collection: (set, part) by feature.
    let at: Vec<(usize, usize)> = sets.iter().enumerate().flat_map(|(s, we)| (0..we.estimates.parts.len()).map(move |i| (s, i))).collect();
    // A whole ward of a lon/lat layer is written as it was read; only the
    // parts of split wards (cut in BNG) are projected back.
    let in_wgs84: Vec<bool> = sets.iter().map(|we| detect(&we.wards).is_ok_and(|d| d.crs == crate::geometry::crs::Crs::Wgs84)).collect();
    let geometries: Vec<MultiPolygon<f64>> = at
        .par_iter()
        .map(|&(s, i)| {
            let (we, p) = (&sets[s], &sets[s].estimates.parts[i]);
            if in_wgs84[s] && p.share >= 1.0 {
                Ok(we.wards.features[p.ward].geometry.clone())
            } else {
                projector.to_wgs84(&we.estimates.geometries[i])
            }
        })
        .collect::<Result<_>>()?;
    feature_collection(at.len(), out, |f| feature_size(&geometries[f]), |f, buf| {
        let (s, i) = at[f];
        let (we, est) = (&sets[s], &sets[s].estimates);
        let p = &est.parts[i];
        let mut props = Map::new();
        props.insert("code".into(), json!(we.ids[i]));
        props.insert("name".into(), json!(we.wards.features[p.ward].name.clone().unwrap_or_default()));
        props.insert("old_seat".into(), json!(we.old[p.seat].0));
        let row = est.votes.row(i);
        for (party, v) in est.parties.iter().zip(row) {
            props.insert(party.clone(), json!(v));
        }
        if est.votes.has_electorate() {
            props.insert("electorate".into(), json!(row[est.parties.len()]));
        }
        write_feature(buf, &props, &geometries[f]);
    })
    .expect("writing to memory");
    Ok(())
}

/// The seat report in words: per new seat its notional result, what it is
/// made of and, with a later result, hold/gain and swing; per old seat where
/// it went; and how the estimates were reconciled.
pub fn seat_report(rec: &Recomputed) -> String {
    let mut out = String::new();
    let r = &rec.results;
    let measure = if rec.composition.by_electorate { "electorate" } else { "votes" };
    let _ = writeln!(out, "notional results by {} ({} new seats with votes)", rec.route, r.seats.len());
    for n in &rec.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if let Some(a) = &rec.agreement {
        let _ = writeln!(out, "check: {a}");
    }
    out.push('\n');
    for (i, s) in r.seats.iter().enumerate() {
        let _ = write!(
            out,
            "{} ({}): notional {}, majority {} ({:.2}%) over {}",
            s.name,
            s.code,
            r.party(s.winner),
            s.majority,
            s.majority_pct,
            r.party(s.second)
        );
        let parts: Vec<String> = rec
            .composition
            .into_new(s.target)
            .filter(|l| l.share_of_new >= REPORT_MIN_SHARE)
            .map(|l| format!("{:.1}% from {}", l.share_of_new * 100.0, display(&rec.old[l.old])))
            .collect();
        let _ = write!(out, "; {} of its {measure}", parts.join(", "));
        if !rec.wards.is_empty() {
            let _ = write!(out, "; {}", rests_on(&rec.sources[s.target]));
        }
        if let Some(cov) = rec.coverage.as_ref().map(|c| c[s.target]).filter(|&c| c < MIN_SEAT_COVERAGE) {
            let _ = write!(out, "; PARTIAL: the units cover only {:.1}% of this seat, so this is not a notional result for it", cov * 100.0);
        }
        if let Some(Some(c)) = rec.later.as_ref().map(|l| &l[i]) {
            let _ = write!(out, "; later: {}", c.label);
            if let Some(sw) = &c.swing {
                let _ = write!(out, ", swing {:.1} from {} to {}", sw.points, sw.from, sw.to);
            }
            if let Some(n) = &c.needed {
                let _ = write!(out, " (needed {:.1} from {} to {})", n.points, n.from, n.to);
            }
        }
        out.push('\n');
    }
    let unplaced: Vec<String> = rec
        .allocation
        .unplaced(&rec.votes, &rec.crosswalk)
        .into_iter()
        .map(|(u, votes, cause)| format!("{} ({votes} votes: {})", rec.unit_ids[u], cause.as_str()))
        .collect();
    if !unplaced.is_empty() {
        let _ = writeln!(out, "\nunits whose votes could not be placed (see ledger.csv): {}", unplaced.join(", "));
    }
    let _ = writeln!(out, "\nwhere the old seats went (share of each old seat's {measure}):");
    for (o, old) in rec.old.iter().enumerate() {
        let links: Vec<_> = rec.composition.out_of_old(o).into_iter().filter(|l| l.share_of_old >= REPORT_MIN_SHARE).collect();
        if links.is_empty() {
            continue;
        }
        let parts: Vec<String> = links
            .iter()
            .map(|l| {
                let new = &rec.new_seats.features[l.new];
                format!("{:.1}% to {}", l.share_of_old * 100.0, new.name.as_deref().unwrap_or(&new.id))
            })
            .collect();
        let _ = writeln!(out, "{}: {}", display(old), parts.join(", "));
    }
    if let Some(e) = &rec.ensemble {
        out.push('\n');
        out.push_str(&ensemble_report(rec, e));
    }
    for we in &rec.wards {
        out.push('\n');
        out.push_str(&estimate_report(we));
    }
    out
}

/// How the ward estimates were made and reconciled, in words.
pub fn estimate_report(we: &WardEstimates) -> String {
    let est = &we.estimates;
    let mut out = String::new();
    let _ = writeln!(out, "ward estimates: {} parts of {} wards in {} old seats", est.parts.len(), we.wards.features.len(), est.fits.len());
    let worst = est.fits.iter().max_by(|a, b| a.max_row_residual.total_cmp(&b.max_row_residual));
    let iters = est.fits.iter().map(|f| f.iterations).max().unwrap_or(0);
    if let Some(w) = worst {
        let _ = writeln!(
            out,
            "reconciliation: every seat's party totals reproduced exactly; IPF took at most {iters} sweeps; largest ward-total residual {:.2e} (in {})",
            w.max_row_residual,
            display(&we.old[w.seat])
        );
    }
    for n in &est.notes {
        let _ = writeln!(out, "note: {n}");
    }
    for (s, cov) in &est.skipped_seats {
        let _ = writeln!(out, "not estimated: {} ({:.1}% of its area has wards)", display(&we.old[*s]), cov * 100.0);
    }
    for (w, why) in &est.left_out {
        let ward = &we.wards.features[*w];
        let _ = writeln!(out, "left out: ward {} ({}): {why}", ward.id, ward.name.as_deref().unwrap_or(""));
    }
    out
}

fn display(old: &(String, String)) -> String {
    if old.1.is_empty() { old.0.clone() } else { old.1.clone() }
}
