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
/// history's months, so a sorted vector holds them, 8 bytes a month (a 32-bit count; a count
/// that would pass 2^32 − 1 goes on in a second entry for the same month, so none is lost).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MonthCounts(Vec<(i32, u32)>);

impl MonthCounts {
    /// Adds `n` to `month`'s count.
    pub fn add(&mut self, month: i32, mut n: u64) {
        // Just after the last entry of `month` or of an earlier one; records tend to come in
        // date order, so the end is looked at first.
        let after = match self.0.last() {
            Some(&(last, _)) if last <= month => self.0.len(),
            _ => self.0.partition_point(|&(m, _)| m <= month),
        };
        let mut at = if after > 0 && self.0[after - 1].0 == month {
            after - 1
        } else {
            self.0.insert(after, (month, 0));
            after
        };
        loop {
            let count = &mut self.0[at].1;
            let room = u64::from(u32::MAX - *count);
            let take = n.min(room);
            *count += take as u32;
            n -= take;
            if n == 0 {
                return;
            }
            at += 1;
            self.0.insert(at, (month, 0));
        }
    }

    /// Whether no month has a count.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every month that has a count, in month order, with it.
    pub fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        merged(&self.0)
    }

    /// The months from `from` to `to` (both included) that have a count, in month order.
    pub fn range(&self, from: i32, to: i32) -> impl Iterator<Item = (i32, u64)> + '_ {
        let first = self.0.partition_point(|&(m, _)| m < from);
        let last = self.0.partition_point(|&(m, _)| m <= to);
        merged(&self.0[first..last.max(first)])
    }

    /// The sum of the counts.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|&(_, n)| u64::from(n)).sum()
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &MonthCounts) {
        for (month, n) in other.iter() {
            self.add(month, n);
        }
    }
}

/// Sorted entries with the counts of one month summed.
fn merged(entries: &[(i32, u32)]) -> impl Iterator<Item = (i32, u64)> + '_ {
    let mut rest = entries;
    std::iter::from_fn(move || {
        let (&(month, _), _) = rest.split_first()?;
        let run = rest.iter().take_while(|&&(m, _)| m == month).count();
        let n = rest[..run].iter().map(|&(_, n)| u64::from(n)).sum();
        rest = &rest[run..];
        Some((month, n))
    })
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
        assert_eq!(m.0.len(), 5, "one entry a month");
        assert_eq!(m.range(3, 9).collect::<Vec<_>>(), [(3, 3), (5, 2), (9, 1)]);
        assert_eq!(m.total(), 8);
    }

    #[test]
    fn a_month_count_past_32_bits_is_kept_whole() {
        let mut m = MonthCounts::default();
        m.add(7, u64::from(u32::MAX));
        m.add(7, 5);
        m.add(3, 1);
        m.add(7, 2);
        m.add(9, 1 << 33);
        // One entry a month but for the counts past 32 bits.
        assert_eq!(m.0.len(), 2 + 1 + 3);
        assert_eq!(
            m.iter().collect::<Vec<_>>(),
            [(3, 1), (7, u64::from(u32::MAX) + 7), (9, 1 << 33)]
        );
        assert_eq!(
            m.range(7, 7).collect::<Vec<_>>(),
            [(7, u64::from(u32::MAX) + 7)]
        );
        assert_eq!(m.total(), 1 + u64::from(u32::MAX) + 7 + (1 << 33));
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
