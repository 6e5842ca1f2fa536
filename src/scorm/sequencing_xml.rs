//! Reading SCORM 2004 sequencing from the manifest: an item's (or the organization's)
//! `imsss:sequencing`, on top of the `imsss:sequencingCollection` entry it names with `IDRef`
//! (the item's own elements win). What `sequencing.rs` does not follow is not read.

use super::sequencing::{
    Action, ChildSet, Condition, Considerations, MapInfo, Objective, PostAction, Randomization,
    Required, RollupAction, RollupRule, Rule, Sequencing, Test, Timing,
};
use roxmltree::Node;
use std::collections::HashMap;

fn elements<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn element<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    elements(node, name).next()
}

fn attribute<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name)
        .map(|a| a.value().trim())
}

fn flag(node: Node, name: &str, default: bool) -> bool {
    attribute(node, name).map_or(default, |v| v == "true" || v == "1")
}

fn number(text: Option<&str>) -> Option<f64> {
    text.and_then(|t| t.trim().parse().ok())
}

/// The sequencing collection's definitions by their `ID`.
pub fn collection<'a, 'i>(manifest: Node<'a, 'i>) -> HashMap<String, Node<'a, 'i>> {
    elements(manifest, "sequencingCollection")
        .flat_map(|c| elements(c, "sequencing"))
        .filter_map(|s| Some((attribute(s, "ID")?.to_string(), s)))
        .collect()
}

/// The definition of `owner` (an `item` or the `organization`); the default (choice, no flow,
/// no rules) when it has none.
pub fn of(owner: Node, collection: &HashMap<String, Node>) -> Sequencing {
    let mut out = Sequencing::default();
    let Some(own) = element(owner, "sequencing") else {
        return out;
    };
    if let Some(shared) = attribute(own, "IDRef").and_then(|id| collection.get(id)) {
        apply(&mut out, *shared);
    }
    apply(&mut out, own);
    out
}

fn apply(out: &mut Sequencing, node: Node) {
    if let Some(mode) = element(node, "controlMode") {
        out.choice = flag(mode, "choice", out.choice);
        out.flow = flag(mode, "flow", out.flow);
        out.forward_only = flag(mode, "forwardOnly", out.forward_only);
    }
    if let Some(limit) = element(node, "limitConditions")
        && let Some(n) = attribute(limit, "attemptLimit").and_then(|v| v.parse().ok())
    {
        out.attempt_limit = Some(n).filter(|n| *n > 0);
    }
    if let Some(rules) = element(node, "sequencingRules") {
        out.pre_rules = elements(rules, "preConditionRule")
            .filter_map(|r| rule(r, pre_action))
            .collect();
        out.post_rules = elements(rules, "postConditionRule")
            .filter_map(|r| rule(r, PostAction::parse))
            .filter(|r| r.action != PostAction::Exit)
            .collect();
        out.exit_rules = elements(rules, "exitConditionRule")
            .filter_map(|r| rule(r, PostAction::parse))
            .filter(|r| r.action == PostAction::Exit)
            .collect();
    }
    if let Some(controls) = element(node, "randomizationControls") {
        let timing = |name: &str| match attribute(controls, name) {
            Some("once") => Timing::Once,
            Some("onEachNewAttempt") => Timing::OnEachNewAttempt,
            _ => Timing::Never,
        };
        out.randomization = Randomization {
            reorder: if flag(controls, "reorderChildren", false) {
                timing("randomizationTiming")
            } else {
                Timing::Never
            },
            select: attribute(controls, "selectCount")
                .and_then(|n| n.parse().ok())
                .map(|n| (n, timing("selectionTiming"))),
        };
    }
    if let Some(considered) = element(node, "rollupConsiderations") {
        let required = |name: &str, default: Required| match attribute(considered, name) {
            Some("always") => Required::Always,
            Some("ifAttempted") => Required::IfAttempted,
            Some("ifNotSkipped") => Required::IfNotSkipped,
            Some("ifNotSuspended") => Required::IfNotSuspended,
            _ => default,
        };
        let c = out.rollup.considerations;
        out.rollup.considerations = Considerations {
            satisfied: required("requiredForSatisfied", c.satisfied),
            not_satisfied: required("requiredForNotSatisfied", c.not_satisfied),
            completed: required("requiredForCompleted", c.completed),
            incomplete: required("requiredForIncomplete", c.incomplete),
        };
    }
    if let Some(rollup) = element(node, "rollupRules") {
        let r = &mut out.rollup;
        r.objective_satisfied = flag(rollup, "rollupObjectiveSatisfied", r.objective_satisfied);
        r.progress_completion = flag(rollup, "rollupProgressCompletion", r.progress_completion);
        if let Some(weight) = number(attribute(rollup, "objectiveMeasureWeight")) {
            r.measure_weight = weight.clamp(0.0, 1.0);
        }
        let rules: Vec<RollupRule> = elements(rollup, "rollupRule")
            .filter_map(rollup_rule)
            .collect();
        if !rules.is_empty() {
            r.rules = rules;
        }
    }
    if let Some(objectives) = element(node, "objectives") {
        out.objectives = elements(objectives, "primaryObjective")
            .map(|o| objective(o, true))
            .chain(elements(objectives, "objective").map(|o| objective(o, false)))
            .collect();
    }
}

