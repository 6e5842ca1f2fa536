//! SCORM 2004 sequencing, the part Lyceum follows: control modes (choice, flow, forward only),
//! pre-condition rules (skip, disabled, hidden from choice) over the activity's own progress
//! and its objectives, attempt limits, objectives shared through global objectives (read and
//! write of satisfaction and measure), and rollup (SN 4.6): the measure as the weighted mean of
//! the children's (`objectiveMeasureWeight`), satisfaction by that measure when the primary
//! objective says so, otherwise by the activity's rollup rules (`childActivitySet` all, any,
//! none, at least a count or a percent), with SN's default rule for each action the activity
//! has none of; children left out of satisfaction or completion by `rollupObjectiveSatisfied`
//! and `rollupProgressCompletion`. The organization rolls up too: its status is the package's.
//! Pure: the manifest gives the rules (`sequencing_xml.rs`), what a learner's SCOs reported
//! gives the state, and the result says which parts the learner may open, how the player moves
//! between them and where the whole package stands. Not followed yet: post-condition and exit
//! rules, selection and randomisation, time limits (their conditions count as unknown).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An activity's sequencing definition (the manifest's `imsss:sequencing`, with a collection it
/// names merged in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequencing {
    /// The learner may choose this activity's children from the table of contents.
    pub choice: bool,
    /// The player moves between this activity's children (Continue, Previous).
    pub flow: bool,
    /// Only forward: no Previous among this activity's children.
    pub forward_only: bool,
    pub attempt_limit: Option<u32>,
    pub pre_rules: Vec<Rule>,
    /// The primary objective first, when the manifest names one.
    pub objectives: Vec<Objective>,
    #[serde(default)]
    pub rollup: Rollup,
}

impl Default for Sequencing {
    fn default() -> Self {
        Sequencing {
            choice: true,
            flow: false,
            forward_only: false,
            attempt_limit: None,
            pre_rules: Vec::new(),
            objectives: Vec::new(),
            rollup: Rollup::default(),
        }
    }
}

/// How an activity rolls up (`imsss:rollupRules`): what it gives its parent, and the rules
/// that make its own status from its children's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// Its satisfaction counts in its parent's (`rollupObjectiveSatisfied`).
    pub objective_satisfied: bool,
    /// Its completion counts in its parent's (`rollupProgressCompletion`).
    pub progress_completion: bool,
    /// The weight of its measure in its parent's (`objectiveMeasureWeight`, 0 to 1).
    pub measure_weight: f64,
    pub rules: Vec<RollupRule>,
}

