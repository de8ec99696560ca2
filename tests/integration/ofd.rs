//! The OFD twins (GB/T 33190-2016) of the notices: written beside every PDF from the same
//! layout, checked here at the level of the package and its XML parts (namespaces, required
//! elements, IDs, resources), and by readers that are not ours (`tests/ofd/check_ofd.py`:
//! ofdkit for pages and text against pdftotext, fontTools for the embedded fonts, easyofd to
//! draw pages that are compared with the PDF's rendering).

use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

const NS: &str = "http://www.ofdspec.org/2016";

/// An XML element: its namespace, local name, attributes, text and children.
#[derive(Debug, Default)]
struct El {
    ns: String,
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn child(&self, name: &str) -> &El {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
    }
    fn all(&self, name: &str) -> Vec<&El> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    fn attr(&self, key: &str) -> &str {
        self.attrs
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("<{}> has no {key}", self.name))
    }
    fn walk<'a>(&'a self, out: &mut Vec<&'a El>) {
        out.push(self);
        for c in &self.children {
            c.walk(out);
        }
    }
}

/// Parses an XML part, resolving the `ofd:` prefix to its namespace.
fn parse(xml: &[u8]) -> El {
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_reader(xml);
    let mut stack: Vec<El> = vec![El::default()];
    let mut buf = Vec::new();
    let element = |ns: &ResolveResult, e: &quick_xml::events::BytesStart| {
        let ns = match ns {
            ResolveResult::Bound(n) => n.as_ref().to_string(),
            _ => String::new(),
        };
        let attrs = e
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("value")
                    .into_owned();
                (a.key.local_name().as_ref().to_string(), value)
            })
            .filter(|(k, _)| k != "ofd")
            .collect();
        El {
            ns,
            name: e.local_name().as_ref().to_string(),
            attrs,
            ..El::default()
        }
    };
    loop {
        let (ns, event) = reader
            .read_resolved_event_into(&mut buf)
            .expect("well-formed XML");
        match event {
            Event::Start(e) => {
                let el = element(&ns, &e);
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = element(&ns, &e);
                stack.last_mut().expect("parent").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("open element");
                stack.last_mut().expect("parent").children.push(el);
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                stack.last_mut().expect("element").text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let text = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                stack.last_mut().expect("element").text.push_str(text);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut root = stack.pop().expect("document");
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.remove(0)
}

/// The zip entries of a package, in order, with their bytes and modification times.
fn entries(ofd: &Path) -> Vec<(String, Vec<u8>, String)> {
    let file = std::fs::File::open(ofd).expect("ofd");
    let mut zip = zip::ZipArchive::new(file).expect("an OFD is a zip package");
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read entry");
            let time = format!("{:?}", entry.last_modified());
            (entry.name().expect("entry name").to_string(), bytes, time)
        })
        .collect()
}

fn numbers(s: &str, n: usize) -> Vec<f64> {
    let v: Vec<f64> = s
        .split_whitespace()
        .map(|x| {
            x.parse()
                .unwrap_or_else(|_| panic!("“{x}” in “{s}” is a number"))
        })
        .collect();
    assert_eq!(v.len(), n, "“{s}” has {n} numbers");
    v
}

