use super::*;
use crate::input::escape_html;
use std::path::{Path, PathBuf};

// ----- QTI 1.2 fixtures -----

/// A Canvas-style file: items inside the unnamed root section.
fn canvas_file(items: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <questestinterop xmlns=\"http://www.imsglobal.org/xsd/ims_qtiasiv1p2\">\n\
         <assessment ident=\"A1\" title=\"Quiz\">\n\
         <section ident=\"root_section\">\n{items}</section>\n</assessment>\n</questestinterop>\n"
    )
}
fn meta(question_type: &str, points: &str) -> String {
    format!(
        "<itemmetadata><qtimetadata>\
         <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>{question_type}</fieldentry></qtimetadatafield>\
         <qtimetadatafield><fieldlabel>points_possible</fieldlabel><fieldentry>{points}</fieldentry></qtimetadatafield>\
         </qtimetadata></itemmetadata>"
    )
}
/// HTML question text, escaped the way Canvas writes it.
fn html_material(html: &str) -> String {
    format!(
        "<material><mattext texttype=\"text/html\">{}</mattext></material>",
        escape_html(html)
    )
}
fn label(ident: &str, text: &str) -> String {
    format!(
        "<response_label ident=\"{ident}\"><material><mattext texttype=\"text/plain\">{text}</mattext></material></response_label>"
    )
}
fn lid(ident: &str, prompt: Option<&str>, cardinality: &str, labels: &[(&str, &str)]) -> String {
    let prompt = prompt
        .map(|p| format!("<material><mattext>{p}</mattext></material>"))
        .unwrap_or_default();
    let labels: String = labels.iter().map(|(i, t)| label(i, t)).collect();
    format!(
        "<response_lid ident=\"{ident}\" rcardinality=\"{cardinality}\">{prompt}<render_choice>{labels}</render_choice></response_lid>"
    )
}
/// A respcondition testing `tests` (already written), setting `score`, linking `feedback`.
fn when(tests: &str, score: Option<&str>, feedback: Option<&str>) -> String {
    let setvar = score
        .map(|s| format!("<setvar action=\"Set\" varname=\"SCORE\">{s}</setvar>"))
        .unwrap_or_default();
    let link = feedback
        .map(|f| format!("<displayfeedback feedbacktype=\"Response\" linkrefid=\"{f}\"/>"))
        .unwrap_or_default();
    format!("<respcondition><conditionvar>{tests}</conditionvar>{setvar}{link}</respcondition>")
}
fn equal(response: &str, value: &str) -> String {
    format!("<varequal respident=\"{response}\">{value}</varequal>")
}
fn feedback(ident: &str, html: &str) -> String {
    format!(
        "<itemfeedback ident=\"{ident}\"><flow_mat>{}</flow_mat></itemfeedback>",
        html_material(html)
    )
}
fn processing(conditions: &[String]) -> String {
    format!(
        "<resprocessing><outcomes><decvar maxvalue=\"100\" minvalue=\"0\" varname=\"SCORE\" vartype=\"Decimal\"/></outcomes>{}</resprocessing>",
        conditions.concat()
    )
}
fn str_response(ident: &str, fibtype: Option<&str>) -> String {
    let fibtype = fibtype
        .map(|t| format!(" fibtype=\"{t}\""))
        .unwrap_or_default();
    format!(
        "<response_str ident=\"{ident}\" rcardinality=\"Single\"><render_fib{fibtype}><response_label ident=\"answer1\"/></render_fib></response_str>"
    )
}

fn only_question(input: &str) -> ImportedQuestion {
    let result = parse_qti(input);
    assert_eq!(result.problems, vec![], "{input}");
    assert_eq!(result.questions.len(), 1, "{input}");
    result.questions.into_iter().next().unwrap()
}
fn html(text: &str) -> RichText {
    RichText::new(TextFormat::Html, text)
}
fn fractions(body: &QuestionBody) -> Vec<f64> {
    match body {
        QuestionBody::SingleChoice { choices } | QuestionBody::MultipleResponse { choices } => {
            choices
                .iter()
                .map(|c| (c.fraction * 1e6).round() / 1e6)
                .collect()
        }
        other => panic!("not a choice question: {other:?}"),
    }
}

