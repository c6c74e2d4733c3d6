//! The commands: each reads its inputs, runs the library and writes and
//! prints what it made. Library errors come back as `notional::Error`;
//! here they gain the context of the command.

use anyhow::{Context, Result};
use clap::Parser;
use super::args::{self, ApportionArgs, CheckArgs, Cli, Command, DemoArgs, EstimateArgs, InputArgs, MapArgs, RecomputeArgs, SyntheticArgs};
use notional::check::check;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use notional::apportion::{apportion, parse, Options, Outcome};
use geo::CoordsIter;
use notional::export::map::{MapOptions, SeatMap};
use notional::export::{estimate_report, estimates_csv, estimates_geojson, results_table, write_outputs, write_recomputed, Durability, Written};
use notional::recompute::{estimate_sets, recompute};
use notional::progress::Progress;
use notional::read::Input;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

/// Writes a line to stdout, returning an error instead of panicking when
/// stdout is closed (e.g. piped into `head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// As [`say!`], without the newline.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// The sliver tolerance of the one-line check printed by every run.
const DEFAULT_SLIVER: f64 = 0.001;

/// Parses the command line and runs the command; errors are printed, with
/// exit status 1 (clap's own usage errors exit 2).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away: nothing more to say.
        Err(err) if err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            let message = format!("{err:#}");
            eprintln!("error: {message}");
            for hint in flag_hints(&message) {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The library's errors describe the data, not this command line: the
/// settings they name, mapped to the flags that set them.
const FLAGS: &[(&str, &str)] = &[
    ("the party list", "the party list is --parties"),
    ("name the party columns", "name the party columns with --parties"),
    ("give the votes in a CSV", "give the votes in a CSV with --votes"),
    ("the stated CRS", "the CRS is stated with --crs"),
    ("choose the layer's id property", "choose the id property with --from-id, --to-id, --old-id or --new-id"),
    ("the local results' ward id column", "the local results' ward id column is --local-id"),
];

/// The hints for an error message: one per setting it names.
fn flag_hints(message: &str) -> Vec<&'static str> {
    FLAGS.iter().filter(|(phrase, _)| message.contains(phrase)).map(|&(_, hint)| hint).collect()
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Apportion(args) => run_apportion(&args),
        Command::Recompute(args) => run_recompute(&args),
        Command::Estimate(args) => run_estimate(&args),
        Command::Check(args) => run_check(&args),
        Command::Demo(args) => run_demo(&args),
        Command::Synthetic(args) => run_synthetic(&args),
        Command::Map(args) => run_map(&args),
    }
}

/// The input files, loaded in parallel.
fn load(inputs: &InputArgs) -> Result<(Input, Input, Option<Input>)> {
    let layer = |path: &std::path::Path, layer: &Option<String>| {
        Input::from_path(path).map(|i| match layer {
            Some(l) => i.with_layer(l),
            None => i,
        })
    };
    let ((from, to), votes) = rayon::join(
        || rayon::join(|| layer(&inputs.from, &inputs.from_layer), || layer(&inputs.to, &inputs.to_layer)),
        || inputs.votes.as_deref().map(Input::from_path).transpose(),
    );
    Ok((from?, to?, votes?))
}

/// Reads the inputs and runs the apportionment; `check_unreached` also
/// checks the targets no unit can reach.
fn run_inputs(inputs: &InputArgs, quiet: bool, check_unreached: bool) -> Result<Outcome> {
    let start = std::time::Instant::now();
    let (from, to, votes) = load(inputs)?;
    let loading = start.elapsed();
    let bar = Bar::new(quiet);
    // A check diagnoses the geometry with or without votes; a run needs them.
    let options = Options { check_unreached, votes_optional: check_unreached, ..inputs.options() };
    let mut outcome = apportion(&from, &to, votes.as_ref(), &options, &bar).context("cannot apportion")?;
    outcome.timings.read += loading;
    Ok(outcome)
}

