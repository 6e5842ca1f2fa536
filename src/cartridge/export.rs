//! Writing a course as an IMS Common Cartridge 1.3 (pure: what goes in the zip, not the zip).
//! A section is a module; a lesson a web page (`wiki_content/`, its Markdown as HTML); a file
//! item and every course file a file (`web_resources/`); a link or a video a web link; a quiz a
//! QTI 1.2 assessment (`assessments::qti::write`); an assignment CC's assignment extension.
//! Addresses between them are relative paths, as the standard has them, so Lyceum, Moodle and
//! Canvas all find the files and pages. Hidden items are listed as unpublished in Canvas's
//! `course_settings/module_meta.xml`, which Lyceum and Canvas read back.

use super::html;
use crate::assessments::qti::write::{self, Slot};
use crate::assessments::question::Question;
use crate::courses::content::render_markdown;
use crate::files::zip_out::safe_segment;
use crate::input::escape_html as escape;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

pub struct Course {
    pub id: i64,
    pub title: String,
    pub sections: Vec<Section>,
}

pub struct Section {
    pub title: String,
    pub items: Vec<Item>,
}

pub struct Item {
    pub id: i64,
    pub title: String,
    pub hidden: bool,
    pub content: Content,
}

pub enum Content {
    /// Markdown.
    Page(String),
    Link(String),
    File(i64),
    /// Each question with the points it is worth in the quiz.
    Quiz(Vec<(Question, f64)>),
    Assignment {
        markdown: String,
        points: f64,
    },
}

/// A course file the cartridge carries: its record id and name.
pub struct StoredFile {
    pub id: i64,
    pub name: String,
}

/// What goes in the zip: texts by path, and stored files by path and record id.
#[derive(Debug, Default)]
pub struct Cartridge {
    pub texts: Vec<(String, String)>,
    pub files: Vec<(String, i64)>,
}

/// `/files/{id}/…` (as Lyceum's texts name a course file): the id.
fn file_id(address: &str) -> Option<i64> {
    let rest = address.strip_prefix("/files/")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A name that is safe and unique in its folder: `used` holds the names taken (lowercase).
fn unique(name: &str, used: &mut HashSet<String>) -> String {
    let base: String = safe_segment(name).chars().take(100).collect();
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (base.clone(), String::new()),
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.to_lowercase()) {
        candidate = format!("{stem}-{n}{ext}");
        n += 1;
    }
    candidate
}

fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    if out.is_empty() { "page".into() } else { out }
}

