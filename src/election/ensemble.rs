//! How sure is each notional? An **ensemble** makes the ward estimates again
//! many times over the choices a careful analyst could defensibly make (how
//! far to trust local patterns, how much local turnout says) and over the
//! sampling noise in the local results themselves (a ward's result is a
//! sample of how it leans: resampled from a Dirichlet with its own votes as
//! concentration). Every draw reproduces every old seat's result exactly and
//! conserves every vote; the geometry (the crosswalk) is computed once, only
//! estimation and aggregation repeat. Per new seat it reports percentiles of
//! each party's votes and share, each party's win probability, and a call.
//!
//! Draws are seeded by their number alone and folded into the summaries in
//! draw order, so the same seed gives the same bytes on any number of
//! threads; memory does not grow with the number of draws (percentiles are
//! estimated as they stream by, with the P² algorithm).

use super::estimate::{Config, Draw};
use crate::crosswalk::Crosswalk;
use crate::election::estimate::Estimates;
use rayon::prelude::*;

/// What varies between draws, and how many there are; a recipe's
/// `[ensemble]` table, every key optional (the defaults are [`Default`]'s).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnsembleSpec {
    /// Number of draws.
    pub draws: usize,
    /// Seed: the same seed gives the same results.
    pub seed: u64,
    /// Each draw's pattern weight is the set's own ± this (within 0..=1).
    pub pattern_weight_spread: f64,
    /// Each draw's turnout damping is uniform in this range.
    pub turnout_damping: (f64, f64),
    /// Whether local results are resampled in each draw.
    pub resample: bool,
    /// The share of draws that take the old seats themselves as units, each
    /// spread over the new seats by where its electorate went (the route
    /// without ward patterns), instead of ward estimates.
    pub old_seat_share: f64,
}

impl Default for EnsembleSpec {
    fn default() -> Self {
        EnsembleSpec { draws: 1000, seed: 1, pattern_weight_spread: 0.3, turnout_damping: (0.0, 1.0), resample: true, old_seat_share: 0.2 }
    }
}

impl EnsembleSpec {
    /// Checks the spec: at least one draw, ranges within 0..=1.
    ///
    /// ```
    /// use notional::election::ensemble::EnsembleSpec;
    /// assert!(EnsembleSpec::default().validate().is_ok());
    /// assert!(EnsembleSpec { draws: 0, ..EnsembleSpec::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> crate::error::Result<()> {
        let (lo, hi) = self.turnout_damping;
        let bad = |what: String| Err(crate::error::Error::Mismatch(format!("ensemble: {what}")));
        if self.draws == 0 {
            return bad("draws must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.old_seat_share) {
            return bad(format!("old_seat_share = {} is outside 0..=1", self.old_seat_share));
        }
        if !(0.0..=1.0).contains(&self.pattern_weight_spread) {
            return bad(format!("pattern_weight_spread = {} is outside 0..=1", self.pattern_weight_spread));
        }
        if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
            return bad(format!("turnout_damping = [{lo}, {hi}] is not a range within 0..=1"));
        }
        Ok(())
    }
}

/// How confident a call is, from the leader's win probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    /// The leader wins in at least [`SAFE`] of the draws.
    Safe,
    /// At least [`LIKELY`].
    Likely,
    /// At least [`LEAN`].
    Lean,
    /// Less.
    Tossup,
}

/// Win probability from which a call is `safe`.
pub const SAFE: f64 = 0.99;
/// Win probability from which a call is `likely`.
pub const LIKELY: f64 = 0.90;
/// Win probability from which a call is `lean`.
pub const LEAN: f64 = 0.70;

impl Call {
    /// The call for a leader winning with probability `p`.
    ///
    /// ```
    /// use notional::election::ensemble::Call;
    /// assert_eq!(Call::of(1.0), Call::Safe);
    /// assert_eq!(Call::of(0.61), Call::Tossup);
    /// ```
    pub fn of(p: f64) -> Call {
        if p >= SAFE {
            Call::Safe
        } else if p >= LIKELY {
            Call::Likely
        } else if p >= LEAN {
            Call::Lean
        } else {
            Call::Tossup
        }
    }

