//! A rule page for the terminal (`apimguard rules explain`): plain text wrapped to a
//! readable width, headings in bold when colour is on.

use std::fmt::Write;

use owo_colors::OwoColorize;

use super::page::{Block, Page};

/// Width paragraphs are wrapped to.
const WIDTH: usize = 88;
/// Indent of everything under a heading.
const INDENT: &str = "  ";

/// The text of `page` for a terminal; `color` adds bold headings.
pub fn render(page: &Page, color: bool) -> String {
    let heading = |text: &str| {
        if color {
            text.bold().to_string()
        } else {
            text.to_string()
        }
    };
    // The synopsis is left out: the whole description follows a few lines below.
    let mut out = format!("{}\n\n", heading(&page.title));
    let width = page
        .facts
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0);
    for (label, value) in &page.facts {
        let _ = writeln!(out, "{INDENT}{label:<width$}  {value}");
    }
    for section in &page.sections {
        let _ = write!(out, "\n{}\n", heading(&section.title.to_uppercase()));
        for block in &section.blocks {
            match block {
                Block::Text(text) => out.push_str(&wrap(text)),
                Block::Table { header, rows } => table(&mut out, header, rows),
                Block::Json(json) => {
                    for line in json.lines() {
                        let _ = writeln!(out, "{INDENT}{INDENT}{line}");
                    }
                }
                Block::Links(links) => {
                    for link in links {
                        let _ = writeln!(out, "{INDENT}- {link}");
                    }
                }
            }
        }
    }
    out
}

/// `text` as indented lines of at most [`WIDTH`] columns (longer words stay whole).
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && INDENT.len() + line.len() + 1 + word.chars().count() > WIDTH {
            let _ = writeln!(out, "{INDENT}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{INDENT}{line}");
    }
    out
}

/// Columns aligned to their widest cell.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let header: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{INDENT}{}", cells.join("  ").trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_long_paragraphs() {
        let text = "word ".repeat(40);
        let wrapped = wrap(&text);
        assert!(wrapped.lines().count() > 1);
        assert!(wrapped
            .lines()
            .all(|l| l.len() <= WIDTH && l.starts_with(INDENT)));
    }
}
