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
//! result, hold/gain labels and swing ([`crate::election::compare`]).

use crate::aggregate::{allocate, Allocation};
use crate::election::compare::{compare_with_other_winner, Comparison};
use crate::election::composition::Composition;
use crate::crosswalk::{Crosswalk, Method, UnitWeights, Unplaced};
use crate::error::{Error, Result};
use crate::election::estimate::{estimate, Config, Estimates, Inputs};
use crate::geometry::index::TargetIndex;
use crate::progress::Progress;
use crate::geometry::project::Projector;
use crate::geometry::prepare::Prepared;
use crate::election::patterns::{CodeHistory, PatternFile, Patterns};
use crate::election::ensemble::{Ensemble, EnsembleSpec};
use crate::election::reference::{Agreement, ReferenceSpec};
use crate::read::{read_columns, read_sources, parse_count, LayerSource, Aliases, ElectorateSpec, Input, KeyedTable, Layer, LocalLayout, LocalResults, MultiMember, VoteTable};
use crate::results::Results;
use std::collections::HashMap;

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

/// A file of local-election results and where its fields are.
#[derive(Debug, Clone)]
pub struct LocalSpec {
    /// The file.
    pub input: Input,
    /// Its layout (a header naming the ward id column, or fixed positions).
    pub layout: LocalLayout,
}

/// A table of ward codes of every vintage with each ward's name and council,
/// to match local results on older codes to the wards.
#[derive(Debug, Clone)]
pub struct HistorySpec {
    /// The table (CSV).
    pub input: Input,
    /// Its ward code column.
    pub code: String,
    /// Its ward name column.
    pub name: String,
    /// Its council code column.
    pub council: String,
}

/// What becomes of old seats that wards cover too little to estimate (such
/// as Northern Ireland's, in a run on Great Britain's wards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Others {
    /// They are left out of the run (reported).
    #[default]
    Leave,
    /// They are carried whole, with their actual result, onto the new seats
    /// by area (the old-seat route for them).
    Whole,
}

/// Ward-route inputs.
#[derive(Debug, Clone)]
pub struct WardSpec {
    /// Ward polygons: one file or layer, or several (a council's per file)
    /// read as one layer.
    pub wards: Vec<LayerSource>,
    /// Ward id property.
    pub id: String,
    /// Ward name property.
    pub name: String,
    /// Council code property of the wards, for matching local results by
    /// council and ward name.
    pub council: Option<String>,
    /// Ward electorates [default: the wards' own `electorate` property, else area].
    pub electorates: Option<ElectorateSpec>,
    /// Local-election results, oldest first: each ward takes the most recent
    /// contested result.
    pub local: Vec<LocalSpec>,
    /// Ward code history, for results on older codes.
    pub history: Option<HistorySpec>,
    /// Multi-member rule.
    pub rule: MultiMember,
    /// Party label aliases.
    pub aliases: Aliases,
    /// Model constants.
    pub config: Config,
    /// Without a ballots column, take each ward's relative turnout from its
    /// local votes (under the multi-member rule) per elector.
    pub turnout_from_local: bool,
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

/// How long each stage of a run took, in order.
///
/// ```
/// use notional::recompute::StageTimes;
/// let mut t = StageTimes::default();
/// let mut since = std::time::Instant::now();
/// t.lap("read", &mut since);
/// assert!(t.to_string().starts_with("read "));
/// ```
#[derive(Debug, Clone, Default)]
pub struct StageTimes(pub Vec<(String, std::time::Duration)>);

impl StageTimes {
    /// Records the time since `since` under `name`, and restarts it.
    pub fn lap(&mut self, name: impl Into<String>, since: &mut std::time::Instant) {
        let now = std::time::Instant::now();
        self.0.push((name.into(), now - *since));
        *since = now;
    }
}

impl std::fmt::Display for StageTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(n, d)| format!("{n} {:.0} ms", d.as_secs_f64() * 1000.0)).collect();
        f.write_str(&parts.join(", "))
    }
}

