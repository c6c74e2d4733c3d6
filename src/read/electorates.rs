//! Ward electorates (and local turnout) from one or more CSV files keyed by
//! ward id: a register's electorate column, or a population proxy summed
//! over a range of columns (the 18+ of a single-year-of-age table).

use super::{parse_count, Input};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// Which columns make a ward's electorate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElectorateColumns {
    /// One column.
    One(String),
    /// The sum of the columns from `first` to `last` (inclusive, in file
    /// order): `18..90` of a population table by single year of age.
    Sum {
        /// The first column summed.
        first: String,
        /// The last column summed.
        last: String,
    },
}

impl ElectorateColumns {
    /// `A..B` is a range of columns summed; anything else is one column.
    ///
    /// ```
    /// use notional::read::ElectorateColumns;
    /// assert_eq!(ElectorateColumns::parse("18..90"), ElectorateColumns::Sum { first: "18".into(), last: "90".into() });
    /// assert_eq!(ElectorateColumns::parse("Electorate"), ElectorateColumns::One("Electorate".into()));
    /// ```
    pub fn parse(text: &str) -> Self {
        match text.split_once("..") {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                ElectorateColumns::Sum { first: a.trim().to_string(), last: b.trim().to_string() }
            }
            _ => ElectorateColumns::One(text.trim().to_string()),
        }
    }

    fn describe(&self) -> String {
        match self {
            ElectorateColumns::One(c) => c.clone(),
            ElectorateColumns::Sum { first, last } => format!("{first}..{last}"),
        }
    }
}

/// What to do with a ward on several rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Repeated {
    /// Refuse the file (default): which row is meant is not known.
    #[default]
    Refuse,
    /// Use the ward's first row (a file of several blocks, persons first,
    /// as Scotland's population estimates); the later ones are counted in
    /// the report.
    First,
}

/// What to do with a ward that no file has a row for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    /// Refuse the run (default).
    #[default]
    Refuse,
    /// Give the ward no electorate (as where a publisher counts its people
    /// in a neighbouring ward, as ONS does for the City of London); the
    /// wards are listed in the report.
    Zero,
}

/// Where ward electorates come from.
#[derive(Debug, Clone)]
pub struct ElectorateSpec {
    /// The files, read as one table (a country per file, say).
    pub inputs: Vec<Input>,
    /// The ward id column.
    pub id: String,
    /// The electorate column or columns.
    pub columns: ElectorateColumns,
    /// A column of local ballots cast (turnout = ballots / electorate).
    pub ballots: Option<String>,
    /// Wards on several rows.
    pub repeated: Repeated,
    /// Wards on no row.
    pub missing: Missing,
}

/// Ward electorates, by ward, and what was not used.
#[derive(Debug, Clone, Default)]
pub struct WardElectorates {
    /// Electorate per ward.
    pub electorate: Vec<f64>,
    /// Local turnout per ward, where a ballots column is given and the
    /// electorate is not zero.
    pub turnout: Option<Vec<Option<f64>>>,
    /// Wards with no row, given no electorate ([`Missing::Zero`]).
    pub missing: Vec<usize>,
    /// Rows after a ward's first, not used ([`Repeated::First`]).
    pub repeats: usize,
    /// Per file, the non-blank rows whose id is no ward of the layer (not used).
    pub unused: Vec<Unused>,
}

/// A file's rows whose id is no ward of the layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unused {
    /// The file.
    pub file: String,
    /// How many rows.
    pub rows: usize,
    /// The first few: line and id.
    pub examples: Vec<(u64, String)>,
}

/// A ward's row: electorate, local turnout, and where it was read (file, line).
type Row = (f64, Option<f64>, String, u64);

