//! Step 6 of the pipeline: **results**: per target, votes per party, total,
//! winner, runner-up, majority, and electorate and turnout when known.

use rayon::prelude::*;
use crate::aggregate::Allocation;

/// One target's notional result.
#[derive(Debug, Clone, PartialEq)]
pub struct SeatResult {
    /// Index of the target in its layer.
    pub target: usize,
    /// Target id (e.g. an ONS code).
    pub code: String,
    /// Target name (empty if unknown).
    pub name: String,
    /// Votes per party, in the parties' order.
    pub votes: Vec<u64>,
    /// Sum of `votes`.
    pub total: u64,
    /// Index of the winning party; `None` when no votes. A tie goes to the earlier party.
    pub winner: Option<usize>,
    /// Index of the runner-up; `None` with fewer than two parties.
    pub second: Option<usize>,
    /// Winner's votes minus runner-up's.
    pub majority: u64,
    /// `majority` as a percentage of `total`.
    pub majority_pct: f64,
    /// Electorate, when the units carried one.
    pub electorate: Option<u64>,
    /// `total` as a percentage of `electorate`.
    pub turnout: Option<f64>,
}

impl SeatResult {
    /// Builds a result from a row of counts (parties, then the electorate if `has_electorate`).
    ///
    /// ```
    /// use notional::results::SeatResult;
    /// let r = SeatResult::new(0, "E14001310", "Kensington and Bayswater", &[21004, 21394, 11048], Some(75000));
    /// assert_eq!((r.winner, r.second, r.majority), (Some(1), Some(0), 390));
    /// assert!((r.majority_pct - 390.0 / 53446.0 * 100.0).abs() < 1e-9);
    /// ```
    pub fn new(target: usize, code: &str, name: &str, votes: &[u64], electorate: Option<u64>) -> Self {
        let total: u64 = votes.iter().sum();
        let mut order: Vec<usize> = (0..votes.len()).collect();
        order.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then(a.cmp(&b)));
        let winner = (total > 0).then(|| order[0]);
        let second = if total > 0 { order.get(1).copied() } else { None };
        let majority = match (winner, second) {
            (Some(w), Some(s)) => votes[w] - votes[s],
            (Some(w), None) => votes[w],
            _ => 0,
        };
        let pct = |x: u64, of: u64| if of > 0 { x as f64 / of as f64 * 100.0 } else { 0.0 };
        SeatResult {
            target,
            code: code.to_string(),
            name: name.to_string(),
            votes: votes.to_vec(),
            total,
            winner,
            second,
            majority,
            majority_pct: pct(majority, total),
            electorate,
            turnout: electorate.filter(|&e| e > 0).map(|e| pct(total, e)),
        }
    }

    /// Share of the total for party `p`, in percent.
    pub fn share(&self, p: usize) -> f64 {
        if self.total == 0 { 0.0 } else { self.votes[p] as f64 / self.total as f64 * 100.0 }
    }
}

/// All targets' results.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Party names, in input order.
    pub parties: Vec<String>,
    /// Whether results carry electorate and turnout.
    pub has_electorate: bool,
    /// One per target that received any share of a unit, in target order.
    pub seats: Vec<SeatResult>,
}

impl Results {
    /// Builds results for every target that received a share of some unit.
    /// `ids` and `names` are per target.
    pub fn new(parties: &[String], has_electorate: bool, ids: &[&str], names: &[&str], allocation: &Allocation) -> Self {
        let n = parties.len();
        let seats = (0..ids.len())
            .into_par_iter()
            .filter(|&t| allocation.received[t])
            .map(|t| {
                let row = allocation.row(t);
                let electorate = has_electorate.then(|| row[n]);
                SeatResult::new(t, ids[t], names[t], &row[..n], electorate)
            })
            .collect();
        Results { parties: parties.to_vec(), has_electorate, seats }
    }

    /// The result for a target id, if it received votes.
    pub fn seat(&self, code: &str) -> Option<&SeatResult> {
        self.seats.iter().find(|s| s.code == code)
    }

    /// The party name of an index.
    pub fn party(&self, p: Option<usize>) -> &str {
        p.map_or("", |p| self.parties[p].as_str())
    }
}
