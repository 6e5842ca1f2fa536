//! A Common Cartridge's `imsmanifest.xml` (IMS CC 1.0–1.3, thin or full), read into its
//! modules and resources. Pure: what each resource becomes in Lyceum is `plan`'s. Tags are
//! matched by local name, so every version's namespaces work.

use roxmltree::{Document, Node};

/// The manifest as far as an import needs it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Manifest {
    pub title: String,
    /// "1.1.0", "1.3.0", … as the manifest says (empty when it does not).
    pub version: String,
    pub modules: Vec<Module>,
    /// By identifier, in the order the manifest lists them.
    pub resources: Vec<Resource>,
}

/// A top-level folder of the organization: a module, which becomes a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The organization item's identifier (Canvas's module_meta.xml names modules by it).
    pub id: String,
    pub title: String,
    pub entries: Vec<Entry>,
}

/// A place in a module: a resource, or a heading (a folder or a text header without one).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub resource: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: String,
    /// The `type` attribute, lower case.
    pub kind: String,
    /// The launch file, from the cartridge's root.
    pub href: Option<String>,
    /// Every file it lists, from the cartridge's root.
    pub files: Vec<String>,
    pub dependencies: Vec<String>,
}

impl Manifest {
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// The resources no module names, in manifest order.
    pub fn unplaced(&self) -> Vec<&Resource> {
        let placed: std::collections::HashSet<&str> = self
            .modules
            .iter()
            .flat_map(|m| m.entries.iter().filter_map(|e| e.resource.as_deref()))
            .collect();
        self.resources
            .iter()
            .filter(|r| !placed.contains(r.id.as_str()))
            .collect()
    }
}

fn tag<'a>(node: Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && tag(*c) == name)
}

fn child<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn text_of(node: Option<Node<'_, '_>>) -> String {
    node.map(|n| {
        n.descendants()
            .filter(|d| d.is_text())
            .filter_map(|d| d.text())
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    })
    .unwrap_or_default()
}

/// Joins `xml:base` values and a href, from the cartridge's root.
fn join(base: &str, href: &str) -> String {
    let href = percent_encoding::percent_decode_str(href)
        .decode_utf8_lossy()
        .to_string();
    normalise(&format!("{base}{href}"))
}

/// Resolves `.` and `..` (never above the root) and drops a leading `/`.
pub fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn base_of(node: Node<'_, '_>) -> String {
    node.attributes()
        .find(|a| a.name() == "base")
        .map(|a| {
            let b = a.value().trim_start_matches('/');
            if b.is_empty() || b.ends_with('/') {
                b.to_string()
            } else {
                format!("{b}/")
            }
        })
        .unwrap_or_default()
}

/// Reads the manifest; the message says what is wrong with it, with its line.
pub fn parse(text: &str) -> Result<Manifest, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // No DTD: cartridges are described by schemas, and a DTD's entities could expand without end.
    let doc = Document::parse(text).map_err(|e| {
        let at = e.pos();
        let full = e.to_string();
        let message = full.rsplit_once(" at ").map_or(full.as_str(), |(m, _)| m);
        format!(
            "imsmanifest.xml is not well-formed XML: {message} (line {}, column {}).",
            at.row, at.col
        )
    })?;
    let root = doc.root_element();
    if tag(root) != "manifest" {
        return Err(format!(
            "imsmanifest.xml starts with <{}>, not <manifest>: this is not a Common Cartridge.",
            tag(root)
        ));
    }
    let metadata = child(root, "metadata");
    let version = text_of(metadata.and_then(|m| child(m, "schemaversion")));
    let title = metadata
        .and_then(|m| m.descendants().find(|d| tag(*d) == "general"))
        .and_then(|g| child(g, "title"))
        .map(|t| text_of(Some(t)))
        .unwrap_or_default();
    let mut manifest = Manifest {
        title,
        version,
        ..Manifest::default()
    };
    if let Some(resources) = child(root, "resources") {
        let base = base_of(resources);
        for r in children(resources, "resource") {
            let Some(id) = r.attribute("identifier") else {
                continue;
            };
            let own = format!("{base}{}", base_of(r));
            let files = children(r, "file")
                .filter_map(|f| f.attribute("href"))
                .map(|h| join(&own, h))
                .collect();
            manifest.resources.push(Resource {
                id: id.to_string(),
                kind: r.attribute("type").unwrap_or_default().to_lowercase(),
                href: r.attribute("href").map(|h| join(&own, h)),
                files,
                dependencies: children(r, "dependency")
                    .filter_map(|d| d.attribute("identifierref"))
                    .map(str::to_string)
                    .collect(),
            });
        }
    }
    let organization = child(root, "organizations").and_then(|o| child(o, "organization"));
    if let Some(org) = organization {
        // A rooted hierarchy has one root item around the modules; without it, the items are the
        // modules.
        let tops: Vec<Node> = children(org, "item").collect();
        let tops: Vec<Node> = match tops.as_slice() {
            [only] if only.attribute("identifierref").is_none() => {
                children(*only, "item").collect()
            }
            _ => tops,
        };
        let mut loose: Vec<Entry> = Vec::new();
        for top in tops {
            let title = text_of(child(top, "title"));
            if let Some(resource) = top.attribute("identifierref") {
                loose.push(Entry {
                    id: top.attribute("identifier").unwrap_or_default().to_string(),
                    title,
                    resource: Some(resource.to_string()),
                });
                continue;
            }
            if !loose.is_empty() {
                manifest.modules.push(Module {
                    id: String::new(),
                    title: String::new(),
                    entries: std::mem::take(&mut loose),
                });
            }
            let mut entries = Vec::new();
            for item in children(top, "item") {
                flatten(item, &mut entries);
            }
            manifest.modules.push(Module {
                id: top.attribute("identifier").unwrap_or_default().to_string(),
                title,
                entries,
            });
        }
        if !loose.is_empty() {
            manifest.modules.push(Module {
                id: String::new(),
                title: String::new(),
                entries: loose,
            });
        }
    }
    Ok(manifest)
}

