//! Step 5 of the pipeline: **aggregate**: turn each unit's integer counts into
//! integer shares for its targets and sum them per target.
//!
//! Each count is split with largest-remainder rounding, unit by unit, so the
//! shares of a unit add up to exactly its count: integer totals are conserved.
//! A unit wholly outside every target keeps its counts as *unallocated*.
//! Integer sums do not depend on the order of addition, so the result is the
//! same whatever the thread count.

use crate::crosswalk::{Crosswalk, Unplaced};
use std::collections::BTreeMap;
use crate::read::{column_sums, VoteTable};
use rayon::prelude::*;

/// Splits `count` over `weights` (which sum to 1) in whole numbers, by largest
/// remainder: each target gets the floor of its quota, and the votes left over
/// go one each to the largest fractional parts (ties to the earlier target).
/// The parts always add up to `count`.
///
/// ```
/// use notional::aggregate::largest_remainder;
/// assert_eq!(largest_remainder(10, &[0.5, 0.5]), vec![5, 5]);
/// assert_eq!(largest_remainder(10, &[0.34, 0.33, 0.33]), vec![4, 3, 3]);
/// assert_eq!(largest_remainder(1, &[0.5, 0.5]), vec![1, 0]);
/// assert_eq!(largest_remainder(7, &[1.0]), vec![7]);
/// assert_eq!(largest_remainder(9, &[f64::NAN, -1.0, 0.0]), vec![3, 3, 3]); // no usable weight: equal shares
/// assert_eq!(largest_remainder(10, &[1e308, 1e308]), vec![5, 5]);
/// ```
pub fn largest_remainder(count: u64, weights: &[f64]) -> Vec<u64> {
    let (mut parts, mut shares) = (vec![0u64; weights.len()], Vec::new());
    shares_into(weights, &mut shares);
    split_into(count, &shares, &mut parts, &mut Vec::new());
    parts
}

/// The shares [`largest_remainder`] splits by, into `out`: weights that are
/// negative or not finite count as 0, the rest are normalised, so the quotas
/// never exceed the count; all zero, equal shares. (Once per unit, for all
/// its columns.)
fn shares_into(weights: &[f64], out: &mut Vec<f64>) {
    let clean = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
    let sum: f64 = weights.iter().map(|&w| clean(w)).sum();
    out.clear();
    if sum > 0.0 && sum.is_finite() {
        out.extend(weights.iter().map(|&w| clean(w) / sum));
    } else {
        out.extend(weights.iter().map(|_| 1.0 / weights.len() as f64));
    }
}

/// [`largest_remainder`] of `count` by `shares` ([`shares_into`]) into
/// `parts` (as long), with a reusable buffer: no allocation once it has grown.
fn split_into(count: u64, shares: &[f64], parts: &mut [u64], fractions: &mut Vec<(usize, f64)>) {
    parts.fill(0);
    if shares.is_empty() || count == 0 {
        return;
    }
    fractions.clear();
    let mut assigned = 0u64;
    for (j, part) in parts.iter_mut().enumerate() {
        let quota = count as f64 * shares[j];
        // The quota is finite and not negative: truncation is its floor
        // (without a call to libm's `floor` on x86-64's baseline).
        let floor = (quota as u64).min(count);
        *part = floor;
        assigned = assigned.saturating_add(floor);
        fractions.push((j, quota - floor as f64));
    }
    // Largest fraction first; ties to the earlier target.
    match fractions.as_mut_slice() {
        [a, b] => {
            if b.1.total_cmp(&a.1).is_gt() {
                std::mem::swap(a, b);
            }
        }
        f => f.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))),
    }
    if assigned > count {
        // Rounding of normalised shares can only overshoot by a few: take them
        // back from the smallest fractions, at most what each part holds.
        let mut excess = assigned - count;
        for &(j, _) in fractions.iter().rev() {
            let take = excess.min(parts[j]);
            parts[j] -= take;
            excess -= take;
            if excess == 0 {
                break;
            }
        }
        assigned = count;
    }
    let left = count - assigned;
    let n = fractions.len() as u64;
    for (k, &(j, _)) in fractions.iter().enumerate() {
        // Usually `left < n`; the division covers weights that summed to less than 1.
        parts[j] += left / n + u64::from((k as u64) < left % n);
    }
}

