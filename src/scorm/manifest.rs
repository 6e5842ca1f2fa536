//! Reading `imsmanifest.xml` (IMS Content Packaging with ADL's SCORM extensions) into the
//! package's structure, refusing a manifest that cannot be played with the reason, as SCORM
//! Cloud would rather than as a lenient player that fails later in front of learners.

use super::model::{Structure, TocItem, Version};
use crate::packages::zip::ZipRefusal;
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::HashMap;

/// Why a package is refused. Each message names the problem so that whoever exports the
/// package can fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "This file is not a zip archive. Upload the .zip file the authoring tool exported as SCORM."
    )]
    NotZip,
    /// What is wrong with the zip itself, as for any package.
    #[error(transparent)]
    Zip(ZipRefusal),
    #[error(
        "The zip has no imsmanifest.xml at its top, so it is not a SCORM package. Export it from the authoring tool as SCORM 1.2 or 2004."
    )]
    NoManifest,
    #[error(
        "This is an AICC package; Lyceum plays SCORM 1.2 and 2004 packages. Export it from the authoring tool as SCORM."
    )]
    Aicc,
    #[error(
        "This is a cmi5 package: add it as a “cmi5 course” item instead (or export it from the authoring tool as SCORM 1.2 or 2004)."
    )]
    Cmi5,
    #[error("imsmanifest.xml is not well-formed XML: {message} (line {line}, column {column}).")]
    BadXml {
        message: String,
        line: u32,
        column: u32,
    },
    #[error(
        "imsmanifest.xml is not a content package manifest: its top element is <{0}>, not <manifest>."
    )]
    NotAManifest(String),
    #[error("The manifest's schema version “{0}” is neither SCORM 1.2 nor SCORM 2004.")]
    UnsupportedSchema(String),
    #[error(
        "The manifest has no organization, so there is nothing for learners to open (a package of resources only cannot be played)."
    )]
    NoOrganization,
    #[error("An organization in the manifest has no identifier.")]
    OrganizationWithoutIdentifier,
    #[error("The organization “{0}” has no title.")]
    OrganizationWithoutTitle(String),
    #[error("An item of the organization “{0}” has no identifier.")]
    ItemWithoutIdentifier(String),
    #[error(
        "The item “{item}” refers to the resource “{resource}”, which the manifest does not have."
    )]
    MissingResource { item: String, resource: String },
    #[error(
        "The item “{item}” launches the resource “{resource}”, which names no file to launch (it has no href)."
    )]
    NoLaunchFile { item: String, resource: String },
    #[error(
        "The item “{item}” launches {href}, outside the package. Lyceum plays packages whose files are all in the zip."
    )]
    LaunchOutside { item: String, href: String },
    #[error("No item of the manifest launches anything.")]
    NothingToLaunch,
    #[error("The item “{item}” launches {path}, which is not in the zip.")]
    LaunchFileMissing { item: String, path: String },
}

impl From<ZipRefusal> for Refusal {
    fn from(refusal: ZipRefusal) -> Refusal {
        match refusal {
            // Said with what to upload instead.
            ZipRefusal::NotZip => Refusal::NotZip,
            other => Refusal::Zip(other),
        }
    }
}

/// The manifest's text, in whatever encoding it was written (`files::sniff::decode_text`).
pub fn decode(bytes: &[u8]) -> String {
    crate::files::sniff::decode_text(bytes)
}

