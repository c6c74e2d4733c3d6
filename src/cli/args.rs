//! Command-line definitions (clap). Each subcommand resolves into a validated
//! configuration that `main` runs.

use clap::{Args, Parser, Subcommand, ValueEnum};
use notional::apportion::Options;
use notional::crosswalk::Method;
use notional::export::map::MapOptions;
use notional::export::Durability;
use notional::geometry::crs::Crs;
use notional::election::estimate::Config;
use anyhow::Context as _;
use notional::read::{Aliases, ElectorateColumns, ElectorateSpec, Input, KeyedTable, LocalLayout, Missing, MultiMember, Repeated};
use notional::election::ensemble::EnsembleSpec;
use notional::recipe::{MapPart, Recipe};
use notional::recompute::{result_names, HistorySpec, LocalSpec, OldSeats, Others, Route, Spec, WardSpec, WeightsSpec};
use std::path::PathBuf;

/// Recompute election results on new boundaries.
///
/// notional apportions votes held by small areas (wards) onto new boundaries
/// (constituencies), splitting wards that straddle a new boundary by exact
/// intersection area, and reports each new seat's notional result: votes,
/// shares, winner, majority, turnout. Every vote is accounted for: what cannot
/// be placed is reported, never dropped.
#[derive(Debug, Parser)]
#[command(name = "notional", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apportion unit (ward) votes onto target polygons (new seats).
    #[command(after_long_help = APPORTION_EXAMPLES)]
    Apportion(Box<ApportionArgs>),
    /// Notional results for new seats from public inputs: ward estimates
    /// reconciled to old-seat results, or old seats as units, or a weights table.
    #[command(after_long_help = RECOMPUTE_EXAMPLES)]
    Recompute(Box<RecomputeArgs>),
    /// Ward estimates reconciled to old-seat results (wards.csv, wards.geojson).
    #[command(after_long_help = ESTIMATE_EXAMPLES)]
    Estimate(Box<EstimateArgs>),
    /// Diagnose inputs: CRS, invalid geometry, and coverage problems weighted
    /// by the votes they put at stake.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(Box<CheckArgs>),
    /// Run the embedded, illustrative Kensington demo and print the seat table.
    #[command(after_long_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Write a seeded synthetic pair of inputs (wards carrying votes, seats)
    /// of any size, for benchmarks and scale tests. Nothing in them is real.
    #[command(after_long_help = SYNTHETIC_EXAMPLES)]
    Synthetic(SyntheticArgs),
    /// Draw a results folder (its results.geojson) as map.svg: the new seats
    /// coloured by winner, geographic and, with --hexjson, as a hex cartogram.
    #[command(after_long_help = MAP_EXAMPLES)]
    Map(MapArgs),
}

const MAP_EXAMPLES: &str = "\
Example (D=../shared/data):
  examples/gb_2019.sh $D out/gb
  notional map out/gb --hexjson $D/hexjson/openinnovations_uk-constituencies-2024_v1.2.hexjson

Writes out/gb/map.svg: the geographic map beside the hex cartogram, seats
coloured by notional winner (lighter where the majority is under 5%), with a
title, a legend and the boundaries' attribution. Seats missing from the
layout are listed.";

#[derive(Debug, Args)]
pub struct MapArgs {
    /// A folder written by `apportion` or `recompute` (its results.geojson,
    /// and composition.csv where there is one).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The old seats (a layer file), drawn as an outline layer.
    #[arg(long, value_name = "FILE")]
    pub old_seats: Option<PathBuf>,

    /// Id property of --old-seats.
    #[arg(long, value_name = "FIELD", default_value = "code")]
    pub old_id: String,

    /// Name property of --old-seats.
    #[arg(long, value_name = "FIELD", default_value = "name")]
    pub old_name: String,

    #[command(flatten)]
    pub map: MapFlags,

    /// Flush map.html and map.svg to the disk before moving them into place.
    #[arg(long)]
    pub sync: bool,
}

/// How map.html and map.svg are labelled and laid out.
#[derive(Debug, Args, Clone, Default)]
pub struct MapFlags {
    /// A HexJSON layout (odd-r or even-r) keyed by the seats' ids: adds the
    /// hex cartogram to map.html and map.svg. Seats missing from the layout
    /// are listed.
    #[arg(long, value_name = "FILE")]
    pub hexjson: Option<PathBuf>,

    /// The maps' title [default: names the data and the method].
    #[arg(long)]
    pub title: Option<String>,

