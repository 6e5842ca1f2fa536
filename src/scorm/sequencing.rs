//! SCORM 2004 sequencing, the part Lyceum follows: control modes (choice, flow, forward only),
//! pre-condition rules (skip, disabled, hidden from choice) over the activity's own progress
//! and its objectives, attempt limits (a cluster's counted by its retries), objectives shared
//! through global objectives (read and write of satisfaction and measure), selection and
//! randomisation of a cluster's children, and rollup (SN 4.6): the measure as the weighted
//! mean of the children's (`objectiveMeasureWeight`), satisfaction by that measure when the
//! primary objective says so, otherwise by the activity's rollup rules (`childActivitySet`
//! all, any, none, at least a count or a percent), with SN's default rule for each action the
//! activity has none of; children left out of satisfaction or completion by
//! `rollupObjectiveSatisfied`, `rollupProgressCompletion` and their rollup considerations
//! (`requiredFor…`: always, if attempted, if not skipped). The organization rolls up too: its
//! status is the package's. What happens as an attempt ends (exit and post-condition rules)
//! is `navigation.rs`.
//! Pure: the manifest gives the rules (`sequencing_xml.rs`), what a learner's SCOs reported
//! and what sequencing remembers for them (`Learner`) give the state, and the result says
//! which parts the learner may open, in what order the player moves between them and where
//! the whole package stands. Not followed: time limits (their conditions count as unknown),
//! suspension as a rollup consideration (a child counts as not suspended).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    /// Checked as an attempt on the activity ends (`postConditionRule`).
    #[serde(default)]
    pub post_rules: Vec<Rule<PostAction>>,
    /// Checked on a cluster as an attempt inside it ends (`exitConditionRule`: exit).
    #[serde(default)]
    pub exit_rules: Vec<Rule<PostAction>>,
    /// The primary objective first, when the manifest names one.
    pub objectives: Vec<Objective>,
    #[serde(default)]
    pub rollup: Rollup,
    #[serde(default)]
    pub randomization: Randomization,
}

impl Default for Sequencing {
    fn default() -> Self {
        Sequencing {
            choice: true,
            flow: false,
            forward_only: false,
            attempt_limit: None,
            pre_rules: Vec::new(),
            post_rules: Vec::new(),
            exit_rules: Vec::new(),
            objectives: Vec::new(),
            rollup: Rollup::default(),
            randomization: Randomization::default(),
        }
    }
}

/// When a cluster's children are picked or shuffled (`selectionTiming`, `randomizationTiming`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Timing {
    #[default]
    Never,
    /// Once for the learner.
    Once,
    /// Again for every new attempt on the cluster.
    OnEachNewAttempt,
}

/// `imsss:randomizationControls`: how many of a cluster's children an attempt takes and
/// whether their order is shuffled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Randomization {
    pub reorder: Timing,
    /// `selectCount`, with `selectionTiming`.
    pub select: Option<(u32, Timing)>,
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
    /// When it counts for each of its parent's rollup actions (`adlseq:rollupConsiderations`).
    #[serde(default)]
    pub considerations: Considerations,
}

impl Default for Rollup {
    fn default() -> Self {
        Rollup {
            objective_satisfied: true,
            progress_completion: true,
            measure_weight: 1.0,
            rules: Vec::new(),
            considerations: Considerations::default(),
        }
    }
}

/// `requiredForSatisfied`, `requiredForNotSatisfied`, `requiredForCompleted`,
/// `requiredForIncomplete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Considerations {
    pub satisfied: Required,
    pub not_satisfied: Required,
    pub completed: Required,
    pub incomplete: Required,
}

