//! What happens as a learner leaves a SCO asking to go somewhere: the part of SN's termination
//! and sequencing request processes Lyceum follows. The SCO's attempt ends; exit rules on the
//! clusters around it (the outermost first) may end theirs too; then post-condition rules run
//! from there up: exit parent (the cluster's attempt ends and its rules run), exit all, retry
//! (a new attempt on the activity: its SCOs' attempts are set aside and it starts over, the
//! global objectives they wrote kept), retry all, continue, previous. What is left of the
//! request then moves by flow or choice from where the exits left the learner.
//! Pure: the caller keeps the new memory and sets aside the attempts a retry replaces.

use super::sequencing::{Activity, Learner, Memory, PostAction, Report, Sequencing, Tree};
use serde::{Deserialize, Serialize};

/// Where the player goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Move {
    /// Launch this SCO (again, when a retry starts it over).
    Deliver(String),
    /// The package is left (exit all): nothing plays until the learner opens it again.
    Exit,
    /// Nowhere to go: the learner stays.
    Stay,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub next: Move,
    /// SCOs whose current attempts a retry set aside (kept on record; they start afresh).
    pub set_aside: Vec<String>,
    /// What sequencing remembers after.
    pub memory: Memory,
}

/// The learner leaves `current` asking for `request` (`continue`, `previous`,
/// `{target=ID}choice`, `exit`, …).
pub fn request(
    activities: &[Activity],
    root: &Sequencing,
    learner: &Learner,
    current: &str,
    request: &str,
) -> Outcome {
    let mut memory = learner.memory.clone();
    let Some(leaf) = activities
        .iter()
        .position(|a| a.leaf && a.identifier == current)
    else {
        let open = Tree::new(activities, root, learner).availability();
        return finish(activities, memory, by_flow(&open, current, request));
    };
    let id = |i: usize| activities.get(i).map_or("", |a| a.identifier).to_string();
    // Exit rules: the outermost cluster whose rule fires ends, and everything in it.
    let tree = Tree::new(activities, root, learner);
    let around = tree.ancestors(leaf);
    let mut at = Some(leaf);
    if let Some(c) = around.iter().rev().copied().find(|c| {
        activities.get(*c).is_some_and(|a| {
            a.sequencing
                .exit_rules
                .iter()
                .any(|r| tree.fires(Some(*c), r))
        })
    }) {
        for ended in around.iter().take_while(|a| **a != c) {
            memory.ended.insert(id(*ended));
        }
        memory.ended.insert(id(c));
        at = Some(c);
    }
    let mut request = request.to_string();
    loop {
        let now = Learner {
            memory: memory.clone(),
            seed: learner.seed,
        };
        let tree = Tree::new(activities, root, &now);
        let rules = match at.and_then(|i| activities.get(i)) {
            Some(a) => &a.sequencing.post_rules,
            None => &root.post_rules,
        };
        match rules.iter().find(|r| tree.fires(at, r)).map(|r| r.action) {
            Some(PostAction::ExitParent) => {
                let Some(i) = at else { break };
                at = tree.parents.get(i).copied().flatten();
                if let Some(p) = at {
                    memory.ended.insert(id(p));
                }
            }
            Some(PostAction::ExitAll) => {
                memory.ended.extend(around.iter().map(|a| id(*a)));
                return finish(activities, memory, Move::Exit);
            }
            Some(PostAction::Retry) => return retry(activities, root, &tree, memory, at),
            Some(PostAction::RetryAll) => return retry(activities, root, &tree, memory, None),
            Some(PostAction::Continue) => {
                request = "continue".into();
                break;
            }
            Some(PostAction::Previous) => {
                request = "previous".into();
                break;
            }
            Some(PostAction::Exit) | None => break,
        }
    }
    let now = Learner {
        memory: memory.clone(),
        seed: learner.seed,
    };
    let tree = Tree::new(activities, root, &now);
    let open = tree.availability();
    let next = match at {
        Some(i) if i == leaf => by_flow(&open, current, &request),
        // The exits left the learner on a cluster (or the organization): Continue and
        // Previous go on from its first or last SCO, past the rest of it.
        _ if request == "continue" || request == "previous" => {
            let inside: Vec<String> = tree.subtree(at).into_iter().map(id).collect();
            let passes = |p: &&String| open.part(p).is_some_and(|s| s.skipped);
            let found = match (at, request.as_str()) {
                (Some(_), "continue") => open
                    .order
                    .iter()
                    .rposition(|p| inside.contains(p))
                    .and_then(|l| open.order.iter().skip(l + 1).find(|p| !passes(p))),
                (Some(_), _) if !open.forward_only => open
                    .order
                    .iter()
                    .position(|p| inside.contains(p))
                    .and_then(|f| open.order.iter().take(f).rev().find(|p| !passes(p))),
                _ => None,
            };
            match found {
                Some(p) if open.part(p).is_none_or(|s| !s.disabled) => Move::Deliver(p.clone()),
                _ => Move::Stay,
            }
        }
        _ => by_flow(&open, current, &request),
    };
    finish(activities, memory, next)
}

/// A request by flow or choice alone.
fn by_flow(open: &super::sequencing::Availability, current: &str, request: &str) -> Move {
    if super::session::leaves(request) {
        return Move::Exit;
    }
    open.navigate(current, request)
        .map_or(Move::Stay, Move::Deliver)
}

