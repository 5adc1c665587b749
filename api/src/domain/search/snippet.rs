//! Snippets: a short passage of the text as written, around the first word that matches the query, with each
//! matching word marked. Matching is the index's own — a word matches when one of its terms is a query term — so the
//! marks show exactly why a transaction was found.

use std::collections::HashSet;

use shared_types::SnippetPart;

use crate::text::terms;

/// Words shown before the first match.
const WORDS_BEFORE: usize = 6;
/// About how many characters a snippet shows.
const LENGTH: usize = 180;
/// How much of a long text is looked through for a match (a document's text may run to megabytes).
pub const LOOK_THROUGH: usize = 64 * 1024;

/// Whether a character belongs to a word as written: letters, digits, and the marks folding drops inside words
/// (tashkeel, tatweel, combining accents).
fn word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
        || matches!(c, '\u{0640}' | '\u{0300}'..='\u{036F}')
}

/// The text as alternating runs of word and non-word characters.
fn runs(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let word = word_char(c);
        if current.is_some_and(|w| w != word) {
            out.push((&text[start..i], current.unwrap_or(false)));
            start = i;
        }
        current = Some(word);
    }
    if let Some(word) = current {
        out.push((&text[start..], word));
    }
    out
}

/// A run between words as shown: line breaks and runs of spaces read as one space.
fn gap(s: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn push(parts: &mut Vec<SnippetPart>, text: &str, hit: bool) {
    match parts.last_mut() {
        Some(last) if !last.hit && !hit => last.text.push_str(text),
        _ => parts.push(SnippetPart { text: text.to_string(), hit }),
    }
}

/// The passage of `text` around its first word with a term in `wanted`, or `None` if no word has one.
pub fn snippet(text: &str, wanted: &HashSet<String>) -> Option<Vec<SnippetPart>> {
    if wanted.is_empty() {
        return None;
    }
    let mut end = text.len().min(LOOK_THROUGH);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let runs = runs(&text[..end]);
    let hit = |s: &str| terms(s).iter().any(|t| wanted.contains(t));
    let first = runs.iter().position(|(s, word)| *word && hit(s))?;
    let mut start = first;
    let mut before = 0;
    while start > 0 && before < WORDS_BEFORE {
        start -= 1;
        if runs[start].1 {
            before += 1;
        }
    }
    if !runs[start].1 && start < first {
        start += 1;
    }
    let mut parts = Vec::new();
    if start > 0 {
        push(&mut parts, "… ", false);
    }
    let mut length = 0;
    for (i, (s, word)) in runs.iter().enumerate().skip(start) {
        if length >= LENGTH && *word {
            push(&mut parts, "…", false);
            break;
        }
        if *word {
            push(&mut parts, s, hit(s));
        } else {
            push(&mut parts, &gap(s), false);
        }
        length += s.chars().count();
        if i + 1 == runs.len() && end < text.len() {
            push(&mut parts, " …", false);
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(query: &str) -> HashSet<String> {
        terms(query).into_iter().collect()
    }

    fn marked(parts: &[SnippetPart]) -> String {
        parts.iter().map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() }).collect()
    }

    #[test]
    fn every_matching_word_is_marked_as_written() {
        let parts = snippet("طلب صيانة الطريق، وللصيانةِ موعد", &wanted("صيانه")).unwrap_or_default();
        assert_eq!(marked(&parts), "طلب [صيانة] الطريق، [وللصيانةِ] موعد");
        assert!(snippet("طلب رخصة بناء", &wanted("صيانه")).is_none());
        assert!(snippet("anything", &HashSet::new()).is_none());
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match() {
        let text = format!("{} road maintenance {}", "word ".repeat(100), "more ".repeat(100));
        let parts = snippet(&text, &wanted("maintenance")).unwrap_or_default();
        let shown = marked(&parts);
        assert!(shown.starts_with("… word"), "{shown}");
        assert!(shown.contains("road [maintenance] more"), "{shown}");
        assert!(shown.ends_with(" …"), "{shown}");
        assert!(shown.chars().count() < LENGTH + 60, "{shown}");
    }

    #[test]
    fn line_breaks_read_as_spaces() {
        let parts = snippet("first line\n\nsecond maintenance", &wanted("maintenance")).unwrap_or_default();
        assert_eq!(marked(&parts), "first line second [maintenance]");
    }
}
