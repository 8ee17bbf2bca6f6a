//! Measures a classifier against ground truth: precision, recall and F1 per failure mode, their
//! micro and macro averages, and the most common confusions.
//!
//! The input is, per record, the set of predicted failure-mode ids and the set of true ids (already
//! mapped to catalogue ids). Each record is a multi-label decision: for every failure mode, a record
//! is a true positive when the id is in both sets, a false positive when only predicted, and a false
//! negative when only true.
//!
//! * **Micro** averages pool the counts of every failure mode, so frequent classes weigh more.
//! * **Macro** averages are the unweighted mean over the failure modes that have *support or
//!   predictions* (at least one true or one predicted record). A failure mode that is neither in
//!   the truth nor ever predicted has no defined precision or recall on this data and is left out,
//!   so a catalogue with many entries the corpus never mentions is not rewarded (nor punished) for
//!   staying silent about them. A failure mode that is predicted but never true counts with
//!   precision, recall and F1 of 0: its false alarms lower the macro average.
//!
//! Precision with no predictions is 0, recall with no support is 0, F1 with `P + R = 0` is 0.
//!
//! Confusions are counted per record where the prediction and the truth disagree: for each true id
//! the record missed (`X` true, not predicted), each spurious predicted id `Y` (predicted, not true)
//! gives one "true X, predicted Y"; when nothing spurious was predicted, it is "missed X"
//! (predicted nothing in X's place). A spurious prediction on a record with no missed truth is
//! "spurious Y" (truth X absent).

use std::collections::{BTreeMap, BTreeSet};

/// One record's predicted and true failure-mode ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Judged {
    /// What the matcher classified the record as.
    pub predicted: BTreeSet<String>,
    /// What the ground truth says it is (catalogue ids).
    pub truth: BTreeSet<String>,
}

impl Judged {
    /// A judged record from any iterables of ids.
    pub fn new<P, T>(predicted: P, truth: T) -> Judged
    where
        P: IntoIterator,
        P::Item: Into<String>,
        T: IntoIterator,
        T::Item: Into<String>,
    {
        Judged {
            predicted: predicted.into_iter().map(Into::into).collect(),
            truth: truth.into_iter().map(Into::into).collect(),
        }
    }
}

/// Counts and scores for one failure mode (or pooled, for the micro average).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Records predicted and true.
    pub tp: usize,
    /// Records predicted, not true.
    pub fp: usize,
    /// Records true, not predicted.
    pub fn_: usize,
    /// `tp / (tp + fp)`, 0 without predictions.
    pub precision: f64,
    /// `tp / (tp + fn)`, 0 without support.
    pub recall: f64,
    /// The harmonic mean of precision and recall, 0 when both are 0.
    pub f1: f64,
}

impl Scores {
    /// Scores from counts.
    pub fn from_counts(tp: usize, fp: usize, fn_: usize) -> Scores {
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        Scores {
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1: f1(precision, recall),
        }
    }

    /// The number of records that truly are this failure mode.
    pub fn support(&self) -> usize {
        self.tp + self.fn_
    }

    /// The number of records predicted as this failure mode.
    pub fn predicted(&self) -> usize {
        self.tp + self.fp
    }
}

/// Averages over failure modes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Average {
    /// Mean precision.
    pub precision: f64,
    /// Mean recall.
    pub recall: f64,
    /// Mean F1 (the mean of the per-class F1s, not the F1 of the means).
    pub f1: f64,
    /// How many failure modes the mean is over.
    pub classes: usize,
}

/// One kind of disagreement and how often it happened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confusion {
    /// The record was `truth`, and the matcher said `predicted` instead.
    Confused {
        /// The true id that was missed.
        truth: String,
        /// The spurious id predicted.
        predicted: String,
    },
    /// The record was `truth`, and the matcher predicted nothing in its place.
    Missed {
        /// The true id that was missed.
        truth: String,
    },
    /// The matcher predicted `predicted`, and the record had no missed truth to explain it.
    Spurious {
        /// The spurious id predicted.
        predicted: String,
    },
}