/// A path segment as it goes in an address (Markdown and HTML links end at spaces).
fn encoded(segment: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

const MANIFEST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{id}" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1" xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1 http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd">
  <metadata>
    <schema>IMS Common Cartridge</schema>
    <schemaversion>1.3.0</schemaversion>
    <lomimscc:lom><lomimscc:general><lomimscc:title><lomimscc:string>{title}</lomimscc:string></lomimscc:title></lomimscc:general></lomimscc:lom>
  </metadata>
"#;

/// The cartridge of `course`; `files` are the course files it carries (what its texts name
/// that is not among them stays as written).
pub fn write(course: &Course, files: &[StoredFile]) -> Cartridge {
    let mut out = Cartridge::default();
    let mut names = HashSet::new();
    // Each file once, under a unique name in web_resources/.
    let file_names: HashMap<i64, String> = files
        .iter()
        .map(|f| (f.id, unique(&f.name, &mut names)))
        .collect();
    let mut slugs = HashSet::new();
    let pages: HashMap<i64, String> = course
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| matches!(i.content, Content::Page(_)))
        .map(|i| {
            (
                i.id,
                unique(&format!("{}.html", slug(&i.title)), &mut slugs),
            )
        })
        .collect();
    let exported: HashSet<i64> = course
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.id)
        .collect();
    let learn = format!("/courses/{}/learn/", course.id);
    // Addresses in a text one folder down (wiki_content/, an item's folder): the files and
    // pages it names, and the files it uses (its resource's dependencies).
    let address = |html: &str, used: &RefCell<BTreeSet<i64>>| -> String {
        html::rewrite(html, &mut |raw| {
            if let Some(id) = file_id(raw) {
                let name = file_names.get(&id)?;
                used.borrow_mut().insert(id);
                return Some(format!("../web_resources/{}", encoded(name)));
            }
            let item: i64 = raw.strip_prefix(learn.as_str())?.parse().ok()?;
            if let Some(page) = pages.get(&item) {
                return Some(format!("../wiki_content/{}", encoded(page)));
            }
            exported
                .contains(&item)
                .then(|| format!("$CANVAS_OBJECT_REFERENCE$/items/i{item}"))
        })
    };
    let mut organization = String::new();
    let mut resources = String::new();
    let mut unpublished = String::new();
    for (s, section) in course.sections.iter().enumerate() {
        let module = format!("s{}", s + 1);
        organization.push_str(&format!(
            "        <item identifier=\"{module}\">\n          <title>{}</title>\n",
            escape(&section.title)
        ));
        let mut hidden_here = String::new();
        for item in &section.items {
            let resource = match &item.content {
                Content::File(id) if file_names.contains_key(id) => format!("f{id}"),
                Content::File(_) => continue,
                _ => format!("i{}", item.id),
            };
            organization.push_str(&format!(
                "          <item identifier=\"o{}\" identifierref=\"{resource}\"><title>{}</title></item>\n",
                item.id,
                escape(&item.title)
            ));
            if item.hidden {
                hidden_here.push_str(&format!(
                    "<item identifier=\"o{}\"><workflow_state>unpublished</workflow_state><identifierref>{resource}</identifierref></item>",
                    item.id
                ));
            }
            let used = RefCell::new(BTreeSet::new());
            let (kind, path) = match &item.content {
                Content::File(_) => continue,
                Content::Page(markdown) => {
                    let page = pages.get(&item.id).cloned().unwrap_or_default();
                    let body = address(&render_markdown(markdown), &used);
                    let state = if item.hidden {
                        "<meta name=\"workflow_state\" content=\"unpublished\">\n"
                    } else {
                        ""
                    };
                    let text = format!(
                        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n{state}</head>\n<body>\n{body}\n</body>\n</html>\n",
                        escape(&item.title)
                    );
                    let path = format!("wiki_content/{page}");
                    out.texts.push((path.clone(), text));
                    ("webcontent", path)
                }
                Content::Link(url) => {
                    let path = format!("{resource}.xml");
                    let text = format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<webLink xmlns=\"http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3\">\n  <title>{}</title>\n  <url href=\"{}\" target=\"_blank\"/>\n</webLink>\n",
                        escape(&item.title),
                        escape(url)
                    );
                    out.texts.push((path.clone(), text));
                    ("imswl_xmlv1p3", path)
                }
                Content::Quiz(questions) => {
                    let slots: Vec<Slot> = questions
                        .iter()
                        .map(|(question, mark)| Slot {
                            question,
                            mark: *mark,
                        })
                        .collect();
                    let text =
                        write::assessment(&resource, &item.title, &slots, &|h| address(h, &used));
                    let path = format!("{resource}/assessment_qti.xml");
                    out.texts.push((path.clone(), text));
                    ("imsqti_xmlv1p2/imscc_xmlv1p3/assessment", path)
                }
                Content::Assignment { markdown, points } => {
                    let body = address(&render_markdown(markdown), &used);
                    let text = format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<assignment xmlns=\"http://www.imsglobal.org/xsd/imscc_extensions/assignment\" identifier=\"{resource}\">\n  <title>{}</title>\n  <text texttype=\"text/html\">{}</text>\n  <gradable points_possible=\"{points}\">true</gradable>\n  <submission_formats><format type=\"text\"/><format type=\"file\"/></submission_formats>\n</assignment>\n",
                        escape(&item.title),
                        escape(&body)
                    );
                    let path = format!("{resource}/assignment.xml");
                    out.texts.push((path.clone(), text));
                    ("assignment_xmlv1p0", path)
                }
            };
            let dependencies: String = used
                .borrow()
                .iter()
                .map(|id| format!("<dependency identifierref=\"f{id}\"/>"))
                .collect();
            let href = if kind == "webcontent" {
                format!(" href=\"{}\"", escape(&path))
            } else {
                String::new()
            };
            resources.push_str(&format!(
                "    <resource identifier=\"{resource}\" type=\"{kind}\"{href}><file href=\"{}\"/>{dependencies}</resource>\n",
                escape(&path)
            ));
        }
        organization.push_str("        </item>\n");
        unpublished.push_str(&format!(
            "  <module identifier=\"{module}\"><title>{}</title><workflow_state>active</workflow_state><items>{hidden_here}</items></module>\n",
            escape(&section.title)
        ));
    }
    for f in files {
        let Some(name) = file_names.get(&f.id) else {
            continue;
        };
        let path = format!("web_resources/{name}");
        resources.push_str(&format!(
            "    <resource identifier=\"f{}\" type=\"webcontent\" href=\"{}\"><file href=\"{}\"/></resource>\n",
            f.id,
            escape(&path),
            escape(&path)
        ));
        out.files.push((path, f.id));
    }
    let head = MANIFEST_HEAD
        .replace("{id}", &format!("lyceum_course_{}", course.id))
        .replace("{title}", &escape(&course.title));
    let manifest = format!(
        "{head}  <organizations>\n    <organization identifier=\"org_1\" structure=\"rooted-hierarchy\">\n      <item identifier=\"LearningModules\">\n{organization}      </item>\n    </organization>\n  </organizations>\n  <resources>\n{resources}  </resources>\n</manifest>\n"
    );
    out.texts
        .insert(0, ("imsmanifest.xml".to_string(), manifest));
    out.texts.push((
        "course_settings/module_meta.xml".to_string(),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<modules xmlns=\"http://canvas.instructure.com/xsd/cccv1p0\">\n{unpublished}</modules>\n"
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cartridge::manifest;

    fn text<'a>(c: &'a Cartridge, path: &str) -> &'a str {
        c.texts
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "no {path} in {:?}",
                    c.texts.iter().map(|t| &t.0).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn writes_modules_pages_files_and_links_between_them() {
        let course = Course {
            id: 4,
            title: "Fire & safety".into(),
            sections: vec![Section {
                title: "Week <1>".into(),
                items: vec![
                    Item {
                        id: 10,
                        title: "Welcome!".into(),
                        hidden: false,
                        content: Content::Page(
                            "See ![plan](/files/3/floor%20plan.png), [exits](/courses/4/learn/11) and [the form](/courses/4/learn/12).".into(),
                        ),
                    },
                    Item {
                        id: 11,
                        title: "Welcome".into(),
                        hidden: true,
                        content: Content::Page("Exits.".into()),
                    },
                    Item {
                        id: 12,
                        title: "Form".into(),
                        hidden: false,
                        content: Content::File(5),
                    },
                    Item {
                        id: 13,
                        title: "Gone".into(),
                        hidden: false,
                        content: Content::File(99),
                    },
                    Item {
                        id: 14,
                        title: "Docs".into(),
                        hidden: false,
                        content: Content::Link("https://example.org/?a=1&b=2".into()),
                    },
                ],
            }],
        };
        let files = [
            StoredFile {
                id: 3,
                name: "floor plan.png".into(),
            },
            StoredFile {
                id: 5,
                name: "Floor Plan.png".into(),
            },
        ];
        let c = write(&course, &files);
        let m = manifest::parse(text(&c, "imsmanifest.xml")).expect("parses");
        assert_eq!(
            (m.title.as_str(), m.version.as_str()),
            ("Fire & safety", "1.3.0")
        );
        assert_eq!(m.modules.len(), 1);
        assert_eq!(m.modules[0].title, "Week <1>");
        let entries: Vec<(&str, Option<&str>)> = m.modules[0]
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.resource.as_deref()))
            .collect();
        // A file item whose file is not the course's is left out.
        assert_eq!(
            entries,
            [
                ("Welcome!", Some("i10")),
                ("Welcome", Some("i11")),
                ("Form", Some("f5")),
                ("Docs", Some("i14"))
            ]
        );
        // Two pages of one name, two files of one name (whatever the case): each its own.
        let page = text(&c, "wiki_content/welcome.html");
        assert!(
            page.contains("src=\"../web_resources/floor%20plan.png\""),
            "{page}"
        );
        assert!(
            page.contains("href=\"../wiki_content/welcome-2.html\""),
            "{page}"
        );
        assert!(
            page.contains("href=\"$CANVAS_OBJECT_REFERENCE$/items/i12\""),
            "{page}"
        );
        assert!(
            text(&c, "wiki_content/welcome-2.html")
                .contains("workflow_state\" content=\"unpublished")
        );
        assert_eq!(
            c.files,
            [
                ("web_resources/floor plan.png".to_string(), 3),
                ("web_resources/Floor Plan-2.png".to_string(), 5)
            ]
        );
        let page_resource = m.resource("i10").expect("page");
        assert_eq!(page_resource.dependencies, ["f3"]);
        let link = manifest::descriptor(text(&c, "i14.xml")).expect("link");
        assert_eq!(link.url.as_deref(), Some("https://example.org/?a=1&b=2"));
        let meta = text(&c, "course_settings/module_meta.xml");
        assert!(
            meta.contains("<item identifier=\"o11\"><workflow_state>unpublished"),
            "{meta}"
        );
    }
}
