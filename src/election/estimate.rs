//! Ward estimates: spread each old seat's actual result over its wards, so
//! that they can be re-aggregated onto new seats.
//!
//! 1. **Parts.** Wards are crossed with the old seats (the same crosswalk as
//!    [`crate::crosswalk`]). A ward straddling two old seats becomes two parts,
//!    each with its area share of the ward; parts under [`Config::sliver`] of a
//!    ward (boundary files generalised differently) are folded into the ward's
//!    other parts. An old seat is estimated when ward parts cover at least
//!    [`Config::min_coverage`] of its area; parts in other seats are reported.
//! 2. **Electorate.** Each part gets its area share of the ward's electorate,
//!    then every seat's parts are scaled to the seat's parliamentary
//!    electorate (local-government registers are larger).
//! 3. **Prior.** Where the ward has local-election results, the parties that
//!    stood locally share the ward's vote in their local proportions; a party
//!    that stood in the general election but not in the ward takes the seat's
//!    general-election share; local parties with no general-election column go
//!    to the "other" column if there is one. Without local results the prior is
//!    the seat's own shares. Row totals are `electorate × turnout`, with turnout
//!    uniform in the seat or, when local turnout is known, proportional to
//!    `(local turnout / seat mean)^`[`Config::turnout_damping`].
//! 4. **Reconcile** by iterative proportional fitting within each seat: scale
//!    rows to the turnout model, then columns to the seat's actual votes, until
//!    the rows move less than [`Config::tolerance`]. Columns are then rounded by
//!    largest remainder, so each seat's party totals are reproduced exactly.

use crate::aggregate::largest_remainder;
use crate::crosswalk::{Crosswalk, Method};
use crate::error::{Error, Result};
use crate::geometry::index::TargetIndex;
use crate::parties::party_key;
use crate::progress::Progress;
use crate::read::{KeyedTable, Layer, LocalResults, VoteTable};
use geo::{Area, BooleanOps, MultiPolygon};
use rayon::prelude::*;

/// Tunable constants of the model.
#[derive(Debug, Clone)]
pub struct Config {
    /// Parts smaller than this share of their ward are folded into its other parts.
    pub sliver: f64,
    /// Old seats with less of their area covered by wards are not estimated.
    pub min_coverage: f64,
    /// Exponent applied to relative local turnout in the turnout model.
    pub turnout_damping: f64,
    /// How far a ward's local pattern is trusted, from 0 (the seat's own
    /// shares) to 1 (the local shares as they are): the prior is
    /// `local^w × seat^(1−w)`, normalised. Local elections exaggerate how
    /// differently wards vote in a general election.
    pub pattern_weight: f64,
    /// Largest number of IPF sweeps.
    pub max_iterations: usize,
    /// Stop when every row is within this relative distance of its target.
    pub tolerance: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config { sliver: 0.01, min_coverage: 0.5, turnout_damping: 0.5, pattern_weight: 1.0, max_iterations: 10_000, tolerance: 1e-9 }
    }
}

impl Config {
    /// Checks every constant is in its range.
    ///
    /// ```
    /// use notional::election::estimate::Config;
    /// assert!(Config::default().validate().is_ok());
    /// let bad = Config { pattern_weight: 1.5, ..Config::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("pattern_weight"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        let checks = [
            ("sliver", self.sliver, 0.0, 0.5),
            ("min_coverage", self.min_coverage, 0.0, 1.0),
            ("turnout_damping", self.turnout_damping, 0.0, 1.0),
            ("pattern_weight", self.pattern_weight, 0.0, 1.0),
            ("tolerance", self.tolerance, 0.0, 1.0),
        ];
        for (name, v, lo, hi) in checks {
            if !(lo..=hi).contains(&v) {
                return Err(Error::Mismatch(format!("model constant {name} = {v} is outside {lo}..={hi}")));
            }
        }
        Ok(())
    }
}

