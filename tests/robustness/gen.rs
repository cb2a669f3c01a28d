//! Input generators: real files edited at random with tokens of their own language, deep
//! nesting at sizes from ordinary to absurd, and plain noise.

use proptest::prelude::*;

/// One edit of a text.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Insert a token at a relative position (0.0 start … 1.0 end).
    Insert(f64, String),
    /// Delete a run of characters.
    Delete(f64, usize),
    /// Repeat a run of characters in place.
    Repeat(f64, usize, usize),
}

fn edit(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0.0..=1.0f64, token(vocabulary)).prop_map(|(at, t)| Edit::Insert(at, t)),
        2 => (0.0..=1.0f64, 1..64usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (0.0..=1.0f64, 1..32usize, 2..64usize).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
    ]
}

/// A token of the language, or an odd character, or short random text.
fn token(vocabulary: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(vocabulary).prop_map(str::to_string),
        2 => proptest::sample::select(ODD).prop_map(str::to_string),
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

/// Characters that break readers: controls, quotes, separators, non-characters.
const ODD: &[&str] = &[
    "\0",
    "\u{1b}[2J",
    "\r",
    "\t",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{10ffff}",
    "\\",
    "\"",
    "'",
    "`",
    "$",
    "%",
    "%00",
    "&",
    ";",
    "\u{202e}",
    "é",
    "𝄞",
    "\n\n\n",
];

/// One to eight edits with tokens of `vocabulary`.
pub fn edits(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(vocabulary), 1..8)
}

/// `text` after `edits`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len);
        match edit {
            Edit::Insert(f, token) => {
                let i = at(*f, chars.len());
                chars.splice(i..i, token.chars());
            }
            Edit::Delete(f, n) => {
                let i = at(*f, chars.len());
                let end = (i + n).min(chars.len());
                chars.drain(i..end);
            }
            Edit::Repeat(f, n, times) => {
                let i = at(*f, chars.len());
                let end = (i + n).min(chars.len());
                let run: Vec<char> = chars[i..end].to_vec();
                for _ in 1..*times {
                    chars.splice(end..end, run.iter().copied());
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// One of `seeds`, edited one to eight times with `vocabulary`.
pub fn mutated(
    seeds: Vec<String>,
    vocabulary: &'static [&'static str],
) -> impl Strategy<Value = String> {
    (proptest::sample::select(seeds), edits(vocabulary))
        .prop_map(|(seed, edits)| apply(&seed, &edits))
}

/// A nesting depth: mostly ordinary, sometimes far past any real file.
pub fn depth() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 1..300usize,
        2 => 300..5_000usize,
        1 => 5_000..200_000usize,
    ]
}

/// `open` `depth` times, then `inner`, then `close` as many times, inside `frame`'s `@@`.
pub fn nested(
    frames: &'static [&'static str],
    levels: &'static [(&'static str, &'static str)],
    inner: &'static str,
) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(frames),
        proptest::sample::select(levels),
        depth(),
        any::<bool>(),
    )
        .prop_map(move |(frame, (open, close), depth, closed)| {
            let mut body = open.repeat(depth);
            body.push_str(inner);
            if closed {
                body.push_str(&close.repeat(depth));
            }
            frame.replace("@@", &body)
        })
}

/// Arbitrary text, as a reader may be handed any file.
pub fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..512)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
}
