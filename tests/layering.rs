//! The layering of `src/`, declared once in `LAYERS` and checked against the code: every file
//! belongs to an area (its top folder under `src/`, or its own stem) and a layer, and may import
//! another area only below its own, and no loop of imports may join two areas. Pages are the one
//! exception: they compose features, so they may also import any area's wire API (models, server
//! functions, pages) and the item kinds' registry. Cycles inside one area are allowed.
//!
//! Imports are read from the text (std only, no parser crate): `use` trees, and inline paths that
//! start at `crate`, `super`, `self` or a child module, with comments and literals blanked first.
//! Each one is resolved to the most specific file that it names.

// A checker of the sources, run only as a test: a malformed file or a broken rule should stop it
// loudly, so its helpers index and panic as the tests themselves may (clippy.toml).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_range_loop
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Path prefix under `src/` → layer (lower = lower; the longest prefix wins). A file may import
/// another area only if that area's layer is lower than its own. The tens are the layers as
/// designed; the units order what the code needs ordered inside one of them, since areas that
/// share a layer may not import each other.
const LAYERS: &[(&str, u8)] = &[
    // 1x foundation. Each top-level file is an area of its own: error and the enum macro at the
    // bottom, what uses only them next, then config (it checks a storage URL with the storage's
    // own parser) and the mailer (it writes the outbox), then the state that holds it all.
    ("src/error.rs", 10),
    ("src/enums.rs", 10),
    ("src/input.rs", 11),
    ("src/paging.rs", 10),
    ("src/db", 11),
    ("src/spreadsheet.rs", 11),
    ("src/seal.rs", 11),
    ("src/ui", 11),
    // The list of item kinds: vocabulary every layer may name.
    ("src/items/kind.rs", 11),
    // The handles the app state holds live in their areas, in files that use only the foundation.
    ("src/files/storage.rs", 11),
    // What a file is as pages show it: named by courses, items and kinds alike.
    ("src/files/model.rs", 11),
    ("src/http/assets.rs", 11),
    ("src/settings/model.rs", 11),
    ("src/settings/cache.rs", 11),
    // The job queue's table and what pages show of it (the mailer enqueues its deliveries).
    ("src/jobs/model.rs", 11),
    ("src/jobs/queue.rs", 12),
    ("src/config.rs", 12),
    ("src/mail/mailer.rs", 13),
    // Where events leave for webhooks: any area may emit in its own transaction.
    ("src/webhooks/model.rs", 11),
    // What a calendar entry is: item kinds and compliance make them, the calendar shows them.
    ("src/calendar/model.rs", 11),
    ("src/webhooks/outbox.rs", 13),
    ("src/state.rs", 14),
    // 2x platform. Users' types and table, and the permission check every service asks, sit
    // under the rest: auth signs people in from the users table; users' administration uses
    // auth's passwords and reset links. Who is asking (`auth/identity.rs`) comes next, then the
    // edge helpers that hand it to every area's server functions.
    ("src/users/model.rs", 20),
    ("src/users/store.rs", 20),
    // People's profiles: the shell asks whether someone manages anyone.
    ("src/users/profile.rs", 20),
    ("src/users/profile_store.rs", 20),
    ("src/auth/permissions.rs", 21),
    ("src/auth/identity.rs", 21),
    ("src/edge.rs", 22),
    ("src/audit", 23),
    ("src/settings", 24),
    ("src/mail", 24),
    ("src/auth", 25),
    ("src/users", 26),
    ("src/sso", 27),
    // Webhook subscriptions, their deliveries and the job that sends them.
    ("src/webhooks", 27),
    // Audiences: rules over people's profiles, roles and cohorts (they read the tables, not the areas).
    ("src/audiences", 27),
    // Daily work at a local time (the site's zone is a setting), and telling people things: any
    // area above may notify, in its own transaction.
    ("src/jobs/daily.rs", 25),
    ("src/notifications", 28),
    // The built-in learning record store: statements and documents for content and other systems.
    ("src/xapi", 29),
    // 3x course core: files and enrolments belong to a course. File records sit under it, since
    // a course names files (its cover, an item's file) as its kinds do.
    ("src/files/records.rs", 29),
    ("src/courses", 30),
    ("src/files", 31),
    ("src/enrolments", 31),
    // Zipped content packages of any kind: their zips checked, their files kept in storage and
    // served to those whom `courses::access` lets open the item; the package kinds use them.
    ("src/packages", 32),
    // 4x-5x progress
    ("src/completion", 40),
    // Learners' own dates, which the kinds read when they decide for a learner.
    ("src/overrides", 45),
    ("src/grading", 50),
    // Requirements and where people stand on them: above audiences, enrolments and completion.
    // Charts drawn as SVG on the server: pure, under the reports that draw them.
    ("src/dashboard/charts.rs", 51),
    // Programmes: ordered courses with a completion rule, above enrolments and completion.
    ("src/programmes", 53),
    ("src/compliance", 55),
    // Certificates: issued on completion, expiring with the compliance cycle.
    ("src/certificates", 57),
    // 6x item kinds
    ("src/lessons", 60),
    ("src/resources", 60),
    ("src/assessments", 60),
    ("src/assignments", 60),
    ("src/acknowledgements", 60),
    ("src/scorm", 60),
    ("src/cmi5", 60),
    // 7x the item layer: the registry that dispatches to every kind
    ("src/items", 70),
    // Common Cartridge import: makes items of several kinds through the item layer.
    ("src/cartridge", 75),
    // 8x learner views and reports; the job worker, which runs the work of any area below, and
    // the administrators' view of its queue.
    ("src/learning", 80),
    ("src/dashboard", 80),
    // A person's calendar and its feed: dates from the item kinds and compliance.
    ("src/calendar", 80),
    // A manager's team shows each person's courses as "My learning" does.
    ("src/team", 82),
    ("src/jobs", 85),
    // 9x web edge: the app's pages and the REST API, the server that routes to both, the
    // command line's backup and restore (whole-site copies: they read every area's tables but no
    // area's rules), the crate roots.
    ("src/app.rs", 90),
    ("src/rest", 90),
    ("src/http", 91),
    ("src/backup", 91),
    ("src/lib.rs", 92),
    ("src/testing.rs", 92),
    ("src/main.rs", 93),
];

