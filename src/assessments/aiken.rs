//! Aiken import and export, as Moodle reads it (question/format/aiken): the question text on one
//! or more lines, then its choices one per line as `A.` or `A)` and a space, then `ANSWER: X`;
//! blank lines between questions. Aiken holds only single-answer multiple choice in plain text
//! with no feedback, names or tags, so the writer takes just those questions and lists the rest
//! as skipped.

use super::exchange::*;
use super::question::*;

/// A question being read: its first line, its text lines and its choices so far. `broken` once a
/// problem has been reported for it, so one mistake gives one message.
struct Draft {
    start: usize,
    stem: Vec<String>,
    choices: Vec<String>,
    broken: bool,
}

impl Draft {
    fn new(start: usize, stem: Vec<String>, broken: bool) -> Draft {
        let choices = Vec::new();
        Draft {
            start,
            stem,
            choices,
            broken,
        }
    }
}

pub fn parse_aiken(input: &str) -> ImportResult {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let lines: Vec<(usize, &str)> = input
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .collect();
    // The next line with text after each line, found in one pass so long blank runs stay cheap.
    let mut upcoming = None;
    let mut next_text: Vec<Option<&str>> = lines
        .iter()
        .rev()
        .map(|&(_, line)| {
            let next = upcoming;
            if !line.is_empty() {
                upcoming = Some(line);
            }
            next
        })
        .collect();
    next_text.reverse();
    let mut result = ImportResult::default();
    let mut draft: Option<Draft> = None;
    for (i, &(n, line)) in lines.iter().enumerate() {
        if line.is_empty() {
            // A blank line ends a question, unless its choices or its ANSWER line come next.
            let next = next_text.get(i).copied().flatten();
            let carries_on = next.is_some_and(|l| choice(l).is_some() || answer(l).is_some());
            if let Some(d) = draft.take_if(|_| !carries_on) {
                unfinished(&mut result, d);
            }
        } else if let Some(letter) = answer(line) {
            match draft.take() {
                Some(d) => finish(&mut result, d, letter, n),
                None => result.problem(
                    n,
                    format!("Line {n} is an ANSWER: line with no question before it."),
                ),
            }
        } else if let Some((letter, text)) = choice(line) {
            match draft.as_mut() {
                Some(d) => add_choice(&mut result, d, letter, text, n),
                None => {
                    let message = format!(
                        "Line {n} looks like choice {letter} but has no question text before it."
                    );
                    result.problem(n, message);
                    draft = Some(Draft::new(n, Vec::new(), true));
                }
            }
        } else {
            match draft.as_mut() {
                None => draft = Some(Draft::new(n, vec![line.to_string()], false)),
                Some(d) if d.choices.is_empty() => d.stem.push(line.to_string()),
                Some(d) => {
                    if !d.broken {
                        d.broken = true;
                        let message = format!(
                            "Line {n} is neither a choice (like \"C. text\") nor the ANSWER: line."
                        );
                        result.problem(n, message);
                    }
                }
            }
        }
    }
    if let Some(d) = draft {
        unfinished(&mut result, d);
    }
    result
}

/// `A. text` or `A) text` (Moodle needs the space; a bare `A.` is an empty choice).
fn choice(line: &str) -> Option<(char, String)> {
    let bytes = line.as_bytes();
    let (letter, mark) = (*bytes.first()?, *bytes.get(1)?);
    if !letter.is_ascii_uppercase() || !(mark == b'.' || mark == b')') {
        return None;
    }
    match bytes.get(2) {
        None => Some((letter as char, String::new())),
        Some(b' ' | b'\t') => Some((letter as char, line[3..].trim().to_string())),
        _ => None,
    }
}

/// `ANSWER: B` (any case): Some(letter), or Some(None) when the letter is missing or unclear.
fn answer(line: &str) -> Option<Option<char>> {
    if !line.get(..7)?.eq_ignore_ascii_case("ANSWER:") {
        return None;
    }
    let rest = line[7..].trim();
    let mut chars = rest.chars();
    let letter = chars
        .next()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase());
    let tail = chars.as_str().trim();
    Some(letter.filter(|_| matches!(tail, "" | "." | ")")))
}

fn add_choice(result: &mut ImportResult, d: &mut Draft, letter: char, text: String, n: usize) {
    let expected = (d.choices.len() < 26).then(|| char::from(b'A' + d.choices.len() as u8));
    if expected != Some(letter) && !d.broken {
        d.broken = true;
        let message = match expected {
            Some(e) => format!(
                "Choice {letter} on line {n} should be {e}: choices are lettered A, B, C, … in order."
            ),
            None => format!("Line {n} is a 27th choice; a question can have at most 26 (A to Z)."),
        };
        result.problem(n, message);
    }
    d.choices.push(text);
}

