//! The pure core: no disk, network, terminal or clock. Time is always passed in.

pub mod duration;
pub mod failure;
pub mod profile;
pub mod renewal;
pub mod token;

/// A moment, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Whether `c` must not reach a terminal or a page as it is: a control character, or
/// a Unicode bidirectional control (U+202A–U+202E, U+2066–U+2069, and the marks
/// U+200E, U+200F, U+061C), which reorders what follows it on the line: a name could
/// make a row read otherwise than it is.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}
