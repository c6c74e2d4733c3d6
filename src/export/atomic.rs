use crate::error::{Error, Result};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// How far [`write_files`] makes the outputs safe before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Temporary files moved into place only when all are complete: an error
    /// or a crash of the process never leaves a half-written file, nor a mix
    /// of two runs' outputs. The operating system writes them to the disk in
    /// its own time, as GIS tools and the peers' writers do.
    #[default]
    Atomic,
    /// As [`Durability::Atomic`], and each file is flushed to the disk
    /// (`fsync`) before it is moved into place, and the directory after, so
    /// the outputs also survive a power cut. That waits for the disk: about
    /// 10 ms for England's 8 MB of outputs on the benchmark machine.
    Synced,
}

/// What a write did: the files written (in the order given; the value derefs
/// to them) and the stale files of an earlier run that it removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// Files of an earlier run that this one does not write, removed.
    pub removed: Vec<PathBuf>,
}

impl std::ops::Deref for Written {
    type Target = [PathBuf];
    fn deref(&self) -> &[PathBuf] {
        &self.files
    }
}

/// Writes several files into `dir` all-or-nothing: each goes to a hidden
/// temporary file first; only when every one is complete are they moved into
/// place, and if a move fails, those already moved are undone and the files
/// they replaced restored. Existing files keep their old contents on failure.
///
/// ```
/// use notional::export::{write_files, Durability};
/// let dir = std::env::temp_dir().join(format!("notional-doc-{}", std::process::id()));
/// let written = write_files(&dir, &[("a.txt", b"hello")], Durability::Synced).unwrap();
/// assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), "hello");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_files(dir: &Path, files: &[(&str, &[u8])], durability: Durability) -> Result<Written> {
    write_files_removing(dir, files, &[], durability)
}

/// As [`write_files`], and on success also removes `stale` files of an earlier
/// run that this run does not write (so outputs never mix two runs).
pub fn write_files_removing(dir: &Path, files: &[(&str, &[u8])], stale: &[&str], durability: Durability) -> Result<Written> {
    let names: Vec<&str> = files.iter().map(|f| f.0).collect();
    write_files_with(dir, &names, stale, durability, |i, out| out.write_all(files[i].1))
}

/// As [`write_files_removing`], each file's contents written by `render`
/// (given the file's index in `names`) straight into its temporary file, in
/// parallel, instead of from a buffer in memory.
///
/// ```
/// use notional::export::{write_files_with, Durability};
/// use std::io::Write;
/// let dir = std::env::temp_dir().join(format!("notional-doc-with-{}", std::process::id()));
/// let written = write_files_with(&dir, &["a.txt", "b.txt"], &[], Durability::Atomic, |i, out| write!(out, "file {i}")).unwrap();
/// assert_eq!(std::fs::read_to_string(&written[1]).unwrap(), "file 1");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_files_with(
    dir: &Path,
    names: &[&str],
    stale: &[&str],
    durability: Durability,
    render: impl Fn(usize, &mut BufWriter<File>) -> std::io::Result<()> + Sync,
) -> Result<Written> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::io(dir, std::io::Error::other("is a file, not a directory; choose another output directory")));
    }
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let result = write_into(dir, names, stale, durability, render);
    if result.is_err() && created {
        // A failed run leaves nothing behind, not even the directory it made
        // (`remove_dir` removes it only if empty).
        let _ = std::fs::remove_dir(dir);
    }
    result
}

fn write_into(
    dir: &Path,
    names: &[&str],
    stale: &[&str],
    durability: Durability,
    render: impl Fn(usize, &mut BufWriter<File>) -> std::io::Result<()> + Sync,
) -> Result<Written> {
    for name in names.iter().chain(stale) {
        let target = dir.join(name);
        if target.is_dir() {
            let e = std::io::Error::other("is a directory, not an output file; move it away");
            return Err(Error::io(target, e));
        }
    }
    let pid = std::process::id();
    let temps: Vec<(PathBuf, PathBuf)> = names.iter().map(|name| (dir.join(format!(".{name}.tmp-{pid}")), dir.join(name))).collect();
    // Each file written (and flushed to disk) in its own task: the syncs overlap.
    let written: Result<()> = temps.par_iter().enumerate().try_for_each(|(i, (temp, _))| {
        let file = File::create(temp).map_err(|e| Error::io(temp, e))?;
        // Large writes (rendered chunks) go straight through the buffer.
        let mut out = BufWriter::with_capacity(1 << 16, file);
        render(i, &mut out).and_then(|_| out.flush()).map_err(|e| Error::io(temp, e))?;
        if durability == Durability::Synced {
            out.get_ref().sync_all().map_err(|e| Error::io(temp, e))?;
        }
        Ok(())
    });
    if let Err(e) = written {
        for (temp, _) in &temps {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    // Move old files (those replaced, and stale ones) aside, then the new ones in.
    let targets: Vec<PathBuf> = temps.iter().map(|(_, t)| t.clone()).chain(stale.iter().map(|s| dir.join(s))).collect();
    let mut backups: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut moved_in: Vec<PathBuf> = Vec::new();
    let result = (|| {
        for target in &targets {
            if target.exists() {
                let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let backup = dir.join(format!(".{name}.old-{pid}"));
                std::fs::rename(target, &backup).map_err(|e| Error::io(target, e))?;
                backups.push((backup, target.clone()));
            }
        }
        for (temp, target) in &temps {
            std::fs::rename(temp, target).map_err(|e| Error::io(target, e))?;
            moved_in.push(target.clone());
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            for (backup, _) in &backups {
                let _ = std::fs::remove_file(backup);
            }
            if durability == Durability::Synced {
                // The renames themselves, on disk.
                std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(dir, e))?;
            }
            let stale: Vec<PathBuf> = stale.iter().map(|s| dir.join(s)).collect();
            let removed = backups.into_iter().map(|(_, target)| target).filter(|t| stale.contains(t)).collect();
            Ok(Written { files: temps.into_iter().map(|(_, t)| t).collect(), removed })
        }
        Err(e) => {
            for target in &moved_in {
                let _ = std::fs::remove_file(target);
            }
            for (backup, target) in &backups {
                let _ = std::fs::rename(backup, target);
            }
            for (temp, _) in &temps {
                let _ = std::fs::remove_file(temp);
            }
            Err(e)
        }
    }
}