impl Default for Rollup {
    fn default() -> Self {
        Rollup {
            objective_satisfied: true,
            progress_completion: true,
            measure_weight: 1.0,
            rules: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollupRule {
    pub children: ChildSet,
    /// `conditionCombination="any"` (else all must hold for a child).
    pub any: bool,
    /// Read of each child (`referencedObjective` is not used in rollup).
    pub conditions: Vec<Condition>,
    pub action: RollupAction,
}

/// Which children a rollup rule's conditions must hold for (`childActivitySet`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ChildSet {
    All,
    Any,
    None,
    AtLeastCount(u32),
    /// A share from 0 to 1.
    AtLeastPercent(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RollupAction {
    Satisfied,
    NotSatisfied,
    Completed,
    Incomplete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// `conditionCombination="any"` (else all must hold).
    pub any: bool,
    pub conditions: Vec<Condition>,
    pub action: Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Skip,
    Disabled,
    HiddenFromChoice,
    StopForwardTraversal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The objective the condition reads (`referencedObjective`); the primary one when `None`.
    pub objective: Option<String>,
    pub not: bool,
    pub test: Test,
    /// `measureThreshold`, for the measure comparisons.
    pub threshold: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    Satisfied,
    ObjectiveStatusKnown,
    ObjectiveMeasureKnown,
    ObjectiveMeasureGreaterThan,
    ObjectiveMeasureLessThan,
    Completed,
    ActivityProgressKnown,
    Attempted,
    AttemptLimitExceeded,
    Always,
    /// Time limits and conditions Lyceum does not follow: unknown.
    Unknown,
}

impl Test {
    pub fn parse(text: &str) -> Test {
        match text {
            "satisfied" => Test::Satisfied,
            "objectiveStatusKnown" => Test::ObjectiveStatusKnown,
            "objectiveMeasureKnown" => Test::ObjectiveMeasureKnown,
            "objectiveMeasureGreaterThan" => Test::ObjectiveMeasureGreaterThan,
            "objectiveMeasureLessThan" => Test::ObjectiveMeasureLessThan,
            "completed" => Test::Completed,
            "activityProgressKnown" => Test::ActivityProgressKnown,
            "attempted" => Test::Attempted,
            "attemptLimitExceeded" => Test::AttemptLimitExceeded,
            "always" => Test::Always,
            _ => Test::Unknown,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: String,
    pub primary: bool,
    /// Satisfied by the measure reaching `min_measure`, rather than by what the SCO says.
    pub satisfied_by_measure: bool,
    pub min_measure: f64,
    pub maps: Vec<MapInfo>,
}

/// How a local objective shares its status with a global objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapInfo {
    pub target: String,
    pub read_satisfied: bool,
    pub read_measure: bool,
    pub write_satisfied: bool,
    pub write_measure: bool,
}

/// What a learner's attempts at one SCO reported, as sequencing reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Attempts begun (0: never opened).
    pub attempts: u32,
    /// Completed (`Some(true)`), incomplete (`Some(false)`), unknown.
    pub completed: Option<bool>,
    /// Passed, failed, unknown.
    pub satisfied: Option<bool>,
    /// `cmi.score.scaled`.
    pub measure: Option<f64>,
    /// `cmi.objectives.n` by id: satisfied and scaled score.
    pub objectives: BTreeMap<String, (Option<bool>, Option<f64>)>,
}

/// One activity as the activity tree holds it: its depth in the table of contents, its
/// definition, and (for a SCO or asset) what the learner's attempts reported.
#[derive(Debug, Clone)]
pub struct Activity<'a> {
    pub identifier: &'a str,
    pub depth: u32,
    pub leaf: bool,
    pub sequencing: &'a Sequencing,
    pub report: Report,
}

/// Where one part stands for the learner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartState {
    pub identifier: String,
    /// Left out of the table of contents (`hiddenFromChoice`).
    pub hidden: bool,
    /// Cannot be opened, by choice or by flow (`disabled`, or its attempt limit reached).
    pub disabled: bool,
    /// Passed over when flowing (`skip`).
    pub skipped: bool,
    /// Its parent lets the learner choose it from the table of contents.
    pub choosable: bool,
}

/// Which parts the learner may open, and how the player moves between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    /// The organization lets the player move with Continue and Previous.
    pub flow: bool,
    pub forward_only: bool,
    /// Every item of the table of contents, in order.
    pub parts: Vec<PartState>,
    /// The whole package as the organization rolls it up (unknown for staff).
    #[serde(default)]
    pub completed: Option<bool>,
    #[serde(default)]
    pub satisfied: Option<bool>,
}

impl Availability {
    /// Everything open, as for a package without sequencing or for staff.
    pub fn open(identifiers: impl Iterator<Item = String>, root: &Sequencing) -> Availability {
        Availability {
            flow: root.flow,
            forward_only: root.forward_only,
            parts: identifiers
                .map(|identifier| PartState {
                    identifier,
                    hidden: false,
                    disabled: false,
                    skipped: false,
                    choosable: root.choice,
                })
                .collect(),
            completed: None,
            satisfied: None,
        }
    }

    pub fn part(&self, identifier: &str) -> Option<&PartState> {
        self.parts.iter().find(|p| p.identifier == identifier)
    }

