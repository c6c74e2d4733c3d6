use crate::crosswalk::Crosswalk;
use crate::read::VoteTable;
use crate::results::Results;
use super::chunked::write_rows;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// An extra results column: its name and one value per seat (in results order).
pub type Extra = (String, Vec<String>);

/// Writes `results.csv`: `code,name,<parties>,total,winner,second,majority,majority_pct`,
/// then `electorate,turnout` when known, then any `extra` columns (a name and
/// one value per seat). Percentages have two decimals.
///
/// ```
/// use notional::export::results_csv;
/// use notional::results::{Results, SeatResult};
/// let results = Results { parties: vec!["con".into(), "lab".into()], has_electorate: false,
///     seats: vec![SeatResult::new(0, "S1", "North", &[40, 60], None)] };
/// let mut out = Vec::new();
/// results_csv(&results, &[], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(),
///     "code,name,con,lab,total,winner,second,majority,majority_pct\nS1,North,40,60,100,lab,con,20,20.00\n");
/// ```
pub fn results_csv(results: &Results, extra: &[Extra], out: impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = vec!["code", "name"];
    header.extend(results.parties.iter().map(String::as_str));
    header.extend(["total", "winner", "second", "majority", "majority_pct"]);
    if results.has_electorate {
        header.extend(["electorate", "turnout"]);
    }
    header.extend(extra.iter().map(|e| e.0.as_str()));
    w.write_record(&header)?;
    for (i, s) in results.seats.iter().enumerate() {
        let mut row: Vec<String> = vec![s.code.clone(), s.name.clone()];
        row.extend(s.votes.iter().map(u64::to_string));
        row.push(s.total.to_string());
        row.push(results.party(s.winner).to_string());
        row.push(results.party(s.second).to_string());
        row.push(s.majority.to_string());
        row.push(format!("{:.2}", s.majority_pct));
        if results.has_electorate {
            row.push(s.electorate.map_or(String::new(), |e| e.to_string()));
            row.push(s.turnout.map_or(String::new(), |t| format!("{t:.2}")));
        }
        row.extend(extra.iter().map(|e| e.1[i].clone()));
        w.write_record(&row)?;
    }
    w.flush()
}

/// Writes `crosswalk.csv`: `from,to,weight`, one row per unit and target it
/// shares in (weights of a unit sum to 1; a unit outside every target has no row).
///
/// ```
/// use notional::crosswalk::{Crosswalk, Method, UnitWeights};
/// use notional::export::crosswalk_csv;
/// let cw = Crosswalk { method: Method::Area, units: vec![
///     UnitWeights::placed(vec![(0, 0.25), (1, 0.75)], 1.0)] };
/// let mut out = Vec::new();
/// crosswalk_csv(&cw, &["W1"], &["S1", "S2"], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "from,to,weight\nW1,S1,0.25\nW1,S2,0.75\n");
/// ```
pub fn crosswalk_csv(crosswalk: &Crosswalk, unit_ids: &[&str], target_ids: &[&str], out: impl Write + Send) -> io::Result<()> {
    let mut out = out;
    out.write_all(b"from,to,weight\n")?;
    let (units, targets) = (escaped(unit_ids), escaped(target_ids));
    // A row: unit, target, and a weight of up to 20 characters.
    let target_len = targets.iter().map(|t| t.len()).max().unwrap_or(0);
    let size = |u: usize| crosswalk.units[u].weights.len() * (units[u].len() + target_len + 23);
    write_rows(crosswalk.units.len(), &mut out, size, |range, buf| {
        let (mut number, mut shortest) = (String::new(), ryu::Buffer::new());
        for u in range {
            for &(t, weight) in &crosswalk.units[u].weights {
                buf.extend_from_slice(units[u].as_bytes());
                buf.push(b',');
                buf.extend_from_slice(targets[t].as_bytes());
                buf.push(b',');
                buf.extend_from_slice(weight_text(weight, &mut shortest, &mut number).as_bytes());
                buf.push(b'\n');
            }
        }
        Ok(())
    })
}

/// A weight as `{}` writes it: the shortest digits that read back as the
/// same `f64`, without an exponent. From 1e-5 up to 1 that is what ryu
/// writes, in a fraction of the time (`{}`'s shortest-digit search was a
/// sixth of writing synthetic 100k's outputs); elsewhere `{}` itself.
fn weight_text<'a>(weight: f64, shortest: &'a mut ryu::Buffer, number: &'a mut String) -> &'a str {
    if weight == 1.0 {
        "1"
    } else if (1e-5..1.0).contains(&weight) {
        shortest.format_finite(weight)
    } else {
        number.clear();
        write!(number, "{weight}").expect("writing to a String");
        number
    }
}