#[test]
fn reads_a_canvas_multiple_choice_with_its_feedback() {
    let item = format!(
        "<item ident=\"q1\" title=\"Capital\">{}<presentation>{}{}</presentation>{}{}{}{}</item>\n",
        meta("multiple_choice_question", "2.0"),
        html_material("<p>Capital of <b>France</b>?</p>"),
        lid(
            "response1",
            None,
            "Single",
            &[("a", "Paris"), ("b", "Lyon")]
        ),
        processing(&[
            when("<other/>", None, Some("general_fb")),
            when(&equal("response1", "a"), None, Some("a_fb")),
            when(&equal("response1", "b"), None, Some("b_fb")),
            when(&equal("response1", "a"), Some("100"), Some("correct_fb")),
        ]),
        feedback("general_fb", "<p>Neutral</p>"),
        feedback("correct_fb", "<p>Well done</p>"),
        feedback("b_fb", "<p>No, Lyon is not.</p>"),
    );
    let imported = only_question(&canvas_file(&item));
    assert_eq!(imported.line, 5);
    assert_eq!(imported.category, None);
    assert!(imported.has_title);
    let q = imported.question;
    assert_eq!(q.name, "Capital");
    assert_eq!(q.id_number.as_deref(), Some("q1"));
    assert_eq!(q.default_mark, 2.0);
    assert_eq!(q.stem, html("<p>Capital of <b>France</b>?</p>"));
    assert_eq!(q.general_feedback, Some(html("<p>Neutral</p>")));
    let QuestionBody::SingleChoice { choices } = &q.body else {
        panic!("{:?}", q.body)
    };
    assert_eq!(choices[0].text, RichText::plain("Paris"));
    assert_eq!(choices[0].fraction, 1.0);
    // correct_fb is item-level feedback, not the answer's own.
    assert_eq!(choices[0].feedback, None);
    assert_eq!(choices[1].fraction, 0.0);
    assert_eq!(choices[1].feedback, Some(html("<p>No, Lyon is not.</p>")));
}

#[test]
fn multiple_answers_share_the_mark_and_wrong_ones_take_it_back() {
    // Canvas: one all-or-nothing condition, wrong answers under <not>.
    let tests = format!(
        "<and>{}<not>{}</not>{}<not>{}</not><not>{}</not></and>",
        equal("r", "a"),
        equal("r", "b"),
        equal("r", "c"),
        equal("r", "d"),
        equal("r", "e")
    );
    let item = format!(
        "<item ident=\"q\" title=\"Primes\">{}<presentation>{}{}</presentation>{}</item>",
        meta("multiple_answers_question", "1.0"),
        html_material("<p>Pick the primes</p>"),
        lid(
            "r",
            None,
            "Multiple",
            &[("a", "2"), ("b", "4"), ("c", "3"), ("d", "6"), ("e", "8")]
        ),
        processing(&[when(&tests, Some("100"), None)]),
    );
    let q = only_question(&canvas_file(&item)).question;
    let third = -1.0 / 3.0;
    assert_eq!(
        fractions(&q.body),
        [0.5, third, 0.5, third, third].map(|f| (f * 1e6_f64).round() / 1e6)
    );
    // Other exporters score each answer; the positive ones add up to 100 %.
    let item = format!(
        "<item ident=\"q\" title=\"Primes\"><presentation>{}{}</presentation>{}</item>",
        html_material("<p>Pick the primes</p>"),
        lid("r", None, "Multiple", &[("a", "2"), ("b", "4"), ("c", "3")]),
        processing(&[
            when(&equal("r", "a"), Some("25"), None),
            when(&equal("r", "b"), Some("-10"), None),
            when(&equal("r", "c"), Some("25"), None),
        ]),
    );
    let q = only_question(&canvas_file(&item)).question;
    assert!(matches!(q.body, QuestionBody::MultipleResponse { .. }));
    assert_eq!(fractions(&q.body), vec![0.5, -0.2, 0.5]);
}

#[test]
fn reads_true_false_with_answer_feedback() {
    let item = format!(
        "<item ident=\"tf\" title=\"Jung\">{}<presentation>{}{}</presentation>{}{}</item>",
        meta("true_false_question", "1.0"),
        html_material("<p>Jung was Swiss.</p>"),
        lid("r", None, "Single", &[("t", "True"), ("f", "False")]),
        processing(&[
            when(&equal("r", "t"), None, Some("t_fb")),
            when(&equal("r", "t"), Some("100"), None),
        ]),
        feedback("t_fb", "Yes"),
    );
    let q = only_question(&canvas_file(&item)).question;
    assert_eq!(
        q.body,
        QuestionBody::TrueFalse {
            correct: true,
            true_feedback: Some(html("Yes")),
            false_feedback: None
        }
    );
}

#[test]
fn reads_short_answers_and_escapes_stars() {
    let item = format!(
        "<item ident=\"sa\" title=\"Blank\">{}<presentation>{}{}</presentation>{}{}</item>",
        meta("short_answer_question", "1.0"),
        html_material("<p>Fill in the</p>"),
        str_response("response1", None),
        processing(&[
            when(&equal("response1", "Blank"), None, Some("x_fb")),
            when(
                &[equal("response1", "Blank"), equal("response1", "a*b")].concat(),
                Some("100"),
                None
            ),
        ]),
        feedback("x_fb", "Right"),
    );
    let q = only_question(&canvas_file(&item)).question;
    assert_eq!(
        q.body,
        QuestionBody::ShortAnswer {
            answers: vec![
                TextAnswer {
                    text: "Blank".into(),
                    fraction: 1.0,
                    feedback: Some(html("Right"))
                },
                TextAnswer {
                    text: "a\\*b".into(),
                    fraction: 1.0,
                    feedback: None
                },
            ],
            case_sensitive: false
        }
    );
}