/// What the estimate is built from. Geometries are in BNG metres.
pub struct Inputs<'a> {
    /// Wards (ids and names).
    pub wards: &'a Layer,
    /// Ward geometries.
    pub wards_bng: &'a [MultiPolygon<f64>],
    /// Old seats (ids and names).
    pub seats: &'a Layer,
    /// Old seat geometries.
    pub seats_bng: Vec<MultiPolygon<f64>>,
    /// The old seats' actual results, keyed by seat id (parties, then electorate if any).
    pub results: &'a KeyedTable,
    /// Ward electorates, by ward; `None` takes the ward's area as its weight.
    pub electorate: Option<&'a [f64]>,
    /// Ward local turnout (any scale), by ward, where known.
    pub turnout: Option<&'a [Option<f64>]>,
    /// Local-election results by ward id.
    pub local: Option<&'a LocalResults>,
    /// Old seats (by index) already estimated from other wards: not
    /// estimated here, their ward parts not used.
    pub claimed: Option<&'a [bool]>,
}

/// One ward part: the piece of a ward inside one old seat.
#[derive(Debug, Clone)]
pub struct Part {
    /// Ward index.
    pub ward: usize,
    /// Old seat index.
    pub seat: usize,
    /// The part's share of its ward's area.
    pub share: f64,
    /// Whether its prior came from local-election results.
    pub local_prior: bool,
}

/// How the reconciliation of one old seat went.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatFit {
    /// Old seat index.
    pub seat: usize,
    /// Number of ward parts.
    pub parts: usize,
    /// Share of the seat's area covered by ward parts.
    pub coverage: f64,
    /// IPF sweeps used.
    pub iterations: usize,
    /// Largest relative distance of a part's total from its turnout-model target.
    pub max_row_residual: f64,
}

/// Ward-part estimates.
pub struct Estimates {
    /// The result columns (as in the results file).
    pub parties: Vec<String>,
    /// The parts, grouped by seat in seat order.
    pub parts: Vec<Part>,
    /// Each part's geometry (BNG), by part: the units a route apportions.
    pub geometries: Vec<MultiPolygon<f64>>,
    /// Integer estimates per part: parties, then electorate.
    pub votes: VoteTable,
    /// One per estimated seat.
    pub fits: Vec<SeatFit>,
    /// Seats with results but too little ward coverage, not estimated.
    pub skipped_seats: Vec<(usize, f64)>,
    /// Every old seat not estimated that has a results row, with its
    /// geometry (BNG): for a caller that carries such seats whole.
    pub whole_seats: Vec<(usize, MultiPolygon<f64>)>,
    /// Wards (or parts of wards) left out, with the reason.
    pub left_out: Vec<(usize, String)>,
    /// Notes for the report (how parties were matched, missing local data).
    pub notes: Vec<String>,
    /// The model the estimates were made with, to make them again.
    pub model: WardModel,
    /// Per fit (as `fits`), the seat's actual result: parties, then electorate if any.
    pub actuals: Vec<Vec<u64>>,
    /// The constants the estimates were made with.
    pub config: Config,
}

impl Estimates {
    /// The estimates made again with other constants and, with `draw`, the
    /// local patterns resampled: every part's votes by party as fitted (not
    /// rounded), in part order. Each seat's party totals are still
    /// reproduced (to 1 part in 10⁹).
    pub fn refit(&self, config: &Config, mut draw: Option<&mut Draw>) -> Vec<Vec<f64>> {
        let mut rows = Vec::with_capacity(self.parts.len());
        let mut start = 0;
        for (fit, actual) in self.fits.iter().zip(&self.actuals) {
            let end = start + fit.parts;
            rows.extend(self.model.fit(&self.parts[start..end], actual, config, draw.as_deref_mut()).x);
            start = end;
        }
        rows
    }
}

