//! GIFT import and export, following Moodle's reader (question/format/gift): questions are
//! separated by blank lines; `//` lines are comments (`[id:…]` and `[tag:…]` in them become the
//! id number and tags); `::title::`, `[html]`-style formats, `$CATEGORY:` and the escapes
//! `\~ \= \# \{ \} \: \\ \n` work as in Moodle. Texts keep their line breaks, as Moodle does.
//! `write_gift` escapes everything it writes, so `parse_gift(write_gift(x))` gives back every
//! question GIFT can express; the rest is listed in `skipped` with the reason.

use super::exchange::*;
use super::question::*;

/// The tolerance of a numeric answer that accepts every number. GIFT's `~#feedback` in a numeric
/// question means "any other answer" (Moodle's `*`); the model has no field for that, and this
/// tolerance makes `Question::mark` treat it the same way (the best-scoring match wins).
pub const ANY_NUMBER: f64 = f64::MAX;

/// A character after escapes are read; `esc` marks one written with a backslash, which is never
/// GIFT syntax. Each keeps its line for messages.
#[derive(Debug, Clone, Copy)]
struct Tok {
    c: char,
    esc: bool,
    line: usize,
}

pub fn parse_gift(input: &str) -> ImportResult {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut result = ImportResult::default();
    let mut category = None;
    let mut block: Vec<(usize, &str)> = Vec::new();
    // The extra empty line ends the last block.
    for (i, line) in input.lines().chain(std::iter::once("")).enumerate() {
        if line.trim().is_empty() {
            if !block.is_empty() {
                read_block(&block, &mut category, &mut result);
                block.clear();
            }
        } else {
            block.push((i + 1, line));
        }
    }
    result
}

/// One blank-line-separated block: comments, maybe a category line, maybe a question.
fn read_block(block: &[(usize, &str)], category: &mut Option<String>, result: &mut ImportResult) {
    let mut comments = String::new();
    let mut lines = Vec::new();
    for &(n, line) in block {
        if line.trim_start().starts_with("//") {
            comments.push_str(line);
            comments.push('\n');
        } else {
            lines.push((n, line));
        }
    }
    if let Some(rest) = lines
        .first()
        .and_then(|(_, l)| l.trim().strip_prefix("$CATEGORY:"))
    {
        *category = Some(rest.trim().to_string());
        lines.remove(0);
    }
    let Some(&(line, _)) = lines.first() else {
        return;
    };
    match read_question(&tokenize(&lines), line) {
        Ok((mut question, has_title)) => {
            let (id, tags) = id_and_tags(&comments);
            question.id_number = id;
            question.tags = tags;
            result.accept(line, category.clone(), has_title, question);
        }
        Err((line, message)) => result.problem(line, message),
    }
}

fn tokenize(lines: &[(usize, &str)]) -> Vec<Tok> {
    let mut out = Vec::new();
    for (i, &(line, text)) in lines.iter().enumerate() {
        let tok = |c, esc| Tok { c, esc, line };
        if i > 0 {
            out.push(tok('\n', false));
        }
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(tok(c, false));
                continue;
            }
            match chars.peek().copied() {
                Some(e @ ('\\' | '~' | '=' | '#' | '{' | '}' | ':')) => {
                    chars.next();
                    out.push(tok(e, true));
                }
                Some('n') => {
                    chars.next();
                    out.push(tok('\n', true));
                }
                // Any other backslash is an ordinary character, as in Moodle.
                _ => out.push(tok('\\', true)),
            }
        }
    }
    out
}

fn is(t: &Tok, c: char) -> bool {
    !t.esc && t.c == c
}
fn find(ts: &[Tok], c: char) -> Option<usize> {
    ts.iter().position(|t| is(t, c))
}
fn find_pair(ts: &[Tok], a: char, b: char) -> Option<usize> {
    ts.windows(2)
        .position(|w| matches!(w, [x, y] if is(x, a) && is(y, b)))
}
/// `ts[a..b]`, `ts[a..]` and `ts[..b]`, empty when out of range. Positions come from `find` on the
/// same tokens, so they never are; these only keep a parser of uploaded text free of panics.
fn span(ts: &[Tok], a: usize, b: usize) -> &[Tok] {
    ts.get(a..b).unwrap_or_default()
}
fn from(ts: &[Tok], a: usize) -> &[Tok] {
    ts.get(a..).unwrap_or_default()
}
fn before(ts: &[Tok], b: usize) -> &[Tok] {
    ts.get(..b).unwrap_or_default()
}
fn line_at(ts: &[Tok], i: usize, fallback: usize) -> usize {
    ts.get(i).map_or(fallback, |t| t.line)
}
fn text(ts: &[Tok]) -> String {
    ts.iter().map(|t| t.c).collect()
}
fn trim(ts: &[Tok]) -> &[Tok] {
    let blank = |t: &Tok| !t.esc && t.c.is_whitespace();
    let start = ts.iter().position(|t| !blank(t)).unwrap_or(ts.len());
    let end = ts.iter().rposition(|t| !blank(t)).map_or(start, |i| i + 1);
    span(ts, start, end.max(start))
}
fn line_of(ts: &[Tok], fallback: usize) -> usize {
    ts.first().map_or(fallback, |t| t.line)
}

/// Text with an optional leading `[format]`; other formats default to the question's.
fn rich_str(source: &str, default: TextFormat) -> RichText {
    let source = source.trim();
    let marked = source
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'));
    match marked.and_then(|(name, text)| Some((format_named(name)?, text))) {
        Some((format, text)) => RichText::new(format, text.trim()),
        None => RichText::new(default, source),
    }
}
fn format_named(name: &str) -> Option<TextFormat> {
    match name {
        "moodle" => Some(TextFormat::Moodle),
        "html" => Some(TextFormat::Html),
        "plain" => Some(TextFormat::Plain),
        "markdown" => Some(TextFormat::Markdown),
        _ => None,
    }
}
fn rich(ts: &[Tok], default: TextFormat) -> RichText {
    rich_str(&text(ts), default)
}
fn feedback(ts: Option<&[Tok]>, default: TextFormat) -> Option<RichText> {
    ts.map(|ts| rich(ts, default))
        .filter(|r| !r.text.is_empty())
}

type Problem = (usize, String);

