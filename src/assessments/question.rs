//! Questions and how each type is marked. Pure data and rules (compiles for the browser too): the
//! bank stores a `Question` as JSON, an attempt keeps a copy, and `Question::mark` grades a
//! `Response` the same way everywhere.

use crate::input::parse_number;
use serde::{Deserialize, Serialize};

/// How a piece of question text is written. GIFT's `[moodle]` is Moodle's auto-format (HTML
/// allowed, line breaks kept); every format is sanitised before it reaches a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextFormat {
    #[default]
    Moodle,
    Html,
    Markdown,
    Plain,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RichText {
    pub format: TextFormat,
    pub text: String,
}

impl RichText {
    pub fn new(format: TextFormat, text: impl Into<String>) -> RichText {
        RichText {
            format,
            text: text.into(),
        }
    }
    pub fn plain(text: impl Into<String>) -> RichText {
        RichText::new(TextFormat::Plain, text)
    }
}

/// One question as the bank keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Short name shown in the bank (GIFT's `::title::`; the start of the stem when absent).
    pub name: String,
    pub stem: RichText,
    pub general_feedback: Option<RichText>,
    pub body: QuestionBody,
    /// Points for this question when a quiz does not say otherwise.
    pub default_mark: f64,
    pub tags: Vec<String>,
    /// An identifier from the source system (GIFT `[id:...]`), kept for round trips.
    pub id_number: Option<String>,
}