    /// Where a navigation request leads from `current` among the launchable parts `order`:
    /// `continue` and `previous` pass over skipped parts and stop at a disabled one; a choice
    /// needs a part that is choosable, shown and not disabled. `None`: stay.
    pub fn navigate(&self, order: &[String], current: &str, request: &str) -> Option<String> {
        let open = |id: &String| self.part(id).is_none_or(|p| !p.disabled);
        let passes = |id: &&String| self.part(id).is_some_and(|p| p.skipped);
        let here = order.iter().position(|p| p == current);
        let target = match request {
            "continue" => here.and_then(|i| order.iter().skip(i + 1).find(|p| !passes(p))),
            "previous" if !self.forward_only => {
                here.and_then(|i| order.iter().take(i).rev().find(|p| !passes(p)))
            }
            "previous" => None,
            other => {
                let named = other.strip_prefix("{target=")?;
                let (id, verb) = named.split_once('}')?;
                let found = order.iter().find(|p| p.as_str() == id)?;
                let state = self.part(found);
                let allowed = match verb {
                    "choice" => state.is_none_or(|p| p.choosable && !p.hidden),
                    "jump" => true,
                    _ => false,
                };
                allowed.then_some(found)
            }
        };
        target.filter(|t| open(t) && t.as_str() != current).cloned()
    }
}

/// An objective's status: satisfied (known or not) and its measure.
type Status = (Option<bool>, Option<f64>);

/// The learner's state of every activity and the parts they may open. `activities` are in the
/// table of contents' order; `root` is the organization's definition.
pub fn evaluate(activities: &[Activity], root: &Sequencing) -> Availability {
    let parents = parents(activities);
    let (progress, package, globals) = rollup(activities, &parents, root);
    let mut parts: Vec<PartState> = Vec::with_capacity(activities.len());
    for (i, (a, own)) in activities.iter().zip(&progress).enumerate() {
        let mut state = PartState {
            identifier: a.identifier.to_string(),
            hidden: false,
            disabled: false,
            skipped: false,
            choosable: true,
        };
        for rule in &a.sequencing.pre_rules {
            let holds = |c: &Condition| {
                let value = test(a, own, c, &globals);
                if c.not { value.map(|v| !v) } else { value }
            };
            let fired = if rule.any {
                rule.conditions.iter().any(|c| holds(c) == Some(true))
            } else {
                !rule.conditions.is_empty()
                    && rule.conditions.iter().all(|c| holds(c) == Some(true))
            };
            if fired {
                match rule.action {
                    Action::Skip => state.skipped = true,
                    Action::Disabled => state.disabled = true,
                    Action::HiddenFromChoice => state.hidden = true,
                    Action::StopForwardTraversal => {}
                }
            }
        }
        if limit_reached(a, own) {
            state.disabled = true;
        }
        // What holds for a cluster holds for everything in it; its control mode decides
        // whether its children may be chosen.
        let parent = parents.get(i).copied().flatten();
        let parent_choice = parent
            .and_then(|p| activities.get(p))
            .map_or(root.choice, |p| p.sequencing.choice);
        if let Some(p) = parent.and_then(|p| parts.get(p)) {
            state.hidden |= p.hidden;
            state.disabled |= p.disabled;
            state.skipped |= p.skipped;
        }
        state.choosable = parent_choice;
        parts.push(state);
    }
    Availability {
        flow: root.flow,
        forward_only: root.forward_only,
        parts,
        completed: package.completed,
        satisfied: package.satisfied,
    }
}

/// Each activity's parent (the nearest earlier activity of a smaller depth).
fn parents(activities: &[Activity]) -> Vec<Option<usize>> {
    activities
        .iter()
        .enumerate()
        .map(|(i, a)| activities.iter().take(i).rposition(|p| p.depth < a.depth))
        .collect()
}

/// Writes an activity's objectives to the global objectives they map to.
fn write_globals<'a>(a: &Activity<'a>, own: &Report, globals: &mut BTreeMap<&'a str, Status>) {
    for objective in &a.sequencing.objectives {
        let (satisfied, measure) = local(own, objective);
        for map in &objective.maps {
            let global = globals.entry(map.target.as_str()).or_default();
            if map.write_satisfied && satisfied.is_some() {
                global.0 = satisfied;
            }
            if map.write_measure && measure.is_some() {
                global.1 = measure;
            }
        }
    }
}

/// Every activity's own progress (a SCO's as reported, a cluster's rolled up from its
/// children), the organization's, and the global objectives as they stand after. Deepest
/// first, so that a cluster's children are rolled up before it; each writes its objectives to
/// the globals once it is, and a parent reads its children through their maps.
fn rollup<'a>(
    activities: &[Activity<'a>],
    parents: &[Option<usize>],
    root: &Sequencing,
) -> (Vec<Report>, Report, BTreeMap<&'a str, Status>) {
    let mut out: Vec<Report> = activities.iter().map(|a| a.report.clone()).collect();
    let mut globals: BTreeMap<&'a str, Status> = BTreeMap::new();
    for (a, own) in activities.iter().zip(&out) {
        if a.leaf {
            write_globals(a, own, &mut globals);
        }
    }
    let mut order: Vec<usize> = (0..activities.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(activities.get(*i).map_or(0, |a| a.depth)));
    let children_of = |parent: Option<usize>, out: &[Report], globals: &BTreeMap<&str, Status>| {
        parents
            .iter()
            .enumerate()
            .filter(|(_, p)| **p == parent)
            .filter_map(|(c, _)| Some(child(activities.get(c)?, out.get(c)?, globals)))
            .collect::<Vec<Child>>()
    };
    for i in order {
        let Some(a) = activities.get(i).filter(|a| !a.leaf) else {
            continue;
        };
        let children = children_of(Some(i), &out, &globals);
        if children.is_empty() {
            continue;
        }
        let rolled = roll(a.sequencing, &children);
        write_globals(a, &rolled, &mut globals);
        if let Some(slot) = out.get_mut(i) {
            *slot = rolled;
        }
    }
    let tops = children_of(None, &out, &globals);
    let package = roll(root, &tops);
    (out, package, globals)
}