impl Considerations {
    fn of(&self, action: RollupAction) -> Required {
        match action {
            RollupAction::Satisfied => self.satisfied,
            RollupAction::NotSatisfied => self.not_satisfied,
            RollupAction::Completed => self.completed,
            RollupAction::Incomplete => self.incomplete,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Required {
    #[default]
    Always,
    IfAttempted,
    IfNotSkipped,
    /// Suspension is not tracked per child: counts as `Always`.
    IfNotSuspended,
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

/// A sequencing rule: pre-condition (`Action`), or exit and post-condition (`PostAction`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule<A = Action> {
    /// `conditionCombination="any"` (else all must hold).
    pub any: bool,
    pub conditions: Vec<Condition>,
    pub action: A,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Skip,
    Disabled,
    HiddenFromChoice,
    StopForwardTraversal,
}

/// What an exit or post-condition rule does as an attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostAction {
    /// The exit rule's only action: the cluster's attempt ends with the one inside it.
    Exit,
    ExitParent,
    ExitAll,
    /// A new attempt on the activity.
    Retry,
    /// A new attempt on the whole package.
    RetryAll,
    Continue,
    Previous,
}

impl PostAction {
    pub fn parse(text: &str) -> Option<PostAction> {
        Some(match text {
            "exit" => PostAction::Exit,
            "exitParent" => PostAction::ExitParent,
            "exitAll" => PostAction::ExitAll,
            "retry" => PostAction::Retry,
            "retryAll" => PostAction::RetryAll,
            "continue" => PostAction::Continue,
            "previous" => PostAction::Previous,
            _ => return None,
        })
    }
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

/// What sequencing keeps for a learner beyond their SCOs' current attempts (kept per learner
/// and package by `sequencing_store.rs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// New attempts begun on a cluster (or the whole package, "") by a retry rule.
    #[serde(default)]
    pub retries: BTreeMap<String, u32>,
    /// Clusters whose attempt an exit ended; entering one again or retrying it reopens it.
    #[serde(default)]
    pub ended: BTreeSet<String>,
    /// The global objectives as they stood when a retry set aside the attempts that wrote them.
    #[serde(default)]
    pub globals: BTreeMap<String, Status>,
}

/// One learner's side of the evaluation: what sequencing remembers for them, and the seed
/// their random selections and orders are drawn from (the same draw on every evaluation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learner {
    pub memory: Memory,
    pub seed: u64,
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
    /// Left out of the table of contents (`hiddenFromChoice`, or not selected this attempt).
    pub hidden: bool,
    /// Cannot be opened, by choice or by flow (`disabled`, or its attempt limit reached).
    pub disabled: bool,
    /// Passed over when flowing (`skip`).
    pub skipped: bool,
    /// Its parent lets the learner choose it from the table of contents.
    pub choosable: bool,
    /// Rules run as it ends (its own or a cluster's around it): where Continue and Previous
    /// lead is for the server to say.
    #[serde(default)]
    pub ruled: bool,
}

/// Which parts the learner may open, and how the player moves between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    /// The organization lets the player move with Continue and Previous.
    pub flow: bool,
    pub forward_only: bool,
    /// Every item of the table of contents, in order.
    pub parts: Vec<PartState>,
    /// The launchable parts in the order the player moves between them (selected and
    /// shuffled for the learner where the package says so).
    #[serde(default)]
    pub order: Vec<String>,
    /// The whole package as the organization rolls it up (unknown for staff).
    #[serde(default)]
    pub completed: Option<bool>,
    #[serde(default)]
    pub satisfied: Option<bool>,
}

impl Availability {
    /// Everything open, as for a package without sequencing or for staff: `items` are every
    /// item's identifier with whether it can be launched.
    pub fn open(items: impl Iterator<Item = (String, bool)>, root: &Sequencing) -> Availability {
        let mut parts = Vec::new();
        let mut order = Vec::new();
        for (identifier, launchable) in items {
            if launchable {
                order.push(identifier.clone());
            }
            parts.push(PartState {
                identifier,
                hidden: false,
                disabled: false,
                skipped: false,
                choosable: root.choice,
                ruled: false,
            });
        }
        Availability {
            flow: root.flow,
            forward_only: root.forward_only,
            parts,
            order,
            completed: None,
            satisfied: None,
        }
    }

    pub fn part(&self, identifier: &str) -> Option<&PartState> {
        self.parts.iter().find(|p| p.identifier == identifier)
    }

