//! The binary's own code, not part of the library: the command-line
//! definitions ([`args`], clap), the commands that run the library and print
//! and write what it made ([`commands`]), and the binary's allocator.

pub mod allocator;
mod args;
mod commands;

pub use commands::main;