/// `apportion --parse-only`: the read stage alone.
fn run_parse_only(inputs: &InputArgs) -> Result<ExitCode> {
    let start = std::time::Instant::now();
    let (from, to, votes) = load(inputs)?;
    let parsed = parse(&from, &to, votes.as_ref(), &inputs.options()).context("cannot read the inputs")?;
    let vertices = |l: &notional::read::Layer| l.features.iter().map(|f| f.geometry.coords_count()).sum::<usize>();
    say!(
        "parsed:       {} units ({} vertices), {} targets ({} vertices), {} parties in {:.0} ms",
        parsed.units.features.len(),
        vertices(&parsed.units),
        parsed.targets.features.len(),
        vertices(&parsed.targets),
        parsed.votes.parties().len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    std::mem::forget(parsed); // the process ends here: no need to free it piece by piece
    Ok(ExitCode::SUCCESS)
}

fn run_check(args: &CheckArgs) -> Result<ExitCode> {
    // A check is of the inputs as a whole: every target, reachable or not.
    let outcome = run_inputs(&args.inputs, args.common.quiet, true)?;
    let report = check(&outcome, args.sliver);
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        say_raw!("{report}");
    }
    Ok(if args.strict && !report.warnings.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn run_apportion(args: &ApportionArgs) -> Result<ExitCode> {
    let output = match &args.output {
        Some(dir) => dir,
        None => return run_parse_only(&args.inputs),
    };
    let outcome = run_inputs(&args.inputs, args.common.quiet, false)?;
    // The summary's totals decide whether anything was placed; it is printed
    // after the outputs are written.
    let summary = outcome.summary();
    refuse_if_nothing_placed(
        summary.votes_in,
        summary.allocated,
        &format!(
            "units {}: {}; targets {}: {}",
            args.inputs.from.display(),
            outcome.units_crs.reason,
            args.inputs.to.display(),
            outcome.targets_crs.reason
        ),
    )?;
    // Write before printing: a reader that closes stdout must not stop the outputs.
    let start = std::time::Instant::now();
    let map = args.map.options(None, || {
        format!("{} apportioned to {} by {}", file_name(&args.inputs.from.display().to_string()), file_name(&args.inputs.to.display().to_string()), format!("{:?}", args.inputs.method).to_lowercase())
    })?;
    let written = write(output, &outcome, &map, args.common.durability(), args.gpkg)?;
    let write_time = start.elapsed();
    say_raw!("{summary}");
    say!("check:        {}", check(&outcome, DEFAULT_SLIVER).one_line());
    say_missing(&missing_from_layout(&map, &outcome.target_ids()))?;
    list(&written)?;
    if args.timings {
        eprintln!("timings: {}, write {:.0} ms", outcome.timings, write_time.as_secs_f64() * 1000.0);
    }
    // The process ends here: freeing millions of small allocations one by one
    // would only add to the wall time (a tenth of a second at a million wards).
    std::mem::forget(outcome);
    Ok(ExitCode::SUCCESS)
}

fn run_recompute(args: &RecomputeArgs) -> Result<ExitCode> {
    let (spec, not_read, map_part) = args.spec()?;
    let bar = Bar::new(args.old.common.quiet);
    let rec = recompute(&spec, &bar).context("cannot recompute")?;
    let (votes_in, allocated, unallocated) = notional::aggregate::ledger_totals(&rec.votes, &rec.allocation);
    refuse_if_nothing_placed(votes_in, allocated, &format!("route {}; new seats {}", rec.route, spec.new_seats.name()))?;
    let write_start = std::time::Instant::now();
    let map = args.map.options(map_part.as_ref(), || {
        format!("Notional results on {}, from {} ({})", file_name(spec.new_seats.name()), file_name(spec.old_results.name()), rec.route)
    })?;
    let written = write_recomputed(&args.old.output, &rec, &map, args.old.common.durability(), args.gpkg)
        .with_context(|| format!("cannot write outputs to {}", args.old.output.display()))?;
    let ids: Vec<&str> = rec.new_seats.features.iter().map(|f| f.id.as_str()).collect();
    let missing = missing_from_layout(&map, &ids);
    if args.timings {
        eprintln!("timings: {}", rec.times);
        for (i, we) in rec.wards.iter().enumerate() {
            eprintln!("timings: ward set {} ({}): {}", i + 1, we.wards.source_name, we.times);
        }
        eprintln!("timings: outputs written {:.0} ms", write_start.elapsed().as_secs_f64() * 1000.0);
    }
    say!("route:        {}", rec.route);
    say_missing(&missing)?;
    if !not_read.is_empty() {
        say!("not read:     {} (not a layer file: .geojson, .json, .topojson, .shp or .gpkg)", not_read.join(", "));
    }
    for n in &rec.notes {
        say!("note:         {n}");
    }
    say!("units:        {}", rec.unit_ids.len());
    say!("new seats:    {} with votes", rec.results.seats.len());
    say!("ledger:       in {votes_in} = allocated {allocated} + unallocated {unallocated} (ledger.csv)");
    say!("votes in:     {votes_in}");
    say!("allocated:    {allocated}");
    let unplaced: Vec<_> =
        rec.allocation.unplaced(&rec.votes, &rec.crosswalk).into_iter().map(|(u, votes, cause)| (rec.unit_ids[u].clone(), votes, cause)).collect();
    say!("unallocated:  {unallocated}{}", notional::apportion::unplaced_list(&unplaced));
    let unit_ids: Vec<&str> = rec.unit_ids.iter().map(String::as_str).collect();
    let new_ids: Vec<&str> = rec.new_seats.features.iter().map(|f| f.id.as_str()).collect();
    let coverage = notional::check::coverage(&rec.votes, &rec.crosswalk, &unit_ids, &new_ids, &rec.allocation.received, DEFAULT_SLIVER);
    say!("check:        {}", coverage.one_line());
    if let Some(a) = &rec.agreement {
        say!("check:        {a}");
    }
    for we in &rec.wards {
        say_raw!("{}", estimate_report(we).lines().take(3).map(|l| format!("{l}\n")).collect::<String>());
    }
    list(&written)?;
    Ok(ExitCode::SUCCESS)
}

/// Stops a run in which votes went in and none could be placed: its results
/// would be empty, which is never what was meant (layers of different places,
/// or lat/lon written the wrong way round). Nothing is written.
fn refuse_if_nothing_placed(votes_in: u64, allocated: u64, context: &str) -> Result<()> {
    if votes_in > 0 && allocated == 0 {
        anyhow::bail!(
            "none of the {votes_in} votes could be placed in any target (ledger causes: see `notional check`); \
             the layers do not overlap: are they of the same place, with coordinates as x = longitude/easting, \
             y = latitude/northing? ({context}); nothing was written"
        );
    }
    Ok(())
}

fn run_estimate(args: &EstimateArgs) -> Result<ExitCode> {
    let (ward_sets, old, results, not_read) = args.resolve()?;
    if !not_read.is_empty() {
        eprintln!("note: not read (not a layer file: .geojson, .json, .topojson, .shp or .gpkg): {}", not_read.join(", "));
    }
    let o = &args.old;
    let bar = Bar::new(o.common.quiet);
    let (sets, _) = estimate_sets(&ward_sets, &old, &results, &bar).context("cannot estimate")?;
    let report: String = sets.iter().map(estimate_report).collect::<Vec<_>>().join("\n");
    let mut csv = Vec::new();
    estimates_csv(&sets, &mut csv)?;
    let mut geojson = Vec::new();
    estimates_geojson(&sets, &mut geojson)?;
    let files: [(&str, &[u8]); 3] = [("wards.csv", &csv), ("wards.geojson", &geojson), ("report.txt", report.as_bytes())];
    let stale = notional::export::stale_outputs(&files.map(|(n, _)| n));
    let written = notional::export::write_files_removing(&o.output, &files, &stale, o.common.durability())
        .with_context(|| format!("cannot write outputs to {}", o.output.display()))?;
    say_raw!("{report}");
    list(&written)?;
    Ok(ExitCode::SUCCESS)
}

fn run_map(args: &MapArgs) -> Result<ExitCode> {
    if args.map.no_map {
        anyhow::bail!("`notional map` draws the maps: --no-map belongs to apportion and recompute");
    }
    let results = Input::from_path(&args.dir.join("results.geojson"))?;
    let composition_path = args.dir.join("composition.csv");
    let composition = if composition_path.exists() { Some(Input::from_path(&composition_path)?) } else { None };
    let old = match &args.old_seats {
        Some(p) => SeatMap::outlines(&notional::read::read_layer(&Input::from_path(p)?, &args.old_id, Some(&args.old_name))?)?,
        None => Vec::new(),
    };
    let options = args.map.options(None, || format!("Notional results: {}", args.dir.display()))?;
    let map = SeatMap::from_results(&results, composition.as_ref(), old, options)?;
    let (html, svg) = (notional::export::map::html(&map), notional::export::map::svg(&map));
    let written = notional::export::write_files_removing(&args.dir, &[("map.html", html.as_bytes()), ("map.svg", svg.as_bytes())], &[], args::durability(args.sync))
        .with_context(|| format!("cannot write the maps to {}", args.dir.display()))?;
    say_missing(&map.missing_from_layout)?;
    list(&written)?;
    Ok(ExitCode::SUCCESS)
}

/// The new seats a hex layout does not place (drawn on the geographic map only).
fn missing_from_layout(map: &MapOptions, ids: &[&str]) -> Vec<String> {
    map.hex.as_ref().map_or_else(Vec::new, |h| h.missing(ids.iter().copied()))
}

fn say_missing(missing: &[String]) -> Result<()> {
    if !missing.is_empty() {
        say!("not in the hex layout ({}), not drawn there: {}", missing.len(), missing.join(", "));
    }
    Ok(())
}

/// The last part of a path, for titles.
fn file_name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |f| f.to_string_lossy().into_owned())
}