#[test]
fn canvas_blanks_become_numbered_blanks_in_reading_order() {
    // Fill in multiple blanks: every listed answer is accepted; blank names may be numbers.
    let item = format!(
        "<item ident=\"fb\" title=\"Roses\">{}<presentation>{}{}{}</presentation>{}</item>",
        meta("fill_in_multiple_blanks_question", "1.0"),
        html_material("<p>[2] are red, violets are [1].</p>"),
        lid(
            "response_1",
            Some("1"),
            "Single",
            &[("b1", "blue"), ("b2", "Blue")]
        ),
        lid("response_2", Some("2"), "Single", &[("r1", "Roses")]),
        processing(&[
            when(&equal("response_1", "b1"), Some("50"), None),
            when(&equal("response_2", "r1"), Some("50"), None),
        ]),
    );
    let q = only_question(&canvas_file(&item)).question;
    assert_eq!(q.stem, html("<p>[[1]] are red, violets are [[2]].</p>"));
    let blank = |answers: &[&str]| Blank {
        answers: answers.iter().map(|a| a.to_string()).collect(),
        case_sensitive: false,
    };
    assert_eq!(
        q.body,
        QuestionBody::FillBlanks {
            blanks: vec![blank(&["Roses"]), blank(&["blue", "Blue"])]
        }
    );
    // Dropdowns accept only the right choice; a missing [name] is a problem.
    let dropdown = |stem: &str| {
        format!(
            "<item ident=\"dd\" title=\"Pick\">{}<presentation>{}{}</presentation>{}</item>",
            meta("multiple_dropdowns_question", "1.0"),
            html_material(stem),
            lid("response_x", Some("x"), "Single", &[("1", "a"), ("2", "b")]),
            processing(&[when(&equal("response_x", "2"), Some("100"), None)]),
        )
    };
    let q = only_question(&canvas_file(&dropdown("<p>Pick [x].</p>"))).question;
    assert_eq!(q.stem, html("<p>Pick [[1]].</p>"));
    assert_eq!(
        q.body,
        QuestionBody::FillBlanks {
            blanks: vec![blank(&["b"])]
        }
    );
    let result = parse_qti(&canvas_file(&dropdown("<p>Pick one.</p>")));
    assert_eq!(result.questions, vec![]);
    assert_eq!(
        result.problems,
        vec![ImportProblem {
            line: 5,
            message: "Item 'Pick': the text has no [x] to show where that blank goes.".into()
        }]
    );
}

#[test]
fn reads_exact_ranged_and_margin_numeric_answers() {
    let margin = format!(
        "<or>{}<and><vargte respident=\"r\">70.0</vargte><varlte respident=\"r\">84.0</varlte></and></or>",
        equal("r", "77.0")
    );
    let range =
        "<vargte respident=\"r\">1.0</vargte><varlte respident=\"r\">22.0</varlte>".to_string();
    let item = format!(
        "<item ident=\"n\" title=\"Number\">{}<presentation>{}{}</presentation>{}{}</item>",
        meta("numerical_question", "3"),
        html_material("<p>Pick a number</p>"),
        str_response("r", Some("Decimal")),
        processing(&[
            when(&equal("r", "42"), Some("100"), Some("exact_fb")),
            when(&range, Some("50"), None),
            when(&margin, Some("100"), None),
        ]),
        feedback("exact_fb", "Exactly"),
    );
    let q = only_question(&canvas_file(&item)).question;
    assert_eq!(q.default_mark, 3.0);
    let answer = |value, tolerance, fraction, feedback: Option<RichText>| NumericAnswer {
        value,
        tolerance,
        fraction,
        feedback,
    };
    assert_eq!(
        q.body,
        QuestionBody::Numeric {
            answers: vec![
                answer(42.0, 0.0, 1.0, Some(html("Exactly"))),
                answer(11.5, 10.5, 0.5, None),
                answer(77.0, 7.0, 1.0, None),
            ]
        }
    );
}