/// Builds ward-part estimates reconciled to every estimated old seat's result:
/// the parts (`ward_parts`: geometry, once), then each seat's estimate
/// (`SeatModel::estimate`: electorate, turnout, prior, IPF, rounding).
pub fn estimate(mut inputs: Inputs<'_>, config: &Config, progress: &dyn Progress) -> Result<Estimates> {
    let results = inputs.results;
    let parties: Vec<String> = results.table.parties().to_vec();
    // The old seats' geometries go into the index (moved, not copied).
    let seats = std::mem::take(&mut inputs.seats_bng);
    let WardParts { mut parts, geometries, coverage, skipped_seats, whole_seats, left_out, in_claimed } = ward_parts(&inputs, seats, config, progress)?;
    let seat_ids: Vec<&str> = inputs.seats.features.iter().map(|f| f.id.as_str()).collect();
    let mut unmatched: std::collections::BTreeSet<String> = Default::default();
    let model = WardModel::new(&inputs, &mut unmatched);

    // 2–4. Per seat: electorate, prior, IPF, rounding.
    let mut rows: Vec<Vec<u64>> = Vec::with_capacity(parts.len());
    let mut fits = Vec::new();
    let mut actuals = Vec::new();
    let mut start = 0;
    while start < parts.len() {
        let seat = parts[start].seat;
        let end = start + parts[start..].iter().take_while(|p| p.seat == seat).count();
        let actual = results.get(seat_ids[seat]).expect("checked by ward_parts");
        let estimate = model.estimate(&parts[start..end], actual, config);
        for (p, l) in parts[start..end].iter_mut().zip(&estimate.local_prior) {
            p.local_prior = *l;
        }
        fits.push(SeatFit { seat, parts: end - start, coverage: coverage[seat], iterations: estimate.iterations, max_row_residual: estimate.residual });
        actuals.push(actual.to_vec());
        rows.extend(estimate.rows);
        start = end;
    }
    let without_local = parts.iter().filter(|p| !p.local_prior).count();

    let mut notes = run_notes(&inputs, &fits, &seat_ids);
    if let Some(c) = inputs.claimed {
        notes.push(format!(
            "{} old seat(s) estimated from other wards first; this layer's {in_claimed} ward part(s) in them not used",
            c.iter().filter(|x| **x).count()
        ));
    }
    if inputs.local.is_some() {
        notes.push(format!("{} of {} ward parts had no local-election result and use their seat's shares", without_local, parts.len()));
        if !unmatched.is_empty() {
            notes.push(format!(
                "local parties with no general-election column and no \"other\" column to go to, left out of the pattern: {}",
                unmatched.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if inputs.electorate.is_none() {
        notes.push("no ward electorates given: ward area stands in for electorate".to_string());
    }
    if !results.table.has_electorate() {
        notes.push("the results file has no electorate column: ward electorates are not scaled to the seats".to_string());
    }
    let has_e = results.table.has_electorate();
    if !has_e {
        for r in rows.iter_mut() {
            r.pop();
        }
    }
    Ok(Estimates {
        votes: VoteTable::new(parties.clone(), has_e, rows),
        parties,
        parts,
        geometries,
        fits,
        skipped_seats,
        whole_seats,
        left_out,
        notes,
        model,
        actuals,
        config: config.clone(),
    })
}

/// Step 1's result: the ward parts of the seats estimated, grouped by seat
/// in seat order, and what was left out.
struct WardParts {
    /// The parts.
    parts: Vec<Part>,
    /// Each part's geometry (BNG), by part.
    geometries: Vec<MultiPolygon<f64>>,
    /// Per old seat, the share of its area the ward parts cover.
    coverage: Vec<f64>,
    /// Seats with too little ward coverage, not estimated.
    skipped_seats: Vec<(usize, f64)>,
    /// Seats not estimated that have results, with their geometries.
    whole_seats: Vec<(usize, MultiPolygon<f64>)>,
    /// Wards (or parts of wards) left out, with the reason.
    left_out: Vec<(usize, String)>,
    /// Ward parts in seats claimed by other wards, not used.
    in_claimed: usize,
}

/// Step 1, **parts**: wards crossed with the old seats (`seats`, BNG, taken
/// from `inputs` by the caller), slivers folded, each split ward's part cut
/// out, seats covered too little left out. Every seat estimated must have a
/// results row.
fn ward_parts(inputs: &Inputs<'_>, seats: Vec<MultiPolygon<f64>>, config: &Config, progress: &dyn Progress) -> Result<WardParts> {
    let results = inputs.results;
    let seat_areas: Vec<f64> = seats.iter().map(|g| g.unsigned_area()).collect();
    let index = TargetIndex::new(seats);
    let cw = Crosswalk::build(inputs.wards_bng, &index, Method::Area, progress);
    // 1. Parts, with sliver folding.
    let mut left_out = Vec::new();
    let mut raw: Vec<(usize, usize, f64)> = Vec::new();
    for (w, row) in cw.units.iter().enumerate() {
        if row.is_outside() {
            left_out.push((w, "outside every old seat".to_string()));
            continue;
        }
        let kept: Vec<(usize, f64)> = row.weights.iter().copied().filter(|&(_, x)| x >= config.sliver).collect();
        let sum: f64 = kept.iter().map(|p| p.1).sum();
        raw.extend(kept.into_iter().map(|(s, x)| (w, s, x / sum)));
    }
    let geometries: Vec<MultiPolygon<f64>> = raw
        .par_iter()
        .map(|&(w, s, x)| {
            if x >= 1.0 {
                inputs.wards_bng[w].clone()
            } else {
                inputs.wards_bng[w].intersection(&index.targets()[s].geometry)
            }
        })
        .collect();
    let mut covered = vec![0.0; seat_areas.len()];
    for (&(_, s, _), g) in raw.iter().zip(&geometries) {
        covered[s] += g.unsigned_area();
    }
    let seat_ids: Vec<&str> = inputs.seats.features.iter().map(|f| f.id.as_str()).collect();
    let coverage: Vec<f64> = covered.iter().zip(&seat_areas).map(|(c, a)| if *a > 0.0 { (c / a).min(1.0) } else { 0.0 }).collect();
    let claimed = |s: usize| inputs.claimed.is_some_and(|c| c[s]);
    let in_scope: Vec<bool> = coverage.iter().enumerate().map(|(s, &c)| c >= config.min_coverage && !claimed(s)).collect();
    let mut skipped_seats = Vec::new();
    for (s, &ok) in in_scope.iter().enumerate() {
        if !ok && covered[s] > 0.0 && !claimed(s) {
            skipped_seats.push((s, coverage[s]));
        }
        if ok && results.get(seat_ids[s]).is_none() {
            return Err(Error::Mismatch(format!(
                "{}: old seat `{}` ({}) holds wards but has no results row",
                results.source_name,
                seat_ids[s],
                inputs.seats.features[s].name.as_deref().unwrap_or("")
            )));
        }
    }
    let mut kept: Vec<(Part, MultiPolygon<f64>)> = Vec::new();
    let mut in_claimed = 0;
    for ((w, s, share), geometry) in raw.into_iter().zip(geometries) {
        if in_scope[s] {
            kept.push((Part { ward: w, seat: s, share, local_prior: false }, geometry));
        } else if claimed(s) {
            in_claimed += 1;
        } else {
            left_out.push((w, format!("{:.1}% of it lies in {}, which wards cover too little to estimate", share * 100.0, seat_ids[s])));
        }
    }
    kept.sort_by_key(|(p, _)| (p.seat, p.ward));
    let (parts, geometries) = kept.into_iter().unzip();
    let whole_seats = index
        .into_geometries()
        .into_iter()
        .enumerate()
        .filter(|&(s, _)| !in_scope[s] && !claimed(s) && results.get(seat_ids[s]).is_some())
        .collect();
    Ok(WardParts { parts, geometries, coverage, skipped_seats, whole_seats, left_out, in_claimed })
}

/// Steps 2–4 for one seat at a time: what every seat's estimate needs
/// besides its parts, held by ward and owned, so that the estimate can be
/// made again with other constants or resampled patterns
/// ([`Estimates::refit`]: an ensemble's draws).
pub struct WardModel {
    /// Party columns.
    k: usize,
    /// Per ward, its electorate (or, without electorates, its area).
    weight: Vec<f64>,
    /// Per ward, its local turnout (any scale) where known.
    turnout: Option<Vec<Option<f64>>>,
    /// Per ward, its local votes by result column (`None`: no local result
    /// with votes in any column).
    local: Vec<Option<Vec<f64>>>,
    /// Whether the results have an electorate column (scaled and rounded too).
    has_electorate: bool,
}

/// One seat's estimate.
struct SeatEstimate {
    /// Whole votes per part: parties, then electorate.
    rows: Vec<Vec<u64>>,
    iterations: usize,
    residual: f64,
    /// Per part, whether its prior came from local results.
    local_prior: Vec<bool>,
}

impl WardModel {
    /// The model's data from the inputs; local parties that match no
    /// column are added to `unmatched`.
    fn new(inputs: &Inputs<'_>, unmatched: &mut std::collections::BTreeSet<String>) -> Self {
        let keys: Vec<String> = inputs.results.table.parties().iter().map(|p| party_key(p)).collect();
        let other_col = keys.iter().position(|key| key == "oth");
        let k = keys.len();
        let weight = match inputs.electorate {
            Some(e) => e.to_vec(),
            None => inputs.wards_bng.iter().map(|g| g.unsigned_area()).collect(),
        };
        let local = inputs
            .wards
            .features
            .iter()
            .map(|f| {
                let l = inputs.local.and_then(|l| l.wards.get(&f.id))?;
                let mut mapped = vec![0.0; k];
                for (key, &v) in l {
                    match keys.iter().position(|kk| kk == key).or(other_col) {
                        Some(c) => mapped[c] += v,
                        None => {
                            unmatched.insert(key.clone());
                        }
                    }
                }
                (mapped.iter().sum::<f64>() > 0.0).then_some(mapped)
            })
            .collect();
        WardModel { k, weight, turnout: inputs.turnout.map(<[_]>::to_vec), local, has_electorate: inputs.results.table.has_electorate() }
    }

    /// Steps 2–4 for the parts of one seat, whose actual result is `actual`
    /// (parties, then electorate if known), rounded to whole votes.
    fn estimate(&self, parts: &[Part], actual: &[u64], config: &Config) -> SeatEstimate {
        let k = self.k;
        let votes = &actual[..k];
        let fit = self.fit(parts, actual, config, None);
        let n = parts.len();
        let mut seat_rows = vec![vec![0u64; k + 1]; n];
        for c in 0..k {
            if votes[c] == 0 {
                continue;
            }
            // largest_remainder shares equally when no weight is usable, so
            // the seat's votes are always placed in full.
            let col: Vec<f64> = fit.x.iter().map(|r| r[c]).collect();
            for (r, v) in largest_remainder(votes[c], &col).into_iter().enumerate() {
                seat_rows[r][c] = v;
            }
        }
        if self.has_electorate {
            for (r, v) in largest_remainder(actual[k], &fit.weight).into_iter().enumerate() {
                seat_rows[r][k] = v;
            }
        }
        SeatEstimate { rows: seat_rows, iterations: fit.iterations, residual: fit.residual, local_prior: fit.local_prior }
    }

    /// Steps 2–4 before rounding: each part's votes by party as fitted
    /// (each column adds up to the seat's actual votes), and each part's
    /// electorate. With `draw`, each ward's local votes are resampled.
    fn fit(&self, parts: &[Part], actual: &[u64], config: &Config, mut draw: Option<&mut Draw>) -> Fit {
        let k = self.k;
        let votes = &actual[..k];
        let valid: u64 = votes.iter().sum();
        let seat_shares: Vec<f64> = votes.iter().map(|&v| if valid > 0 { v as f64 / valid as f64 } else { 0.0 }).collect();
        let n = parts.len();
        let weight: Vec<f64> = parts.iter().map(|p| self.weight[p.ward] * p.share).collect();
        let turnout: Vec<f64> = match &self.turnout {
            Some(t) => {
                let known: Vec<Option<f64>> = parts.iter().map(|p| t[p.ward].filter(|x| *x > 0.0)).collect();
                let (num, den) = known.iter().zip(&weight).fold((0.0, 0.0), |(n, d), (t, w)| match t {
                    Some(t) => (n + t * w, d + w),
                    None => (n, d),
                });
                let mean = if den > 0.0 { num / den } else { 1.0 };
                known.iter().map(|t| t.map_or(1.0, |t| (t / mean).powf(config.turnout_damping))).collect()
            }
            None => vec![1.0; n],
        };
        let raw_rows: Vec<f64> = weight.iter().zip(&turnout).map(|(w, t)| w * t).collect();
        let raw_sum: f64 = raw_rows.iter().sum();
        let row_target: Vec<f64> =
            raw_rows.iter().map(|r| if raw_sum > 0.0 { r / raw_sum * valid as f64 } else { valid as f64 / (n) as f64 }).collect();

        let mut x: Vec<Vec<f64>> = Vec::with_capacity(n);
        let mut local_prior = Vec::with_capacity(n);
        let ln_seat: Vec<f64> = seat_shares.iter().map(|s| s.ln()).collect();
        for (i, p) in parts.iter().enumerate() {
            let prior = match &self.local[p.ward] {
                Some(mapped) => {
                    let sample;
                    let mapped = match draw.as_deref_mut() {
                        Some(d) => {
                            sample = d.dirichlet(mapped);
                            &sample
                        }
                        None => mapped,
                    };
                    let total: f64 = mapped.iter().sum();
                    let absent: f64 = (0..k).filter(|&c| mapped[c] == 0.0).map(|c| seat_shares[c]).sum();
                    let local: Vec<f64> =
                        (0..k).map(|c| if mapped[c] > 0.0 { mapped[c] / total * (1.0 - absent) } else { seat_shares[c] }).collect();
                    local_prior.push(true);
                    damp_logs(local, &seat_shares, &ln_seat, config.pattern_weight)
                }
                None => {
                    local_prior.push(false);
                    seat_shares.clone()
                }
            };
            x.push((0..k).map(|c| if votes[c] > 0 { prior[c].max(1e-9) * row_target[i] } else { 0.0 }).collect());
        }
        let (iterations, residual) = ipf(&mut x, &row_target, votes, config);
        Fit { x, weight, iterations, residual, local_prior }
    }
}

/// One seat's fit, before rounding.
struct Fit {
    /// Per part, votes by party.
    x: Vec<Vec<f64>>,
    /// Per part, its electorate (or area).
    weight: Vec<f64>,
    iterations: usize,
    residual: f64,
    local_prior: Vec<bool>,
}

/// A random draw's source of noise: seeded, so that a draw is the same on
/// any thread.
pub struct Draw {
    rng: rand_pcg::Pcg64Mcg,
}

impl Draw {
    /// The draw numbered `index` of the ensemble seeded `seed`: its own
    /// stream, from the seed and its number alone.
    ///
    /// ```
    /// use notional::election::estimate::Draw;
    /// let (mut a, mut b) = (Draw::new(7, 3), Draw::new(7, 3));
    /// assert_eq!(a.uniform(0.0, 1.0), b.uniform(0.0, 1.0));
    /// let shares = a.dirichlet(&[300.0, 100.0, 0.0]);
    /// assert!((shares.iter().sum::<f64>() - 400.0).abs() < 1e-9 && shares[2] == 0.0);
    /// ```
    pub fn new(seed: u64, index: u64) -> Self {
        use rand::SeedableRng;
        let mixed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03);
        Draw { rng: rand_pcg::Pcg64Mcg::seed_from_u64(mixed) }
    }

    /// A uniform number in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        use rand::RngExt;
        lo + (hi - lo) * self.rng.random::<f64>()
    }

    /// Counts drawn from a Dirichlet with `counts` as concentration (zero
    /// counts stay zero), scaled to the counts' total: a resample of a
    /// ward's local result, the sample of its leaning that it is.
    pub fn dirichlet(&mut self, counts: &[f64]) -> Vec<f64> {
        use rand_distr::{Distribution, Gamma};
        let total: f64 = counts.iter().sum();
        let g: Vec<f64> = counts
            .iter()
            .map(|&a| if a > 0.0 { Gamma::new(a, 1.0).map_or(a, |d| d.sample(&mut self.rng)) } else { 0.0 })
            .collect();
        let sum: f64 = g.iter().sum();
        if sum > 0.0 { g.iter().map(|x| x / sum * total).collect() } else { counts.to_vec() }
    }
}

/// `local^w × seat^(1−w)`, normalised to the local shares' total: the
/// local pattern pulled toward the seat's shares (`w` = 1 leaves it as it is).
///
/// ```
/// use notional::election::estimate::damp;
/// assert_eq!(damp(vec![0.8, 0.2], &[0.5, 0.5], 1.0), [0.8, 0.2]);
/// let half = damp(vec![0.8, 0.2], &[0.5, 0.5], 0.5);
/// assert!((half[0] - 0.8f64.sqrt() * 0.5f64.sqrt() / (0.4f64.sqrt() + 0.1f64.sqrt())).abs() < 1e-12);
/// assert_eq!(damp(vec![0.5, 0.5], &[0.5, 0.5], 0.3), [0.5, 0.5]); // the seat's own shares stay
/// ```
pub fn damp(local: Vec<f64>, seat: &[f64], w: f64) -> Vec<f64> {
    let ln_seat: Vec<f64> = seat.iter().map(|s| s.ln()).collect();
    damp_logs(local, seat, &ln_seat, w)
}

/// [`damp`] with the seat's shares' logarithms given (they are the same for
/// every part of a seat): `exp(w ln l + (1−w) ln s)`; a share equal to the
/// seat's is left as it is.
fn damp_logs(local: Vec<f64>, seat: &[f64], ln_seat: &[f64], w: f64) -> Vec<f64> {
    if w >= 1.0 {
        return local;
    }
    let total: f64 = local.iter().sum();
    let mixed: Vec<f64> = local
        .iter()
        .zip(seat)
        .zip(ln_seat)
        .map(|((l, s), ln_s)| match (*l > 0.0 && *s > 0.0, l == s) {
            (false, _) => 0.0,
            (true, true) => *s,
            (true, false) => (w * l.ln() + (1.0 - w) * ln_s).exp(),
        })
        .collect();
    let sum: f64 = mixed.iter().sum();
    if sum > 0.0 { mixed.iter().map(|m| m / sum * total).collect() } else { local }
}

/// The note on which old seats were estimated, with their votes.
fn run_notes(inputs: &Inputs<'_>, fits: &[SeatFit], seat_ids: &[&str]) -> Vec<String> {
    let results = inputs.results;
    let k = results.table.parties().len();
    let mut notes = Vec::new();
    let estimated: std::collections::HashSet<&str> = fits.iter().map(|f| seat_ids[f.seat]).collect();
    let claimed: std::collections::HashSet<&str> =
        seat_ids.iter().enumerate().filter(|(s, _)| inputs.claimed.is_some_and(|c| c[*s])).map(|(_, id)| *id).collect();
    let (mut n_out, mut v_out, mut v_all, mut n_claimed, mut v_claimed) = (0usize, 0u64, 0u64, 0usize, 0u64);
    for (r, id) in results.ids.iter().enumerate() {
        let v: u64 = results.table.row(r)[..k].iter().sum();
        v_all += v;
        if claimed.contains(id.as_str()) {
            n_claimed += 1;
            v_claimed += v;
        } else if !estimated.contains(id.as_str()) {
            n_out += 1;
            v_out += v;
        }
    }
    let claimed_text = if n_claimed > 0 { format!("; {n_claimed} estimated from other wards") } else { String::new() };
    let out_text = if n_out > 0 { format!("; {n_out} ({v_out} of {v_all} votes) have too few wards to estimate") } else { String::new() };
    notes.push(format!(
        "{} of {} old seats in {} estimated ({} votes){claimed_text}{out_text}",
        fits.len(),
        results.ids.len(),
        results.source_name,
        v_all - v_out - v_claimed,
    ));
    notes
}

/// Iterative proportional fitting of `x` (rows × columns) to row and column
/// targets. Ends on a column step, so columns are exact; returns the sweeps
/// used and the largest relative row residual.
///
/// ```
/// use notional::election::estimate::{ipf, Config};
/// let mut x = vec![vec![1.0, 1.0], vec![1.0, 3.0]];
/// let (_, residual) = ipf(&mut x, &[30.0, 70.0], &[40, 60], &Config::default());
/// assert!(residual < 1e-9);
/// assert!((x[0][0] + x[1][0] - 40.0).abs() < 1e-9 && (x[0][0] + x[0][1] - 30.0).abs() < 1e-6);
/// ```
pub fn ipf(x: &mut [Vec<f64>], rows: &[f64], cols: &[u64], config: &Config) -> (usize, f64) {
    let k = cols.len();
    let mut residual = f64::INFINITY;
    let mut iterations = 0;
    while iterations < config.max_iterations {
        iterations += 1;
        for (r, target) in x.iter_mut().zip(rows) {
            let s: f64 = r.iter().sum();
            if s > 0.0 {
                r.iter_mut().for_each(|v| *v *= target / s);
            }
        }
        for c in 0..k {
            let s: f64 = x.iter().map(|r| r[c]).sum();
            if s > 0.0 {
                let f = cols[c] as f64 / s;
                x.iter_mut().for_each(|r| r[c] *= f);
            }
        }
        residual = x
            .iter()
            .zip(rows)
            .map(|(r, t)| if *t > 0.0 { (r.iter().sum::<f64>() - t).abs() / t } else { 0.0 })
            .fold(0.0, f64::max);
        if residual < config.tolerance {
            break;
        }
    }
    (iterations, residual)
}