fn run_synthetic(args: &SyntheticArgs) -> Result<ExitCode> {
    if args.units == 0 || args.targets == 0 {
        anyhow::bail!("--units and --targets must be at least 1");
    }
    let files = notional::synthetic::geojson_files(args.units, args.targets, args.seed)?;
    let written = notional::export::write_files(
        &args.output,
        &[("wards.geojson", &files.units), ("seats.geojson", &files.targets)],
        args::durability(args.sync),
    )?;
    say!("synthetic: {} wards and {} seats (seed {}); not real data", args.units, args.targets, args.seed);
    list(&written)?;
    Ok(ExitCode::SUCCESS)
}

fn run_demo(args: &DemoArgs) -> Result<ExitCode> {
    let (wards, new_seats) = notional::demo::inputs();
    let old_seats = Input::from_text("demo:data/demo/old_seats.geojson", notional::demo::OLD_SEATS);
    let options = Options::default();
    let bar = Bar::new(args.common.quiet);
    let old = apportion(&wards, &old_seats, None, &options, &bar).context("demo: old seats")?;
    let new = apportion(&wards, &new_seats, None, &options, &bar).context("demo: new seats")?;
    let written = match &args.output {
        Some(dir) => {
            let map = MapOptions {
                title: "notional demo: SCHEMATIC boundaries, ILLUSTRATIVE ward estimates".into(),
                attribution: "Schematic boundaries drawn for the demo (data/demo/README.md); not real data.".into(),
                hex: None,
                skip: false,
            };
            write(dir, &new, &map, args.common.durability(), false)?
        }
        None => Written::default(),
    };

    say!("notional demo: SCHEMATIC boundaries and ILLUSTRATIVE ward estimates (see data/demo/README.md)\n");
    say!("2019 result on the old seats (sum of the ward estimates):");
    say!("{}", results_table(&old.results));
    say!("Notional 2019 result on the new 2024 seats (wards apportioned by area):");
    say!("{}", results_table(&new.results));
    if let (Some(k), Some(kb)) = (old.results.seat("E14000768"), new.results.seat("E14001310")) {
        say!(
            "Kensington was {} by {} in 2019; Kensington and Bayswater is notionally {} by {} ({:.2}%).",
            old.results.party(k.winner),
            k.majority,
            new.results.party(kb.winner),
            kb.majority,
            kb.majority_pct
        );
    }
    say!("");
    say_raw!("{}", new.summary());
    list(&written)?;
    Ok(ExitCode::SUCCESS)
}

fn write(dir: &Path, outcome: &Outcome, map: &MapOptions, durability: Durability, gpkg: bool) -> Result<Written> {
    write_outputs(dir, outcome, map, durability, gpkg).with_context(|| format!("cannot write outputs to {}", dir.display()))
}

fn list(written: &Written) -> Result<()> {
    for path in written.iter() {
        say!("wrote {}", path.display());
    }
    for path in &written.removed {
        say!("removed {} (an earlier run's; this run does not write it)", path.display());
    }
    Ok(())
}

/// An indicatif progress bar on stderr; hidden with --quiet or when stderr is not a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, stage: &'static str, len: u64) {
        self.0.reset();
        self.0.set_length(len);
        self.0.set_message(stage);
    }
    fn inc(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