#[test]
fn reads_matching_with_distractors_and_section_categories() {
    let labels = [("1", "Paris"), ("2", "Rome"), ("3", "Oslo")];
    let item = format!(
        "<item ident=\"m\" title=\"\">{}<presentation>{}{}{}{}</presentation>{}</item>",
        meta("matching_question", "1.0"),
        html_material("<p>Match the capitals</p>"),
        lid("response_a", Some("France"), "Single", &labels),
        lid("response_b", Some("Italy"), "Single", &labels),
        // Canvas writes rows left empty as blank prompts.
        lid("response_c", Some(""), "Single", &labels),
        processing(&[
            when(&equal("response_a", "1"), Some("50"), None),
            when(&equal("response_b", "2"), Some("50"), None),
        ]),
    );
    let input = format!(
        "<questestinterop><assessment title=\"Quiz\"><section ident=\"s1\" title=\"Geography\">\
         <section ident=\"s2\">{item}</section></section></assessment></questestinterop>"
    );
    let imported = only_question(&input);
    assert_eq!(imported.category.as_deref(), Some("Geography"));
    assert!(!imported.has_title);
    assert_eq!(imported.question.name, "Match the capitals");
    assert_eq!(
        imported.question.body,
        QuestionBody::Matching {
            pairs: vec![
                MatchPair {
                    prompt: RichText::plain("France"),
                    answer: "Paris".into()
                },
                MatchPair {
                    prompt: RichText::plain("Italy"),
                    answer: "Rome".into()
                },
            ],
            distractors: vec!["Oslo".into()]
        }
    );
}

#[test]
fn reads_essays_and_text_only_items() {
    let essay = format!(
        "<item ident=\"e\" title=\"Essay\">{}<presentation>{}{}</presentation></item>",
        meta("essay_question", "5"),
        html_material("<p>Discuss.</p>"),
        str_response("r", None),
    );
    let text = format!(
        "<item ident=\"t\" title=\"Intro\">{}<presentation>{}</presentation></item>",
        meta("text_only_question", "0.0"),
        html_material("<p>Read this first.</p>"),
    );
    // Without metadata, a text box nothing is compared with is an essay too.
    let bare = format!(
        "<item ident=\"b\"><presentation><material><mattext>Why?</mattext></material>{}</presentation></item>",
        str_response("r", None)
    );
    let result = parse_qti(&canvas_file(&[essay, text, bare].concat()));
    assert_eq!(result.problems, vec![]);
    let bodies: Vec<(&QuestionBody, f64, &str)> = result
        .questions
        .iter()
        .map(|q| {
            (
                &q.question.body,
                q.question.default_mark,
                q.question.name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        bodies,
        vec![
            (&QuestionBody::Essay, 5.0, "Essay"),
            (&QuestionBody::Description, 0.0, "Intro"),
            (&QuestionBody::Essay, 1.0, "Why?"),
        ]
    );
    assert_eq!(result.questions[2].question.stem, RichText::plain("Why?"));
}

#[test]
fn unsupported_items_are_reported_and_the_rest_still_read() {
    let hot_spot = format!(
        "<item ident=\"h\" title=\"Where\">{}<presentation>{}</presentation></item>\n",
        meta("hot_spot_question", "1"),
        html_material("Click it")
    );
    let formula = format!(
        "<item ident=\"f\" title=\"Formula\"><presentation>{}{}</presentation><itemproc_extension><calculated/></itemproc_extension></item>\n",
        html_material("[x] + 1?"),
        str_response("r", Some("Decimal"))
    );
    let good = format!(
        "<item ident=\"g\" title=\"Good\">{}<presentation>{}</presentation></item>\n",
        meta("essay_question", "1"),
        html_material("Explain.")
    );
    let broken = format!(
        "<item ident=\"x\" title=\"No answer\">{}<presentation>{}{}</presentation></item>\n",
        meta("multiple_choice_question", "1"),
        html_material("Which?"),
        lid("r", None, "Single", &[("a", "A"), ("b", "B")])
    );
    let result = parse_qti(&canvas_file(&[hot_spot, formula, good, broken].concat()));
    let problems: Vec<(usize, &str)> = result
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (5, "Item 'Where': hot spot questions are not supported."),
            (
                6,
                "Item 'Formula': calculated (formula) questions are not supported."
            ),
            (
                8,
                "Question 'No answer': One answer must be fully correct (100 %)."
            ),
        ]
    );
    assert_eq!(result.questions.len(), 1);
    assert_eq!(result.questions[0].line, 7);
}