/// The measurement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// How many records were judged.
    pub records: usize,
    /// Records whose predicted set equals their true set.
    pub exact: usize,
    /// Scores per failure mode with support or predictions, by id.
    pub per_class: BTreeMap<String, Scores>,
    /// Counts pooled over all failure modes.
    pub micro: Scores,
    /// The unweighted mean over `per_class`.
    pub macro_: Average,
    /// Disagreements, most frequent first (ties by the confusion's order).
    pub confusions: Vec<(Confusion, usize)>,
}

/// Measures predictions against truth.
pub fn evaluate<'a, I>(judged: I) -> Report
where
    I: IntoIterator<Item = &'a Judged>,
{
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut confusions: BTreeMap<Confusion, usize> = BTreeMap::new();
    let mut records = 0;
    let mut exact = 0;
    for j in judged {
        records += 1;
        if j.predicted == j.truth {
            exact += 1;
        }
        for id in j.predicted.union(&j.truth) {
            let c = counts.entry(id.clone()).or_default();
            match (j.predicted.contains(id), j.truth.contains(id)) {
                (true, true) => c.0 += 1,
                (true, false) => c.1 += 1,
                (false, true) => c.2 += 1,
                (false, false) => {}
            }
        }
        let missed: Vec<&String> = j.truth.difference(&j.predicted).collect();
        let spurious: Vec<&String> = j.predicted.difference(&j.truth).collect();
        for &truth in &missed {
            if spurious.is_empty() {
                *confusions
                    .entry(Confusion::Missed {
                        truth: truth.clone(),
                    })
                    .or_default() += 1;
            }
            for &predicted in &spurious {
                *confusions
                    .entry(Confusion::Confused {
                        truth: truth.clone(),
                        predicted: predicted.clone(),
                    })
                    .or_default() += 1;
            }
        }
        if missed.is_empty() {
            for &predicted in &spurious {
                *confusions
                    .entry(Confusion::Spurious {
                        predicted: predicted.clone(),
                    })
                    .or_default() += 1;
            }
        }
    }

    let per_class: BTreeMap<String, Scores> = counts
        .into_iter()
        .map(|(id, (tp, fp, fn_))| (id, Scores::from_counts(tp, fp, fn_)))
        .collect();
    let (tp, fp, fn_) = per_class.values().fold((0, 0, 0), |acc, s| {
        (acc.0 + s.tp, acc.1 + s.fp, acc.2 + s.fn_)
    });
    let n = per_class.len();
    let mean = |f: fn(&Scores) -> f64| {
        if n == 0 {
            0.0
        } else {
            per_class.values().map(f).sum::<f64>() / n as f64
        }
    };
    let macro_ = Average {
        precision: mean(|s| s.precision),
        recall: mean(|s| s.recall),
        f1: mean(|s| s.f1),
        classes: n,
    };
    let mut confusions: Vec<(Confusion, usize)> = confusions.into_iter().collect();
    confusions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Report {
        records,
        exact,
        per_class,
        micro: Scores::from_counts(tp, fp, fn_),
        macro_,
        confusions,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    /// Five records, figures computed by hand:
    ///
    /// | record | truth | predicted |
    /// | --- | --- | --- |
    /// | 1 | a | a |
    /// | 2 | a | b |
    /// | 3 | b | b |
    /// | 4 | a | (none) |
    /// | 5 | (none) | c |
    ///
    /// a: tp 1, fp 0, fn 2 → P 1, R 1/3, F1 0.5.
    /// b: tp 1, fp 1, fn 0 → P 1/2, R 1, F1 2/3.
    /// c: tp 0, fp 1, fn 0 → P 0, R 0, F1 0.
    /// micro: tp 2, fp 2, fn 2 → P 1/2, R 1/2, F1 1/2.
    /// macro over a, b, c: P 1/2, R 4/9, F1 (0.5 + 2/3) / 3 = 7/18.
    #[test]
    fn hand_computed_figures() {
        let none: [&str; 0] = [];
        let judged = vec![
            Judged::new(["a"], ["a"]),
            Judged::new(["b"], ["a"]),
            Judged::new(["b"], ["b"]),
            Judged::new(none, ["a"]),
            Judged::new(["c"], none),
        ];
        let r = evaluate(&judged);
        assert_eq!(r.records, 5);
        assert_eq!(r.exact, 2);
        assert_eq!(r.per_class.len(), 3);
        let a = r.per_class["a"];
        assert_eq!(
            (a.tp, a.fp, a.fn_, a.support(), a.predicted()),
            (1, 0, 2, 3, 1)
        );
        close(a.precision, 1.0);
        close(a.recall, 1.0 / 3.0);
        close(a.f1, 0.5);
        let b = r.per_class["b"];
        close(b.precision, 0.5);
        close(b.recall, 1.0);
        close(b.f1, 2.0 / 3.0);
        let c = r.per_class["c"];
        assert_eq!((c.tp, c.fp, c.fn_), (0, 1, 0));
        close(c.f1, 0.0);
        assert_eq!((r.micro.tp, r.micro.fp, r.micro.fn_), (2, 2, 2));
        close(r.micro.precision, 0.5);
        close(r.micro.recall, 0.5);
        close(r.micro.f1, 0.5);
        assert_eq!(r.macro_.classes, 3);
        close(r.macro_.precision, 0.5);
        close(r.macro_.recall, 4.0 / 9.0);
        close(r.macro_.f1, 7.0 / 18.0);
        assert_eq!(
            r.confusions,
            vec![
                (
                    Confusion::Confused {
                        truth: "a".into(),
                        predicted: "b".into()
                    },
                    1
                ),
                (Confusion::Missed { truth: "a".into() }, 1),
                (
                    Confusion::Spurious {
                        predicted: "c".into()
                    },
                    1
                ),
            ]
        );
    }

    /// Multi-label: a record true as {a, b} predicted as {a, c} is a hit on a, a miss on b confused
    /// with c; classes nobody mentions do not enter the macro average.
    #[test]
    fn multi_label_and_macro_scope() {
        let judged = vec![
            Judged::new(["a", "c"], ["a", "b"]),
            Judged::new(["a", "c"], ["a", "b"]),
            Judged::new(["b"], ["b"]),
        ];
        let r = evaluate(&judged);
        assert_eq!(r.per_class.keys().collect::<Vec<_>>(), vec!["a", "b", "c"]);
        close(r.per_class["a"].f1, 1.0);
        // b: tp 1, fn 2 → P 1, R 1/3, F1 0.5.
        close(r.per_class["b"].f1, 0.5);
        close(r.per_class["c"].f1, 0.0);
        close(r.macro_.f1, 0.5);
        // micro: tp 3 (a, a, b), fp 2 (c, c), fn 2 (b, b) → P 3/5, R 3/5.
        close(r.micro.f1, 0.6);
        assert_eq!(
            r.confusions[0],
            (
                Confusion::Confused {
                    truth: "b".into(),
                    predicted: "c".into()
                },
                2
            )
        );
        assert_eq!(r.confusions.len(), 1);
    }

    #[test]
    fn nothing_to_measure() {
        let r = evaluate(&[]);
        assert_eq!(r.records, 0);
        assert_eq!(r.macro_.classes, 0);
        close(r.macro_.f1, 0.0);
        close(r.micro.f1, 0.0);
        // An empty truth predicted empty is exact and scores nothing.
        let r = evaluate(&[Judged::default()]);
        assert_eq!((r.records, r.exact), (1, 1));
        assert!(r.per_class.is_empty());
    }
}