    /// Where a navigation request leads from `current` by flow or choice alone: `continue`
    /// and `previous` pass over skipped parts and stop at a disabled one; a choice needs a
    /// part that is choosable, shown and not disabled. `None`: stay.
    pub fn navigate(&self, current: &str, request: &str) -> Option<String> {
        let order = &self.order;
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
pub type Status = (Option<bool>, Option<f64>);

/// The learner's state of every activity and the parts they may open. `activities` are in the
/// table of contents' order; `root` is the organization's definition.
pub fn evaluate(activities: &[Activity], root: &Sequencing, learner: &Learner) -> Availability {
    Tree::new(activities, root, learner).availability()
}

/// The activity tree with a learner's state worked out: what `evaluate` answers from, and
/// what `navigation.rs` runs rules on.
pub struct Tree<'t, 'a> {
    pub activities: &'t [Activity<'a>],
    pub root: &'t Sequencing,
    pub learner: &'t Learner,
    /// Each activity's parent (`None`: the organization).
    pub parents: Vec<Option<usize>>,
    /// Each activity's progress: a SCO's as reported, a cluster's rolled up.
    pub progress: Vec<Report>,
    /// The organization's.
    pub package: Report,
    pub globals: BTreeMap<String, Status>,
    /// Every activity in the learner's order (children selected and shuffled), depth first.
    pub arranged: Vec<usize>,
}

impl<'t, 'a> Tree<'t, 'a> {
    pub fn new(
        activities: &'t [Activity<'a>],
        root: &'t Sequencing,
        learner: &'t Learner,
    ) -> Tree<'t, 'a> {
        let parents = parents(activities);
        let (progress, package, globals) = rollup(activities, &parents, root, learner);
        let mut tree = Tree {
            activities,
            root,
            learner,
            parents,
            progress,
            package,
            globals,
            arranged: Vec::new(),
        };
        tree.arranged = tree.arrange(None);
        tree
    }

    /// The children of `parent` (`None`: the top level), in manifest order.
    pub fn children(&self, parent: Option<usize>) -> Vec<usize> {
        self.parents
            .iter()
            .enumerate()
            .filter(|(_, p)| **p == parent)
            .map(|(c, _)| c)
            .collect()
    }

    /// `parent`'s subtree in the learner's order: the children its current attempt selected,
    /// shuffled when it says so, each followed by its own.
    fn arrange(&self, parent: Option<usize>) -> Vec<usize> {
        let (id, randomization) = match parent.and_then(|p| self.activities.get(p)) {
            Some(a) => (a.identifier, a.sequencing.randomization),
            None => ("", self.root.randomization),
        };
        let attempt = self.learner.memory.retries.get(id).copied().unwrap_or(0);
        let draw = |timing: Timing, what: u64| match timing {
            Timing::Never => None,
            Timing::Once => Some(what),
            Timing::OnEachNewAttempt => Some(what ^ (u64::from(attempt) << 32)),
        };
        let base = self.learner.seed ^ fnv(id);
        let key = |salt: u64, c: &usize| {
            let child = self.activities.get(*c).map_or("", |a| a.identifier);
            mix(salt ^ fnv(child))
        };
        let mut children = self.children(parent);
        if let Some((count, timing)) = randomization.select
            && let Some(salt) = draw(timing, base ^ 1)
            && (count as usize) < children.len()
        {
            let mut picked = children.clone();
            picked.sort_by_key(|c| key(salt, c));
            picked.truncate(count as usize);
            children.retain(|c| picked.contains(c));
        }
        if let Some(salt) = draw(randomization.reorder, base ^ 2) {
            children.sort_by_key(|c| key(salt, c));
        }
        children
            .into_iter()
            .flat_map(|c| std::iter::once(c).chain(self.arrange(Some(c))))
            .collect()
    }

    /// The activities of `i`'s subtree, itself included (`None`: every activity).
    pub fn subtree(&self, i: Option<usize>) -> Vec<usize> {
        (0..self.activities.len())
            .filter(|c| i.is_none_or(|i| *c == i || self.ancestors(*c).contains(&i)))
            .collect()
    }

