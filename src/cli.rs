//! Command-line definitions (clap). Each subcommand resolves into a validated
//! configuration that `main` runs.

use clap::{Args, Parser, Subcommand, ValueEnum};
use notional::apportion::Options;
use notional::crosswalk::Method;
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
    Apportion(ApportionArgs),
    /// Run the embedded, illustrative Kensington demo and print the seat table.
    #[command(after_long_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
}

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
pub struct ApportionArgs {
    /// Source units: a GeoJSON FeatureCollection of (Multi)Polygons, e.g. wards
    /// carrying vote counts as numeric properties. WGS84 lon/lat (RFC 7946) or
    /// British National Grid (detected from the `crs` member and coordinates).
    #[arg(value_name = "FROM")]
    pub from: PathBuf,

    /// Target polygons (e.g. new constituencies): a GeoJSON FeatureCollection.
    #[arg(value_name = "TO")]
    pub to: PathBuf,

    /// Output directory (created if missing) for results.csv, results.geojson
    /// and crosswalk.csv.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

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

    /// Print the wall time of each stage (read, project, index, crosswalk,
    /// aggregate, write) on stderr.
    #[arg(long)]
    pub timings: bool,

    #[command(flatten)]
    pub common: Common,
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
pub struct Common {
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    Area,
    Centroid,
}

impl ApportionArgs {
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
        }
    }
}
