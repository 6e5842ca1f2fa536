//! What a cartridge becomes, read from its zip before anything is kept: sections of items, the
//! files to keep, questions for the bank, and what cannot be imported with the reason. Blocking
//! (it reads the zip): run on the blocking pool.
//!
//! - a module is a section; a sub-folder's items follow in it (a folder or text header is
//!   reported, since sections have no headings);
//! - a web page is a lesson (its HTML as Markdown), any other file of the cartridge a file item;
//! - a web link is a link; a QTI assessment a quiz with its questions in the bank (Canvas's
//!   fuller `non_cc_assessments` copy when there is one); a question bank goes to the bank;
//! - an assignment (CC's extension, or Canvas's `assignment_settings.xml`) is an assignment;
//! - discussions and LTI links are reported: Lyceum has neither yet;
//! - pages, quizzes, assignments and links no module names go to a last section, files no
//!   module names are kept as course files.
//!
//! Files that pages and questions use are kept and their addresses pointed at them; links to
//! other pages of the cartridge point at the items made of them (`Mark`).

use super::html::{self, Address};
use super::manifest::{self, Manifest, Resource};
use crate::assessments::question::Question;
use crate::items::kind::ItemKind;
use crate::packages::zip::{self, Entry, ZipRefusal};
use std::collections::HashMap;
use std::path::Path;

/// No page, descriptor or QTI file of a cartridge is larger than this.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