    /// `i`'s clusters, nearest first.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.parents.get(i).copied().flatten();
        while let Some(p) = at {
            out.push(p);
            at = self.parents.get(p).copied().flatten();
        }
        out
    }

    /// The activity `i` as a rule reads it (`None`: the organization).
    fn node(&self, i: Option<usize>) -> Option<(Activity<'t>, &Report)> {
        match i {
            Some(i) => Some((self.activities.get(i)?.clone(), self.progress.get(i)?)),
            None => Some((
                Activity {
                    identifier: "",
                    depth: 0,
                    leaf: false,
                    sequencing: self.root,
                    report: Report::default(),
                },
                &self.package,
            )),
        }
    }

    /// Whether `rule` holds for activity `i` (`None`: the organization) as things stand.
    pub fn fires<A>(&self, i: Option<usize>, rule: &Rule<A>) -> bool {
        self.node(i).is_some_and(|(a, own)| {
            fires(rule, |c| {
                test(&a, own, c, &self.globals, &self.learner.memory)
            })
        })
    }

    pub fn availability(&self) -> Availability {
        let memory = &self.learner.memory;
        let arranged: BTreeSet<usize> = self.arranged.iter().copied().collect();
        let mut parts: Vec<PartState> = Vec::with_capacity(self.activities.len());
        for (i, (a, own)) in self.activities.iter().zip(&self.progress).enumerate() {
            let on = |action: Action| pre_fires(a, own, action, &self.globals, memory);
            let parent = self.parents.get(i).copied().flatten();
            let cluster = parent.and_then(|p| self.activities.get(p));
            let mut state = PartState {
                identifier: a.identifier.to_string(),
                // Not selected for this attempt of its cluster: as if absent.
                hidden: on(Action::HiddenFromChoice) || !arranged.contains(&i),
                disabled: on(Action::Disabled)
                    || limit_reached(a, own, memory)
                    || !arranged.contains(&i),
                skipped: on(Action::Skip),
                choosable: cluster.map_or(self.root.choice, |p| p.sequencing.choice),
                ruled: !a.sequencing.post_rules.is_empty()
                    || !self.root.post_rules.is_empty()
                    || cluster.is_some_and(|p| {
                        !p.sequencing.post_rules.is_empty() || !p.sequencing.exit_rules.is_empty()
                    }),
            };
            // What holds for a cluster holds for everything in it.
            if let Some(p) = parent.and_then(|p| parts.get(p)) {
                state.hidden |= p.hidden;
                state.disabled |= p.disabled;
                state.skipped |= p.skipped;
                state.ruled |= p.ruled;
            }
            parts.push(state);
        }
        Availability {
            flow: self.root.flow,
            forward_only: self.root.forward_only,
            order: self
                .arranged
                .iter()
                .filter_map(|i| self.activities.get(*i))
                .filter(|a| a.leaf)
                .map(|a| a.identifier.to_string())
                .collect(),
            parts,
            completed: self.package.completed,
            satisfied: self.package.satisfied,
        }
    }
}

/// FNV-1a: a hash that stays the same across Rust releases (orders drawn from it must).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// SplitMix64's finaliser: spreads a key over all bits, so that sorting by it shuffles.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Whether a rule's conditions hold, `holds` telling each (`None`: unknown, which never fires).
fn fires<A>(rule: &Rule<A>, holds: impl Fn(&Condition) -> Option<bool>) -> bool {
    let value = |c: &Condition| {
        let v = holds(c);
        if c.not { v.map(|v| !v) } else { v }
    };
    if rule.any {
        rule.conditions.iter().any(|c| value(c) == Some(true))
    } else {
        !rule.conditions.is_empty() && rule.conditions.iter().all(|c| value(c) == Some(true))
    }
}

