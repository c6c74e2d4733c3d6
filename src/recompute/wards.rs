//! The ward route's inputs and how a set of wards becomes estimates: the
//! specification of a set ([`WardSpec`]: layer, electorates, local results,
//! code history), the set read and prepared once ([`PreparedWards`]), the
//! old seats read once ([`OldSeats`]), and the estimates made from them
//! ([`WardEstimates`]).

use crate::election::estimate::{estimate, Config, Estimates, Inputs};
use crate::election::patterns::{CodeHistory, PatternFile, Patterns};
use crate::error::{Error, Result};
use crate::geometry::prepare::Prepared;
use crate::geometry::project::Projector;
use crate::progress::{Progress, StageTimes};
use crate::read::{read_columns, read_sources, Aliases, ElectorateSpec, Input, KeyedTable, Layer, LayerSource, LocalLayout, LocalResults, MultiMember};
use std::collections::HashMap;

/// A file of local-election results and where its fields are.
#[derive(Debug, Clone)]
pub struct LocalSpec {
    /// The file.
    pub input: Input,
    /// Its layout (a header naming the ward id column, or fixed positions).
    pub layout: LocalLayout,
}

/// A table of ward codes of every vintage with each ward's name and council,
/// to match local results on older codes to the wards.
#[derive(Debug, Clone)]
pub struct HistorySpec {
    /// The table (CSV).
    pub input: Input,
    /// Its ward code column.
    pub code: String,
    /// Its ward name column.
    pub name: String,
    /// Its council code column.
    pub council: String,
}

/// Ward-route inputs.
#[derive(Debug, Clone)]
pub struct WardSpec {
    /// Ward polygons: one file or layer, or several (a council's per file)
    /// read as one layer.
    pub wards: Vec<LayerSource>,
    /// Ward id property.
    pub id: String,
    /// Ward name property.
    pub name: String,
    /// Council code property of the wards, for matching local results by
    /// council and ward name.
    pub council: Option<String>,
    /// Ward electorates [default: the wards' own `electorate` property, else area].
    pub electorates: Option<ElectorateSpec>,
    /// Local-election results, oldest first: each ward takes the most recent
    /// contested result.
    pub local: Vec<LocalSpec>,
    /// Ward code history, for results on older codes.
    pub history: Option<HistorySpec>,
    /// Multi-member rule.
    pub rule: MultiMember,
    /// Party label aliases.
    pub aliases: Aliases,
    /// Model constants.
    pub config: Config,
    /// Without a ballots column, take each ward's relative turnout from its
    /// local votes (under the multi-member rule) per elector.
    pub turnout_from_local: bool,
}

/// Ward estimates with what is needed to show them.
pub struct WardEstimates {
    /// The estimates.
    pub estimates: Estimates,
    /// The wards.
    pub wards: Layer,
    /// Old seat ids and names.
    pub old: Vec<(String, String)>,
    /// Part ids: `ward` for a whole ward, `ward/old-seat` for a part.
    pub ids: Vec<String>,
    /// How long each stage took.
    pub times: StageTimes,
}

/// Estimates from several sets of wards in order of precedence: each set
/// estimates the old seats it covers that no earlier set has. Returns the
/// estimates and each set as read (for other estimates from it).
pub fn estimate_sets(
    ward_sets: &[WardSpec],
    old: &OldSeats,
    results: &KeyedTable,
    progress: &dyn Progress,
) -> Result<(Vec<WardEstimates>, Vec<PreparedWards>)> {
    let mut sets: Vec<WardEstimates> = Vec::with_capacity(ward_sets.len());
    let mut prepared: Vec<PreparedWards> = Vec::with_capacity(ward_sets.len());
    let mut claimed: Option<Vec<bool>> = None;
    for ws in ward_sets {
        let pw = PreparedWards::read(ws)?;
        let we = pw.estimate(old, results, &ws.config, claimed.as_deref(), progress)?;
        let c = claimed.get_or_insert_with(|| vec![false; we.old.len()]);
        for f in &we.estimates.fits {
            c[f.seat] = true;
        }
        sets.push(we);
        prepared.push(pw);
    }
    Ok((sets, prepared))
}