/// A new attempt on `at` (`None`: the whole package): the global objectives as they stand are
/// kept, its SCOs' attempts are set aside, its clusters open again with another retry counted
/// (a new draw where they select or shuffle on each attempt), and the first SCO it flows to
/// starts.
fn retry(
    activities: &[Activity],
    root: &Sequencing,
    tree: &Tree,
    mut memory: Memory,
    at: Option<usize>,
) -> Outcome {
    let inside = tree.subtree(at);
    memory.globals = tree.globals.clone();
    let key = at
        .and_then(|i| activities.get(i))
        .map_or("", |a| a.identifier);
    if at.and_then(|i| activities.get(i)).is_none_or(|a| !a.leaf) {
        *memory.retries.entry(key.to_string()).or_default() += 1;
    }
    let mut set_aside = Vec::new();
    let fresh: Vec<Activity> = activities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut a = a.clone();
            if inside.contains(&i) {
                memory.ended.remove(a.identifier);
                if a.leaf && a.report.attempts > 0 {
                    set_aside.push(a.identifier.to_string());
                }
                a.report = Report::default();
            }
            a
        })
        .collect();
    let now = Learner {
        memory: memory.clone(),
        seed: tree.learner.seed,
    };
    let after = Tree::new(&fresh, root, &now);
    let open = after.availability();
    let ids: Vec<&str> = inside
        .iter()
        .filter_map(|i| activities.get(*i))
        .map(|a| a.identifier)
        .collect();
    let start = open.order.iter().position(|p| ids.contains(&p.as_str()));
    let first = start.and_then(|s| {
        open.order
            .iter()
            .skip(s)
            .find(|p| open.part(p).is_none_or(|s| !s.skipped))
    });
    let next = match first {
        Some(p) if open.part(p).is_none_or(|s| !s.disabled) => Move::Deliver(p.clone()),
        _ => Move::Stay,
    };
    Outcome {
        set_aside,
        ..finish(activities, memory, next)
    }
}

/// The outcome, with the clusters around a SCO delivered open again (it is entered anew).
fn finish(activities: &[Activity], mut memory: Memory, next: Move) -> Outcome {
    if let Move::Deliver(target) = &next {
        reopen(activities, &mut memory, target);
    }
    Outcome {
        next,
        set_aside: Vec::new(),
        memory,
    }
}

/// The learner enters `target`: the clusters around it are open again. Whether anything
/// changed (the caller keeps the memory only then).
pub fn reopen(activities: &[Activity], memory: &mut Memory, target: &str) -> bool {
    let Some(at) = activities.iter().position(|a| a.identifier == target) else {
        return false;
    };
    let depth = activities.get(at).map_or(0, |a| a.depth);
    let mut changed = false;
    let mut need = depth;
    for a in activities.iter().take(at).rev() {
        if a.depth < need {
            changed |= memory.ended.remove(a.identifier);
            need = a.depth;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorm::sequencing::{ChildSet, Condition, RollupAction, RollupRule, Rule, Test};

    fn when(test: Test, not: bool) -> Vec<Condition> {
        vec![Condition {
            objective: None,
            not,
            test,
            threshold: 0.0,
        }]
    }

    fn passed() -> Report {
        Report {
            attempts: 1,
            completed: Some(true),
            satisfied: Some(true),
            ..Report::default()
        }
    }

    /// A module (a, b) whose exit rule leaves it once it is satisfied (one lesson passed is
    /// enough), then a quiz (c) that starts over while it is failed.
    #[test]
    fn an_exit_rule_leaves_the_cluster_and_a_post_rule_retries_a_part() {
        let module = Sequencing {
            flow: true,
            exit_rules: vec![Rule {
                any: false,
                conditions: when(Test::Satisfied, false),
                action: PostAction::Exit,
            }],
            rollup: crate::scorm::sequencing::Rollup {
                rules: vec![RollupRule {
                    children: ChildSet::Any,
                    any: false,
                    conditions: when(Test::Satisfied, false),
                    action: RollupAction::Satisfied,
                }],
                ..Default::default()
            },
            ..Sequencing::default()
        };
        let plain = Sequencing::default();
        let quiz = Sequencing {
            post_rules: vec![Rule {
                any: false,
                conditions: when(Test::Satisfied, true),
                action: PostAction::Retry,
            }],
            ..Sequencing::default()
        };
        let root = Sequencing {
            flow: true,
            ..Sequencing::default()
        };
        let tree = |a: Report, c: Report| {
            vec![
                Activity {
                    identifier: "module",
                    depth: 0,
                    leaf: false,
                    sequencing: &module,
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
                    report: Report::default(),
                },
                Activity {
                    identifier: "c",
                    depth: 0,
                    leaf: true,
                    sequencing: &quiz,
                    report: c,
                },
            ]
        };
        let learner = Learner::default();
        let unfinished = Report {
            attempts: 1,
            completed: Some(true),
            ..Report::default()
        };
        let go = |a: Report, c: Report, from: &str| {
            request(&tree(a, c), &root, &learner, from, "continue")
        };
        // Not satisfied: the module goes on to b.
        let on = go(unfinished, Report::default(), "a");
        assert_eq!(on.next, Move::Deliver("b".into()));
        assert!(on.memory.ended.is_empty());
        // Satisfied: the module's attempt ends and Continue goes on past it.
        let past = go(passed(), Report::default(), "a");
        assert_eq!(past.next, Move::Deliver("c".into()));
        assert!(past.memory.ended.contains("module"));
        let from_b = request(
            &tree(passed(), Report::default()),
            &root,
            &learner,
            "b",
            "previous",
        );
        assert_eq!(from_b.next, Move::Stay, "nothing before the module");
        assert!(from_b.memory.ended.contains("module"));
        // A failed quiz starts over: its attempt is set aside, the module's kept.
        let failed = Report {
            satisfied: Some(false),
            ..passed()
        };
        let retried = go(passed(), failed, "c");
        assert_eq!(retried.next, Move::Deliver("c".into()));
        assert_eq!(retried.set_aside, vec!["c".to_string()]);
        assert_eq!(go(passed(), passed(), "c").next, Move::Stay, "the end");
    }
}
