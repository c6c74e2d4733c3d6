//! The whole job, read → project → index → crosswalk → aggregate → results,
//! as one call. Writing the outputs is [`crate::export`]'s.

use crate::aggregate::{allocate, ledger_totals, Allocation};
use crate::crosswalk::{Crosswalk, Method, Unplaced};
use crate::error::Result;
use crate::geometry::bbox::{geometry_bounds, union};
use crate::geometry::index::TargetIndex;
use crate::geometry::reach::{self, unit_boxes, Reach};
use crate::progress::Progress;
use crate::geometry::project::{bounds_in_bng, layer_to_wgs84, projected_bounds, Plane, Projector};
use crate::geometry::crs::{detect_bounded, detect_stated, feature_bounds, Crs, Detected};
use crate::geometry::{Prepared, Repair};
use crate::read::{read_layer, Input, Layer, SkippedColumn, VoteTable};
use crate::results::Results;
use geo::{MultiPolygon, Rect};
use rayon::prelude::*;
use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, Instant};

/// Units partly outside every target by more than this fraction of their area are reported.
pub const UNCOVERED_TOLERANCE: f64 = 0.001;
/// Splits are also counted separately when more than this share of a unit lies
/// outside its main target (smaller ones are mostly slivers between boundary
/// files generalised differently).
pub const SPLIT_REPORT_SHARE: f64 = 0.01;

/// What to read and how to apportion.
#[derive(Debug, Clone)]
pub struct Options {
    /// Id property of the units (source polygons).
    pub from_id: String,
    /// Id column of the votes CSV (default: `from_id`).
    pub votes_id: Option<String>,
    /// Id property of the targets.
    pub to_id: String,
    /// Name property of the targets.
    pub to_name: String,
    /// Party columns; `None` takes every numeric one.
    pub parties: Option<Vec<String>>,
    /// Area or centroid.
    pub method: Method,
    /// The CRS of both layers, when stated (`--crs`); else detected.
    pub crs: Option<Crs>,
    /// Also check (and repair) the targets that no unit can reach. They
    /// receive nothing either way, so a run leaves them out
    /// ([`crate::geometry::reach`]); `notional check` checks every target.
    pub check_unreached: bool,
    /// Go on without votes when the units hold no vote columns (and none
    /// are named or given apart): every count is zero and only the geometry
    /// is diagnosed, as `notional check` does on two layers of seats.
    pub votes_optional: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            from_id: "code".into(),
            votes_id: None,
            to_id: "code".into(),
            to_name: "name".into(),
            parties: None,
            method: Method::Area,
            crs: None,
            check_unreached: false,
            votes_optional: false,
        }
    }
}

/// Everything a run computed.
pub struct Outcome {
    /// The units as read (ids, names, properties), without their
    /// geometries: those were projected where they lay, for the crosswalk
    /// ([`prepare`]), and are empty here (see [`Outcome::unit_geometries`]).
    pub units: Layer,
    /// The units' geometries in BNG metres as the crosswalk measured them
    /// (checked, and repaired where invalid), by unit.
    pub unit_geometries: Vec<MultiPolygon<f64>>,
    /// The targets as read.
    pub targets: Layer,
    /// The units' detected CRS.
    pub units_crs: Detected,
    /// The targets' detected CRS.
    pub targets_crs: Detected,
    /// Invalid units found (repaired or rejected).
    pub unit_repairs: Vec<Repair>,
    /// Invalid targets found (repaired or rejected), among those checked.
    pub target_repairs: Vec<Repair>,
    /// Targets left out unchecked (ascending): their box meets no unit's
    /// box ([`crate::geometry::reach`]), so they receive nothing. Empty when
    /// [`Options::check_unreached`] asked for every target to be checked.
    pub unchecked_targets: Vec<usize>,
    /// Geometry notes for the summary.
    pub notes: Vec<String>,
    /// Votes per unit.
    pub votes: VoteTable,
    /// Weights per unit over targets.
    pub crosswalk: Crosswalk,
    /// Counts per target, and what was not placed.
    pub allocation: Allocation,
    /// Per-target results.
    pub results: Results,
    /// Wall time of each stage.
    pub timings: Timings,
}