fn pre_action(text: &str) -> Option<Action> {
    Some(match text {
        "skip" => Action::Skip,
        "disabled" => Action::Disabled,
        "hiddenFromChoice" => Action::HiddenFromChoice,
        "stopForwardTraversal" => Action::StopForwardTraversal,
        _ => return None,
    })
}

/// A sequencing rule whose action `action` reads (`None`: one Lyceum does not follow).
fn rule<A>(node: Node, action: impl Fn(&str) -> Option<A>) -> Option<Rule<A>> {
    let action = action(attribute(element(node, "ruleAction")?, "action")?)?;
    let conditions = element(node, "ruleConditions")?;
    Some(Rule {
        any: attribute(conditions, "conditionCombination") == Some("any"),
        conditions: elements(conditions, "ruleCondition")
            .map(|c| Condition {
                objective: attribute(c, "referencedObjective")
                    .filter(|o| !o.is_empty())
                    .map(str::to_string),
                not: attribute(c, "operator") == Some("not"),
                test: Test::parse(attribute(c, "condition").unwrap_or("")),
                threshold: number(attribute(c, "measureThreshold")).unwrap_or(0.0),
            })
            .collect(),
        action,
    })
}

fn rollup_rule(node: Node) -> Option<RollupRule> {
    let action = match attribute(element(node, "rollupAction")?, "action")? {
        "satisfied" => RollupAction::Satisfied,
        "notSatisfied" => RollupAction::NotSatisfied,
        "completed" => RollupAction::Completed,
        "incomplete" => RollupAction::Incomplete,
        _ => return None,
    };
    let children = match attribute(node, "childActivitySet").unwrap_or("all") {
        "any" => ChildSet::Any,
        "none" => ChildSet::None,
        "atLeastCount" => ChildSet::AtLeastCount(
            attribute(node, "minimumCount")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        ),
        "atLeastPercent" => ChildSet::AtLeastPercent(
            number(attribute(node, "minimumPercent"))
                .unwrap_or(0.0)
                .clamp(0.0, 1.0),
        ),
        _ => ChildSet::All,
    };
    let conditions = element(node, "rollupConditions")?;
    Some(RollupRule {
        children,
        any: attribute(conditions, "conditionCombination") == Some("any"),
        conditions: elements(conditions, "rollupCondition")
            .map(|c| Condition {
                objective: None,
                not: attribute(c, "operator") == Some("not"),
                test: Test::parse(attribute(c, "condition").unwrap_or("")),
                threshold: 0.0,
            })
            .collect(),
        action,
    })
}

fn objective(node: Node, primary: bool) -> Objective {
    Objective {
        id: attribute(node, "objectiveID").unwrap_or("").to_string(),
        primary,
        satisfied_by_measure: flag(node, "satisfiedByMeasure", false),
        min_measure: number(element(node, "minNormalizedMeasure").and_then(|m| m.text()))
            .unwrap_or(1.0),
        maps: elements(node, "mapInfo")
            .filter_map(|m| {
                Some(MapInfo {
                    target: attribute(m, "targetObjectiveID")?.to_string(),
                    read_satisfied: flag(m, "readSatisfiedStatus", true),
                    read_measure: flag(m, "readNormalizedMeasure", true),
                    write_satisfied: flag(m, "writeSatisfiedStatus", false),
                    write_measure: flag(m, "writeNormalizedMeasure", false),
                })
            })
            .collect(),
    }
}
