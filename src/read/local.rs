//! Local-election results by ward, used as the pattern of ward estimates.

use super::{Input, KeyedTable, SkippedColumn, Unreadable};
use crate::error::{Error, Result};
use crate::parties::party_key;
use std::collections::{BTreeMap, HashMap};

/// How a party's strength is read from a multi-member ward, where each elector
/// has several votes and parties field up to one candidate per seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MultiMember {
    /// The mean of the party's candidates' votes (default).
    #[default]
    Mean,
    /// The party's best candidate's votes.
    Top,
}

/// Party label → key overrides, on top of [`party_key`].
#[derive(Debug, Clone, Default)]
pub struct Aliases(HashMap<String, String>);

impl Aliases {
    /// Reads a CSV with columns `label,party` (e.g. `Aspire,oth`, `Lab Co-op,lab`).
    ///
    /// ```
    /// use notional::read::{Aliases, Input};
    /// let a = Aliases::read(&Input::from_text("aliases.csv", "label,party\nAspire,Independent\n")).unwrap();
    /// assert_eq!(a.key("Aspire"), "ind");
    /// assert_eq!(a.key("Labour Party Candiate"), "lab");
    /// ```
    pub fn read(input: &Input) -> Result<Self> {
        let mut map = HashMap::new();
        for (line, rec) in input.csv_records()?.into_iter().skip(1) {
            match (rec.get(0).map(str::trim), rec.get(1).map(str::trim)) {
                (Some(l), Some(p)) if !l.is_empty() && !p.is_empty() => {
                    map.insert(l.to_string(), party_key(p));
                }
                _ => return Err(Error::field(input.name(), format!("line {line}"), "label,party", "needs two non-blank cells")),
            }
        }
        Ok(Aliases(map))
    }

    /// The key of a label: the user's alias if any, else [`party_key`].
    pub fn key(&self, label: &str) -> String {
        self.0.get(label.trim()).cloned().unwrap_or_else(|| party_key(label))
    }
}

/// Where a local-results file keeps its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalLayout {
    /// A header row (found below any title rows) naming the ward id column:
    /// candidate-level with `party` and `votes` columns, or ward-level with
    /// a column per party.
    Header {
        /// The ward id column.
        ward_id: String,
    },
    /// No header: candidate-level rows with fields at fixed 1-based positions.
    Positions {
        /// The ward code.
        ward: usize,
        /// The party label.
        party: usize,
        /// The candidate's votes.
        votes: usize,
        /// The council code, if any (for matching wards by name).
        council: Option<usize>,
        /// The ward name, if any (likewise).
        name: Option<usize>,
    },
}

impl LocalLayout {
    /// A layout by preset name: `leap`, Andrew Teale's Local Elections
    /// Archive Project files (no header; council, council code, ward, ward
    /// code, candidate, party, votes, elected).
    ///
    /// ```
    /// use notional::read::LocalLayout;
    /// assert!(matches!(LocalLayout::preset("leap"), Some(LocalLayout::Positions { ward: 4, party: 6, votes: 7, .. })));
    /// assert_eq!(LocalLayout::preset("nope"), None);
    /// ```
    pub fn preset(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "leap" => Some(LocalLayout::Positions { ward: 4, party: 6, votes: 7, council: Some(2), name: Some(3) }),
            _ => None,
        }
    }
}

/// Votes per party key per ward from a local election.
#[derive(Debug, Clone, Default)]
pub struct LocalResults {
    /// Ward id → (party key → votes under the multi-member rule).
    pub wards: HashMap<String, BTreeMap<String, f64>>,
    /// Ward id → (council code, ward name), where the file gives them.
    pub places: HashMap<String, (String, String)>,
    /// Every label seen and the key it was read as, for the report.
    pub labels: BTreeMap<String, String>,
    /// Ward ids on several rows of a ward-level file (not used as a pattern), with their lines.
    pub ambiguous: Vec<(String, Vec<u64>)>,
    /// Columns of a ward-level file not read as a party, and why (for the report).
    pub skipped: Vec<SkippedColumn>,
    /// Lines of a candidate-level file with no ward id (blank or `NULL`,
    /// such as a mayoral contest; not used; for the report).
    pub unkeyed: Vec<u64>,
    /// Rows of a ward-level file with a party cell that is not a count (not
    /// used as a pattern; for the report).
    pub unreadable: Vec<Unreadable>,
}