/// Wall time of each pipeline stage of one run (writing is timed by the caller).
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading and parsing the inputs, and the votes table.
    pub read: Duration,
    /// CRS detection and projection to BNG.
    pub project: Duration,
    /// Building the target index.
    pub index: Duration,
    /// Computing the crosswalk.
    pub crosswalk: Duration,
    /// Allocating votes and building results.
    pub aggregate: Duration,
    /// Unit–target pairs measured by an exact overlay rather than along
    /// their boundaries (see [`crate::geometry::overlap`]).
    pub overlays: usize,
}

impl fmt::Display for Timings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "read {:.0} ms, project {:.0} ms, index {:.0} ms, crosswalk {:.0} ms ({} exact overlays), aggregate {:.0} ms",
            ms(self.read),
            ms(self.project),
            ms(self.index),
            ms(self.crosswalk),
            self.overlays,
            ms(self.aggregate)
        )
    }
}

/// The inputs of a run, parsed.
pub struct Parsed {
    /// The units (wards).
    pub units: Layer,
    /// The targets (seats).
    pub targets: Layer,
    /// Votes per unit.
    pub votes: VoteTable,
}

/// The first stage of [`apportion`] on its own: parses both layers (in
/// parallel) and the votes (from `votes`, or the units' properties).
///
/// ```
/// use notional::apportion::{parse, Options};
/// let (wards, seats) = notional::demo::inputs();
/// let parsed = parse(&wards, &seats, None, &Options::default()).unwrap();
/// assert_eq!(parsed.units.features.len(), parsed.votes.len());
/// ```
pub fn parse(from: &Input, to: &Input, votes: Option<&Input>, options: &Options) -> Result<Parsed> {
    parse_alongside(from, to, votes, options, || {})
}

/// [`parse`], with `alongside` run as a task of its own while the layers are
/// read: last in line, so the worker that first runs out of reading takes it.
fn parse_alongside(from: &Input, to: &Input, votes: Option<&Input>, options: &Options, alongside: impl FnOnce() + Send) -> Result<Parsed> {
    let (units, (targets, ())) = rayon::join(
        || read_layer(from, &options.from_id, None),
        || rayon::join(|| read_layer(to, &options.to_id, Some(&options.to_name)), alongside),
    );
    let (units, targets) = (units?, targets?);
    let parties = options.parties.as_deref();
    let votes = match votes {
        Some(csv) => {
            let id = options.votes_id.as_deref().unwrap_or(&options.from_id);
            VoteTable::from_csv(csv, id, parties, &units)?
        }
        None => match VoteTable::from_properties(&units, &options.from_id, parties) {
            Err(crate::Error::NoVotes(_)) if options.votes_optional => VoteTable::none(units.features.len()),
            other => other?,
        },
    };
    Ok(Parsed { units, targets, votes })
}

/// The geometries of a run, ready for the index and the crosswalk.
pub struct Geometries {
    /// The units, projected where they lay, checked and repaired.
    pub units: Prepared,
    /// The targets, projected; those no unit can reach left out (empty), the
    /// others checked and repaired.
    pub targets: Prepared,
    /// The targets left out unchecked, ascending ([`Outcome::unchecked_targets`]).
    pub unchecked_targets: Vec<usize>,
    /// The box around every target, those left out included ([`TargetIndex::with_extent`]).
    pub extent: Option<Rect<f64>>,
    /// The plane the geometries were projected to and areas are measured in.
    pub plane: Plane,
}