/// Ward estimates with what is needed to show them.
pub struct WardEstimates {
    /// The estimates.
    pub estimates: Estimates,
    /// The wards.
    pub wards: Layer,
    /// Old seat ids and names.
    pub old: Vec<(String, String)>,
    /// Part ids: `ward` for a whole ward, `ward/old-seat` for a part.
    pub ids: Vec<String>,
    /// How long each stage took.
    pub times: StageTimes,
}

/// Builds ward estimates reconciled to the old seats' results (the ward route
/// without the new seats: `notional estimate`), for the old seats not
/// `claimed` by other wards.
pub fn estimate_wards(ws: &WardSpec, old: &OldSeats, results: &KeyedTable, claimed: Option<&[bool]>, progress: &dyn Progress) -> Result<WardEstimates> {
    PreparedWards::read(ws)?.estimate(old, results, &ws.config, claimed, progress)
}

/// The old seats, read and prepared once for every set of wards.
pub struct OldSeats {
    /// The layer.
    pub layer: Layer,
    /// Ids and names (from the results where the layer has none).
    pub names: Vec<(String, String)>,
    /// Geometries (BNG).
    pub bng: Vec<geo::MultiPolygon<f64>>,
    /// What was repaired, in words.
    pub note: Option<String>,
    /// How long reading and preparing took.
    pub time: std::time::Duration,
}

impl OldSeats {
    /// Reads and prepares the old seats.
    pub fn read(source: &LayerSource, id: &str, name: &str, result_names: &HashMap<String, String>) -> Result<OldSeats> {
        let start = std::time::Instant::now();
        let layer = source.read(id, Some(name))?;
        let names = old_names(&layer, result_names);
        let prepared = Prepared::new(&layer, None, &Projector::new())?;
        let note = prepared.describe(&layer);
        Ok(OldSeats { layer, names, bng: prepared.geometries, note, time: start.elapsed() })
    }
}

/// A set of wards read and prepared once: the layer and its geometries
/// (BNG), electorates, local patterns, and what was noted on the way; from
/// which estimates are made for any old seats ([`PreparedWards::estimate`]).
pub struct PreparedWards {
    /// The wards.
    pub wards: Layer,
    /// Their geometries (BNG).
    pub bng: Vec<geo::MultiPolygon<f64>>,
    /// Electorates, by ward.
    pub electorate: Option<Vec<f64>>,
    /// Local turnout, by ward.
    pub turnout: Option<Vec<Option<f64>>>,
    /// Local patterns.
    pub patterns: Option<Patterns>,
    /// What was noted.
    pub notes: Vec<String>,
    /// How long each step took.
    pub times: StageTimes,
}

impl PreparedWards {
    /// Reads a ward set's inputs: layer, electorates, local results.
    pub fn read(ws: &WardSpec) -> Result<PreparedWards> {
        let (mut times, mut since) = (StageTimes::default(), std::time::Instant::now());
        let projector = Projector::new();
        let wards = read_sources(&layer_name(&ws.wards), &ws.wards, &ws.id, Some(&ws.name))?;
        times.lap(format!("wards read ({} files)", ws.wards.len()), &mut since);
        let prepared = Prepared::new(&wards, None, &projector)?;
        times.lap("wards projected and checked", &mut since);
        let mut notes: Vec<String> = prepared.describe(&wards).into_iter().collect();
        if ws.wards.len() > 1 {
            notes.push(format!("{}: {} wards read from {} files", wards.source_name, wards.features.len(), ws.wards.len()));
        }
        let (electorate, mut turnout) = ward_electorates(ws, &wards, &mut notes)?;
        times.lap("electorates", &mut since);
        let patterns = ward_patterns(ws, &wards, &mut notes)?;
        times.lap(format!("local results ({} files)", ws.local.len()), &mut since);
        if let (true, None, Some(e), Some(p)) = (ws.turnout_from_local, &turnout, &electorate, &patterns) {
            // Local votes (under the multi-member rule) per elector: a relative
            // turnout, comparable within a seat, damped in the turnout model.
            turnout = Some(
                wards
                    .features
                    .iter()
                    .zip(e)
                    .map(|(f, &e)| p.local.wards.get(&f.id).map(|r| r.values().sum::<f64>()).filter(|_| e > 0.0).map(|v| v / e))
                    .collect(),
            );
            notes.push("relative turnout from local votes per elector (no ballots column given)".to_string());
        }
        Ok(PreparedWards { wards, bng: prepared.geometries, electorate, turnout, patterns, notes, times })
    }

