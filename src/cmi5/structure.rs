//! Reading a cmi5 course structure (`cmi5.xml`, cmi5 §13 and §14) into the course's blocks and
//! AUs, refusing a structure the LMS could not launch or track, with the reason and the line.

use roxmltree::{Document, Node as XmlNode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The course structure's XML namespace (cmi5 §14).
pub const NAMESPACE: &str = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd";

/// The query parameters the LMS adds to an AU's URL at launch; an AU URL may not use them itself
/// (cmi5 §8.1: "the names MUST NOT collide").
const LAUNCH_PARAMETERS: [&str; 5] = ["endpoint", "fetch", "actor", "registration", "activityId"];

/// Deepest nesting of blocks accepted. Far beyond any real course; it bounds the recursion here
/// and in every walk over the tree.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub id: String,
    pub title: String,
    pub description: String,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Block(Block),
    Au(Au),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub id: String,
    pub title: String,
    pub description: String,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Au {
    /// The AU's IRI (its publisher id).
    pub id: String,
    /// en-US, else en, else another English, else the first langstring.
    pub title: String,
    pub description: String,
    /// As in the file, trimmed: relative (inside the package) or absolute http(s).
    pub url: String,
    pub launch_method: LaunchMethod,
    pub move_on: MoveOn,
    /// Within 0..=1.
    pub mastery_score: Option<f64>,
    pub launch_parameters: Option<String>,
    pub entitlement_key: Option<String>,
    pub activity_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchMethod {
    AnyWindow,
    OwnWindow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoveOn {
    Passed,
    Completed,
    CompletedAndPassed,
    CompletedOrPassed,
    NotApplicable,
}

impl MoveOn {
    /// The spec's spelling (cmi5 §13.1.4), as in `cmi5.xml` and `LMS.LaunchData`.
    pub fn as_str(self) -> &'static str {
        match self {
            MoveOn::Passed => "Passed",
            MoveOn::Completed => "Completed",
            MoveOn::CompletedAndPassed => "CompletedAndPassed",
            MoveOn::CompletedOrPassed => "CompletedOrPassed",
            MoveOn::NotApplicable => "NotApplicable",
        }
    }

    /// The value the spec spells `s` (exactly: the schema's enumeration is case-sensitive).
    pub fn parse(s: &str) -> Option<MoveOn> {
        [
            MoveOn::Passed,
            MoveOn::Completed,
            MoveOn::CompletedAndPassed,
            MoveOn::CompletedOrPassed,
            MoveOn::NotApplicable,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

impl LaunchMethod {
    /// The spec's spelling (cmi5 §13.1.4).
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchMethod::AnyWindow => "AnyWindow",
            LaunchMethod::OwnWindow => "OwnWindow",
        }
    }
}

/// How a course structure arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The XML came alone, not in a zip: every AU URL must be absolute (cmi5 §14.2).
    pub remote_only: bool,
}

/// Parses the `cmi5.xml` of a zip package (relative AU URLs allowed). A refusal names the
/// problem and, past XML well-formedness, the line.
pub fn parse(xml: &str) -> Result<Course, String> {
    parse_with(xml, Options::default())
}

/// Parses a course structure as `options` say it arrived.
pub fn parse_with(xml: &str, options: Options) -> Result<Course, String> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    // The default options refuse a DTD, so no entity expansion reaches us.
    let doc = Document::parse(xml).map_err(|e| {
        let at = e.pos();
        let full = e.to_string();
        // roxmltree ends its message with " at line:column"; we say where in our own words.
        let message = full.rsplit_once(" at ").map_or(full.as_str(), |(m, _)| m);
        format!(
            "cmi5.xml is not well-formed XML: {message} (line {}, column {}).",
            at.row, at.col
        )
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "courseStructure" {
        return Err(format!(
            "cmi5.xml is not a cmi5 course structure: its top element is <{}>, not <courseStructure>.",
            root.tag_name().name()
        ));
    }
    if root.tag_name().namespace() != Some(NAMESPACE) {
        return Err(format!(
            "cmi5.xml's <courseStructure> is in the namespace “{}”, not cmi5's “{NAMESPACE}”.",
            root.tag_name().namespace().unwrap_or("")
        ));
    }
    let mut reader = Reader {
        doc: &doc,
        options,
        ids: HashMap::new(),
    };
    reader.course_structure(root)
}

impl Course {
    /// Every AU, depth-first in document order.
    pub fn aus(&self) -> Vec<&Au> {
        let mut out = Vec::new();
        collect_aus(&self.children, &mut out);
        out
    }

    /// The AU with this publisher id.
    pub fn au(&self, id: &str) -> Option<&Au> {
        self.aus().into_iter().find(|a| a.id == id)
    }
}

fn collect_aus<'a>(nodes: &'a [Node], out: &mut Vec<&'a Au>) {
    for node in nodes {
        match node {
            Node::Au(au) => out.push(au),
            Node::Block(block) => collect_aus(&block.children, out),
        }
    }
}

impl Au {
    /// The file inside the package that a relative URL launches (percent-decoded, without its
    /// query, `.` or `..` segments), or None for an absolute URL. The importer checks that the
    /// zip holds it (cmi5 §14.1).
    pub fn package_path(&self) -> Option<String> {
        package_file(&self.url).ok()
    }
}

struct Reader<'d, 'i> {
    doc: &'d Document<'i>,
    options: Options,
    /// Every id met so far (course, blocks, AUs, objectives) and where its element starts:
    /// cmi5 wants each unique within the structure (§13.1.2–13.1.4). Lines are counted only
    /// for a refusal, as counting is a scan from the start.
    ids: HashMap<String, usize>,
}

impl<'d, 'i> Reader<'d, 'i> {
    fn line(&self, el: XmlNode) -> u32 {
        self.doc.text_pos_at(el.range().start).row
    }

    fn refuse(&self, el: XmlNode, problem: impl std::fmt::Display) -> String {
        format!("cmi5.xml line {}: {problem}", self.line(el))
    }

    fn course_structure(&mut self, root: XmlNode<'d, 'i>) -> Result<Course, String> {
        let parts = self.parts(root, &["course", "objectives", "au", "block"])?;
        let Some(course) = find(&parts, "course") else {
            return Err("cmi5.xml has no <course> element.".into());
        };
        self.attributes(course, &["id"])?;
        let id = self.id(course)?;
        let course_parts = self.parts(course, &["title", "description"])?;
        let title = self.title(course, &course_parts, "the course")?;
        let description = description(&course_parts);
        if let Some(objectives) = find(&parts, "objectives") {
            self.objectives(objectives)?;
        }
        let children = self.members(&parts, 0)?;
        if children.is_empty() {
            return Err("cmi5.xml has no AU: a course needs at least one <au>.".into());
        }
        Ok(Course {
            id,
            title,
            description,
            children,
        })
    }

    /// The `<au>` and `<block>` elements among `parts`, read in order.
    fn members(&mut self, parts: &[XmlNode<'d, 'i>], depth: usize) -> Result<Vec<Node>, String> {
        let mut out = Vec::new();
        for el in parts {
            match el.tag_name().name() {
                "au" => out.push(Node::Au(self.au(*el)?)),
                "block" => out.push(Node::Block(self.block(*el, depth + 1)?)),
                _ => {}
            }
        }
        Ok(out)
    }

    fn block(&mut self, el: XmlNode<'d, 'i>, depth: usize) -> Result<Block, String> {
        if depth > MAX_DEPTH {
            return Err(self.refuse(el, format!("blocks are nested more than {MAX_DEPTH} deep.")));
        }
        self.attributes(el, &["id"])?;
        let id = self.id(el)?;
        let parts = self.parts(el, &["title", "description", "objectives", "au", "block"])?;
        let title = self.title(el, &parts, &format!("the block “{id}”"))?;
        let children = self.members(&parts, depth)?;
        if children.is_empty() {
            return Err(self.refuse(el, format!("the block “{id}” holds no <au> or <block>.")));
        }
        Ok(Block {
            id,
            title,
            description: description(&parts),
            children,
        })
    }

    fn au(&mut self, el: XmlNode<'d, 'i>) -> Result<Au, String> {
        self.attributes(
            el,
            &[
                "id",
                "moveOn",
                "masteryScore",
                "launchMethod",
                "activityType",
            ],
        )?;
        let id = self.id(el)?;
        let parts = self.parts(
            el,
            &[
                "title",
                "description",
                "objectives",
                "url",
                "launchParameters",
                "entitlementKey",
            ],
        )?;
        let title = self.title(el, &parts, &format!("the AU “{id}”"))?;
        let url = find(&parts, "url").map(text).unwrap_or_default();
        if url.is_empty() {
            return Err(self.refuse(el, format!("the AU “{id}” has no <url> to launch.")));
        }
        if let Some(problem) = url_problem(&url, self.options) {
            return Err(self.refuse(
                el,
                format!("the AU “{id}” has the URL “{url}”, which {problem}."),
            ));
        }
        let move_on = match el.attribute("moveOn").map(str::trim) {
            None => MoveOn::NotApplicable,
            Some(v) => MoveOn::parse(v).ok_or_else(|| {
                self.refuse(
                    el,
                    format!(
                        "the AU “{id}” has moveOn=\"{v}\"; it must be Passed, Completed, \
                         CompletedAndPassed, CompletedOrPassed or NotApplicable."
                    ),
                )
            })?,
        };
        let launch_method = match el.attribute("launchMethod").map(str::trim) {
            None | Some("AnyWindow") => LaunchMethod::AnyWindow,
            Some("OwnWindow") => LaunchMethod::OwnWindow,
            Some(v) => {
                return Err(self.refuse(
                    el,
                    format!(
                        "the AU “{id}” has launchMethod=\"{v}\"; it must be AnyWindow or OwnWindow."
                    ),
                ));
            }
        };
        let mastery_score = match el.attribute("masteryScore") {
            None => None,
            Some(v) => match decimal(v) {
                Some(score) if (0.0..=1.0).contains(&score) => Some(score),
                _ => {
                    return Err(self.refuse(
                        el,
                        format!(
                            "the AU “{id}” has masteryScore=\"{v}\"; it must be a decimal from 0 to 1."
                        ),
                    ));
                }
            },
        };
        let optional = |name: &str| find(&parts, name).map(text).filter(|t| !t.is_empty());
        Ok(Au {
            title,
            description: description(&parts),
            url,
            launch_method,
            move_on,
            mastery_score,
            launch_parameters: optional("launchParameters"),
            entitlement_key: optional("entitlementKey"),
            activity_type: el
                .attribute("activityType")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            id,
        })
    }

    /// Objectives matter here only for their ids, which share the structure's id space.
    fn objectives(&mut self, el: XmlNode<'d, 'i>) -> Result<(), String> {
        for objective in self.parts(el, &["objective"])? {
            self.id(objective)?;
        }
        Ok(())
    }

    /// The element's `id`: an IRI (cmi5 §3 "IRI", §13.1) not used before in the structure.
    fn id(&mut self, el: XmlNode) -> Result<String, String> {
        let what = el.tag_name().name();
        let id = el.attribute("id").map(str::trim).unwrap_or_default();
        if id.is_empty() {
            return Err(self.refuse(el, format!("<{what}> has no id.")));
        }
        if !is_iri(id) {
            return Err(self.refuse(
                el,
                format!(
                    "the <{what}> id “{id}” is not an IRI (an absolute identifier with a scheme, like https://…)."
                ),
            ));
        }
        if let Some(first) = self.ids.insert(id.to_string(), el.range().start) {
            let first = self.doc.text_pos_at(first).row;
            return Err(self.refuse(
                el,
                format!("the id “{id}” is used again (first on line {first}); ids must be unique."),
            ));
        }
        Ok(id.to_string())
    }

    /// A required, non-empty `<title>` (cmi5 §13.1).
    fn title(&self, el: XmlNode, parts: &[XmlNode], whose: &str) -> Result<String, String> {
        find(parts, "title")
            .map(langstring)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.refuse(el, format!("{whose} has no <title>.")))
    }

    /// The cmi5 elements directly inside `el`, refusing names the schema does not allow there
    /// and repeats of those it allows once. Elements of other namespaces are extensions, which
    /// an LMS may ignore (cmi5 §13.1.5): they are skipped, contents and all.
    fn parts(&self, el: XmlNode<'d, 'i>, allowed: &[&str]) -> Result<Vec<XmlNode<'d, 'i>>, String> {
        let mut out: Vec<XmlNode> = Vec::new();
        for child in el.children().filter(is_cmi5) {
            let name = child.tag_name().name();
            let parent = el.tag_name().name();
            if !allowed.contains(&name) {
                return Err(
                    self.refuse(child, format!("<{name}> is not allowed inside <{parent}>."))
                );
            }
            let repeatable = matches!(name, "au" | "block" | "objective");
            if !repeatable && out.iter().any(|o| o.tag_name().name() == name) {
                return Err(self.refuse(child, format!("<{parent}> has more than one <{name}>.")));
            }
            out.push(child);
        }
        Ok(out)
    }

    /// Refuses an unqualified attribute the schema does not define (a misspelt `moveon` would
    /// otherwise silently become NotApplicable); qualified ones are extensions.
    fn attributes(&self, el: XmlNode, allowed: &[&str]) -> Result<(), String> {
        match el
            .attributes()
            .find(|a| a.namespace().is_none() && !allowed.contains(&a.name()))
        {
            Some(a) => Err(self.refuse(
                el,
                format!(
                    "<{}> has an unknown attribute “{}”.",
                    el.tag_name().name(),
                    a.name()
                ),
            )),
            None => Ok(()),
        }
    }
}

fn is_cmi5(node: &XmlNode) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(NAMESPACE)
}