fn unfinished(result: &mut ImportResult, d: Draft) {
    let start = d.start;
    let message = match d.choices.is_empty() {
        true => {
            format!("The question on line {start} ends before its choices (A. …) and ANSWER: line.")
        }
        false => format!(
            "The question on line {start} has no ANSWER: line (like \"ANSWER: B\") after its choices."
        ),
    };
    if !d.broken {
        result.problem(start, message);
    }
}

fn finish(result: &mut ImportResult, d: Draft, letter: Option<char>, n: usize) {
    if d.broken {
        return;
    }
    let start = d.start;
    if d.choices.len() < 2 {
        let message = format!(
            "The question on line {start} needs at least two choices (A. and B.) before its ANSWER: line."
        );
        return result.problem(start, message);
    }
    let Some(letter) = letter else {
        return result.problem(
            n,
            format!("The ANSWER: line on line {n} must name one choice letter, e.g. ANSWER: B."),
        );
    };
    let right = (letter as usize).wrapping_sub('A' as usize);
    if right >= d.choices.len() {
        let last = char::from(b'A' + (d.choices.len() - 1) as u8);
        return result.problem(
            n,
            format!("ANSWER: {letter} on line {n} is not one of the choices (A to {last})."),
        );
    }
    let stem = RichText::plain(d.stem.join("\n"));
    let choices = d
        .choices
        .into_iter()
        .enumerate()
        .map(|(i, text)| Choice {
            text: RichText::plain(text),
            fraction: if i == right { 1.0 } else { 0.0 },
            feedback: None,
        })
        .collect();
    let question = Question {
        name: name_from_stem(&stem, "Multiple choice"),
        stem,
        general_feedback: None,
        body: QuestionBody::SingleChoice { choices },
        default_mark: 1.0,
        tags: Vec::new(),
        id_number: None,
    };
    result.accept(start, None, false, question);
}

pub fn write_aiken(questions: &[(Option<String>, Question)]) -> ExportResult {
    let mut out = ExportResult::default();
    for (_, question) in questions {
        match aiken_text(question) {
            Ok(text) => {
                out.text.push_str(&text);
                out.text.push('\n');
            }
            Err(why) => out.skipped.push((question.name.clone(), why)),
        }
    }
    out
}

/// Text Aiken can hold: plain (or Moodle text without markup), one line, not empty.
fn one_line(text: &RichText) -> Option<&str> {
    let plain = match text.format {
        TextFormat::Plain => true,
        TextFormat::Moodle => !text.text.contains(['<', '&']),
        TextFormat::Html | TextFormat::Markdown => false,
    };
    let t = text.text.trim();
    (plain && !t.is_empty() && !t.contains(['\n', '\r'])).then_some(t)
}