/// Buffers for splitting one unit's counts (one per task).
#[derive(Default)]
struct Scratch {
    weights: Vec<f64>,
    shares: Vec<f64>,
    parts: Vec<u64>,
    fractions: Vec<(usize, f64)>,
}

/// Counts per target, and what could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Columns per row (parties, then electorate if any), as in the [`VoteTable`].
    pub width: usize,
    /// Row-major `targets × width` counts.
    pub per_target: Vec<u64>,
    /// Whether each target received any share of any unit.
    pub received: Vec<bool>,
    /// Per column, the counts of units wholly outside every target.
    pub unallocated: Vec<u64>,
    /// The units whose counts are unallocated.
    pub unallocated_units: Vec<usize>,
    /// Per cause, the unallocated counts per column.
    pub unallocated_by_cause: BTreeMap<Unplaced, Vec<u64>>,
}

impl Allocation {
    /// The counts of target `t` (parties, then electorate).
    pub fn row(&self, t: usize) -> &[u64] {
        &self.per_target[t * self.width..(t + 1) * self.width]
    }

    /// Column totals allocated to targets.
    pub fn allocated_totals(&self) -> Vec<u64> {
        column_sums(&self.per_target, self.width)
    }

    /// The units placed nowhere, in unit order, each with its votes (all
    /// parties) and its cause, as the ledger gives it: what the summaries and
    /// the report list.
    ///
    /// ```
    /// use notional::aggregate::allocate;
    /// use notional::crosswalk::{Crosswalk, Method, UnitWeights, Unplaced};
    /// use notional::read::VoteTable;
    /// let votes = VoteTable::new(vec!["lab".into()], true, vec![vec![7, 100], vec![3, 50]]);
    /// let cw = Crosswalk { method: Method::Area, units: vec![
    ///     UnitWeights::placed(vec![(0, 1.0)], 1.0), UnitWeights::unplaced(Unplaced::Gap)] };
    /// assert_eq!(allocate(&votes, &cw, 1).unplaced(&votes, &cw), vec![(1, 3, Unplaced::Gap)]);
    /// ```
    pub fn unplaced(&self, votes: &VoteTable, crosswalk: &Crosswalk) -> Vec<(usize, u64, Unplaced)> {
        let parties = votes.parties().len();
        self.unallocated_units.iter().map(|&u| (u, votes.row(u)[..parties].iter().sum(), cause(crosswalk, u))).collect()
    }
}

/// The cause of unit `u`'s votes staying unallocated (a unit with no weights
/// always has one: [`crate::crosswalk::UnitWeights::cause`]).
fn cause(crosswalk: &Crosswalk, u: usize) -> Unplaced {
    crosswalk.units[u].cause().unwrap_or(Unplaced::ZeroWeight)
}

/// The ledger's party totals: votes in, allocated, unallocated (the
/// electorate is not a party and is left out). `in = allocated + unallocated`.
///
/// ```
/// use notional::aggregate::{allocate, ledger_totals};
/// use notional::crosswalk::{Crosswalk, Method, UnitWeights, Unplaced};
/// use notional::read::VoteTable;
/// let votes = VoteTable::new(vec!["lab".into()], true, vec![vec![7, 100], vec![3, 50]]);
/// let cw = Crosswalk { method: Method::Area, units: vec![
///     UnitWeights::placed(vec![(0, 1.0)], 1.0), UnitWeights::unplaced(Unplaced::Gap)] };
/// assert_eq!(ledger_totals(&votes, &allocate(&votes, &cw, 1)), (10, 7, 3));
/// ```
pub fn ledger_totals(votes: &VoteTable, allocation: &Allocation) -> (u64, u64, u64) {
    let n = votes.parties().len();
    let sum = |v: &[u64]| v[..n].iter().sum::<u64>();
    (sum(&votes.totals()), sum(&allocation.allocated_totals()), sum(&allocation.unallocated))
}