#[test]
fn reads_standard_qti_blanks_and_ordering_without_metadata() {
    let blanks = "<item ident=\"fib\" title=\"Richard\"><presentation>\
        <material><mattext>Now is the </mattext></material>\
        <response_str ident=\"F1\"><render_fib/></response_str>\
        <material><mattext> of our discontent made glorious </mattext></material>\
        <response_str ident=\"F2\"><render_fib/></response_str>\
        </presentation><resprocessing><respcondition><conditionvar>\
        <varequal respident=\"F1\" case=\"Yes\">winter</varequal><varequal respident=\"F2\" case=\"Yes\">summer</varequal>\
        </conditionvar><setvar action=\"Add\">2</setvar></respcondition></resprocessing></item>";
    let ordering = "<item ident=\"o\" title=\"Days\"><presentation><flow>\
        <material><mattext>Order the days</mattext></material>\
        <response_lid ident=\"O\" rcardinality=\"Ordered\"><render_extension><ims_render_object><flow_label>\
        <response_label ident=\"A\"><material><mattext>Monday</mattext></material></response_label>\
        <response_label ident=\"B\"><material><mattext>Wednesday</mattext></material></response_label>\
        <response_label ident=\"C\"><material><mattext>Tuesday</mattext></material></response_label>\
        </flow_label></ims_render_object></render_extension></response_lid></flow></presentation>\
        <resprocessing><respcondition><conditionvar><varequal respident=\"O\">A</varequal>\
        <varequal respident=\"O\">C</varequal><varequal respident=\"O\">B</varequal></conditionvar>\
        <setvar action=\"Add\">5</setvar></respcondition></resprocessing></item>";
    let result = parse_qti(&format!(
        "<questestinterop>{blanks}{ordering}</questestinterop>"
    ));
    assert_eq!(result.problems, vec![]);
    let q = &result.questions[0].question;
    assert_eq!(
        q.stem,
        RichText::plain("Now is the [[1]] of our discontent made glorious [[2]]")
    );
    let blank = |a: &str| Blank {
        answers: vec![a.into()],
        case_sensitive: true,
    };
    assert_eq!(
        q.body,
        QuestionBody::FillBlanks {
            blanks: vec![blank("winter"), blank("summer")]
        }
    );
    assert_eq!(
        result.questions[1].question.body,
        QuestionBody::Ordering {
            items: vec!["Monday".into(), "Tuesday".into(), "Wednesday".into()]
        }
    );
}

// ----- QTI 2.x fixtures -----

fn item2(declarations: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p1\" identifier=\"it\" title=\"Item\">\n\
         {declarations}\n<itemBody>{body}</itemBody>\n</assessmentItem>"
    )
}
fn declaration(id: &str, cardinality: &str, base: &str, inner: &str) -> String {
    format!(
        "<responseDeclaration identifier=\"{id}\" cardinality=\"{cardinality}\" baseType=\"{base}\">{inner}</responseDeclaration>"
    )
}
fn correct(values: &[&str]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<value>{v}</value>"))
        .collect();
    format!("<correctResponse>{values}</correctResponse>")
}

#[test]
fn reads_qti2_single_and_multiple_choice() {
    let input = item2(
        &format!(
            "{}<outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\" normalMaximum=\"4\"/>",
            declaration("R", "single", "identifier", &correct(&["B"]))
        ),
        "<p>Look:</p><p><img src=\"images/a.png\" alt=\"A &amp; B\"/></p>\
         <choiceInteraction responseIdentifier=\"R\" maxChoices=\"1\"><prompt>Which one?</prompt>\
         <simpleChoice identifier=\"A\">One</simpleChoice>\
         <simpleChoice identifier=\"B\"><b>Two</b><feedbackInline identifier=\"B\" outcomeIdentifier=\"FEEDBACK\" showHide=\"show\">Yes</feedbackInline></simpleChoice>\
         </choiceInteraction>",
    );
    let imported = only_question(&input);
    assert_eq!(imported.line, 2);
    assert_eq!(imported.category, None);
    let q = imported.question;
    assert_eq!(q.name, "Item");
    assert_eq!(q.id_number.as_deref(), Some("it"));
    assert_eq!(q.default_mark, 4.0);
    assert_eq!(
        q.stem,
        html("<p>Look:</p><p><img src=\"images/a.png\" alt=\"A &amp; B\"></p><p>Which one?</p>")
    );
    assert_eq!(
        q.body,
        QuestionBody::SingleChoice {
            choices: vec![
                Choice {
                    text: html("One"),
                    fraction: 0.0,
                    feedback: None
                },
                Choice {
                    text: html("<b>Two</b>"),
                    fraction: 1.0,
                    feedback: Some(html("Yes"))
                },
            ]
        }
    );
    let mapped = "<mapping lowerBound=\"0\" defaultValue=\"0\"><mapEntry mapKey=\"H\" mappedValue=\"1\"/>\
        <mapEntry mapKey=\"O\" mappedValue=\"1\"/><mapEntry mapKey=\"C\" mappedValue=\"-1\"/></mapping>";
    let choices = "<simpleChoice identifier=\"H\">Hydrogen</simpleChoice><simpleChoice identifier=\"C\">Carbon</simpleChoice>\
        <simpleChoice identifier=\"O\">Oxygen</simpleChoice>";
    let with_mapping = item2(
        &declaration(
            "R",
            "multiple",
            "identifier",
            &format!("{}{mapped}", correct(&["H", "O"])),
        ),
        &format!(
            "<choiceInteraction responseIdentifier=\"R\" maxChoices=\"0\"><prompt>Water?</prompt>{choices}</choiceInteraction>"
        ),
    );
    let q = only_question(&with_mapping).question;
    assert!(matches!(q.body, QuestionBody::MultipleResponse { .. }));
    assert_eq!(fractions(&q.body), vec![0.5, -0.5, 0.5]);
    let correct_only = item2(
        &declaration("R", "multiple", "identifier", &correct(&["H", "O"])),
        &format!(
            "<p>Water?</p><choiceInteraction responseIdentifier=\"R\" maxChoices=\"3\">{choices}</choiceInteraction>"
        ),
    );
    let q = only_question(&correct_only).question;
    assert_eq!(fractions(&q.body), vec![0.5, -1.0, 0.5]);
    assert_eq!(q.default_mark, 1.0);
}

