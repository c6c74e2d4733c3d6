use crate::results::Results;
use std::fmt::Write;

/// A plain-text table of results for the terminal: one line per seat with
/// winner, majority, each party's votes and share, total and turnout.
///
/// ```
/// use notional::export::results_table;
/// use notional::results::{Results, SeatResult};
/// let results = Results { parties: vec!["con".into(), "lab".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "S1", "North", &[40, 60], None)] };
/// let table = results_table(&results);
/// assert!(table.contains("North"));
/// assert!(table.contains("lab") && table.contains("60 (60.0%)"));
/// ```
pub fn results_table(results: &Results) -> String {
    let name_w = results.seats.iter().map(|s| s.name.chars().count()).max().unwrap_or(4).max(4);
    let code_w = results.seats.iter().map(|s| s.code.len()).max().unwrap_or(4).max(4);
    let cell_w: Vec<usize> = results
        .parties
        .iter()
        .enumerate()
        .map(|(p, name)| {
            results.seats.iter().map(|s| format!("{} ({:.1}%)", s.votes[p], s.share(p)).len()).max().unwrap_or(0).max(name.len())
        })
        .collect();
    let mut out = String::new();
    let _ = write!(out, "{:code_w$}  {:name_w$}  {:7} {:>9} {:>7}", "code", "name", "winner", "majority", "maj%");
    for (p, name) in results.parties.iter().enumerate() {
        let _ = write!(out, "  {:>w$}", name, w = cell_w[p]);
    }
    let _ = write!(out, "  {:>8}", "total");
    if results.has_electorate {
        let _ = write!(out, "  {:>7}", "turnout");
    }
    out.push('\n');
    for s in &results.seats {
        let _ = write!(
            out,
            "{:code_w$}  {:name_w$}  {:7} {:>9} {:>6.2}%",
            s.code,
            s.name,
            results.party(s.winner),
            s.majority,
            s.majority_pct
        );
        for (p, w) in cell_w.iter().enumerate() {
            let _ = write!(out, "  {:>w$}", format!("{} ({:.1}%)", s.votes[p], s.share(p)));
        }
        let _ = write!(out, "  {:>8}", s.total);
        if results.has_electorate {
            let _ = write!(out, "  {:>6.1}%", s.turnout.unwrap_or(0.0));
        }
        out.push('\n');
    }
    out
}
