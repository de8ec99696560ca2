//! Document numbers (文号) after GB/T 9704: `呼督〔2026〕17号` — prefix, the full year in 〔〕,
//! the number without leading zeros and without 第. The pattern is `templates/doc_number.j2`.

use crate::templates::{TemplateError, Templates};

/// Name of the template holding the number pattern.
pub const TEMPLATE: &str = "doc_number.j2";

/// Renders document number `number` of `year` with the office's `prefix`.
pub fn document_number(
    templates: &Templates,
    prefix: &str,
    year: i32,
    number: u32,
) -> Result<String, TemplateError> {
    let ctx = serde_json::json!({ "prefix": prefix, "year": year, "number": number });
    Ok(templates.render(TEMPLATE, &ctx)?.trim().to_string())
}

/// The numbers of one run: `start`, `start + 1`, … in document order, without gaps.
pub fn sequence(start: u32, count: usize) -> impl Iterator<Item = u32> {
    (0..count).map(move |i| start.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb_9704_number() {
        let t =
            Templates::from_sources(&[(TEMPLATE, "{{ prefix }}〔{{ year }}〕{{ number }}号\n")])
                .unwrap_or_else(|e| panic!("{e}"));
        let n = document_number(&t, "呼督", 2026, 17).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, "呼督〔2026〕17号");
        assert_eq!(sequence(101, 3).collect::<Vec<_>>(), vec![101, 102, 103]);
    }
}