#[test]
fn reads_qti2_text_entries_as_short_answers_numbers_or_blanks() {
    let mapping = "<mapping defaultValue=\"0\"><mapEntry mapKey=\"York\" mappedValue=\"1\" caseSensitive=\"true\"/>\
        <mapEntry mapKey=\"york\" mappedValue=\"0.5\" caseSensitive=\"true\"/></mapping>";
    let input = item2(
        &declaration(
            "R",
            "single",
            "string",
            &format!("{}{mapping}", correct(&["York"])),
        ),
        "<p>Sun of <textEntryInteraction responseIdentifier=\"R\"/>;</p>",
    );
    let q = only_question(&input).question;
    assert_eq!(q.stem, html("<p>Sun of _____;</p>"));
    let answer = |text: &str, fraction| TextAnswer {
        text: text.into(),
        fraction,
        feedback: None,
    };
    assert_eq!(
        q.body,
        QuestionBody::ShortAnswer {
            answers: vec![answer("York", 1.0), answer("york", 0.5)],
            case_sensitive: true
        }
    );
    let number = item2(
        &declaration("R", "single", "float", &correct(&["7.389"])),
        "<p>e squared? <textEntryInteraction responseIdentifier=\"R\"/></p>",
    );
    let q = only_question(&number).question;
    assert_eq!(
        q.body,
        QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 7.389,
                tolerance: 0.0,
                fraction: 1.0,
                feedback: None
            }]
        }
    );
    let blanks = item2(
        &format!(
            "{}{}",
            declaration("A", "single", "string", &correct(&["winter"])),
            declaration("B", "single", "identifier", &correct(&["S"]))
        ),
        "<p>Now is the <textEntryInteraction responseIdentifier=\"A\"/> of our discontent made glorious \
         <inlineChoiceInteraction responseIdentifier=\"B\"><inlineChoice identifier=\"W\">winter</inlineChoice>\
         <inlineChoice identifier=\"S\">summer</inlineChoice></inlineChoiceInteraction>.</p>",
    );
    let q = only_question(&blanks).question;
    assert_eq!(
        q.stem,
        html("<p>Now is the [[1]] of our discontent made glorious [[2]].</p>")
    );
    let blank = |a: &str| Blank {
        answers: vec![a.into()],
        case_sensitive: false,
    };
    assert_eq!(
        q.body,
        QuestionBody::FillBlanks {
            blanks: vec![blank("winter"), blank("summer")]
        }
    );
}

#[test]
fn reads_qti2_order_match_associate_and_essay() {
    let order = item2(
        &declaration("R", "ordered", "identifier", &correct(&["C", "A", "B"])),
        "<orderInteraction responseIdentifier=\"R\"><prompt>Order them</prompt>\
         <simpleChoice identifier=\"A\">Barrichello</simpleChoice><simpleChoice identifier=\"B\">Button</simpleChoice>\
         <simpleChoice identifier=\"C\">Schumacher</simpleChoice></orderInteraction>",
    );
    let q = only_question(&order).question;
    assert_eq!(q.stem, html("<p>Order them</p>"));
    assert_eq!(
        q.body,
        QuestionBody::Ordering {
            items: vec!["Schumacher".into(), "Barrichello".into(), "Button".into()]
        }
    );
    let pair = |p: &str, a: &str| MatchPair {
        prompt: html(p),
        answer: a.into(),
    };
    let matching = item2(
        &declaration("R", "multiple", "directedPair", &correct(&["D M", "C R"])),
        "<matchInteraction responseIdentifier=\"R\"><prompt>Match</prompt>\
         <simpleMatchSet><simpleAssociableChoice identifier=\"C\">Capulet</simpleAssociableChoice>\
         <simpleAssociableChoice identifier=\"D\">Demetrius</simpleAssociableChoice></simpleMatchSet>\
         <simpleMatchSet><simpleAssociableChoice identifier=\"M\">Midsummer</simpleAssociableChoice>\
         <simpleAssociableChoice identifier=\"R\">Romeo</simpleAssociableChoice>\
         <simpleAssociableChoice identifier=\"T\">Tempest</simpleAssociableChoice></simpleMatchSet></matchInteraction>",
    );
    assert_eq!(
        only_question(&matching).question.body,
        QuestionBody::Matching {
            pairs: vec![pair("Capulet", "Romeo"), pair("Demetrius", "Midsummer")],
            distractors: vec!["Tempest".into()]
        }
    );
    let associate = item2(
        &declaration("R", "multiple", "pair", &correct(&["A P"])),
        "<associateInteraction responseIdentifier=\"R\"><prompt>Rivals</prompt><simpleAssociableChoice identifier=\"A\">Antonio</simpleAssociableChoice>\
         <simpleAssociableChoice identifier=\"L\">Lysander</simpleAssociableChoice>\
         <simpleAssociableChoice identifier=\"P\">Prospero</simpleAssociableChoice></associateInteraction>",
    );
    assert_eq!(
        parse_qti(&associate).problems,
        vec![ImportProblem {
            line: 2,
            message: "Question 'Item': A matching question needs at least two pairs.".into()
        }]
    );
    let essay = item2(
        &declaration("R", "single", "string", ""),
        "<p>About the postcard.</p><rubricBlock view=\"scorer\"><p>Three points</p></rubricBlock>\
         <extendedTextInteraction responseIdentifier=\"R\"><prompt><b>Write</b> 30 words.</prompt></extendedTextInteraction>",
    );
    let q = only_question(&essay).question;
    assert_eq!(q.body, QuestionBody::Essay);
    assert_eq!(
        q.stem,
        html("<p>About the postcard.</p><p><b>Write</b> 30 words.</p>")
    );
}

