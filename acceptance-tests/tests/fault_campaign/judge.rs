//! One scenario judged against the lab: the lab against the faults (it must follow
//! AWS), the provider's matrix and verdicts against the lab, and the diagnosis against
//! the faults it must name. Everything wrong is written down, nothing stops the run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::faults::{to_be_named, Fault, Kind, Pairs, KINDS};
use crate::read::Reading;
use crate::world::World;

#[derive(Default)]
pub struct Tally {
    pub scenarios: usize,
    pub injected: BTreeMap<Kind, usize>,
    /// Faults that broke a probed pair and had to be named.
    pub to_name: BTreeMap<Kind, usize>,
    pub pairs: usize,
    pub misses: usize,
    pub false_blames: usize,
    pub problems: Vec<String>,
}

impl Tally {
    pub fn judge(
        &mut self,
        context: &str,
        world: &World,
        faults: &[Fault],
        truth: &BTreeSet<(String, String)>,
        reading: &Reading,
    ) {
        self.scenarios += 1;
        let size = world.vpcs.len();
        let name = |n: usize| world.vpcs[n].name.clone();
        let expected: Pairs = world
            .peerings
            .keys()
            .flat_map(|&(a, b)| [(a, b), (b, a)])
            .collect();
        let mut problems = Vec::new();
        for f in faults {
            *self.injected.entry(f.kind).or_default() += 1;
        }
        for s in 0..size {
            for d in (0..size).filter(|&d| d != s) {
                self.pairs += 1;
                let broken = faults.iter().any(|f| f.breaks(size).contains(&(s, d)));
                let should = expected.contains(&(s, d)) && !broken;
                let key = (name(s), name(d));
                let lab = truth.contains(&key);
                if lab != should {
                    problems.push(format!(
                        "lab: {} -> {} answers {lab}, AWS would say {should}",
                        key.0, key.1
                    ));
                }
                let Some(row) = reading.rows.get(&key) else {
                    problems.push(format!("no result for {} -> {}", key.0, key.1));
                    continue;
                };
                let wanted = expected.contains(&(s, d));
                let verdict = match (lab, wanted) {
                    (true, true) | (false, false) => "ok",
                    (false, true) => "unexpectedly_unreachable",
                    (true, false) => "unexpectedly_reachable",
                };
                if row.reachable != lab
                    || row.expected != Some(wanted)
                    || row.verdict.as_deref() != Some(verdict)
                {
                    problems.push(format!("{} -> {}: reachable {} expected {:?} verdict {:?}; the lab says reachable {lab}, expected {wanted}, verdict {verdict}", key.0, key.1, row.reachable, row.expected, row.verdict));
                }
            }
        }
        let named = to_be_named(faults, &expected, size);
        for f in &named {
            *self.to_name.entry(f.kind).or_default() += 1;
        }
        let signatures: Vec<(Fault, Vec<String>)> =
            faults.iter().map(|f| (*f, f.signature(world))).collect();
        let names = |sentence: &str| -> Vec<Fault> {
            signatures
                .iter()
                .filter(|(_, words)| words.iter().all(|w| sentence.contains(w.as_str())))
                .map(|(f, _)| *f)
                .collect()
        };
        for sentence in &reading.diagnosis {
            let found = names(sentence);
            if found.is_empty() || found.iter().any(|f| !named.contains(f)) {
                self.false_blames += 1;
                problems.push(format!("false blame: {sentence:?} (names {found:?})"));
            }
        }
        for f in &named {
            let sentences = reading
                .diagnosis
                .iter()
                .filter(|s| names(s).contains(f))
                .count();
            if sentences == 0 {
                self.misses += 1;
                problems.push(format!("miss: {f:?} ({}) is not named", f.kind.label()));
            } else if sentences > 1 {
                self.false_blames += sentences - 1;
                problems.push(format!("{f:?} is named in {sentences} sentences, not one"));
            }
        }
        if !problems.is_empty() {
            let mut text = format!(
                "{context}\n  faults: {faults:?}\n  diagnosis: {:#?}\n",
                reading.diagnosis
            );
            for p in problems {
                let _ = writeln!(text, "  - {p}");
            }
            self.problems.push(text);
        }
    }

    pub fn summary(&self, label: &str) -> String {
        let mut t = format!("fault campaign ({label})\n");
        let _ = writeln!(
            t,
            "  {:<28} {:>8} {:>14}",
            "fault kind", "injected", "had to be named"
        );
        for k in KINDS {
            let _ = writeln!(
                t,
                "  {:<28} {:>8} {:>14}",
                k.label(),
                self.injected.get(&k).unwrap_or(&0),
                self.to_name.get(&k).unwrap_or(&0)
            );
        }
        let _ = writeln!(
            t,
            "  scenarios {}, pairs checked {}, misses {}, false blames {}",
            self.scenarios, self.pairs, self.misses, self.false_blames
        );
        t
    }
}