/// A child as its parent's rollup reads it: its primary objective through its maps.
struct Child {
    report: Report,
    rollup: Rollup,
    limit_exceeded: bool,
}

fn child(a: &Activity, own: &Report, globals: &BTreeMap<&str, Status>) -> Child {
    let (satisfied, measure) = read(a, own, None, globals);
    Child {
        report: Report {
            satisfied,
            measure,
            objectives: BTreeMap::new(),
            ..own.clone()
        },
        rollup: a.sequencing.rollup.clone(),
        limit_exceeded: limit_reached(a, own),
    }
}

/// A cluster's progress from its children's (SN 4.6.4: measure, then objective, then progress).
fn roll(sequencing: &Sequencing, children: &[Child]) -> Report {
    // Measure: the weighted mean; the weights of children without a measure still count.
    let weighed: Vec<&Child> = children
        .iter()
        .filter(|c| c.rollup.measure_weight > 0.0)
        .collect();
    let total: f64 = weighed.iter().map(|c| c.rollup.measure_weight).sum();
    let measure = weighed.iter().any(|c| c.report.measure.is_some()).then(|| {
        weighed
            .iter()
            .filter_map(|c| c.report.measure.map(|m| m * c.rollup.measure_weight))
            .sum::<f64>()
            / total
    });
    let by_measure = sequencing
        .objectives
        .iter()
        .find(|o| o.primary && o.satisfied_by_measure);
    let rules = &sequencing.rollup.rules;
    let satisfied = match (by_measure, measure) {
        (Some(objective), Some(m)) => Some(m >= objective.min_measure),
        (Some(_), None) => None,
        (None, _) => {
            let counted: Vec<&Child> = children
                .iter()
                .filter(|c| c.rollup.objective_satisfied)
                .collect();
            decide(
                rules,
                &counted,
                (RollupAction::NotSatisfied, Test::ObjectiveStatusKnown),
                (RollupAction::Satisfied, Test::Satisfied),
            )
        }
    };
    let counted: Vec<&Child> = children
        .iter()
        .filter(|c| c.rollup.progress_completion)
        .collect();
    let completed = decide(
        rules,
        &counted,
        (RollupAction::Incomplete, Test::ActivityProgressKnown),
        (RollupAction::Completed, Test::Completed),
    );
    Report {
        attempts: u32::from(children.iter().any(|c| c.report.attempts > 0)),
        completed,
        satisfied,
        measure,
        objectives: BTreeMap::new(),
    }
}

/// One status from the rules of its two actions: the negative ones first, then the positive
/// ones, which win. An action the activity has no rule for follows SN's default rule: all
/// children `default_test` (all known for the negative one, all true for the positive one).
fn decide(
    rules: &[RollupRule],
    children: &[&Child],
    (no, no_default): (RollupAction, Test),
    (yes, yes_default): (RollupAction, Test),
) -> Option<bool> {
    let default_rule = |action: RollupAction, test: Test| RollupRule {
        children: ChildSet::All,
        any: false,
        conditions: vec![Condition {
            objective: None,
            not: false,
            test,
            threshold: 0.0,
        }],
        action,
    };
    let fires = |action: RollupAction, default: Test| {
        let own: Vec<&RollupRule> = rules.iter().filter(|r| r.action == action).collect();
        if own.is_empty() {
            applies(&default_rule(action, default), children)
        } else {
            own.iter().any(|r| applies(r, children))
        }
    };
    let mut status = None;
    if fires(no, no_default) {
        status = Some(false);
    }
    if fires(yes, yes_default) {
        status = Some(true);
    }
    status
}

/// Whether a rollup rule's conditions hold for its set of the children. No children: never.
fn applies(rule: &RollupRule, children: &[&Child]) -> bool {
    if children.is_empty() {
        return false;
    }
    let results: Vec<Option<bool>> = children.iter().map(|c| holds(rule, c)).collect();
    let trues = results.iter().filter(|r| **r == Some(true)).count();
    match rule.children {
        ChildSet::All => trues == results.len(),
        ChildSet::Any => trues > 0,
        ChildSet::None => results.iter().all(|r| *r == Some(false)),
        ChildSet::AtLeastCount(n) => trues >= n as usize,
        ChildSet::AtLeastPercent(share) => trues as f64 >= share * results.len() as f64,
    }
}