/// The type-specific part of a question. Fractions are shares of the mark, from -1.0 to 1.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionBody {
    /// Exactly one answer is picked; its fraction is the score (negative scores count as 0).
    SingleChoice {
        choices: Vec<Choice>,
    },
    /// Any number are picked; the score is the sum of the picked fractions, between 0 and 1.
    MultipleResponse {
        choices: Vec<Choice>,
    },
    TrueFalse {
        correct: bool,
        true_feedback: Option<RichText>,
        false_feedback: Option<RichText>,
    },
    /// The first accepted answer that matches (in order) gives its fraction.
    ShortAnswer {
        answers: Vec<TextAnswer>,
        case_sensitive: bool,
    },
    Numeric {
        answers: Vec<NumericAnswer>,
    },
    /// Each prompt is matched with one answer; extra distractor answers may be offered.
    Matching {
        pairs: Vec<MatchPair>,
        distractors: Vec<String>,
    },
    /// Items listed in the correct order; learners see them shuffled.
    Ordering {
        items: Vec<String>,
    },
    /// The stem holds `[[1]]`, `[[2]]`, ... where the blanks go; each blank is marked like a
    /// short answer and the score is the share of blanks right.
    FillBlanks {
        blanks: Vec<Blank>,
    },
    /// Marked by hand.
    Essay,
    /// Text shown between questions; not marked.
    Description,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub text: RichText,
    pub fraction: f64,
    pub feedback: Option<RichText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAnswer {
    /// What is accepted; `*` matches any run of characters, `\*` a literal star.
    pub text: String,
    pub fraction: f64,
    pub feedback: Option<RichText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericAnswer {
    pub value: f64,
    /// Accepted distance from `value` either way.
    pub tolerance: f64,
    pub fraction: f64,
    pub feedback: Option<RichText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchPair {
    pub prompt: RichText,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blank {
    pub answers: Vec<String>,
    pub case_sensitive: bool,
}

/// What a learner answered. Choice numbers index the question's own choice list (not the
/// shuffled order the learner saw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Response {
    Single(usize),
    Multiple(Vec<usize>),
    Bool(bool),
    /// Short answer, numeric and essay answers.
    Text(String),
    /// The answer picked for each pair, in pair order.
    Matching(Vec<Option<String>>),
    /// Item numbers (into the correct order) in the order the learner put them.
    Ordering(Vec<usize>),
    Blanks(Vec<String>),
}

/// The result of marking one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Marking {
    /// Marked now: the share of the mark earned (0.0 to 1.0) and the feedback for what was given.
    Auto {
        fraction: f64,
        feedback: Option<RichText>,
    },
    /// Needs a person (essays).
    Manual,
    /// Not marked at all (descriptions).
    Ungraded,
}

impl Question {
    /// A learner-facing label for the type.
    pub fn type_label(&self) -> &'static str {
        self.body.type_label()
    }

    /// Whether this question needs a person to mark it.
    pub fn is_manual(&self) -> bool {
        matches!(self.body, QuestionBody::Essay)
    }

    /// Marks a response. A response of the wrong shape for the question scores 0.
    pub fn mark(&self, response: &Response) -> Marking {
        use QuestionBody as B;
        let auto = |fraction: f64, feedback: Option<RichText>| Marking::Auto {
            fraction: fraction.clamp(0.0, 1.0),
            feedback,
        };
        match (&self.body, response) {
            (B::Essay, _) => Marking::Manual,
            (B::Description, _) => Marking::Ungraded,
            (B::SingleChoice { choices }, Response::Single(i)) => match choices.get(*i) {
                Some(c) => auto(c.fraction, c.feedback.clone()),
                None => auto(0.0, None),
            },
            (B::MultipleResponse { choices }, Response::Multiple(picked)) => {
                let mut picked = picked.clone();
                picked.sort_unstable();
                picked.dedup();
                let total = picked
                    .iter()
                    .filter_map(|i| choices.get(*i))
                    .map(|c| c.fraction)
                    .sum::<f64>();
                // Two 50 % choices add to 0.999…9 in binary; round to the nearest 1e-7.
                auto((total * 1e7).round() / 1e7, None)
            }
            (
                B::TrueFalse {
                    correct,
                    true_feedback,
                    false_feedback,
                },
                Response::Bool(given),
            ) => {
                let feedback = if *given {
                    true_feedback
                } else {
                    false_feedback
                };
                auto(if given == correct { 1.0 } else { 0.0 }, feedback.clone())
            }
            (
                B::ShortAnswer {
                    answers,
                    case_sensitive,
                },
                Response::Text(given),
            ) => match answers
                .iter()
                .find(|a| text_matches(&a.text, given, *case_sensitive))
            {
                Some(a) => auto(a.fraction, a.feedback.clone()),
                None => auto(0.0, None),
            },
            (B::Numeric { answers }, Response::Text(given)) => {
                let Some(value) = parse_number(given) else {
                    return auto(0.0, None);
                };
                // Best matching answer wins, so a tight 100 % answer beats a loose 50 % one.
                let best = answers
                    .iter()
                    .filter(|a| number_matches(a, value))
                    .max_by(|a, b| a.fraction.total_cmp(&b.fraction));
                match best {
                    Some(a) => auto(a.fraction, a.feedback.clone()),
                    None => auto(0.0, None),
                }
            }
            (B::Matching { pairs, .. }, Response::Matching(given)) => {
                if pairs.is_empty() {
                    return auto(0.0, None);
                }
                let right = pairs
                    .iter()
                    .zip(given.iter().chain(std::iter::repeat(&None)))
                    .filter(|(pair, given)| {
                        given.as_deref().map(str::trim) == Some(pair.answer.trim())
                    })
                    .count();
                auto(right as f64 / pairs.len() as f64, None)
            }
            (B::Ordering { items }, Response::Ordering(given)) => {
                if items.is_empty() {
                    return auto(0.0, None);
                }
                // Absolute position: each item in its right place earns an equal share.
                let right = given
                    .iter()
                    .enumerate()
                    .filter(|(position, item)| position == *item)
                    .count();
                auto(right as f64 / items.len() as f64, None)
            }
            (B::FillBlanks { blanks }, Response::Blanks(given)) => {
                if blanks.is_empty() {
                    return auto(0.0, None);
                }
                let right = blanks
                    .iter()
                    .zip(given.iter())
                    .filter(|(blank, given)| {
                        blank
                            .answers
                            .iter()
                            .any(|a| text_matches(a, given, blank.case_sensitive))
                    })
                    .count();
                auto(right as f64 / blanks.len() as f64, None)
            }
            _ => auto(0.0, None),
        }
    }

    /// Problems that make a question unusable, as sentences (empty when it is fine).
    pub fn problems(&self) -> Vec<String> {
        use QuestionBody as B;
        let mut out = Vec::new();
        if self.stem.text.trim().is_empty() && !matches!(self.body, B::Description) {
            out.push("The question has no text.".to_string());
        }
        if !(self.default_mark.is_finite() && self.default_mark >= 0.0) {
            out.push("The mark must be a number of 0 or more.".to_string());
        }
        let bad_fraction = |f: f64| !(-1.0..=1.0).contains(&f) || !f.is_finite();
        match &self.body {
            B::SingleChoice { choices } => {
                if choices.len() < 2 {
                    out.push("A multiple-choice question needs at least two answers.".into());
                }
                if !choices.iter().any(|c| c.fraction >= 0.999_999) {
                    out.push("One answer must be fully correct (100 %).".into());
                }
                if choices.iter().any(|c| bad_fraction(c.fraction)) {
                    out.push("Answer weights must be between -100 % and 100 %.".into());
                }
            }
            B::MultipleResponse { choices } => {
                let positive: f64 = choices.iter().map(|c| c.fraction.max(0.0)).sum();
                if choices.len() < 2 {
                    out.push("A multiple-response question needs at least two answers.".into());
                }
                if (positive - 1.0).abs() > 0.01 {
                    out.push(format!(
                        "The weights of the correct answers add up to {:.0} %, not 100 %.",
                        positive * 100.0
                    ));
                }
                if choices.iter().any(|c| bad_fraction(c.fraction)) {
                    out.push("Answer weights must be between -100 % and 100 %.".into());
                }
            }
            B::ShortAnswer { answers, .. } => {
                if answers.iter().all(|a| a.fraction < 0.999_999) {
                    out.push("One accepted answer must be fully correct (100 %).".into());
                }
                if answers.iter().any(|a| a.text.trim().is_empty()) {
                    out.push("An accepted answer is empty.".into());
                }
            }
            B::Numeric { answers } => {
                if answers.iter().all(|a| a.fraction < 0.999_999) {
                    out.push("One numeric answer must be fully correct (100 %).".into());
                }
                if answers
                    .iter()
                    .any(|a| !a.value.is_finite() || !a.tolerance.is_finite() || a.tolerance < 0.0)
                {
                    out.push("Numeric answers need a number and a tolerance of 0 or more.".into());
                }
            }
            B::Matching { pairs, .. } => {
                if pairs.len() < 2 {
                    out.push("A matching question needs at least two pairs.".into());
                }
                if pairs
                    .iter()
                    .any(|p| p.prompt.text.trim().is_empty() || p.answer.trim().is_empty())
                {
                    out.push("Every pair needs a prompt and an answer.".into());
                }
            }
            B::Ordering { items } => {
                if items.len() < 2 {
                    out.push("An ordering question needs at least two items.".into());
                }
            }
            B::FillBlanks { blanks } => {
                if blanks.is_empty() {
                    out.push("Mark the blanks in the text as [[1]], [[2]], ….".into());
                }
                for (i, blank) in blanks.iter().enumerate() {
                    if !self.stem.text.contains(&format!("[[{}]]", i + 1)) {
                        out.push(format!(
                            "The text has no [[{}]] for blank {}.",
                            i + 1,
                            i + 1
                        ));
                    }
                    if blank.answers.iter().all(|a| a.trim().is_empty()) {
                        out.push(format!("Blank {} has no accepted answer.", i + 1));
                    }
                }
            }
            B::TrueFalse { .. } | B::Essay | B::Description => {}
        }
        out
    }
}