fn find<'a, 'i>(parts: &[XmlNode<'a, 'i>], name: &str) -> Option<XmlNode<'a, 'i>> {
    parts.iter().copied().find(|p| p.tag_name().name() == name)
}

/// An element's own text, trimmed: cmi5 §13.1 has the LMS remove leading and trailing
/// whitespace from every value.
fn text(el: XmlNode) -> String {
    el.children()
        .filter(XmlNode::is_text)
        .filter_map(|t| t.text())
        .collect::<String>()
        .trim()
        .to_string()
}

/// The description, which may be missing or empty (real exports leave it so).
fn description(parts: &[XmlNode]) -> String {
    find(parts, "description")
        .map(langstring)
        .unwrap_or_default()
}

/// The text of a langstring set in the language Lyceum shows: en-US, else en, else another
/// English, else the first; empty ones are passed over.
fn langstring(el: XmlNode) -> String {
    let strings: Vec<(String, String)> = el
        .children()
        .filter(|c| is_cmi5(c) && c.tag_name().name() == "langstring")
        .map(|c| {
            // The schema's attribute is an unqualified `lang`; some exports write `xml:lang`.
            let lang = c
                .attribute("lang")
                .or_else(|| c.attribute((roxmltree::NS_XML_URI, "lang")))
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            (lang, text(c))
        })
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let pick = |wanted: &dyn Fn(&str) -> bool| strings.iter().find(|(l, _)| wanted(l));
    pick(&|l| l == "en-us")
        .or_else(|| pick(&|l| l == "en"))
        .or_else(|| pick(&|l| l.starts_with("en-")))
        .or_else(|| strings.first())
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

/// An `xs:decimal`: digits with an optional sign and point, nothing else (no exponent, no
/// "NaN" or "inf", which Rust's float parser would take).
fn decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    s.parse().ok()
}

