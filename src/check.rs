//! Diagnostics of a run, weighted by votes: what the inputs' problems put at
//! stake. `notional check` prints them in full (words or JSON); every
//! `apportion` prints their one-line count.

use crate::apportion::{Outcome, UNCOVERED_TOLERANCE};
use crate::crosswalk::Crosswalk;
use crate::read::{Layer, VoteTable};
use crate::geometry::repair::Repair;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;

/// Targets overlapping inside a unit by more than this share of it are reported.
pub const OVERLAP_TOLERANCE: f64 = 1e-4;

/// One layer's diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// `units` or `targets`.
    pub role: &'static str,
    /// The file.
    pub file: String,
    /// Number of features.
    pub features: usize,
    /// The detected CRS.
    pub crs: String,
    /// Why that CRS.
    pub crs_reason: String,
    /// What the reader dropped or noticed (collapsed rings, null geometries).
    pub reader_warnings: Vec<String>,
    /// Invalid features, repaired or rejected.
    pub invalid: Vec<FeatureRepair>,
    /// Features not checked: targets that no unit can reach, left out of a
    /// run ([`crate::geometry::reach`]). `notional check` checks them all.
    pub unchecked: usize,
}

/// An invalid feature and what was done.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureRepair {
    /// Feature index.
    pub feature: usize,
    /// Its id.
    pub id: String,
    /// What was wrong.
    pub problems: Vec<String>,
    /// `repaired` or `rejected`.
    pub action: &'static str,
    /// Area as drawn, m².
    pub area_before_m2: f64,
    /// Area after repair, m².
    pub area_after_m2: f64,
}

/// A unit with votes at stake.
#[derive(Debug, Clone, Serialize)]
pub struct AtStake {
    /// The unit's id.
    pub unit: String,
    /// Its votes (all parties).
    pub votes: u64,
    /// The share of the unit concerned (uncovered, overlapping, or in slivers).
    pub share: f64,
    /// Votes affected: moved by renormalisation or snapping, or not placed.
    pub votes_at_stake: f64,
    /// What is wrong, in words.
    pub what: String,
}

/// Coverage problems, weighted by votes.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Votes read.
    pub votes_in: u64,
    /// Units whose votes could not be placed at all.
    pub unplaced: Vec<AtStake>,
    /// Units partly outside every target (their votes were shared over the covered part).
    pub partly_outside: Vec<AtStake>,
    /// Units inside which targets overlap (votes that would be counted twice without renormalisation).
    pub overlaps: Vec<AtStake>,
    /// Units with shares in a target below the sliver tolerance.
    pub slivers: Vec<AtStake>,
    /// The sliver tolerance (share of a unit).
    pub sliver_tolerance: f64,
    /// Targets that received nothing.
    pub targets_receiving_nothing: Vec<String>,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Units, then targets.
    pub layers: Vec<LayerReport>,
    /// Coverage problems.
    pub coverage: Coverage,
    /// Every warning, one line each (empty when all is well).
    pub warnings: Vec<String>,
}

/// Diagnoses a run. `sliver` is the share of a unit below which a piece of it
/// in a target counts as a sliver.
///
/// ```
/// use notional::apportion::{apportion, Options};
/// use notional::check::check;
/// use notional::progress::Silent;
/// let (wards, seats) = notional::demo::inputs();
/// let outcome = apportion(&wards, &seats, None, &Options::default(), &Silent).unwrap();
/// let report = check(&outcome, 1e-4);
/// assert!(report.coverage.unplaced.is_empty());
/// // One demo ward touches a second seat by a sliver (a straight lon/lat edge curves in BNG).
/// assert_eq!(report.coverage.slivers.len(), 1);
/// assert_eq!(report.coverage.slivers[0].unit, "E05013797");
/// ```
pub fn check(outcome: &Outcome, sliver: f64) -> CheckReport {
    let target_ids: Vec<&str> = outcome.target_ids();
    let coverage = coverage(&outcome.votes, &outcome.crosswalk, &outcome.unit_ids(), &target_ids, &outcome.allocation.received, sliver);
    let layers = vec![
        layer_report("units", &outcome.units, &outcome.units_crs, &outcome.unit_repairs, 0),
        layer_report("targets", &outcome.targets, &outcome.targets_crs, &outcome.target_repairs, outcome.unchecked_targets.len()),
    ];
    let warnings = warnings(&layers, &coverage);
    CheckReport { layers, coverage, warnings }
}