/// Each text as one CSV field: as it is, or quoted (with quotes doubled)
/// where it holds a comma, a quote or a line break, as the csv crate writes it.
fn escaped<'a>(texts: &[&'a str]) -> Vec<Cow<'a, str>> {
    texts
        .iter()
        .map(|&t| {
            if t.contains([',', '"', '\n', '\r']) {
                Cow::Owned(format!("\"{}\"", t.replace('"', "\"\"")))
            } else {
                Cow::Borrowed(t)
            }
        })
        .collect()
}

/// Writes `ledger.csv`, the conservation ledger: for every unit and party,
/// `unit,party,votes_in,allocated,unallocated,cause` (cause is blank when the
/// unit was placed; otherwise `no geometry`, `gap`, `outside` or
/// `zero weight`). The electorate is not a party and is not listed.
///
/// ```
/// use notional::crosswalk::{Crosswalk, Method, UnitWeights, Unplaced};
/// use notional::export::ledger_csv;
/// use notional::read::VoteTable;
/// let votes = VoteTable::new(vec!["lab".into()], false, vec![vec![7], vec![3]]);
/// let cw = Crosswalk { method: Method::Area, units: vec![
///     UnitWeights::placed(vec![(0, 1.0)], 1.0), UnitWeights::unplaced(Unplaced::Gap)] };
/// let mut out = Vec::new();
/// ledger_csv(&votes, &cw, &["W1", "W2"], &mut out).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(),
///     "unit,party,votes_in,allocated,unallocated,cause\nW1,lab,7,7,0,\nW2,lab,3,0,3,gap\n");
/// ```
pub fn ledger_csv(votes: &VoteTable, crosswalk: &Crosswalk, unit_ids: &[&str], out: impl Write + Send) -> io::Result<()> {
    let mut out = out;
    out.write_all(b"unit,party,votes_in,allocated,unallocated,cause\n")?;
    let parties: Vec<&str> = votes.parties().iter().map(String::as_str).collect();
    let (units, parties) = (escaped(unit_ids), escaped(&parties));
    // A row: unit, party, three counts (mostly under seven digits) and a cause.
    let party_len = parties.iter().map(|p| p.len()).max().unwrap_or(0);
    let size = |u: usize| parties.len() * (units[u].len() + party_len + 40);
    // Each party's name with the comma after it, and each row's three counts
    // and cause assembled on the stack: a row is then four copies.
    let party_fields: Vec<Vec<u8>> = parties.iter().map(|p| [p.as_bytes(), b","].concat()).collect();
    write_rows(crosswalk.units.len(), &mut out, size, |range, buf| {
        let mut n = itoa::Buffer::new();
        for u in range {
            let row = &crosswalk.units[u];
            let cause = row.cause().map_or("", |c| c.as_str()).as_bytes();
            let placed = !row.is_outside();
            for (party, &v) in party_fields.iter().zip(votes.row(u)) {
                // `v,v,0,` when placed, `v,0,v,cause` when not, and the line
                // break: two counts of at most 20 digits and a cause of a
                // few letters.
                let mut tail = [0u8; 96];
                let digits = n.format(v).as_bytes();
                let d = digits.len();
                tail[..d].copy_from_slice(digits);
                let len = if placed {
                    tail[d] = b',';
                    tail[d + 1..2 * d + 1].copy_from_slice(digits);
                    tail[2 * d + 1..2 * d + 5].copy_from_slice(b",0,\n");
                    2 * d + 5
                } else {
                    tail[d..d + 3].copy_from_slice(b",0,");
                    tail[d + 3..2 * d + 3].copy_from_slice(digits);
                    tail[2 * d + 3] = b',';
                    let c = 2 * d + 4;
                    tail[c..c + cause.len()].copy_from_slice(cause);
                    tail[c + cause.len()] = b'\n';
                    c + cause.len() + 1
                };
                buf.extend_from_slice(units[u].as_bytes());
                buf.push(b',');
                buf.extend_from_slice(party);
                buf.extend_from_slice(&tail[..len]);
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::weight_text;

    #[test]
    fn weights_are_written_as_display_writes_them() {
        let (mut shortest, mut number) = (ryu::Buffer::new(), String::new());
        let mut check = |w: f64| {
            let got = weight_text(w, &mut shortest, &mut number).to_string();
            assert_eq!(got, w.to_string(), "{w:e}");
        };
        // Both ends of ryu's range and the values either side of them, powers
        // of ten, and a million weights spread over [1e-7, 1] by exponent.
        for w in [1.0, 1e-5, 0.5, 0.1, 0.01, 0.001, 1e-4, 1e-6, 1e-7, 1e-300, 0.0, 0.25, 1.0 / 3.0, 2.0, 1e20] {
            check(w);
            check(f64::from_bits(w.to_bits() + 1));
            if w > 0.0 {
                check(f64::from_bits(w.to_bits() - 1));
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1_000_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let unit = (seed >> 11) as f64 / (1u64 << 53) as f64;
            check(10f64.powf(-7.0 * unit));
        }
    }
}
