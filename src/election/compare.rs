//! After **results**: compare notional results with a later actual result:
//! the later winner, `hold`/`gain from` labels judged against the notional
//! winner, and Butler swing.
//!
//! Butler swing from party A to party B between two elections is the average
//! of B's gain in share and A's loss, in percentage points:
//! `((B₂ − B₁) + (A₁ − A₂)) / 2`. The swing *needed* for the notional
//! runner-up to take a seat is half the notional winner's lead in share.

use crate::parties::party_key;
use crate::read::KeyedTable;
use crate::results::{Results, SeatResult};
use std::collections::HashMap;

/// Butler swing from `a` to `b`, in points, given both parties' shares (in %)
/// at the first and second election.
///
/// ```
/// use notional::election::compare::butler_swing;
/// // Wellingborough: Con 62.2 → 24.6, Lab 26.5 → 45.9 (2024 by-election).
/// let s = butler_swing((62.2, 26.5), (24.6, 45.9));
/// assert!((s - 28.5).abs() < 1e-9);
/// ```
pub fn butler_swing(first: (f64, f64), second: (f64, f64)) -> f64 {
    ((second.1 - first.1) + (first.0 - second.0)) / 2.0
}

/// A swing between two named parties.
#[derive(Debug, Clone, PartialEq)]
pub struct Swing {
    /// The party losing ground.
    pub from: String,
    /// The party gaining ground.
    pub to: String,
    /// Points, never negative.
    pub points: f64,
}

/// One seat's notional result set against its later actual result.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The later winner, as named in the later file.
    pub winner: String,
    /// `"Lab hold"`, `"Lab gain from Con"`.
    pub label: String,
    /// Swing between the two leading parties (the notional winner and the
    /// later winner, or the later runner-up when the seat was held), stated in
    /// the direction it went.
    pub swing: Option<Swing>,
    /// Swing from Conservative to Labour (negative: from Labour to
    /// Conservative), when both stood at both elections.
    pub con_lab: Option<f64>,
    /// The swing the notional runner-up needed to win (half the notional lead).
    pub needed: Option<Swing>,
}

/// Compares every seat of `results` that has a row in `later`.
///
/// ```
/// use notional::election::compare::compare;
/// use notional::read::{Input, KeyedTable};
/// use notional::results::{Results, SeatResult};
/// // Wellingborough 2019 (Con 62.2%, Lab 26.5%) and the 2024 by-election shares.
/// let notional = Results { parties: vec!["Con".into(), "Lab".into(), "Oth".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "E14001025", "Wellingborough", &[622, 265, 113], None)] };
/// let later = KeyedTable::read(&Input::from_text("2024.csv", "ONS ID,Con,Lab,Oth\nE14001025,246,459,295\n"), "ONS ID", None).unwrap();
/// let c = compare(&notional, &later)[0].clone().unwrap();
/// assert_eq!(c.label, "Lab gain from Con");
/// let swing = c.swing.unwrap();
/// assert_eq!((swing.from.as_str(), swing.to.as_str()), ("Con", "Lab"));
/// assert!((swing.points - 28.5).abs() < 1e-9);
/// assert!((c.needed.unwrap().points - 17.85).abs() < 1e-9); // "Labour needed 18"
/// ```
pub fn compare(results: &Results, later: &KeyedTable) -> Vec<Option<Comparison>> {
    compare_with_other_winner(results, later, None)
}