fn read_question(toks: &[Tok], line: usize) -> Result<(Question, bool), Problem> {
    let ts = trim(toks);
    let (title, ts) = if let [a, b, rest @ ..] = ts
        && is(a, ':')
        && is(b, ':')
    {
        match find_pair(rest, ':', ':') {
            Some(end) => (
                Some(text(before(rest, end)).trim().to_string()),
                from(rest, end + 2),
            ),
            None => {
                let message =
                    format!("The title started with :: on line {line} is never closed with ::.");
                return Err((line, message));
            }
        }
    } else {
        (None, ts)
    };
    let title = title.filter(|t| !t.is_empty());
    let stray = |l: usize| {
        (
            l,
            format!(
                "Line {l} has a }} that closes no answer block; write \\}} for a literal brace."
            ),
        )
    };
    let (stem, general_feedback, body) = match (find(ts, '{'), find(ts, '}')) {
        (None, None) => (
            rich(ts, TextFormat::Moodle),
            None,
            QuestionBody::Description,
        ),
        (None, Some(close)) => return Err(stray(line_at(ts, close, line))),
        (Some(open), Some(close)) if close < open => return Err(stray(line_at(ts, close, line))),
        (Some(open), None) => {
            let l = line_at(ts, open, line);
            return Err((
                l,
                format!("The answer block opened on line {l} is never closed with }}."),
            ));
        }
        (Some(open), Some(close)) => {
            let (opened, inner, after) = (
                line_at(ts, open, line),
                span(ts, open + 1, close),
                from(ts, close + 1),
            );
            if let Some(k) = find(inner, '{') {
                let l = line_at(inner, k, opened);
                let message = format!(
                    "The answer block opened on line {opened} is not closed with }} before another {{ on line {l}."
                );
                return Err((opened, message));
            }
            if let Some(t) = after.iter().find(|t| is(t, '{') || is(t, '}')) {
                let l = t.line;
                let message = format!(
                    "Line {l} has a second answer block, but a GIFT question has one; write \\{{ and \\}} for literal braces."
                );
                return Err((l, message));
            }
            // Text after the answers makes a missing-word question: the answers leave a blank.
            let (lead, after) = (text(before(ts, open)), text(after));
            let stem = if after.trim().is_empty() {
                rich_str(&lead, TextFormat::Moodle)
            } else {
                let joined = format!("{} _____ {}", lead.trim_end(), after.trim_start());
                rich_str(&joined, TextFormat::Moodle)
            };
            // Moodle takes the general feedback after the last ####.
            let last_run = inner.windows(4).rposition(|w| w.iter().all(|t| is(t, '#')));
            let (answers, general) = match last_run {
                Some(k) => (before(inner, k), Some(from(inner, k + 4))),
                None => (inner, None),
            };
            let general = feedback(general, stem.format);
            let body = read_body(trim(answers), stem.format, opened)?;
            (stem, general, body)
        }
    };
    let has_title = title.is_some();
    let name = title.unwrap_or_else(|| name_from_stem(&stem, body.type_label()));
    let question = Question {
        name,
        stem,
        general_feedback,
        body,
        default_mark: 1.0,
        tags: Vec::new(),
        id_number: None,
    };
    Ok((question, has_title))
}

/// One answer after its `=` or `~` (or the text before the first marker).
struct Seg<'a> {
    marker: Option<char>,
    body: &'a [Tok],
    line: usize,
}

fn segments<'a>(ts: &'a [Tok], markers: &[char], line: usize) -> Vec<Seg<'a>> {
    let mut out = Vec::new();
    let (mut start, mut marker, mut at) = (0, None, line_of(ts, line));
    let mut push = |body: &'a [Tok], marker: Option<char>, line: usize| {
        if marker.is_some() || !trim(body).is_empty() {
            out.push(Seg { marker, body, line });
        }
    };
    for (i, t) in ts.iter().enumerate() {
        if !t.esc && markers.contains(&t.c) {
            push(span(ts, start, i), marker, at);
            (start, marker, at) = (i + 1, Some(t.c), t.line);
        }
    }
    push(from(ts, start), marker, at);
    out
}

/// An answer's optional `%weight%`, its text and its `#feedback`.
fn weight_text_feedback(body: &[Tok]) -> (Option<f64>, &[Tok], Option<&[Tok]>) {
    let body = trim(body);
    let closing = body
        .first()
        .filter(|t| is(t, '%'))
        .and_then(|_| find(from(body, 1), '%'));
    let weighted = closing.and_then(|end| {
        Some((
            parse_percent(text(span(body, 1, 1 + end)).trim())?,
            from(body, end + 2),
        ))
    });
    let (weight, rest) = match weighted {
        Some((weight, rest)) => (Some(weight), rest),
        None => (None, body),
    };
    match find(rest, '#') {
        Some(k) => (weight, before(rest, k), Some(from(rest, k + 1))),
        None => (weight, rest, None),
    }
}

/// `50` → 0.5 by moving the decimal point in the text, so `%33.3%` reads as exactly 0.333.
fn parse_percent(s: &str) -> Option<f64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let numeric = digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.matches('.').count() <= 1;
    numeric
        .then(|| format!("{s}e-2").parse::<f64>().ok())
        .flatten()
}

fn read_body(ans: &[Tok], format: TextFormat, line: usize) -> Result<QuestionBody, Problem> {
    if ans.is_empty() {
        return Ok(QuestionBody::Essay);
    }
    if let [first, numbers @ ..] = ans
        && is(first, '#')
    {
        return read_numeric(numbers, format, line);
    }
    if find(ans, '~').is_some() {
        let choices: Vec<Choice> = segments(ans, &['~', '='], line)
            .iter()
            .map(|seg| {
                let (weight, text, fb) = weight_text_feedback(seg.body);
                let default = if seg.marker == Some('=') { 1.0 } else { 0.0 };
                Choice {
                    text: rich(text, format),
                    fraction: weight.unwrap_or(default),
                    feedback: feedback(fb, format),
                }
            })
            .collect();
        // A fully correct answer makes it single choice; shared credit makes it multiple response.
        let single = choices.iter().any(|c| c.fraction >= 0.999_999)
            || choices.iter().all(|c| c.fraction <= 0.0);
        return Ok(match single {
            true => QuestionBody::SingleChoice { choices },
            false => QuestionBody::MultipleResponse { choices },
        });
    }
    let answers = segments(ans, &['='], line);
    let arrow = |seg: &Seg| {
        let body = seg.body;
        find_pair(
            before(body, find(body, '#').unwrap_or(body.len())),
            '-',
            '>',
        )
        .is_some()
    };
    if find(ans, '=').is_some() && answers.iter().any(arrow) {
        return read_matching(&answers, format);
    }
    let head = text(before(ans, find(ans, '#').unwrap_or(ans.len())));
    let correct = match head.trim() {
        "T" | "TRUE" => Some(true),
        "F" | "FALSE" => Some(false),
        _ => None,
    };
    if let Some(correct) = correct {
        // Moodle: the first feedback is for a wrong answer, the second for a right one.
        let mut parts = Vec::new();
        let mut rest = ans;
        while let Some(k) = find(rest, '#').filter(|_| parts.len() < 2) {
            parts.push(before(rest, k));
            rest = from(rest, k + 1);
        }
        parts.push(rest);
        let wrong = feedback(parts.get(1).copied(), format);
        let right = feedback(parts.get(2).copied(), format);
        let (true_feedback, false_feedback) = if correct {
            (right, wrong)
        } else {
            (wrong, right)
        };
        return Ok(QuestionBody::TrueFalse {
            correct,
            true_feedback,
            false_feedback,
        });
    }
    let answers = answers
        .iter()
        .map(|seg| {
            let (weight, text, fb) = weight_text_feedback(seg.body);
            TextAnswer {
                text: rich(text, format).text,
                fraction: weight.unwrap_or(1.0),
                feedback: feedback(fb, format),
            }
        })
        .collect();
    Ok(QuestionBody::ShortAnswer {
        answers,
        case_sensitive: false,
    })
}