/// The old seats, read and prepared once for every set of wards.
pub struct OldSeats {
    /// The layer.
    pub layer: Layer,
    /// Ids and names (from the results where the layer has none).
    pub names: Vec<(String, String)>,
    /// Geometries (BNG).
    pub bng: Vec<geo::MultiPolygon<f64>>,
    /// What was repaired, in words.
    pub note: Option<String>,
    /// How long reading and preparing took.
    pub time: std::time::Duration,
}

impl OldSeats {
    /// Reads and prepares the old seats.
    pub fn read(source: &LayerSource, id: &str, name: &str, result_names: &HashMap<String, String>) -> Result<OldSeats> {
        let start = std::time::Instant::now();
        let layer = source.read(id, Some(name))?;
        let names = old_names(&layer, result_names);
        let prepared = Prepared::new(&layer, None, &Projector::new())?;
        let note = prepared.describe(&layer);
        Ok(OldSeats { layer, names, bng: prepared.geometries, note, time: start.elapsed() })
    }
}

/// A set of wards read and prepared once: the layer and its geometries
/// (BNG), electorates, local patterns, and what was noted on the way; from
/// which estimates are made for any old seats ([`PreparedWards::estimate`]).
pub struct PreparedWards {
    /// The wards.
    pub wards: Layer,
    /// Their geometries (BNG).
    pub bng: Vec<geo::MultiPolygon<f64>>,
    /// Electorates, by ward.
    pub electorate: Option<Vec<f64>>,
    /// Local turnout, by ward.
    pub turnout: Option<Vec<Option<f64>>>,
    /// Local patterns.
    pub patterns: Option<Patterns>,
    /// What was noted.
    pub notes: Vec<String>,
    /// How long each step took.
    pub times: StageTimes,
}

impl PreparedWards {
    /// Reads a ward set's inputs: layer, electorates, local results.
    pub fn read(ws: &WardSpec) -> Result<PreparedWards> {
        let (mut times, mut since) = (StageTimes::default(), std::time::Instant::now());
        let projector = Projector::new();
        let wards = read_sources(&layer_name(&ws.wards), &ws.wards, &ws.id, Some(&ws.name))?;
        times.lap(format!("wards read ({} files)", ws.wards.len()), &mut since);
        let prepared = Prepared::new(&wards, None, &projector)?;
        times.lap("wards projected and checked", &mut since);
        let mut notes: Vec<String> = prepared.describe(&wards).into_iter().collect();
        if ws.wards.len() > 1 {
            notes.push(format!("{}: {} wards read from {} files", wards.source_name, wards.features.len(), ws.wards.len()));
        }
        let (electorate, mut turnout) = ward_electorates(ws, &wards, &mut notes)?;
        times.lap("electorates", &mut since);
        let patterns = ward_patterns(ws, &wards, &mut notes)?;
        times.lap(format!("local results ({} files)", ws.local.len()), &mut since);
        if let (true, None, Some(e), Some(p)) = (ws.turnout_from_local, &turnout, &electorate, &patterns) {
            // Local votes (under the multi-member rule) per elector: a relative
            // turnout, comparable within a seat, damped in the turnout model.
            turnout = Some(
                wards
                    .features
                    .iter()
                    .zip(e)
                    .map(|(f, &e)| p.local.wards.get(&f.id).map(|r| r.values().sum::<f64>()).filter(|_| e > 0.0).map(|v| v / e))
                    .collect(),
            );
            notes.push("relative turnout from local votes per elector (no ballots column given)".to_string());
        }
        Ok(PreparedWards { wards, bng: prepared.geometries, electorate, turnout, patterns, notes, times })
    }