/// Coverage problems of any crosswalk, weighted by votes: what `check`
/// reports, and what `recompute` counts in its summary.
pub fn coverage(votes: &VoteTable, crosswalk: &Crosswalk, unit_ids: &[&str], target_ids: &[&str], received: &[bool], sliver: f64) -> Coverage {
    let n = votes.parties().len();
    let total = |u: usize| -> u64 { votes.row(u)[..n].iter().sum() };
    // Each unit's problems, in parallel (a pass over every unit's weights,
    // scattered in memory: 30-40 ms at a million units on one thread), kept
    // only for the units that have one, in unit order.
    let problems: Vec<[Option<AtStake>; 4]> = crosswalk
        .units
        .par_iter()
        .enumerate()
        .filter_map(|(u, row)| {
            let v = total(u);
            let at = |share: f64, stake: f64, what: String| AtStake { unit: unit_ids[u].to_string(), votes: v, share, votes_at_stake: stake, what };
            if let Some(cause) = row.cause() {
                return Some([Some(at(1.0, v as f64, cause.as_str().to_string())), None, None, None]);
            }
            let partly = (1.0 - row.covered > UNCOVERED_TOLERANCE).then(|| {
                let share = 1.0 - row.covered;
                at(share, v as f64 * share, "partly outside every target".into())
            });
            let overlap = (row.covered - 1.0 > OVERLAP_TOLERANCE).then(|| {
                let targets: Vec<&str> = row.weights.iter().map(|&(t, _)| target_ids[t]).collect();
                let share = (row.covered - 1.0) / row.covered;
                at(share, v as f64 * share, format!("targets {} overlap here", targets.join(", ")))
            });
            let small: f64 = row.weights.iter().filter(|w| w.1 < sliver).map(|w| w.1).sum();
            let sliver = (small > 0.0).then(|| {
                at(small, v as f64 * small, format!("{} share(s) under {sliver}", row.weights.iter().filter(|w| w.1 < sliver).count()))
            });
            let found = [None, partly, overlap, sliver];
            found.iter().any(Option::is_some).then_some(found)
        })
        .collect();
    let [mut unplaced, mut partly_outside, mut overlaps, mut slivers] = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for [a, b, c, d] in problems {
        unplaced.extend(a);
        partly_outside.extend(b);
        overlaps.extend(c);
        slivers.extend(d);
    }
    let targets_receiving_nothing =
        received.iter().zip(target_ids).filter(|(r, _)| !**r).map(|(_, id)| id.to_string()).collect();
    Coverage {
        votes_in: (0..votes.len()).into_par_iter().map(total).sum(),
        unplaced,
        partly_outside,
        overlaps,
        slivers,
        sliver_tolerance: sliver,
        targets_receiving_nothing,
    }
}

impl Coverage {
    /// One line: the count of each kind of problem, with votes at stake.
    ///
    /// ```
    /// use notional::check::Coverage;
    /// let c = Coverage { votes_in: 10, unplaced: vec![], partly_outside: vec![], overlaps: vec![],
    ///     slivers: vec![], sliver_tolerance: 0.001, targets_receiving_nothing: vec![] };
    /// assert_eq!(c.one_line(), "no coverage problems");
    /// ```
    pub fn one_line(&self) -> String {
        let parts: Vec<String> = [
            (&self.unplaced, "not placed"),
            (&self.partly_outside, "partly outside every target"),
            (&self.overlaps, "under overlapping targets"),
            (&self.slivers, "with slivers"),
        ]
        .iter()
        .filter(|(l, _)| !l.is_empty())
        .map(|(l, what)| format!("{} unit(s) {what} ({:.0} votes at stake)", l.len(), total(l)))
        .collect();
        if parts.is_empty() { "no coverage problems".to_string() } else { parts.join("; ") }
    }
}

fn layer_report(role: &'static str, layer: &Layer, crs: &crate::geometry::crs::Detected, repairs: &[Repair], unchecked: usize) -> LayerReport {
    LayerReport {
        unchecked,
        role,
        file: layer.source_name.clone(),
        features: layer.features.len(),
        crs: crs.crs.to_string(),
        crs_reason: crs.reason.clone(),
        reader_warnings: layer.warnings.iter().map(ToString::to_string).collect(),
        invalid: repairs
            .iter()
            .map(|r| FeatureRepair {
                feature: r.feature,
                id: layer.features[r.feature].id.clone(),
                problems: r.problems.clone(),
                action: if r.repaired { "repaired" } else { "rejected" },
                area_before_m2: r.area_before,
                area_after_m2: r.area_after,
            })
            .collect(),
    }
}