/// The stages between [`parse`] and the index: project both layers to BNG
/// (the units' geometries where they lie, since nothing later needs them in
/// lon/lat; the targets' copied, the map is drawn from them), leave out the
/// targets no unit can reach ([`crate::geometry::reach`]; unless
/// [`Options::check_unreached`]), most of them before they are even projected,
/// and check and repair the rest.
///
/// ```
/// use notional::apportion::{parse, prepare, Options};
/// use notional::geometry::project::Projector;
/// let (wards, seats) = notional::demo::inputs();
/// let mut parsed = parse(&wards, &seats, None, &Options::default()).unwrap();
/// let ready = prepare(&mut parsed.units, &parsed.targets, &Options::default(), &Projector::new()).unwrap();
/// assert_eq!(ready.targets.geometries.len(), 3);
/// assert!(ready.unchecked_targets.is_empty()); // the demo's wards reach all three seats
/// ```
pub fn prepare(units: &mut Layer, targets: &Layer, options: &Options, projector: &Projector) -> Result<Geometries> {
    let (units_crs, (boxes, targets_crs)) = rayon::join(
        || detect_stated(units, options.crs),
        || {
            let boxes = feature_bounds(targets);
            let crs = detect_bounded(targets, options.crs, &boxes);
            (boxes, crs)
        },
    );
    let (units_crs, targets_crs) = (units_crs?, targets_crs?);
    // The plane is chosen by where the units (and so their votes) lie:
    // British National Grid in Britain, an equal-area plane centred on them
    // elsewhere. Targets far from them receive nothing either way.
    let suited = Projector::suited(units_crs.lonlat_extent());
    let projector = if suited.plane() == projector.plane() { projector } else { &suited };
    let mut units_prepared = Prepared::take_detected(units, units_crs, projector)?;
    let (mut targets_prepared, unchecked_targets, extent) = if options.check_unreached {
        let all = Prepared::projected_except(targets, targets_crs, projector, &[])?;
        let extent = all.geometries.par_iter().filter_map(geometry_bounds).reduce_with(union);
        (all, Vec::new(), extent)
    } else {
        within_reach(&units_prepared.geometries, targets, targets_crs, &boxes, projector)?
    };
    rayon::join(|| units_prepared.check(), || targets_prepared.check());
    Ok(Geometries { units: units_prepared, targets: targets_prepared, unchecked_targets, extent, plane: projector.plane() })
}

/// The targets projected but for those no unit can reach, left empty; those
/// (ascending); and the box around every target. The targets far from every
/// unit, told from boxes sure to hold them once projected (`boxes` are their
/// own), are not even projected; of the rest, those no unit's box meets are
/// left out too ([`crate::geometry::reach`]).
fn within_reach(
    units: &[MultiPolygon<f64>],
    targets: &Layer,
    crs: Detected,
    boxes: &[Option<Rect<f64>>],
    projector: &Projector,
) -> Result<(Prepared, Vec<usize>, Option<Rect<f64>>)> {
    let system = crs.crs;
    let reach = Reach::new(&unit_boxes(units));
    let bounds = bounds_in_bng(boxes, system, projector);
    let far = reach.unreached(&bounds);
    let mut prepared = Prepared::projected_except(targets, crs, projector, &far)?;
    let projected: Vec<Option<Rect<f64>>> = prepared.geometries.par_iter().map(geometry_bounds).collect();
    let extent = reach::extent(projected.iter().flatten().copied().reduce(union), &far, &bounds, |t| {
        projected_bounds(&targets.features[t].geometry, system, projector)
    })?;
    let unreached = reach.unreached(&projected);
    prepared.leave_out(&unreached);
    let mut left_out = [far, unreached].concat();
    left_out.sort_unstable();
    Ok((prepared, left_out, extent))
}

/// Runs the apportionment of `from` (units carrying votes, or `votes` CSV keyed
/// by unit id) onto `to` (targets).
///
/// ```
/// use notional::apportion::{apportion, Options};
/// use notional::progress::Silent;
/// use notional::read::Input;
/// let units = Input::from_text("wards.geojson", r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"W1","con":10,"lab":21},
///    "geometry":{"type":"Polygon","coordinates":[[[-0.2,51.5],[-0.18,51.5],[-0.18,51.51],[-0.2,51.51],[-0.2,51.5]]]}}]}"#);
/// let seats = Input::from_text("seats.geojson", r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"code":"S1","name":"West"},
///    "geometry":{"type":"Polygon","coordinates":[[[-0.3,51.4],[-0.19,51.4],[-0.19,51.6],[-0.3,51.6],[-0.3,51.4]]]}},
///   {"type":"Feature","properties":{"code":"S2","name":"East"},
///    "geometry":{"type":"Polygon","coordinates":[[[-0.19,51.4],[-0.1,51.4],[-0.1,51.6],[-0.19,51.6],[-0.19,51.4]]]}}]}"#);
/// let outcome = apportion(&units, &seats, None, &Options::default(), &Silent).unwrap();
/// let west = outcome.results.seat("S1").unwrap();
/// let east = outcome.results.seat("S2").unwrap();
/// assert_eq!(west.total + east.total, 31); // the split ward's votes are conserved
/// assert_eq!(outcome.summary().unallocated, 0);
/// ```
pub fn apportion(from: &Input, to: &Input, votes: Option<&Input>, options: &Options, progress: &dyn Progress) -> Result<Outcome> {
    let clock = Instant::now();
    let mut timings = Timings::default();
    // The projection grid (some 11 M instructions, ~3 ms) is built while the
    // inputs are read, in the time one worker waits for the other, instead of
    // by one worker while the other waits at the start of the projection.
    // (Wasted, but idle time, when neither layer turns out to be in lon/lat.)
    let projector = Projector::new();
    let parsed = parse_alongside(from, to, votes, options, || {
        projector.grid();
    })?;
    timings.read = clock.elapsed();
    run(parsed, options, &projector, progress, timings, Instant::now())
}