#[test]
fn qti2_items_lyceum_cannot_hold_are_problems() {
    let hotspot = item2(
        &declaration("R", "single", "identifier", &correct(&["A"])),
        "<hotspotInteraction responseIdentifier=\"R\"><object data=\"a.png\"/></hotspotInteraction>",
    );
    let template = item2(
        "<templateDeclaration identifier=\"X\" cardinality=\"single\" baseType=\"integer\"/>",
        "<p>What is <printedVariable identifier=\"X\"/>?</p>",
    );
    let mixed = item2(
        "",
        "<choiceInteraction responseIdentifier=\"A\"/><uploadInteraction responseIdentifier=\"B\"/>",
    );
    let messages: Vec<String> = [hotspot, template, mixed]
        .iter()
        .flat_map(|input| parse_qti(input).problems)
        .map(|p| format!("{}: {}", p.line, p.message))
        .collect();
    assert_eq!(
        messages,
        vec![
            "2: Item 'Item': hotspot interactions (hotspotInteraction) are not supported.",
            "2: Item 'Item': it uses template variables (values that change on each attempt), which are not supported.",
            "2: Item 'Item': it combines 2 interactions (choiceInteraction, uploadInteraction); a Lyceum question holds one.",
        ]
    );
}

#[test]
fn files_that_are_not_qti_items_are_one_problem() {
    let problems = |input: &str| -> Vec<(usize, String)> {
        parse_qti(input)
            .problems
            .into_iter()
            .map(|p| (p.line, p.message))
            .collect()
    };
    let gift = problems("::Q1:: What is 2+2? {=4}");
    assert_eq!(gift.len(), 1);
    assert_eq!(gift[0].0, 1);
    assert!(
        gift[0].1.starts_with("The file is not well-formed XML"),
        "{gift:?}"
    );
    let cut = problems("\u{feff}<questestinterop>\n<item ident=\"a\">\n</questestinterop>");
    assert_eq!(cut.len(), 1);
    assert_eq!(cut[0].0, 3);
    assert!(cut[0].1.contains("(line 3, column"), "{cut:?}");
    assert_eq!(
        problems("<?xml version=\"1.0\"?>\n\n<assessmentTest identifier=\"t\"/>"),
        vec![(
            1,
            "This is not a QTI question file: its root element is <assessmentTest>, not \
             <questestinterop> (QTI 1.2) or <assessmentItem> (QTI 2.1/2.2). It is a QTI 2 \
             test; import the item files it refers to instead."
                .to_string()
        )]
    );
    assert_eq!(
        problems("<questestinterop>\n<assessment/></questestinterop>"),
        vec![(
            1,
            "The file holds no questions: it has no <item> elements.".to_string()
        )]
    );
}

// ----- the shared corpus -----

/// The QTI corpus folder, or None when this machine lacks it.
fn corpus() -> Option<PathBuf> {
    let root = std::env::var_os("LYCEUM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")));
    let dir = root.join("qti");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "No QTI corpus at {}; skipping (set LYCEUM_CORPUS).",
            dir.display()
        );
        None
    }
}

fn read(path: &Path) -> ImportResult {
    // Some files declare ISO-8859-1; the importer takes decoded text.
    parse_qti(&String::from_utf8_lossy(&std::fs::read(path).unwrap()))
}

fn xml_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn kinds(result: &ImportResult) -> Vec<&'static str> {
    result
        .questions
        .iter()
        .map(|q| q.question.body.type_key())
        .collect()
}