/// Checks one package at the level of its parts; returns its page count.
fn check_package(ofd: &Path) -> usize {
    let parts = entries(ofd);
    let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        names[..3],
        ["OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml"]
    );
    let times: BTreeSet<&str> = parts.iter().map(|p| p.2.as_str()).collect();
    assert_eq!(times.len(), 1, "one fixed timestamp: {times:?}");
    let part = |name: &str| -> El {
        let (_, bytes, _) = parts
            .iter()
            .find(|p| p.0 == name)
            .unwrap_or_else(|| panic!("{} has {name}", ofd.display()));
        let root = parse(bytes);
        assert_eq!(root.ns, NS, "{name}: root in the OFD namespace");
        root
    };
    let mut ids: Vec<u32> = Vec::new();
    let mut collect = |root: &El| {
        let mut all = Vec::new();
        root.walk(&mut all);
        for el in all {
            assert_eq!(el.ns, NS, "<{}> in the OFD namespace", el.name);
            if let Some(id) = el.attrs.get("ID") {
                ids.push(id.parse().expect("IDs are positive integers"));
            }
        }
    };

    let ofd_xml = part("OFD.xml");
    collect(&ofd_xml);
    assert_eq!(ofd_xml.name, "OFD");
    assert_eq!(ofd_xml.attr("DocType"), "OFD");
    assert_eq!(ofd_xml.attr("Version"), "1.0");
    let body = ofd_xml.child("DocBody");
    let info = body.child("DocInfo");
    let doc_id = &info.child("DocID").text;
    assert!(
        doc_id.len() == 32 && doc_id.chars().all(|c| c.is_ascii_hexdigit()),
        "{doc_id}"
    );
    let title = &info.child("Title").text;
    assert!(title.contains("重点工作任务"), "{title}");
    assert_eq!(info.child("Author").text, "呼和浩特市人民政府督查室");
    assert_eq!(
        info.child("CreationDate").text,
        "2026-11-30",
        "the as-of date"
    );
    assert_eq!(info.child("Creator").text, "duban");
    assert_eq!(body.child("DocRoot").text, "Doc_0/Document.xml");

    let document = part("Doc_0/Document.xml");
    collect(&document);
    let common = document.child("CommonData");
    let max_id: u32 = common.child("MaxUnitID").text.parse().expect("MaxUnitID");
    assert_eq!(
        numbers(&common.child("PageArea").child("PhysicalBox").text, 4),
        [0.0, 0.0, 210.0, 297.0],
        "A4 in millimetres"
    );
    assert_eq!(common.child("PublicRes").text, "PublicRes.xml");
    let pages = document.child("Pages").all("Page");
    assert!(!pages.is_empty());

    let res = part("Doc_0/PublicRes.xml");
    collect(&res);
    let base = res.attr("BaseLoc");
    let mut font_ids = BTreeSet::new();
    for font in res.child("Fonts").all("Font") {
        font_ids.insert(font.attr("ID").to_string());
        assert!(!font.attr("FontName").is_empty());
        let file = format!("Doc_0/{base}/{}", font.child("FontFile").text);
        assert!(names.contains(&file.as_str()), "{file} is in the package");
    }
    assert!(!font_ids.is_empty());
    // Images (the seal): MultiMedia resources whose PNG is in the package.
    let mut images = BTreeSet::new();
    for media in res
        .all("MultiMedias")
        .iter()
        .flat_map(|m| m.all("MultiMedia"))
    {
        assert_eq!((media.attr("Type"), media.attr("Format")), ("Image", "PNG"));
        let file = format!("Doc_0/{base}/{}", media.child("MediaFile").text);
        let (_, png, _) = parts
            .iter()
            .find(|p| p.0 == file)
            .unwrap_or_else(|| panic!("{file} is in the package"));
        assert!(png.starts_with(b"\x89PNG"), "{file} is a PNG");
        images.insert(media.attr("ID").to_string());
    }
    let mut placed = 0;

    for page in &pages {
        let content = part(&format!("Doc_0/{}", page.attr("BaseLoc")));
        collect(&content);
        assert_eq!(content.name, "Page");
        let layers = content.child("Content").all("Layer");
        assert_eq!(layers.len(), 1);
        let mut texts = 0;
        for obj in &layers[0].children {
            numbers(obj.attr("Boundary"), 4);
            match obj.name.as_str() {
                "TextObject" => {
                    texts += 1;
                    assert!(font_ids.contains(obj.attr("Font")), "a declared font");
                    assert!(numbers(obj.attr("Size"), 1)[0] > 0.0);
                    let code = obj.child("TextCode");
                    numbers(code.attr("X"), 1);
                    numbers(code.attr("Y"), 1);
                    let chars = code.text.chars().count();
                    assert!(chars > 0 && !code.text.contains(char::is_whitespace));
                    let deltas = code.attrs.get("DeltaX").map_or(0, |d| expanded(d));
                    assert_eq!(deltas, chars - 1, "one DeltaX per glyph after the first");
                }
                "PathObject" => {
                    assert!(!obj.child("AbbreviatedData").text.is_empty());
                }
                "ImageObject" => {
                    assert!(images.contains(obj.attr("ResourceID")), "a declared image");
                    let b = numbers(obj.attr("Boundary"), 4);
                    let (w, h) = (b[2], b[3]);
                    assert_eq!(numbers(obj.attr("CTM"), 6), [w, 0.0, 0.0, h, 0.0, 0.0]);
                    placed += 1;
                }
                other => panic!("unexpected <{other}>"),
            }
        }
        assert!(texts > 0, "every page has text");
    }
    assert_eq!(
        placed,
        images.len(),
        "the seal is placed once, on the sign-off's page"
    );
    let unique: BTreeSet<u32> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "IDs are unique in the document");
    assert_eq!(
        unique.last().copied(),
        Some(max_id),
        "MaxUnitID is the largest ID"
    );
    pages.len()
}

/// Number of values a DeltaX stands for (`g N v` is N values).
fn expanded(delta: &str) -> usize {
    let tokens: Vec<&str> = delta.split_whitespace().collect();
    let mut n = 0;
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "g" {
            n += tokens[i + 1].parse::<usize>().expect("repeat count");
            i += 3;
        } else {
            n += 1;
            i += 1;
        }
    }
    n
}

fn pdf_pages(pdf: &[u8]) -> usize {
    // Every page object of our PDFs is written as “/Type /Page” (the tree is “/Pages”).
    pdf.windows(b"/Type /Page".len() + 1)
        .filter(|w| w.starts_with(b"/Type /Page") && w[w.len() - 1] != b's')
        .count()
}