impl QuestionBody {
    /// The type's key: its serde tag, as stored in `questions.qtype`.
    pub fn type_key(&self) -> &'static str {
        match self {
            QuestionBody::SingleChoice { .. } => "single_choice",
            QuestionBody::MultipleResponse { .. } => "multiple_response",
            QuestionBody::TrueFalse { .. } => "true_false",
            QuestionBody::ShortAnswer { .. } => "short_answer",
            QuestionBody::Numeric { .. } => "numeric",
            QuestionBody::Matching { .. } => "matching",
            QuestionBody::Ordering { .. } => "ordering",
            QuestionBody::FillBlanks { .. } => "fill_blanks",
            QuestionBody::Essay => "essay",
            QuestionBody::Description => "description",
        }
    }

    pub fn type_label(&self) -> &'static str {
        match self {
            QuestionBody::SingleChoice { .. } => "Multiple choice",
            QuestionBody::MultipleResponse { .. } => "Multiple response",
            QuestionBody::TrueFalse { .. } => "True/false",
            QuestionBody::ShortAnswer { .. } => "Short answer",
            QuestionBody::Numeric { .. } => "Numeric",
            QuestionBody::Matching { .. } => "Matching",
            QuestionBody::Ordering { .. } => "Ordering",
            QuestionBody::FillBlanks { .. } => "Fill in the blanks",
            QuestionBody::Essay => "Essay",
            QuestionBody::Description => "Description",
        }
    }
}