    /// The maps' attribution line for the boundaries
    /// [default: the ONS and Ordnance Survey line].
    #[arg(long)]
    pub attribution: Option<String>,

    /// Write no map.html and map.svg (they take about a tenth of a second
    /// for 650 seats), as for a batch of runs whose maps nobody looks at.
    #[arg(long, conflicts_with_all = ["hexjson", "title", "attribution"])]
    pub no_map: bool,
}

impl MapFlags {
    /// These flags over a recipe's `[map]` (the flags win), with `title`
    /// where neither gives one.
    pub fn options(&self, recipe: Option<&MapPart>, title: impl FnOnce() -> String) -> anyhow::Result<MapOptions> {
        let options = MapOptions::resolve(self.hexjson.clone(), self.title.clone(), self.attribution.clone(), recipe, title)?;
        Ok(MapOptions { skip: self.no_map, ..options })
    }
}

const SYNTHETIC_EXAMPLES: &str = "\
Examples:
  # A million wards and 650 seats, then apportion them and time each stage:
  notional synthetic --units 1000000 --targets 650 -o synth-1m
  notional apportion synth-1m/wards.geojson synth-1m/seats.geojson -o out --timings

Both layers tessellate the same 100 km square of British National Grid
(around 52N 1.5W) with jittered grid cells, seeded independently, so wards
are not nested in seats; they are written as RFC 7946 GeoJSON in WGS84.";

const APPORTION_EXAMPLES: &str = "\
Examples:
  # Ward polygons carrying votes → 2024 seats, by exact intersection area:
  notional apportion ../shared/data/derived/london_wards_2022.geojson \\
      ../shared/data/derived/pcon2024_bgc.geojson -o out/

  # Votes from a CSV keyed by ward code (BOM, thousands separators and blank
  # cells are fine), only some parties, each ward whole to one seat:
  notional apportion wards.geojson seats.geojson --votes ward_votes.csv \\
      --from-id WD22CD --votes-id ward_code --to-id PCON24CD --to-name PCON24NM \\
      --parties Con,Lab,LD --method centroid -o out/

Writes out/results.csv, out/results.geojson and out/crosswalk.csv.";

const DEMO_EXAMPLES: &str = "\
Examples:
  notional demo              # print the old and new seat tables
  notional demo -o demo-out  # also write results.csv, results.geojson, crosswalk.csv

The demo's polygons are schematic and its ward figures illustrative (see
data/demo/README.md); each old seat's wards add up to its real 2019 result.";

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Source units: a layer of (Multi)Polygons, e.g. wards carrying vote
    /// counts as numeric properties: GeoJSON or TopoJSON, a Shapefile (.shp
    /// with its .dbf, .prj and .cpg; or a .zip of them) or a GeoPackage.
    /// In any coordinate system of the EPSG table (declared by a `crs`
    /// member, .prj or GeoPackage srs; undeclared: WGS84 lon/lat or British
    /// National Grid, told from the coordinates). Outside Britain, areas are
    /// measured in an equal-area plane centred on the units.
    #[arg(value_name = "FROM")]
    pub from: PathBuf,

    /// Target polygons (e.g. new constituencies): a layer as FROM is.
    #[arg(value_name = "TO")]
    pub to: PathBuf,

    /// The layer of FROM to read where it holds several: a GeoPackage's
    /// feature table, or a zip's shapefile (its name without .shp).
    /// `FROM:LAYER` says the same.
    #[arg(long, value_name = "NAME")]
    pub from_layer: Option<String>,

    /// The layer of TO to read where it holds several (as --from-layer).
    #[arg(long, value_name = "NAME")]
    pub to_layer: Option<String>,

    /// Take votes from this CSV (one row per unit, keyed by unit id) instead of
    /// the units' properties.
    #[arg(long, value_name = "CSV")]
    pub votes: Option<PathBuf>,

    /// Property holding each unit's id.
    #[arg(long, value_name = "FIELD", default_value = "code")]
    pub from_id: String,

    /// Column of the votes CSV holding the unit id [default: same as --from-id].
    #[arg(long, value_name = "COLUMN")]
    pub votes_id: Option<String>,

    /// Property holding each target's id.
    #[arg(long, value_name = "FIELD", default_value = "code")]
    pub to_id: String,

    /// Property holding each target's name.
    #[arg(long, value_name = "FIELD", default_value = "name")]
    pub to_name: String,

    /// Party columns to apportion, comma-separated [default: every numeric
    /// property/column except the id and `electorate`]. An `electorate`
    /// column, if present, is always apportioned too and gives turnout.
    #[arg(long, value_name = "A,B,…", value_delimiter = ',')]
    pub parties: Option<Vec<String>>,

    /// How units are shared: `area` splits a unit straddling targets by exact
    /// intersection area; `centroid` sends each unit whole to the target
    /// holding its interior point.
    #[arg(long, value_enum, default_value_t = MethodArg::Area)]
    pub method: MethodArg,

    /// State the coordinate system of both layers instead of detecting it:
    /// `wgs84` (lon/lat degrees) or `bng` (British National Grid metres).
    /// Refused if the coordinates do not fit it or a `crs` member disagrees.
    #[arg(long, value_enum)]
    pub crs: Option<CrsArg>,

}