    /// Estimates for the old seats these wards cover, except those `claimed`.
    pub fn estimate(&self, old: &OldSeats, results: &KeyedTable, config: &Config, claimed: Option<&[bool]>, progress: &dyn Progress) -> Result<WardEstimates> {
        let since = std::time::Instant::now();
        let mut estimates = estimate(
            Inputs {
                wards: &self.wards,
                wards_bng: &self.bng,
                seats: &old.layer,
                seats_bng: old.bng.clone(),
                results,
                electorate: self.electorate.as_deref(),
                turnout: self.turnout.as_deref(),
                local: self.patterns.as_ref().map(|p| &p.local),
                claimed,
            },
            config,
            progress,
        )?;
        let mut times = StageTimes(vec![("old seats (read, project, check)".into(), old.time)]);
        times.0.extend(self.times.0.iter().cloned());
        times.0.push(("estimates (parts, IPF)".into(), since.elapsed()));
        let ids = part_ids(&estimates, &self.wards, &old.layer);
        estimates.notes.extend(old.note.iter().cloned());
        estimates.notes.extend(self.notes.iter().cloned());
        Ok(WardEstimates { estimates, wards: self.wards.clone(), old: old.names.clone(), ids, times })
    }
}

/// A name for a layer read from `inputs`: the file's, or the folder of several.
fn layer_name(inputs: &[LayerSource]) -> String {
    match inputs {
        [one] => one.name().to_string(),
        _ => {
            let dirs: std::collections::BTreeSet<String> = inputs
                .iter()
                .map(|i| std::path::Path::new(i.name()).parent().map(|p| p.display().to_string()).unwrap_or_default())
                .collect();
            match dirs.len() {
                1 => format!("{}/", dirs.into_iter().next().unwrap_or_default()),
                _ => format!("{} files", inputs.len()),
            }
        }
    }
}

/// Each ward's local-election pattern from the local files (most recent
/// contested result), with notes on what each file gave and what it did not.
fn ward_patterns(ws: &WardSpec, wards: &Layer, notes: &mut Vec<String>) -> Result<Option<Patterns>> {
    if ws.local.is_empty() {
        return Ok(None);
    }
    let history: Option<CodeHistory> = match &ws.history {
        Some(h) => Some(
            read_columns(&h.input, &[&h.code, &h.name, &h.council])?
                .into_iter()
                .map(|(_, r)| (r[0].trim().to_string(), (r[1].trim().to_string(), r[2].trim().to_string())))
                .collect(),
        ),
        None => None,
    };
    let mut files = Vec::with_capacity(ws.local.len());
    let mut ambiguous = Vec::new();
    for spec in &ws.local {
        let input = &spec.input;
        let l = LocalResults::read_layout(input, &spec.layout, ws.rule, &ws.aliases)?;
        ambiguous.extend(l.ambiguous.iter().map(|(id, lines)| (format!("{} in {}", id, input.name()), lines.clone())));
        if !l.unkeyed.is_empty() {
            let first: Vec<String> = l.unkeyed.iter().take(5).map(u64::to_string).collect();
            notes.push(format!(
                "{}: {} row(s) with no ward id (blank or NULL) not used (lines {}{})",
                input.name(),
                l.unkeyed.len(),
                first.join(", "),
                if l.unkeyed.len() > 5 { ", …" } else { "" }
            ));
        }
        if let Some(first) = l.unreadable.first() {
            notes.push(format!(
                "{}: {} ward row(s) with a party cell that is not a count not used as a pattern (their wards take the seat's shares), e.g. {} on line {}, field `{}`: {}",
                input.name(),
                l.unreadable.len(),
                first.id,
                first.line,
                first.field,
                first.message
            ));
        }
        if !l.skipped.is_empty() {
            let list: Vec<String> = l.skipped.iter().map(ToString::to_string).collect();
            notes.push(format!("{}: columns not read as parties: {}", input.name(), list.join(", ")));
        }
        files.push(PatternFile { name: input.name().to_string(), results: l });
    }
    for (id, lines) in &ambiguous {
        let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
        notes.push(format!("ward {id} is on several lines ({}): ambiguous, not used as a pattern", lines.join(", ")));
    }
    let patterns = Patterns::assemble(wards, ws.council.as_deref(), &files, history.as_ref());
    if files.len() > 1 || ws.history.is_some() {
        for f in &patterns.files {
            let matched: Vec<String> = f.matched.iter().map(|(how, n)| format!("{n} by {how}")).collect();
            let mut line = format!(
                "{}: pattern of {} ward(s); results matched to wards: {}",
                f.name,
                f.used,
                if matched.is_empty() { "none".to_string() } else { matched.join(", ") }
            );
            if f.uncontested > 0 {
                line.push_str(&format!("; {} uncontested (not a pattern)", f.uncontested));
            }
            if f.unmatched.0 > 0 {
                line.push_str(&format!(
                    "; {} result(s) for no ward of {} (other vintages or divisions), e.g. {}",
                    f.unmatched.0,
                    wards.source_name,
                    f.unmatched.1.join(", ")
                ));
            }
            notes.push(line);
        }
    }
    let without: Vec<usize> = (0..wards.features.len()).filter(|&w| patterns.source[w].is_none()).collect();
    if !without.is_empty() {
        let mut by_council: HashMap<String, usize> = HashMap::new();
        if let Some(c) = &ws.council {
            for &w in &without {
                let v = wards.features[w].properties.get(c).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
                *by_council.entry(v.unwrap_or_default()).or_default() += 1;
            }
        }
        let mut councils: Vec<(String, usize)> = by_council.into_iter().collect();
        councils.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = councils.iter().take(12).map(|(c, n)| format!("{c} {n}")).collect();
        notes.push(format!(
            "{} of {} wards have no contested local result and take their old seat's shares{}",
            without.len(),
            wards.features.len(),
            if listed.is_empty() { String::new() } else { format!(" (by council: {}{})", listed.join(", "), if councils.len() > 12 { ", …" } else { "" }) }
        ));
    }
    Ok(Some(patterns))
}