fn total(list: &[AtStake]) -> f64 {
    // fold from +0.0: an empty f64 `sum()` is -0.0, printed "-0".
    list.iter().fold(0.0, |t, a| t + a.votes_at_stake)
}

fn warnings(layers: &[LayerReport], c: &Coverage) -> Vec<String> {
    let mut w = Vec::new();
    for l in layers {
        if !l.reader_warnings.is_empty() {
            w.push(format!("{} ({}): {} reader warning(s)", l.role, l.file, l.reader_warnings.len()));
        }
        let rejected = l.invalid.iter().filter(|r| r.action == "rejected").count();
        if !l.invalid.is_empty() {
            w.push(format!("{} ({}): {} invalid feature(s), {} repaired, {rejected} rejected", l.role, l.file, l.invalid.len(), l.invalid.len() - rejected));
        }
    }
    let mut line = |list: &[AtStake], what: &str| {
        if !list.is_empty() {
            w.push(format!("{} unit(s) {what}: {:.0} votes at stake", list.len(), total(list)));
        }
    };
    line(&c.unplaced, "could not be placed");
    line(&c.partly_outside, "partly outside every target (votes shared over the covered part)");
    line(&c.overlaps, "where targets overlap (counted once by renormalising)");
    line(&c.slivers, "with sliver shares");
    if !c.targets_receiving_nothing.is_empty() {
        w.push(format!("{} target(s) received nothing", c.targets_receiving_nothing.len()));
    }
    w
}

impl CheckReport {
    /// One line for a run's summary.
    pub fn one_line(&self) -> String {
        if self.warnings.is_empty() {
            "no problems found".to_string()
        } else {
            format!("{} warning(s); `notional check` for details", self.warnings.len())
        }
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.layers {
            writeln!(f, "{} {}: {} features, {} ({})", l.role, l.file, l.features, l.crs, l.crs_reason)?;
            for w in &l.reader_warnings {
                writeln!(f, "  {w}")?;
            }
            if l.unchecked > 0 {
                writeln!(f, "  {} feature(s) no unit can reach were not checked (they receive nothing)", l.unchecked)?;
            }
            for r in &l.invalid {
                writeln!(
                    f,
                    "  feature {} (id {}) {}: {}; area {:.0} m² → {:.0} m²",
                    r.feature,
                    r.id,
                    r.action,
                    r.problems.join("; "),
                    r.area_before_m2,
                    r.area_after_m2
                )?;
            }
        }
        let c = &self.coverage;
        if c.votes_in == 0 {
            writeln!(f, "coverage (no votes in: the geometry alone, every count below is 0):")?;
        } else {
            writeln!(f, "coverage ({} votes in):", c.votes_in)?;
        }
        let mut section = |title: &str, list: &[AtStake]| -> fmt::Result {
            writeln!(f, "  {title}: {} unit(s), {:.0} votes at stake", list.len(), total(list))?;
            let mut sorted: Vec<&AtStake> = list.iter().collect();
            sorted.sort_by(|a, b| b.votes_at_stake.total_cmp(&a.votes_at_stake).then(a.unit.cmp(&b.unit)));
            for a in sorted.iter().take(10) {
                writeln!(f, "    {}: {:.1}% of {} votes ({:.0}): {}", a.unit, a.share * 100.0, a.votes, a.votes_at_stake, a.what)?;
            }
            if sorted.len() > 10 {
                writeln!(f, "    … and {} more", sorted.len() - 10)?;
            }
            Ok(())
        };
        section("not placed", &c.unplaced)?;
        section("partly outside every target", &c.partly_outside)?;
        section("targets overlapping", &c.overlaps)?;
        section(&format!("slivers (shares under {})", c.sliver_tolerance), &c.slivers)?;
        writeln!(f, "  targets receiving nothing: {}", c.targets_receiving_nothing.len())?;
        if self.warnings.is_empty() {
            writeln!(f, "no problems found")
        } else {
            writeln!(f, "{} warning(s):", self.warnings.len())?;
            for w in &self.warnings {
                writeln!(f, "  {w}")?;
            }
            Ok(())
        }
    }
}