fn read_matching(answers: &[Seg], format: TextFormat) -> Result<QuestionBody, Problem> {
    let (mut pairs, mut distractors) = (Vec::new(), Vec::new());
    for seg in answers {
        let body = trim(seg.body);
        let l = seg.line;
        let Some(k) = find_pair(body, '-', '>') else {
            let message = format!(
                "The matching pair on line {l} has no -> between the prompt and its answer."
            );
            return Err((l, message));
        };
        let answer = text(from(body, k + 2)).trim().to_string();
        if answer.is_empty() {
            return Err((
                l,
                format!("The matching pair on line {l} has no answer after ->."),
            ));
        }
        let prompt = rich(before(body, k), format);
        // A pair with no prompt is an extra wrong answer to choose from.
        match prompt.text.is_empty() {
            true => distractors.push(answer),
            false => pairs.push(MatchPair { prompt, answer }),
        }
    }
    Ok(QuestionBody::Matching { pairs, distractors })
}

fn read_numeric(ans: &[Tok], format: TextFormat, line: usize) -> Result<QuestionBody, Problem> {
    let segs = segments(trim(ans), &['=', '~'], line);
    if segs.is_empty() {
        return Err((
            line,
            format!("The numeric answer block on line {line} has no number after {{#."),
        ));
    }
    let mut answers = Vec::new();
    for seg in segs {
        let (weight, number, fb) = weight_text_feedback(seg.body);
        let other = seg.marker == Some('~');
        let number = text(number).trim().to_string();
        let (value, tolerance) = if (other && number.is_empty()) || number == "*" {
            (0.0, ANY_NUMBER)
        } else {
            parse_numeric(&number)
                .map_err(|why| (seg.line, format!("{why} (line {}).", seg.line)))?
        };
        answers.push(NumericAnswer {
            value,
            tolerance,
            fraction: weight.unwrap_or(if other { 0.0 } else { 1.0 }),
            feedback: feedback(fb, format),
        });
    }
    Ok(QuestionBody::Numeric { answers })
}

/// `value`, `value:tolerance` or `min..max`.
fn parse_numeric(s: &str) -> Result<(f64, f64), String> {
    let number = |part: &str| {
        let part = part.trim();
        let plain = !part.is_empty() && part.chars().all(|c| "0123456789+-.eE".contains(c));
        let value = part.parse::<f64>().ok().filter(|v| plain && v.is_finite());
        value.ok_or_else(|| format!("The numeric answer '{s}' is not a number"))
    };
    if let Some(k) = s.find("..").filter(|&k| k > 0) {
        let (low, high) = (number(&s[..k])?, number(&s[k + 2..])?);
        if high < low {
            return Err(format!(
                "The range '{s}' must give the smaller number first"
            ));
        }
        return Ok(((low + high) / 2.0, (high - low) / 2.0));
    }
    match s.find(':').filter(|&k| k > 0) {
        Some(k) => Ok((number(&s[..k])?, number(&s[k + 1..])?)),
        None => Ok((number(s)?, 0.0)),
    }
}

/// `[id:…]` and `[tag:…]` markers in a question's comment lines (`\]` is a literal `]`).
fn id_and_tags(comments: &str) -> (Option<String>, Vec<String>) {
    let (mut id, mut tags) = (None, Vec::new());
    let mut rest = comments;
    while let Some(k) = rest.find('[') {
        rest = &rest[k + 1..];
        let (is_id, body) = match (rest.strip_prefix("id:"), rest.strip_prefix("tag:")) {
            (Some(body), _) => (true, body),
            (None, Some(body)) => (false, body),
            (None, None) => continue,
        };
        let (mut value, mut end, mut stop) = (String::new(), None, body.len());
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if body[i + 1..].starts_with(']') => {
                    value.push(']');
                    chars.next();
                }
                ']' => {
                    end = Some(i);
                    break;
                }
                '\n' => {
                    stop = i;
                    break;
                }
                c => value.push(c),
            }
        }
        // An unclosed marker ends at its line; nothing before that can close another one.
        let Some(end) = end else {
            rest = &body[stop..];
            continue;
        };
        rest = &body[end + 1..];
        let value = value.trim().to_string();
        match (value.is_empty(), is_id) {
            (true, _) => {}
            (false, true) => id = id.or(Some(value)),
            (false, false) => tags.push(value),
        }
    }
    (id, tags)
}

pub fn write_gift(questions: &[(Option<String>, Question)]) -> ExportResult {
    let mut out = ExportResult::default();
    let mut current: Option<&str> = None;
    for (category, question) in questions {
        match gift_text(question) {
            Ok(text) => {
                if let Some(category) = category.as_deref().filter(|c| current != Some(*c)) {
                    let one_line = category.replace(['\n', '\r'], " ");
                    out.text.push_str(&format!("$CATEGORY: {one_line}\n\n"));
                    current = Some(category);
                }
                out.text.push_str(&text);
                out.text.push('\n');
            }
            Err(why) => out.skipped.push((question.name.clone(), why)),
        }
    }
    out
}

/// Why GIFT cannot carry a question without changing what learners see or how it is marked.
fn unsupported(q: &Question) -> Option<&'static str> {
    let arrow = |s: &str| s.contains("->");
    match &q.body {
        QuestionBody::Ordering { .. } => Some("GIFT has no ordering questions."),
        QuestionBody::FillBlanks { .. } => Some("GIFT has no fill-in-the-blanks questions."),
        QuestionBody::ShortAnswer {
            case_sensitive: true,
            ..
        } => Some("GIFT cannot mark short answers case-sensitively."),
        QuestionBody::ShortAnswer { answers, .. } if answers.iter().any(|a| arrow(&a.text)) => {
            Some("An accepted answer contains ->, which GIFT would read as a matching pair.")
        }
        QuestionBody::MultipleResponse { choices }
            if choices.iter().any(|c| c.fraction >= 0.999_999) =>
        {
            Some(
                "GIFT would read a multiple-response question with a 100 % answer back as multiple choice.",
            )
        }
        QuestionBody::Matching { pairs, .. } if pairs.iter().any(|p| arrow(&p.prompt.text)) => {
            Some("A matching prompt contains ->, which GIFT uses between a prompt and its answer.")
        }
        QuestionBody::Matching { distractors, .. }
            if distractors.iter().any(|d| d.trim().is_empty()) =>
        {
            Some("A matching question has an empty extra answer.")
        }
        QuestionBody::Description if q.general_feedback.is_some() => {
            Some("GIFT descriptions have no general feedback.")
        }
        QuestionBody::Description if q.stem.text.is_empty() && q.name.trim().is_empty() => {
            Some("The description has neither a name nor any text.")
        }
        _ => None,
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '~' | '=' | '#' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            // One question is one block of lines, so line breaks are written as \n.
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn format_name(format: TextFormat) -> &'static str {
    match format {
        TextFormat::Moodle => "moodle",
        TextFormat::Html => "html",
        TextFormat::Plain => "plain",
        TextFormat::Markdown => "markdown",
    }
}