#[derive(Debug, Args)]
pub struct ApportionArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// Output directory (created if missing) for results.csv, results.geojson,
    /// crosswalk.csv, ledger.csv, map.html and map.svg.
    #[arg(short, long, value_name = "DIR", required_unless_present = "parse_only")]
    pub output: Option<PathBuf>,

    /// Print the wall time of each stage (read, project, index, crosswalk,
    /// aggregate, write) on stderr, and how many ward–seat pairs needed an
    /// exact overlay.
    #[arg(long)]
    pub timings: bool,

    #[command(flatten)]
    pub map: MapFlags,

    /// Also write results.gpkg: the results.csv columns and the new seats'
    /// polygons (WGS84) as a GeoPackage feature table `results`, for GIS.
    #[arg(long)]
    pub gpkg: bool,

    /// Only read and parse the inputs, say what was read, and stop. A
    /// baseline for benchmarks: how close a whole run comes to the time
    /// needed just to read its inputs (`benches/compare_peers.sh`).
    #[arg(long, conflicts_with = "output")]
    pub parse_only: bool,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// A piece of a unit smaller than this share of it, in a target, is
    /// reported as a sliver.
    #[arg(long, value_name = "SHARE", default_value_t = 0.001)]
    pub sliver: f64,

    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,

    /// Exit with status 1 when there is any warning.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub common: Common,
}

const CHECK_EXAMPLES: &str = "\
Examples:
  # The raw ONS 2024 ultra-generalised seats: 18 invalid features repaired.
  notional check ../shared/data/derived/london_wards_2022.geojson \\
      ../shared/data/boundaries/pcon2024/Westminster_Parliamentary_Constituencies_July_2024_Boundaries_UK_BUC.geojson \\
      --to-id PCON24CD --to-name PCON24NM

  notional check wards.geojson seats.geojson --json --strict   # for scripts: exit 1 on any warning";

const RECOMPUTE_EXAMPLES: &str = "\
Examples (D=../shared/data):
  # London: 2022 wards, 2022 borough elections as the pattern, reconciled to
  # the 2019 results, re-aggregated onto the 2024 seats, compared with 2024:
  notional recompute --wards $D/derived/london_wards_2022.geojson \\
      --old-seats $D/derived/pcon2010_bgc.geojson \\
      --old-results $D/results_ge2019/HoC-GE2019-results-by-constituency.csv \\
      --new-seats $D/derived/pcon2024_bgc.geojson \\
      --electorates $D/local_elections/london_borough_2022_ward_level.csv \\
      --electorates-id WD22CD --electorate-column entitled_electors --ballots-column valid_ballots \\
      --local $D/local_elections/london_borough_2022_candidate_level.csv --local-id WD22CD \\
      --later-results $D/results_ge2024/HoC-GE2024-results-by-constituency.csv -o out/london

  # Whole UK, old seats as units, by area:
  notional recompute --old-seats $D/derived/pcon2010_bgc.geojson \\
      --old-results $D/results_ge2019/HoC-GE2019-results-by-constituency.csv \\
      --new-seats $D/derived/pcon2024_bgc.geojson -o out/uk

  # Whole UK, by mySociety's population overlaps instead of geometry:
  notional recompute --weights $D/lookups/mysociety_PARL10_PARL25_combo_overlap.csv \\
      --weights-from PARL10 --weights-to PARL25 --weights-column overlap_pop \\
      --weights-fallback overlap_area --weights-lookup $D/lookups/mysociety_ukparl2025_to_PCON24CD.csv \\
      --lookup-from UKPARL.2025 --lookup-to PCON24CD \\
      --old-results $D/results_ge2019/HoC-GE2019-results-by-constituency.csv \\
      --new-seats $D/derived/pcon2024_bgc.geojson -o out/uk