    /// In words.
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Safe => "safe",
            Call::Likely => "likely",
            Call::Lean => "lean",
            Call::Tossup => "tossup",
        }
    }
}

/// One new seat's spread.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatSpread {
    /// Per party: 5th, 50th and 95th percentile of its votes.
    pub votes: Vec<[f64; 3]>,
    /// Per party: the same of its share of the seat's votes (0..1).
    pub shares: Vec<[f64; 3]>,
    /// Per party: the share of draws it won.
    pub wins: Vec<f64>,
    /// The party winning most draws.
    pub leader: usize,
    /// The call.
    pub call: Call,
}

/// The ensemble's results, per new seat (by target index).
#[derive(Debug, Clone, PartialEq)]
pub struct Ensemble {
    /// What was run.
    pub spec: EnsembleSpec,
    /// Per target.
    pub seats: Vec<SeatSpread>,
    /// Wall time per draw, seconds (estimation and aggregation).
    pub seconds_per_draw: f64,
}

/// The IPF tolerance of a draw's rows (the central estimate's is 10⁻⁹): a
/// part's total within 0.01% of its turnout model, ample for a spread.
pub const DRAW_TOLERANCE: f64 = 1e-4;

/// Draws folded into the summaries at a time (bounded memory).
const CHUNK: usize = 64;

/// Another estimate of the seats of one set (`set`), with its own
/// crosswalk: drawn instead of that set's estimate, for the seats it has,
/// in half of the draws.
pub struct Alternative<'a> {
    /// The set whose seats it estimates.
    pub set: usize,
    /// The estimates.
    pub estimates: &'a Estimates,
    /// Their parts → the targets.
    pub crosswalk: &'a Crosswalk,
}