/// A rollup rule's conditions for one child, `None` when unknown.
fn holds(rule: &RollupRule, child: &Child) -> Option<bool> {
    let r = &child.report;
    let values = rule.conditions.iter().map(|c| {
        let value = match c.test {
            Test::Satisfied => r.satisfied,
            Test::ObjectiveStatusKnown => Some(r.satisfied.is_some()),
            Test::ObjectiveMeasureKnown => Some(r.measure.is_some()),
            Test::ObjectiveMeasureGreaterThan => r.measure.map(|m| m > c.threshold),
            Test::ObjectiveMeasureLessThan => r.measure.map(|m| m < c.threshold),
            Test::Completed => r.completed,
            Test::ActivityProgressKnown => Some(r.completed.is_some()),
            Test::Attempted => Some(r.attempts > 0),
            Test::AttemptLimitExceeded => Some(child.limit_exceeded),
            Test::Always => Some(true),
            Test::Unknown => None,
        };
        if c.not { value.map(|v| !v) } else { value }
    });
    let values: Vec<Option<bool>> = values.collect();
    if rule.any {
        if values.contains(&Some(true)) {
            Some(true)
        } else if values.contains(&None) {
            None
        } else {
            Some(false)
        }
    } else if values.contains(&Some(false)) {
        Some(false)
    } else if values.contains(&None) {
        None
    } else {
        Some(true)
    }
}

/// A local objective's status before globals are read: the primary one is the activity's own.
fn local(own: &Report, objective: &Objective) -> Status {
    let (satisfied, measure) = if objective.primary {
        (own.satisfied, own.measure)
    } else {
        own.objectives
            .get(&objective.id)
            .copied()
            .unwrap_or_default()
    };
    let satisfied = match (objective.satisfied_by_measure, measure) {
        (true, Some(m)) => Some(m >= objective.min_measure),
        (true, None) => None,
        (false, _) => satisfied,
    };
    (satisfied, measure)
}

/// An objective's status as rules read it: a global it reads from wins when known.
fn read(a: &Activity, own: &Report, id: Option<&str>, globals: &BTreeMap<&str, Status>) -> Status {
    let objective = a
        .sequencing
        .objectives
        .iter()
        .find(|o| id.map_or(o.primary, |id| o.id == id));
    let Some(objective) = objective else {
        // No such objective: the activity's own status stands for the primary one.
        return if id.is_none() {
            (own.satisfied, own.measure)
        } else {
            (None, None)
        };
    };
    let (mut satisfied, mut measure) = local(own, objective);
    for map in &objective.maps {
        if let Some((s, m)) = globals.get(map.target.as_str()) {
            if map.read_satisfied && s.is_some() {
                satisfied = *s;
            }
            if map.read_measure && m.is_some() {
                measure = *m;
            }
        }
    }
    (satisfied, measure)
}

fn limit_reached(a: &Activity, own: &Report) -> bool {
    a.sequencing
        .attempt_limit
        .is_some_and(|limit| limit > 0 && own.attempts >= limit && own.completed == Some(true))
}