Writes results.csv, results.geojson, crosswalk.csv, composition.csv, report.txt,
and with --wards also wards.csv and wards.geojson.";

const ESTIMATE_EXAMPLES: &str = "\
Example (D=../shared/data):
  notional estimate --wards $D/derived/london_wards_2022.geojson \\
      --old-seats $D/derived/pcon2010_bgc.geojson \\
      --old-results $D/results_ge2019/HoC-GE2019-results-by-constituency.csv \\
      --local $D/local_elections/london_borough_2022_candidate_level.csv --local-id WD22CD -o out/est

  # Every ward set of a recipe (its [new] seats are not needed here):
  notional estimate --recipe examples/gb_2019.toml --data $D -o out/est-gb

Writes wards.csv, wards.geojson (ready for `notional apportion`) and report.txt.";

/// Inputs shared by `recompute` and `estimate`.
#[derive(Debug, Args)]
pub struct OldArgs {
    /// A recipe (TOML) naming every input, its columns and its role, instead
    /// of the input flags: for runs with many inputs. See
    /// examples/gb_2019.toml and docs/reference.md. Paths in it are relative
    /// to --data, or else to the recipe's folder.
    #[arg(long, value_name = "TOML")]
    pub recipe: Option<PathBuf>,

    /// The folder a recipe's paths are relative to.
    #[arg(long, value_name = "DIR", requires = "recipe")]
    pub data: Option<PathBuf>,

    /// Old seat polygons, e.g. the 2019 boundaries: a layer file (GeoJSON,
    /// TopoJSON, Shapefile, zipped Shapefile, GeoPackage; `FILE:LAYER` picks
    /// a GeoPackage's table or a zip's shapefile).
    #[arg(long, value_name = "LAYER")]
    pub old_seats: Option<PathBuf>,

    /// Old seats' actual results: a CSV with an id column and one column per
    /// party (such as the House of Commons Library file); an `Electorate`
    /// column scales ward electorates to the parliamentary register.
    #[arg(long, value_name = "CSV", required_unless_present = "recipe")]
    pub old_results: Option<PathBuf>,

    /// Id property of the old seats.
    #[arg(long, value_name = "FIELD", default_value = "code")]
    pub old_id: String,

    /// Name property of the old seats.
    #[arg(long, value_name = "FIELD", default_value = "name")]
    pub old_name: String,

    /// Id column of the old results.
    #[arg(long, value_name = "COLUMN", default_value = "ONS ID")]
    pub results_id: String,

    /// Name column of the old results.
    #[arg(long, value_name = "COLUMN", default_value = "Constituency name")]
    pub results_name: String,

    /// Party columns of the old results [default: every numeric column except
    /// the id, electorate, valid/invalid votes, majority and the like].
    #[arg(long, value_name = "A,B,…", value_delimiter = ',')]
    pub parties: Option<Vec<String>>,

    #[command(flatten)]
    pub wards: WardArgs,

    /// Output directory.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    #[command(flatten)]
    pub common: Common,
}

/// The ward route's inputs.
#[derive(Debug, Args)]
pub struct WardArgs {
    /// Ward polygons (a layer file as --old-seats): a file, or a folder whose
    /// .geojson, .json, .topojson, .shp and .gpkg files (a council's wards
    /// each, say) are read as one layer; repeatable. Without it, `recompute` uses the old seats
    /// themselves (or --weights) as units.
    #[arg(long, value_name = "LAYER|DIR")]
    pub wards: Vec<PathBuf>,

    /// Id property of the wards.
    #[arg(long, value_name = "FIELD", default_value = "code")]
    pub ward_id: String,

    /// Name property of the wards.
    #[arg(long, value_name = "FIELD", default_value = "name")]
    pub ward_name: String,

    /// Ward electorates (CSV keyed by ward id; repeatable, read as one
    /// table) [default: the wards' own `electorate` property, else ward area].
    #[arg(long, value_name = "CSV")]
    pub electorates: Vec<PathBuf>,

    /// Ward id column of --electorates [default: --ward-id].
    #[arg(long, value_name = "COLUMN")]
    pub electorates_id: Option<String>,