    /// Estimates for the old seats these wards cover, except those `claimed`.
    pub fn estimate(&self, old: &OldSeats, results: &KeyedTable, config: &Config, claimed: Option<&[bool]>, progress: &dyn Progress) -> Result<WardEstimates> {
        let since = std::time::Instant::now();
        let mut estimates = estimate(
            Inputs {
                wards: &self.wards,
                wards_bng: &self.bng,
                seats: &old.layer,
                seats_bng: old.bng.clone(),
                results,
                electorate: self.electorate.as_deref(),
                turnout: self.turnout.as_deref(),
                local: self.patterns.as_ref().map(|p| &p.local),
                claimed,
            },
            config,
            progress,
        )?;
        let mut times = StageTimes(vec![("old seats (read, project, check)".into(), old.time)]);
        times.0.extend(self.times.0.iter().cloned());
        times.0.push(("estimates (parts, IPF)".into(), since.elapsed()));
        let ids = part_ids(&estimates, &self.wards, &old.layer);
        estimates.notes.extend(old.note.iter().cloned());
        estimates.notes.extend(self.notes.iter().cloned());
        Ok(WardEstimates { estimates, wards: self.wards.clone(), old: old.names.clone(), ids, times })
    }
}

/// A name for a layer read from `inputs`: the file's, or the folder of several.
fn layer_name(inputs: &[LayerSource]) -> String {
    match inputs {
        [one] => one.name().to_string(),
        _ => {
            let dirs: std::collections::BTreeSet<String> = inputs
                .iter()
                .map(|i| std::path::Path::new(i.name()).parent().map(|p| p.display().to_string()).unwrap_or_default())
                .collect();
            match dirs.len() {
                1 => format!("{}/", dirs.into_iter().next().unwrap_or_default()),
                _ => format!("{} files", inputs.len()),
            }
        }
    }
}