/// As [`apportion`], on layers and votes already in memory (built with
/// [`Layer::from_parts`] and [`VoteTable::from_columns`], say, rather than
/// read from files): the entry point for a program that holds its data.
/// `votes` has one row per unit, in the units' order.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use notional::apportion::{apportion_layers, Options};
/// use notional::geometry::Crs;
/// use notional::progress::Silent;
/// use notional::read::{Layer, VoteTable};
/// let square = |x0: f64, x1: f64| MultiPolygon::new(vec![polygon![(x: x0, y: 0.), (x: x1, y: 0.), (x: x1, y: 100.), (x: x0, y: 100.)]]);
/// let at = |g: MultiPolygon<f64>| g.0.iter().map(|p| geo::MapCoords::map_coords(p, |c| geo::coord! {x: c.x + 500_000., y: c.y + 200_000.})).collect::<MultiPolygon<f64>>();
/// let wards = Layer::from_parts("wards", vec!["W1".into()], None, vec![at(square(0., 100.))], Some(Crs::Bng.epsg().as_str())).unwrap();
/// let seats = Layer::from_parts("seats", vec!["S1".into(), "S2".into()], Some(vec!["West".into(), "East".into()]),
///     vec![at(square(-50., 25.)), at(square(25., 150.))], Some(Crs::Bng.epsg().as_str())).unwrap();
/// let votes = VoteTable::from_columns(vec![("lab".into(), vec![100])], None).unwrap();
/// let outcome = apportion_layers(wards, seats, votes, &Options::default(), &Silent).unwrap();
/// assert_eq!(outcome.results.seat("S1").unwrap().total, 25);
/// assert_eq!(outcome.results.seat("S2").unwrap().total, 75);
/// ```
pub fn apportion_layers(units: Layer, targets: Layer, votes: VoteTable, options: &Options, progress: &dyn Progress) -> Result<Outcome> {
    if votes.len() != units.features.len() {
        return Err(crate::Error::Mismatch(format!(
            "{}: {} units but {} rows of votes; give one row per unit, in the units' order",
            units.source_name,
            units.features.len(),
            votes.len()
        )));
    }
    run(Parsed { units, targets, votes }, options, &Projector::new(), progress, Timings::default(), Instant::now())
}

/// The stages after reading, shared by [`apportion`] and [`apportion_layers`].
fn run(parsed: Parsed, options: &Options, projector: &Projector, progress: &dyn Progress, mut timings: Timings, mut clock: Instant) -> Result<Outcome> {
    let mut lap = || {
        let now = Instant::now();
        let d = now - clock;
        clock = now;
        d
    };
    let Parsed { mut units, targets, votes } = parsed;
    let Geometries { units: units_prepared, targets: targets_prepared, unchecked_targets, extent, plane } =
        prepare(&mut units, &targets, options, projector)?;
    let (units_crs, targets_crs) = (units_prepared.crs.clone(), targets_prepared.crs.clone());
    let mut notes: Vec<String> = [units_prepared.describe(&units), targets_prepared.describe(&targets)].into_iter().flatten().collect();
    if plane != Plane::Bng {
        notes.push(format!("the units lie outside Great Britain: areas are measured in the {plane} plane"));
    }
    let (unit_repairs, target_repairs) = (units_prepared.repairs.clone(), targets_prepared.repairs.clone());
    for t in targets_prepared.rejected() {
        notes.push(format!("{}: {} was rejected and receives nothing", targets.source_name, targets.place(t)));
    }
    timings.project = lap();
    let index = TargetIndex::new(targets_prepared.geometries).with_extent(extent);
    timings.index = lap();
    let (crosswalk, overlays) = Crosswalk::of_prepared(&units_prepared, &index, options.method, progress);
    timings.overlays = overlays;
    timings.crosswalk = lap();
    let allocation = allocate(&votes, &crosswalk, index.len());
    let ids: Vec<&str> = targets.features.iter().map(|f| f.id.as_str()).collect();
    let names: Vec<&str> = targets.features.iter().map(|f| f.name.as_deref().unwrap_or("")).collect();
    let results = Results::new(votes.parties(), votes.has_electorate(), &ids, &names, &allocation);
    timings.aggregate = lap();
    Ok(Outcome {
        units,
        unit_geometries: units_prepared.geometries,
        targets,
        units_crs,
        targets_crs,
        unit_repairs,
        target_repairs,
        unchecked_targets,
        notes,
        votes,
        crosswalk,
        allocation,
        results,
        timings,
    })
}