    /// Electorate column of --electorates, or a range `A..B` of columns
    /// summed (`18..90` of a population table by single year of age).
    #[arg(long, value_name = "COLUMN", default_value = "electorate")]
    pub electorate_column: String,

    /// A ward on several rows of --electorates: refuse, or use its first row
    /// (a file of several blocks, persons first).
    #[arg(long, value_enum, default_value_t = RepeatedArg::Refuse)]
    pub electorates_repeated: RepeatedArg,

    /// A ward on no row of --electorates: refuse, or count it as no
    /// electorate (its people counted in a neighbour's row).
    #[arg(long, value_enum, default_value_t = MissingArg::Refuse)]
    pub electorates_missing: MissingArg,

    /// Column of --electorates with local ballots cast: gives each ward's
    /// local turnout for the turnout model.
    #[arg(long, value_name = "COLUMN")]
    pub ballots_column: Option<String>,

    /// Local-election results by ward (repeatable, oldest first: a ward takes
    /// its most recent contested result): candidate-level files with `party`
    /// and `votes` columns, or ward-level files with a column per party.
    #[arg(long, value_name = "CSV")]
    pub local: Vec<PathBuf>,

    /// Ward id column of the --local files [default: --ward-id].
    #[arg(long, value_name = "COLUMN", conflicts_with = "local_layout")]
    pub local_id: Option<String>,

    /// A preset layout of headerless --local files: `leap` (the Local
    /// Elections Archive Project: council, council code, ward, ward code,
    /// candidate, party, votes, elected).
    #[arg(long, value_name = "PRESET")]
    pub local_layout: Option<String>,

    /// Council code property of the wards: local results on a code not in
    /// the wards are matched by council code and ward name.
    #[arg(long, value_name = "FIELD")]
    pub ward_council: Option<String>,

    /// A ward code history (CSV of codes of every vintage with names and
    /// councils), to match local results on older codes.
    #[arg(long, value_name = "CSV", requires = "code_history_columns")]
    pub code_history: Option<PathBuf>,

    /// The code, name and council columns of --code-history.
    #[arg(long, value_name = "CODE,NAME,COUNCIL", value_delimiter = ',', num_args = 3)]
    pub code_history_columns: Option<Vec<String>>,

    /// Old seats the wards cover too little to estimate (Northern Ireland's,
    /// in a run on Great Britain's wards): leave them out, or carry them
    /// whole onto the new seats by area with their actual result.
    #[arg(long, value_enum, default_value_t = OthersArg::Leave)]
    pub others: OthersArg,

    /// How far local patterns are trusted (0: the seat's own shares; 1: the
    /// local shares as they are): prior = local^w × seat^(1−w).
    #[arg(long, value_name = "W", default_value_t = 1.0)]
    pub pattern_weight: f64,

    /// Without --ballots-column, take each ward's relative turnout from its
    /// local votes per elector (damped in the turnout model).
    #[arg(long)]
    pub turnout_from_local: bool,

    /// How a party's strength is read from multi-member wards: the mean of its
    /// candidates' votes, or its best candidate's.
    #[arg(long, value_enum, default_value_t = RuleArg::Mean)]
    pub local_rule: RuleArg,