/// A text with its `[format]` when it differs from the default, or when the text itself starts
/// with `[` (which would otherwise be taken for a format).
fn write_text(text: &RichText, default: TextFormat, force_format: bool) -> String {
    let mut out = String::new();
    if force_format || text.format != default || text.text.starts_with('[') {
        out.push_str(&format!("[{}]", format_name(text.format)));
    }
    out.push_str(&escape(&text.text));
    out
}

/// A fraction as a GIFT percentage, moving the decimal point in the shortest text that reads
/// back as the same number, so 0.07 is written 7 (not 7.000000000000001) and reads back exactly.
fn percent(fraction: f64) -> String {
    let shown = format!("{fraction}");
    let (sign, digits) = match shown.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", shown.as_str()),
    };
    let (whole, decimals) = digits.split_once('.').unwrap_or((digits, ""));
    let decimals = format!("{decimals}00");
    let (moved, rest) = decimals.split_at(2);
    let whole = format!("{whole}{moved}");
    let whole = whole.trim_start_matches('0');
    let rest = rest.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    match rest.is_empty() {
        true => format!("{sign}{whole}"),
        false => format!("{sign}{whole}.{rest}"),
    }
}

/// One answer line: marker, weight when it is not the marker's default (or the text starts
/// with `%`), text and feedback.
fn answer_line(
    marker: char,
    fraction: f64,
    default: f64,
    body: &str,
    fb: Option<&RichText>,
    format: TextFormat,
) -> String {
    let mut out = format!("\t{marker}");
    if fraction != default || body.starts_with('%') {
        out.push_str(&format!("%{}%", percent(fraction)));
    }
    out.push_str(body);
    if let Some(fb) = fb.filter(|f| !f.text.is_empty()) {
        out.push('#');
        out.push_str(&write_text(fb, format, false));
    }
    out.push('\n');
    out
}