impl LocalResults {
    /// Reads either a candidate-level (long) file, one row per candidate with
    /// `party` and `votes` columns, or a ward-level (wide) file with one column
    /// per party. `ward_id` names the ward code column.
    ///
    /// ```
    /// use notional::read::{Aliases, Input, LocalResults, MultiMember};
    /// let long = "WD22CD,surname,party,votes\nW1,A,Labour Party Candiate,500\nW1,B,Labour Party Candiate,300\nW1,C,Local Conservatives,450\n";
    /// let r = LocalResults::read(&Input::from_text("l.csv", long), "WD22CD", MultiMember::Mean, &Aliases::default()).unwrap();
    /// assert_eq!(r.wards["W1"]["lab"], 400.0); // mean of 500 and 300
    /// assert_eq!(r.wards["W1"]["con"], 450.0);
    /// let wide = "Local elections 2022\nWard code,Electorate,CON,LAB,GREEN\nW1,\"6,396\",314,936,450\n";
    /// let r = LocalResults::read(&Input::from_text("w.csv", wide), "Ward code", MultiMember::Mean, &Aliases::default()).unwrap();
    /// assert_eq!(r.wards["W1"]["green"], 450.0);
    /// ```
    pub fn read(input: &Input, ward_id: &str, rule: MultiMember, aliases: &Aliases) -> Result<Self> {
        Self::read_layout(input, &LocalLayout::Header { ward_id: ward_id.to_string() }, rule, aliases)
    }

