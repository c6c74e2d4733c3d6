//! Notional results for new seats from public inputs, by one of three routes:
//!
//! - **wards**: ward estimates reconciled to the old seats' results
//!   ([`crate::election::estimate`]), re-aggregated onto the new seats by area;
//! - **old seats**: the old seats themselves as units, carrying their actual
//!   results, apportioned onto the new seats by area;
//! - **weights**: a user-supplied table of old-seat → new-seat weights (such as
//!   population overlaps) instead of geometry.
//!
//! Every route also gives the composition of each new seat, and, with a later
//! result, hold/gain labels and swing ([`crate::election::compare`]); the
//! ward route, with an ensemble, each seat's spread
//! ([`crate::election::ensemble`]). How a set of wards is read and estimated
//! is in `wards` (re-exported here).

use crate::aggregate::{allocate, Allocation};
use crate::election::compare::{compare_with_other_winner, Comparison};
use crate::election::composition::Composition;
use crate::crosswalk::{Crosswalk, Method, UnitWeights, Unplaced};
use crate::error::{Error, Result};
use crate::election::estimate::Estimates;
use crate::geometry::index::TargetIndex;
use crate::progress::Progress;
use crate::geometry::project::{Plane, Projector};
use crate::geometry::prepare::Prepared;
use crate::election::ensemble::{Ensemble, EnsembleSpec};
use crate::election::reference::{Agreement, ReferenceSpec};
use crate::read::{parse_count, read_columns, Input, KeyedTable, Layer, LayerSource, VoteTable};
use crate::results::Results;
use std::collections::HashMap;

mod wards;

pub use crate::progress::StageTimes;
pub use wards::{estimate_sets, HistorySpec, LocalSpec, OldSeats, PreparedWards, WardEstimates, WardSpec};
use wards::old_names;

/// A table of old-seat → new-seat weights (CSV).
#[derive(Debug, Clone)]
pub struct WeightsSpec {
    /// The table.
    pub input: Input,
    /// Column of old-seat ids.
    pub from: String,
    /// Column of new-seat ids.
    pub to: String,
    /// Column of weights (any scale; normalised per old seat).
    pub weight: String,
    /// Column used for an old seat whose weights are all zero.
    pub fallback: Option<String>,
    /// Optional lookup from the table's new-seat ids to the new-seat file's ids:
    /// `(table, from column, to column)`.
    pub lookup: Option<(Input, String, String)>,
}

/// What becomes of old seats that wards cover too little to estimate (such
/// as Northern Ireland's, in a run on Great Britain's wards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Others {
    /// They are left out of the run (reported); `leave` in a recipe.
    #[default]
    Leave,
    /// They are carried whole, with their actual result, onto the new seats
    /// by area (the old-seat route for them); `old-seats` in a recipe.
    #[serde(rename = "old-seats")]
    Whole,
}

/// The three routes from old seats to new ones.
#[derive(Debug, Clone)]
pub enum Route {
    /// Ward estimates reconciled to the old seats' results, apportioned by area.
    Wards {
        /// Old seat polygons.
        old_seats: LayerSource,
        /// The wards and their patterns: one set, or several in order of
        /// precedence (a region with better data first): each old seat is
        /// estimated from the first set whose wards cover it.
        wards: Vec<WardSpec>,
        /// Old seats no set covers.
        others: Others,
    },
    /// The old seats themselves, carrying their results, apportioned by area.
    OldSeats {
        /// Old seat polygons.
        old_seats: LayerSource,
    },
    /// A table of old-seat → new-seat weights instead of geometry.
    Weights(WeightsSpec),
}

/// What to recompute.
#[derive(Debug, Clone)]
pub struct Spec {
    /// New seat polygons (a file, or a layer held in memory).
    pub new_seats: LayerSource,
    /// New seat id / name properties.
    pub new_id: String,
    /// New seat name property.
    pub new_name: String,
    /// Old seat id property.
    pub old_id: String,
    /// Old seat name property.
    pub old_name: String,
    /// Old results (CSV keyed by old seat id).
    pub old_results: Input,
    /// Id column of the old results.
    pub results_id: String,
    /// Name column of the old results (used when there are no old polygons).
    pub results_name: String,
    /// Party columns (default: every numeric column).
    pub parties: Option<Vec<String>>,
    /// How the old seats' votes reach the new seats.
    pub route: Route,
    /// A later result to compare with, and its id column.
    pub later: Option<(Input, String)>,
    /// A reference table of ward → new seat weights to check the ward
    /// route's geometry against.
    pub reference: Option<ReferenceSpec>,
    /// An ensemble of draws for each seat's uncertainty (ward route).
    pub ensemble: Option<EnsembleSpec>,
}