#[test]
fn every_corpus_file_gives_questions_or_problems() {
    let Some(dir) = corpus() else { return };
    let mut files = xml_files(&dir, "_1.2.xml");
    for folder in ["items_1.2", "items_2.1", "items_2.2"] {
        files.extend(xml_files(&dir.join(folder), ".xml"));
    }
    assert!(files.len() > 100, "{} files", files.len());
    for path in &files {
        let result = read(path);
        let name = path.strip_prefix(&dir).unwrap().display();
        println!(
            "{name}: {:?} {:?}",
            kinds(&result),
            result
                .problems
                .iter()
                .map(|p| (p.line, &p.message))
                .collect::<Vec<_>>()
        );
        assert!(
            !result.questions.is_empty() || !result.problems.is_empty(),
            "{name} gave nothing"
        );
    }
}

#[test]
fn corpus_items_read_as_their_sources_say() {
    let Some(dir) = corpus() else { return };
    let body = |file: &str| -> QuestionBody {
        let result = read(&dir.join(file));
        assert_eq!(result.problems, vec![], "{file}");
        assert_eq!(result.questions.len(), 1, "{file}");
        result.questions[0].question.body.clone()
    };

    // Ten Canvas questions, one of each type; only the formula question cannot come in.
    let all = read(&dir.join("all_canvas_simple_1.2.xml"));
    assert_eq!(
        kinds(&all),
        vec![
            "single_choice",
            "true_false",
            "short_answer",
            "fill_blanks",
            "multiple_response",
            "fill_blanks",
            "matching",
            "numeric",
            "essay"
        ]
    );
    let problems: Vec<&str> = all.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        problems,
        vec!["Item 'Question 9': calculated (formula) questions are not supported."]
    );
    assert!(
        all.questions
            .iter()
            .all(|q| q.category.is_none() && q.has_title)
    );
    let QuestionBody::FillBlanks { blanks } = &all.questions[3].question.body else {
        panic!()
    };
    assert_eq!(blanks[0].answers, vec!["Multiple", "multiple"]);
    assert!(
        all.questions[3]
            .question
            .stem
            .text
            .contains("Fill in [[1]] [[2]]")
    );

    // que_score 10 of an undeclared maximum: the 10-point answer is the right one.
    let QuestionBody::SingleChoice { choices } = body("items_1.2/multiple_choice.xml") else {
        panic!()
    };
    let right: Vec<String> = choices
        .iter()
        .filter(|c| c.fraction == 1.0)
        .map(|c| c.text.text.clone())
        .collect();
    assert_eq!(right, vec!["At least 3 hours"]);
    assert_eq!(choices.len(), 5);

    let QuestionBody::TrueFalse {
        correct,
        false_feedback,
        ..
    } = body("items_1.2/true_false.xml")
    else {
        panic!()
    };
    assert!(!correct);
    assert!(false_feedback.unwrap().text.contains("Answer was Correct"));

    let QuestionBody::Matching { pairs, distractors } = body("items_1.2/matching.xml") else {
        panic!()
    };
    assert_eq!(
        pairs
            .iter()
            .map(|p| p.prompt.text.as_str())
            .collect::<Vec<_>>(),
        vec!["Light Microscope", "Electron Microscopes"]
    );
    assert!(pairs[0].answer.starts_with("Magnify up to about 400 times"));
    assert!(pairs[1].answer.starts_with("Uses a beam of electrons"));
    assert_eq!(distractors, vec!["A distractor answer."]);

    assert_eq!(body("items_1.2/essay.xml"), QuestionBody::Essay);

    let hot_spot = read(&dir.join("items_1.2/hot_spot.xml"));
    assert!(hot_spot.questions.is_empty());
    assert_eq!(hot_spot.problems.len(), 4);
    assert!(
        hot_spot
            .problems
            .iter()
            .all(|p| p.message.contains("hot spot"))
    );

    let choice = read(&dir.join("items_2.1/choice.xml"));
    let q = &choice.questions[0].question;
    assert_eq!(q.name, "Unattended Luggage");
    assert!(q.stem.text.contains("<img src=\"images/sign.png\""));
    assert!(q.stem.text.ends_with("<p>What does it say?</p>"));
    assert_eq!(fractions(&q.body), vec![1.0, 0.0, 0.0]);

    let essay = read(&dir.join("items_2.1/essay.xml"));
    assert_eq!(essay.questions[0].question.body, QuestionBody::Essay);
    assert_eq!(essay.questions[0].question.default_mark, 25.0);

    let QuestionBody::Matching { pairs, distractors } = body("items_2.1/match.xml") else {
        panic!()
    };
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.prompt.text.as_str(), p.answer.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("Antonio", "Prospero"),
            ("Capulet", "Montague"),
            ("Demetrius", "Lysander")
        ]
    );
    assert!(distractors.is_empty());
}