fn aiken_text(q: &Question) -> Result<String, String> {
    let QuestionBody::SingleChoice { choices } = &q.body else {
        return Err(format!(
            "Aiken has only multiple-choice questions, not {}.",
            q.type_label().to_lowercase()
        ));
    };
    let right = choices.iter().filter(|c| c.fraction == 1.0).count();
    if right != 1
        || choices
            .iter()
            .any(|c| c.fraction != 1.0 && c.fraction != 0.0)
    {
        return Err(
            "Aiken needs exactly one right choice (100 %) and no partly right or negative ones."
                .into(),
        );
    }
    if !(2..=26).contains(&choices.len()) {
        return Err("Aiken needs 2 to 26 choices.".into());
    }
    let stem = one_line(&q.stem).ok_or("The question text must be plain text on one line.")?;
    if choice(stem).is_some() || answer(stem).is_some() {
        return Err("The question text would read back as a choice or an ANSWER: line.".into());
    }
    let mut out = format!("{stem}\n");
    let mut correct = 'A';
    for (i, c) in choices.iter().enumerate() {
        let letter = char::from(b'A' + i as u8);
        let text = one_line(&c.text).ok_or("Every choice must be plain text on one line.")?;
        out.push_str(&format!("{letter}. {text}\n"));
        if c.fraction == 1.0 {
            correct = letter;
        }
    }
    out.push_str(&format!("ANSWER: {correct}\n"));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(result: &ImportResult) -> Vec<(usize, &str)> {
        result
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect()
    }

    fn single(stem: &str, choices: &[&str], right: usize) -> Question {
        let stem = RichText::plain(stem);
        let choices = choices
            .iter()
            .enumerate()
            .map(|(i, t)| Choice {
                text: RichText::plain(*t),
                fraction: if i == right { 1.0 } else { 0.0 },
                feedback: None,
            })
            .collect();
        Question {
            name: name_from_stem(&stem, "Multiple choice"),
            stem,
            general_feedback: None,
            body: QuestionBody::SingleChoice { choices },
            default_mark: 1.0,
            tags: vec![],
            id_number: None,
        }
    }

    #[test]
    fn reads_questions_with_either_choice_style() {
        let input = "What is 2 + 2?\nA. 3\nB) 4\nC. 5\nANSWER: B\n\nWhich is a\nprime number?\n\nA) 9\n\tB) 7\nanswer: b\n";
        let result = parse_aiken(input);
        assert_eq!(problems(&result), vec![]);
        let lines: Vec<usize> = result.questions.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![1, 7]);
        assert_eq!(
            result.questions[0].question,
            single("What is 2 + 2?", &["3", "4", "5"], 1)
        );
        assert_eq!(
            result.questions[1].question,
            single("Which is a\nprime number?", &["9", "7"], 1)
        );
        assert!(
            result
                .questions
                .iter()
                .all(|q| q.category.is_none() && !q.has_title)
        );
    }

    #[test]
    fn reports_mistakes_with_their_lines_and_carries_on() {
        let input = "No answer here?\nA. yes\nB. no\n\nWrong letter?\nA. yes\nB. no\nANSWER: C\n\n\
            One choice?\nA. only\nANSWER: A\n\nOut of order?\nA. one\nC. three\nANSWER: A\n\n\
            Stray line?\nA. one\nB. two\nthis is not a choice\nANSWER: A\n\nANSWER: A\n\n\
            Unclear?\nA. yes\nB. no\nANSWER: maybe\n\nGood one?\nA. yes\nB. no\nANSWER: A\n\nLast?\nA. x\nB. y\n\n\
            Split\n\nstem?\nA. x\nB. y\nANSWER: A";
        let result = parse_aiken(input);
        assert_eq!(
            problems(&result),
            vec![
                (
                    1,
                    "The question on line 1 has no ANSWER: line (like \"ANSWER: B\") after its choices."
                ),
                (8, "ANSWER: C on line 8 is not one of the choices (A to B)."),
                (
                    10,
                    "The question on line 10 needs at least two choices (A. and B.) before its ANSWER: line."
                ),
                (
                    16,
                    "Choice C on line 16 should be B: choices are lettered A, B, C, … in order."
                ),
                (
                    22,
                    "Line 22 is neither a choice (like \"C. text\") nor the ANSWER: line."
                ),
                (25, "Line 25 is an ANSWER: line with no question before it."),
                (
                    30,
                    "The ANSWER: line on line 30 must name one choice letter, e.g. ANSWER: B."
                ),
                (
                    37,
                    "The question on line 37 has no ANSWER: line (like \"ANSWER: B\") after its choices."
                ),
                (
                    41,
                    "The question on line 41 ends before its choices (A. …) and ANSWER: line."
                ),
            ]
        );
        let lines: Vec<usize> = result.questions.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![32, 43]);
        let orphan = parse_aiken("B. no question\nANSWER: B");
        assert_eq!(
            problems(&orphan),
            vec![(
                1,
                "Line 1 looks like choice B but has no question text before it."
            )]
        );
    }

    #[test]
    fn written_aiken_reads_back_the_same() {
        let questions = vec![
            single("Capital of France?", &["Paris", "Lyon", "ANSWER: no"], 0),
            single(
                "A question: with # and { } = ~ characters",
                &["x", "y", "z", "w"],
                3,
            ),
        ];
        let input: Vec<(Option<String>, Question)> = questions
            .iter()
            .map(|q| (Some("cat".into()), q.clone()))
            .collect();
        let written = write_aiken(&input);
        assert_eq!(written.skipped, vec![]);
        assert!(
            written
                .text
                .starts_with("Capital of France?\nA. Paris\nB. Lyon\nC. ANSWER: no\nANSWER: A\n\n")
        );
        let read = parse_aiken(&written.text);
        assert_eq!(problems(&read), vec![]);
        let back: Vec<Question> = read.questions.into_iter().map(|q| q.question).collect();
        assert_eq!(back, questions);
    }

    #[test]
    fn skips_what_aiken_cannot_express() {
        let mut two_right = single("Two right?", &["a", "b"], 0);
        if let QuestionBody::SingleChoice { choices } = &mut two_right.body {
            choices[1].fraction = 1.0;
        }
        let mut html = single("x", &["a", "b"], 0);
        html.stem = RichText::new(TextFormat::Html, "<p>x</p>");
        let mut essay = single("Essay", &["a", "b"], 0);
        essay.body = QuestionBody::Essay;
        let input: Vec<(Option<String>, Question)> = [
            two_right,
            html,
            single("Two\nlines", &["a", "b"], 0),
            single("A. looks like a choice", &["a", "b"], 0),
            essay,
        ]
        .into_iter()
        .map(|q| (None, q))
        .collect();
        let written = write_aiken(&input);
        assert_eq!(written.text, "");
        let reasons: Vec<&str> = written
            .skipped
            .iter()
            .map(|(_, why)| why.as_str())
            .collect();
        assert_eq!(
            reasons,
            vec![
                "Aiken needs exactly one right choice (100 %) and no partly right or negative ones.",
                "The question text must be plain text on one line.",
                "The question text must be plain text on one line.",
                "The question text would read back as a choice or an ANSWER: line.",
                "Aiken has only multiple-choice questions, not essay.",
            ]
        );
    }
}