/// An absolute IRI: a scheme and no whitespace. `url` checks the rest and takes non-ASCII.
fn is_iri(s: &str) -> bool {
    !s.chars().any(|c| c.is_whitespace() || c.is_control()) && url::Url::parse(s).is_ok()
}

/// The URL's scheme, when it has one (RFC 3986: a letter, then letters, digits, `+ - .`, then
/// `:` before any `/ ? #`).
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

/// Why an AU URL cannot be launched, or None. Finished as "the URL … {problem}".
fn url_problem(url: &str, options: Options) -> Option<&'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains a space or a control character (cmi5 §13.1.4: it must be a URL)");
    }
    if url.chars().any(|c| "<>\"{}|\\^`".contains(c)) {
        return Some("contains a character a URL may not hold");
    }
    if !escapes_well_formed(url) {
        return Some("has a “%” that is not followed by two hexadecimal digits");
    }
    let query = url
        .split('#')
        .next()
        .unwrap_or("")
        .split_once('?')
        .map(|(_, q)| q);
    if let Some(query) = query
        && url::form_urlencoded::parse(query.as_bytes())
            .any(|(name, _)| LAUNCH_PARAMETERS.contains(&name.as_ref()))
    {
        return Some(
            "uses a query parameter the LMS adds at launch (endpoint, fetch, actor, registration \
             or activityId; cmi5 §8.1)",
        );
    }
    if let Some(scheme) = scheme(url) {
        // Lyceum launches in a browser; other schemes (javascript:, data:, file:, an
        // application's own) cannot be launched there, and some would run in Lyceum's origin.
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Some("is neither http nor https, the only kinds Lyceum can launch");
        }
        return match url::Url::parse(url) {
            Ok(parsed) if parsed.host().is_some() => None,
            _ => Some("is not a valid URL"),
        };
    }
    if url.starts_with("//") {
        return Some("has no scheme (write https:// in full)");
    }
    if options.remote_only {
        return Some(
            "is relative, but a course structure without a zip must give every URL in full \
             (cmi5 §14.2)",
        );
    }
    package_file(url).err()
}

