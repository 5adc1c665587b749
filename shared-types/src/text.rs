//! Arabic-aware text matching for pickers and search: the forms a user types and the forms stored differ in alef
//! hamza, ta marbuta, alef maqsura, diacritics and tatweel, and must still match.

/// Fold a text for matching: lower case; alef forms (أ إ آ ٱ) → ا; ة → ه; ى → ي; ؤ → و; ئ → ي; diacritics
/// (tashkeel, U+064B–U+065F, U+0670) and tatweel (U+0640) dropped; runs of white space made one space.
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
            c if c.is_whitespace() => {
                space = !out.is_empty();
                continue;
            }
            c => c,
        };
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
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