/// Runs the ensemble. `sets` are the ward sets whose parts are the
/// crosswalk's first units, in order; `alternatives` other estimates of some
/// sets' seats; `fixed` the votes (parties) of the units after the sets'
/// (old seats carried whole), which do not vary; `old_seats` the targets'
/// votes with the old seats as units, spread by electorate, taken by
/// [`EnsembleSpec::old_seat_share`] of the draws.
pub fn run(
    sets: &[&Estimates],
    alternatives: &[Alternative<'_>],
    fixed: &[Vec<u64>],
    crosswalk: &Crosswalk,
    old_seats: &[Vec<f64>],
    spec: &EnsembleSpec,
) -> Ensemble {
    let targets = old_seats.len();
    let start = std::time::Instant::now();
    let k = sets.first().map_or_else(|| fixed.first().map_or(0, Vec::len), |s| s.parties.len());
    let mut acc: Vec<Vec<Summary>> = (0..targets).map(|_| (0..k).map(|_| Summary::new()).collect()).collect();
    let mut wins = vec![vec![0usize; k]; targets];
    let mut done = 0;
    while done < spec.draws {
        let chunk: Vec<usize> = (done..(done + CHUNK).min(spec.draws)).collect();
        let totals: Vec<Vec<Vec<f64>>> = chunk.par_iter().map(|&d| one_draw(sets, alternatives, fixed, crosswalk, old_seats, k, spec, d)).collect();
        for t in totals {
            for (s, seat) in t.iter().enumerate() {
                let sum: f64 = seat.iter().sum();
                if sum <= 0.0 {
                    continue;
                }
                for (p, &v) in seat.iter().enumerate() {
                    // A party with no votes in any old seat feeding this one
                    // has none in any draw: nothing to track.
                    if v > 0.0 || acc[s][p].seen() {
                        acc[s][p].add(v, v / sum);
                    }
                }
                let leader = (0..k).fold(0, |b, p| if seat[p] > seat[b] { p } else { b });
                wins[s][leader] += 1;
            }
        }
        done += chunk.len();
    }
    let n = spec.draws.max(1) as f64;
    let seats = acc
        .into_iter()
        .zip(wins)
        .map(|(parties, w)| {
            let wins: Vec<f64> = w.iter().map(|&c| c as f64 / n).collect();
            let leader = (0..k).fold(0, |b, p| if wins[p] > wins[b] { p } else { b });
            let call = Call::of(wins.get(leader).copied().unwrap_or(0.0));
            SeatSpread {
                votes: parties.iter().map(|a| a.votes.values()).collect(),
                shares: parties.iter().map(|a| a.shares.values()).collect(),
                wins,
                leader,
                call,
            }
        })
        .collect();
    Ensemble { spec: spec.clone(), seats, seconds_per_draw: start.elapsed().as_secs_f64() / n }
}

/// One draw: every set's estimates made again with drawn constants and
/// resampled patterns (or, by a coin, an alternative's for its seats),
/// aggregated onto the targets (votes per party).
#[allow(clippy::too_many_arguments)]
fn one_draw(
    sets: &[&Estimates],
    alternatives: &[Alternative<'_>],
    fixed: &[Vec<u64>],
    crosswalk: &Crosswalk,
    old_seats: &[Vec<f64>],
    k: usize,
    spec: &EnsembleSpec,
    d: usize,
) -> Vec<Vec<f64>> {
    let mut draw = Draw::new(spec.seed, d as u64);
    if draw.uniform(0.0, 1.0) < spec.old_seat_share {
        return old_seats.to_vec();
    }
    let mut out = vec![vec![0.0; k]; old_seats.len()];
    let add = |out: &mut Vec<Vec<f64>>, row: &mut dyn Iterator<Item = f64>, weights: &[(usize, f64)]| {
        for (p, v) in row.enumerate() {
            for &(t, w) in weights {
                out[t][p] += v * w;
            }
        }
    };
    let refit = |e: &Estimates, draw: &mut Draw| {
        let c = &e.config;
        let config = Config {
            pattern_weight: draw.uniform((c.pattern_weight - spec.pattern_weight_spread).max(0.0), (c.pattern_weight + spec.pattern_weight_spread).min(1.0)),
            turnout_damping: draw.uniform(spec.turnout_damping.0, spec.turnout_damping.1),
            // Columns stay exact (IPF ends on them); rows to DRAW_TOLERANCE.
            tolerance: DRAW_TOLERANCE,
            ..c.clone()
        };
        e.refit(&config, if spec.resample { Some(draw) } else { None })
    };
    let mut unit = 0;
    for (i, set) in sets.iter().enumerate() {
        let rows = refit(set, &mut draw);
        // The alternative's seats, when the coin picks it.
        let mut replaced: Vec<bool> = Vec::new();
        if let Some(alt) = alternatives.iter().find(|a| a.set == i) {
            if draw.uniform(0.0, 1.0) < 0.5 {
                let alt_rows = refit(alt.estimates, &mut draw);
                for (u, row) in alt_rows.iter().enumerate() {
                    add(&mut out, &mut row.iter().copied(), &alt.crosswalk.units[u].weights);
                }
                replaced = vec![false; alt.estimates.fits.iter().map(|f| f.seat + 1).max().unwrap_or(0)];
                for f in &alt.estimates.fits {
                    replaced[f.seat] = true;
                }
            }
        }
        for (row, part) in rows.iter().zip(&set.parts) {
            if !replaced.get(part.seat).copied().unwrap_or(false) {
                add(&mut out, &mut row.iter().copied(), &crosswalk.units[unit].weights);
            }
            unit += 1;
        }
    }
    for row in fixed {
        add(&mut out, &mut row[..k].iter().map(|&v| v as f64), &crosswalk.units[unit].weights);
        unit += 1;
    }
    out
}

/// The 5th, 50th and 95th percentiles of one party's votes and share in one
/// seat, as the draws stream by.
struct Summary {
    votes: Quantiles,
    shares: Quantiles,
}

impl Summary {
    fn new() -> Self {
        Summary { votes: Quantiles::new(), shares: Quantiles::new() }
    }
    fn add(&mut self, votes: f64, share: f64) {
        self.votes.add(votes);
        self.shares.add(share);
    }
    fn seen(&self) -> bool {
        self.votes.0[0].count > 0
    }
}

/// The 5th, 50th and 95th percentiles of a stream.
struct Quantiles([P2; 3]);

impl Quantiles {
    fn new() -> Self {
        Quantiles([P2::new(0.05), P2::new(0.5), P2::new(0.95)])
    }
    fn add(&mut self, x: f64) {
        self.0.iter_mut().for_each(|q| q.add(x));
    }
    fn values(&self) -> [f64; 3] {
        [self.0[0].value(), self.0[1].value(), self.0[2].value()]
    }
}

/// One quantile of a stream in constant memory: the P² algorithm (Jain and
/// Chlamtac, 1985), five markers moved by parabolic interpolation. Exact
/// for up to five values.
struct P2 {
    p: f64,
    heights: [f64; 5],
    positions: [f64; 5],
    desired: [f64; 5],
    increments: [f64; 5],
    count: usize,
}

impl P2 {
    fn new(p: f64) -> Self {
        P2 {
            p,
            heights: [0.0; 5],
            positions: [1.0, 2.0, 3.0, 4.0, 5.0],
            desired: [1.0, 1.0 + 2.0 * p, 1.0 + 4.0 * p, 3.0 + 2.0 * p, 5.0],
            increments: [0.0, p / 2.0, p, (1.0 + p) / 2.0, 1.0],
            count: 0,
        }
    }

    fn add(&mut self, x: f64) {
        if self.count < 5 {
            self.heights[self.count] = x;
            self.count += 1;
            if self.count == 5 {
                self.heights.sort_by(f64::total_cmp);
            }
            return;
        }
        self.count += 1;
        let h = &mut self.heights;
        let k = if x < h[0] {
            h[0] = x;
            0
        } else if x >= h[4] {
            h[4] = x;
            3
        } else {
            (0..4).find(|&i| x < h[i + 1]).unwrap_or(3)
        };
        for i in k + 1..5 {
            self.positions[i] += 1.0;
        }
        for i in 0..5 {
            self.desired[i] += self.increments[i];
        }
        for i in 1..4 {
            let d = self.desired[i] - self.positions[i];
            if (d >= 1.0 && self.positions[i + 1] - self.positions[i] > 1.0) || (d <= -1.0 && self.positions[i - 1] - self.positions[i] < -1.0) {
                let s = d.signum();
                let (n0, n1, n2) = (self.positions[i - 1], self.positions[i], self.positions[i + 1]);
                let (q0, q1, q2) = (self.heights[i - 1], self.heights[i], self.heights[i + 1]);
                let parabolic = q1 + s / (n2 - n0) * ((n1 - n0 + s) * (q2 - q1) / (n2 - n1) + (n2 - n1 - s) * (q1 - q0) / (n1 - n0));
                self.heights[i] = if q0 < parabolic && parabolic < q2 {
                    parabolic
                } else {
                    let j = if s > 0.0 { i + 1 } else { i - 1 };
                    q1 + s * (self.heights[j] - q1) / (self.positions[j] - n1)
                };
                self.positions[i] += s;
            }
        }
    }

    fn value(&self) -> f64 {
        match self.count {
            0 => 0.0,
            n if n < 5 => {
                let mut v = self.heights[..n].to_vec();
                v.sort_by(f64::total_cmp);
                v[((n - 1) as f64 * self.p).round() as usize]
            }
            _ => self.heights[2],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::P2;

    #[test]
    fn p2_tracks_quantiles_of_a_known_stream() {
        // 1..=10,000 in a scrambled order: the 5th, 50th, 95th percentiles are about 500, 5000, 9500.
        for (p, want) in [(0.05, 500.0), (0.5, 5000.0), (0.95, 9500.0)] {
            let mut q = P2::new(p);
            for i in 0..10_000u64 {
                q.add(((i * 7919) % 10_000 + 1) as f64);
            }
            assert!((q.value() - want).abs() < 50.0, "p {p}: {}", q.value());
        }
        let mut few = P2::new(0.5);
        [3.0, 1.0, 2.0].iter().for_each(|&x| few.add(x));
        assert_eq!(few.value(), 2.0);
    }
}
