//! A **recipe**: a recompute's inputs, their columns and their roles in one
//! small TOML file, for runs with too many inputs for flags (the whole of
//! Great Britain by wards: hundreds of ward files, four years of local
//! results, two population tables). `examples/gb_2019.toml` is one to copy.
//!
//! Paths are relative to a data folder given with the recipe, or else to
//! the recipe's own folder. A key the recipe format does not know is an
//! error (a typo is never ignored), as is a path that does not exist.
//!
//! ```toml
//! [old]
//! seats = "derived/pcon2010_bgc.geojson"
//! results = "results_ge2019/HoC-GE2019-results-by-constituency.csv"
//!
//! [new]
//! seats = "derived/pcon2024_bgc.geojson"
//!
//! [wards]
//! layer = ["boundaries/wards_wd19_gb_by_lad"]   # a folder: every layer file in it
//! id = "WD19CD"
//! name = "WD19NM"
//!
//! [[wards.local]]                                # oldest first
//! file = "local_elections/leap/leap-2019-05-02.csv"
//! layout = "leap"
//! ```

use crate::election::ensemble::EnsembleSpec;
use crate::election::estimate::Config;
use crate::election::reference::ReferenceSpec;
use crate::error::{Error, Result};
use crate::read::{Aliases, ElectorateColumns, ElectorateSpec, Input, LocalLayout, Missing, MultiMember, Repeated};
use crate::recompute::{HistorySpec, LocalSpec, Others, Route, Spec, WardSpec, WeightsSpec};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The recipe file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The old seats and their results.
    pub old: OldPart,
    /// The new seats, and a later result to compare with.
    pub new: NewPart,
    /// The ward route (omit for old seats by area, or give `weights`): one
    /// `[wards]` table, or several `[[wards]]` in order of precedence (a
    /// region with better data first: each old seat is estimated from the
    /// first set whose wards cover it).
    pub wards: Option<OneOrMany<WardsPart>>,
    /// `leave` (default) or `old-seats`: old seats no set of wards covers.
    #[serde(default)]
    pub others: Others,
    /// A weights table instead of geometry.
    pub weights: Option<WeightsPart>,
    /// Party columns of the old results [default: every numeric column].
    pub parties: Option<Vec<String>>,
    /// A reference table of ward → new seat weights to check the wards'
    /// split over the new seats against.
    pub reference: Option<ReferencePart>,
    /// An ensemble of draws for each seat's uncertainty.
    pub ensemble: Option<EnsembleSpec>,
    /// How `map.html` and `map.svg` are labelled and laid out.
    pub map: Option<MapPart>,
}

/// `[map]`: the maps' hex layout, title and attribution (a file named here
/// is relative to the data folder, like every other).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapPart {
    /// A HexJSON layout keyed by the new seats' ids.
    pub hexjson: Option<std::path::PathBuf>,
    /// The title.
    pub title: Option<String>,
    /// The boundaries' attribution line.
    pub attribution: Option<String>,
}

/// `[reference]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferencePart {
    /// The table (CSV).
    pub file: String,
    /// Ward code column.
    pub ward: String,
    /// `[seat column, weight column]` pairs.
    pub pairs: Vec<(String, String)>,
    /// `name` or `code` (default): how the table gives new seats.
    #[serde(default)]
    pub seats_by: SeatsBy,
}

/// `code` or `name`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeatsBy {
    /// New seat ids.
    #[default]
    Code,
    /// New seat names.
    Name,
}

/// One table, or an array of them.
#[derive(Debug)]
pub enum OneOrMany<T> {
    /// `[name]`.
    One(T),
    /// `[[name]]`.
    Many(Vec<T>),
}

// By hand rather than `#[serde(untagged)]`, so that an error inside the
// table (an unknown key, say) is reported as itself.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table or an array of tables")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> std::result::Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
        }
        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

/// `[old]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldPart {
    /// Old seat polygons (not needed with `weights`).
    pub seats: Option<String>,
    /// Id property of the old seats.
    #[serde(default = "code")]
    pub id: String,
    /// Name property of the old seats.
    #[serde(default = "name")]
    pub name: String,
    /// The old seats' results (CSV).
    pub results: String,
    /// Id column of the results.
    #[serde(default = "ons_id")]
    pub results_id: String,
    /// Name column of the results.
    #[serde(default = "constituency_name")]
    pub results_name: String,
}

