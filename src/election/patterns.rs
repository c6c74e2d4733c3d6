//! Local-election **patterns** for a layer of wards, from several files of
//! local results (years, or countries): each ward takes its most recent
//! contested result, matched by code, else through a code-history table,
//! else by council and ward name; what matched nothing is counted.

use crate::read::{Layer, LocalResults};
use std::collections::{BTreeMap, HashMap};

/// How a ward's result was found in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The file's ward code is the ward's.
    Code,
    /// The file's code is an older one, whose name and council (from the
    /// code history) are the ward's.
    History,
    /// The file's council and ward name are the ward's.
    Name,
}

/// A code history: for ward codes of any vintage, the ward's name and council.
pub type CodeHistory = HashMap<String, (String, String)>;

/// One file of local results, under the name used in the report.
pub struct PatternFile {
    /// The file's name.
    pub name: String,
    /// Its results.
    pub results: LocalResults,
}

/// What one file gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileUse {
    /// The file.
    pub name: String,
    /// Wards whose pattern it gives (its result the most recent contested one).
    pub used: usize,
    /// Results matched to a ward, by how.
    pub matched: BTreeMap<&'static str, usize>,
    /// Uncontested results (no votes, or one party), not used as a pattern.
    pub uncontested: usize,
    /// Results for no ward of the layer (other vintages, county divisions), with a few codes.
    pub unmatched: (usize, Vec<String>),
}

/// Each ward's pattern and where it came from.
pub struct Patterns {
    /// Patterns keyed by the layer's ward ids (as [`crate::election::estimate`] reads them).
    pub local: LocalResults,
    /// By ward: the file (index) and match giving its pattern, if any.
    pub source: Vec<Option<(usize, Match)>>,
    /// By file, in the order given.
    pub files: Vec<FileUse>,
}

/// A ward name for matching: lower case, `&` as `and`, letters and digits only.
///
/// ```
/// use notional::election::patterns::name_key;
/// assert_eq!(name_key("Hunmanby & Sherburn"), name_key("Hunmanby and Sherburn"));
/// ```
pub fn name_key(name: &str) -> String {
    name.replace('&', "and").chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether a result is contested: two or more parties with votes.
fn contested(result: &BTreeMap<String, f64>) -> bool {
    result.values().filter(|v| **v > 0.0).count() >= 2
}

impl Patterns {
    /// Assembles the wards' patterns from `files`, oldest first: a ward takes
    /// the result of the last file with a contested result for it. A code
    /// not in the layer is matched through `history` (code → name, council)
    /// and then by the file's own council and name, against the layer's
    /// `council` property and ward names; only a match to exactly one ward
    /// that has no result of its own in the same file counts.
    ///
    /// ```
    /// use notional::election::patterns::{Match, PatternFile, Patterns};
    /// use notional::read::{Layer, LocalResults};
    /// let layer = Layer::from_parts("w", vec!["A".into(), "B".into()], Some(vec!["Abbey".into(), "Bridge".into()]),
    ///     vec![geo::MultiPolygon::new(vec![]); 2], None).unwrap();
    /// let result = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    /// let mut old = LocalResults::default();
    /// old.wards.insert("A".into(), result(&[("con", 10.0), ("lab", 5.0)]));
    /// let mut new = LocalResults::default();
    /// new.wards.insert("A".into(), result(&[("con", 0.0)])); // uncontested: the older result stands
    /// new.wards.insert("OLD-B".into(), result(&[("lab", 7.0), ("ld", 3.0)]));
    /// new.places.insert("OLD-B".into(), ("".into(), "Bridge".into()));
    /// let files = vec![PatternFile { name: "2017".into(), results: old }, PatternFile { name: "2019".into(), results: new }];
    /// let p = Patterns::assemble(&layer, None, &files, None);
    /// assert_eq!(p.source, [Some((0, Match::Code)), Some((1, Match::Name))]);
    /// assert_eq!(p.local.wards["B"]["lab"], 7.0);
    /// assert_eq!(p.files[1].uncontested, 1);
    /// ```
    pub fn assemble(wards: &Layer, council: Option<&str>, files: &[PatternFile], history: Option<&CodeHistory>) -> Patterns {
        let council_of = |w: usize| -> String {
            council
                .and_then(|c| wards.features[w].properties.get(c))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default()
        };
        let index: HashMap<&str, usize> = wards.features.iter().enumerate().map(|(i, f)| (f.id.as_str(), i)).collect();
        // (council, name) → wards; councils are blank where the layer has none.
        let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (w, f) in wards.features.iter().enumerate() {
            if let Some(n) = &f.name {
                by_name.entry((council_of(w), name_key(n))).or_default().push(w);
            }
        }
        // Matched by council and name where the layer has councils, else by name alone.
        let find = |c: &str, name: &str| -> Option<usize> {
            let key = (if council.is_some() { c.trim().to_string() } else { String::new() }, name_key(name));
            match by_name.get(&key) {
                Some(ws) if ws.len() == 1 => Some(ws[0]),
                _ => None,
            }
        };
        // By ward: the file, the match and the result giving its pattern so far.
        type Best<'r> = Option<(usize, Match, &'r BTreeMap<String, f64>)>;
        let mut best: Vec<Best<'_>> = vec![None; wards.features.len()];
        let mut uses = Vec::with_capacity(files.len());
        for (fi, file) in files.iter().enumerate() {
            let mut fu = FileUse { name: file.name.clone(), ..FileUse::default() };
            let mut mine: Vec<Option<(Match, &BTreeMap<String, f64>)>> = vec![None; wards.features.len()];
            let mut codes: Vec<&String> = file.results.wards.keys().collect();
            codes.sort();
            // Codes first, so that a name match never displaces a ward's own code.
            let mut later = Vec::new();
            for code in codes {
                match index.get(code.as_str()) {
                    Some(&w) => mine[w] = Some((Match::Code, &file.results.wards[code])),
                    None => later.push(code),
                }
            }
            for code in later {
                let result = &file.results.wards[code];
                let via_history = history.and_then(|h| h.get(code)).and_then(|(name, council)| find(council, name)).map(|w| (w, Match::History));
                let via_name = || file.results.places.get(code).and_then(|(council, name)| find(council, name)).map(|w| (w, Match::Name));
                match via_history.or_else(via_name) {
                    Some((w, how)) if mine[w].is_none() => mine[w] = Some((how, result)),
                    _ => {
                        fu.unmatched.0 += 1;
                        if fu.unmatched.1.len() < 5 {
                            fu.unmatched.1.push(code.clone());
                        }
                    }
                }
            }
            for (w, m) in mine.into_iter().enumerate() {
                let Some((how, result)) = m else { continue };
                *fu.matched.entry(match how {
                    Match::Code => "code",
                    Match::History => "code history",
                    Match::Name => "council and name",
                })
                .or_default() += 1;
                if contested(result) {
                    best[w] = Some((fi, how, result));
                } else {
                    fu.uncontested += 1;
                }
            }
            uses.push(fu);
        }
        let mut local = LocalResults::default();
        for file in files {
            local.labels.extend(file.results.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let mut source = Vec::with_capacity(best.len());
        for (w, b) in best.into_iter().enumerate() {
            source.push(b.map(|(fi, how, result)| {
                uses[fi].used += 1;
                local.wards.insert(wards.features[w].id.clone(), result.clone());
                (fi, how)
            }));
        }
        Patterns { local, source, files: uses }
    }
}