impl ElectorateSpec {
    /// Reads every ward's electorate; `wards` are the layer's ward ids.
    ///
    /// ```
    /// use notional::read::{ElectorateColumns, ElectorateSpec, Input, Missing, Repeated};
    /// let csv = "ward,0,17,18,90\nA,5,5,10,\"1,000\"\nB,1,1,1,1\nA,9,9,9,9\nfootnote,,,,\n";
    /// let spec = ElectorateSpec { inputs: vec![Input::from_text("pop.csv", csv)], id: "ward".into(),
    ///     columns: ElectorateColumns::parse("18..90"), ballots: None, repeated: Repeated::First, missing: Missing::Zero };
    /// let e = spec.read(&["A", "B", "C"]).unwrap();
    /// assert_eq!(e.electorate, [1010.0, 2.0, 0.0]);
    /// assert_eq!((e.missing.as_slice(), e.repeats), (&[2][..], 1));
    /// assert_eq!(e.unused[0].rows, 1); // the footnote
    /// let strict = ElectorateSpec { repeated: Repeated::Refuse, ..spec };
    /// assert!(strict.read(&["A", "B"]).unwrap_err().to_string().contains("line 4"));
    /// ```
    pub fn read(&self, wards: &[&str]) -> Result<WardElectorates> {
        let index: HashMap<&str, usize> = wards.iter().enumerate().map(|(i, w)| (*w, i)).collect();
        let mut value: Vec<Option<Row>> = vec![None; wards.len()];
        let mut out = WardElectorates::default();
        for input in &self.inputs {
            let src = input.name();
            let records = input.csv_records()?;
            let header_at = records.iter().position(|(_, r)| r.iter().any(|c| c.trim() == self.id)).ok_or_else(|| {
                Error::Mismatch(format!("{src}: no header row with the ward id column `{}`", self.id))
            })?;
            let header = &records[header_at].1;
            let find = |name: &str| -> Result<usize> {
                header.iter().position(|c| c.trim() == name).ok_or_else(|| {
                    Error::Mismatch(format!("{src}: no column `{name}` in the header on line {}", records[header_at].0))
                })
            };
            let id_col = find(&self.id)?;
            let range = match &self.columns {
                ElectorateColumns::One(c) => {
                    let i = find(c)?;
                    i..=i
                }
                ElectorateColumns::Sum { first, last } => {
                    let (a, b) = (find(first)?, find(last)?);
                    if b < a {
                        return Err(Error::Mismatch(format!("{src}: column `{last}` comes before `{first}`; give the range in file order")));
                    }
                    a..=b
                }
            };
            let ballots = self.ballots.as_deref().map(find).transpose()?;
            let (mut unused, mut examples) = (0usize, Vec::new());
            for (line, rec) in &records[header_at + 1..] {
                let id = rec.get(id_col).unwrap_or("").trim();
                let Some(&w) = index.get(id) else {
                    if rec.iter().any(|c| !c.trim().is_empty()) {
                        unused += 1;
                        if examples.len() < 3 {
                            examples.push((*line, id.to_string()));
                        }
                    }
                    continue;
                };
                if let Some((_, _, first_src, first_line)) = &value[w] {
                    match self.repeated {
                        Repeated::First => {
                            out.repeats += 1;
                            continue;
                        }
                        Repeated::Refuse => {
                            return Err(Error::field(
                                src,
                                format!("line {line}"),
                                &self.id,
                                format!("ward `{id}` is also on line {first_line} of {first_src}; say which row to use (the first, for a file of several blocks)"),
                            ))
                        }
                    }
                }
                let mut e = 0u64;
                for c in range.clone() {
                    let cell = rec.get(c).unwrap_or("");
                    e += parse_count(cell).map_err(|m| Error::field(src, format!("line {line}"), header.get(c).unwrap_or("").trim(), m))?;
                }
                let t = match ballots {
                    Some(b) => {
                        let v = parse_count(rec.get(b).unwrap_or(""))
                            .map_err(|m| Error::field(src, format!("line {line}"), header.get(b).unwrap_or("").trim(), m))?;
                        (e > 0).then(|| v as f64 / e as f64)
                    }
                    None => None,
                };
                value[w] = Some((e as f64, t, src.to_string(), *line));
            }
            if unused > 0 {
                out.unused.push(Unused { file: src.to_string(), rows: unused, examples });
            }
        }
        let missing: Vec<usize> = (0..wards.len()).filter(|&w| value[w].is_none()).collect();
        if !missing.is_empty() && self.missing == Missing::Refuse {
            let names: Vec<&str> = self.inputs.iter().map(Input::name).collect();
            return Err(Error::Mismatch(format!(
                "{}: {} of {} wards have no electorate row ({}), e.g. {}; give them a row, or let them count as no electorate",
                names.join(", "),
                missing.len(),
                wards.len(),
                self.columns.describe(),
                missing.iter().take(5).map(|&w| wards[w]).collect::<Vec<_>>().join(", ")
            )));
        }
        out.electorate = value.iter().map(|v| v.as_ref().map_or(0.0, |v| v.0)).collect();
        out.turnout = self.ballots.as_ref().map(|_| value.iter().map(|v| v.as_ref().and_then(|v| v.1)).collect());
        out.missing = missing;
        Ok(out)
    }
}