/// `[new]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPart {
    /// New seat polygons.
    pub seats: String,
    /// Id property of the new seats.
    #[serde(default = "code")]
    pub id: String,
    /// Name property of the new seats.
    #[serde(default = "name")]
    pub name: String,
    /// A later actual result (CSV keyed by new seat id).
    pub later_results: Option<String>,
    /// Id column of the later result.
    #[serde(default = "ons_id")]
    pub later_id: String,
}

/// `[wards]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WardsPart {
    /// Ward layer files or folders (each folder: every `.geojson`,
    /// `.json` and `.topojson` file in it, by name), read as one layer.
    pub layer: Vec<String>,
    /// Ward id property.
    #[serde(default = "code")]
    pub id: String,
    /// Ward name property.
    #[serde(default = "name")]
    pub name: String,
    /// Council code property, for matching local results by council and name.
    pub council: Option<String>,
    /// `mean` (default) or `top`: a party's strength in a multi-member ward.
    #[serde(default)]
    pub rule: MultiMember,
    /// Party label aliases (CSV `label,party`).
    pub aliases: Option<String>,
    /// Ward electorates.
    pub electorates: Option<ElectoratesPart>,
    /// Local-election results, oldest first.
    #[serde(default)]
    pub local: Vec<LocalPart>,
    /// A ward code history.
    pub history: Option<HistoryPart>,
    /// Model constants.
    #[serde(default)]
    pub model: ModelPart,
}

/// `[wards.electorates]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectoratesPart {
    /// The files, read as one table.
    pub files: Vec<String>,
    /// Ward id column.
    pub id: String,
    /// A column, or a range `A..B` summed.
    pub columns: String,
    /// A column of local ballots cast.
    pub ballots: Option<String>,
    /// `refuse` (default) or `first`: a ward on several rows.
    #[serde(default)]
    pub repeated: Repeated,
    /// `refuse` (default) or `zero`: a ward on no row.
    #[serde(default)]
    pub missing: Missing,
}

/// `[[wards.local]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalPart {
    /// The file.
    pub file: String,
    /// A preset layout (`leap`), instead of `id` or `columns`.
    pub layout: Option<String>,
    /// The ward id column of a file with a header.
    pub id: Option<String>,
    /// 1-based positions of a headerless candidate-level file.
    pub columns: Option<PositionsPart>,
}

/// Column positions of a headerless file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionsPart {
    /// Ward code.
    pub ward: usize,
    /// Party label.
    pub party: usize,
    /// Votes.
    pub votes: usize,
    /// Council code.
    pub council: Option<usize>,
    /// Ward name.
    pub name: Option<usize>,
}

/// `[wards.history]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryPart {
    /// The table.
    pub file: String,
    /// Ward code column.
    pub code: String,
    /// Ward name column.
    pub name: String,
    /// Council code column.
    pub council: String,
}

/// `[wards.model]`: the constants of [`Config`], each optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPart {
    /// [`Config::turnout_damping`].
    pub turnout_damping: Option<f64>,
    /// [`Config::pattern_weight`].
    pub pattern_weight: Option<f64>,
    /// [`Config::min_coverage`].
    pub min_coverage: Option<f64>,
    /// [`Config::sliver`].
    pub sliver: Option<f64>,
    /// `local`: without a ballots column, relative turnout from local votes
    /// per elector ([`WardSpec::turnout_from_local`]).
    pub turnout: Option<TurnoutName>,
}

/// `local`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TurnoutName {
    /// [`WardSpec::turnout_from_local`].
    Local,
    /// Uniform within each old seat (as without the key).
    Uniform,
}

/// `[weights]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsPart {
    /// The table.
    pub file: String,
    /// Old seat id column.
    #[serde(default = "from")]
    pub from: String,
    /// New seat id column.
    #[serde(default = "to")]
    pub to: String,
    /// Weight column.
    #[serde(default = "weight")]
    pub weight: String,
    /// Fallback weight column.
    pub fallback: Option<String>,
}

fn code() -> String {
    "code".into()
}
fn name() -> String {
    "name".into()
}
fn ons_id() -> String {
    "ONS ID".into()
}
fn constituency_name() -> String {
    "Constituency name".into()
}
fn from() -> String {
    "from".into()
}
fn to() -> String {
    "to".into()
}
fn weight() -> String {
    "weight".into()
}