/// Old seat names from the results file's name column, by id.
pub fn result_names(spec_results: &Input, id: &str, name: &str) -> HashMap<String, String> {
    read_columns(spec_results, &[id, name])
        .map(|rows| rows.into_iter().map(|(_, r)| (r[0].clone(), r[1].clone())).collect())
        .unwrap_or_default()
}

/// Everything a recompute produced.
pub struct Recomputed {
    /// Which route was taken, in words.
    pub route: &'static str,
    /// Ward estimates, a set per ward layer in order of precedence (ward route only).
    pub wards: Vec<WardEstimates>,
    /// Old seat ids and names.
    pub old: Vec<(String, String)>,
    /// The new seats.
    pub new_seats: Layer,
    /// Unit ids (ward parts or old seats).
    pub unit_ids: Vec<String>,
    /// Votes per unit.
    pub votes: VoteTable,
    /// Units → new seats.
    pub crosswalk: Crosswalk,
    /// Counts per new seat.
    pub allocation: Allocation,
    /// New seat results.
    pub results: Results,
    /// Old → new composition.
    pub composition: Composition,
    /// Per new seat (by index), its electorate (or, without one, its votes)
    /// by what it rests on: local patterns, old seats' shares, whole old seats.
    pub sources: Vec<[f64; 3]>,
    /// Comparison with the later result, by result row.
    pub later: Option<Vec<Option<Comparison>>>,
    /// The wards' split over the new seats against the reference table.
    pub agreement: Option<Agreement>,
    /// Each new seat's spread over the ensemble's draws.
    pub ensemble: Option<Ensemble>,
    /// Per new seat (by index), the share of its area the units cover
    /// (geometry routes only).
    pub coverage: Option<Vec<f64>>,
    /// The old seats' geometries (BNG), by index into `old`; empty for the
    /// weights route.
    pub old_geometries: Vec<geo::MultiPolygon<f64>>,
    /// Geometry repairs of the seat layers, and what became of old seats, in words.
    pub notes: Vec<String>,
    /// How long each stage took (the ward sets' own stages are in [`WardEstimates::times`]).
    pub times: StageTimes,
}

/// Another estimate of the old seats one ward set claimed, from a later set's
/// wards, with its own crosswalk: a choice an ensemble draws.
pub struct Alternative {
    /// The set (index) whose seats these are.
    pub set: usize,
    /// The estimates.
    pub wards: WardEstimates,
    /// Their parts → new seats.
    pub crosswalk: Crosswalk,
}

/// What a unit's votes rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A ward part whose split of its old seat's votes follows local-election results.
    Pattern,
    /// A ward part with no local result: its old seat's own shares.
    SeatShares,
    /// A whole old seat (old-seat or weights route, or an old seat the wards do not cover).
    OldSeat,
}

impl Source {
    /// In words, for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Pattern => "local pattern",
            Source::SeatShares => "old seat's shares",
            Source::OldSeat => "whole old seat",
        }
    }
}

/// New seats less covered than this by the units are partial: their totals
/// are reported (no vote is hidden) but not compared with a later result.
pub const MIN_SEAT_COVERAGE: f64 = 0.5;

/// Per target, the share of its area covered by the units.
fn seat_coverage(units: &[geo::MultiPolygon<f64>], crosswalk: &Crosswalk, index: &TargetIndex) -> Vec<f64> {
    use geo::Area;
    let mut covered = vec![0.0; index.len()];
    for (u, row) in crosswalk.units.iter().enumerate() {
        let inside = units[u].unsigned_area() * row.covered;
        for &(t, w) in &row.weights {
            covered[t] += inside * w;
        }
    }
    covered.iter().zip(index.targets()).map(|(c, t)| if t.area > 0.0 { (c / t.area).min(1.0) } else { 0.0 }).collect()
}