/// Each ward's local-election pattern from the local files (most recent
/// contested result), with notes on what each file gave and what it did not.
fn ward_patterns(ws: &WardSpec, wards: &Layer, notes: &mut Vec<String>) -> Result<Option<Patterns>> {
    if ws.local.is_empty() {
        return Ok(None);
    }
    let history: Option<CodeHistory> = match &ws.history {
        Some(h) => Some(
            read_columns(&h.input, &[&h.code, &h.name, &h.council])?
                .into_iter()
                .map(|(_, r)| (r[0].trim().to_string(), (r[1].trim().to_string(), r[2].trim().to_string())))
                .collect(),
        ),
        None => None,
    };
    let mut files = Vec::with_capacity(ws.local.len());
    let mut ambiguous = Vec::new();
    for spec in &ws.local {
        let input = &spec.input;
        let l = LocalResults::read_layout(input, &spec.layout, ws.rule, &ws.aliases)?;
        ambiguous.extend(l.ambiguous.iter().map(|(id, lines)| (format!("{} in {}", id, input.name()), lines.clone())));
        if !l.unkeyed.is_empty() {
            let first: Vec<String> = l.unkeyed.iter().take(5).map(u64::to_string).collect();
            notes.push(format!(
                "{}: {} row(s) with no ward id (blank or NULL) not used (lines {}{})",
                input.name(),
                l.unkeyed.len(),
                first.join(", "),
                if l.unkeyed.len() > 5 { ", …" } else { "" }
            ));
        }
        if let Some(first) = l.unreadable.first() {
            notes.push(format!(
                "{}: {} ward row(s) with a party cell that is not a count not used as a pattern (their wards take the seat's shares), e.g. {} on line {}, field `{}`: {}",
                input.name(),
                l.unreadable.len(),
                first.id,
                first.line,
                first.field,
                first.message
            ));
        }
        if !l.skipped.is_empty() {
            let list: Vec<String> = l.skipped.iter().map(ToString::to_string).collect();
            notes.push(format!("{}: columns not read as parties: {}", input.name(), list.join(", ")));
        }
        files.push(PatternFile { name: input.name().to_string(), results: l });
    }
    for (id, lines) in &ambiguous {
        let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
        notes.push(format!("ward {id} is on several lines ({}): ambiguous, not used as a pattern", lines.join(", ")));
    }
    let patterns = Patterns::assemble(wards, ws.council.as_deref(), &files, history.as_ref());
    if files.len() > 1 || ws.history.is_some() {
        for f in &patterns.files {
            let matched: Vec<String> = f.matched.iter().map(|(how, n)| format!("{n} by {how}")).collect();
            let mut line = format!(
                "{}: pattern of {} ward(s); results matched to wards: {}",
                f.name,
                f.used,
                if matched.is_empty() { "none".to_string() } else { matched.join(", ") }
            );
            if f.uncontested > 0 {
                line.push_str(&format!("; {} uncontested (not a pattern)", f.uncontested));
            }
            if f.unmatched.0 > 0 {
                line.push_str(&format!(
                    "; {} result(s) for no ward of {} (other vintages or divisions), e.g. {}",
                    f.unmatched.0,
                    wards.source_name,
                    f.unmatched.1.join(", ")
                ));
            }
            notes.push(line);
        }
    }
    let without: Vec<usize> = (0..wards.features.len()).filter(|&w| patterns.source[w].is_none()).collect();
    if !without.is_empty() {
        let mut by_council: HashMap<String, usize> = HashMap::new();
        if let Some(c) = &ws.council {
            for &w in &without {
                let v = wards.features[w].properties.get(c).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
                *by_council.entry(v.unwrap_or_default()).or_default() += 1;
            }
        }
        let mut councils: Vec<(String, usize)> = by_council.into_iter().collect();
        councils.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = councils.iter().take(12).map(|(c, n)| format!("{c} {n}")).collect();
        notes.push(format!(
            "{} of {} wards have no contested local result and take their old seat's shares{}",
            without.len(),
            wards.features.len(),
            if listed.is_empty() { String::new() } else { format!(" (by council: {}{})", listed.join(", "), if councils.len() > 12 { ", …" } else { "" }) }
        ));
    }
    Ok(Some(patterns))
}

fn old_names(layer: &Layer, result_names: &HashMap<String, String>) -> Vec<(String, String)> {
    layer
        .features
        .iter()
        .map(|f| (f.id.clone(), f.name.clone().or_else(|| result_names.get(&f.id).cloned()).unwrap_or_default()))
        .collect()
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
}