fn escapes_well_formed(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

/// The file a relative URL names inside the package, or why it names none.
fn package_file(url: &str) -> Result<String, &'static str> {
    if scheme(url).is_some() || url.starts_with("//") {
        return Err("is absolute");
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path.starts_with('/') {
        return Err("starts with “/”, so it does not point inside the package");
    }
    let mut segments: Vec<String> = Vec::new();
    for raw in path.split('/') {
        let segment = percent_decode(raw).ok_or("is not UTF-8 once its %-escapes are decoded")?;
        match segment.as_str() {
            "" | "." => {}
            ".." => {
                segments
                    .pop()
                    .ok_or("climbs out of the package with “..”")?;
            }
            s if s.chars().any(|c| c == '/' || c == '\\' || c.is_control()) => {
                return Err("encodes a slash or a control character in a file name");
            }
            _ => segments.push(segment),
        }
    }
    if segments.is_empty() {
        return Err("names no file in the package");
    }
    Ok(segments.join("/"))
}

/// `%XX` escapes decoded; None when the result is not UTF-8. Malformed escapes are kept as
/// they are (`url_problem` refuses them first).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| b == b'%')
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The shared corpus's cmi5 folder, or None (said so) when this machine lacks it. The
    /// other cmi5 modules' tests read it too.
    pub(crate) fn corpus() -> Option<PathBuf> {
        const IN_SHARED: &str = "shared/corpus/cmi5";
        let dir = std::env::var_os("LYCEUM_CORPUS")
            .map(|d| PathBuf::from(d).join("cmi5"))
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
        if dir.is_dir() {
            Some(dir)
        } else {
            println!(
                "No cmi5 corpus at {}; skipping (set LYCEUM_CORPUS).",
                dir.display()
            );
            None
        }
    }

    /// `cmi5.xml` from each zip in the corpus, read with `unzip -p` (the crate's zip reader is
    /// not among this module's dependencies), or None (said so) without `unzip`.
    fn from_zips(dir: &std::path::Path, zips: [&str; 3]) -> Option<[String; 3]> {
        let read = |zip: &str| {
            let run = std::process::Command::new("unzip")
                .arg("-p")
                .arg(dir.join(zip))
                .arg("cmi5.xml")
                .output();
            let Ok(out) = run else {
                println!("Cannot run unzip; skipping the cmi5 packages.");
                return None;
            };
            assert!(out.status.success(), "unzip -p {zip} cmi5.xml failed");
            Some(String::from_utf8(out.stdout).unwrap())
        };
        let [a, b, c] = zips;
        Some([read(a)?, read(b)?, read(c)?])
    }

    /// A structure with one AU, its attributes and inner elements given.
    fn one_au(attributes: &str, inner: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<courseStructure xmlns="{NAMESPACE}">
  <course id="https://example.com/course">
    <title><langstring lang="en-US">Course</langstring></title>
    <description><langstring lang="en-US">About</langstring></description>
  </course>
  <au id="https://example.com/au" {attributes}>
    <title><langstring lang="en-US">AU</langstring></title>
    <description><langstring lang="en-US">About the AU</langstring></description>
    {inner}
  </au>
</courseStructure>"#
        )
    }

    fn refused(xml: &str) -> String {
        parse(xml).unwrap_err()
    }

    #[test]
    fn reads_the_corpus_packages() {
        let Some(dir) = corpus() else { return };
        let zips = [
            "masteryscore_responsive.zip",
            "single_au_basic_responsive.zip",
            "multi_au_framed.zip",
        ];
        let Some([mastery, single, multi]) = from_zips(&dir, zips) else {
            return;
        };

        let course = parse(&mastery).unwrap();
        assert_eq!(
            course.title,
            "Introduction to Geology - Responsive Style - Mastery Score"
        );
        let aus = course.aus();
        assert_eq!(aus.len(), 1);
        assert_eq!(aus[0].move_on, MoveOn::CompletedOrPassed);
        assert_eq!(aus[0].mastery_score, Some(0.3));
        assert_eq!(aus[0].launch_method, LaunchMethod::OwnWindow);
        assert_eq!(aus[0].url, "index.html");
        assert_eq!(aus[0].package_path().as_deref(), Some("index.html"));
        assert!(course.description.starts_with("This course will introduce"));

        let course = parse(&single).unwrap();
        let aus = course.aus();
        assert_eq!(aus.len(), 1);
        assert_eq!(aus[0].title, "Introduction to Geology - Responsive Style");
        assert_eq!(aus[0].move_on, MoveOn::CompletedOrPassed);
        assert_eq!(aus[0].mastery_score, None);
        assert_eq!(aus[0].launch_method, LaunchMethod::AnyWindow);

        let course = parse(&multi).unwrap();
        let aus = course.aus();
        assert_eq!(aus.len(), 8);
        assert_eq!(course.children.len(), 8, "all AUs at the root");
        let titles: Vec<&str> = aus.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles[0], "Introduction to Geology");
        assert_eq!(titles[7], "Quiz");
        assert!(
            aus[..7]
                .iter()
                .all(|a| a.move_on == MoveOn::CompletedOrPassed)
        );
        assert_eq!(aus[7].move_on, MoveOn::CompletedAndPassed);
        // The entity is decoded; the query stays on the URL and off the file.
        assert_eq!(aus[1].url, "index.html?pages=2&complete=launch");
        assert_eq!(aus[1].package_path().as_deref(), Some("index.html"));
        let quiz =
            "https://w3id.org/xapi/cmi5/catapult/lts/course/geology-intro-multi-au-framed/quiz";
        assert_eq!(course.au(quiz).unwrap().title, "Quiz");
        assert!(course.au("https://example.com/none").is_none());
    }

    #[test]
    fn reads_the_spec_examples() {
        let Some(dir) = corpus() else { return };
        let read =
            |name: &str| std::fs::read_to_string(dir.join("spec/examples").join(name)).unwrap();

        let simple = parse(&read("simple-cmi5.xml")).unwrap();
        assert_eq!(simple.title, "Introduction to Geology");
        let aus = simple.aus();
        assert_eq!(aus.len(), 1);
        assert_eq!(aus[0].move_on, MoveOn::NotApplicable, "the default");
        assert_eq!(aus[0].launch_method, LaunchMethod::AnyWindow, "the default");
        assert_eq!(aus[0].mastery_score, None);
        assert_eq!(aus[0].package_path(), None, "an absolute URL");
        // All its URLs are absolute, so it may also come without a zip.
        let remote = Options { remote_only: true };
        assert_eq!(
            parse_with(&read("simple-cmi5.xml"), remote).unwrap(),
            simple
        );

        // Its keyword elements are in another namespace: ignored, not refused, even though their
        // <langstring>s are in cmi5's.
        let extended = parse(&read("extended-cmi5.xml")).unwrap();
        assert_eq!(extended.aus().len(), 1);
        assert_eq!(extended.aus()[0].title, "Introduction to Geology");

        let complex = parse(&read("complex-cmi5.xml")).unwrap();
        assert_eq!(complex.title, "Geology", "en-US before de-DE");
        let aus = complex.aus();
        assert_eq!(aus.len(), 14);
        assert_eq!(complex.children.len(), 4, "three blocks and the quiz");
        let first = aus[0];
        assert_eq!(first.title, "Rock and rock cycle");
        assert_eq!(first.move_on, MoveOn::CompletedOrPassed);
        assert_eq!(first.mastery_score, Some(1.0));
        assert_eq!(
            first.url,
            "http://courses.example.edu/identifiers/courses/d07e186b/blocks/001/aus/64f6/launch",
            "trimmed"
        );
        assert_eq!(
            first.launch_parameters.as_deref(),
            Some("{'initialSpeed':3.0,'mode':1}")
        );
        assert_eq!(
            first.entitlement_key.as_deref(),
            Some("833d0c7c-a3f8-4f9b-a51f-cbd8a9dac9fb")
        );
        assert_eq!(
            first.activity_type.as_deref(),
            Some("http://adlnet.gov/expapi/activities/lesson")
        );
        let structure = complex
            .au("http://example.com/courses/f59c9fc0/au/6f65")
            .unwrap();
        assert_eq!(structure.launch_parameters, None, "whitespace only");
        assert_eq!(structure.entitlement_key, None, "empty");
        assert_eq!(structure.mastery_score, Some(0.3));
        let move_ons: Vec<MoveOn> = aus.iter().map(|a| a.move_on).collect();
        assert_eq!(
            move_ons,
            [
                MoveOn::CompletedOrPassed,
                MoveOn::NotApplicable,
                MoveOn::Passed,
                MoveOn::CompletedOrPassed,
                MoveOn::CompletedAndPassed,
                MoveOn::Completed,
                MoveOn::Completed,
                MoveOn::Completed,
                MoveOn::NotApplicable,
                MoveOn::NotApplicable,
                MoveOn::NotApplicable,
                MoveOn::NotApplicable,
                MoveOn::Passed,
                MoveOn::Passed,
            ]
        );
        let quiz = aus[13];
        assert_eq!(quiz.title, "Quiz");
        assert_eq!(quiz.mastery_score, Some(0.7));
        assert!(
            quiz.entitlement_key
                .as_deref()
                .unwrap()
                .starts_with("w8GFdWkt")
        );
        // Blocks nest three deep: 003 > 003-001 > 003-001-001.
        let Node::Block(b3) = &complex.children[2] else {
            panic!("block 003")
        };
        let Node::Block(b31) = &b3.children[1] else {
            panic!("block 003-001")
        };
        let Node::Block(b311) = &b31.children[0] else {
            panic!("block 003-001-001")
        };
        assert_eq!(b311.title, "Phanerozoic");
        assert_eq!(b311.children.len(), 3);
    }

    #[test]
    fn reads_authoring_tool_exports() {
        // Shaped like Articulate Rise's export: a host with "-" and "_", objectives, lang "en".
        let rise = format!(
            r#"<?xml version="1.0" encoding="utf-8" ?>
<courseStructure xmlns="{NAMESPACE}">
  <course id="http://-nchSVz-tTon4jdS8NUlcpkaUv6kM1eL_rise/course">
    <title><langstring lang="en-US">Módulo 1</langstring></title>
    <description><langstring lang="en-US"></langstring></description>
  </course>
  <objectives>
    <objective id="http://-nchSVz-tTon4jdS8NUlcpkaUv6kM1eL_rise/objective/95HN3O5F">
      <title><langstring lang="en-US"> Introdução </langstring></title>
      <description><langstring lang="en-US"> </langstring></description>
    </objective>
  </objectives>
  <au id="http://-nchSVz-tTon4jdS8NUlcpkaUv6kM1eL_rise/activity" launchMethod="OwnWindow" moveOn="Passed"  >
    <title><langstring lang="en">
        Módulo 1
      </langstring></title>
    <description><langstring lang="en"> </langstring></description>
    <objectives>
      <objective idref="http://-nchSVz-tTon4jdS8NUlcpkaUv6kM1eL_rise/objective/95HN3O5F" />
    </objectives>
    <url>scormdriver/indexAPI.html</url>
    <launchParameters>eyJjcHYiOiJ4X1liWlpKeSIsInJsZCI6ZmFsc2V9</launchParameters>
  </au>
</courseStructure>"#
        );
        let course = parse(&rise).unwrap();
        let au = course.aus()[0];
        assert_eq!(au.title, "Módulo 1");
        assert_eq!(au.description, "");
        assert_eq!(
            au.package_path().as_deref(),
            Some("scormdriver/indexAPI.html")
        );

        // Shaped like iSpring's: its own id scheme, a four-place masteryScore, no lang match.
        let ispring = format!(
            r#"<?xml version="1.0"?>
<courseStructure xmlns="{NAMESPACE}">
	<course id="ispring://presentations/B9D421BD-2F9F-471A-8DC7-EA17C654EE3F">
		<title><langstring lang="und">Addictive substances</langstring></title>
		<description><langstring lang="en-US"/></description>
	</course>
	<au id="ispring://presentations/B9D421BD-2F9F-471A-8DC7-EA17C654EE3F/presentation" launchMethod="AnyWindow" moveOn="CompletedAndPassed" masteryScore="0.0000">
		<title><langstring lang="und">Addictive substances</langstring></title>
		<description><langstring lang="en-US"/></description>
		<url>./res/../res/index.html</url>
	</au>
</courseStructure>"#
        );
        let course = parse(&ispring).unwrap();
        assert_eq!(course.title, "Addictive substances");
        let au = course.aus()[0];
        assert_eq!(au.mastery_score, Some(0.0));
        assert_eq!(au.package_path().as_deref(), Some("res/index.html"));
    }

    #[test]
    fn reads_more_than_a_thousand_aus() {
        // cmi5 §6.1 (CATAPULT's LMS test 101).
        let aus: String = (0..1001)
            .map(|n| {
                format!(
                    r#"<au id="https://e.com/au/{n}" moveOn="Completed"><title><langstring>AU {n}</langstring></title><url>au{n}/index.html</url></au>"#
                )
            })
            .collect();
        let xml = format!(
            r#"<courseStructure xmlns="{NAMESPACE}"><course id="https://e.com/c"><title><langstring>C</langstring></title></course>{aus}</courseStructure>"#
        );
        let course = parse(&xml).unwrap();
        assert_eq!(course.aus().len(), 1001);
        assert_eq!(course.au("https://e.com/au/1000").unwrap().title, "AU 1000");
    }

    #[test]
    fn picks_the_language() {
        let xml = one_au("", "<url>a.html</url>").replace(
            r#"<langstring lang="en-US">AU</langstring>"#,
            r#"<langstring lang="de">Lerneinheit</langstring><langstring lang="en-GB">Unit</langstring><langstring lang="EN">Plain</langstring>"#,
        );
        assert_eq!(parse(&xml).unwrap().aus()[0].title, "Plain");
        let xml = one_au("", "<url>a.html</url>").replace(
            r#"<langstring lang="en-US">AU</langstring>"#,
            r#"<langstring lang="de">Lerneinheit</langstring><langstring lang="en-GB">Unit</langstring>"#,
        );
        assert_eq!(parse(&xml).unwrap().aus()[0].title, "Unit");
        let xml = one_au("", "<url>a.html</url>").replace(
            r#"<langstring lang="en-US">AU</langstring>"#,
            r#"<langstring lang="de">Lerneinheit</langstring><langstring lang="fr">Unité</langstring>"#,
        );
        assert_eq!(parse(&xml).unwrap().aus()[0].title, "Lerneinheit");
        let xml = one_au("", "<url>a.html</url>").replace(
            r#"<langstring lang="en-US">AU</langstring>"#,
            r#"<langstring xml:lang="de">Lerneinheit</langstring><langstring xml:lang="en-US">Unit</langstring>"#,
        );
        assert_eq!(parse(&xml).unwrap().aus()[0].title, "Unit");
    }

    #[test]
    fn reads_every_attribute() {
        let xml = one_au(
            r#"moveOn="CompletedAndPassed" masteryScore=" .85 " launchMethod="OwnWindow" activityType="http://adlnet.gov/expapi/activities/media" xmlns:x="urn:x" x:extra="1""#,
            "<url>https://cdn.example.com/au/start.html?lang=en</url><launchParameters> mode=1 </launchParameters><entitlementKey>key-1</entitlementKey>",
        );
        let au = parse_with(&xml, Options { remote_only: true })
            .unwrap()
            .aus()[0]
            .clone();
        assert_eq!(
            au,
            Au {
                id: "https://example.com/au".into(),
                title: "AU".into(),
                description: "About the AU".into(),
                url: "https://cdn.example.com/au/start.html?lang=en".into(),
                launch_method: LaunchMethod::OwnWindow,
                move_on: MoveOn::CompletedAndPassed,
                mastery_score: Some(0.85),
                launch_parameters: Some("mode=1".into()),
                entitlement_key: Some("key-1".into()),
                activity_type: Some("http://adlnet.gov/expapi/activities/media".into()),
            }
        );
        for m in [
            "Passed",
            "Completed",
            "CompletedAndPassed",
            "CompletedOrPassed",
            "NotApplicable",
        ] {
            assert_eq!(MoveOn::parse(m).unwrap().as_str(), m);
        }
        assert_eq!(LaunchMethod::OwnWindow.as_str(), "OwnWindow");
        // Survives a round trip through JSON (the importer stores it so).
        let course = parse(&xml).unwrap();
        let json = serde_json::to_string(&course).unwrap();
        assert_eq!(serde_json::from_str::<Course>(&json).unwrap(), course);
    }

    #[test]
    fn refuses_what_is_not_a_course_structure() {
        let e = refused("<courseStructure><course");
        assert!(e.starts_with("cmi5.xml is not well-formed XML"), "{e}");
        assert!(e.contains("line 1, column"), "{e}");
        let e = refused(r#"<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"/>"#);
        assert!(e.contains("<manifest>, not <courseStructure>"), "{e}");
        let e = refused(r#"<courseStructure xmlns="http://aicc.org/CMI5/CourseStructure.xsd"/>"#);
        assert!(
            e.contains("namespace “http://aicc.org/CMI5/CourseStructure.xsd”"),
            "{e}"
        );
        let e = refused("<courseStructure/>");
        assert!(e.contains("namespace “”"), "{e}");
        let e = refused(&format!(
            r#"<!DOCTYPE courseStructure [<!ENTITY a "aaaa">]><courseStructure xmlns="{NAMESPACE}"/>"#
        ));
        assert!(
            e.starts_with("cmi5.xml is not well-formed XML"),
            "a DTD: {e}"
        );
    }

    #[test]
    fn refuses_a_course_without_id_title_or_aus() {
        let xml = one_au("", "<url>a.html</url>");
        let e = refused(&xml.replace(r#" id="https://example.com/course""#, ""));
        assert_eq!(e, "cmi5.xml line 3: <course> has no id.");
        let e = refused(&xml.replace(
            r#"<title><langstring lang="en-US">Course</langstring></title>"#,
            "",
        ));
        assert_eq!(e, "cmi5.xml line 3: the course has no <title>.");
        let e = refused(&xml.replace(
            r#"<langstring lang="en-US">Course</langstring>"#,
            r#"<langstring lang="en-US">  </langstring>"#,
        ));
        assert!(e.contains("the course has no <title>"), "blank: {e}");
        let e = refused(&format!(
            r#"<courseStructure xmlns="{NAMESPACE}"><au id="https://e.com/a"/></courseStructure>"#
        ));
        assert_eq!(e, "cmi5.xml has no <course> element.");
        let e = refused(&format!(
            r#"<courseStructure xmlns="{NAMESPACE}"><course id="https://e.com/c"><title><langstring>C</langstring></title></course></courseStructure>"#
        ));
        assert!(e.contains("has no AU"), "{e}");
    }

    #[test]
    fn refuses_a_bad_au() {
        let e = refused(&one_au("", ""));
        assert_eq!(
            e,
            "cmi5.xml line 7: the AU “https://example.com/au” has no <url> to launch."
        );
        let e = refused(&one_au("", "<url> </url>"));
        assert!(e.contains("has no <url>"), "{e}");
        let e = refused(
            &one_au("", "<url>a.html</url>").replace(r#" id="https://example.com/au""#, ""),
        );
        assert_eq!(e, "cmi5.xml line 7: <au> has no id.");
        let e = refused(&one_au("", "<url>a.html</url>").replace(
            r#"<title><langstring lang="en-US">AU</langstring></title>"#,
            "",
        ));
        assert!(
            e.contains("the AU “https://example.com/au” has no <title>"),
            "{e}"
        );
        let e = refused(&one_au(r#"moveOn="passed""#, "<url>a.html</url>"));
        assert!(
            e.contains(r#"moveOn="passed"; it must be Passed, Completed"#),
            "{e}"
        );
        let e = refused(&one_au(r#"launchMethod="NewWindow""#, "<url>a.html</url>"));
        assert!(e.contains("it must be AnyWindow or OwnWindow"), "{e}");
        for score in ["1.5", "-0.1", "abc", "1e-1", "NaN", "inf", "", "."] {
            let e = refused(&one_au(
                &format!(r#"masteryScore="{score}""#),
                "<url>a.html</url>",
            ));
            assert!(
                e.contains("it must be a decimal from 0 to 1"),
                "{score}: {e}"
            );
        }
        for score in ["0", "1", "1.0", "0.5", "+0.25", ".5"] {
            assert!(
                parse(&one_au(
                    &format!(r#"masteryScore="{score}""#),
                    "<url>a.html</url>"
                ))
                .is_ok(),
                "{score}"
            );
        }
        let e = refused(&one_au(r#"moveon="Passed""#, "<url>a.html</url>"));
        assert!(e.contains("<au> has an unknown attribute “moveon”"), "{e}");
        let e = refused(&one_au("", "<url>a.html</url><url>b.html</url>"));
        assert!(e.contains("<au> has more than one <url>"), "{e}");
        let e = refused(&one_au("", "<url>a.html</url><launch>x</launch>"));
        assert!(e.contains("<launch> is not allowed inside <au>"), "{e}");
        let e = refused(&one_au(
            "",
            "<url>a.html</url><block id=\"https://e.com/b\"/>",
        ));
        assert!(e.contains("<block> is not allowed inside <au>"), "{e}");
    }

    #[test]
    fn refuses_ids_that_are_not_iris_or_repeat() {
        // As CATAPULT's LMS tests 201-*: an id without a scheme.
        let e = refused(&one_au("", "<url>a.html</url>").replace(
            "https://example.com/course",
            "w3id.org/xapi/cmi5/catapult/lts/course/201-1",
        ));
        assert!(
            e.contains(
                "the <course> id “w3id.org/xapi/cmi5/catapult/lts/course/201-1” is not an IRI"
            ),
            "{e}"
        );
        let e = refused(&one_au("", "<url>a.html</url>").replace("https://example.com/au", "au 1"));
        assert!(e.contains("is not an IRI"), "{e}");
        // As 205-*: a repeated AU, block or objective id; across kinds too.
        let e = refused(
            &one_au("", "<url>a.html</url>")
                .replace("https://example.com/au", "https://example.com/course"),
        );
        assert_eq!(
            e,
            "cmi5.xml line 7: the id “https://example.com/course” is used again (first on line 3); ids must be unique."
        );
        let two_aus = one_au("", "<url>a.html</url>").replace(
            "</courseStructure>",
            r#"<au id="https://example.com/au"><title><langstring>B</langstring></title><url>b.html</url></au></courseStructure>"#,
        );
        assert!(refused(&two_aus).contains("is used again"));
        let objectives = one_au("", "<url>a.html</url>").replace(
            "  <au ",
            r#"<objectives><objective id="https://example.com/o"/><objective id="https://example.com/o"/></objectives><au "#,
        );
        assert!(refused(&objectives).contains("the id “https://example.com/o” is used again"));
        let objectives = one_au("", "<url>a.html</url>").replace(
            "  <au ",
            r#"<objectives><objective id="example.com/o"/></objectives><au "#,
        );
        assert!(refused(&objectives).contains("the <objective> id “example.com/o” is not an IRI"));
    }

    #[test]
    fn refuses_urls_it_cannot_launch() {
        let bad = |url: &str| refused(&one_au("", &format!("<url>{url}</url>")));
        // As 206-1 and 207-1.
        assert!(bad("http://example.com index.html").contains("contains a space"));
        assert!(bad("http://exa&lt;mple.com/").contains("a character a URL may not hold"));
        assert!(bad("a%zz.html").contains("“%” that is not followed by two hexadecimal digits"));
        assert!(bad("javascript:alert(1)").contains("is neither http nor https"));
        assert!(bad("file:///etc/passwd").contains("is neither http nor https"));
        assert!(bad("https://").contains("is not a valid URL"));
        assert!(bad("//cdn.example.com/a.html").contains("has no scheme"));
        assert!(bad("/index.html").contains("starts with “/”"));
        assert!(bad("../index.html").contains("climbs out of the package"));
        assert!(bad("a/../../index.html").contains("climbs out of the package"));
        assert!(bad("a%2F..%2F..%2Fb.html").contains("encodes a slash"));
        assert!(bad("?x=1").contains("names no file"));
        assert!(bad("a%FF.html").contains("not UTF-8"));
        // As 204: a query parameter the launch adds.
        let e = bad("index.html?endpoint=http://example.org/lrs");
        assert!(e.contains("query parameter the LMS adds at launch"), "{e}");
        assert!(
            bad("https://e.com/a?x=1&amp;activityId=2").contains("query parameter the LMS adds")
        );
        // A decoded path, with the query and fragment left off.
        let au = parse(&one_au("", "<url>my%20course/index.html?a=b#top</url>")).unwrap();
        assert_eq!(
            au.aus()[0].package_path().as_deref(),
            Some("my course/index.html")
        );
        // As 202-*: relative URLs in a structure that came without a zip.
        let remote = Options { remote_only: true };
        for url in [
            "index.html",
            "path/1/index.html",
            "index.html?abc=def",
            "/index.html",
        ] {
            let e = parse_with(&one_au("", &format!("<url>{url}</url>")), remote).unwrap_err();
            assert!(e.contains("is relative") || e.contains("“/”"), "{url}: {e}");
        }
    }

    #[test]
    fn refuses_empty_or_too_deep_blocks() {
        let block = |inner: &str| {
            format!(
                r#"<courseStructure xmlns="{NAMESPACE}"><course id="https://e.com/c"><title><langstring>C</langstring></title></course>{inner}</courseStructure>"#
            )
        };
        let e = refused(&block(
            r#"<block id="https://e.com/b"><title><langstring>B</langstring></title></block>"#,
        ));
        assert!(
            e.contains("the block “https://e.com/b” holds no <au> or <block>"),
            "{e}"
        );
        let e = refused(&block(
            r#"<block id="https://e.com/b"><au id="https://e.com/a"><title><langstring>A</langstring></title><url>a.html</url></au></block>"#,
        ));
        assert!(
            e.contains("the block “https://e.com/b” has no <title>"),
            "{e}"
        );
        let mut nested = r#"<au id="https://e.com/a"><title><langstring>A</langstring></title><url>a.html</url></au>"#.to_string();
        for depth in 0..=MAX_DEPTH {
            nested = format!(
                r#"<block id="https://e.com/b{depth}"><title><langstring>B</langstring></title>{nested}</block>"#
            );
        }
        assert!(refused(&block(&nested)).contains("nested more than 32 deep"));
    }
}