/// Modules a page may import from any area, whatever its layer: the wire API and the kinds' registry.
const OPEN_TO_PAGES: &[&str] = &["model", "server", "pages", "registry", "kind"];

#[test]
fn sources_follow_the_declared_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = BTreeMap::new();
    collect_sources(root, &root.join("src"), &mut sources);
    let problems = check(&sources);
    assert!(
        problems.is_empty(),
        "the code breaks the layering declared in tests/layering.rs ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every `.rs` file under `dir`, by its path from the crate root (`src/a/b.rs`).
fn collect_sources(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.strip_prefix(root).expect("under the crate root");
            let name = name.to_string_lossy().replace('\\', "/");
            let text =
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {name}: {e}"));
            out.insert(name, text);
        }
    }
}

/// All the problems at once: files with no layer, imports that go up or sideways, and cycles
/// that join areas.
fn check(sources: &BTreeMap<String, String>) -> Vec<String> {
    let files: BTreeSet<String> = sources.keys().cloned().collect();
    let macros = exported_macros(sources);
    let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (file, text) in sources {
        edges.insert(file.clone(), references(file, text, &files, &macros));
    }

    let mut problems = Vec::new();
    for file in &files {
        if layer(file).is_none() {
            problems.push(format!("{file} has no layer: add its area to LAYERS"));
        }
    }
    for (from, targets) in &edges {
        let Some(from_layer) = layer(from) else {
            continue;
        };
        for (to, paths) in targets {
            let Some(to_layer) = layer(to) else { continue };
            if area(from) == area(to)
                || to_layer < from_layer
                || (is_page(from) && open_to_pages(to))
            {
                continue;
            }
            let paths: Vec<_> = paths.iter().map(String::as_str).collect();
            problems.push(format!(
                "{from} -> {to} (layer {from_layer} -> {to_layer}): {}",
                paths.join(", ")
            ));
        }
    }
    for component in strongly_connected(&edges) {
        let areas: BTreeSet<&str> = component.iter().map(|f| area(f)).collect();
        if areas.len() < 2 {
            continue;
        }
        let mut message = format!(
            "cycle joining areas {}: {}",
            areas.into_iter().collect::<Vec<_>>().join(", "),
            component.join(", ")
        );
        // The imports that cross areas inside the cycle: one of them has to go.
        for from in &component {
            for to in edges[from].keys() {
                if area(from) != area(to) && component.contains(to) {
                    message.push_str(&format!("\n    {from} -> {to}"));
                }
            }
        }
        problems.push(message);
    }
    problems
}