/// Runs the recompute.
pub fn recompute(spec: &Spec, progress: &dyn Progress) -> Result<Recomputed> {
    let (mut times, mut since) = (StageTimes::default(), std::time::Instant::now());
    let projector = Projector::new();
    let new_seats = spec.new_seats.read(&spec.new_id, Some(&spec.new_name))?;
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
            return Ok(Units { route: "old seats by area", wards: Vec::new(), alternatives: Vec::new(), old, ids, old_of, source, votes, crosswalk, coverage: Some(coverage) });
        }
        // Each set of wards estimates the old seats it covers that no earlier set has.
        let old_seats = OldSeats::read(old_input, &spec.old_id, &spec.old_name, &result_names)?;
        let mut sets: Vec<WardEstimates> = Vec::with_capacity(ward_sets.len());
        let mut prepared: Vec<PreparedWards> = Vec::with_capacity(ward_sets.len());
        let mut claimed: Option<Vec<bool>> = None;
        for ws in ward_sets {
            let pw = PreparedWards::read(ws)?;
            let we = pw.estimate(&old_seats, &results, &ws.config, claimed.as_deref(), progress)?;
            let c = claimed.get_or_insert_with(|| vec![false; we.old.len()]);
            for f in &we.estimates.fits {
                c[f.seat] = true;
            }
            sets.push(we);
            prepared.push(pw);
        }
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
        Ok(Units { route: "ward estimates", wards: sets, alternatives, old, ids, old_of, source, votes, crosswalk, coverage: Some(coverage) })
    };
    let Units { route, wards, alternatives, old, ids: unit_ids, old_of: unit_old, source, votes, crosswalk, coverage } = match &spec.route {
        Route::Weights(w) => {
            let old: Vec<(String, String)> =
                results.ids.iter().map(|id| (id.clone(), result_names.get(id).cloned().unwrap_or_default())).collect();
            let crosswalk = weights_crosswalk(w, &results, &new_seats)?;
            let ids = results.ids.clone();
            let old_of = (0..ids.len()).collect();
            let source = vec![Source::OldSeat; ids.len()];
            Units { route: "weights table", wards: Vec::new(), alternatives: Vec::new(), old, ids, old_of, source, votes: results.table.clone(), crosswalk, coverage: None }
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

/// `ward` for a whole ward, `ward/old-seat` for a part of a split one.
fn part_ids(est: &Estimates, wards: &Layer, old: &Layer) -> Vec<String> {
    est.parts
        .iter()
        .map(|p| {
            let w = &wards.features[p.ward].id;
            if p.share >= 1.0 { w.clone() } else { format!("{w}/{}", old.features[p.seat].id) }
        })
        .collect()
}

type WardColumns = (Option<Vec<f64>>, Option<Vec<Option<f64>>>);

/// Ward electorates (and local turnout) from the electorate files, or the
/// wards' own `electorate` property; what was not used goes to `notes`.
fn ward_electorates(ws: &WardSpec, wards: &Layer, notes: &mut Vec<String>) -> Result<WardColumns> {
    let Some(spec) = &ws.electorates else {
        let mut from_props = Vec::with_capacity(wards.features.len());
        for (i, f) in wards.features.iter().enumerate() {
            match f.properties.iter().find(|(k, _)| k.eq_ignore_ascii_case("electorate")) {
                None => return Ok((None, None)),
                Some((k, v)) => {
                    let e = crate::read::json_count(v).map_err(|m| Error::field(&wards.source_name, wards.place(i), k, m))?;
                    from_props.push(e as f64);
                }
            }
        }
        return Ok((Some(from_props), None));
    };
    let ids: Vec<&str> = wards.features.iter().map(|f| f.id.as_str()).collect();
    let e = spec.read(&ids)?;
    if !e.missing.is_empty() {
        let list: Vec<&str> = e.missing.iter().take(8).map(|&w| ids[w]).collect();
        notes.push(format!(
            "{} ward(s) have no electorate row and count as no electorate: {}{}",
            e.missing.len(),
            list.join(", "),
            if e.missing.len() > 8 { ", …" } else { "" }
        ));
    }
    if e.repeats > 0 {
        notes.push(format!("{} electorate row(s) repeating a ward's earlier row not used (the first row is)", e.repeats));
    }
    for u in &e.unused {
        let ex: Vec<String> = u.examples.iter().map(|(line, id)| format!("line {line} `{id}`")).collect();
        notes.push(format!("{}: {} row(s) for no ward of {} not used, e.g. {}", u.file, u.rows, wards.source_name, ex.join(", ")));
    }
    Ok((Some(e.electorate), e.turnout))
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