/// One condition, `None` when unknown.
fn test(
    a: &Activity,
    own: &Report,
    c: &Condition,
    globals: &BTreeMap<&str, Status>,
) -> Option<bool> {
    let objective = || read(a, own, c.objective.as_deref(), globals);
    match c.test {
        Test::Satisfied => objective().0,
        Test::ObjectiveStatusKnown => Some(objective().0.is_some()),
        Test::ObjectiveMeasureKnown => Some(objective().1.is_some()),
        Test::ObjectiveMeasureGreaterThan => objective().1.map(|m| m > c.threshold),
        Test::ObjectiveMeasureLessThan => objective().1.map(|m| m < c.threshold),
        Test::Completed => own.completed,
        Test::ActivityProgressKnown => Some(own.completed.is_some()),
        Test::Attempted => Some(own.attempts > 0),
        Test::AttemptLimitExceeded => Some(limit_reached(a, own)),
        Test::Always => Some(true),
        Test::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(target: &str, read: bool, write: bool) -> MapInfo {
        MapInfo {
            target: target.into(),
            read_satisfied: read,
            read_measure: read,
            write_satisfied: write,
            write_measure: write,
        }
    }

    fn objective(id: &str, primary: bool, maps: Vec<MapInfo>) -> Objective {
        Objective {
            id: id.into(),
            primary,
            satisfied_by_measure: false,
            min_measure: 1.0,
            maps,
        }
    }

    /// The golf sample "forced sequential": each part is disabled until the one before it is
    /// satisfied, read through a global objective the earlier part writes.
    fn forced(previous: Option<&str>, own: &str) -> Sequencing {
        let mut objectives = vec![objective(own, true, vec![map(own, true, true)])];
        let mut pre_rules = Vec::new();
        if let Some(previous) = previous {
            objectives.push(objective(
                "previous",
                false,
                vec![map(previous, true, false)],
            ));
            let not = |test| Condition {
                objective: Some("previous".into()),
                not: true,
                test,
                threshold: 0.0,
            };
            pre_rules.push(Rule {
                any: true,
                conditions: vec![not(Test::Satisfied), not(Test::ObjectiveStatusKnown)],
                action: Action::Disabled,
            });
        }
        Sequencing {
            pre_rules,
            objectives,
            ..Sequencing::default()
        }
    }

    fn passed() -> Report {
        Report {
            attempts: 1,
            completed: Some(true),
            satisfied: Some(true),
            ..Report::default()
        }
    }

    #[test]
    fn a_part_opens_once_the_one_before_it_is_satisfied() {
        let defs = [
            forced(None, "playing"),
            forced(Some("playing"), "etiquette"),
            forced(Some("etiquette"), "handicapping"),
        ];
        let activities = |reports: [Report; 3]| -> Vec<Activity> {
            ["playing", "etiquette", "handicapping"]
                .iter()
                .zip(defs.iter())
                .zip(reports)
                .map(|((id, s), report)| Activity {
                    identifier: id,
                    depth: 0,
                    leaf: true,
                    sequencing: s,
                    report,
                })
                .collect()
        };
        let root = Sequencing {
            flow: true,
            ..Sequencing::default()
        };
        let disabled =
            |a: &Availability| -> Vec<bool> { a.parts.iter().map(|p| p.disabled).collect() };
        let fresh = evaluate(&activities(Default::default()), &root);
        assert_eq!(disabled(&fresh), vec![false, true, true]);
        let failed = Report {
            satisfied: Some(false),
            ..passed()
        };
        let after_fail = evaluate(
            &activities([failed, Report::default(), Report::default()]),
            &root,
        );
        assert_eq!(disabled(&after_fail), vec![false, true, true]);
        let after_pass = evaluate(
            &activities([passed(), Report::default(), Report::default()]),
            &root,
        );
        assert_eq!(disabled(&after_pass), vec![false, false, true]);

        // Continue stops at a disabled part; a choice of it is refused.
        let order: Vec<String> = ["playing", "etiquette", "handicapping"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(fresh.navigate(&order, "playing", "continue"), None);
        assert_eq!(
            after_pass
                .navigate(&order, "playing", "continue")
                .as_deref(),
            Some("etiquette")
        );
        assert_eq!(
            after_pass.navigate(&order, "playing", "{target=handicapping}choice"),
            None
        );
        assert_eq!(
            after_pass
                .navigate(&order, "etiquette", "previous")
                .as_deref(),
            Some("playing")
        );
    }

    #[test]
    fn clusters_roll_up_and_pass_their_state_to_their_children() {
        let plain = Sequencing::default();
        let hidden_until_attempted = Sequencing {
            pre_rules: vec![Rule {
                any: false,
                conditions: vec![Condition {
                    objective: None,
                    not: true,
                    test: Test::Attempted,
                    threshold: 0.0,
                }],
                action: Action::HiddenFromChoice,
            }],
            choice: false,
            ..Sequencing::default()
        };
        // A post-test disabled until the lessons cluster is completed.
        let post_test = Sequencing {
            pre_rules: vec![Rule {
                any: true,
                conditions: [Test::Satisfied, Test::ObjectiveStatusKnown]
                    .into_iter()
                    .map(|test| Condition {
                        objective: Some("lessons".into()),
                        not: true,
                        test,
                        threshold: 0.0,
                    })
                    .collect(),
                action: Action::Disabled,
            }],
            objectives: vec![objective(
                "lessons",
                false,
                vec![map("lessons", true, false)],
            )],
            ..Sequencing::default()
        };
        let cluster = Sequencing {
            objectives: vec![objective("c", true, vec![map("lessons", false, true)])],
            ..hidden_until_attempted.clone()
        };
        let tree = |a: Report, b: Report| {
            vec![
                Activity {
                    identifier: "lessons",
                    depth: 0,
                    leaf: false,
                    sequencing: &cluster,
                    report: Report::default(),
                },
                Activity {
                    identifier: "a",
                    depth: 1,
                    leaf: true,
                    sequencing: &plain,
                    report: a,
                },
                Activity {
                    identifier: "b",
                    depth: 1,
                    leaf: true,
                    sequencing: &plain,
                    report: b,
                },
                Activity {
                    identifier: "test",
                    depth: 0,
                    leaf: true,
                    sequencing: &post_test,
                    report: Report::default(),
                },
            ]
        };
        let root = Sequencing::default();
        let fresh = evaluate(&tree(Report::default(), Report::default()), &root);
        let flags = |a: &Availability| -> Vec<(bool, bool, bool)> {
            a.parts
                .iter()
                .map(|p| (p.hidden, p.disabled, p.choosable))
                .collect()
        };
        assert_eq!(
            flags(&fresh),
            vec![
                (true, false, true),
                (true, false, false),
                (true, false, false),
                (false, true, true)
            ]
        );
        let half = evaluate(&tree(passed(), Report::default()), &root);
        assert_eq!(
            half.part("test").map(|p| p.disabled),
            Some(true),
            "one lesson of two"
        );
        let done = evaluate(&tree(passed(), passed()), &root);
        assert_eq!(flags(&done)[0], (false, false, true));
        assert_eq!(done.part("test").map(|p| p.disabled), Some(false));
    }

    #[test]
    fn an_attempt_limit_closes_a_completed_part_and_forward_only_has_no_previous() {
        let once = Sequencing {
            attempt_limit: Some(1),
            ..Sequencing::default()
        };
        let plain = Sequencing::default();
        let activities = vec![
            Activity {
                identifier: "pre",
                depth: 0,
                leaf: true,
                sequencing: &once,
                report: passed(),
            },
            Activity {
                identifier: "main",
                depth: 0,
                leaf: true,
                sequencing: &plain,
                report: Report::default(),
            },
        ];
        let root = Sequencing {
            flow: true,
            forward_only: true,
            ..Sequencing::default()
        };
        let state = evaluate(&activities, &root);
        assert_eq!(state.part("pre").map(|p| p.disabled), Some(true));
        let order = vec!["pre".to_string(), "main".to_string()];
        assert_eq!(state.navigate(&order, "main", "previous"), None);
        assert_eq!(
            Availability::open(order.iter().cloned(), &root).navigate(&order, "pre", "continue"),
            Some("main".into())
        );
    }

    fn rule(
        children: ChildSet,
        any: bool,
        tests: &[(bool, Test)],
        action: RollupAction,
    ) -> RollupRule {
        RollupRule {
            children,
            any,
            conditions: tests
                .iter()
                .map(|(not, test)| Condition {
                    objective: None,
                    not: *not,
                    test: *test,
                    threshold: 0.0,
                })
                .collect(),
            action,
        }
    }

    fn report(completed: Option<bool>, satisfied: Option<bool>, measure: Option<f64>) -> Report {
        Report {
            attempts: u32::from(completed.is_some()),
            completed,
            satisfied,
            measure,
            ..Report::default()
        }
    }

    /// A cluster (depth 0) over leaves (depth 1), and the package's state.
    fn rolled(cluster: &Sequencing, leaves: &[(&Sequencing, Report)]) -> (Availability, Report) {
        let mut activities = vec![Activity {
            identifier: "cluster",
            depth: 0,
            leaf: false,
            sequencing: cluster,
            report: Report::default(),
        }];
        for (s, r) in leaves {
            activities.push(Activity {
                identifier: "leaf",
                depth: 1,
                leaf: true,
                sequencing: s,
                report: r.clone(),
            });
        }
        let parents = parents(&activities);
        let (out, _, _) = rollup(&activities, &parents, &Sequencing::default());
        (
            evaluate(&activities, &Sequencing::default()),
            out[0].clone(),
        )
    }

    #[test]
    fn default_rollup_needs_every_child_and_known_status_for_a_no() {
        let plain = Sequencing::default();
        let (_, r) = rolled(&plain, &[(&plain, passed()), (&plain, Report::default())]);
        assert_eq!(
            (r.completed, r.satisfied),
            (None, None),
            "one child unknown"
        );
        let (_, r) = rolled(
            &plain,
            &[
                (&plain, passed()),
                (&plain, report(Some(false), Some(false), None)),
            ],
        );
        assert_eq!((r.completed, r.satisfied), (Some(false), Some(false)));
        let (package, r) = rolled(&plain, &[(&plain, passed()), (&plain, passed())]);
        assert_eq!((r.completed, r.satisfied), (Some(true), Some(true)));
        // The organization rolls up its one cluster: the package is done.
        assert_eq!(
            (package.completed, package.satisfied),
            (Some(true), Some(true))
        );
    }

    #[test]
    fn measures_are_weighted_and_can_satisfy_the_cluster() {
        let light = Sequencing {
            rollup: Rollup {
                measure_weight: 0.5,
                ..Rollup::default()
            },
            ..Sequencing::default()
        };
        let plain = Sequencing::default();
        let (_, r) = rolled(
            &plain,
            &[
                (&plain, report(Some(true), None, Some(0.9))),
                (&light, report(Some(true), None, Some(0.3))),
            ],
        );
        let m = r.measure.unwrap();
        assert!((m - 0.7).abs() < 1e-9, "{m}");
        // A child without a measure still weighs: (0.9 × 1) / (1 + 0.5).
        let (_, r) = rolled(
            &plain,
            &[
                (&plain, report(Some(true), None, Some(0.9))),
                (&light, Report::default()),
            ],
        );
        assert!((r.measure.unwrap() - 0.6).abs() < 1e-9);
        let by_measure = Sequencing {
            objectives: vec![Objective {
                satisfied_by_measure: true,
                min_measure: 0.6,
                ..objective("cluster", true, Vec::new())
            }],
            ..Sequencing::default()
        };
        let (_, r) = rolled(
            &by_measure,
            &[
                (&plain, report(Some(true), Some(false), Some(0.9))),
                (&light, report(Some(true), Some(false), Some(0.3))),
            ],
        );
        assert_eq!(
            r.satisfied,
            Some(true),
            "the measure, not the children's status"
        );
    }

    #[test]
    fn rollup_rules_and_what_counts_decide() {
        // The golf post-test sample: content does not count, the quiz alone decides.
        let content = Sequencing {
            rollup: Rollup {
                objective_satisfied: false,
                progress_completion: false,
                measure_weight: 0.0,
                ..Rollup::default()
            },
            ..Sequencing::default()
        };
        let quiz = Sequencing::default();
        let plain = Sequencing::default();
        let (package, r) = rolled(&plain, &[(&content, Report::default()), (&quiz, passed())]);
        assert_eq!((r.completed, r.satisfied), (Some(true), Some(true)));
        assert_eq!(package.completed, Some(true));
        let (package, _) = rolled(&plain, &[(&content, passed()), (&quiz, Report::default())]);
        assert_eq!(package.completed, None);

        // Any child satisfied completes; none attempted is "not satisfied"; counts and shares.
        let rules = |rules: Vec<RollupRule>| Sequencing {
            rollup: Rollup {
                rules,
                ..Rollup::default()
            },
            ..Sequencing::default()
        };
        let any_satisfied = rules(vec![rule(
            ChildSet::Any,
            false,
            &[(false, Test::Satisfied)],
            RollupAction::Completed,
        )]);
        let failed = report(Some(true), Some(false), None);
        let (_, r) = rolled(
            &any_satisfied,
            &[(&plain, failed.clone()), (&plain, passed())],
        );
        assert_eq!(r.completed, Some(true));
        // No incomplete rule: the default (all progress known) gives "incomplete".
        let (_, r) = rolled(
            &any_satisfied,
            &[(&plain, failed.clone()), (&plain, failed.clone())],
        );
        assert_eq!(r.completed, Some(false));
        let none_attempted = rules(vec![rule(
            ChildSet::None,
            false,
            &[(false, Test::Attempted)],
            RollupAction::NotSatisfied,
        )]);
        let (_, r) = rolled(
            &none_attempted,
            &[(&plain, Report::default()), (&plain, Report::default())],
        );
        assert_eq!(r.satisfied, Some(false));
        let two_of_three = rules(vec![rule(
            ChildSet::AtLeastCount(2),
            true,
            &[
                (false, Test::Satisfied),
                (false, Test::AttemptLimitExceeded),
            ],
            RollupAction::Satisfied,
        )]);
        let three = |a: Report, b: Report, c: Report| {
            rolled(&two_of_three, &[(&plain, a), (&plain, b), (&plain, c)])
                .1
                .satisfied
        };
        assert_eq!(three(passed(), passed(), Report::default()), Some(true));
        assert_eq!(three(passed(), failed.clone(), Report::default()), None);
        let half = rules(vec![rule(
            ChildSet::AtLeastPercent(0.5),
            false,
            &[(true, Test::Satisfied)],
            RollupAction::NotSatisfied,
        )]);
        let (_, r) = rolled(&half, &[(&plain, failed.clone()), (&plain, passed())]);
        assert_eq!(r.satisfied, Some(false), "half of them not satisfied");
    }
}
