//! The library's layout, checked from its sources: no import cycles between
//! its modules, and none of the binary's dependencies in it.
//!
//! A module's imports are the `crate::`, `super::` and `self::` paths in its
//! code (comments and its test module left out), each resolved to the
//! longest module it names. A module using its own ancestors (a parent's
//! `Input`) or, as a `mod.rs`, re-exporting its children, is not a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every library module (`geometry::index`) with its file.
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            // The binary's own files are not the library's.
            if parts == ["lib"] || parts == ["main"] || parts[0] == "cli" {
                return None;
            }
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            Some((parts.join("::"), p))
        })
        .collect()
}

/// The code of a file without comments and without its `mod tests`.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The modules each module imports from.
fn imports(modules: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let resolve = |path: &[String]| -> Option<String> {
        (1..=path.len()).rev().map(|k| path[..k].join("::")).find(|c| modules.contains_key(c))
    };
    let mut edges = BTreeMap::new();
    for (name, file) in modules {
        let me: Vec<String> = if name.is_empty() { vec![] } else { name.split("::").map(String::from).collect() };
        // `super::` from module `a::b` (file `a/b.rs` or `a/b/mod.rs`) is `a`.
        let parent: Vec<String> = me[..me.len().saturating_sub(1)].to_vec();
        let text = code(file);
        let mut out = BTreeSet::new();
        for (at, _) in text.match_indices("crate::").chain(text.match_indices("super::")).chain(text.match_indices("self::")) {
            if at > 0 && text.as_bytes()[at - 1].is_ascii_alphanumeric() || at > 0 && text.as_bytes()[at - 1] == b'_' {
                continue;
            }
            // The path: segments of identifiers and `::`, then maybe one `{…}` level.
            let rest = &text[at..];
            let mut base: Vec<String> = Vec::new();
            let mut tail = rest;
            if let Some(r) = tail.strip_prefix("crate::") {
                tail = r;
            } else if let Some(r) = tail.strip_prefix("self::") {
                base = me.clone();
                tail = r;
            } else {
                base = parent.clone();
                tail = &tail["super::".len()..];
                while let Some(r) = tail.strip_prefix("super::") {
                    base.pop();
                    tail = r;
                }
            }
            let end = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
            let prefix: Vec<String> = tail[..end].split("::").filter(|s| !s.is_empty()).map(String::from).collect();
            let mut items: Vec<Vec<String>> = vec![vec![]];
            if tail[end..].starts_with('{') {
                let close = tail[end..].find('}').map_or(tail.len(), |c| end + c);
                items = tail[end + 1..close].split(',').map(|i| i.trim().split("::").take(1).filter(|s| !s.is_empty()).map(String::from).collect()).collect();
            }
            for item in items {
                let path: Vec<String> = base.iter().chain(&prefix).chain(&item).cloned().collect();
                if let Some(t) = resolve(&path) {
                    let ancestor = name.starts_with(&format!("{t}::")) || t.is_empty();
                    let descendant = t.starts_with(&format!("{name}::")) || name.is_empty();
                    if t != *name && !ancestor && !descendant {
                        out.insert(t);
                    }
                }
            }
        }
        edges.insert(name.clone(), out);
    }
    edges
}

#[test]
fn the_library_has_no_import_cycles() {
    let modules = modules();
    assert!(modules.contains_key("geometry::index") && modules.contains_key("read::fast::scan"), "{:?}", modules.keys());
    let edges = imports(&modules);
    // Sanity: the paths are resolved (a stage imports the stage before it).
    assert!(edges["aggregate"].contains("crosswalk"), "{:?}", edges["aggregate"]);
    assert!(edges["geometry::index"].contains("geometry::bbox"), "{:?}", edges["geometry::index"]);
    // Depth-first search for a back edge; the cycle is printed.
    fn visit<'a>(n: &'a str, edges: &'a BTreeMap<String, BTreeSet<String>>, path: &mut Vec<&'a str>, done: &mut BTreeSet<&'a str>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| *p == n) {
            return Some(path[i..].iter().map(|s| s.to_string()).chain([n.to_string()]).collect());
        }
        if !done.insert(n) {
            return None;
        }
        path.push(n);
        for m in &edges[n] {
            if let Some(c) = visit(m, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        let cycle = visit(n, &edges, &mut Vec::new(), &mut done);
        assert!(cycle.is_none(), "import cycle: {}", cycle.unwrap().join(" -> "));
    }
}

#[test]
fn the_library_leaves_the_binary_dependencies_to_the_binary() {
    for (name, file) in modules() {
        let text = code(&file);
        for dep in ["anyhow::", "clap::", "indicatif::", "libmimalloc_sys::"] {
            assert!(!text.contains(dep), "library module `{name}` uses {dep}");
        }
    }
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    // The check itself can fail: two sibling modules importing each other.
    let dir = tempfile::tempdir().unwrap();
    let mut modules = BTreeMap::new();
    for (name, text) in [("a", "use crate::b::X;\npub struct Y;"), ("b", "use super::a::Y;\npub struct X;")] {
        let p = dir.path().join(format!("{name}.rs"));
        std::fs::write(&p, text).unwrap();
        modules.insert(name.to_string(), p);
    }
    let edges = imports(&modules);
    assert!(edges["a"].contains("b") && edges["b"].contains("a"), "{edges:?}");
}
