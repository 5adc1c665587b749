//! Arabic text in one place on the server: the folding that every index, query and name picker uses (the same as
//! the browser's, [`shared_types::text::fold`]), the words of a text, and light stemming, so that a word matches with
//! and without its clitics and common suffixes (ال، و، ف، ب، ك، ل and their combinations; ات، ون، ين، ها، ة …).
//! Stemming is Snowball's: its Arabic algorithm for Arabic words, its English one for Latin words (`rust-stemmers`).

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
pub use shared_types::text::{fold, matches};

static ARABIC: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Arabic));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// The words of a folded text: its runs of letters and digits (`1448/000123` is `1448` and `000123`).
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

fn is_arabic(word: &str) -> bool {
    word.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The stem of a folded word: a number without its leading zeros (`000123` is `123`, as a registration number's
/// sequence is asked for with or without them), Arabic and Latin words by their Snowball stemmer.
pub fn stem(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_digit()) {
        match word.trim_start_matches('0') {
            "" => "0".to_string(),
            digits => digits.to_string(),
        }
    } else if is_arabic(word) {
        // Folding made a final ta marbuta ه; Snowball's Arabic algorithm strips ة as a suffix (and a final ه as the
        // pronoun): given back as ة, a word typed either way reaches the same stem, which is folded again.
        let word = match word.strip_suffix('ه') {
            Some(stem) => format!("{stem}ة"),
            None => word.to_string(),
        };
        // Snowball's Arabic algorithm keeps a leading و or ف before ا (so that واحد stays whole), and with it the
        // article of وال and فال (والصيانة, فالمعاملة). Those two letters before the article, with a word of three
        // letters or more after it, are the conjunction: taken off, the article goes as it does alone.
        let conjunction = word
            .strip_prefix('و')
            .or_else(|| word.strip_prefix('ف'))
            .filter(|rest| rest.starts_with("ال") && rest.chars().count() >= 5)
            .map(str::to_string);
        let word = conjunction.unwrap_or(word);
        fold(&ARABIC.stem(&word))
    } else {
        ENGLISH.stem(word).into_owned()
    }
}

/// The terms of a text, as an index keeps them and as a query looks them up: folded, split into words, stemmed.
pub fn terms(text: &str) -> Vec<String> {
    words(&fold(text)).map(stem).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, text: &str) -> bool {
        let found = terms(text);
        terms(query).iter().all(|t| found.contains(t))
    }

    /// The examples: hamza forms and ta marbuta, clitics and their combinations, Arabic-Indic digits.
    #[test]
    fn a_word_is_found_in_its_other_spellings_and_with_its_clitics() {
        assert!(finds("الاماره", "الإمارة"));
        assert!(finds("الاماره", "الأمارة"));
        assert!(finds("صيانه", "الصيانة"));
        assert!(finds("صيانه", "وللصيانة"));
        assert!(finds("صيانه", "والصيانة"));
        assert!(finds("المعاملة", "فالمعاملة"));
        assert_eq!(terms("واحد"), terms("واحد"));
        assert_ne!(stem("واحد"), stem("احد"), "واحد keeps its و");
        assert!(finds("صيانة", "بالصيانة"));
        assert!(finds("الصيانه", "للصيانة"));
        assert_eq!(terms("١٤٤٨/١٢٣"), ["1448", "123"]);
        assert_eq!(terms("KHB-1448/000123"), ["khb", "1448", "123"]);
        assert_eq!(terms("000"), ["0"]);
    }

    #[test]
    fn common_suffixes_and_latin_words_stem_together() {
        assert!(finds("معاملة", "المعاملات"), "{:?} {:?}", terms("معاملة"), terms("المعاملات"));
        assert!(finds("ministry", "Ministries"));
        assert!(finds("Société", "societe"));
        assert!(!finds("صيانه", "الإمارة"));
    }
}
