use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes several files into `dir` all-or-nothing: each goes to a hidden
/// temporary file first, and only when every one is complete are they renamed
/// into place. On failure the temporaries are removed and existing files keep
/// their old contents.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("notional-doc-{}", std::process::id()));
/// let written = notional::export::write_files(&dir, &[("a.txt", b"hello")]).unwrap();
/// assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), "hello");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_files(dir: &Path, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for (name, bytes) in files {
            let target = dir.join(name);
            let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
            temps.push((temp.clone(), target));
            let mut f = std::fs::File::create(&temp).map_err(|e| Error::io(&temp, e))?;
            f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Error::io(&temp, e))?;
        }
        for (temp, target) in &temps {
            std::fs::rename(temp, target).map_err(|e| Error::io(target, e))?;
        }
        Ok(temps.iter().map(|(_, t)| t.clone()).collect())
    })();
    if result.is_err() {
        for (temp, _) in &temps {
            let _ = std::fs::remove_file(temp);
        }
    }
    result
}
