//! Which columns of an input hold votes, when the user has not named them.
//!
//! The rule, the same for GeoJSON properties and CSV cells:
//! - a column named as a known party ([`crate::parties::is_known`]) holds
//!   votes, whatever is in it;
//! - so does a column whose cells are numbers in most rows (a bad cell in it,
//!   `n/a`, `NaN`, `-5`, is then an error naming its place, never a reason
//!   to drop the column);
//! - a column is skipped only when it is text throughout, mostly fractions
//!   (shares, coordinates), or a well-known non-vote field (object ids, areas,
//!   totals); every skipped column is listed ([`SkippedColumn`]) so that the
//!   summary can name it;
//! - a column mixing a minority of numbers with text is refused: nobody can
//!   tell whether it is votes.

use super::number::{count, NotCount};
use crate::parties;
use serde_json::Value;
use std::fmt;

/// Numeric fields that are never vote columns, skipped when parties are not
/// listed explicitly (compared case-insensitively).
const NOT_VOTES: &[&str] = &[
    "objectid", "fid", "id", "bng_e", "bng_n", "lat", "long", "lon", "lng", "x", "y",
    "shape__area", "shape__length", "shape_area", "shape_length", "area", "perimeter",
    "total", "total votes", "valid votes", "invalid votes", "majority", "turnout",
    "turnout (%)", "num_councillors", "vacancies", "year", "of which other winner",
];

/// Whether `name` is a well-known non-vote field (object ids, coordinates,
/// areas, totals).
pub(crate) fn is_not_votes(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    NOT_VOTES.contains(&lower.as_str())
}

/// A column that was not counted as votes, and why.
///
/// ```
/// use notional::read::{SkippedColumn, SkipReason};
/// let s = SkippedColumn { name: "ward".into(), reason: SkipReason::Text };
/// assert_eq!(s.to_string(), "ward (text)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedColumn {
    /// The column or property name.
    pub name: String,
    /// Why it was not counted.
    pub reason: SkipReason,
}

/// Why a column was not counted as votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Every non-blank value is text.
    Text,
    /// Most values are fractions (shares, coordinates), none text.
    Fractions,
    /// A well-known non-vote field (object id, area, coordinate, total).
    NotVotes,
    /// Numbers in a minority of rows among text: only in an input read as a
    /// pattern (local results), where such a column is left out rather than
    /// the run stopped.
    Mixed {
        /// Rows holding a number.
        numbers: usize,
        /// Rows holding text.
        texts: usize,
    },
}

impl fmt::Display for SkippedColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            SkipReason::Text => write!(f, "{} (text)", self.name),
            SkipReason::Fractions => write!(f, "{} (fractions)", self.name),
            SkipReason::NotVotes => write!(f, "{} (not a vote field)", self.name),
            SkipReason::Mixed { numbers, texts } => write!(f, "{} (numbers in {numbers} row(s), text in {texts})", self.name),
        }
    }
}

/// What one cell holds, as far as telling vote columns apart goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Blank or null: says nothing.
    Blank,
    /// A whole number, or a number that is wrong as a count (negative,
    /// non-finite, too large) but still a number.
    Number,
    /// A number with a fractional part.
    Fraction,
    /// Anything else.
    Text,
}

impl Cell {
    /// The kind of a CSV cell (or a JSON string), by the rules of
    /// [`super::parse_count`].
    pub(crate) fn of_text(cell: &str) -> Cell {
        let cell = cell.trim();
        if cell.is_empty() {
            return Cell::Blank;
        }
        match count(cell) {
            Ok(_) | Err(NotCount::Negative | NotCount::TooLarge | NotCount::NotFinite) => Cell::Number,
            Err(NotCount::Fraction) => Cell::Fraction,
            Err(NotCount::NotNumber) => Cell::Text,
        }
    }

    /// The kind of a JSON property value: numbers and numeric strings alike.
    pub(crate) fn of_json(value: &Value) -> Cell {
        match value {
            Value::Null => Cell::Blank,
            Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() != 0.0) => Cell::Fraction,
            Value::Number(_) => Cell::Number,
            Value::String(s) => Cell::of_text(s),
            _ => Cell::Text,
        }
    }
}

/// Counts of the kinds of value in one column, with the first text cell's
/// place (row index) for messages.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Kinds {
    pub(crate) numbers: usize,
    pub(crate) fractions: usize,
    pub(crate) texts: usize,
    /// The first row (in input order) holding text.
    pub(crate) first_text: Option<usize>,
}

impl Kinds {
    /// Counts `cell` found in row `row`.
    pub(crate) fn add(&mut self, cell: Cell, row: usize) {
        match cell {
            Cell::Blank => {}
            Cell::Number => self.numbers += 1,
            Cell::Fraction => self.fractions += 1,
            Cell::Text => {
                self.texts += 1;
                self.first_text = Some(self.first_text.map_or(row, |r| r.min(row)));
            }
        }
    }