/// Allocates every unit's counts to targets through the crosswalk.
///
/// ```
/// use notional::aggregate::allocate;
/// use notional::crosswalk::{Crosswalk, Method, UnitWeights, Unplaced};
/// use notional::read::VoteTable;
/// let votes = VoteTable::new(vec!["lab".into()], false, vec![vec![11], vec![5]]);
/// let cw = Crosswalk { method: Method::Area, units: vec![
///     UnitWeights::placed(vec![(0, 0.5), (1, 0.5)], 1.0),
///     UnitWeights::unplaced(Unplaced::Outside),
/// ]};
/// let a = allocate(&votes, &cw, 2);
/// assert_eq!((a.row(0)[0], a.row(1)[0]), (6, 5));
/// assert_eq!(a.unallocated, vec![5]);
/// assert_eq!(a.unallocated_units, vec![1]);
/// ```
pub fn allocate(votes: &VoteTable, crosswalk: &Crosswalk, n_targets: usize) -> Allocation {
    let width = votes.width();
    assert_eq!(votes.len(), crosswalk.units.len(), "one crosswalk row per unit");
    // Per target and column, and which targets received a share: one
    // parallel pass, each thread summing into its own table.
    // (Each task sums at least 256 units: every table costs a
    // zeroing and a merge.)
    // The units placed nowhere are listed in the same pass, in order (the
    // pieces are combined left to right).
    let (per_target, received, unallocated_units, _) = (0..crosswalk.units.len())
        .into_par_iter()
        .with_min_len(256)
        .fold(
            || (vec![0u64; n_targets * width], vec![false; n_targets], Vec::new(), Scratch::default()),
            |(mut acc, mut received, mut outside, mut scratch), u| {
                let weights = &crosswalk.units[u].weights;
                if crosswalk.units[u].is_outside() {
                    outside.push(u);
                }
                let row = votes.row(u);
                for &(t, w) in weights {
                    received[t] |= w > 0.0;
                }
                match weights.as_slice() {
                    [] => {}
                    [(t, _)] => {
                        for (c, v) in row.iter().enumerate() {
                            acc[t * width + c] += v;
                        }
                    }
                    _ => {
                        let Scratch { weights: w, shares, parts, fractions } = &mut scratch;
                        w.clear();
                        w.extend(weights.iter().map(|p| p.1));
                        shares_into(w, shares);
                        parts.resize(w.len(), 0);
                        for (c, &v) in row.iter().enumerate() {
                            split_into(v, shares, parts, fractions);
                            for (&part, (t, _)) in parts.iter().zip(weights) {
                                acc[t * width + c] += part;
                            }
                        }
                    }
                }
                (acc, received, outside, scratch)
            },
        )
        .reduce(
            || (vec![0u64; n_targets * width], vec![false; n_targets], Vec::new(), Scratch::default()),
            |(mut a, mut ra, mut oa, s), (b, rb, ob, _)| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                for (x, y) in ra.iter_mut().zip(rb) {
                    *x |= y;
                }
                oa.extend(ob);
                (a, ra, oa, s)
            },
        );
    let mut unallocated = vec![0u64; width];
    let mut unallocated_by_cause: BTreeMap<Unplaced, Vec<u64>> = BTreeMap::new();
    for &u in &unallocated_units {
        let by_cause = unallocated_by_cause.entry(cause(crosswalk, u)).or_insert_with(|| vec![0; width]);
        for ((t, c), v) in unallocated.iter_mut().zip(by_cause.iter_mut()).zip(votes.row(u)) {
            *t += v;
            *c += v;
        }
    }
    Allocation { width, per_target, received, unallocated, unallocated_units, unallocated_by_cause }
}