/// A module's items in order, sub-folders flattened (a folder is kept as a heading entry).
fn flatten(item: Node<'_, '_>, into: &mut Vec<Entry>) {
    into.push(Entry {
        id: item.attribute("identifier").unwrap_or_default().to_string(),
        title: text_of(child(item, "title")),
        resource: item.attribute("identifierref").map(str::to_string),
    });
    for inner in children(item, "item") {
        flatten(inner, into);
    }
}

/// A cartridge's own XML for one resource (web link, assignment, discussion, LTI link): its root
/// tag, title and the values `plan` reads. Pure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Descriptor {
    pub root: String,
    pub title: String,
    /// A web link's address, an LTI link's launch URL.
    pub url: Option<String>,
    /// Text as HTML (an assignment's or a discussion's), decoded.
    pub html: Option<String>,
    /// Points possible, when gradable.
    pub points: Option<f64>,
    /// Canvas's `workflow_state` (`unpublished` hides the item).
    pub unpublished: bool,
}

pub fn descriptor(text: &str) -> Result<Descriptor, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = Document::parse(text).map_err(|e| {
        let at = e.pos();
        format!("not well-formed XML (line {}, column {})", at.row, at.col)
    })?;
    let root = doc.root_element();
    let first = |name: &str| {
        root.descendants()
            .find(|d| d.is_element() && tag(*d) == name)
    };
    let url = match tag(root) {
        "webLink" => first("url")
            .and_then(|u| u.attribute("href"))
            .map(str::to_string),
        "cartridge_basiclti_link" => {
            let secure = first("secure_launch_url").map(|n| text_of(Some(n)));
            let plain = first("launch_url").map(|n| text_of(Some(n)));
            secure.filter(|s| !s.is_empty()).or(plain)
        }
        _ => None,
    };
    let points = child(root, "gradable")
        .filter(|g| text_of(Some(*g)) == "true")
        .and_then(|g| g.attribute("points_possible"))
        .and_then(|p| p.trim().parse::<f64>().ok())
        .or_else(|| {
            // Canvas's own assignment_settings.xml.
            (tag(root) == "assignment")
                .then(|| first("points_possible").map(|p| text_of(Some(p))))
                .flatten()
                .and_then(|p| p.parse::<f64>().ok())
        });
    Ok(Descriptor {
        root: tag(root).to_string(),
        title: text_of(child(root, "title")),
        url,
        html: child(root, "text").map(|t| t.text().unwrap_or_default().to_string()),
        points,
        unpublished: first("workflow_state").is_some_and(|w| text_of(Some(w)) == "unpublished"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CC13: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
  xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion>
    <lomimscc:lom><lomimscc:general><lomimscc:title><lomimscc:string>Fire safety</lomimscc:string></lomimscc:title></lomimscc:general></lomimscc:lom>
  </metadata>
  <organizations><organization identifier="o" structure="rooted-hierarchy">
    <item identifier="root">
      <item identifier="m1"><title>Week 1</title>
        <item identifier="a" identifierref="r1"><title>Welcome</title></item>
        <item identifier="h"><title>Reading</title>
          <item identifier="b" identifierref="r2"><title>Link</title></item>
        </item>
      </item>
      <item identifier="c" identifierref="r3"><title>Loose</title></item>
    </item>
  </organization></organizations>
  <resources xml:base="content/">
    <resource identifier="r1" type="webcontent" href="pages/welcome%20page.html"><file href="pages/welcome%20page.html"/></resource>
    <resource identifier="r2" type="imswl_xmlv1p3"><file href="../l.xml"/></resource>
    <resource identifier="r3" type="webcontent" href="f.pdf"><file href="f.pdf"/><dependency identifierref="r1"/></resource>
    <resource identifier="r4" type="webcontent" href="x.png"><file href="x.png"/></resource>
  </resources>
</manifest>"#;

    #[test]
    fn reads_modules_resources_and_bases() {
        let m = parse(CC13).expect("parses");
        assert_eq!(m.title, "Fire safety");
        assert_eq!(m.version, "1.3.0");
        assert_eq!(m.modules.len(), 2);
        assert_eq!(m.modules[0].title, "Week 1");
        let titles: Vec<&str> = m.modules[0]
            .entries
            .iter()
            .map(|e| e.title.as_str())
            .collect();
        assert_eq!(titles, ["Welcome", "Reading", "Link"]);
        assert_eq!(m.modules[0].entries[1].resource, None);
        assert_eq!(m.modules[1].title, "");
        assert_eq!(m.modules[1].entries[0].resource.as_deref(), Some("r3"));
        let r1 = m.resource("r1").expect("r1");
        assert_eq!(r1.href.as_deref(), Some("content/pages/welcome page.html"));
        assert_eq!(m.resource("r2").expect("r2").files, ["l.xml"]);
        assert_eq!(m.resource("r3").expect("r3").dependencies, ["r1"]);
        let unplaced: Vec<&str> = m.unplaced().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(unplaced, ["r4"]);
    }

    #[test]
    fn refuses_what_is_not_a_manifest() {
        let e = parse("<manifest><oops></manifest>").expect_err("bad xml");
        assert!(e.contains("line 1"), "{e}");
        let e = parse("<questestinterop/>").expect_err("not a manifest");
        assert!(e.contains("<questestinterop>"), "{e}");
        let laughs =
            r#"<!DOCTYPE m [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]><manifest>&b;</manifest>"#;
        assert!(parse(laughs).is_err(), "a DTD is refused");
    }

    #[test]
    fn reads_descriptors() {
        let link = descriptor(
            r#"<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1"><title>Docs</title><url href="https://example.org/a?b=1"/></webLink>"#,
        )
        .expect("link");
        assert_eq!(link.title, "Docs");
        assert_eq!(link.url.as_deref(), Some("https://example.org/a?b=1"));
        let a = descriptor(
            r#"<assignment xmlns="http://www.imsglobal.org/xsd/imscc_extensions/assignment"><title>Essay</title><text texttype="text/html">&lt;p&gt;Write&lt;/p&gt;</text><gradable points_possible="25.0">true</gradable></assignment>"#,
        )
        .expect("assignment");
        assert_eq!(a.points, Some(25.0));
        assert_eq!(a.html.as_deref(), Some("<p>Write</p>"));
        let canvas = descriptor(
            r#"<assignment xmlns="http://canvas.instructure.com/xsd/cccv1p0"><title>Lab</title><workflow_state>unpublished</workflow_state><points_possible>10</points_possible></assignment>"#,
        )
        .expect("canvas");
        assert_eq!(canvas.points, Some(10.0));
        assert!(canvas.unpublished);
        let lti = descriptor(
            r#"<cartridge_basiclti_link xmlns="http://www.imsglobal.org/xsd/imslticc_v1p0" xmlns:blti="http://www.imsglobal.org/xsd/imsbasiclti_v1p0"><blti:title>Tool</blti:title><blti:launch_url>http://t.example/launch</blti:launch_url></cartridge_basiclti_link>"#,
        )
        .expect("lti");
        assert_eq!(lti.url.as_deref(), Some("http://t.example/launch"));
    }
}