/// Reads a manifest. `decode` its bytes first.
pub fn parse(text: &str) -> Result<Structure, Refusal> {
    // An XML declaration naming another encoding is harmless here: the text is decoded already.
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        let at = e.pos();
        let full = e.to_string();
        // roxmltree ends its message with " at line:column"; we say where in our own words.
        let message = full
            .rsplit_once(" at ")
            .map_or(full.as_str(), |(m, _)| m)
            .to_string();
        Refusal::BadXml {
            message,
            line: at.row,
            column: at.col,
        }
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "manifest" {
        return Err(Refusal::NotAManifest(root.tag_name().name().to_string()));
    }
    let version = version(root)?;
    let resources = resources(root);
    let organizations = child(root, "organizations").ok_or(Refusal::NoOrganization)?;
    let organization = default_organization(organizations)?;
    let org_id = attr(organization, "identifier").unwrap_or_default();
    let title = child(organization, "title")
        .map(text_of)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Refusal::OrganizationWithoutTitle(org_id.clone()))?;
    let manifest_base = attr(root, "base").unwrap_or_default();
    let resources_base = child(root, "resources")
        .and_then(|r| attr(r, "base"))
        .unwrap_or_default();
    let collection = super::sequencing_xml::collection(root);
    let context = Context {
        org_id,
        resources: &resources,
        base: format!("{manifest_base}{resources_base}"),
        collection: &collection,
    };
    let mut items = Vec::new();
    for item in children(organization, "item") {
        walk(&context, item, 0, &mut items)?;
    }
    if !items.iter().any(|i| i.launch.is_some()) {
        return Err(Refusal::NothingToLaunch);
    }
    Ok(Structure {
        version,
        title,
        items,
        sequencing: super::sequencing_xml::of(organization, &collection),
    })
}

/// SCORM 1.2 and 2004 are told apart by their namespaces (SCORM 1.2 gave `schemaversion` no
/// fixed values); 2004's edition by `schemaversion`.
fn version(root: Node) -> Result<Version, Refusal> {
    let stated = child(root, "metadata")
        .and_then(|m| child(m, "schemaversion"))
        .map(text_of)
        .unwrap_or_default();
    let uses = |part: &str| root.namespaces().any(|ns| ns.uri().contains(part));
    let edition = match stated.as_str() {
        "CAM 1.3" => Some(2),
        s if s.starts_with("2004 3rd") => Some(3),
        s if s.starts_with("2004 4th") => Some(4),
        _ => None,
    };
    if uses("imscp_rootv1p1p2") || uses("adlcp_rootv1p2") {
        Ok(Version::Scorm12)
    } else if uses("imscp_v1p1") || uses("adlcp_v1p3") {
        Ok(Version::Scorm2004(edition))
    } else if stated == "1.2" {
        Ok(Version::Scorm12)
    } else if edition.is_some() || stated.starts_with("2004") {
        Ok(Version::Scorm2004(edition))
    } else if stated.is_empty() {
        Err(Refusal::UnsupportedSchema("none stated".into()))
    } else {
        Err(Refusal::UnsupportedSchema(stated))
    }
}

fn default_organization<'a, 'i>(organizations: Node<'a, 'i>) -> Result<Node<'a, 'i>, Refusal> {
    let all: Vec<Node> = children(organizations, "organization").collect();
    if all.iter().any(|o| attr(*o, "identifier").is_none()) {
        return Err(Refusal::OrganizationWithoutIdentifier);
    }
    // A default that names no organization is taken as none (real exports do this, and every
    // player opens their first organization then).
    let default = attr(organizations, "default");
    let named = all
        .iter()
        .find(|o| attr(**o, "identifier") == default)
        .copied();
    named
        .or_else(|| all.first().copied())
        .ok_or(Refusal::NoOrganization)
}

/// A resource as items launch it.
struct Resource {
    href: Option<String>,
    base: String,
    sco: bool,
}