/// `src/courses/model.rs` → `courses`; `src/app.rs` → `app`.
fn area(file: &str) -> &str {
    let rest = file.strip_prefix("src/").unwrap_or(file);
    match rest.split_once('/') {
        Some((folder, _)) => folder,
        None => rest.strip_suffix(".rs").unwrap_or(rest),
    }
}

fn layer(file: &str) -> Option<u8> {
    LAYERS
        .iter()
        .filter(|(prefix, _)| file == *prefix || file.starts_with(&format!("{prefix}/")))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|&(_, layer)| layer)
}

fn is_page(file: &str) -> bool {
    file.contains("/pages/") || file.ends_with("/pages.rs")
}

fn open_to_pages(file: &str) -> bool {
    let module = match file.strip_suffix("/mod.rs") {
        Some(folder) => folder.rsplit('/').next().unwrap_or(folder),
        None => file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".rs"),
    };
    file.contains("/pages/") || OPEN_TO_PAGES.contains(&module)
}

/// Strongly connected components with more than one file (Tarjan), each sorted.
fn strongly_connected(
    edges: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            self.on_stack.insert(node);
            let edges = self.edges;
            let targets = edges.get(node).into_iter().flat_map(|t| t.keys());
            for next in targets {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.to_string());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !tarjan.index.contains_key(node.as_str()) {
            tarjan.visit(node);
        }
    }
    tarjan.found.sort();
    tarjan.found
}

/// `#[macro_export]` macros live at the crate root (`crate::with_db!`): name → defining file.
fn exported_macros(sources: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut macros = BTreeMap::new();
    for (file, text) in sources {
        let code: String = blank_comments_and_literals(text).into_iter().collect();
        let mut rest = code.as_str();
        while let Some(at) = rest.find("#[macro_export]") {
            rest = &rest[at + "#[macro_export]".len()..];
            let Some(name) = rest.trim_start().strip_prefix("macro_rules!") else {
                continue;
            };
            let name: String = name
                .trim_start()
                .chars()
                .take_while(|&c| is_ident(c))
                .collect();
            macros.insert(name, file.clone());
        }
    }
    macros
}