fn gift_text(q: &Question) -> Result<String, String> {
    if let Some(why) = unsupported(q) {
        return Err(why.to_string());
    }
    let problems = q.problems();
    if !problems.is_empty() {
        return Err(format!("It is not complete: {}", problems.join(" ")));
    }
    let bracketed = |s: &str| {
        let s = s.replace(['\n', '\r'], " ").replace(']', "\\]");
        // A trailing backslash would escape the closing bracket; the reader trims the space.
        if s.ends_with('\\') {
            format!("{s} ")
        } else {
            s
        }
    };
    let mut out = String::new();
    if let Some(id) = q.id_number.as_deref().filter(|id| !id.trim().is_empty()) {
        out.push_str(&format!("// [id:{}]\n", bracketed(id)));
    }
    if !q.tags.is_empty() {
        let tags: Vec<String> = q
            .tags
            .iter()
            .map(|t| format!("[tag:{}]", bracketed(t)))
            .collect();
        out.push_str(&format!("// {}\n", tags.join(" ")));
    }
    let named = !q.name.trim().is_empty();
    if named {
        out.push_str(&format!("::{}::", escape(&q.name)));
    }
    // Without a title the stem starts the line, where `//` or `$CATEGORY:` would mean more.
    out.push_str(&write_text(&q.stem, TextFormat::Moodle, !named));
    let format = q.stem.format;
    let general = q.general_feedback.as_ref().filter(|g| !g.text.is_empty());
    let general = general.map_or(String::new(), |g| {
        format!("####{}", write_text(g, format, false))
    });
    // In a block of answer lines the general feedback gets a line of its own.
    let general_line = match general.is_empty() {
        true => String::new(),
        false => format!("\t{general}\n"),
    };
    let block = match &q.body {
        QuestionBody::SingleChoice { choices } | QuestionBody::MultipleResponse { choices } => {
            let single = matches!(q.body, QuestionBody::SingleChoice { .. });
            // `=` needs a `~` beside it, or the block would read as a short answer.
            let use_equals = single && choices.iter().any(|c| c.fraction != 1.0);
            let lines: String = choices
                .iter()
                .map(|c| {
                    let body = write_text(&c.text, format, false);
                    let (marker, default) = match use_equals && c.fraction == 1.0 {
                        true => ('=', 1.0),
                        false => ('~', 0.0),
                    };
                    answer_line(
                        marker,
                        c.fraction,
                        default,
                        &body,
                        c.feedback.as_ref(),
                        format,
                    )
                })
                .collect();
            format!("{{\n{lines}{general_line}}}")
        }
        QuestionBody::ShortAnswer { answers, .. } => {
            let lines: String = answers
                .iter()
                .map(|a| {
                    let body = write_text(&RichText::new(format, a.text.clone()), format, false);
                    answer_line('=', a.fraction, 1.0, &body, a.feedback.as_ref(), format)
                })
                .collect();
            format!("{{\n{lines}{general_line}}}")
        }
        QuestionBody::Numeric { answers } => {
            let lines: String = answers
                .iter()
                .map(|a| match a.tolerance == ANY_NUMBER {
                    true => answer_line('~', a.fraction, 0.0, "", a.feedback.as_ref(), format),
                    false => {
                        let tolerance = if a.tolerance == 0.0 {
                            String::new()
                        } else {
                            format!(":{}", a.tolerance)
                        };
                        let body = format!("{}{tolerance}", a.value);
                        answer_line('=', a.fraction, 1.0, &body, a.feedback.as_ref(), format)
                    }
                })
                .collect();
            format!("{{#\n{lines}{general_line}}}")
        }
        QuestionBody::Matching { pairs, distractors } => {
            let mut lines = String::new();
            for pair in pairs {
                let prompt = write_text(&pair.prompt, format, false);
                lines.push_str(&format!("\t={prompt} -> {}\n", escape(&pair.answer)));
            }
            for extra in distractors {
                lines.push_str(&format!("\t= -> {}\n", escape(extra)));
            }
            format!("{{\n{lines}{general_line}}}")
        }
        QuestionBody::TrueFalse {
            correct,
            true_feedback,
            false_feedback,
        } => {
            let (right, wrong) = match correct {
                true => (true_feedback, false_feedback),
                false => (false_feedback, true_feedback),
            };
            let written = |f: &Option<RichText>| {
                f.as_ref()
                    .filter(|f| !f.text.is_empty())
                    .map(|f| write_text(f, format, false))
            };
            let mut block = String::from(if *correct { "{TRUE" } else { "{FALSE" });
            match (written(wrong), written(right)) {
                (Some(w), Some(r)) => block.push_str(&format!("#{w}#{r}")),
                (Some(w), None) => block.push_str(&format!("#{w}")),
                (None, Some(r)) => block.push_str(&format!("##{r}")),
                (None, None) => {}
            }
            format!("{block}{general}}}")
        }
        QuestionBody::Essay => format!("{{{general}}}"),
        // Ordering and fill-in-the-blanks were turned away by `unsupported`.
        QuestionBody::Description
        | QuestionBody::Ordering { .. }
        | QuestionBody::FillBlanks { .. } => String::new(),
    };
    out.push_str(&block);
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::PathBuf;

    fn question(name: &str, stem: RichText, body: QuestionBody) -> Question {
        Question {
            name: name.into(),
            stem,
            general_feedback: None,
            body,
            default_mark: 1.0,
            tags: vec![],
            id_number: None,
        }
    }
    fn moodle(text: &str) -> RichText {
        RichText::new(TextFormat::Moodle, text)
    }
    fn choice(text: &str, fraction: f64, feedback: Option<RichText>) -> Choice {
        Choice {
            text: moodle(text),
            fraction,
            feedback,
        }
    }
    fn only_body(input: &str) -> QuestionBody {
        let result = parse_gift(input);
        assert_eq!(result.problems, vec![], "{input}");
        assert_eq!(result.questions.len(), 1, "{input}");
        result.questions[0].question.body.clone()
    }

    #[test]
    fn reads_every_question_type() {
        let input = "$CATEGORY: $course$/top/Unit 1: Topic\n\n// [id:cap-1]\n// [tag:geo] [tag:a\\]b]\n\
            ::Capital::[html]<p>Capital of France?</p>{\n  =Paris#Yes\n  ~Lyon#[plain]No\n  ~%-50%Nice\n  \
            ####Paris, of course.\n}\n\nPick two primes.{~%50%2 ~%50%3 ~%-100%4}\n";
        let result = parse_gift(input);
        assert_eq!(result.problems, vec![]);
        let html = |t: &str| RichText::new(TextFormat::Html, t);
        let mut capital = question(
            "Capital",
            html("<p>Capital of France?</p>"),
            QuestionBody::SingleChoice {
                choices: vec![
                    Choice {
                        text: html("Paris"),
                        fraction: 1.0,
                        feedback: Some(html("Yes")),
                    },
                    Choice {
                        text: html("Lyon"),
                        fraction: 0.0,
                        feedback: Some(RichText::plain("No")),
                    },
                    Choice {
                        text: html("Nice"),
                        fraction: -0.5,
                        feedback: None,
                    },
                ],
            },
        );
        capital.general_feedback = Some(html("Paris, of course."));
        capital.tags = vec!["geo".into(), "a]b".into()];
        capital.id_number = Some("cap-1".into());
        let category = Some("$course$/top/Unit 1: Topic".to_string());
        let first = ImportedQuestion {
            line: 5,
            category: category.clone(),
            has_title: true,
            question: capital,
        };
        assert_eq!(result.questions[0], first);
        let primes = &result.questions[1];
        assert_eq!(
            (primes.line, &primes.category, primes.has_title),
            (12, &category, false)
        );
        assert_eq!(primes.question.name, "Pick two primes.");
        let choices = vec![
            choice("2", 0.5, None),
            choice("3", 0.5, None),
            choice("4", -1.0, None),
        ];
        assert_eq!(
            primes.question.body,
            QuestionBody::MultipleResponse { choices }
        );

        let tf = only_body("The sun is a star.{TRUE#No, it is.#Right}");
        let (wrong, right) = (Some(moodle("No, it is.")), Some(moodle("Right")));
        assert_eq!(
            tf,
            QuestionBody::TrueFalse {
                correct: true,
                true_feedback: right,
                false_feedback: wrong
            }
        );
        let tf = only_body("The sun is a planet.{F#Wrong}");
        assert_eq!(
            tf,
            QuestionBody::TrueFalse {
                correct: false,
                true_feedback: Some(moodle("Wrong")),
                false_feedback: None
            }
        );

        let short = only_body("Who wrote Hamlet?{=Shakespeare =%50%*speare*#Close}");
        let answer = |text: &str, fraction, feedback| TextAnswer {
            text: text.into(),
            fraction,
            feedback,
        };
        let answers = vec![
            answer("Shakespeare", 1.0, None),
            answer("*speare*", 0.5, Some(moodle("Close"))),
        ];
        assert_eq!(
            short,
            QuestionBody::ShortAnswer {
                answers,
                case_sensitive: false
            }
        );

        let numeric = only_body("Half?{#\n=0.5:0.005\n=%50%0.25..0.75#Near\n~#Not close\n}");
        let number = |value, tolerance, fraction, feedback| NumericAnswer {
            value,
            tolerance,
            fraction,
            feedback,
        };
        let answers = vec![
            number(0.5, 0.005, 1.0, None),
            number(0.5, 0.25, 0.5, Some(moodle("Near"))),
            number(0.0, ANY_NUMBER, 0.0, Some(moodle("Not close"))),
        ];
        assert_eq!(numeric, QuestionBody::Numeric { answers });
        assert_eq!(
            only_body("Year?{#1822}"),
            QuestionBody::Numeric {
                answers: vec![number(1822.0, 0.0, 1.0, None)]
            }
        );

        let matching = only_body("Match.{=Dog -> Bark =[html]<b>Cat</b> -> Meow = -> Moo}");
        let pairs = vec![
            MatchPair {
                prompt: moodle("Dog"),
                answer: "Bark".into(),
            },
            MatchPair {
                prompt: RichText::new(TextFormat::Html, "<b>Cat</b>"),
                answer: "Meow".into(),
            },
        ];
        assert_eq!(
            matching,
            QuestionBody::Matching {
                pairs,
                distractors: vec!["Moo".into()]
            }
        );
        assert_eq!(only_body("Tell me about yourself.{}"), QuestionBody::Essay);
        assert_eq!(
            only_body("Just text\\: no answers."),
            QuestionBody::Description
        );
    }

    #[test]
    fn reads_escapes_missing_words_and_names() {
        let result = parse_gift(
            "Escapes \\~ \\= \\# \\{ \\} \\: \\\\ \\q and\\nmore // not a comment{=a\\#b}",
        );
        let q = &result.questions[0].question;
        assert_eq!(
            q.stem.text,
            "Escapes ~ = # { } : \\ \\q and\nmore // not a comment"
        );
        let answers = vec![TextAnswer {
            text: "a#b".into(),
            fraction: 1.0,
            feedback: None,
        }];
        assert_eq!(
            q.body,
            QuestionBody::ShortAnswer {
                answers,
                case_sensitive: false
            }
        );

        let result =
            parse_gift("Grant is {\n~buried\n=entombed\n} in\nthe tomb.\n\n{=Asia} is largest.");
        assert_eq!(
            result.questions[0].question.stem.text,
            "Grant is _____ in\nthe tomb."
        );
        assert_eq!(result.questions[1].question.stem.text, "_____ is largest.");

        let long = "[html]<p>This&nbsp;stem is <b>much</b> longer than sixty characters, so the name is cut.</p>{}";
        let result = parse_gift(long);
        assert_eq!(
            result.questions[0].question.name,
            "This stem is much longer than sixty characters, so the name…"
        );
        assert!(!result.questions[0].has_title);
    }

    #[test]
    fn reports_broken_questions_with_their_lines_and_carries_on() {
        let input = "Good?{T}\n\nUnclosed {=a ~b\n~c\n\nStray } brace{T}\n\n::No end {T}\n\nMatch.{=a -> 1 =b 2}\n\n\
            Number?{#abc}\n\n::Nothing right::Pick.{~a ~b}\n\nTwo {T} and {F}\n\nNested { =a { =b }\n\nRange?{#5..1}\n\n\
            // a comment\nLast.{F}\n";
        let result = parse_gift(input);
        let problems: Vec<(usize, &str)> = result
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            vec![
                (
                    3,
                    "The answer block opened on line 3 is never closed with }."
                ),
                (
                    6,
                    "Line 6 has a } that closes no answer block; write \\} for a literal brace."
                ),
                (
                    8,
                    "The title started with :: on line 8 is never closed with ::."
                ),
                (
                    10,
                    "The matching pair on line 10 has no -> between the prompt and its answer."
                ),
                (12, "The numeric answer 'abc' is not a number (line 12)."),
                (
                    14,
                    "Question 'Nothing right': One answer must be fully correct (100 %)."
                ),
                (
                    16,
                    "Line 16 has a second answer block, but a GIFT question has one; write \\{ and \\} for literal braces."
                ),
                (
                    18,
                    "The answer block opened on line 18 is not closed with } before another { on line 18."
                ),
                (
                    20,
                    "The range '5..1' must give the smaller number first (line 20)."
                ),
            ]
        );
        let lines: Vec<usize> = result.questions.iter().map(|q| q.line).collect();
        assert_eq!(lines, vec![1, 23]);
        let single = parse_gift("Which?{=only}\n\nHow much?{#\n=%50%2\n}");
        let messages: Vec<&str> = single.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            vec!["Question 'How much?': One numeric answer must be fully correct (100 %)."]
        );
    }

    /// Questions with every feature GIFT can carry, and text that needs escaping.
    fn exportable() -> Vec<(Option<String>, Question)> {
        let (html, md) = (
            |t: &str| RichText::new(TextFormat::Html, t),
            |t: &str| RichText::new(TextFormat::Markdown, t),
        );
        let mut mc = question(
            "Tricky :: name # = ~ { } \\",
            html("<p class=\"x\">Braces {} and a\nline break: a \\n b ~ = #</p>"),
            QuestionBody::SingleChoice {
                choices: vec![
                    Choice {
                        text: html("[x] marks"),
                        fraction: 1.0,
                        feedback: Some(moodle("[plain] really")),
                    },
                    Choice {
                        text: html("%50 off"),
                        fraction: 0.07,
                        feedback: Some(RichText::plain("-> #1")),
                    },
                    Choice {
                        text: html("minus"),
                        fraction: -0.333,
                        feedback: None,
                    },
                ],
            },
        );
        mc.general_feedback = Some(html("####"));
        mc.tags = vec!["one".into(), "br]acket".into(), "back\\".into()];
        mc.id_number = Some("id]1".into());
        let all_right = question(
            "All right",
            moodle("Any"),
            QuestionBody::SingleChoice {
                choices: vec![choice("a", 1.0, None), choice("b", 1.0, None)],
            },
        );
        let multi = question(
            "Multi",
            moodle("Pick"),
            QuestionBody::MultipleResponse {
                choices: vec![
                    choice("a", 0.5, Some(moodle("half"))),
                    choice("b", 0.5, None),
                    choice("c", -1.0, None),
                ],
            },
        );
        let tf = |name: &str, correct, t: Option<&str>, f: Option<&str>| {
            question(
                name,
                moodle("True?"),
                QuestionBody::TrueFalse {
                    correct,
                    true_feedback: t.map(moodle),
                    false_feedback: f.map(moodle),
                },
            )
        };
        let mut tf_general = tf("TF 4", false, None, None);
        tf_general.general_feedback = Some(moodle("general"));
        let short = question(
            "Short",
            moodle("Name?"),
            QuestionBody::ShortAnswer {
                answers: vec![
                    TextAnswer {
                        text: "TRUE".into(),
                        fraction: 1.0,
                        feedback: None,
                    },
                    TextAnswer {
                        text: "%a*b\\*".into(),
                        fraction: 0.5,
                        feedback: Some(moodle("near")),
                    },
                    TextAnswer {
                        text: "[x]".into(),
                        fraction: 0.0,
                        feedback: None,
                    },
                ],
                case_sensitive: false,
            },
        );
        let number = |value, tolerance, fraction, feedback: Option<&str>| NumericAnswer {
            value,
            tolerance,
            fraction,
            feedback: feedback.map(moodle),
        };
        let numeric = question(
            "Numeric",
            moodle("How many?"),
            QuestionBody::Numeric {
                answers: vec![
                    number(-3.25, 0.0, 1.0, Some("yes")),
                    number(1e-7, 0.5, 0.25, None),
                    number(0.0, ANY_NUMBER, 0.0, Some("no")),
                ],
            },
        );
        let matching = question(
            "Matching",
            moodle("Match"),
            QuestionBody::Matching {
                pairs: vec![
                    MatchPair {
                        prompt: html("a-"),
                        answer: "> x -> y".into(),
                    },
                    MatchPair {
                        prompt: moodle("b = c"),
                        answer: "d # e".into(),
                    },
                ],
                distractors: vec!["extra".into()],
            },
        );
        let mut essay = question("Essay", md("Write\n\n* a list"), QuestionBody::Essay);
        essay.general_feedback = Some(md("**bold**"));
        let description = question(
            "Description",
            md("line  \nbreak"),
            QuestionBody::Description,
        );
        let empty = question(
            "Empty description",
            RichText::new(TextFormat::Html, ""),
            QuestionBody::Description,
        );
        let first = Some("$course$/top/A: one".to_string());
        let second = Some("$course$/top/B".to_string());
        let mut out = vec![
            (first.clone(), mc),
            (first.clone(), all_right),
            (second.clone(), multi),
        ];
        for q in [
            tf("TF 1", true, Some("right"), Some("wrong")),
            tf("TF 2", true, None, Some("wrong")),
            tf("TF 3", false, None, Some("right")),
            tf_general,
            short,
            numeric,
            matching,
            essay,
            description,
            empty,
        ] {
            out.push((second.clone(), q));
        }
        out
    }

    #[test]
    fn written_gift_reads_back_the_same() {
        let questions = exportable();
        let written = write_gift(&questions);
        assert_eq!(written.skipped, vec![]);
        assert_eq!(
            written.text.matches("$CATEGORY:").count(),
            2,
            "{}",
            written.text
        );
        let read = parse_gift(&written.text);
        assert_eq!(read.problems, vec![], "{}", written.text);
        let back: Vec<(Option<String>, Question)> = read
            .questions
            .into_iter()
            .map(|q| (q.category, q.question))
            .collect();
        assert_eq!(back.len(), questions.len());
        for (back, original) in back.iter().zip(&questions) {
            assert_eq!(back, original, "\n{}", written.text);
        }
    }

    #[test]
    fn skips_what_gift_cannot_express() {
        let q = |name: &str, body| (None, question(name, moodle("Stem"), body));
        let written = write_gift(&[
            q(
                "Order",
                QuestionBody::Ordering {
                    items: vec!["a".into(), "b".into()],
                },
            ),
            q("Blanks", QuestionBody::FillBlanks { blanks: vec![] }),
            q(
                "Case",
                QuestionBody::ShortAnswer {
                    answers: vec![TextAnswer {
                        text: "A".into(),
                        fraction: 1.0,
                        feedback: None,
                    }],
                    case_sensitive: true,
                },
            ),
            q(
                "Multi",
                QuestionBody::MultipleResponse {
                    choices: vec![choice("a", 1.0, None), choice("b", -1.0, None)],
                },
            ),
            q(
                "Broken",
                QuestionBody::SingleChoice {
                    choices: vec![choice("a", 0.5, None), choice("b", 0.0, None)],
                },
            ),
            q("Fine", QuestionBody::Essay),
        ]);
        let why = |s: &str| s.to_string();
        assert_eq!(
            written.skipped,
            vec![
                (why("Order"), why("GIFT has no ordering questions.")),
                (
                    why("Blanks"),
                    why("GIFT has no fill-in-the-blanks questions.")
                ),
                (
                    why("Case"),
                    why("GIFT cannot mark short answers case-sensitively.")
                ),
                (
                    why("Multi"),
                    why(
                        "GIFT would read a multiple-response question with a 100 % answer back as multiple choice."
                    )
                ),
                (
                    why("Broken"),
                    why("It is not complete: One answer must be fully correct (100 %).")
                ),
            ]
        );
        assert_eq!(written.text, "::Fine::Stem{}\n\n");
    }

    #[test]
    fn the_corpus_reads_back_the_same_after_writing() {
        let Some(files) = corpus() else { return };
        for (name, gift, _) in files {
            let first = parse_gift(&gift);
            let questions: Vec<(Option<String>, Question)> = first
                .questions
                .iter()
                .map(|q| (q.category.clone(), q.question.clone()))
                .collect();
            let written = write_gift(&questions);
            assert_eq!(written.skipped, vec![], "{name}");
            let again = parse_gift(&written.text);
            assert_eq!(again.problems, vec![], "{name}\n{}", written.text);
            let back: Vec<(Option<String>, Question)> = again
                .questions
                .into_iter()
                .map(|q| (q.category, q.question))
                .collect();
            assert_eq!(back, questions, "{name}\n{}", written.text);
        }
    }

    #[test]
    fn never_panics_on_cut_or_scrambled_input() {
        let mut inputs: Vec<String> = Vec::new();
        if let Some(files) = corpus() {
            for (_, gift, _) in files {
                let cuts = (0..gift.len())
                    .step_by(7)
                    .filter(|&i| gift.is_char_boundary(i));
                inputs.extend(cuts.map(|i| gift[..i].to_string()));
            }
        }
        // Every string of up to four of GIFT's special characters.
        let alphabet: Vec<char> = "{}#=~:\\\n%->[]a .".chars().collect();
        let mut level = vec![String::new()];
        for _ in 0..4 {
            level = level
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(level.iter().cloned());
        }
        for input in &inputs {
            let result = parse_gift(input);
            let questions: Vec<_> = result
                .questions
                .into_iter()
                .map(|q| (q.category, q.question))
                .collect();
            write_gift(&questions);
            super::super::aiken::parse_aiken(input);
        }
    }

    #[test]
    fn long_runs_of_markers_or_blank_lines_stay_fast() {
        // Each would take minutes if a scan restarted at every marker or blank line.
        let ids = format!("// {}\nEssay?{{}}", "[id:".repeat(200_000));
        assert_eq!(parse_gift(&ids).questions.len(), 1);
        let braces = format!("Q {}", "{=a} ".repeat(100_000));
        assert_eq!(parse_gift(&braces).problems.len(), 1);
        let blanks = format!("Q?\nA. a{}B. b\nANSWER: A", "\n".repeat(200_000));
        assert_eq!(super::super::aiken::parse_aiken(&blanks).questions.len(), 1);
    }

    /// Corpus files where we knowingly differ from gift-pegjs's expected parse, and why.
    const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
        (
            "TFTwoFeedback.gift",
            "Moodle shows a true/false question's first #feedback for the wrong answer and the \
            second for the right one, so {TRUE#a#b} gives 'a' to false; gift-pegjs always gives the first to true. \
            We follow Moodle (qformat_gift::split_truefalse_comment).",
        ),
        (
            "category1.gift",
            "The file is only a $CATEGORY: line. ImportResult carries categories on questions, so \
            a category with no question after it imports nothing (Moodle would create the empty category).",
        ),
        (
            "categorySpecialCharacter.gift",
            "Only a $CATEGORY: line, as category1.gift; category names with a \
            colon are checked in reads_every_question_type.",
        ),
    ];

    /// The gift-pegjs test files as (file name, GIFT text, expected .json path), or None when
    /// this machine lacks them.
    fn corpus() -> Option<Vec<(String, String, PathBuf)>> {
        // Next to the checkout (../shared), or in the workplace's shared folder for clones made
        // elsewhere (CI clones into a temporary directory).
        const IN_SHARED: &str = "shared/corpus/questions/gift/tests/questions";
        let dir = std::env::var_os("LYCEUM_QUESTION_CORPUS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("..")
                    .join(IN_SHARED);
                if beside.is_dir() {
                    beside
                } else {
                    PathBuf::from("/work").join(IN_SHARED)
                }
            });
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!(
                "No GIFT corpus at {}; skipping (set LYCEUM_QUESTION_CORPUS).",
                dir.display()
            );
            return None;
        };
        let mut files: Vec<(String, String, PathBuf)> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "gift"))
            .map(|p| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = std::fs::read_to_string(&p).unwrap();
                (name, text, p.with_extension("json"))
            })
            .collect();
        files.sort();
        Some(files)
    }

    fn rich_json(r: &RichText) -> Value {
        json!({"format": format_name(r.format), "text": r.text})
    }
    fn opt_json(r: &Option<RichText>) -> Value {
        r.as_ref().map_or(Value::Null, rich_json)
    }
    fn choice_json(fraction: f64, text: Value, feedback: &Option<RichText>) -> Value {
        json!({"isCorrect": fraction >= 0.999_999, "weight": fraction * 100.0, "text": text, "feedback": opt_json(feedback)})
    }

    /// Our import in gift-pegjs's shape: a Category entry wherever the category changes.
    fn to_pegjs(result: &ImportResult) -> Value {
        let mut out = Vec::new();
        let mut category = None;
        for imported in &result.questions {
            if imported.category != category {
                if let Some(c) = &imported.category {
                    out.push(json!({"type": "Category", "title": c}));
                }
                category = imported.category.clone();
            }
            let q = &imported.question;
            let format = q.stem.format;
            let title = if imported.has_title {
                json!(q.name)
            } else {
                Value::Null
            };
            let tags = if q.tags.is_empty() {
                Value::Null
            } else {
                json!(q.tags)
            };
            let mut v = json!({"title": title, "stem": rich_json(&q.stem), "id": q.id_number, "tags": tags,
                "globalFeedback": opt_json(&q.general_feedback)});
            let extra = match &q.body {
                QuestionBody::SingleChoice { choices }
                | QuestionBody::MultipleResponse { choices } => {
                    let choices: Vec<Value> = choices
                        .iter()
                        .map(|c| choice_json(c.fraction, rich_json(&c.text), &c.feedback))
                        .collect();
                    json!({"type": "MC", "choices": choices})
                }
                QuestionBody::ShortAnswer { answers, .. } => {
                    let choices: Vec<Value> = answers
                        .iter()
                        .map(|a| {
                            choice_json(
                                a.fraction,
                                rich_json(&RichText::new(format, a.text.clone())),
                                &a.feedback,
                            )
                        })
                        .collect();
                    json!({"type": "Short", "choices": choices})
                }
                QuestionBody::TrueFalse {
                    correct,
                    true_feedback,
                    false_feedback,
                } => json!({"type": "TF",
                    "isTrue": correct, "trueFeedback": opt_json(true_feedback), "falseFeedback": opt_json(false_feedback)}),
                QuestionBody::Numeric { answers } => {
                    let choices: Vec<Value> = answers
                        .iter()
                        .map(|a| {
                            let text = match a.tolerance == ANY_NUMBER {
                                true => json!({"format": format_name(format), "text": "*"}),
                                false => json!({"type": "range", "number": a.value, "range": a.tolerance}),
                            };
                            choice_json(a.fraction, text, &a.feedback)
                        })
                        .collect();
                    json!({"type": "Numerical", "choices": choices})
                }
                QuestionBody::Matching { pairs, distractors } => {
                    let pairs = pairs.iter().map(
                        |p| json!({"subquestion": rich_json(&p.prompt), "subanswer": p.answer}),
                    );
                    let empty = RichText::new(format, "");
                    let extras = distractors
                        .iter()
                        .map(|d| json!({"subquestion": rich_json(&empty), "subanswer": d}));
                    json!({"type": "Matching", "matchPairs": pairs.chain(extras).collect::<Vec<_>>()})
                }
                QuestionBody::Essay => json!({"type": "Essay"}),
                QuestionBody::Description => json!({"type": "Description"}),
                other => json!({"type": other.type_label()}),
            };
            if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
                v.extend(extra);
            }
            out.push(v);
        }
        Value::Array(out)
    }

    /// gift-pegjs's three numeric shapes as one: `{fraction…, text: {number, range}}` (or `{any}`).
    fn numeric_choices(choices: &Value) -> Value {
        let number = |t: &Value, key: &str| t.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
        let range = |t: &Value| match t.get("type").and_then(Value::as_str) {
            Some("simple") => json!({"number": number(t, "number"), "range": 0.0}),
            Some("range") => json!({"number": number(t, "number"), "range": number(t, "range")}),
            Some("high-low") => {
                let (high, low) = (number(t, "numberHigh"), number(t, "numberLow"));
                json!({"number": (high + low) / 2.0, "range": (high - low) / 2.0})
            }
            _ => json!({"any": t.get("text")}),
        };
        match choices {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| {
                        let mut item = item.clone();
                        if let Some(text) = item.get_mut("text") {
                            *text = range(text);
                        }
                        item
                    })
                    .collect(),
            ),
            single => json!([{"isCorrect": true, "text": range(single)}]),
        }
    }

    /// Brings both sides to one shape: weights as fractions, numeric forms unified, nulls and
    /// `hasEmbeddedAnswers` dropped (our stem carries the `_____` itself). In moodle and plain
    /// text, runs of whitespace count as one space: gift-pegjs joins lines with spaces where
    /// Moodle (and we) keep the line breaks. HTML and Markdown must match exactly.
    fn normalise(v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
            Value::Object(o) => {
                let mut o = o.clone();
                o.remove("hasEmbeddedAnswers");
                if o.get("type") == Some(&json!("Numerical")) {
                    let choices = o.remove("choices").unwrap_or_default();
                    o.insert("choices".into(), numeric_choices(&choices));
                }
                if o.contains_key("isCorrect") {
                    let weight = o.remove("weight").and_then(|w| w.as_f64());
                    let correct = o.remove("isCorrect").and_then(|c| c.as_bool()) == Some(true);
                    let fraction = weight.map_or(if correct { 1.0 } else { 0.0 }, |w| w / 100.0);
                    o.insert("fraction".into(), json!(fraction));
                }
                let loose = matches!(
                    o.get("format").and_then(Value::as_str),
                    Some("moodle" | "plain")
                );
                if let (true, Some(Value::String(text))) = (loose, o.get_mut("text")) {
                    *text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                }
                let kept: Map<String, Value> = o
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), normalise(v)))
                    .collect();
                Value::Object(kept)
            }
            other => other.clone(),
        }
    }

    /// The first place two values differ (numbers compared as numbers), or None.
    fn difference(a: &Value, b: &Value, path: &str) -> Option<String> {
        let here = || Some(format!("{path}: expected {a}, got {b}"));
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0) {
                    None
                } else {
                    here()
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| difference(x, y, &format!("{path}[{i}]"))),
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(x), Some(y)) => difference(x, y, &format!("{path}.{k}")),
                    (x, y) => Some(format!("{path}.{k}: expected {x:?}, got {y:?}")),
                })
            }
            _ if a == b => None,
            _ => here(),
        }
    }

    #[test]
    fn agrees_with_the_gift_pegjs_corpus() {
        let Some(files) = corpus() else { return };
        assert!(files.len() >= 50, "only {} corpus files", files.len());
        let mut differing = BTreeMap::new();
        for (name, gift, json_path) in &files {
            let expected: Value =
                serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
            let result = parse_gift(gift);
            let ours = to_pegjs(&result);
            if let Some(d) = difference(&normalise(&expected), &normalise(&ours), "") {
                differing.insert(
                    name.as_str(),
                    format!("{d}\n    problems: {:?}", result.problems),
                );
            }
        }
        let known: BTreeSet<&str> = KNOWN_DIFFERENCES.iter().map(|(file, _)| *file).collect();
        let found: BTreeSet<&str> = differing.keys().copied().collect();
        let unexpected: Vec<String> = found
            .difference(&known)
            .map(|f| format!("{f}: {}", differing[f]))
            .collect();
        let now_agree: Vec<&&str> = known.difference(&found).collect();
        assert!(
            unexpected.is_empty() && now_agree.is_empty(),
            "Differences not in KNOWN_DIFFERENCES:\n  {}\nListed but now agreeing: {now_agree:?}",
            unexpected.join("\n  ")
        );
    }
}