/// As [`compare`], knowing which seats an "other" candidate won.
///
/// An "other" column (`All other candidates`) adds up several candidates, so
/// it cannot rank as one: it counts only with the votes of the other
/// candidate who won the seat, from `other_winner` (the Commons Library's
/// `Of which other winner`), and is never first or second otherwise.
///
/// ```
/// use notional::election::compare::compare_with_other_winner;
/// use notional::read::{Input, KeyedTable};
/// use notional::results::{Results, SeatResult};
/// use std::collections::HashMap;
/// let notional = Results { parties: vec!["Con".into(), "Lab".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "S1", "Hall Green", &[100, 500], None)] };
/// // Several other candidates together out-poll Labour, but none of them won.
/// let later = KeyedTable::read(&Input::from_text("l.csv", "ONS ID,Con,Lab,All other candidates\nS1,50,400,600\n"), "ONS ID", None).unwrap();
/// let none_won = HashMap::from([("S1".to_string(), 0u64)]);
/// let c = compare_with_other_winner(&notional, &later, Some(&none_won))[0].clone().unwrap();
/// assert_eq!(c.label, "Lab hold");
/// ```
pub fn compare_with_other_winner(
    results: &Results,
    later: &KeyedTable,
    other_winner: Option<&HashMap<String, u64>>,
) -> Vec<Option<Comparison>> {
    let later_parties = later.table.parties();
    let later_keys: Vec<String> = later_parties.iter().map(|p| party_key(p)).collect();
    let keys: Vec<String> = results.parties.iter().map(|p| party_key(p)).collect();
    results
        .seats
        .iter()
        .map(|seat| {
            let row = later.get(&seat.code)?;
            let votes = &row[..later_parties.len()];
            // Votes for ranking: an "other" column counts only as its winning candidate.
            let other = other_winner.and_then(|m| m.get(&seat.code)).copied().unwrap_or(0);
            let rank: Vec<u64> =
                votes.iter().zip(&later_keys).map(|(&v, k)| if k == "oth" { other.min(v) } else { v }).collect();
            compare_seat(results, &keys, seat, later_parties, &later_keys, votes, &rank)
        })
        .collect()
}

fn compare_seat(
    results: &Results,
    keys: &[String],
    seat: &SeatResult,
    later_parties: &[String],
    later_keys: &[String],
    later_votes: &[u64],
    rank: &[u64],
) -> Option<Comparison> {
    let later_total: u64 = later_votes.iter().sum();
    let notional_winner = seat.winner?;
    if later_total == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..later_votes.len()).collect();
    order.sort_by(|&a, &b| rank[b].cmp(&rank[a]).then(a.cmp(&b)));
    let (w2, r2) = (order[0], order.get(1).copied());
    let share1 = |key: &str| keys.iter().position(|k| k == key).map(|p| seat.share(p));
    let share2 = |key: &str| later_keys.iter().position(|k| k == key).map(|p| later_votes[p] as f64 / later_total as f64 * 100.0);
    // Names as the later file writes them where it has the party, else the notional file's.
    let name = |key: &str, fallback: &str| {
        later_keys.iter().position(|k| k == key).map_or(fallback.to_string(), |p| later_parties[p].clone())
    };
    let swing = |from_key: &str, to_key: &str| -> Option<Swing> {
        let first = (share1(from_key)?, share1(to_key)?);
        let second = (share2(from_key)?, share2(to_key)?);
        // No swing with a party that did not stand at one of the elections.
        if [first.0, first.1, second.0, second.1].contains(&0.0) {
            return None;
        }
        let points = butler_swing(first, second);
        let (from, to) = (name(from_key, from_key), name(to_key, to_key));
        // Report the direction the swing went: always a positive number of points.
        Some(if points < 0.0 { Swing { from: to, to: from, points: -points } } else { Swing { from, to, points } })
    };

    let n_key = &keys[notional_winner];
    let n_name = name(n_key, &results.parties[notional_winner]);
    let w_key = &later_keys[w2];
    let label = if w_key == n_key {
        format!("{} hold", later_parties[w2])
    } else {
        format!("{} gain from {n_name}", later_parties[w2])
    };
    let other = if w_key != n_key { Some(w_key.clone()) } else { r2.map(|r| later_keys[r].clone()) };
    let needed = seat.second.map(|r| Swing {
        from: n_name.clone(),
        to: name(&keys[r], &results.parties[r]),
        points: (seat.share(notional_winner) - seat.share(r)) / 2.0,
    });
    Some(Comparison {
        winner: later_parties[w2].clone(),
        label,
        swing: other.and_then(|o| swing(n_key, &o)),
        con_lab: swing("con", "lab").map(|s| if party_key(&s.from) == "con" { s.points } else { -s.points }),
        needed,
    })
}