pub(crate) fn old_names(layer: &Layer, result_names: &HashMap<String, String>) -> Vec<(String, String)> {
    layer
        .features
        .iter()
        .map(|f| (f.id.clone(), f.name.clone().or_else(|| result_names.get(&f.id).cloned()).unwrap_or_default()))
        .collect()
}

/// `ward` for a whole ward, `ward/old-seat` for a part of a split one.
fn part_ids(est: &Estimates, wards: &Layer, old: &Layer) -> Vec<String> {
    est.parts
        .iter()
        .map(|p| {
            let w = &wards.features[p.ward].id;
            if p.share >= 1.0 { w.clone() } else { format!("{w}/{}", old.features[p.seat].id) }
        })
        .collect()
}

type WardColumns = (Option<Vec<f64>>, Option<Vec<Option<f64>>>);

/// Ward electorates (and local turnout) from the electorate files, or the
/// wards' own `electorate` property; what was not used goes to `notes`.
fn ward_electorates(ws: &WardSpec, wards: &Layer, notes: &mut Vec<String>) -> Result<WardColumns> {
    let Some(spec) = &ws.electorates else {
        let mut from_props = Vec::with_capacity(wards.features.len());
        for (i, f) in wards.features.iter().enumerate() {
            match f.properties.iter().find(|(k, _)| k.eq_ignore_ascii_case("electorate")) {
                None => return Ok((None, None)),
                Some((k, v)) => {
                    let e = crate::read::json_count(v).map_err(|m| Error::field(&wards.source_name, wards.place(i), k, m))?;
                    from_props.push(e as f64);
                }
            }
        }
        return Ok((Some(from_props), None));
    };
    let ids: Vec<&str> = wards.features.iter().map(|f| f.id.as_str()).collect();
    let e = spec.read(&ids)?;
    if !e.missing.is_empty() {
        let list: Vec<&str> = e.missing.iter().take(8).map(|&w| ids[w]).collect();
        notes.push(format!(
            "{} ward(s) have no electorate row and count as no electorate: {}{}",
            e.missing.len(),
            list.join(", "),
            if e.missing.len() > 8 { ", …" } else { "" }
        ));
    }
    if e.repeats > 0 {
        notes.push(format!("{} electorate row(s) repeating a ward's earlier row not used (the first row is)", e.repeats));
    }
    for u in &e.unused {
        let ex: Vec<String> = u.examples.iter().map(|(line, id)| format!("line {line} `{id}`")).collect();
        notes.push(format!("{}: {} row(s) for no ward of {} not used, e.g. {}", u.file, u.rows, wards.source_name, ex.join(", ")));
    }
    Ok((Some(e.electorate), e.turnout))
}