/// The layer files a path stands for: the file itself, or every `.geojson`,
/// `.json`, `.topojson`, `.shp` and `.gpkg` file in a folder, by name; with
/// the names of the folder's other files, which are not read (to be
/// reported; a shapefile's other parts, read with it, are not among them).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// for f in ["b.geojson", "a.geojson", "_MANIFEST.csv", "c.shp", "c.dbf", "c.prj"] {
///     std::fs::write(dir.path().join(f), "{}").unwrap();
/// }
/// let (files, other) = notional::recipe::layer_files(dir.path()).unwrap();
/// assert_eq!(files.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect::<Vec<_>>(), ["a.geojson", "b.geojson", "c.shp"]);
/// assert_eq!(other, ["_MANIFEST.csv"]);
/// ```
pub fn layer_files(path: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    if !path.is_dir() {
        return Ok((vec![path.to_path_buf()], Vec::new()));
    }
    let mut files = Vec::new();
    let mut other = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let p = entry.map_err(|e| Error::io(path, e))?.path();
        let layer = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "geojson" | "json" | "topojson" | "shp" | "gpkg"));
        if layer && p.is_file() {
            files.push(p);
        } else {
            other.push(p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        }
    }
    if files.is_empty() {
        return Err(Error::format(
            &path.display().to_string(),
            "is a folder with no .geojson, .json, .topojson, .shp or .gpkg file",
        ));
    }
    // A shapefile's parts (.dbf, .shx, .prj, .cpg, …) are read with its .shp.
    let shapefiles: Vec<&std::ffi::OsStr> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp")))
        .filter_map(|f| f.file_stem())
        .collect();
    other.retain(|o| !Path::new(o).file_stem().is_some_and(|s| shapefiles.contains(&s)));
    files.sort();
    other.sort();
    Ok((files, other))
}

/// A recipe read, with its files: the [`Spec`] to run, and what was found
/// but not read (other files in a ward folder), for the user.
pub struct Loaded {
    /// What to recompute.
    pub spec: Spec,
    /// Files in the ward folders that are not layers, not read.
    pub not_read: Vec<String>,
    /// The recipe's `[map]`, its layout's path resolved.
    pub map: Option<MapPart>,
}

impl Recipe {
    /// Parses a recipe's text; `name` is used in messages.
    ///
    /// ```
    /// use notional::recipe::Recipe;
    /// let r = Recipe::parse("r.toml", "[old]\nresults = \"r.csv\"\nseats = \"old.geojson\"\n[new]\nseats = \"new.geojson\"\n").unwrap();
    /// assert_eq!(r.old.id, "code");
    /// let err = Recipe::parse("r.toml", "[old]\nresults = \"r.csv\"\nseat = \"old.geojson\"\n[new]\nseats = \"n\"\n").unwrap_err();
    /// assert!(err.to_string().contains("unknown field `seat`"), "{err}");
    /// ```
    pub fn parse(name: &str, text: &str) -> Result<Recipe> {
        toml::from_str(text).map_err(|e| Error::format(name, format!("is not a valid recipe: {}", e.to_string().trim_end())))
    }

