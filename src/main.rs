//! The `notional` binary: parses the command line and runs the library.

mod cli;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{ApportionArgs, Cli, Command, DemoArgs};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use notional::apportion::{apportion, Options, Outcome};
use notional::export::{results_table, write_outputs};
use notional::progress::Progress;
use notional::read::Input;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Apportion(args) => run_apportion(&args),
        Command::Demo(args) => run_demo(&args),
    }
}

fn run_apportion(args: &ApportionArgs) -> Result<ExitCode> {
    let from = Input::from_path(&args.from)?;
    let to = Input::from_path(&args.to)?;
    let votes = args.votes.as_deref().map(Input::from_path).transpose()?;
    let bar = Bar::new(args.common.quiet);
    let outcome = apportion(&from, &to, votes.as_ref(), &args.options(), &bar)
        .context("cannot apportion")?;
    print!("{}", outcome.summary());
    let start = std::time::Instant::now();
    write(&args.output, &outcome)?;
    if args.timings {
        eprintln!("timings: {}, write {:.0} ms", outcome.timings, start.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(ExitCode::SUCCESS)
}

fn run_demo(args: &DemoArgs) -> Result<ExitCode> {
    let (wards, new_seats) = notional::demo::inputs();
    let old_seats = Input::from_text("demo:data/demo/old_seats.geojson", notional::demo::OLD_SEATS);
    let options = Options::default();
    let bar = Bar::new(args.common.quiet);
    let old = apportion(&wards, &old_seats, None, &options, &bar).context("demo: old seats")?;
    let new = apportion(&wards, &new_seats, None, &options, &bar).context("demo: new seats")?;

    println!("notional demo: SCHEMATIC boundaries and ILLUSTRATIVE ward estimates (see data/demo/README.md)\n");
    println!("2019 result on the old seats (sum of the ward estimates):");
    println!("{}", results_table(&old.results));
    println!("Notional 2019 result on the new 2024 seats (wards apportioned by area):");
    println!("{}", results_table(&new.results));
    if let (Some(k), Some(kb)) = (old.results.seat("E14000768"), new.results.seat("E14001310")) {
        println!(
            "Kensington was {} by {} in 2019; Kensington and Bayswater is notionally {} by {} ({:.2}%).",
            old.results.party(k.winner),
            k.majority,
            new.results.party(kb.winner),
            kb.majority,
            kb.majority_pct
        );
    }
    println!();
    print!("{}", new.summary());
    if let Some(dir) = &args.output {
        write(dir, &new)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write(dir: &Path, outcome: &Outcome) -> Result<()> {
    let written = write_outputs(dir, outcome).with_context(|| format!("cannot write outputs to {}", dir.display()))?;
    for path in written {
        println!("wrote {}", path.display());
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