    /// Extra party label aliases: a CSV `label,party` (e.g. `Aspire,Independent`).
    #[arg(long, value_name = "CSV")]
    pub party_aliases: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RuleArg {
    Mean,
    Top,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RepeatedArg {
    Refuse,
    First,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MissingArg {
    Refuse,
    Zero,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OthersArg {
    Leave,
    OldSeats,
}

#[derive(Debug, Args)]
pub struct RecomputeArgs {
    /// New seat polygons: a layer file as --old-seats.
    #[arg(long, value_name = "LAYER", required_unless_present = "recipe")]
    pub new_seats: Option<PathBuf>,

    /// Id property of the new seats.
    #[arg(long, value_name = "FIELD", default_value = "code")]
    pub new_id: String,

    /// Name property of the new seats.
    #[arg(long, value_name = "FIELD", default_value = "name")]
    pub new_name: String,

    /// A weights table (CSV) of old seat → new seat, used instead of geometry.
    #[arg(long, value_name = "CSV")]
    pub weights: Option<PathBuf>,

    /// Old-seat id column of --weights.
    #[arg(long, value_name = "COLUMN", default_value = "from")]
    pub weights_from: String,

    /// New-seat id column of --weights.
    #[arg(long, value_name = "COLUMN", default_value = "to")]
    pub weights_to: String,

    /// Weight column of --weights (any scale: normalised per old seat).
    #[arg(long, value_name = "COLUMN", default_value = "weight")]
    pub weights_column: String,

    /// Column of --weights used for an old seat whose weights are all zero.
    #[arg(long, value_name = "COLUMN")]
    pub weights_fallback: Option<String>,

    /// Lookup (CSV) from the --weights new-seat ids to the new seats' ids.
    #[arg(long, value_name = "CSV", requires_all = ["lookup_from", "lookup_to"])]
    pub weights_lookup: Option<PathBuf>,

    /// Column of --weights-lookup holding the weights table's ids.
    #[arg(long, value_name = "COLUMN")]
    pub lookup_from: Option<String>,

    /// Column of --weights-lookup holding the new seats' ids.
    #[arg(long, value_name = "COLUMN")]
    pub lookup_to: Option<String>,

    /// Print how long each stage took (to stderr).
    #[arg(long)]
    pub timings: bool,

    /// Run an ensemble of N draws of the ward method (drawn pattern weight
    /// and turnout damping, resampled local results) and write
    /// uncertainty.csv: each seat's percentiles, win probabilities and call
    /// (safe, likely, lean, tossup). A recipe's [ensemble] table sets it too.
    #[arg(long, value_name = "N")]
    pub ensemble: Option<usize>,

    /// Seed of the ensemble: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1, requires = "ensemble")]
    pub seed: u64,

    /// A later actual result (CSV keyed by new seat id), e.g. the 2024 Commons
    /// Library file: adds the later winner, hold/gain and swing.
    #[arg(long, value_name = "CSV")]
    pub later_results: Option<PathBuf>,

    /// Id column of --later-results.
    #[arg(long, value_name = "COLUMN", default_value = "ONS ID")]
    pub later_id: String,

    #[command(flatten)]
    pub map: MapFlags,

    /// Also write results.gpkg: the results.csv columns and the new seats'
    /// polygons (WGS84) as a GeoPackage feature table `results`, for GIS.
    #[arg(long)]
    pub gpkg: bool,

    #[command(flatten)]
    pub old: OldArgs,
}

#[derive(Debug, Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub old: OldArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also write the outputs (results.csv, results.geojson, crosswalk.csv) here.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct SyntheticArgs {
    /// Number of wards (units carrying votes).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub units: usize,

    /// Number of seats (targets).
    #[arg(long, default_value_t = 650, value_name = "N")]
    pub targets: usize,

    /// Seed: the same seed always writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Directory for wards.geojson and seats.geojson (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    /// Flush the files to the disk before moving them into place (see `apportion --help`).
    #[arg(long)]
    pub sync: bool,
}

#[derive(Debug, Args)]
pub struct Common {
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// Flush the output files to the disk before moving them into place.
    ///
    /// Outputs are always written to temporary files and moved into place
    /// only when all are complete, so an error or a crash never leaves a
    /// half-written file. With --sync they also survive a power cut, at the
    /// cost of waiting for the disk (about 10 ms for England's outputs).
    #[arg(long)]
    pub sync: bool,
}

impl Common {
    /// The durability asked for.
    pub fn durability(&self) -> Durability {
        durability(self.sync)
    }
}

/// What `--sync` asks for.
pub fn durability(sync: bool) -> Durability {
    if sync { Durability::Synced } else { Durability::Atomic }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CrsArg {
    Wgs84,
    Bng,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Area,
    Centroid,
}

impl InputArgs {
    /// The library options these arguments stand for.
    pub fn options(&self) -> Options {
        Options {
            from_id: self.from_id.clone(),
            votes_id: self.votes_id.clone(),
            to_id: self.to_id.clone(),
            to_name: self.to_name.clone(),
            parties: self.parties.as_ref().map(|p| p.iter().map(|s| s.trim().to_string()).collect()),
            method: match self.method {
                MethodArg::Area => Method::Area,
                MethodArg::Centroid => Method::Centroid,
            },
            crs: self.crs.map(|c| match c {
                CrsArg::Wgs84 => Crs::Wgs84,
                CrsArg::Bng => Crs::Bng,
            }),
            check_unreached: false,
            votes_optional: false,
        }
    }
}

fn input(path: &std::path::Path) -> anyhow::Result<Input> {
    Ok(Input::from_path(path)?)
}

impl OldArgs {
    /// The ward route's inputs, when --wards is given, and the files in
    /// ward folders not read (to tell the user).
    pub fn ward_spec(&self) -> anyhow::Result<Option<(WardSpec, Vec<String>)>> {
        let w = &self.wards;
        if w.wards.is_empty() {
            return Ok(None);
        }
        let mut layer = Vec::new();
        let mut not_read = Vec::new();
        for p in &w.wards {
            let (files, other) = notional::recipe::layer_files(p)?;
            not_read.extend(other.into_iter().map(|o| format!("{}/{o}", p.display())));
            for f in files {
                layer.push(input(&f)?.into());
            }
        }
        let electorates = match w.electorates.as_slice() {
            [] => None,
            files => Some(ElectorateSpec {
                inputs: files.iter().map(|p| input(p)).collect::<anyhow::Result<_>>()?,
                id: w.electorates_id.clone().unwrap_or_else(|| w.ward_id.clone()),
                columns: ElectorateColumns::parse(&w.electorate_column),
                ballots: w.ballots_column.clone(),
                repeated: match w.electorates_repeated {
                    RepeatedArg::Refuse => Repeated::Refuse,
                    RepeatedArg::First => Repeated::First,
                },
                missing: match w.electorates_missing {
                    MissingArg::Refuse => Missing::Refuse,
                    MissingArg::Zero => Missing::Zero,
                },
            }),
        };
        let layout = match &w.local_layout {
            Some(p) => LocalLayout::preset(p).ok_or_else(|| anyhow::anyhow!("--local-layout: unknown preset `{p}` (known: leap)"))?,
            None => LocalLayout::Header { ward_id: w.local_id.clone().unwrap_or_else(|| w.ward_id.clone()) },
        };
        let local = w.local.iter().map(|p| Ok(LocalSpec { input: input(p)?, layout: layout.clone() })).collect::<anyhow::Result<Vec<_>>>()?;
        let aliases = match &w.party_aliases {
            Some(p) => Aliases::read(&input(p)?)?,
            None => Aliases::default(),
        };
        let history = match (&w.code_history, &w.code_history_columns) {
            (Some(p), Some(c)) => Some(HistorySpec { input: input(p)?, code: c[0].clone(), name: c[1].clone(), council: c[2].clone() }),
            _ => None,
        };
        let config = Config { pattern_weight: w.pattern_weight, ..Config::default() };
        config.validate().context("--pattern-weight")?;
        Ok(Some((
            WardSpec {
                wards: layer,
                id: w.ward_id.clone(),
                name: w.ward_name.clone(),
                council: w.ward_council.clone(),
                electorates,
                local,
                history,
                rule: match w.local_rule {
                    RuleArg::Mean => MultiMember::Mean,
                    RuleArg::Top => MultiMember::Top,
                },
                aliases,
                config,
                turnout_from_local: w.turnout_from_local,
            },
            not_read,
        )))
    }

    /// Whether any input flag is given (they and --recipe are alternatives).
    fn any_input_flag(&self) -> bool {
        self.old_seats.is_some() || self.old_results.is_some() || !self.wards.wards.is_empty() || !self.wards.local.is_empty() || !self.wards.electorates.is_empty()
    }

    fn parties(&self) -> Option<Vec<String>> {
        self.parties.as_ref().map(|p| p.iter().map(|s| s.trim().to_string()).collect())
    }
}

impl RecomputeArgs {
    /// The library specification these arguments stand for, with files read,
    /// and the files in ward folders not read.
    pub fn spec(&self) -> anyhow::Result<(Spec, Vec<String>, Option<MapPart>)> {
        let (mut spec, not_read, map) = self.spec_inputs()?;
        if let Some(draws) = self.ensemble {
            let e = EnsembleSpec { draws, seed: self.seed, ..spec.ensemble.clone().unwrap_or_default() };
            e.validate().context("--ensemble")?;
            spec.ensemble = Some(e);
        }
        Ok((spec, not_read, map))
    }

    /// The inputs, from the recipe or the flags, and the recipe's `[map]`.
    fn spec_inputs(&self) -> anyhow::Result<(Spec, Vec<String>, Option<MapPart>)> {
        let o = &self.old;
        if let Some(recipe) = &o.recipe {
            if o.any_input_flag() || self.new_seats.is_some() || self.weights.is_some() || self.later_results.is_some() {
                anyhow::bail!("--recipe names every input; give the inputs there or as flags, not both");
            }
            let loaded = Recipe::load(recipe, o.data.as_deref())?;
            return Ok((loaded.spec, loaded.not_read, loaded.map));
        }
        let weights = match &self.weights {
            Some(p) => Some(WeightsSpec {
                input: input(p)?,
                from: self.weights_from.clone(),
                to: self.weights_to.clone(),
                weight: self.weights_column.clone(),
                fallback: self.weights_fallback.clone(),
                lookup: match (&self.weights_lookup, &self.lookup_from, &self.lookup_to) {
                    (Some(p), Some(f), Some(t)) => Some((input(p)?, f.clone(), t.clone())),
                    _ => None,
                },
            }),
            None => None,
        };
        let mut not_read = Vec::new();
        let ward_spec = o.ward_spec()?.map(|(w, n)| {
            not_read = n;
            w
        });
        let route = match (weights, &o.old_seats, ward_spec) {
            (Some(_), _, Some(_)) => anyhow::bail!("--weights and --wards are alternative routes; give one"),
            (Some(_), Some(_), None) => {
                anyhow::bail!("--weights and --old-seats are alternative routes (a table or polygons); give one")
            }
            (Some(w), None, None) => Route::Weights(w),
            (None, Some(p), Some(wards)) => Route::Wards {
                old_seats: input(p)?.into(),
                wards: vec![wards],
                others: match o.wards.others {
                    OthersArg::Leave => Others::Leave,
                    OthersArg::OldSeats => Others::Whole,
                },
            },
            (None, Some(p), None) => Route::OldSeats { old_seats: input(p)?.into() },
            (None, None, _) => anyhow::bail!("recompute needs --old-seats (polygons) or --weights (a weights table)"),
        };
        let required = |p: &Option<PathBuf>, flag: &str| p.clone().ok_or_else(|| anyhow::anyhow!("recompute needs {flag} (or --recipe)"));
        Ok((
            Spec {
                new_seats: input(&required(&self.new_seats, "--new-seats")?)?.into(),
                new_id: self.new_id.clone(),
                new_name: self.new_name.clone(),
                old_id: o.old_id.clone(),
                old_name: o.old_name.clone(),
                old_results: input(&required(&o.old_results, "--old-results")?)?,
                results_id: o.results_id.clone(),
                results_name: o.results_name.clone(),
                parties: o.parties(),
                route,
                later: match &self.later_results {
                    Some(p) => Some((input(p)?, self.later_id.clone())),
                    None => None,
                },
                reference: None,
                ensemble: None,
            },
            not_read,
            None,
        ))
    }
}

/// Everything `estimate` needs: the ward sets in order of precedence, the
/// old seats (read), their results, and the files in ward folders not read.
pub type EstimateInputs = (Vec<WardSpec>, OldSeats, KeyedTable, Vec<String>);

impl EstimateArgs {
    /// Everything `estimate` needs, with files read, from the flags or a recipe.
    pub fn resolve(&self) -> anyhow::Result<EstimateInputs> {
        let o = &self.old;
        if let Some(recipe) = &o.recipe {
            if o.any_input_flag() {
                anyhow::bail!("--recipe names every input; give the inputs there or as flags, not both");
            }
            let loaded = Recipe::load(recipe, o.data.as_deref())?;
            let spec = loaded.spec;
            let Route::Wards { old_seats, wards, .. } = spec.route else { anyhow::bail!("estimate needs a recipe with [wards]") };
            let results = KeyedTable::read(&spec.old_results, &spec.results_id, spec.parties.as_deref())?;
            let names = result_names(&spec.old_results, &spec.results_id, &spec.results_name);
            let old = OldSeats::read(&old_seats, &spec.old_id, &spec.old_name, &names)?;
            return Ok((wards, old, results, loaded.not_read));
        }
        let (ws, not_read) = o.ward_spec()?.ok_or_else(|| anyhow::anyhow!("estimate needs --wards"))?;
        let old = input(o.old_seats.as_deref().ok_or_else(|| anyhow::anyhow!("estimate needs --old-seats"))?)?;
        let results_input = input(o.old_results.as_deref().ok_or_else(|| anyhow::anyhow!("estimate needs --old-results"))?)?;
        let results = KeyedTable::read(&results_input, &o.results_id, o.parties().as_deref())?;
        let names = result_names(&results_input, &o.results_id, &o.results_name);
        let old = OldSeats::read(&old.into(), &o.old_id, &o.old_name, &names)?;
        Ok((vec![ws], old, results, not_read))
    }
}