    /// The counts of two parts of one column together.
    pub(crate) fn merge(self, other: Kinds) -> Kinds {
        Kinds {
            numbers: self.numbers + other.numbers,
            fractions: self.fractions + other.fractions,
            texts: self.texts + other.texts,
            first_text: match (self.first_text, other.first_text) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// What to do with a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Read it as votes (every cell must then be a count).
    Votes,
    /// Leave it out, and say so.
    Skip(SkipReason),
    /// Refuse: a minority of numbers among text (row of the first text cell).
    Ambiguous,
}

/// The candidate columns, each with what it holds, sorted by [`decide`]
/// into those read as votes and those skipped, in input order. A column
/// [`Decision::Ambiguous`] is skipped in a `pattern` ([`SkipReason::Mixed`])
/// and otherwise returned as the error, for the caller to place.
pub(crate) fn sort_columns<'a>(
    candidates: impl IntoIterator<Item = (&'a str, &'a Kinds)>,
    pattern: bool,
) -> std::result::Result<(Vec<String>, Vec<SkippedColumn>), (&'a str, &'a Kinds)> {
    let (mut votes, mut skipped) = (Vec::new(), Vec::new());
    for (name, kinds) in candidates {
        match decide(name, kinds) {
            Decision::Votes => votes.push(name.to_string()),
            Decision::Skip(reason) => skipped.push(SkippedColumn { name: name.to_string(), reason }),
            Decision::Ambiguous if pattern => {
                let reason = SkipReason::Mixed { numbers: kinds.numbers + kinds.fractions, texts: kinds.texts };
                skipped.push(SkippedColumn { name: name.to_string(), reason });
            }
            Decision::Ambiguous => return Err((name, kinds)),
        }
    }
    Ok((votes, skipped))
}

/// Decides what column `name`, holding `kinds`, is (the rule of the module docs).
pub(crate) fn decide(name: &str, kinds: &Kinds) -> Decision {
    let numeric = kinds.numbers + kinds.fractions;
    if parties::is_known(name) {
        Decision::Votes
    } else if is_not_votes(name) {
        Decision::Skip(SkipReason::NotVotes)
    } else if kinds.texts == 0 {
        // All blank is a party with no votes here: kept, as before.
        if kinds.numbers >= kinds.fractions { Decision::Votes } else { Decision::Skip(SkipReason::Fractions) }
    } else if numeric == 0 {
        Decision::Skip(SkipReason::Text)
    } else if numeric >= kinds.texts {
        Decision::Votes
    } else {
        Decision::Ambiguous
    }
}

/// The message for a column [`Decision::Ambiguous`].
pub(crate) fn ambiguous_message(kinds: &Kinds) -> String {
    format!(
        "holds numbers in {} row(s) and text in {} (this one is text), so it cannot be told whether it is votes; \
         name the party columns",
        kinds.numbers + kinds.fractions,
        kinds.texts
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(cells: &[&str]) -> Kinds {
        let mut k = Kinds::default();
        for (i, c) in cells.iter().enumerate() {
            k.add(Cell::of_text(c), i);
        }
        k
    }

    #[test]
    fn one_bad_cell_keeps_the_column() {
        for bad in ["n/a", "abc", "NaN", "Infinity", "1e400", "-5", "NULL"] {
            let k = kinds(&["1", "2", "3", bad]);
            assert_eq!(decide("votes_x", &k), Decision::Votes, "{bad}");
        }
    }

    #[test]
    fn text_throughout_is_skipped_and_mixed_minority_refused() {
        assert_eq!(decide("ward", &kinds(&["Abbey", "", "Brompton"])), Decision::Skip(SkipReason::Text));
        assert_eq!(decide("ward", &kinds(&["Abbey", "12", "Brompton"])), Decision::Ambiguous);
        assert_eq!(kinds(&["Abbey", "12", "Brompton"]).first_text, Some(0));
    }

    #[test]
    fn a_mixed_column_is_refused_in_votes_and_listed_in_a_pattern() {
        let (lab, ward) = (kinds(&["1", "2"]), kinds(&["Abbey", "12", "Brompton"]));
        let columns = [("lab", &lab), ("ward", &ward)];
        assert_eq!(sort_columns(columns, false).unwrap_err().0, "ward");
        let (votes, skipped) = sort_columns(columns, true).unwrap();
        assert_eq!(votes, ["lab"]);
        assert_eq!(skipped[0].to_string(), "ward (numbers in 1 row(s), text in 2)");
    }

    #[test]
    fn party_names_are_votes_whatever_they_hold() {
        assert_eq!(decide("Labour", &kinds(&["n/a", "x"])), Decision::Votes);
        assert_eq!(decide("share", &kinds(&["0.5", "0.25", "1"])), Decision::Skip(SkipReason::Fractions));
        assert_eq!(decide("lab", &kinds(&["0.5", "0.25"])), Decision::Votes);
        assert_eq!(decide("OBJECTID", &kinds(&["1", "2"])), Decision::Skip(SkipReason::NotVotes));
    }

    #[test]
    fn json_strings_are_read_as_csv_cells() {
        assert_eq!(Cell::of_json(&Value::String("1,204".into())), Cell::Number);
        assert_eq!(Cell::of_json(&Value::String("E05000001".into())), Cell::Text);
        assert_eq!(Cell::of_json(&serde_json::json!(2.5)), Cell::Fraction);
        assert_eq!(Cell::of_json(&serde_json::json!(true)), Cell::Text);
        assert_eq!(Cell::of_json(&Value::Null), Cell::Blank);
    }
}