#[test]
fn every_notice_has_a_valid_ofd_twin_listed_in_run_json() {
    let month = crate::run::two_months().out.join("2026-11");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(month.join("run.json")).expect("run.json"))
            .expect("json");
    let listed: BTreeSet<String> = run["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o["path"].as_str().map(String::from))
        .collect();
    let mut checked = 0;
    for kind in ["领导", "单位"] {
        let dir = month.join("督办单").join(kind);
        let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .collect();
        pdfs.sort();
        for pdf in pdfs {
            let ofd = pdf.with_extension("ofd");
            let rel = ofd
                .strip_prefix(&month)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            assert!(listed.contains(&rel), "{rel} is in run.json");
            let pdf_bytes = std::fs::read(&pdf).expect("pdf");
            let pages = check_package(&ofd);
            assert_eq!(pages, pdf_pages(&pdf_bytes), "{rel}: same pages as the PDF");
            checked += 1;
        }
    }
    assert_eq!(checked, 56, "11 leader documents and 45 unit notices");
    assert_eq!(run["documents"]["领导督办单OFD"], 11);
    assert_eq!(run["documents"]["单位督办通知单OFD"], 45);
    // The emails still carry the PDF only.
    let eml = std::fs::read_to_string(month.join("邮件/市科技局.eml")).expect("eml");
    assert!(eml.contains("application/pdf") && !eml.contains(".ofd"));
}

#[test]
fn independent_readers_open_every_ofd_with_the_pdfs_pages_text_and_look() {
    let python_ok = std::process::Command::new("python3")
        .args(["-c", "import ofdkit, easyofd, fontTools, PIL, reportlab"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python_ok {
        crate::checker::missing("Python 的 ofdkit、easyofd（OFD 阅读器）");
        return;
    }
    let month = crate::run::two_months().out.join("2026-11");
    let png_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ofd-png");
    let renders = [
        "督办单/领导/贺海东.ofd",
        "督办单/领导/王昆.ofd",
        "督办单/单位/市发改委.ofd",
    ];
    std::fs::create_dir_all(&png_dir).expect("png dir");
    // easyofd writes each embedded font to a file in the current folder while registering it.
    let out = std::process::Command::new("python3")
        .current_dir(&png_dir)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ofd/check_ofd.py"))
        .arg(&month)
        .arg(&png_dir)
        .args(renders)
        .output();
    let out = match out {
        Ok(o) => o,
        Err(_) => return crate::checker::missing("python3"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json_line = stdout.lines().last().unwrap_or_default();
    let report: serde_json::Value = serde_json::from_str(json_line).unwrap_or_else(|_| {
        panic!(
            "checker output: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    assert_eq!(report["checked"], 56, "{report}");
    // easyofd strokes but never fills paths, and draws every text in one Song face: the
    // mayor's light bars (fills) and the bold titles and Hei headings differ for that reason.
    // For scale: the PDF against itself shifted by 1 px (0.36 mm) gives a mean of 2.3.
    for (rel, max_mean, max_share) in [
        ("督办单/领导/贺海东.ofd", 4.5, 0.025),
        ("督办单/领导/王昆.ofd", 2.0, 0.006),
        ("督办单/单位/市发改委.ofd", 2.0, 0.006),
    ] {
        let r = &report["renders"][rel];
        let mean = r["mean_abs_diff"].as_f64().expect("mean");
        let share = r["share_over_64"].as_f64().expect("share");
        assert!(
            mean <= max_mean && share <= max_share,
            "{rel}: easyofd's page 1 differs from the PDF's: {r} (PNGs in {})",
            png_dir.display()
        );
    }
}

#[test]
fn ofd_can_be_turned_off() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ofd-off");
    let _ = std::fs::remove_dir_all(&out);
    let mut cfg =
        duban::config::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("duban.toml"))
            .expect("config");
    cfg.paths.output = out.clone();
    cfg.output.ofd = false;
    let opts = duban::pipeline::RunOptions {
        month: duban::model::Month::parse("2026-10"),
        as_of: None,
        force: false,
    };
    duban::pipeline::run(&cfg, &opts, &duban::pipeline::Silent).expect("October runs");
    let units = out.join("2026-10/督办单/单位");
    let files: Vec<String> = std::fs::read_dir(&units)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 45);
    assert!(files.iter().all(|f| f.ends_with(".pdf")), "{files:?}");
    let config =
        duban::config::Config::from_toml("[output]\nofd = false\n", "duban.toml", Path::new("."))
            .expect("[output] parses");
    assert!(!config.output.ofd);
    assert!(duban::config::Config::default().output.ofd, "on by default");
    std::fs::remove_dir_all(&out).ok();
}
