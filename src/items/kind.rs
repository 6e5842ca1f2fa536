//! The list of course item kinds and what each one is (compiles for the browser too). This is the
//! only place that names them all; what each kind *does* is plugged in by `items::registry`.
//! Adding a kind: see ARCHITECTURE.md, "How to add an item kind".

use crate::string_enum;

string_enum!(
    /// What an item is; each kind brings its own editor panel, player and lifecycle hooks.
    ItemKind {
        Lesson = "lesson" / "Lesson",
        File = "file" / "File",
        Video = "video" / "Video",
        Link = "link" / "External link",
        Quiz = "quiz" / "Quiz",
        Assignment = "assignment" / "Assignment",
        Acknowledgement = "acknowledgement" / "Acknowledgement",
        Scorm = "scorm" / "SCORM package",
        Cmi5 = "cmi5" / "cmi5 course",
    }
);

string_enum!(
    /// A date (or limit) of an item that instructors may set differently for some learners.
    DateField {
        Due = "due_at" / "Due",
        Cutoff = "cutoff_at" / "Cut-off",
        Opens = "opens_at" / "Opens",
        Closes = "closes_at" / "Closes",
        TimeLimit = "time_limit" / "Time limit (minutes)",
        ExtraAttempts = "extra_attempts" / "Extra attempts",
    }
);

/// The Markdown text an item of this kind has of its own (the item row's `body`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextField {
    pub label: &'static str,
    pub hint: &'static str,
    pub rows: u32,
}

/// The "choose an uploaded file" field of a kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileField {
    pub label: &'static str,
    /// Content-type prefixes the kind takes (`video/`); empty: any file.
    pub accepts: &'static [&'static str],
    /// What to tell someone who chose a file of another type.
    pub wrong_type: &'static str,
    /// The "none" choice, when the kind can do without a file.
    pub optional: Option<&'static str>,
}

impl FileField {
    pub fn accepts(&self, content_type: &str) -> bool {
        self.accepts.is_empty() || self.accepts.iter().any(|p| content_type.starts_with(p))
    }
}

/// Which of the item row's shared columns a kind uses, and how it completes. The item editor is
/// drawn from this, so a kind that needs nothing more has no editor code of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub text: Option<TextField>,
    pub file: Option<FileField>,
    /// The label of the web address field.
    pub url: Option<&'static str>,
    /// When the kind decides its own completion (a hand-in, a pass, a confirmation), what the
    /// instructor is told; `None`: the instructor chooses "when viewed" or "when marked as done".
    pub completes: Option<&'static str>,
    /// The dates a learner's override may change; empty: the kind has no dates.
    pub dates: &'static [DateField],
}

const NOTHING: Shape = Shape {
    text: None,
    file: None,
    url: None,
    completes: None,
    dates: &[],
};

impl ItemKind {
    pub fn shape(self) -> Shape {
        match self {
            ItemKind::Lesson => Shape {
                text: Some(TextField {
                    label: "Page (Markdown)",
                    hint: "Headings, lists, links, tables, code blocks and images: ![description](/files/…).",
                    rows: 16,
                }),
                ..NOTHING
            },
            ItemKind::File => Shape {
                file: Some(FileField {
                    label: "File",
                    accepts: &[],
                    wrong_type: "",
                    optional: None,
                }),
                ..NOTHING
            },
            ItemKind::Video => Shape {
                file: Some(FileField {
                    label: "Uploaded video",
                    accepts: &["video/", "audio/"],
                    wrong_type: "Choose a video or audio file.",
                    optional: Some("None (use an address below)"),
                }),
                url: Some("YouTube or Vimeo address"),
                ..NOTHING
            },
            ItemKind::Link => Shape {
                url: Some("Web address"),
                ..NOTHING
            },
            ItemKind::Quiz => Shape {
                completes: Some(
                    "Completes when the learner submits an attempt. If you set a pass mark in the quiz settings, it completes only once they reach it.",
                ),
                dates: &[
                    DateField::Opens,
                    DateField::Closes,
                    DateField::TimeLimit,
                    DateField::ExtraAttempts,
                ],
                ..NOTHING
            },
            ItemKind::Assignment => Shape {
                text: Some(TextField {
                    label: "Instructions (Markdown)",
                    hint: "What to do and how it is assessed. Learners see this above their work.",
                    rows: 10,
                }),
                completes: Some("Completes when the learner hands in their work."),
                dates: &[DateField::Due, DateField::Cutoff],
                ..NOTHING
            },
            ItemKind::Acknowledgement => Shape {
                text: Some(TextField {
                    label: "Policy text (Markdown)",
                    hint: "What learners read before they confirm, or a link to the policy document.",
                    rows: 12,
                }),
                completes: Some("Completes when the learner confirms the statement."),
                ..NOTHING
            },
            // The package is uploaded in the kind's own panel, once the item exists.
            ItemKind::Scorm | ItemKind::Cmi5 => NOTHING,
        }
    }
    /// Kinds that complete by something the learner does in them (submitting, confirming), never
    /// by being viewed or "Mark as done".
    pub fn completes_itself(self) -> bool {
        self.shape().completes.is_some()
    }
    /// The label inside a sentence ("Edit external link"), keeping acronyms ("SCORM package").
    pub fn in_sentence(self) -> String {
        self.label()
            .split(' ')
            .map(|word| {
                if word.chars().filter(|c| c.is_uppercase()).count() > 1 {
                    word.to_string()
                } else {
                    word.to_lowercase()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// Kinds with Markdown text of their own.
    pub fn has_text(self) -> bool {
        self.shape().text.is_some()
    }
}