    /// As [`LocalResults::read`], for any [`LocalLayout`].
    ///
    /// ```
    /// use notional::read::{Aliases, Input, LocalLayout, LocalResults, MultiMember};
    /// let leap = "\"Allerdale\",\"E07000026\",\"All Saints\",\"E05011720\",\"A\",\"C\",\"674\",\"1\"\n\
    ///             \"Allerdale\",\"E07000026\",\"All Saints\",\"E05011720\",\"B\",\"Lab\",\"666\",\"1\"\n\
    ///             \"Hackney\",\"E09000012\",\"Elected Mayor\",NULL,NULL,NULL,NULL,NULL\n";
    /// let r = LocalResults::read_layout(&Input::from_text("leap.csv", leap), &LocalLayout::preset("leap").unwrap(),
    ///     MultiMember::Mean, &Aliases::default()).unwrap();
    /// assert_eq!(r.wards["E05011720"]["con"], 674.0);
    /// assert_eq!(r.places["E05011720"], ("E07000026".to_string(), "All Saints".to_string()));
    /// assert_eq!(r.unkeyed, [3]); // the mayoral row: no ward code
    /// ```
    pub fn read_layout(input: &Input, layout: &LocalLayout, rule: MultiMember, aliases: &Aliases) -> Result<Self> {
        let ward_id = match layout {
            LocalLayout::Header { ward_id } => ward_id,
            LocalLayout::Positions { ward, party, votes, council, name } => {
                let records = input.csv_records()?;
                let at = |p: usize, what: &str| {
                    p.checked_sub(1).ok_or_else(|| Error::Mismatch(format!("{}: column positions count from 1; the {what} column is given as 0", input.name())))
                };
                let fields = Fields {
                    id: at(*ward, "ward code")?,
                    party: at(*party, "party")?,
                    votes: at(*votes, "votes")?,
                    council: council.map(|c| at(c, "council")).transpose()?,
                    name: name.map(|c| at(c, "ward name")).transpose()?,
                };
                return candidates(input.name(), &records, &fields, rule, aliases);
            }
        }
        .as_str();
        let src = input.name();
        let records = input.csv_records()?;
        let header_at = records.iter().position(|(_, r)| r.iter().any(|c| c.trim() == ward_id)).ok_or_else(|| {
            Error::Mismatch(format!("{src}: no header row with a ward id column `{ward_id}`; choose the local results' ward id column"))
        })?;
        let header: Vec<String> = records[header_at].1.iter().map(|c| c.trim().to_ascii_lowercase()).collect();
        let (party_col, votes_col) = (header.iter().position(|h| h == "party"), header.iter().position(|h| h == "votes"));
        if let (Some(pc), Some(vc)) = (party_col, votes_col) {
            let id_col = records[header_at].1.iter().position(|c| c.trim() == ward_id).expect("found");
            let fields = Fields { id: id_col, party: pc, votes: vc, council: None, name: None };
            return candidates(src, &records[header_at + 1..], &fields, rule, aliases);
        }
        let mut out = LocalResults::default();
        let table = KeyedTable::read_keeping_duplicates(input, ward_id, None)?;
        out.ambiguous = table.duplicates.clone();
        out.skipped = table.table.skipped().to_vec();
        out.unreadable = table.unreadable.clone();
        let keys: Vec<String> = table.table.parties().iter().map(|p| aliases.key(p)).collect();
        for (label, key) in table.table.parties().iter().zip(&keys) {
            out.labels.insert(label.clone(), key.clone());
        }
        for (r, ward) in table.ids.iter().enumerate() {
            let mut strength: BTreeMap<String, f64> = BTreeMap::new();
            for (key, &v) in keys.iter().zip(table.table.row(r)) {
                *strength.entry(key.clone()).or_default() += v as f64;
            }
            strength.retain(|_, v| *v > 0.0);
            out.wards.insert(ward.clone(), strength);
        }
        Ok(out)
    }
}

/// Positions (0-based) of a candidate-level file's fields.
struct Fields {
    id: usize,
    party: usize,
    votes: usize,
    council: Option<usize>,
    name: Option<usize>,
}

/// Reads candidate rows: each party's strength per ward under `rule`. A row
/// with no ward id (blank or `NULL`) is listed in `unkeyed`, not read.
fn candidates(src: &str, records: &[(u64, csv::StringRecord)], f: &Fields, rule: MultiMember, aliases: &Aliases) -> Result<LocalResults> {
    let mut out = LocalResults::default();
    let mut candidates: HashMap<String, BTreeMap<String, Vec<u64>>> = HashMap::new();
    for (line, rec) in records {
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let ward = cell(f.id);
        if ward.is_empty() || ward == "NULL" {
            if rec.iter().any(|c| !c.trim().is_empty()) {
                out.unkeyed.push(*line);
            }
            continue;
        }
        let label = cell(f.party);
        let votes = super::parse_count(cell(f.votes)).map_err(|m| Error::field(src, format!("line {line}"), "votes", m))?;
        let key = aliases.key(label);
        out.labels.insert(label.to_string(), key.clone());
        if let (Some(c), Some(n)) = (f.council, f.name) {
            out.places.entry(ward.to_string()).or_insert_with(|| (cell(c).to_string(), cell(n).to_string()));
        }
        candidates.entry(ward.to_string()).or_default().entry(key).or_default().push(votes);
    }
    for (ward, parties) in candidates {
        let strength = parties
            .into_iter()
            .map(|(k, v)| {
                let x = match rule {
                    MultiMember::Mean => v.iter().sum::<u64>() as f64 / v.len() as f64,
                    MultiMember::Top => *v.iter().max().unwrap_or(&0) as f64,
                };
                (k, x)
            })
            .collect();
        out.wards.insert(ward, strength);
    }
    Ok(out)
}
