//! The top-level module graph of a crate's source folder: `use crate::x` between `src/x` and
//! `src/y` (test modules and comments aside; a parent and its own children don't count), and
//! the circles among the modules (Tarjan's strongly connected components). `src/` must have
//! none (issue 26); `cargo test module_graph -- --nocapture` prints the listing.
//!
//! [`graph`] and [`circles`] take any source folder, e.g. `crates/duban-pdf/src`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the other top-level modules it names through `crate::`.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The graph of the top-level modules under `root`: every `*.rs` file but `lib.rs` and
/// `main.rs`, and every folder, is a module; a module's code is its file and everything under
/// its folder.
pub fn graph(root: &Path) -> Graph {
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let entries = std::fs::read_dir(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    for entry in entries.map(|e| e.expect("entry")) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.entry(name).or_default().extend(rust_files(&path));
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            modules.entry(stem.to_string()).or_default().push(path);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, files)| {
            let mut edges = BTreeSet::new();
            for file in files {
                let text = std::fs::read_to_string(file)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                for named in crate_paths(&without_comments(&without_test_modules(&text))) {
                    if named != *module && names.contains(&named) {
                        edges.insert(named);
                    }
                }
            }
            (module.clone(), edges)
        })
        .collect()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .expect("folder")
            .map(|e| e.expect("entry"))
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `text` without its `#[cfg(test)] mod name { … }` blocks (braces matched).
fn without_test_modules(text: &str) -> String {
    const ATTR: &str = "#[cfg(test)]";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(ATTR) {
        let after = rest[at + ATTR.len()..].trim_start();
        let after = after.strip_prefix("pub ").map_or(after, str::trim_start);
        let block = after.strip_prefix("mod ").and_then(|m| {
            let name_end = m.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
            m[name_end..].trim_start().strip_prefix('{')
        });
        let Some(body) = block else {
            // an attribute on something else: keep it
            out.push_str(&rest[..at + ATTR.len()]);
            rest = &rest[at + ATTR.len()..];
            continue;
        };
        out.push_str(&rest[..at]);
        let mut depth = 1;
        let mut end = body.len();
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = i + 1;
                break;
            }
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with every `//` comment (doc comments included) cut off at its line's end.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment after every `crate::`, and each top-level item of a `crate::{a, b::c}`
/// group (nested groups included: `crate::{a::{b, c}, d}` names `a` and `d`).
fn crate_paths(text: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's top-level items: commas and the closing brace at depth 0 only, so
            // `crate::{a::{b, c}, d}` gives `a` and `d`.
            let mut depth = 0usize;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(group[start..i].trim_start()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(group[start..i].trim_start()));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|name| !name.is_empty());
    out
}

/// The circles of `graph`: its strongly connected components of more than one module, each
/// sorted, in order of their first module.
pub fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.graph.contains_key(w) {
                    continue;
                }
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
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
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.found.sort();
    t.found
}

/// One line per module: `name -> its edges` (`-` for none).
pub fn listing(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(module, edges)| {
            let to: Vec<&str> = edges.iter().map(String::as_str).collect();
            let to = if to.is_empty() {
                "-".to_string()
            } else {
                to.join(", ")
            };
            format!("{module:11} -> {to}\n")
        })
        .collect()
}

/// Prints the listing of the crate source folder `rel` (`--nocapture` shows it) and asserts that
/// it has the modules `expected` and no circle.
fn assert_acyclic(rel: &str, expected: &[&str]) {
    let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel));
    println!("{rel}:\n{}", listing(&graph));
    let found = circles(&graph);
    println!("circles: {found:?}");
    for module in expected {
        assert!(graph.contains_key(*module), "{rel} has {module}: {graph:?}");
    }
    assert!(
        found.is_empty(),
        "circles among the top-level modules of {rel} (each a set of modules that reach one another through `use crate::`): {}",
        found
            .iter()
            .map(|c| c.join(" ↔ "))
            .collect::<Vec<_>>()
            .join("; ")
    );
}

#[test]
fn module_graph_of_src_has_no_circle() {
    assert_acyclic("src", &["archive", "model"]);
}

/// The PDF/OFD engine keeps its layers apart: elements (what a document says), fonts, layout,
/// writers (PDF, OFD and the font embedding they share) and the batch above them.
#[test]
fn module_graph_of_the_engine_has_no_circle() {
    assert_acyclic(
        "crates/duban-pdf/src",
        &["elements", "fonts", "layout", "write", "batch"],
    );
}

#[test]
fn module_graph_reads_uses_and_finds_a_circle() {
    let dir = std::env::temp_dir().join(format!("duban-module-graph-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).expect("dir");
    let write = |rel: &str, text: &str| std::fs::write(dir.join(rel), text).expect("write");
    write(
        "lib.rs",
        "pub mod a; pub mod b; pub mod c; use crate::a::X;",
    );
    write(
        "a.rs",
        "use crate::{b::Y, c};\n// crate::d in a comment\n#[cfg(test)]\nmod tests {\n    use crate::c::{Z};\n    fn f() { if true { crate::b::g() } }\n}\n",
    );
    write("b/mod.rs", "mod inner;\n");
    write("b/inner.rs", "use crate::c::Z;\n");
    write(
        "c.rs",
        "#[cfg(test)]\nfn only_in_tests() { crate::a::f() }\n",
    );
    write(
        "d.rs",
        "#[cfg(test)]\npub mod tests { use crate::a::X; }\nuse crate::b;\n",
    );
    write(
        "e.rs",
        "use crate::{\n    b::{inner::{V, W}, Y},\n    d,\n};\n",
    );
    let g = graph(&dir);
    let edges = |m: &str| g[m].iter().cloned().collect::<Vec<_>>();
    assert_eq!(g.keys().collect::<Vec<_>>(), ["a", "b", "c", "d", "e"]);
    assert_eq!(edges("a"), ["b", "c"]);
    assert_eq!(edges("b"), ["c"], "a child's uses are its parent's");
    assert_eq!(edges("c"), ["a"], "only test modules are left out");
    assert_eq!(edges("d"), ["b"]);
    assert_eq!(
        edges("e"),
        ["b", "d"],
        "an item after a nested group counts"
    );
    assert_eq!(circles(&g), [vec!["a", "b", "c"]]);
    assert!(listing(&g).contains("d           -> b\n"));
    write("c.rs", "");
    assert!(circles(&graph(&dir)).is_empty());
    std::fs::remove_dir_all(&dir).ok();
}
