//! The compact counts the aggregates are made of: counts per day in dense blocks, counts per
//! month in a sorted vector, and names (services, teams, controls) interned to small numbers.
//!
//! Each grows with the distinct days, months or names it has seen, never with the records
//! counted: a failure mode seen on every day of three years holds 35 blocks of 32 days (about
//! 10 KB), however many records it has.

use crate::catalogue::Map;

/// Days in a block of [`DayCounts`].
const BLOCK: usize = 32;

/// One block: the counts of `BLOCK` consecutive days from `start × BLOCK`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    start: i32,
    counts: Box<[u64; BLOCK]>,
}

/// Counts per day number, dense within blocks of 32 days; only blocks with a count are held, in
/// day order, so a date far from the rest costs one block, not the days between.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DayCounts {
    blocks: Vec<Block>,
}

impl DayCounts {
    /// Adds `n` to `day`'s count.
    pub fn add(&mut self, day: i32, n: u64) {
        let start = day.div_euclid(BLOCK as i32);
        let offset = day.rem_euclid(BLOCK as i32) as usize;
        // Records tend to come in date order: look at the last block first.
        let at = match self.blocks.last() {
            Some(last) if last.start == start => self.blocks.len() - 1,
            _ => match self.blocks.binary_search_by_key(&start, |b| b.start) {
                Ok(at) => at,
                Err(at) => {
                    self.blocks.insert(
                        at,
                        Block {
                            start,
                            counts: Box::new([0; BLOCK]),
                        },
                    );
                    at
                }
            },
        };
        self.blocks[at].counts[offset] += n;
    }

    /// Whether no day has a count.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The days from `from` to `to` (both included) that have a count, in day order, with it.
    pub fn range(&self, from: i32, to: i32) -> impl Iterator<Item = (i32, u64)> + '_ {
        let first = self
            .blocks
            .partition_point(|b| b.start < from.div_euclid(BLOCK as i32));
        self.blocks[first..]
            .iter()
            .take_while(move |b| b.start <= to.div_euclid(BLOCK as i32))
            .flat_map(|b| {
                let base = b.start * BLOCK as i32;
                b.counts
                    .iter()
                    .enumerate()
                    .map(move |(i, &n)| (base + i as i32, n))
            })
            .filter(move |&(d, n)| n > 0 && from <= d && d <= to)
    }

    /// Every day that has a count, in day order, with it.
    pub fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        self.range(i32::MIN, i32::MAX)
    }

    /// The sum of the counts.
    pub fn total(&self) -> u64 {
        self.blocks.iter().flat_map(|b| b.counts.iter()).sum()
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &DayCounts) {
        for (day, n) in other.iter() {
            self.add(day, n);
        }
    }
}

/// Counts per month index, sorted by month: a service of a failure mode is seen in a few of a
/// history's months, so a sorted vector holds them in 16 bytes each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MonthCounts(Vec<(i32, u64)>);

impl MonthCounts {
    /// Adds `n` to `month`'s count.
    pub fn add(&mut self, month: i32, n: u64) {
        match self.0.last_mut() {
            Some((last, count)) if *last == month => *count += n,
            Some((last, _)) if *last > month => {
                match self.0.binary_search_by_key(&month, |&(m, _)| m) {
                    Ok(at) => self.0[at].1 += n,
                    Err(at) => self.0.insert(at, (month, n)),
                }
            }
            _ => self.0.push((month, n)),
        }
    }

    /// Whether no month has a count.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every month that has a count, in month order, with it.
    pub fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        self.0.iter().copied()
    }

    /// The months from `from` to `to` (both included) that have a count, in month order.
    pub fn range(&self, from: i32, to: i32) -> impl Iterator<Item = (i32, u64)> + '_ {
        let first = self.0.partition_point(|&(m, _)| m < from);
        self.0[first..]
            .iter()
            .copied()
            .take_while(move |&(m, _)| m <= to)
    }

    /// The sum of the counts.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|&(_, n)| n).sum()
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &MonthCounts) {
        for (month, n) in other.iter() {
            self.add(month, n);
        }
    }
}

/// Names (services, teams, controls) as small numbers: each distinct name is held once, and the
/// aggregates of every failure mode count by number.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    index: Map<String, u32>,
    names: Vec<String>,
}

impl Names {
    /// The number of `name`, given it if it is new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct names");
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }

    /// The number of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The name numbered `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_counts_iterate_in_day_order_across_blocks() {
        let mut days = DayCounts::default();
        for (day, n) in [
            (100, 1),
            (5, 2),
            (-40, 1),
            (100, 3),
            (31, 1),
            (32, 1),
            (20_000, 7),
        ] {
            days.add(day, n);
        }
        let all: Vec<(i32, u64)> = days.iter().collect();
        assert_eq!(
            all,
            [(-40, 1), (5, 2), (31, 1), (32, 1), (100, 4), (20_000, 7)]
        );
        assert_eq!(
            days.range(6, 100).collect::<Vec<_>>(),
            [(31, 1), (32, 1), (100, 4)]
        );
        assert_eq!(days.range(101, 19_999).count(), 0);
        assert_eq!(days.total(), 16);
        // A far date costs one block, not the days between.
        assert_eq!(days.blocks.len(), 5);
    }

    #[test]
    fn merged_day_and_month_counts_add_up() {
        let (mut a, mut b) = (DayCounts::default(), DayCounts::default());
        a.add(10, 1);
        b.add(10, 2);
        b.add(400, 1);
        a.merge(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [(10, 3), (400, 1)]);

        let (mut m, mut n) = (MonthCounts::default(), MonthCounts::default());
        for month in [5, 3, 5, 9, 1] {
            m.add(month, 1);
        }
        n.add(3, 2);
        n.add(12, 1);
        m.merge(&n);
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [(1, 1), (3, 3), (5, 2), (9, 1), (12, 1)]
        );
        assert_eq!(m.range(3, 9).collect::<Vec<_>>(), [(3, 3), (5, 2), (9, 1)]);
        assert_eq!(m.total(), 8);
    }

    #[test]
    fn names_are_numbered_once() {
        let mut names = Names::default();
        assert_eq!(names.intern("payments"), 0);
        assert_eq!(names.intern("search"), 1);
        assert_eq!(names.intern("payments"), 0);
        assert_eq!(names.get("search"), Some(1));
        assert_eq!(names.get("billing"), None);
        assert_eq!(names.name(1), "search");
        assert_eq!(names.len(), 2);
    }
}