/// The files `file` imports (other than itself), each with the paths that name it.
fn references(
    file: &str,
    text: &str,
    files: &BTreeSet<String>,
    macros: &BTreeMap<String, String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut code = blank_comments_and_literals(text);
    let own_module = module_path(file);
    let inline_modules = inline_modules(&code);
    let children = child_modules(&code);
    let macro_bodies = macro_bodies(&code);
    let module_at = |at: usize| {
        let mut path = own_module.clone();
        path.extend(
            inline_modules
                .iter()
                .filter(|m| m.1 < at && at < m.2)
                .map(|m| m.0.clone()),
        );
        path
    };

    let mut paths: Vec<(usize, Vec<String>)> = Vec::new();
    // `use` trees first, blanked afterwards so that the inline scan does not read their prefixes
    // (`use crate::a::{b::X}` names `a/b.rs`, not `a/mod.rs`).
    for (start, end) in use_declarations(&code) {
        let tokens = tokenize(&code[start + 3..end]);
        let mut expanded = Vec::new();
        expand_use_tree(&tokens, &mut 0, &[], &mut expanded);
        paths.extend(expanded.into_iter().map(|p| (start, p)));
        for c in &mut code[start..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    }
    paths.extend(inline_paths(&code));

    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (at, path) in paths {
        // A macro's relative paths are read where it is called, not where it is written.
        let relative = !is_crate_root(&path[0]);
        if relative
            && macro_bodies
                .iter()
                .any(|&(open, close)| open < at && at < close)
        {
            continue;
        }
        let Some(absolute) = absolute_path(&path, &module_at(at), &own_module, &children) else {
            continue;
        };
        let Some(target) = resolve(&absolute, files, macros) else {
            continue;
        };
        if target != file {
            // `a::{self, B}` shows as `a`, not `a::self`.
            let mut shown = path.clone();
            if shown.len() > 1 && shown.last().is_some_and(|s| s == "self") {
                shown.pop();
            }
            found.entry(target).or_default().insert(shown.join("::"));
        }
    }
    found
}

/// The module a file defines: `src/a/b.rs` and `src/a/b/mod.rs` → `[a, b]`; the crate roots → `[]`.
fn module_path(file: &str) -> Vec<String> {
    let rest = file
        .strip_prefix("src/")
        .unwrap_or(file)
        .trim_end_matches(".rs");
    let mut segments: Vec<String> = rest.split('/').map(String::from).collect();
    let root = segments.len() == 1 && matches!(segments[0].as_str(), "lib" | "main");
    if root || segments.last().is_some_and(|s| s == "mod") {
        segments.pop();
    }
    segments
}

/// A path as written, made absolute from the crate root, or `None` for another crate's path.
fn absolute_path(
    path: &[String],
    module: &[String],
    own_module: &[String],
    children: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let first = path.first()?.as_str();
    let mut base: Vec<String> = match first {
        _ if is_crate_root(first) => Vec::new(),
        "self" | "super" => module.to_vec(),
        // A child module declared with `mod name;`: only the file's own scope sees it.
        _ if children.contains(first) && module == own_module => {
            let mut base = module.to_vec();
            base.push(first.to_string());
            base
        }
        _ => return None,
    };
    let mut rest = &path[1..];
    if first == "super" {
        base.pop();
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// `crate`, `$crate` in a macro, or the library's name (in `main.rs`).
fn is_crate_root(segment: &str) -> bool {
    matches!(segment, "crate" | "$crate") || segment == env!("CARGO_PKG_NAME").replace('-', "_")
}

/// The most specific file a path names: walks `src/a.rs`, `src/a/mod.rs` (or a folder without
/// one) segment by segment while they name modules. A crate-root path that names no module may
/// name an exported macro.
fn resolve(
    path: &[String],
    files: &BTreeSet<String>,
    macros: &BTreeMap<String, String>,
) -> Option<String> {
    let mut dir = String::from("src");
    let mut found = None;
    for segment in path {
        let as_file = format!("{dir}/{segment}.rs");
        let folder = format!("{dir}/{segment}");
        let as_folder = format!("{folder}/mod.rs");
        if files.contains(&as_file) {
            found = Some(as_file);
        } else if files.contains(&as_folder) {
            found = Some(as_folder);
        } else if !files.iter().any(|f| f.starts_with(&format!("{folder}/"))) {
            break;
        }
        dir = folder;
    }
    match (found, path.first()) {
        (Some(file), _) => Some(file),
        (None, Some(name)) => macros.get(name).cloned(),
        (None, None) => files.get("src/lib.rs").cloned(),
    }
}

/// The text with comments, string and char literals replaced by spaces (line breaks kept), so
/// that nothing inside them reads as a path, and braces inside them do not count.
fn blank_comments_and_literals(text: &str) -> Vec<char> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(chars.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        if c == '/' && at(i + 1) == '/' {
            let end = (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len());
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && at(i + 1) == '*' {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (0, i);
            while j < chars.len() {
                if chars[j] == '/' && at(j + 1) == '*' {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && at(j + 1) == '/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if c == 'r'
            && matches!(at(i + 1), '"' | '#')
            && (!is_ident(prev) || (prev == 'b' && (i < 2 || !is_ident(chars[i - 2]))))
        {
            // A raw string: r"..", r#".."#, br"..".
            let hashes = (i + 1..chars.len())
                .take_while(|&j| chars[j] == '#')
                .count();
            if at(i + 1 + hashes) != '"' {
                i += 1;
                continue;
            }
            let body = i + 2 + hashes;
            let mut end = chars.len();
            for j in body..chars.len() {
                if chars[j] == '"' && (j + 1..j + 1 + hashes).all(|k| at(k) == '#') {
                    end = j + 1 + hashes;
                    break;
                }
            }
            blank(&mut out, i, end);
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if c == '\'' && at(i + 1) == '\\' {
            // An escaped char literal: '\n', '\'', '\u{1F600}'.
            let end = (i + 3..chars.len())
                .find(|&j| chars[j] == '\'')
                .map_or(chars.len(), |j| j + 1);
            blank(&mut out, i, end);
            i = end;
        } else if c == '\'' && at(i + 2) == '\'' {
            blank(&mut out, i, i + 3);
            i += 3;
        } else {
            // Anything else, a lifetime ('a) included, stays.
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` starts at `at` as a whole word.
fn word_at(code: &[char], at: usize, word: &str) -> bool {
    let len = word.chars().count();
    at + len <= code.len()
        && code[at..at + len].iter().copied().eq(word.chars())
        && (at == 0 || !(is_ident(code[at - 1]) || code[at - 1] == '$'))
        && code.get(at + len).is_none_or(|&c| !is_ident(c))
}

/// The spans of `use` declarations: from the keyword to the `;` that ends them.
fn use_declarations(code: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if word_at(code, i, "use") {
            let next = code[i + 3..]
                .iter()
                .position(|c| !c.is_whitespace())
                .map(|p| code[i + 3 + p]);
            // `+ use<'a>` is a precise-capturing bound, not an import.
            if code.get(i + 3).is_some_and(|c| c.is_whitespace())
                && next.is_some_and(|c| is_ident(c) || matches!(c, ':' | '{' | '$'))
            {
                let end = (i..code.len())
                    .find(|&j| code[j] == ';')
                    .unwrap_or(code.len());
                spans.push((i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    spans
}

/// `mod name { .. }` blocks: (name, opening brace, closing brace).
fn inline_modules(code: &[char]) -> Vec<(String, usize, usize)> {
    let mut modules = Vec::new();
    for i in 0..code.len() {
        if !word_at(code, i, "mod") {
            continue;
        }
        let name_start = i
            + 3
            + code[i + 3..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
        let name: String = code[name_start..]
            .iter()
            .take_while(|&&c| is_ident(c))
            .collect();
        let after = name_start + name.chars().count();
        let brace = after
            + code[after..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
        if name.is_empty() || code.get(brace) != Some(&'{') {
            continue;
        }
        let mut depth = 0;
        let close = (brace..code.len())
            .find(|&j| {
                match code[j] {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .unwrap_or(code.len());
        modules.push((name, brace, close));
    }
    modules
}

/// The bodies of `macro_rules!` definitions: (opening, closing delimiter).
fn macro_bodies(code: &[char]) -> Vec<(usize, usize)> {
    let mut bodies = Vec::new();
    for i in 0..code.len() {
        if !word_at(code, i, "macro_rules") || code.get(i + 11) != Some(&'!') {
            continue;
        }
        let Some(open) = (i + 12..code.len()).find(|&j| matches!(code[j], '{' | '(' | '[')) else {
            continue;
        };
        let (opening, closing) = match code[open] {
            '{' => ('{', '}'),
            '(' => ('(', ')'),
            _ => ('[', ']'),
        };
        let mut depth = 0;
        let close = (open..code.len())
            .find(|&j| {
                if code[j] == opening {
                    depth += 1;
                } else if code[j] == closing {
                    depth -= 1;
                }
                depth == 0
            })
            .unwrap_or(code.len());
        bodies.push((open, close));
    }
    bodies
}

/// Modules declared with `mod name;` (files of their own).
fn child_modules(code: &[char]) -> BTreeSet<String> {
    let mut children = BTreeSet::new();
    for i in 0..code.len() {
        if !word_at(code, i, "mod") {
            continue;
        }
        let name_start = i
            + 3
            + code[i + 3..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
        let name: String = code[name_start..]
            .iter()
            .take_while(|&&c| is_ident(c))
            .collect();
        let after = name_start + name.chars().count();
        let semi = after
            + code[after..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
        if !name.is_empty() && code.get(semi) == Some(&';') {
            children.insert(name);
        }
    }
    children
}

/// Identifiers (`$crate` and `r#name` included) and single punctuation, `::` as one token.
fn tokenize(code: &[char]) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == ':' && code.get(i + 1) == Some(&':') {
            tokens.push("::".to_string());
            i += 2;
        } else if is_ident(c) || (c == '$' && code.get(i + 1).is_some_and(|&n| is_ident(n))) {
            let start = i;
            i += 1;
            while i < code.len() && is_ident(code[i]) {
                i += 1;
            }
            let word: String = code[start..i].iter().collect();
            tokens.push(word.strip_prefix("r#").unwrap_or(&word).to_string());
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

/// Expands one use tree (`a::{b, c::{d, e as f}}`) into full paths (`a::b`, `a::c::d`, `a::c::e`).
/// A glob names its module.
fn expand_use_tree(
    tokens: &[String],
    at: &mut usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix.to_vec();
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token.as_str() {
            "::" => {}
            "{" => {
                while tokens.get(*at).is_some_and(|t| t != "}") {
                    expand_use_tree(tokens, at, &path, out);
                    if tokens.get(*at).is_some_and(|t| t == ",") {
                        *at += 1;
                    }
                }
                *at += 1;
                return;
            }
            "*" => break,
            _ => {
                path.push(token.clone());
                if tokens.get(*at).is_some_and(|t| t == "::") {
                    continue;
                }
                if tokens.get(*at).is_some_and(|t| t == "as") {
                    *at += 2;
                }
                break;
            }
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// Paths written in code that start where a path into this crate can: `crate::`, `super::`,
/// `self::`, or a name (a child module's, or any, resolved later) not itself after `::` or `.`.
fn inline_paths(code: &[char]) -> Vec<(usize, Vec<String>)> {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let c = code[i];
        let starts_word =
            (is_ident(c) || c == '$') && (i == 0 || !is_ident(code[i - 1]) && code[i - 1] != '$');
        let after_path =
            i >= 1 && (code[i - 1] == '.' || (i >= 2 && code[i - 1] == ':' && code[i - 2] == ':'));
        if !starts_word || after_path {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            if code.get(j) == Some(&'$') {
                j += 1;
            }
            while j < code.len() && is_ident(code[j]) {
                j += 1;
            }
            segments.push(code[start..j].iter().collect::<String>());
            let more = code.get(j) == Some(&':')
                && code.get(j + 1) == Some(&':')
                && code.get(j + 2).is_some_and(|&n| is_ident(n));
            if !more {
                break;
            }
            j += 2;
        }
        if segments.len() > 1 {
            paths.push((i, segments));
        }
        i = j.max(i + 1);
    }
    paths
}

// ---- the reader itself, on small made-up crates ----

fn made_up_crate(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

fn imports(file: &str, text: &str, files: &BTreeSet<String>) -> BTreeSet<String> {
    let macros = BTreeMap::from([("with_db".to_string(), "src/db/mod.rs".to_string())]);
    references(file, text, files, &macros).into_keys().collect()
}

fn set(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_grouped_multi_line_use_names_each_file_not_their_folder() {
    let files = made_up_crate(&[
        "src/lib.rs",
        "src/courses/mod.rs",
        "src/courses/model.rs",
        "src/courses/access.rs",
        "src/ui/mod.rs",
        "src/ui/forms.rs",
        "src/learning/pages.rs",
    ]);
    let text = "use crate::courses::{\n    model::{Course, Item},\n    access::{self, CourseAccess as Access},\n};\nuse crate::{ui::{forms::Field, Table}, error::AppError};\nuse leptos::prelude::*;\nfn view() -> impl IntoView + use<> {}\n";
    assert_eq!(
        imports("src/learning/pages.rs", text, &files),
        set(&[
            "src/courses/access.rs",
            "src/courses/model.rs",
            "src/ui/forms.rs",
            "src/ui/mod.rs"
        ])
    );
}

#[test]
fn super_is_read_from_the_files_own_module() {
    let files = made_up_crate(&[
        "src/lib.rs",
        "src/grading/mod.rs",
        "src/grading/model.rs",
        "src/grading/pages/mod.rs",
        "src/grading/pages/cell.rs",
        "src/grading/pages/setup.rs",
    ]);
    let setup = "use super::cell::Cell;\nuse super::super::model::Grade;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n";
    assert_eq!(
        imports("src/grading/pages/setup.rs", setup, &files),
        set(&["src/grading/model.rs", "src/grading/pages/cell.rs"])
    );
    // In a mod.rs, `super` is the folder's parent, and a child module is named bare.
    let pages = "mod cell;\npub use cell::Cell;\nuse super::model::Grade;\n";
    assert_eq!(
        imports("src/grading/pages/mod.rs", pages, &files),
        set(&["src/grading/model.rs", "src/grading/pages/cell.rs"])
    );
    // In a macro, `super` is where the macro is called; `$crate` is this crate.
    let testing = "#[macro_export]\nmacro_rules! db_test {\n    ($name:ident) => { mod $name { use super::*; $crate::grading::model::new(); } };\n}\n";
    assert_eq!(
        imports("src/testing.rs", testing, &files),
        set(&["src/grading/model.rs"])
    );
}

#[test]
fn an_inline_path_is_an_import() {
    let files = made_up_crate(&[
        "src/lib.rs",
        "src/edge.rs",
        "src/db/mod.rs",
        "src/auth/server.rs",
        "src/auth/request.rs",
    ]);
    let text = "pub async fn get() -> Result<(), AppError> {\n    let state = crate::edge::state()?;\n    let auth = super::request::current();\n    crate::with_db!(state.db, |p| p.ping());\n    let v: Vec<_> = xs.iter().collect::<Vec<_>>();\n    Ok(())\n}\n";
    assert_eq!(
        imports("src/auth/server.rs", text, &files),
        set(&["src/auth/request.rs", "src/db/mod.rs", "src/edge.rs"])
    );
}

#[test]
fn comments_and_literals_are_not_imports() {
    let files = made_up_crate(&[
        "src/lib.rs",
        "src/app.rs",
        "src/http/mod.rs",
        "src/rest/mod.rs",
        "src/mail/mod.rs",
        "src/ui/mod.rs",
    ]);
    let text = "//! Pages, see crate::app::App.\n/// Called by crate::http::router.\n// use crate::rest::ApiError;\n/* crate::mail /* nested */ crate::mail */\nconst URL: &str = \"https://example.com/crate::mail\";\nconst RAW: &str = r#\"use crate::rest;\"#;\nconst QUOTE: char = '\"';\nfn f<'a>(x: &'a str) -> &'a str { crate::ui::noop(); x }\n";
    assert_eq!(
        imports("src/ui/pages.rs", text, &files),
        set(&["src/ui/mod.rs"])
    );
}

#[test]
fn layers_go_by_the_longest_prefix_and_whole_names() {
    assert_eq!(layer("src/items/kind.rs"), Some(11));
    assert_eq!(layer("src/items/registry.rs"), Some(70));
    assert_eq!(layer("src/users/model.rs"), Some(20));
    assert_eq!(layer("src/users/service.rs"), Some(26));
    assert_eq!(layer("src/ui/forms.rs"), Some(11));
    assert_eq!(layer("src/uix.rs"), None);
    assert_eq!(area("src/app.rs"), "app");
    assert_eq!(area("src/grading/pages/cell.rs"), "grading");
    assert!(is_page("src/grading/pages/cell.rs") && is_page("src/auth/pages.rs"));
    assert!(open_to_pages("src/courses/server.rs") && open_to_pages("src/items/registry/mod.rs"));
    assert!(!open_to_pages("src/courses/service.rs"));
}