/// The section for what no module names.
pub const UNPLACED_SECTION: &str = "Not in a module";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Zip(#[from] ZipRefusal),
    #[error(
        "This zip has no imsmanifest.xml at its top: it is not a Common Cartridge. Export the course again as a Common Cartridge (.imscc)."
    )]
    NoManifest,
    #[error(
        "This is a SCORM package, not a Common Cartridge: add it to a section as a SCORM item."
    )]
    Scorm,
    #[error("{0}")]
    Manifest(String),
    #[error("The cartridge holds nothing to import: its manifest lists no modules and no content.")]
    Empty,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub title: String,
    pub version: String,
    pub sections: Vec<PlannedSection>,
    pub files: Vec<PlannedFile>,
    pub banks: Vec<PlannedBank>,
    /// Resource ids the planned texts link to (`Mark::Item(i)` names `item_links[i]`).
    pub item_links: Vec<String>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSection {
    pub title: String,
    pub items: Vec<PlannedItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedItem {
    /// The manifest resource it was made from (links to it point at the item).
    pub resource: String,
    pub kind: ItemKind,
    pub title: String,
    /// Markdown, with `Mark`s where files and other items go.
    pub body: String,
    pub url: Option<String>,
    /// Index into `Plan::files`.
    pub file: Option<usize>,
    pub hidden: bool,
    pub content: Content,
}

/// What a kind gets besides the item row.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Plain,
    Quiz(Vec<Question>),
    Assignment { points: Option<f64> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedFile {
    pub entry: Entry,
    /// Its name as people see it (the path's last segment).
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedBank {
    pub title: String,
    pub questions: Vec<Question>,
}

/// Something of the cartridge that was not imported (or only in part), and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub title: String,
    pub reason: String,
}

/// A place in a planned text that the import fills in once it has made files and items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    File(usize),
    Item(usize),
}

impl Mark {
    pub fn text(self) -> String {
        match self {
            Mark::File(i) => format!("lyceum-cartridge-file-{i}-end"),
            Mark::Item(i) => format!("lyceum-cartridge-item-{i}-end"),
        }
    }

    /// Replaces every mark in `text` with what `to` says it is now.
    pub fn fill(text: &str, to: &dyn Fn(Mark) -> String) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("lyceum-cartridge-") {
            out.push_str(rest.get(..at).unwrap_or_default());
            let tail = rest
                .get(at + "lyceum-cartridge-".len()..)
                .unwrap_or_default();
            let parsed = tail.split_once("-end").and_then(|(mark, after)| {
                let (what, n) = mark.split_once('-')?;
                let n: usize = n.parse().ok()?;
                let mark = match what {
                    "file" => Mark::File(n),
                    "item" => Mark::Item(n),
                    _ => return None,
                };
                Some((mark, after))
            });
            match parsed {
                Some((mark, after)) => {
                    out.push_str(&to(mark));
                    rest = after;
                }
                None => {
                    out.push_str("lyceum-cartridge-");
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

pub fn read(zip_path: &Path) -> Result<Plan, Refusal> {
    let listing = zip::list(zip_path)?;
    let root = zip::root_of(&listing.entries, "imsmanifest.xml").ok_or(Refusal::NoManifest)?;
    let entries = zip::under_root(listing.entries, &root);
    let by_path: HashMap<String, Entry> = entries
        .into_iter()
        .map(|e| (e.path.to_lowercase(), e))
        .collect();
    let manifest_entry = by_path
        .get("imsmanifest.xml")
        .ok_or(Refusal::NoManifest)?
        .clone();
    let text = crate::files::sniff::decode_text(&zip::read(zip_path, &manifest_entry, MAX_TEXT)?);
    let manifest = manifest::parse(&text).map_err(Refusal::Manifest)?;
    if is_scorm(&text) {
        return Err(Refusal::Scorm);
    }
    let mut reader = Reader {
        zip: zip_path,
        by_path,
        plan: Plan {
            title: manifest.title.clone(),
            version: manifest.version.clone(),
            ..Plan::default()
        },
        kept: HashMap::new(),
        slugs: slugs(&manifest),
        parsed: Default::default(),
        unpublished: Default::default(),
        manifest: &manifest,
    };
    reader.unpublished = reader.canvas_unpublished()?;
    reader.modules()?;
    reader.unplaced()?;
    let plan = reader.plan;
    let nothing = plan.sections.is_empty() && plan.files.is_empty() && plan.banks.is_empty();
    if nothing && plan.skipped.is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(plan)
}

/// SCORM manifests name ADL's schema or namespace; cartridges never do.
fn is_scorm(manifest: &str) -> bool {
    let head = manifest.get(..manifest.len().min(4096)).unwrap_or(manifest);
    head.contains("adlcp") || head.contains("ADL SCORM")
}

/// Canvas links to a wiki page by its slug, which is its file's name in `wiki_content/`.
fn slugs(manifest: &Manifest) -> HashMap<String, String> {
    manifest
        .resources
        .iter()
        .filter_map(|r| {
            let href = r.href.as_deref()?;
            let name = href.strip_prefix("wiki_content/")?;
            let slug = name
                .strip_suffix(".html")
                .or_else(|| name.strip_suffix(".htm"))?;
            Some((slug.to_string(), r.id.clone()))
        })
        .collect()
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn is_page(path: &str) -> bool {
    let lower = path.to_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

struct Reader<'a> {
    zip: &'a Path,
    by_path: HashMap<String, Entry>,
    manifest: &'a Manifest,
    plan: Plan,
    /// Path (lower case) to index in `plan.files`.
    kept: HashMap<String, usize>,
    slugs: HashMap<String, String>,
    /// QTI files read (lower case).
    parsed: std::collections::HashSet<String>,
    /// Organization items (modules and their items) Canvas exported as unpublished.
    unpublished: std::collections::HashSet<String>,
}

impl Reader<'_> {
    fn text(&self, path: &str) -> Result<Option<String>, Refusal> {
        let Some(entry) = self.by_path.get(&path.to_lowercase()) else {
            return Ok(None);
        };
        let bytes = zip::read(self.zip, entry, MAX_TEXT)?;
        Ok(Some(crate::files::sniff::decode_text(&bytes)))
    }

    /// Keeps a file of the cartridge; its index in `plan.files`.
    fn keep(&mut self, path: &str) -> Option<usize> {
        let key = path.to_lowercase();
        if let Some(i) = self.kept.get(&key) {
            return Some(*i);
        }
        let entry = self.by_path.get(&key)?.clone();
        let name = last_segment(&entry.path).to_string();
        self.plan.files.push(PlannedFile { entry, name });
        let i = self.plan.files.len() - 1;
        self.kept.insert(key, i);
        Some(i)
    }

    /// The resource whose launch file is the page at `path`, if any.
    fn page_at(&self, path: &str) -> Option<String> {
        if !is_page(path) {
            return None;
        }
        let path = path.to_lowercase();
        self.manifest
            .resources
            .iter()
            .find(|r| {
                r.kind == "webcontent"
                    && r.href.as_deref().is_some_and(|h| h.to_lowercase() == path)
            })
            .map(|r| r.id.clone())
    }

    /// The path of the one file named `name`, if exactly one is.
    fn only_named(&self, name: &str) -> Option<String> {
        let name = name.to_lowercase();
        let mut named = self
            .by_path
            .iter()
            .filter(|(lower, _)| last_segment(lower) == name)
            .map(|(_, e)| e.path.clone());
        let first = named.next()?;
        named.next().is_none().then_some(first)
    }

    fn link_to_item(&mut self, resource: &str) -> String {
        let at = match self.plan.item_links.iter().position(|r| r == resource) {
            Some(at) => at,
            None => {
                self.plan.item_links.push(resource.to_string());
                self.plan.item_links.len() - 1
            }
        };
        Mark::Item(at).text()
    }

    /// Points a text's addresses at what the import makes; `folder` is where the text is (for
    /// relative addresses). Files it names that the cartridge lacks are reported under `title`.
    fn addresses(&mut self, text: &str, folder: &str, title: &str) -> String {
        let mut missing: Vec<String> = Vec::new();
        let mut elsewhere: Vec<String> = Vec::new();
        let out = html::rewrite(text, &mut |raw| match html::address(raw) {
            Address::File { base, path } => {
                let candidates = if base {
                    vec![
                        manifest::normalise(&format!("web_resources/{path}")),
                        manifest::normalise(&format!("{folder}/{path}")),
                        manifest::normalise(&path),
                    ]
                } else {
                    vec![manifest::normalise(&format!("{folder}/{path}"))]
                };
                // A page of the cartridge is linked as the item made of it.
                if let Some(page) = candidates.iter().find_map(|c| self.page_at(c)) {
                    return Some(self.link_to_item(&page));
                }
                // Last, a file of that name anywhere, if only one (exports disagree on folders).
                let found = candidates.iter().find_map(|c| self.keep(c)).or_else(|| {
                    self.only_named(last_segment(&path))
                        .and_then(|p| self.keep(&p))
                });
                if found.is_none() {
                    missing.push(path);
                }
                found.map(|i| Mark::File(i).text())
            }
            Address::Page(slug) => {
                let known = self.manifest.resource(&slug).map(|r| r.id.clone());
                match self.slugs.get(&slug).cloned().or(known) {
                    Some(r) => Some(self.link_to_item(&r)),
                    None => {
                        elsewhere.push(slug);
                        Some(self.link_to_item(""))
                    }
                }
            }
            Address::Object(id) => {
                if self.manifest.resource(&id).is_none() {
                    elsewhere.push(id.clone());
                }
                Some(self.link_to_item(&id))
            }
            Address::Other => None,
        });
        if !elsewhere.is_empty() {
            self.skip(
                title,
                format!(
                    "It links to content the cartridge does not hold ({}); those links lead to the course's page.",
                    elsewhere.join(", ")
                ),
            );
        }
        if !missing.is_empty() {
            missing.sort();
            missing.dedup();
            self.skip(
                title,
                format!(
                    "It uses files the cartridge does not hold, so they are missing: {}.",
                    missing.join(", ")
                ),
            );
        }
        out
    }

    fn skip(&mut self, title: &str, reason: impl Into<String>) {
        self.plan.skipped.push(Skipped {
            title: title.to_string(),
            reason: reason.into(),
        });
    }

    fn modules(&mut self) -> Result<(), Refusal> {
        let manifest = self.manifest;
        for module in &manifest.modules {
            let title = if module.title.is_empty() {
                non_empty(&manifest.title, "Imported content")
            } else {
                module.title.clone()
            };
            let module_hidden = self.unpublished.contains(&module.id);
            let mut items = Vec::new();
            for entry in &module.entries {
                let Some(id) = &entry.resource else {
                    self.skip(
                        &entry.title,
                        "A heading inside a module: sections have no headings, so the items under it follow in the section.",
                    );
                    continue;
                };
                let Some(resource) = manifest.resource(id) else {
                    self.skip(
                        &entry.title,
                        format!("The manifest names a resource “{id}” that it does not list."),
                    );
                    continue;
                };
                if let Some(mut item) = self.item(resource, &entry.title, true)? {
                    // What learners could not see in the source stays hidden here.
                    item.hidden |= module_hidden || self.unpublished.contains(&entry.id);
                    items.push(item);
                }
            }
            self.plan.sections.push(PlannedSection { title, items });
        }
        Ok(())
    }

    /// What no module names: pages, activities and links in one more section, other files as
    /// course files; support files (Canvas's settings, a quiz's meta) are left.
    fn unplaced(&mut self) -> Result<(), Refusal> {
        let manifest = self.manifest;
        let used_by_others: std::collections::HashSet<&str> = manifest
            .resources
            .iter()
            .flat_map(|r| r.dependencies.iter().map(String::as_str))
            .collect();
        let mut items = Vec::new();
        for resource in manifest.unplaced() {
            if used_by_others.contains(resource.id.as_str()) {
                continue;
            }
            // A page outside Canvas's wiki folder is a course file too (an HTML handout).
            let is_file = resource.kind == "webcontent"
                && resource
                    .href
                    .as_deref()
                    .is_some_and(|h| !is_page(h) || !h.starts_with("wiki_content/"));
            if is_file {
                if let Some(href) = resource.href.clone() {
                    self.keep(&href);
                }
                continue;
            }
            let title = String::new();
            if let Some(item) = self.item(resource, &title, false)? {
                items.push(item);
            }
        }
        if !items.is_empty() {
            self.plan.sections.push(PlannedSection {
                title: UNPLACED_SECTION.to_string(),
                items,
            });
        }
        Ok(())
    }

    /// The item a resource becomes, if any. `placed`: a module names it (unplaced support files
    /// and fallbacks are not worth a report line).
    fn item(
        &mut self,
        resource: &Resource,
        title: &str,
        placed: bool,
    ) -> Result<Option<PlannedItem>, Refusal> {
        let kind = resource.kind.as_str();
        let plain = |kind: ItemKind, title: String| PlannedItem {
            resource: resource.id.clone(),
            kind,
            title,
            body: String::new(),
            url: None,
            file: None,
            hidden: false,
            content: Content::Plain,
        };
        let named = |fallback: &str| non_empty(title, fallback);
        if kind == "webcontent" {
            let Some(href) = resource.href.clone() else {
                if placed {
                    self.skip(title, "A web resource without a launch file.");
                }
                return Ok(None);
            };
            if !is_page(&href) {
                let Some(file) = self.keep(&href) else {
                    self.skip(
                        title,
                        format!("The cartridge does not hold its file {href}."),
                    );
                    return Ok(None);
                };
                let mut item = plain(ItemKind::File, named(last_segment(&href)));
                item.file = Some(file);
                return Ok(Some(item));
            }
            let Some(page) = self.text(&href)? else {
                self.skip(
                    title,
                    format!("The cartridge does not hold its page {href}."),
                );
                return Ok(None);
            };
            let title = non_empty(
                title,
                &html::title(&page).unwrap_or_else(|| last_segment(&href).to_string()),
            );
            let page = self.addresses(&page, folder_of(&href), &title);
            let mut item = plain(ItemKind::Lesson, title);
            item.hidden = unpublished_page(&page);
            item.body = html::to_markdown(&page);
            return Ok(Some(item));
        }
        if kind.starts_with("imswl_xmlv1p") {
            let d = self.descriptor(resource)?;
            let title = named(&d.title);
            let Some(url) = d.url else {
                self.skip(&title, "A web link without an address.");
                return Ok(None);
            };
            let mut item = plain(ItemKind::Link, title);
            item.url = Some(url);
            return Ok(Some(item));
        }
        if kind.starts_with("imsdt_xmlv1p") {
            let d = self.descriptor(resource)?;
            self.skip(
                &named(&d.title),
                "A discussion topic: Lyceum has no discussions yet, so it was not imported.",
            );
            return Ok(None);
        }
        if kind.starts_with("imsbasiclti_xmlv1p") {
            let d = self.descriptor(resource)?;
            let url = d.url.map(|u| format!(" ({u})")).unwrap_or_default();
            self.skip(
                &named(&d.title),
                format!("An LTI tool link{url}: Lyceum does not launch LTI tools yet, so it was not imported."),
            );
            return Ok(None);
        }
        if kind.starts_with("imsqti_xmlv1p2") && kind.ends_with("question-bank") {
            let (questions, own_title) = self.questions(resource, &named("Question bank"))?;
            let title = named(&own_title.unwrap_or_else(|| "Imported questions".into()));
            self.plan.banks.push(PlannedBank { title, questions });
            return Ok(None);
        }
        if kind.starts_with("imsqti_xmlv1p2") && kind.ends_with("assessment") {
            let (questions, own_title) = self.questions(resource, &named("Quiz"))?;
            let title = named(&own_title.unwrap_or_else(|| "Quiz".into()));
            let mut item = plain(ItemKind::Quiz, title);
            item.hidden = self.quiz_unpublished(resource)?;
            item.content = Content::Quiz(questions);
            return Ok(Some(item));
        }
        if kind == "assignment_xmlv1p0" {
            let d = self.descriptor(resource)?;
            let title = named(&d.title);
            let folder = resource
                .files
                .first()
                .map_or("", |f| folder_of(f))
                .to_string();
            let text = d.html.unwrap_or_default();
            let text = self.addresses(&text, &folder, &title);
            let mut item = plain(ItemKind::Assignment, title);
            item.body = html::to_markdown(&text);
            item.hidden = d.unpublished;
            item.content = Content::Assignment { points: d.points };
            return Ok(Some(item));
        }
        if kind.starts_with("associatedcontent/") {
            let settings = resource
                .files
                .iter()
                .find(|f| last_segment(f) == "assignment_settings.xml")
                .cloned();
            if let Some(settings) = settings {
                return self.canvas_assignment(resource, &settings, title).map(Some);
            }
            if let Some(bank) = self.canvas_bank(resource)? {
                self.plan.banks.push(bank);
                return Ok(None);
            }
            if placed {
                self.skip(
                    title,
                    "Files that support other content (settings, metadata), not content of their own.",
                );
            }
            return Ok(None);
        }
        // A QTI content package's items (QTI 2.x) or a QTI 1.x export: questions for the bank.
        if kind.starts_with("imsqti_item_xmlv2")
            || kind == "imsqti_xmlv1p2"
            || kind == "imsqti_xmlv1p1"
        {
            let (questions, _) = self.questions(resource, &named(&resource.id))?;
            self.add_to_bank(questions);
            return Ok(None);
        }
        if kind.starts_with("imsqti_test_xmlv2") {
            let title = named("QTI test");
            let questions = self.test_items(resource, &title)?;
            self.add_to_bank(questions);
            self.skip(
                &title,
                "A QTI test: its items were imported into the question bank; build the quiz from them there.",
            );
            return Ok(None);
        }
        if placed || !kind.is_empty() {
            self.skip(
                &named(&resource.id),
                format!("Its type “{}” is not one Lyceum imports.", resource.kind),
            );
        }
        Ok(None)
    }

    fn canvas_assignment(
        &mut self,
        resource: &Resource,
        settings: &str,
        title: &str,
    ) -> Result<PlannedItem, Refusal> {
        let d = match self.text(settings)? {
            Some(text) => manifest::descriptor(&text).unwrap_or_default(),
            None => manifest::Descriptor::default(),
        };
        let title = non_empty(title, &non_empty(&d.title, "Assignment"));
        let page = match resource.href.as_deref().filter(|h| is_page(h)) {
            Some(href) => {
                let text = self.text(href)?.unwrap_or_default();
                let text = self.addresses(&text, folder_of(href), &title);
                html::to_markdown(&text)
            }
            None => String::new(),
        };
        Ok(PlannedItem {
            resource: resource.id.clone(),
            kind: ItemKind::Assignment,
            title,
            body: page,
            url: None,
            file: None,
            hidden: d.unpublished,
            content: Content::Assignment { points: d.points },
        })
    }

    /// Canvas's `course_settings/module_meta.xml`: the modules and module items it exported as
    /// unpublished (by their organization identifiers).
    fn canvas_unpublished(&self) -> Result<std::collections::HashSet<String>, Refusal> {
        let mut hidden = std::collections::HashSet::new();
        let Some(text) = self.text("course_settings/module_meta.xml")? else {
            return Ok(hidden);
        };
        let Ok(doc) = roxmltree::Document::parse(&text) else {
            return Ok(hidden);
        };
        for node in doc.descendants().filter(|n| {
            matches!(n.tag_name().name(), "module" | "item") && n.attribute("identifier").is_some()
        }) {
            let unpublished = node.children().any(|c| {
                c.tag_name().name() == "workflow_state" && c.text() == Some("unpublished")
            });
            if unpublished && let Some(id) = node.attribute("identifier") {
                hidden.insert(id.to_string());
            }
        }
        Ok(hidden)
    }

    /// Canvas's quiz settings (`assessment_meta.xml`) say a quiz was not available to learners.
    fn quiz_unpublished(&self, resource: &Resource) -> Result<bool, Refusal> {
        let manifest = self.manifest;
        let meta = resource
            .dependencies
            .iter()
            .filter_map(|d| manifest.resource(d))
            .flat_map(|d| d.files.iter())
            .find(|f| last_segment(f) == "assessment_meta.xml")
            .cloned();
        let Some(meta) = meta else { return Ok(false) };
        let Some(text) = self.text(&meta)? else {
            return Ok(false);
        };
        Ok(text.contains("<available>false</available>")
            || text.contains("<workflow_state>unpublished</workflow_state>"))
    }

    /// Canvas exports each question bank of the course as QTI in `non_cc_assessments/` (beside
    /// its quizzes' fuller copies, which are read with their quiz).
    fn canvas_bank(&mut self, resource: &Resource) -> Result<Option<PlannedBank>, Refusal> {
        let Some(href) = resource.href.clone() else {
            return Ok(None);
        };
        if !(href.starts_with("non_cc_assessments/") && href.ends_with(".qti")) {
            return Ok(None);
        }
        let is_bank = self.text(&href)?.is_some_and(|t| t.contains("<objectbank"));
        if !is_bank {
            return Ok(None);
        }
        let (questions, title) = self.questions(resource, "Question bank")?;
        Ok(Some(PlannedBank {
            title: title.unwrap_or_else(|| "Question bank".into()),
            questions,
        }))
    }

    /// Questions of a QTI package, into one bank category named after the package.
    fn add_to_bank(&mut self, questions: Vec<Question>) {
        let title = non_empty(&self.manifest.title, "Imported questions");
        match self.plan.banks.iter_mut().find(|b| b.title == title) {
            Some(bank) => bank.questions.extend(questions),
            None => self.plan.banks.push(PlannedBank { title, questions }),
        }
    }

    fn descriptor(&mut self, resource: &Resource) -> Result<manifest::Descriptor, Refusal> {
        let path = resource
            .files
            .iter()
            .find(|f| f.to_lowercase().ends_with(".xml"))
            .or(resource.href.as_ref());
        let Some(path) = path.cloned() else {
            return Ok(manifest::Descriptor::default());
        };
        let Some(text) = self.text(&path)? else {
            return Ok(manifest::Descriptor::default());
        };
        Ok(manifest::descriptor(&text).unwrap_or_default())
    }

    /// A quiz's or bank's questions and the title its QTI file gives it, from Canvas's fuller
    /// copy when the cartridge has one; questions that cannot be imported are reported under
    /// `title`.
    fn questions(
        &mut self,
        resource: &Resource,
        title: &str,
    ) -> Result<(Vec<Question>, Option<String>), Refusal> {
        let manifest = self.manifest;
        let canvas = resource
            .dependencies
            .iter()
            .filter_map(|d| manifest.resource(d))
            .flat_map(|d| d.files.iter())
            .chain(resource.files.iter())
            .find(|f| f.starts_with("non_cc_assessments/") && f.ends_with(".qti"))
            .filter(|f| self.by_path.contains_key(&f.to_lowercase()))
            .cloned();
        let is_xml = |f: &&String| {
            let lower = f.to_lowercase();
            lower.ends_with(".xml") || lower.ends_with(".qti")
        };
        let own = resource
            .href
            .iter()
            .find(is_xml)
            .or_else(|| resource.files.iter().find(is_xml))
            .cloned();
        let Some(path) = canvas.or(own) else {
            self.skip(
                title,
                "The cartridge holds no QTI file for it, so it has no questions.",
            );
            return Ok((Vec::new(), None));
        };
        let Some(text) = self.text(&path)? else {
            self.skip(
                title,
                format!("The cartridge does not hold its QTI file {path}, so it has no questions."),
            );
            return Ok((Vec::new(), None));
        };
        Ok(self.parse_qti(&path, &text, title))
    }

    /// A QTI file's questions and title, its addresses pointed at what the import keeps; each
    /// file is read once (a package may list an item both alone and in a test).
    fn parse_qti(
        &mut self,
        path: &str,
        text: &str,
        title: &str,
    ) -> (Vec<Question>, Option<String>) {
        if !self.parsed.insert(path.to_lowercase()) {
            return (Vec::new(), None);
        }
        let text = self.addresses(text, folder_of(path), title);
        let result = crate::assessments::qti::parse_qti(&text);
        let place = last_segment(path);
        for problem in &result.problems {
            self.skip(
                title,
                format!("{place}, line {}: {}", problem.line, problem.message),
            );
        }
        let questions = result.questions.into_iter().map(|q| q.question).collect();
        (questions, qti_title(&text))
    }

    /// A QTI 2 test's items (`assessmentItemRef`, from the test's folder), for the bank.
    fn test_items(&mut self, resource: &Resource, title: &str) -> Result<Vec<Question>, Refusal> {
        let Some(href) = resource.href.clone() else {
            return Ok(Vec::new());
        };
        let Some(test) = self.text(&href)? else {
            return Ok(Vec::new());
        };
        let refs: Vec<String> = match roxmltree::Document::parse(&test) {
            Ok(doc) => doc
                .descendants()
                .filter(|n| n.tag_name().name() == "assessmentItemRef")
                .filter_map(|n| n.attribute("href"))
                .map(|h| manifest::normalise(&format!("{}/{h}", folder_of(&href))))
                .collect(),
            Err(_) => Vec::new(),
        };
        let mut questions = Vec::new();
        for path in refs {
            match self.text(&path)? {
                Some(text) => questions.extend(self.parse_qti(&path, &text, title).0),
                None => self.skip(title, format!("Its item {path} is not in the package.")),
            }
        }
        Ok(questions)
    }
}

/// The title of a QTI file's assessment (or object bank), as its first such tag says.
fn qti_title(text: &str) -> Option<String> {
    let head = text.get(..text.len().min(64 * 1024)).unwrap_or(text);
    let Some(start) = head.find("<assessment ") else {
        // Canvas names a bank in its metadata.
        let at = head.find("<fieldlabel>bank_title</fieldlabel>")?;
        let rest = head.get(at..)?;
        let value = rest
            .split("<fieldentry>")
            .nth(1)?
            .split("</fieldentry>")
            .next()?;
        let value = crate::assessments::exchange::decode_entities(value);
        return (!value.trim().is_empty()).then(|| value.trim().to_string());
    };
    let tag = head.get(start..)?.split('>').next()?;
    let at = tag.find(" title=\"")? + " title=\"".len();
    let value = tag.get(at..)?.split('"').next()?;
    let value = crate::assessments::exchange::decode_entities(value);
    (!value.trim().is_empty()).then(|| value.trim().to_string())
}

fn non_empty(value: &str, fallback: &str) -> String {
    if value.trim().is_empty() {
        fallback.trim().to_string()
    } else {
        value.trim().to_string()
    }
}

/// Canvas marks a page it exported unpublished in its head.
fn unpublished_page(page: &str) -> bool {
    let head = page.get(..page.len().min(2048)).unwrap_or(page);
    head.contains(r#"name="workflow_state" content="unpublished""#)
}