impl Outcome {
    /// Unit ids, in unit order.
    pub fn unit_ids(&self) -> Vec<&str> {
        self.units.features.par_iter().map(|f| f.id.as_str()).collect()
    }

    /// Target ids, in target order.
    pub fn target_ids(&self) -> Vec<&str> {
        self.targets.features.iter().map(|f| f.id.as_str()).collect()
    }

    /// Target geometries in WGS84 lon/lat: as read, or converted back if the
    /// input was BNG.
    pub fn target_geometries_wgs84(&self) -> Result<Vec<Cow<'_, MultiPolygon<f64>>>> {
        Ok(match self.targets_crs.crs {
            Crs::Wgs84 => self.targets.features.iter().map(|f| Cow::Borrowed(&f.geometry)).collect(),
            crs => layer_to_wgs84(&self.targets, crs, &Projector::new())?.into_iter().map(Cow::Owned).collect(),
        })
    }

    /// The figures a user needs to trust the run.
    pub fn summary(&self) -> Summary {
        let parties = self.votes.parties().len();
        let (votes_in, allocated, unallocated) = ledger_totals(&self.votes, &self.allocation);
        let unplaced = self
            .allocation
            .unplaced(&self.votes, &self.crosswalk)
            .into_iter()
            .map(|(u, votes, cause)| (self.units.features[u].id.clone(), votes, cause))
            .collect();
        let partly_outside = self
            .crosswalk
            .partly_outside(UNCOVERED_TOLERANCE)
            .into_iter()
            .map(|(u, frac)| (self.units.features[u].id.clone(), frac))
            .collect();
        Summary {
            units: self.units.features.len(),
            targets: self.targets.features.len(),
            targets_with_votes: self.results.seats.len(),
            targets_unreached: self.unchecked_targets.len(),
            split: self.crosswalk.split_count(),
            split_beyond: self.crosswalk.split_count_beyond(SPLIT_REPORT_SHARE),
            method: self.crosswalk.method,
            parties: self.votes.parties().to_vec(),
            skipped_columns: self.votes.skipped().to_vec(),
            has_electorate: self.votes.has_electorate(),
            votes_in,
            allocated,
            unallocated,
            unallocated_by_cause: self
                .allocation
                .unallocated_by_cause
                .iter()
                .map(|(c, v)| (*c, v[..parties].iter().sum()))
                .collect(),
            unplaced,
            partly_outside,
            units_crs: self.units_crs.clone(),
            targets_crs: self.targets_crs.clone(),
            warnings: self.notes.iter().cloned().chain(self.units.warnings.iter().chain(&self.targets.warnings).map(ToString::to_string)).collect(),
        }
    }
}

/// The units not placed, as the summary's `unallocated:` line lists them
/// after the count: ` from 2 unit(s) not placed in any target: W1 (33 votes,
/// outside), …` (the first ten), or nothing when every unit was placed.
///
/// ```
/// use notional::apportion::unplaced_list;
/// use notional::crosswalk::Unplaced;
/// assert_eq!(unplaced_list(&[("W1".into(), 33, Unplaced::Gap)]), " from 1 unit(s) not placed in any target: W1 (33 votes, gap)");
/// assert_eq!(unplaced_list(&[]), "");
/// ```
pub fn unplaced_list(units: &[(String, u64, Unplaced)]) -> String {
    if units.is_empty() {
        return String::new();
    }
    let list: Vec<String> = units.iter().take(10).map(|(id, v, cause)| format!("{id} ({v} votes, {})", cause.as_str())).collect();
    let more = units.len().saturating_sub(10);
    format!(
        " from {} unit(s) not placed in any target: {}{}",
        units.len(),
        list.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() }
    )
}