impl Response {
    /// Whether the learner has given anything at all (for the "unanswered" markers).
    pub fn is_answered(&self) -> bool {
        match self {
            Response::Single(_) | Response::Bool(_) | Response::Ordering(_) => true,
            Response::Multiple(v) => !v.is_empty(),
            Response::Text(t) => !t.trim().is_empty(),
            Response::Matching(v) => v.iter().any(Option::is_some),
            Response::Blanks(v) => v.iter().any(|b| !b.trim().is_empty()),
        }
    }
}

/// Short-answer matching: surrounding and repeated spaces are ignored; `*` is a wildcard.
pub fn text_matches(pattern: &str, given: &str, case_sensitive: bool) -> bool {
    let norm = |s: &str| {
        let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if case_sensitive {
            joined
        } else {
            joined.to_lowercase()
        }
    };
    let (pattern, given) = (norm(pattern), norm(given));
    // Split the pattern on unescaped stars into literal pieces.
    let mut pieces = vec![String::new()];
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'*') => {
                chars.next();
                if let Some(p) = pieces.last_mut() {
                    p.push('*');
                }
            }
            '*' => pieces.push(String::new()),
            other => {
                if let Some(p) = pieces.last_mut() {
                    p.push(other);
                }
            }
        }
    }
    wildcard_match(&pieces, &given)
}