fn resources(root: Node) -> HashMap<String, Resource> {
    child(root, "resources")
        .map(|r| {
            children(r, "resource")
                .filter_map(|res| {
                    let id = attr(res, "identifier")?;
                    Some((
                        id,
                        Resource {
                            href: attr(res, "href").filter(|h| !h.is_empty()),
                            base: attr(res, "base").unwrap_or_default(),
                            sco: attr(res, "scormtype")
                                .is_some_and(|t| t.eq_ignore_ascii_case("sco")),
                        },
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

struct Context<'r, 'a, 'i> {
    org_id: String,
    resources: &'r HashMap<String, Resource>,
    /// The manifest's and `<resources>`' `xml:base`.
    base: String,
    /// The sequencing collection, for items that name an entry of it.
    collection: &'r HashMap<String, Node<'a, 'i>>,
}

fn walk(context: &Context, item: Node, depth: u32, out: &mut Vec<TocItem>) -> Result<(), Refusal> {
    let identifier = attr(item, "identifier")
        .ok_or_else(|| Refusal::ItemWithoutIdentifier(context.org_id.clone()))?;
    let title = child(item, "title")
        .map(text_of)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| identifier.clone());
    let (launch, sco) = match attr(item, "identifierref") {
        None => (None, false),
        Some(reference) => {
            let resource =
                context
                    .resources
                    .get(&reference)
                    .ok_or_else(|| Refusal::MissingResource {
                        item: title.clone(),
                        resource: reference.clone(),
                    })?;
            let href = resource
                .href
                .as_deref()
                .ok_or_else(|| Refusal::NoLaunchFile {
                    item: title.clone(),
                    resource: reference.clone(),
                })?;
            let joined = format!("{}{}{href}", context.base, resource.base);
            let path = resolve(&joined).ok_or_else(|| Refusal::LaunchOutside {
                item: title.clone(),
                href: href.to_string(),
            })?;
            let parameters = attr(item, "parameters").unwrap_or_default();
            (Some(with_parameters(&path, &parameters)), resource.sco)
        }
    };
    let adl = |name: &str| adl_child(item, name).map(text_of).filter(|t| !t.is_empty());
    out.push(TocItem {
        identifier,
        title,
        depth,
        launch,
        sco,
        visible: attr(item, "isvisible").is_none_or(|v| v.trim() != "false"),
        mastery_score: adl("masteryscore").and_then(|s| s.parse().ok()),
        launch_data: adl("datafromlms"),
        completion_threshold: adl_child(item, "completionThreshold").and_then(|n| {
            // 2004 3rd edition: the value as text; 4th: `minProgressMeasure`, when it counts.
            attr(n, "minProgressMeasure")
                .or_else(|| Some(text_of(n)))
                .and_then(|v| v.parse().ok())
        }),
        max_time_allowed: adl("maxtimeallowed").or_else(|| {
            item.descendants()
                .find(|n| n.tag_name().name() == "limitConditions")
                .and_then(|n| attr(n, "attemptAbsoluteDurationLimit"))
        }),
        time_limit_action: adl("timelimitaction"),
        sequencing: super::sequencing_xml::of(item, context.collection),
    });
    for nested in children(item, "item") {
        walk(context, nested, depth + 1, out)?;
    }
    Ok(())
}

/// A launch reference resolved against the package's root: the path (percent-encoded as in the
/// manifest) with its query and fragment, or None when it leaves the package (another site, an
/// absolute path on a drive).
fn resolve(reference: &str) -> Option<String> {
    const ROOT: &str = "http://package.invalid/";
    let root = url::Url::parse(ROOT).ok()?;
    let joined = root.join(reference.trim()).ok()?;
    if joined.scheme() != "http"
        || joined.host_str() != Some("package.invalid")
        || joined.port().is_some()
    {
        return None;
    }
    let mut path = joined.path().trim_start_matches('/').to_string();
    if path.is_empty() {
        return None;
    }
    if let Some(query) = joined.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = joined.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    Some(path)
}

/// An item's `parameters` added to its launch address as the Content Aggregation Model says:
/// a leading `?` or `&` is dropped and the rest joins the query; a `#…` is kept only when the
/// address has no fragment of its own.
fn with_parameters(launch: &str, parameters: &str) -> String {
    let parameters = parameters.trim();
    if parameters.is_empty() {
        return launch.to_string();
    }
    if let Some(fragment) = parameters.strip_prefix('#') {
        return if launch.contains('#') {
            launch.to_string()
        } else {
            format!("{launch}#{fragment}")
        };
    }
    let query = parameters.trim_start_matches(['?', '&']);
    let (address, fragment) = match launch.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (launch, None),
    };
    let joiner = if address.contains('?') { '&' } else { '?' };
    match fragment {
        Some(f) => format!("{address}{joiner}{query}#{f}"),
        None => format!("{address}{joiner}{query}"),
    }
}

/// The path part of a launch address, decoded, as the zip names the file.
pub fn launch_file(launch: &str) -> String {
    let path = launch.split(['?', '#']).next().unwrap_or_default();
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// An ADL extension element (`adlcp:masteryscore`, `adlcp:dataFromLMS`): its capitals differ
/// between SCORM 1.2 and 2004.
fn adl_child<'a, 'i: 'a>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name().eq_ignore_ascii_case(name))
}

/// An attribute by its local name, whatever its namespace (`adlcp:scormtype`, `xml:base`) or
/// capitals (`scormType` in SCORM 2004).
fn attr(node: Node, name: &str) -> Option<String> {
    node.attributes()
        .find(|a| a.name().eq_ignore_ascii_case(name))
        .map(|a| a.value().trim().to_string())
}

/// An element's text with its white space collapsed.
fn text_of(node: Node) -> String {
    let text: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL_12: &str = r#"<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" xml:base="course/">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Fish &amp; chips</title>
    <item identifier="a"><title>Part one</title>
      <item identifier="a1" identifierref="r1" parameters="?page=2"><title>Lesson</title>
        <adlcp:masteryscore>80</adlcp:masteryscore><adlcp:datafromlms>hello</adlcp:datafromlms>
      </item>
    </item>
    <item identifier="b" identifierref="r2" isvisible="false"><title>Hidden</title></item>
  </organization></organizations>
  <resources xml:base="res/">
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="a%20b/index.html?x=1"/>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="asset" xml:base="two/" href="page.html"/>
  </resources>
</manifest>"#;

    #[test]
    fn a_manifest_gives_its_tree_launch_addresses_and_adl_values() {
        let s = parse(MINIMAL_12).unwrap();
        assert_eq!(s.version, Version::Scorm12);
        assert_eq!(s.title, "Fish & chips");
        let items: Vec<(&str, u32, Option<&str>, bool, bool)> = s
            .items
            .iter()
            .map(|i| {
                (
                    i.identifier.as_str(),
                    i.depth,
                    i.launch.as_deref(),
                    i.sco,
                    i.visible,
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                ("a", 0, None, false, true),
                (
                    "a1",
                    1,
                    Some("course/res/a%20b/index.html?x=1&page=2"),
                    true,
                    true
                ),
                ("b", 0, Some("course/res/two/page.html"), false, false),
            ]
        );
        let lesson = s.items.get(1).unwrap();
        assert_eq!(lesson.mastery_score, Some(80.0));
        assert_eq!(lesson.launch_data.as_deref(), Some("hello"));
        assert_eq!(
            launch_file(lesson.launch.as_deref().unwrap()),
            "course/res/a b/index.html"
        );
    }

    #[test]
    fn parameters_join_the_launch_address_as_the_content_aggregation_model_says() {
        assert_eq!(with_parameters("a.html", "?x=1"), "a.html?x=1");
        assert_eq!(with_parameters("a.html?y=2", "?x=1"), "a.html?y=2&x=1");
        assert_eq!(with_parameters("a.html?y=2", "&x=1"), "a.html?y=2&x=1");
        assert_eq!(with_parameters("a.html#top", "x=1"), "a.html?x=1#top");
        assert_eq!(with_parameters("a.html", "#p3"), "a.html#p3");
        assert_eq!(with_parameters("a.html#top", "#p3"), "a.html#top");
    }

    #[test]
    fn launches_outside_the_package_are_refused() {
        assert_eq!(resolve("../../a.html").as_deref(), Some("a.html"));
        assert_eq!(resolve("http://example.com/a.html"), None);
        assert_eq!(resolve("//example.com/a.html"), None);
        assert_eq!(resolve("file:///etc/passwd"), None);
    }

    #[test]
    fn text_in_other_encodings_is_read() {
        assert_eq!(decode(b"\xEF\xBB\xBF<a/>"), "<a/>");
        assert_eq!(
            decode(&[0xFF, 0xFE, b'<', 0, b'a', 0, b'/', 0, b'>', 0]),
            "<a/>"
        );
        assert_eq!(decode(b"caf\xE9"), "café");
    }
}