/// The run in figures; `Display` prints it for people.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Units read.
    pub units: usize,
    /// Targets read.
    pub targets: usize,
    /// Targets that received a share of some unit.
    pub targets_with_votes: usize,
    /// Targets no unit can reach, left out unchecked ([`Outcome::unchecked_targets`]).
    pub targets_unreached: usize,
    /// Units shared between two or more targets.
    pub split: usize,
    /// Units with more than [`SPLIT_REPORT_SHARE`] outside their main target.
    pub split_beyond: usize,
    /// Method used.
    pub method: Method,
    /// Party columns used.
    pub parties: Vec<String>,
    /// Columns of the votes input not counted as votes, and why.
    pub skipped_columns: Vec<SkippedColumn>,
    /// Whether an electorate column was found.
    pub has_electorate: bool,
    /// Votes read (all parties).
    pub votes_in: u64,
    /// Votes allocated to targets.
    pub allocated: u64,
    /// Votes of units wholly outside every target.
    pub unallocated: u64,
    /// Unallocated votes by cause.
    pub unallocated_by_cause: Vec<(Unplaced, u64)>,
    /// Units whose votes could not be placed, with their votes and the cause
    /// (the ledger's).
    pub unplaced: Vec<(String, u64, Unplaced)>,
    /// Units partly outside every target (renormalised), with the uncovered fraction.
    pub partly_outside: Vec<(String, f64)>,
    /// The units' CRS.
    pub units_crs: Detected,
    /// The targets' CRS.
    pub targets_crs: Detected,
    /// Reader warnings.
    pub warnings: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "units:        {} ({})", self.units, self.units_crs.crs)?;
        write!(f, "targets:      {} ({}); {} received votes", self.targets, self.targets_crs.crs, self.targets_with_votes)?;
        if self.targets_unreached > 0 {
            write!(f, "; {} beyond every unit's reach, left out unchecked", self.targets_unreached)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "method:       {}; {} units split between targets, {} with over {}% outside their main target",
            self.method,
            self.split,
            self.split_beyond,
            SPLIT_REPORT_SHARE * 100.0
        )?;
        writeln!(
            f,
            "parties:      {}{}",
            self.parties.join(", "),
            if self.has_electorate { " (+ electorate)" } else { "" }
        )?;
        if !self.skipped_columns.is_empty() {
            let list: Vec<String> = self.skipped_columns.iter().map(ToString::to_string).collect();
            writeln!(f, "skipped columns: {} (not counted as votes; name the party columns to count them)", list.join(", "))?;
        }
        write!(f, "ledger:       in {} = allocated {} + unallocated {}", self.votes_in, self.allocated, self.unallocated)?;
        let causes: Vec<String> = self.unallocated_by_cause.iter().map(|(c, v)| format!("{} {v}", c.as_str())).collect();
        if causes.is_empty() {
            writeln!(f, " (ledger.csv)")?;
        } else {
            writeln!(f, " ({}; ledger.csv)", causes.join(", "))?;
        }
        writeln!(f, "votes in:     {}", self.votes_in)?;
        writeln!(f, "allocated:    {}", self.allocated)?;
        writeln!(f, "unallocated:  {}{}", self.unallocated, unplaced_list(&self.unplaced))?;
        if !self.partly_outside.is_empty() {
            let list: Vec<String> =
                self.partly_outside.iter().take(5).map(|(id, x)| format!("{id} {:.1}%", x * 100.0)).collect();
            writeln!(
                f,
                "partly outside: {} unit(s) extend beyond every target by over {}% of their area; their votes were shared over the covered part (worst: {})",
                self.partly_outside.len(),
                UNCOVERED_TOLERANCE * 100.0,
                list.join(", ")
            )?;
        }
        if !self.warnings.is_empty() {
            writeln!(f, "warnings:     {}", self.warnings.len())?;
            for w in self.warnings.iter().take(10) {
                writeln!(f, "  {w}")?;
            }
            if self.warnings.len() > 10 {
                writeln!(f, "  … and {} more", self.warnings.len() - 10)?;
            }
        }
        Ok(())
    }
}
