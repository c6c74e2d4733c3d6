//! Part of step 3, **index**: the boundary of one target as a tree of boxes
//! over its chains, in ring order.
//!
//! A boundary is a curve: chains that follow each other along a ring lie
//! next to each other on the map. So instead of sorting the chains into an
//! R-tree (rstar's bulk load partitions them again at every level, and was
//! most of the index stage), sixteen consecutive chains share a box, sixteen
//! of those boxes a box above, and so on: built in one pass, no sorting.
//! Queries descend only into boxes that meet the query box and yield the
//! chains in ring order.

use super::bbox::union;
use super::ring::Chain;
use geo::{Intersects, Rect};

/// Children per box.
const FAN: usize = 16;

/// The tree (see the module docs).
///
/// ```
/// use geo::{coord, Rect};
/// use notional::geometry::ring::chains_of;
/// use notional::geometry::chain_tree::ChainTree;
/// let ring: Vec<_> = (0..=400).map(|i| coord! {x: i as f64, y: 0.0}).chain([coord! {x: 0.0, y: 1.0}, coord! {x: 0.0, y: 0.0}]).collect();
/// let mut chains = Vec::new();
/// chains_of(&ring, 0, &mut chains);
/// let tree = ChainTree::new(chains);
/// let near: Vec<_> = tree.query(Rect::new(coord! {x: 100.0, y: -1.0}, coord! {x: 101.0, y: 1.0})).map(|c| c.start).collect();
/// assert_eq!(near, vec![96, 400]); // the chain holding edges 96..112, and the long edge back
/// assert!(tree.query(Rect::new(coord! {x: 10.0, y: 5.0}, coord! {x: 11.0, y: 6.0})).next().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChainTree {
    chains: Vec<Chain>,
    /// `levels[0]` holds the boxes of groups of `FAN` chains, each level above
    /// the boxes of groups of `FAN` boxes below, up to one of at most `FAN`.
    levels: Vec<Vec<Rect<f64>>>,
}

impl ChainTree {
    /// The tree over `chains` (kept in their order).
    pub fn new(chains: Vec<Chain>) -> Self {
        let mut levels: Vec<Vec<Rect<f64>>> = Vec::new();
        let mut below: Vec<Rect<f64>> = chains.iter().map(|c| c.rect).collect();
        while below.len() > FAN {
            let up: Vec<Rect<f64>> = below.chunks(FAN).map(|c| c[1..].iter().fold(c[0], |a, &b| union(a, b))).collect();
            levels.push(below);
            below = up;
        }
        levels.push(below);
        // levels[0] is now the chains' own boxes: the tree proper starts above.
        levels.remove(0);
        ChainTree { chains, levels }
    }

    /// Number of chains.
    pub fn len(&self) -> usize {
        self.chains.len()
    }

    /// True when there are no chains.
    pub fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }

    /// Every chain, in ring order.
    pub fn iter(&self) -> std::slice::Iter<'_, Chain> {
        self.chains.iter()
    }

    /// The chains whose boxes meet `rect`, in ring order.
    pub fn query(&self, rect: Rect<f64>) -> Query<'_> {
        let top = self.levels.len();
        let mut q = Query { tree: self, rect, stack: [(0, 0, 0); DEPTH], len: 1 };
        q.stack[0] = (top as u8, 0, self.count(top) as u32);
        q
    }

    /// Number of boxes at `level` (0: the chains).
    fn count(&self, level: usize) -> usize {
        if level == 0 {
            self.chains.len()
        } else {
            self.levels[level - 1].len()
        }
    }

    fn rect(&self, level: usize, i: usize) -> Rect<f64> {
        if level == 0 {
            self.chains[i].rect
        } else {
            self.levels[level - 1][i]
        }
    }
}

/// Levels a tree can have (16^12 chains).
const DEPTH: usize = 12;

/// The chains meeting a box: see [`ChainTree::query`].
pub struct Query<'a> {
    tree: &'a ChainTree,
    rect: Rect<f64>,
    /// One range of siblings still to visit per level descended:
    /// (level, next, end); level 0 ranges over chains.
    stack: [(u8, u32, u32); DEPTH],
    len: usize,
}

impl<'a> Iterator for Query<'a> {
    type Item = &'a Chain;

    fn next(&mut self) -> Option<&'a Chain> {
        while self.len > 0 {
            let (level, next, end) = self.stack[self.len - 1];
            if next == end {
                self.len -= 1;
                continue;
            }
            self.stack[self.len - 1].1 += 1;
            let (level, i) = (level as usize, next as usize);
            if !self.tree.rect(level, i).intersects(&self.rect) {
                continue;
            }
            if level == 0 {
                return Some(&self.tree.chains[i]);
            }
            let below = self.tree.count(level - 1);
            self.stack[self.len] = ((level - 1) as u8, (i * FAN) as u32, ((i + 1) * FAN).min(below) as u32);
            self.len += 1;
        }
        None
    }
}
