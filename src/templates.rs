//! The wording of notices and emails: minijinja templates loaded from `templates/` at run time,
//! so the office changes a sentence without recompiling.
//!
//! Every `*.j2` file in the folder is loaded once and checked for syntax up front; a broken
//! template is a Chinese error naming the file and line before any document is written.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::path::Path;

/// A template could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
#[error("模板 {file}{line} 有误：{message}")]
pub struct TemplateError {
    pub file: String,
    /// “第 3 行” or empty.
    pub line: String,
    pub message: String,
    /// The underlying reader or template-engine error, if any.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TemplateError {
    fn from_jinja(folder: &Path, fallback: &str, e: minijinja::Error) -> TemplateError {
        let name = e.name().unwrap_or(fallback);
        TemplateError {
            file: folder.join(name).display().to_string(),
            line: e.line().map(|l| format!(" 第 {l} 行")).unwrap_or_default(),
            message: translate(&e),
            source: Some(Box::new(e)),
        }
    }
}

fn translate(e: &minijinja::Error) -> String {
    use minijinja::ErrorKind as K;
    let detail = e.detail().map(|d| format!("（{d}）")).unwrap_or_default();
    let what = match e.kind() {
        K::SyntaxError => "语法错误",
        K::UndefinedError => "使用了未定义的变量",
        K::UnknownFilter => "未知的过滤器",
        K::UnknownFunction => "未知的函数",
        K::TemplateNotFound => "找不到模板文件",
        K::InvalidOperation => "无效的操作",
        _ => "渲染失败",
    };
    format!("{what}{detail}")
}

/// All templates of a folder, parsed and ready.
pub struct Templates {
    env: Environment<'static>,
    folder: std::path::PathBuf,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("folder", &self.folder)
            .finish()
    }
}

impl Templates {
    /// Loads every `*.j2` file of `folder` (sorted, so behaviour is deterministic).
    pub fn load(folder: &Path) -> Result<Templates, TemplateError> {
        let mut names: Vec<_> = std::fs::read_dir(folder)
            .map_err(|e| TemplateError {
                file: folder.display().to_string(),
                line: String::new(),
                message: format!("无法读取模板文件夹（{e}）"),
                source: Some(Box::new(e)),
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "j2"))
            .collect();
        names.sort();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_filter("cn_date", cn_date);
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let source = std::fs::read_to_string(&path).map_err(|e| TemplateError {
                file: path.display().to_string(),
                line: String::new(),
                message: format!("无法读取（{e}）"),
                source: Some(Box::new(e)),
            })?;
            env.add_template_owned(name.clone(), source)
                .map_err(|e| TemplateError::from_jinja(folder, &name, e))?;
        }
        Ok(Templates {
            env,
            folder: folder.to_path_buf(),
        })
    }

    /// Builds from in-memory sources (tests, and defaults).
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_filter("cn_date", cn_date);
        let folder = std::path::PathBuf::from("<内置>");
        for (name, source) in sources {
            env.add_template_owned(name.to_string(), source.to_string())
                .map_err(|e| TemplateError::from_jinja(&folder, name, e))?;
        }
        Ok(Templates { env, folder })
    }

    /// Renders template `name` with `ctx`.
    pub fn render<S: Serialize>(&self, name: &str, ctx: &S) -> Result<String, TemplateError> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| TemplateError::from_jinja(&self.folder, name, e))?;
        tmpl.render(minijinja::value::Serde(ctx))
            .map_err(|e| TemplateError::from_jinja(&self.folder, name, e))
    }

    /// Renders a template and splits it into trimmed non-empty paragraphs (one per line).
    pub fn render_lines<S: Serialize>(
        &self,
        name: &str,
        ctx: &S,
    ) -> Result<Vec<String>, TemplateError> {
        Ok(self
            .render(name, ctx)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Whether a template of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }
}

/// `{{ "2026-11-30" | cn_date }}` → `2026年11月30日`.
fn cn_date(value: String) -> String {
    match chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
        Ok(d) => crate::model::chinese_date(d),
        Err(_) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_reports_errors_with_file_and_line() {
        let t =
            Templates::from_sources(&[("a.j2", "截至{{ as_of | cn_date }}，共{{ n }}项")]).unwrap();
        let out = t
            .render("a.j2", &serde_json::json!({"as_of": "2026-11-30", "n": 3}))
            .unwrap();
        assert_eq!(out, "截至2026年11月30日，共3项");
        let err = t
            .render("a.j2", &serde_json::json!({"as_of": "2026-11-30"}))
            .unwrap_err();
        assert!(err.to_string().contains("未定义"), "{err}");
        let err = Templates::from_sources(&[("b.j2", "第一行\n{% if %}")]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("b.j2") && msg.contains("第 2 行") && msg.contains("语法错误"),
            "{msg}"
        );
    }
}
