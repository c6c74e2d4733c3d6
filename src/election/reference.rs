//! An independent check of the geometry: each ward's split over the new
//! seats, as the run made it (by area), against a **reference table** of
//! ward → new seat weights from other evidence (counts of postcodes, say),
//! for the wards both share.

use crate::error::{Error, Result};
use crate::read::{parse_count, read_columns, Input};
use std::collections::HashMap;

/// A reference table: one row per ward, with pairs of (new seat, weight)
/// columns.
#[derive(Debug, Clone)]
pub struct ReferenceSpec {
    /// The table (CSV).
    pub input: Input,
    /// The ward code column.
    pub ward: String,
    /// The (new seat, weight) column pairs.
    pub pairs: Vec<(String, String)>,
    /// Whether new seats are named rather than coded (matched to the new
    /// seats' names, ignoring case, accents and punctuation).
    pub by_name: bool,
}

/// How the run's ward → new seat weights agree with a reference table.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// The table's name.
    pub source: String,
    /// Wards in both the run and the table.
    pub shared: usize,
    /// Of those, wards whose largest share is in the same new seat.
    pub same_main_seat: usize,
    /// Mean over shared wards of half the summed absolute differences of
    /// their shares (0: the same split, 1: no seat in common).
    pub mean_difference: f64,
    /// Shared wards split between seats by the table, and of those the ones
    /// the run splits too (by more than 1% of the ward).
    pub split: (usize, usize),
    /// The wards differing most: code, difference.
    pub worst: Vec<(String, f64)>,
    /// Table rows naming a new seat that is not one of the run's (not compared).
    pub unknown_seats: Vec<String>,
}

