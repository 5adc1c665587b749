//! Arabic-aware text matching for pickers and search: the forms a user types and the forms stored differ in alef
//! hamza, ta marbuta, alef maqsura, diacritics, tatweel and digits, and must still match. The server indexes and
//! queries with this same folding (`api/src/text.rs` adds word splitting and stemming on top).

/// Fold a text for matching: lower case; alef forms (أ إ آ ٱ) → ا; ة → ه; ى → ي; ؤ → و; ئ → ي; diacritics
/// (tashkeel, U+064B–U+065F, U+0670) and tatweel (U+0640) dropped; Arabic-Indic (٠–٩) and Persian (۰–۹) digits →
/// 0–9; runs of white space made one space, none at either end. With the `latin-accents` feature (the server's),
/// accents are dropped from Latin letters too (é → e), by canonical decomposition. Folding a folded text changes
/// nothing.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ة' => 'ه',
            'ى' => 'ي',
            'ؤ' => 'و',
            'ئ' => 'ي',
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            '\u{0660}'..='\u{0669}' => digit(c, '\u{0660}'),
            '\u{06F0}'..='\u{06F9}' => digit(c, '\u{06F0}'),
            c if c.is_whitespace() => {
                space = !out.is_empty();
                continue;
            }
            c => c,
        };
        for lower in c.to_lowercase() {
            push_unaccented(&mut out, lower, &mut space);
        }
    }
    out
}

/// The ASCII digit of a digit of a block that starts at `zero`.
fn digit(c: char, zero: char) -> char {
    char::from_digit(u32::from(c) - u32::from(zero), 10).unwrap_or(c)
}

/// Append `c`, after the pending space if any; with `latin-accents`, without the combining marks of its decomposition.
fn push_unaccented(out: &mut String, c: char, space: &mut bool) {
    let mut push = |c: char| {
        if c.is_whitespace() {
            *space = !out.is_empty();
            return;
        }
        if *space {
            out.push(' ');
            *space = false;
        }
        out.push(c);
    };
    #[cfg(feature = "latin-accents")]
    {
        // Only letters outside Arabic: Arabic's own marks are handled above, and its letters do not decompose into
        // anything this should drop.
        if c.is_ascii() || ('\u{0600}'..='\u{06FF}').contains(&c) {
            push(c);
        } else {
            unicode_normalization::char::decompose_canonical(c, |d| {
                if !unicode_normalization::char::is_combining_mark(d) {
                    push(d)
                }
            });
        }
    }
    #[cfg(not(feature = "latin-accents"))]
    push(c);
}

/// Whether every word of `query` occurs in one of `fields`, after folding both.
pub fn matches(query: &str, fields: &[&str]) -> bool {
    let folded: Vec<String> = fields.iter().map(|f| fold(f)).collect();
    fold(query).split(' ').filter(|w| !w.is_empty()).all(|word| folded.iter().any(|f| f.contains(word)))
}

#[cfg(test)]
mod tests {
    use super::{fold, matches};

    #[test]
    fn spelling_variants_fold_together() {
        assert_eq!(fold("وزارة الشؤون البلدية"), fold("وزاره الشوون البلديه"));
        assert_eq!(fold("إدارة"), "اداره");
        assert_eq!(fold("مُسْتَشْفَى"), "مستشفي");
        assert_eq!(fold("الـــخبر"), "الخبر");
        assert_eq!(fold("  Khobar   Municipality "), "khobar municipality");
        assert_eq!(fold("١٤٤٨/١٢٣"), "1448/123", "Arabic-Indic digits");
        assert_eq!(fold("۱۴۴۸"), "1448", "Persian digits");
        assert_eq!(fold("الاماره"), fold("الإمارة"));
        assert_eq!(fold("الاماره"), fold("الأمارة"));
    }

    #[cfg(feature = "latin-accents")]
    #[test]
    fn latin_accents_fold_away_on_the_server() {
        assert_eq!(fold("Société Générale"), "societe generale");
        assert_eq!(fold("ÇA"), "ca");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{fold, matches};

        /// Text as people type it here: Arabic letters with hamza forms, ta marbuta, alef maqsura, diacritics,
        /// tatweel, both kinds of digits, Latin letters with and without accents, and spaces.
        fn typed() -> impl Strategy<Value = String> {
            proptest::string::string_regex(
                "[ \\t\u{0621}-\u{064A}\u{064B}-\u{0652}\u{0640}\u{0660}-\u{0669}\u{06F0}-\u{06F9}\u{0671}a-zA-Z0-9éÉçàüİ]{0,40}",
            )
            .expect("a valid pattern")
        }

        proptest! {
            /// Folding a folded text changes nothing.
            #[test]
            fn folding_is_idempotent(text in typed()) {
                let once = fold(&text);
                prop_assert_eq!(fold(&once), once);
            }

            /// Any run of whole words of a text, as typed, finds the text it came from.
            #[test]
            fn a_query_taken_from_a_text_matches_it(text in typed(), from in 0usize..8, take in 1usize..4) {
                let words: Vec<&str> = text.split_whitespace().collect();
                let query = words.iter().skip(from).take(take).copied().collect::<Vec<_>>().join(" ");
                prop_assert!(matches(&query, &[&text]), "{:?} in {:?}", query, text);
            }
        }
    }

    #[test]
    fn every_query_word_must_match_some_field() {
        let fields = ["وزارة الشؤون البلدية والقروية", "Ministry of Municipal Affairs", "MOMRA"];
        assert!(matches("وزاره البلديه", &fields));
        assert!(matches("ministry momra", &fields));
        assert!(matches("", &fields));
        assert!(!matches("وزارة الصحة", &fields));
    }
}