    /// Reads the recipe at `path`, and the files it names: relative to
    /// `data`, or else to the recipe's folder.
    pub fn load(path: &Path, data: Option<&Path>) -> Result<Loaded> {
        let text = Input::from_path(path)?;
        let recipe = Recipe::parse(text.name(), text.text_as("a recipe (TOML)")?)?;
        let base = match data {
            Some(d) => d.to_path_buf(),
            None => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        recipe.resolve(&base)
    }

    /// The [`Spec`] this recipe stands for, its files read from under `base`.
    pub fn resolve(self, base: &Path) -> Result<Loaded> {
        let open = |p: &str| Input::from_path(&base.join(p));
        let mut not_read = Vec::new();
        let route = match (self.wards, self.weights, &self.old.seats) {
            (Some(_), Some(_), _) => return Err(Error::Mismatch("recipe: [wards] and [weights] are alternative routes; give one".into())),
            (None, Some(_), Some(_)) => {
                return Err(Error::Mismatch(
                    "recipe: [weights] and old seats' polygons are alternative routes; give one".into(),
                ))
            }
            (None, Some(w), None) => Route::Weights(WeightsSpec {
                input: open(&w.file)?,
                from: w.from,
                to: w.to,
                weight: w.weight,
                fallback: w.fallback,
                lookup: None,
            }),
            (_, None, None) => return Err(Error::Mismatch("recipe: [old] needs `seats` (polygons), or give [weights]".into())),
            (None, None, Some(seats)) => Route::OldSeats { old_seats: open(seats)?.into() },
            (Some(w), None, Some(seats)) => {
                let parts = match w {
                    OneOrMany::One(one) => vec![one],
                    OneOrMany::Many(many) => many,
                };
                if parts.is_empty() {
                    return Err(Error::Mismatch("recipe: [[wards]] is empty; give at least one set of wards".into()));
                }
                let wards = parts.into_iter().map(|w| ward_set(w, base, &mut not_read)).collect::<Result<Vec<_>>>()?;
                Route::Wards {
                    old_seats: open(seats)?.into(),
                    wards,
                    others: self.others,
                }
            }
        };
        let spec = Spec {
            new_seats: open(&self.new.seats)?.into(),
            new_id: self.new.id,
            new_name: self.new.name,
            old_id: self.old.id,
            old_name: self.old.name,
            old_results: open(&self.old.results)?,
            results_id: self.old.results_id,
            results_name: self.old.results_name,
            parties: self.parties,
            route,
            ensemble: match self.ensemble {
                Some(e) => {
                    e.validate()?;
                    Some(e)
                }
                None => None,
            },
            reference: match self.reference {
                Some(r) => Some(ReferenceSpec {
                    input: open(&r.file)?,
                    ward: r.ward,
                    pairs: r.pairs,
                    by_name: matches!(r.seats_by, SeatsBy::Name),
                }),
                None => None,
            },
            later: match self.new.later_results {
                Some(p) => Some((open(&p)?, self.new.later_id)),
                None => None,
            },
        };
        let map = self.map.map(|m| MapPart { hexjson: m.hexjson.map(|h| base.join(h)), ..m });
        Ok(Loaded { spec, not_read, map })
    }
}

/// One set of wards from its recipe table, its files read from under `base`
/// (files in its folders that are not layers go to `not_read`).
fn ward_set(w: WardsPart, base: &Path, not_read: &mut Vec<String>) -> Result<WardSpec> {
    let open = |p: &str| Input::from_path(&base.join(p));
    let mut layer = Vec::new();
    for l in &w.layer {
        let (files, other) = layer_files(&base.join(l))?;
        not_read.extend(other.into_iter().map(|o| format!("{l}/{o}")));
        for f in files {
            layer.push(Input::from_path(&f)?.into());
        }
    }
    let electorates = match w.electorates {
        Some(e) => Some(ElectorateSpec {
            inputs: e.files.iter().map(|f| open(f)).collect::<Result<_>>()?,
            id: e.id,
            columns: ElectorateColumns::parse(&e.columns),
            ballots: e.ballots,
            repeated: e.repeated,
            missing: e.missing,
        }),
        None => None,
    };
    let mut local = Vec::with_capacity(w.local.len());
    for l in w.local {
        let layout = match (l.layout, l.id, l.columns) {
            (Some(p), None, None) => LocalLayout::preset(&p)
                .ok_or_else(|| Error::Mismatch(format!("recipe: local file {}: unknown layout `{p}` (known: leap)", l.file)))?,
            (None, Some(id), None) => LocalLayout::Header { ward_id: id },
            (None, None, Some(c)) => LocalLayout::Positions {
                ward: c.ward,
                party: c.party,
                votes: c.votes,
                council: c.council,
                name: c.name,
            },
            _ => {
                return Err(Error::Mismatch(format!(
                    "recipe: local file {}: give one of `layout`, `id` (a file with a header) or `columns` (positions)",
                    l.file
                )))
            }
        };
        local.push(LocalSpec {
            input: open(&l.file)?,
            layout,
        });
    }
    let history = match w.history {
        Some(h) => Some(HistorySpec {
            input: open(&h.file)?,
            code: h.code,
            name: h.name,
            council: h.council,
        }),
        None => None,
    };
    let defaults = Config::default();
    let m = w.model;
    let config = Config {
        turnout_damping: m.turnout_damping.unwrap_or(defaults.turnout_damping),
        pattern_weight: m.pattern_weight.unwrap_or(defaults.pattern_weight),
        min_coverage: m.min_coverage.unwrap_or(defaults.min_coverage),
        sliver: m.sliver.unwrap_or(defaults.sliver),
        ..defaults
    };
    config.validate()?;
    Ok(WardSpec {
        wards: layer,
        id: w.id,
        name: w.name,
        council: w.council,
        electorates,
        local,
        history,
        rule: w.rule,
        aliases: match &w.aliases {
            Some(a) => Aliases::read(&open(a)?)?,
            None => Aliases::default(),
        },
        config,
        turnout_from_local: matches!(m.turnout, Some(TurnoutName::Local)),
    })
}