/// A name for matching: accents dropped, lower case, letters and digits only.
///
/// ```
/// use notional::election::reference::fold;
/// assert_eq!(fold("Ynys Môn"), fold("Ynys Mon"));
/// assert_eq!(fold("Montgomeryshire and Glyndŵr"), "montgomeryshireandglyndwr");
/// ```
pub fn fold(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ŵ' => 'w',
            'ŷ' | 'ÿ' | 'ý' => 'y',
            'À' | 'Á' | 'Â' | 'Ä' => 'a',
            'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'Ò' | 'Ó' | 'Ô' | 'Ö' => 'o',
            'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'Ŵ' => 'w',
            'Ŷ' => 'y',
            other => other,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl ReferenceSpec {
    /// Compares `ours` (ward code → (new seat index, share), shares summing
    /// to 1) with the table; `seats` are the new seats' (id, name) by index.
    ///
    /// ```
    /// use notional::election::reference::ReferenceSpec;
    /// use notional::read::Input;
    /// let table = "ward,seat1,n1,seat2,n2\nA,North,90,South,10\nB,South,5,,\n";
    /// let spec = ReferenceSpec { input: Input::from_text("t.csv", table), ward: "ward".into(),
    ///     pairs: vec![("seat1".into(), "n1".into()), ("seat2".into(), "n2".into())], by_name: true };
    /// let seats = [("N1".to_string(), "North".to_string()), ("S1".to_string(), "South".to_string())];
    /// let ours = [("A".to_string(), vec![(0, 0.8), (1, 0.2)]), ("B".to_string(), vec![(1, 1.0)])].into_iter().collect();
    /// let a = spec.compare(&ours, &seats).unwrap();
    /// assert_eq!((a.shared, a.same_main_seat, a.split), (2, 2, (1, 1)));
    /// assert!((a.mean_difference - 0.05).abs() < 1e-12); // A differs by 0.1, B by 0
    /// ```
    pub fn compare(&self, ours: &HashMap<String, Vec<(usize, f64)>>, seats: &[(String, String)]) -> Result<Agreement> {
        let src = self.input.name();
        let key = |id: &str, name: &str| if self.by_name { fold(name) } else { id.trim().to_string() };
        let seat_index: HashMap<String, usize> = seats.iter().enumerate().map(|(i, (id, name))| (key(id, name), i)).collect();
        let mut names: Vec<&str> = vec![&self.ward];
        for (s, w) in &self.pairs {
            names.push(s);
            names.push(w);
        }
        let rows = read_columns(&self.input, &names)?;
        let mut unknown = std::collections::BTreeSet::new();
        let (mut shared, mut same, mut total_diff, mut split, mut split_both) = (0usize, 0usize, 0.0, 0usize, 0usize);
        let mut diffs: Vec<(String, f64)> = Vec::new();
        for (line, r) in rows {
            let Some(mine) = ours.get(r[0].trim()) else { continue };
            let mut theirs: Vec<(usize, f64)> = Vec::new();
            let mut known = true;
            for (p, (seat_col, weight_col)) in self.pairs.iter().enumerate() {
                let (seat, weight) = (r[1 + 2 * p].trim(), r[2 + 2 * p].trim());
                if seat.is_empty() && weight.is_empty() {
                    continue;
                }
                let w = parse_count(weight).map_err(|m| Error::field(src, format!("line {line}"), weight_col, m))? as f64;
                match seat_index.get(&key(seat, seat)) {
                    Some(&t) => theirs.push((t, w)),
                    None => {
                        unknown.insert(format!("{seat} (line {line}, {seat_col})"));
                        known = false;
                    }
                }
            }
            let total: f64 = theirs.iter().map(|t| t.1).sum();
            if !known || total <= 0.0 {
                continue;
            }
            shared += 1;
            let mut share: HashMap<usize, (f64, f64)> = HashMap::new();
            for &(t, w) in mine {
                share.entry(t).or_default().0 += w;
            }
            for &(t, w) in &theirs {
                share.entry(t).or_default().1 += w / total;
            }
            let d: f64 = share.values().map(|(a, b)| (a - b).abs()).sum::<f64>() / 2.0;
            total_diff += d;
            diffs.push((r[0].trim().to_string(), d));
            let main = |pick: fn(&(f64, f64)) -> f64| share.iter().max_by(|a, b| pick(a.1).total_cmp(&pick(b.1)).then(b.0.cmp(a.0))).map(|(t, _)| *t);
            if main(|s| s.0) == main(|s| s.1) {
                same += 1;
            }
            if theirs.len() > 1 {
                split += 1;
                if mine.iter().filter(|(_, w)| *w > 0.01).count() > 1 {
                    split_both += 1;
                }
            }
        }
        diffs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        diffs.truncate(5);
        Ok(Agreement {
            source: src.to_string(),
            shared,
            same_main_seat: same,
            mean_difference: if shared > 0 { total_diff / shared as f64 } else { 0.0 },
            split: (split, split_both),
            worst: diffs,
            unknown_seats: unknown.into_iter().collect(),
        })
    }
}

impl std::fmt::Display for Agreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = |n: usize| if self.shared > 0 { n as f64 / self.shared as f64 * 100.0 } else { 0.0 };
        write!(
            f,
            "ward → new seat weights against {}: {} wards shared; same main seat for {} ({:.1}%); mean difference of the split {:.2}% of a ward; {} split by the table, {} of them split here too",
            self.source,
            self.shared,
            self.same_main_seat,
            pct(self.same_main_seat),
            self.mean_difference * 100.0,
            self.split.0,
            self.split.1
        )?;
        if !self.worst.is_empty() {
            let w: Vec<String> = self.worst.iter().map(|(c, d)| format!("{c} {:.0}%", d * 100.0)).collect();
            write!(f, "; differing most: {}", w.join(", "))?;
        }
        if !self.unknown_seats.is_empty() {
            write!(f, "; {} row(s) name a seat not in the run, not compared, e.g. {}", self.unknown_seats.len(), self.unknown_seats[0])?;
        }
        Ok(())
    }
}