/// Whether one of the activity's pre-condition rules with `action` fires.
fn pre_fires(
    a: &Activity,
    own: &Report,
    action: Action,
    globals: &BTreeMap<String, Status>,
    memory: &Memory,
) -> bool {
    a.sequencing
        .pre_rules
        .iter()
        .filter(|r| r.action == action)
        .any(|r| fires(r, |c| test(a, own, c, globals, memory)))
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
fn write_globals(a: &Activity, own: &Report, globals: &mut BTreeMap<String, Status>) {
    for objective in &a.sequencing.objectives {
        let (satisfied, measure) = local(own, objective);
        for map in &objective.maps {
            let global = globals.entry(map.target.clone()).or_default();
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
/// children), the organization's, and the global objectives as they stand after (those kept
/// from set-aside attempts first). Deepest first, so that a cluster's children are rolled up
/// before it; each writes its objectives to the globals once it is, and a parent reads its
/// children through their maps.
fn rollup(
    activities: &[Activity],
    parents: &[Option<usize>],
    root: &Sequencing,
    learner: &Learner,
) -> (Vec<Report>, Report, BTreeMap<String, Status>) {
    let memory = &learner.memory;
    let mut out: Vec<Report> = activities.iter().map(|a| a.report.clone()).collect();
    let mut globals = memory.globals.clone();
    for (a, own) in activities.iter().zip(&out) {
        if a.leaf {
            write_globals(a, own, &mut globals);
        }
    }
    let mut order: Vec<usize> = (0..activities.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(activities.get(*i).map_or(0, |a| a.depth)));
    let children_of =
        |parent: Option<usize>, out: &[Report], globals: &BTreeMap<String, Status>| {
            parents
                .iter()
                .enumerate()
                .filter(|(_, p)| **p == parent)
                .filter_map(|(c, _)| Some(child(activities.get(c)?, out.get(c)?, globals, memory)))
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
        let mut rolled = roll(a.sequencing, &children);
        if let Some(retries) = memory.retries.get(a.identifier).filter(|r| **r > 0) {
            rolled.attempts = 1 + retries;
        }
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
    skipped: bool,
}

impl Child {
    /// Whether it counts for its parent's `action` (its rollup considerations).
    fn counts(&self, action: RollupAction) -> bool {
        match self.rollup.considerations.of(action) {
            Required::Always | Required::IfNotSuspended => true,
            Required::IfAttempted => self.report.attempts > 0,
            Required::IfNotSkipped => !self.skipped,
        }
    }
}

fn child(a: &Activity, own: &Report, globals: &BTreeMap<String, Status>, memory: &Memory) -> Child {
    let (satisfied, measure) = read(a, own, None, globals);
    Child {
        report: Report {
            satisfied,
            measure,
            objectives: BTreeMap::new(),
            ..own.clone()
        },
        rollup: a.sequencing.rollup.clone(),
        limit_exceeded: limit_reached(a, own, memory),
        skipped: pre_fires(a, own, Action::Skip, globals, memory),
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
/// Each action reads the children its considerations count.
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
        let counted: Vec<&Child> = children
            .iter()
            .copied()
            .filter(|c| c.counts(action))
            .collect();
        let own: Vec<&RollupRule> = rules.iter().filter(|r| r.action == action).collect();
        if own.is_empty() {
            applies(&default_rule(action, default), &counted)
        } else {
            own.iter().any(|r| applies(r, &counted))
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
fn read(
    a: &Activity,
    own: &Report,
    id: Option<&str>,
    globals: &BTreeMap<String, Status>,
) -> Status {
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

/// A SCO's limit is reached once its last allowed attempt is completed; a cluster's once its
/// last allowed attempt has ended (an exit left it).
fn limit_reached(a: &Activity, own: &Report, memory: &Memory) -> bool {
    let ended = if a.leaf {
        own.completed == Some(true)
    } else {
        memory.ended.contains(a.identifier)
    };
    a.sequencing
        .attempt_limit
        .is_some_and(|limit| limit > 0 && own.attempts >= limit && ended)
}

/// One condition, `None` when unknown.
fn test(
    a: &Activity,
    own: &Report,
    c: &Condition,
    globals: &BTreeMap<String, Status>,
    memory: &Memory,
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
        Test::AttemptLimitExceeded => Some(limit_reached(a, own, memory)),
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
        let fresh = evaluate(&activities(Default::default()), &root, &Learner::default());
        assert_eq!(disabled(&fresh), vec![false, true, true]);
        let failed = Report {
            satisfied: Some(false),
            ..passed()
        };
        let after_fail = evaluate(
            &activities([failed, Report::default(), Report::default()]),
            &root,
            &Learner::default(),
        );
        assert_eq!(disabled(&after_fail), vec![false, true, true]);
        let after_pass = evaluate(
            &activities([passed(), Report::default(), Report::default()]),
            &root,
            &Learner::default(),
        );
        assert_eq!(disabled(&after_pass), vec![false, false, true]);

        // Continue stops at a disabled part; a choice of it is refused.
        assert_eq!(fresh.navigate("playing", "continue"), None);
        assert_eq!(
            after_pass.navigate("playing", "continue").as_deref(),
            Some("etiquette")
        );
        assert_eq!(
            after_pass.navigate("playing", "{target=handicapping}choice"),
            None
        );
        assert_eq!(
            after_pass.navigate("etiquette", "previous").as_deref(),
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
        let fresh = evaluate(
            &tree(Report::default(), Report::default()),
            &root,
            &Learner::default(),
        );
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
        let half = evaluate(
            &tree(passed(), Report::default()),
            &root,
            &Learner::default(),
        );
        assert_eq!(
            half.part("test").map(|p| p.disabled),
            Some(true),
            "one lesson of two"
        );
        let done = evaluate(&tree(passed(), passed()), &root, &Learner::default());
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
        let state = evaluate(&activities, &root, &Learner::default());
        assert_eq!(state.part("pre").map(|p| p.disabled), Some(true));
        assert_eq!(state.navigate("main", "previous"), None);
        let both = ["pre", "main"].map(|o| (o.to_string(), true));
        assert_eq!(
            Availability::open(both.into_iter(), &root).navigate("pre", "continue"),
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
        let (out, _, _) = rollup(
            &activities,
            &parents,
            &Sequencing::default(),
            &Learner::default(),
        );
        (
            evaluate(&activities, &Sequencing::default(), &Learner::default()),
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