/// Whether `given` is the pieces joined by any text: the first piece is a prefix, the last a
/// suffix, and the middle ones appear in order (leftmost match is always safe for `*`).
fn wildcard_match(pieces: &[String], given: &str) -> bool {
    let [first, middles @ .., last] = pieces else {
        return pieces.first().is_some_and(|only| only == given);
    };
    if !given.starts_with(first.as_str()) {
        return false;
    }
    let mut rest = &given[first.len()..];
    if rest.len() < last.len() || !rest.ends_with(last.as_str()) {
        return false;
    }
    rest = &rest[..rest.len() - last.len()];
    for middle in middles {
        match rest.find(middle.as_str()) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

fn number_matches(answer: &NumericAnswer, value: f64) -> bool {
    // A little slack so 0.1 + 0.2 style rounding never fails an exact answer.
    let slack = 1e-9 * answer.value.abs().max(1.0);
    (value - answer.value).abs() <= answer.tolerance + slack
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(body: QuestionBody) -> Question {
        Question {
            name: "q".into(),
            stem: RichText::plain("Question?"),
            general_feedback: None,
            body,
            default_mark: 1.0,
            tags: vec![],
            id_number: None,
        }
    }
    fn choice(text: &str, fraction: f64) -> Choice {
        Choice {
            text: RichText::plain(text),
            fraction,
            feedback: None,
        }
    }
    fn fraction(m: Marking) -> f64 {
        match m {
            Marking::Auto { fraction, .. } => fraction,
            other => panic!("expected an automatic mark, got {other:?}"),
        }
    }

    #[test]
    fn multiple_response_gives_partial_credit_and_never_below_zero() {
        let q = question(QuestionBody::MultipleResponse {
            choices: vec![
                choice("A", 0.5),
                choice("B", 0.5),
                choice("C", -1.0),
                choice("D", 0.0),
            ],
        });
        assert_eq!(fraction(q.mark(&Response::Multiple(vec![0]))), 0.5);
        assert_eq!(fraction(q.mark(&Response::Multiple(vec![0, 1]))), 1.0);
        assert_eq!(fraction(q.mark(&Response::Multiple(vec![0, 1, 3]))), 1.0);
        // 0.5 + 0.5 - 1.0 = 0; 0.5 - 1.0 = -0.5 counts as 0.
        assert_eq!(fraction(q.mark(&Response::Multiple(vec![0, 1, 2]))), 0.0);
        assert_eq!(fraction(q.mark(&Response::Multiple(vec![0, 2]))), 0.0);
        // Picking the same answer twice counts it once.
        assert_eq!(fraction(q.mark(&Response::Multiple(vec![0, 0]))), 0.5);
        let thirds = question(QuestionBody::MultipleResponse {
            choices: vec![
                choice("A", 0.33333),
                choice("B", 0.33333),
                choice("C", 0.33333),
                choice("D", -0.5),
            ],
        });
        assert!(thirds.problems().is_empty(), "{:?}", thirds.problems());
        assert!((fraction(thirds.mark(&Response::Multiple(vec![0, 1]))) - 0.66666).abs() < 1e-9);
    }

    #[test]
    fn single_choice_scores_the_picked_answer() {
        let q = question(QuestionBody::SingleChoice {
            choices: vec![choice("A", 1.0), choice("B", 0.5), choice("C", -0.25)],
        });
        assert_eq!(fraction(q.mark(&Response::Single(0))), 1.0);
        assert_eq!(fraction(q.mark(&Response::Single(1))), 0.5);
        assert_eq!(fraction(q.mark(&Response::Single(2))), 0.0);
        assert_eq!(fraction(q.mark(&Response::Single(9))), 0.0);
        assert_eq!(fraction(q.mark(&Response::Text("A".into()))), 0.0);
    }

    #[test]
    fn short_answers_honour_case_option_and_wildcards() {
        let answers = vec![
            TextAnswer {
                text: "Paris".into(),
                fraction: 1.0,
                feedback: None,
            },
            TextAnswer {
                text: "*France*".into(),
                fraction: 0.5,
                feedback: Some(RichText::plain("That is the country.")),
            },
            TextAnswer {
                text: "3\\*4".into(),
                fraction: 0.25,
                feedback: None,
            },
        ];
        let q = question(QuestionBody::ShortAnswer {
            answers: answers.clone(),
            case_sensitive: false,
        });
        assert_eq!(fraction(q.mark(&Response::Text("  paris ".into()))), 1.0);
        assert_eq!(
            fraction(q.mark(&Response::Text("in  France, I think".into()))),
            0.5
        );
        assert_eq!(fraction(q.mark(&Response::Text("france".into()))), 0.5);
        assert_eq!(fraction(q.mark(&Response::Text("3*4".into()))), 0.25);
        assert_eq!(fraction(q.mark(&Response::Text("3x4".into()))), 0.0);
        assert_eq!(fraction(q.mark(&Response::Text("Lyon".into()))), 0.0);
        let strict = question(QuestionBody::ShortAnswer {
            answers,
            case_sensitive: true,
        });
        assert_eq!(fraction(strict.mark(&Response::Text("paris".into()))), 0.0);
        assert_eq!(fraction(strict.mark(&Response::Text("Paris".into()))), 1.0);
        assert!(text_matches("a*b*c", "aXXbYYc", true));
        assert!(!text_matches("a*b*c", "aXXcYYb", true));
        assert!(!text_matches("ab*ab", "ab", false));
        assert!(text_matches("*", "", true));
    }

    #[test]
    fn numeric_answers_accept_values_within_tolerance() {
        let q = question(QuestionBody::Numeric {
            answers: vec![
                NumericAnswer {
                    value: 1.2345,
                    tolerance: 0.0005,
                    fraction: 1.0,
                    feedback: None,
                },
                NumericAnswer {
                    value: 1.0,
                    tolerance: 0.5,
                    fraction: 0.5,
                    feedback: None,
                },
            ],
        });
        // 1.2345 ± 0.0005 earns 100 %; 1.0 ± 0.5 earns 50 %; the best match wins.
        assert_eq!(fraction(q.mark(&Response::Text("1.2348".into()))), 1.0);
        assert_eq!(fraction(q.mark(&Response::Text("1,2341".into()))), 1.0);
        assert_eq!(fraction(q.mark(&Response::Text("1.2351".into()))), 0.5);
        assert_eq!(fraction(q.mark(&Response::Text("0.5".into()))), 0.5);
        assert_eq!(fraction(q.mark(&Response::Text("0.49".into()))), 0.0);
        assert_eq!(fraction(q.mark(&Response::Text("one".into()))), 0.0);
        // An exact answer with no tolerance survives binary rounding.
        let exact = question(QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 0.3,
                tolerance: 0.0,
                fraction: 1.0,
                feedback: None,
            }],
        });
        assert_eq!(
            fraction(exact.mark(&Response::Text(format!("{}", 0.1 + 0.2)))),
            1.0
        );
    }

    #[test]
    fn matching_ordering_and_blanks_score_the_share_right() {
        let pairs = ["Canada", "Italy", "Japan", "India"]
            .iter()
            .zip(["Ottawa", "Rome", "Tokyo", "New Delhi"])
            .map(|(p, a)| MatchPair {
                prompt: RichText::plain(*p),
                answer: a.into(),
            })
            .collect();
        let q = question(QuestionBody::Matching {
            pairs,
            distractors: vec!["Sydney".into()],
        });
        let given =
            |v: [&str; 3]| Response::Matching(v.iter().map(|s| Some(s.to_string())).collect());
        // Three given, two right, the fourth missing: 2 / 4.
        assert_eq!(fraction(q.mark(&given(["Ottawa", "Rome", "Sydney"]))), 0.5);

        let q = question(QuestionBody::Ordering {
            items: vec!["1".into(), "2".into(), "3".into(), "4".into()],
        });
        assert_eq!(fraction(q.mark(&Response::Ordering(vec![0, 1, 2, 3]))), 1.0);
        assert_eq!(fraction(q.mark(&Response::Ordering(vec![0, 2, 1, 3]))), 0.5);
        assert_eq!(fraction(q.mark(&Response::Ordering(vec![3, 2, 1, 0]))), 0.0);

        let mut q = question(QuestionBody::FillBlanks {
            blanks: vec![
                Blank {
                    answers: vec!["red".into()],
                    case_sensitive: false,
                },
                Blank {
                    answers: vec!["blue".into(), "navy*".into()],
                    case_sensitive: false,
                },
                Blank {
                    answers: vec!["Green".into()],
                    case_sensitive: true,
                },
            ],
        });
        q.stem = RichText::plain("Roses are [[1]], violets are [[2]], grass is [[3]].");
        assert!(q.problems().is_empty());
        let blanks = |v: [&str; 3]| Response::Blanks(v.iter().map(|s| s.to_string()).collect());
        assert!(
            (fraction(q.mark(&blanks(["Red", "navy blue", "green"]))) - 2.0 / 3.0).abs() < 1e-12
        );
        assert_eq!(fraction(q.mark(&blanks(["red", "blue", "Green"]))), 1.0);
    }

    #[test]
    fn essays_wait_for_a_person_and_true_false_gives_its_feedback() {
        assert_eq!(
            question(QuestionBody::Essay).mark(&Response::Text("x".into())),
            Marking::Manual
        );
        let q = question(QuestionBody::TrueFalse {
            correct: false,
            true_feedback: Some(RichText::plain("No, he is not.")),
            false_feedback: None,
        });
        assert_eq!(
            q.mark(&Response::Bool(true)),
            Marking::Auto {
                fraction: 0.0,
                feedback: Some(RichText::plain("No, he is not."))
            }
        );
        assert_eq!(fraction(q.mark(&Response::Bool(false))), 1.0);
    }

    #[test]
    fn problems_are_reported_in_words() {
        let q = question(QuestionBody::SingleChoice {
            choices: vec![choice("A", 0.5), choice("B", 0.0)],
        });
        assert_eq!(
            q.problems(),
            vec!["One answer must be fully correct (100 %).".to_string()]
        );
        let q = question(QuestionBody::MultipleResponse {
            choices: vec![choice("A", 0.5), choice("B", 0.25)],
        });
        assert_eq!(
            q.problems(),
            vec!["The weights of the correct answers add up to 75 %, not 100 %.".to_string()]
        );
    }
}
