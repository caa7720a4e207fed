//! The full scan: every likely-duplicate group in the local book, and the duplicate rate.
//!
//! The scan reads the whole candidate index once into memory, forms the pairs inside each
//! block (customers sharing a key; oversized weak blocks are skipped as in a check), scores
//! each pair once, and joins pairs at or above the threshold into groups (union–find). The
//! duplicate rate — redundant records over live customers — is a data-health figure managers
//! watch go down.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::profile::{key_is_strong, Profile};
use super::rules::DedupRules;
use super::{score, Dedup, Reason};
use crate::error::Result;

/// Blocks larger than this are too common to pair everyone in them.
const STRONG_BLOCK_LIMIT: usize = 60;
const WEAK_BLOCK_LIMIT: usize = 40;

/// Customers that are likely one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// Sorted ids; the first is the oldest record (ids are time-ordered), a natural survivor.
    pub customer_ids: Vec<String>,
    pub names: Vec<String>,
    /// The best pair score in the group.
    pub score: f64,
    /// The reasons of that best pair.
    pub reasons: Vec<Reason>,
}

/// The result of a full scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// Live customers scanned.
    pub customers: u64,
    pub groups: Vec<DuplicateGroup>,
    /// Records beyond the first of each group: what a clean-up would remove.
    pub redundant: u64,
    /// `redundant / customers` (0 when the book is empty).
    pub duplicate_rate: f64,
}

impl Dedup {
    /// Groups every likely duplicate among the live customers.
    pub fn scan(&self) -> Result<ScanReport> {
        let rules = self.rules().clone();
        let book = self.engine.read(|conn| {
            let (ids, profiles) = load_profiles(conn)?;
            let blocks = load_blocks(conn, &ids)?;
            Ok(Book {
                ids,
                profiles,
                blocks,
            })
        })?;
        let links = score_blocks(&book, &rules);
        let groups = group(&book, links);
        let redundant: u64 = groups.iter().map(|g| g.customer_ids.len() as u64 - 1).sum();
        let customers = book.ids.len() as u64;
        Ok(ScanReport {
            customers,
            redundant,
            duplicate_rate: if customers == 0 {
                0.0
            } else {
                (redundant as f64 / customers as f64 * 10_000.0).round() / 10_000.0
            },
            groups,
        })
    }
}

/// The candidate index in memory: customers by position, and the blocks of positions that
/// share a key.
struct Book {
    ids: Vec<String>,
    profiles: Vec<Profile>,
    blocks: Vec<Vec<u32>>,
}

/// A scored pair at or above the threshold: positions, score, reasons.
type Link = (u32, u32, f64, Vec<Reason>);

/// Every stored profile, with its customer id at the same position.
fn load_profiles(conn: &Connection) -> Result<(Vec<String>, Vec<Profile>)> {
    let mut ids: Vec<String> = Vec::new();
    let mut profiles: Vec<Profile> = Vec::new();
    let mut stmt = conn.prepare("SELECT customer_id, profile FROM dedup_profiles")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let json: String = row.get(1)?;
        let Ok(profile) = serde_json::from_str::<Profile>(&json) else {
            tracing::warn!("skipping an unreadable duplicate-detection profile");
            continue;
        };
        ids.push(id);
        profiles.push(profile);
    }
    Ok((ids, profiles))
}

/// The blocks of customers (positions in `ids`) sharing a key, without single members and
/// without blocks too large to pair everyone in.
fn load_blocks(conn: &Connection, ids: &[String]) -> Result<Vec<Vec<u32>>> {
    let index: HashMap<&str, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let mut blocks: Vec<Vec<u32>> = Vec::new();
    let mut stmt = conn.prepare("SELECT key, customer_id FROM dedup_keys ORDER BY key")?;
    let mut rows = stmt.query([])?;
    let mut current_key = String::new();
    let mut block: Vec<u32> = Vec::new();
    let mut oversized = false;
    let mut flush = |block: &mut Vec<u32>, oversized: bool| {
        if block.len() > 1 && !oversized {
            blocks.push(std::mem::take(block));
        } else {
            block.clear();
        }
    };
    while let Some(row) = rows.next()? {
        let key = row.get_ref(0)?.as_str().unwrap_or_default();
        if key != current_key {
            flush(&mut block, oversized);
            current_key = key.to_string();
            oversized = false;
        }
        if oversized {
            continue;
        }
        let limit = if key_is_strong(&current_key) {
            STRONG_BLOCK_LIMIT
        } else {
            WEAK_BLOCK_LIMIT
        };
        let id = row.get_ref(1)?.as_str().unwrap_or_default();
        if let Some(i) = index.get(id) {
            block.push(*i);
        }
        if block.len() > limit {
            oversized = true;
            block.clear();
        }
    }
    flush(&mut block, oversized);
    Ok(blocks)
}

/// Scores each pair inside each block once; keeps the pairs at or above the threshold.
fn score_blocks(book: &Book, rules: &DedupRules) -> Vec<Link> {
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut links = Vec::new();
    for block in &book.blocks {
        for (i, &a) in block.iter().enumerate() {
            for &b in &block[i + 1..] {
                let pair = (a.min(b), a.max(b));
                if a == b || !seen.insert(pair) {
                    continue;
                }
                let (s, reasons) = score::compare(
                    &book.profiles[a as usize],
                    &book.profiles[b as usize],
                    rules,
                );
                if s >= rules.min_score && !reasons.is_empty() {
                    links.push((pair.0, pair.1, s, reasons));
                }
            }
        }
    }
    links
}

/// Joins linked customers into groups (union–find), each with its best pair's score and
/// reasons; best score first.
fn group(book: &Book, links: Vec<Link>) -> Vec<DuplicateGroup> {
    let ids = &book.ids;
    let mut parent: Vec<u32> = (0..ids.len() as u32).collect();
    for (a, b, _, _) in &links {
        let (ra, rb) = (find(&mut parent, *a), find(&mut parent, *b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut best: HashMap<u32, (f64, Vec<Reason>)> = HashMap::new();
    for (a, _, s, reasons) in links {
        let root = find(&mut parent, a);
        let entry = best.entry(root).or_insert((0.0, Vec::new()));
        if s > entry.0 {
            *entry = (s, reasons);
        }
    }
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for i in 0..ids.len() as u32 {
        let root = find(&mut parent, i);
        if best.contains_key(&root) {
            members.entry(root).or_default().push(i);
        }
    }
    let mut groups: Vec<DuplicateGroup> = members
        .into_iter()
        .map(|(root, mut m)| {
            m.sort_by(|x, y| ids[*x as usize].cmp(&ids[*y as usize]));
            let (score, reasons) = best.remove(&root).unwrap_or_default();
            DuplicateGroup {
                customer_ids: m.iter().map(|i| ids[*i as usize].clone()).collect(),
                names: m
                    .iter()
                    .map(|i| book.profiles[*i as usize].name.clone())
                    .collect(),
                score,
                reasons,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.customer_ids.cmp(&b.customer_ids))
    });
    groups
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}
