//! The `notional` binary: a thin shell over the library. The command line's
//! definitions, the commands and the allocator live in `cli/`.

mod cli;

#[global_allocator]
static GLOBAL: cli::allocator::Mimalloc = cli::allocator::Mimalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