/// What a route gives the stages after it: the units (ward parts or old
/// seats), their votes and their weights over the new seats.
struct Units {
    /// The route, in words.
    route: &'static str,
    /// Other estimates of some sets' seats, for an ensemble to draw.
    alternatives: Vec<Alternative>,
    /// Ward estimates, a set per ward layer (ward route only).
    wards: Vec<WardEstimates>,
    /// Old seat ids and names.
    old: Vec<(String, String)>,
    /// Unit ids.
    ids: Vec<String>,
    /// Each unit's old seat (by index into `old`).
    old_of: Vec<usize>,
    /// What each unit's votes rest on.
    source: Vec<Source>,
    /// Votes per unit.
    votes: VoteTable,
    /// Units → new seats.
    crosswalk: Crosswalk,
    /// Per new seat, the share of its area the units cover (polygon routes).
    coverage: Option<Vec<f64>>,
    /// The old seats' geometries (BNG), by index into `old` (polygon routes).
    old_geometries: Vec<geo::MultiPolygon<f64>>,
}

/// Runs the recompute.
pub fn recompute(spec: &Spec, progress: &dyn Progress) -> Result<Recomputed> {
    let (mut times, mut since) = (StageTimes::default(), std::time::Instant::now());
    let projector = Projector::new();
    let new_seats = spec.new_seats.read(&spec.new_id, Some(&spec.new_name))?;
    // The routes measure in British National Grid (their inputs are Britain's
    // elections); elsewhere they would measure wrongly, so they refuse.
    if let Plane::Laea { lon, lat } = Projector::suited(crate::geometry::crs::detect(&new_seats)?.lonlat_extent()).plane() {
        return Err(Error::Mismatch(format!(
            "{}: the new seats lie outside Great Britain and Ireland (centred on {lon:.2}, {lat:.2}); recompute works in British National Grid: use apportion, which measures elsewhere in an equal-area plane",
            new_seats.source_name
        )));
    }
    let results = KeyedTable::read(&spec.old_results, &spec.results_id, spec.parties.as_deref())?;
    let result_names = result_names(&spec.old_results, &spec.results_id, &spec.results_name);

    times.lap("new seats and results read", &mut since);
    let mut notes: Vec<String> = Vec::new();
    let mut crosswalk_time = std::time::Duration::ZERO;
    // The two routes through polygons: the old seats' own, or their wards'.
    let mut by_polygons = |old_input: &LayerSource, ward_sets: &[WardSpec], others: Others| -> Result<Units> {
        let new_prepared = Prepared::new(&new_seats, None, &projector)?;
        notes.extend(new_prepared.describe(&new_seats));
        let index = TargetIndex::new(new_prepared.geometries);
        if ward_sets.is_empty() {
            let old_layer = old_input.read(&spec.old_id, Some(&spec.old_name))?;
            let old = old_names(&old_layer, &result_names);
            let old_prepared = Prepared::new(&old_layer, None, &projector)?;
            notes.extend(old_prepared.describe(&old_layer));
            let ids: Vec<&str> = old_layer.features.iter().map(|f| f.id.as_str()).collect();
            let votes = results.join(&ids, &old_layer.source_name)?;
            let (crosswalk, _) = Crosswalk::of_prepared(&old_prepared, &index, Method::Area, progress);
            let coverage = seat_coverage(&old_prepared.geometries, &crosswalk, &index);
            let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            let old_of = (0..old.len()).collect();
            let source = vec![Source::OldSeat; ids.len()];
            let old_geometries = old_prepared.geometries;
            return Ok(Units {
                route: "old seats by area",
                wards: Vec::new(),
                alternatives: Vec::new(),
                old,
                ids,
                old_of,
                source,
                votes,
                crosswalk,
                coverage: Some(coverage),
                old_geometries,
            });
        }
        // Each set of wards estimates the old seats it covers that no earlier set has.
        let mut old_seats = OldSeats::read(old_input, &spec.old_id, &spec.old_name, &result_names)?;
        let (mut sets, prepared) = estimate_sets(ward_sets, &old_seats, &results, progress)?;
        let old = sets[0].old.clone();
        let mut parts: Vec<geo::MultiPolygon<f64>> = Vec::new();
        let (mut old_of, mut source, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        let mut votes: Option<VoteTable> = None;
        for we in &mut sets {
            parts.append(&mut we.estimates.geometries);
            old_of.extend(we.estimates.parts.iter().map(|p| p.seat));
            source.extend(we.estimates.parts.iter().map(|p| if p.local_prior { Source::Pattern } else { Source::SeatShares }));
            ids.extend(we.ids.iter().cloned());
            votes = Some(match votes {
                None => we.estimates.votes.clone(),
                Some(v) => v.append(&we.estimates.votes)?,
            });
        }
        let mut votes = votes.expect("at least one set");
        // The last set has seen every claim: its whole seats are those no set estimated.
        let last = sets.len() - 1;
        let whole = std::mem::take(&mut sets[last].estimates.whole_seats);
        if !whole.is_empty() {
            let seat_ids: Vec<&str> = whole.iter().map(|(s, _)| old[*s].0.as_str()).collect();
            let listed = format!("{}{}", seat_ids.iter().take(8).copied().collect::<Vec<_>>().join(", "), if whole.len() > 8 { ", …" } else { "" });
            match others {
                Others::Leave => notes.push(format!("{} old seat(s) with results no ward covers are not part of this run: {listed}", whole.len())),
                Others::Whole => {
                    votes = votes.append(&results.rows_for(&seat_ids, "old seats not estimated")?)?;
                    notes.push(format!("{} old seat(s) no ward covers carried whole by area, with their actual result: {listed}", whole.len()));
                    for (s, g) in whole {
                        ids.push(old[s].0.clone());
                        old_of.push(s);
                        source.push(Source::OldSeat);
                        parts.push(g);
                    }
                }
            }
        }
        let crosswalk_start = std::time::Instant::now();
        let crosswalk = Crosswalk::build(&parts, &index, Method::Area, progress);
        let coverage = seat_coverage(&parts, &crosswalk, &index);
        crosswalk_time = crosswalk_start.elapsed();
        // Each set's part geometries go back to it (for wards.geojson); whole seats are not estimates.
        let mut rest = parts.into_iter();
        for we in &mut sets {
            we.estimates.geometries = rest.by_ref().take(we.estimates.parts.len()).collect();
        }
        // For an ensemble: the old seats a set claimed, estimated instead from
        // the next set that covers them (London from Great Britain's wards
        // and older results, say): one more defensible choice to draw.
        let mut alternatives = Vec::new();
        if spec.ensemble.is_some() {
            for (i, we) in sets.iter().enumerate() {
                let mut others = vec![true; old.len()];
                for f in &we.estimates.fits {
                    others[f.seat] = false;
                }
                for (ws, pw) in ward_sets[i + 1..].iter().zip(&prepared[i + 1..]) {
                    let mut alt = pw.estimate(&old_seats, &results, &ws.config, Some(&others), progress)?;
                    if alt.estimates.fits.is_empty() {
                        continue;
                    }
                    let cw = Crosswalk::build(&std::mem::take(&mut alt.estimates.geometries), &index, Method::Area, progress);
                    alternatives.push(Alternative { set: i, wards: alt, crosswalk: cw });
                    break;
                }
            }
        }
        let old_geometries = std::mem::take(&mut old_seats.bng);
        Ok(Units { route: "ward estimates", wards: sets, alternatives, old, ids, old_of, source, votes, crosswalk, coverage: Some(coverage), old_geometries })
    };
    let Units { route, wards, alternatives, old, ids: unit_ids, old_of: unit_old, source, votes, crosswalk, coverage, old_geometries } = match &spec.route {
        Route::Weights(w) => {
            let old: Vec<(String, String)> =
                results.ids.iter().map(|id| (id.clone(), result_names.get(id).cloned().unwrap_or_default())).collect();
            let crosswalk = weights_crosswalk(w, &results, &new_seats)?;
            let ids = results.ids.clone();
            let old_of = (0..ids.len()).collect();
            let source = vec![Source::OldSeat; ids.len()];
            Units { route: "weights table", wards: Vec::new(), alternatives: Vec::new(), old, ids, old_of, source, votes: results.table.clone(), crosswalk, coverage: None, old_geometries: Vec::new() }
        }
        Route::Wards { old_seats, wards, others } => by_polygons(old_seats, wards, *others)?,
        Route::OldSeats { old_seats } => by_polygons(old_seats, &[], Others::Leave)?,
    };

    if votes.is_empty() {
        return Err(Error::Mismatch(format!(
            "{}: no unit carries a vote: no old seat is covered enough by the wards to estimate, and none is carried whole; are the wards and old seats of the same place?",
            spec.old_results.name()
        )));
    }
    times.lap("route (ward sets or old seats, crosswalk)", &mut since);
    if !crosswalk_time.is_zero() {
        times.0.push(("of which ward parts to new seats".into(), crosswalk_time));
    }
    let allocation = allocate(&votes, &crosswalk, new_seats.features.len());
    let ids: Vec<&str> = new_seats.features.iter().map(|f| f.id.as_str()).collect();
    let names: Vec<&str> = new_seats.features.iter().map(|f| f.name.as_deref().unwrap_or("")).collect();
    let results_new = Results::new(votes.parties(), votes.has_electorate(), &ids, &names, &allocation);
    let n = votes.parties().len();
    let measure: Vec<f64> = (0..votes.len())
        .map(|u| {
            let row = votes.row(u);
            if votes.has_electorate() { row[n] as f64 } else { row[..n].iter().sum::<u64>() as f64 }
        })
        .collect();
    let composition = Composition::new(&unit_old, &crosswalk, &measure, old.len(), ids.len(), votes.has_electorate());
    let mut sources = vec![[0.0; 3]; ids.len()];
    for ((row, m), s) in crosswalk.units.iter().zip(&measure).zip(&source) {
        for &(t, w) in &row.weights {
            sources[t][*s as usize] += m * w;
        }
    }
    let mut later = match &spec.later {
        Some((input, id)) => {
            // The Commons Library's `Of which other winner`: which seats an "other" candidate won.
            // Optional: a file without the column has no such seats. A cell that
            // is not a count is an error, not a 0.
            let other: Option<HashMap<String, u64>> = match read_columns(input, &[id, "Of which other winner"]) {
                Err(_) => None,
                Ok(rows) => Some(
                    rows.into_iter()
                        .map(|(line, r)| {
                            let n = parse_count(&r[1])
                                .map_err(|m| Error::field(input.name(), format!("line {line}"), "Of which other winner", m))?;
                            Ok((r[0].clone(), n))
                        })
                        .collect::<Result<_>>()?,
                ),
            };
            Some(compare_with_other_winner(&results_new, &KeyedTable::read(input, id, None)?, other.as_ref()))
        }
        None => None,
    };
    // A seat the units barely cover has no notional result to compare.
    if let (Some(later), Some(cov)) = (later.as_mut(), coverage.as_ref()) {
        for (c, seat) in later.iter_mut().zip(&results_new.seats) {
            if cov[seat.target] < MIN_SEAT_COVERAGE {
                *c = None;
            }
        }
    }
    let agreement = match (&spec.reference, wards.is_empty()) {
        (Some(r), false) => {
            let seats: Vec<(String, String)> = ids.iter().zip(&names).map(|(i, n)| (i.to_string(), n.to_string())).collect();
            Some(r.compare(&ward_weights(&wards, &crosswalk), &seats)?)
        }
        _ => None,
    };
    times.lap("allocation, results, composition, checks", &mut since);
    let ensemble = match &spec.ensemble {
        None => None,
        Some(_) if wards.is_empty() => {
            return Err(Error::Mismatch("the ensemble draws the ward method again and again: it needs the ward route (wards)".into()))
        }
        Some(e) => {
            let sets: Vec<&Estimates> = wards.iter().map(|w| &w.estimates).collect();
            let in_sets: usize = sets.iter().map(|s| s.parts.len()).sum();
            let k = votes.parties().len();
            let fixed: Vec<Vec<u64>> = (in_sets..votes.len()).map(|u| votes.row(u)[..k].to_vec()).collect();
            let alts: Vec<crate::election::ensemble::Alternative<'_>> = alternatives
                .iter()
                .map(|a| crate::election::ensemble::Alternative { set: a.set, estimates: &a.wards.estimates, crosswalk: &a.crosswalk })
                .collect();
            // The old seats as units, each spread by where its electorate went.
            let mut whole_old = vec![vec![0.0; k]; ids.len()];
            for l in &composition.links {
                if let Some(v) = results.get(&old[l.old].0) {
                    whole_old[l.new].iter_mut().zip(&v[..k]).for_each(|(o, &x)| *o += x as f64 * l.share_of_old);
                }
            }
            let run = crate::election::ensemble::run(&sets, &alts, &fixed, &crosswalk, &whole_old, e);
            times.lap(format!("ensemble ({} draws)", e.draws), &mut since);
            Some(run)
        }
    };
    Ok(Recomputed {
        ensemble,
        times,
        agreement,
        route,
        wards,
        old,
        new_seats,
        unit_ids,
        votes,
        crosswalk,
        allocation,
        results: results_new,
        composition,
        sources,
        later,
        coverage,
        old_geometries,
        notes,
    })
}

/// Each ward's share in each new seat, from its parts' weights (the ward
/// sets' parts are the crosswalk's first units, set after set).
fn ward_weights(sets: &[WardEstimates], crosswalk: &Crosswalk) -> HashMap<String, Vec<(usize, f64)>> {
    let mut out: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
    let mut unit = 0;
    for we in sets {
        for p in &we.estimates.parts {
            let row = &crosswalk.units[unit];
            unit += 1;
            let entry = out.entry(we.wards.features[p.ward].id.clone()).or_default();
            for &(t, w) in &row.weights {
                match entry.iter_mut().find(|e| e.0 == t) {
                    Some(e) => e.1 += w * p.share,
                    None => entry.push((t, w * p.share)),
                }
            }
        }
    }
    out
}

/// The crosswalk of old seats (rows of `results`) to new seats from a weights table.
fn weights_crosswalk(w: &WeightsSpec, results: &KeyedTable, new_seats: &Layer) -> Result<Crosswalk> {
    let src = w.input.name();
    let mut names = vec![w.from.as_str(), w.to.as_str(), w.weight.as_str()];
    names.extend(w.fallback.as_deref());
    let rows = read_columns(&w.input, &names)?;
    let lookup: Option<HashMap<String, String>> = match &w.lookup {
        Some((input, from, to)) => {
            Some(read_columns(input, &[from, to])?.into_iter().map(|(_, r)| (r[0].clone(), r[1].clone())).collect())
        }
        None => None,
    };
    let old_index: HashMap<&str, usize> = results.ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let new_index: HashMap<&str, usize> = new_seats.features.iter().enumerate().map(|(i, f)| (f.id.as_str(), i)).collect();
    let number = |cell: &str, line: u64, col: &str| -> Result<f64> {
        let x: f64 = cell.replace(',', "").trim().parse().map_err(|_| {
            Error::field(src, format!("line {line}"), col, format!("`{cell}` is not a number"))
        })?;
        if x.is_finite() && x >= 0.0 {
            Ok(x)
        } else {
            Err(Error::field(src, format!("line {line}"), col, format!("`{cell}` is not a non-negative number")))
        }
    };
    let mut per_old: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); results.ids.len()];
    for (line, r) in rows {
        let old = *old_index.get(r[0].as_str()).ok_or_else(|| {
            Error::field(src, format!("line {line}"), &w.from, format!("`{}` is not in {}", r[0], results.source_name))
        })?;
        let to_id = match &lookup {
            Some(map) => map.get(&r[1]).ok_or_else(|| {
                Error::field(src, format!("line {line}"), &w.to, format!("`{}` is not in the lookup table", r[1]))
            })?,
            None => &r[1],
        };
        let new = *new_index.get(to_id.as_str()).ok_or_else(|| {
            Error::field(src, format!("line {line}"), &w.to, format!("`{to_id}` is not in {}", new_seats.source_name))
        })?;
        let weight = number(&r[2], line, &w.weight)?;
        let fallback = match &w.fallback {
            Some(f) => number(&r[3], line, f)?,
            None => 0.0,
        };
        per_old[old].push((new, weight, fallback));
    }
    let units = per_old
        .into_iter()
        .map(|mut links| {
            links.sort_by_key(|l| l.0);
            let primary: f64 = links.iter().map(|l| l.1).sum();
            let use_fallback = primary <= 0.0;
            let total = if use_fallback { links.iter().map(|l| l.2).sum() } else { primary };
            if total <= 0.0 {
                return UnitWeights::unplaced(Unplaced::ZeroWeight);
            }
            let mut weights: Vec<(usize, f64)> = Vec::new();
            for (t, a, b) in links {
                let x = if use_fallback { b } else { a } / total;
                match weights.last_mut() {
                    Some(last) if last.0 == t => last.1 += x,
                    _ if x > 0.0 => weights.push((t, x)),
                    _ => {}
                }
            }
            UnitWeights::placed(weights, 1.0)
        })
        .collect();
    Ok(Crosswalk { method: Method::Area, units })
}
