//! The records of an import, read as they come: JSON lines (one record per non-blank
//! line), or one JSON array whose records may span lines. No record may be longer than
//! 1 MiB, so memory stays flat however large the input (`/dev/zero` included); every
//! error names the line it is on and never quotes the input, which may hold a token.

use serde_json::Value;
use std::io::BufRead;

/// Longest record read, in bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// A record and the line it starts on, or an error and its line.
pub type Item = std::result::Result<(usize, Value), (usize, String)>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Nothing read yet.
    Unknown,
    Lines,
    /// Inside `[`, before the next record.
    Array,
    Done,
}

pub struct Records<R> {
    input: R,
    /// The line of the next byte.
    line: usize,
    shape: Shape,
}

impl<R: BufRead> Records<R> {
    pub fn new(input: R) -> Self {
        Records {
            input,
            line: 1,
            shape: Shape::Unknown,
        }
    }

    fn peek(&mut self) -> std::result::Result<Option<u8>, (usize, String)> {
        let line = self.line;
        let buf = self.input.fill_buf().map_err(|e| {
            (
                line,
                format!("cannot read: {}", crate::error::io_reason(&e)),
            )
        })?;
        Ok(buf.first().copied())
    }

    fn next_byte(&mut self) -> std::result::Result<Option<u8>, (usize, String)> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.input.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    /// Skips whitespace; the next byte after it, not consumed.
    fn skip_ws(&mut self) -> std::result::Result<Option<u8>, (usize, String)> {
        while let Some(b) = self.peek()? {
            if !b.is_ascii_whitespace() {
                return Ok(Some(b));
            }
            self.next_byte()?;
        }
        Ok(None)
    }

    fn too_long(line: usize) -> (usize, String) {
        (
            line,
            "the record is longer than 1 MiB: split it, or check that this is an import file"
                .into(),
        )
    }

    /// One non-blank line, parsed.
    fn next_line(&mut self) -> Option<Item> {
        loop {
            let line = self.line;
            let mut bytes = Vec::new();
            loop {
                match self.next_byte() {
                    Err(e) => return Some(Err(e)),
                    Ok(None) => {
                        self.shape = Shape::Done;
                        break;
                    }
                    Ok(Some(b'\n')) => break,
                    Ok(Some(b)) => {
                        if bytes.len() == MAX_RECORD_BYTES {
                            self.shape = Shape::Done;
                            return Some(Err(Self::too_long(line)));
                        }
                        bytes.push(b);
                    }
                }
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                if self.shape == Shape::Done {
                    return None;
                }
                continue;
            }
            return Some(
                serde_json::from_slice(&bytes)
                    .map(|v| (line, v))
                    .map_err(|e| {
                        (
                            line,
                            format!("not valid JSON (column {}): {}", e.column(), syntax(&e)),
                        )
                    }),
            );
        }
    }

    /// The bytes of one array element, up to (not including) the `,` or `]` after it.
    fn element(&mut self, line: usize) -> std::result::Result<Vec<u8>, (usize, String)> {
        let mut bytes = Vec::new();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while let Some(b) = self.peek()? {
            if !in_string && depth == 0 && (b == b',' || b == b']') {
                break;
            }
            if !in_string && depth == 0 && b.is_ascii_whitespace() && !bytes.is_empty() {
                break;
            }
            self.next_byte()?;
            if bytes.len() == MAX_RECORD_BYTES {
                return Err(Self::too_long(line));
            }
            bytes.push(b);
            match (in_string, escaped, b) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (true, false, b'"') => in_string = false,
                (true, false, _) => {}
                (false, _, b'"') => in_string = true,
                (false, _, b'{' | b'[') => depth += 1,
                (false, _, b'}' | b']') => depth = depth.saturating_sub(1),
                _ => {}
            }
            if !in_string && depth == 0 && matches!(b, b'}' | b']') {
                break;
            }
        }
        Ok(bytes)
    }

    /// The next record of the array, with what follows it checked.
    fn next_element(&mut self) -> std::result::Result<Option<(usize, Value)>, (usize, String)> {
        let line = self.line;
        let bytes = self.element(line)?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            (
                line + e.line().max(1) - 1,
                format!("not valid JSON: {}", syntax(&e)),
            )
        })?;
        match self.skip_ws()? {
            Some(b',') => {
                self.next_byte()?;
                if self.skip_ws()?.is_none() {
                    return Err((self.line, "the array is not closed with `]`".into()));
                }
            }
            Some(b']') => {
                self.next_byte()?;
                self.end_of_array()?;
            }
            None => return Err((self.line, "the array is not closed with `]`".into())),
            Some(_) => return Err((self.line, "expected `,` or `]` after a record".into())),
        }
        Ok(Some((line, value)))
    }

    fn end_of_array(&mut self) -> std::result::Result<(), (usize, String)> {
        self.shape = Shape::Done;
        match self.skip_ws()? {
            None => Ok(()),
            Some(_) => Err((self.line, "unexpected text after the array".into())),
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        let result = match self.shape {
            Shape::Done => return None,
            Shape::Lines => return self.next_line(),
            Shape::Unknown => match self.skip_ws() {
                Err(e) => Err(e),
                Ok(None) => {
                    self.shape = Shape::Done;
                    return None;
                }
                Ok(Some(b'[')) => {
                    let _ = self.next_byte();
                    self.shape = Shape::Array;
                    match self.skip_ws() {
                        Ok(Some(b']')) => {
                            let _ = self.next_byte();
                            self.end_of_array().map(|()| None)
                        }
                        Ok(None) => Err((self.line, "the array is not closed with `]`".into())),
                        Ok(Some(_)) => self.next_element(),
                        Err(e) => Err(e),
                    }
                }
                Ok(Some(_)) => {
                    self.shape = Shape::Lines;
                    return self.next_line();
                }
            },
            Shape::Array => match self.skip_ws() {
                Ok(None) => Err((self.line, "the array is not closed with `]`".into())),
                Ok(Some(_)) => self.next_element(),
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(Some(record)) => Some(Ok(record)),
            Ok(None) => None,
            Err(e) => {
                self.shape = Shape::Done;
                Some(Err(e))
            }
        }
    }
}

/// serde_json's syntax message without its position (we give our own) and without
/// quoting input, which may hold a token.
fn syntax(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "the record ends early".into(),
        _ => {
            let text = e.to_string();
            let text = text.split(" at line ").next().unwrap_or_default();
            if text.contains('"') {
                "unexpected value".into()
            } else {
                text.to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> std::result::Result<Vec<(usize, Value)>, (usize, String)> {
        Records::new(text.as_bytes()).collect()
    }

    fn lines_of(text: &str) -> Vec<usize> {
        records(text).unwrap().into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn json_lines_records_know_their_line() {
        assert_eq!(lines_of("{\"a\":1}\n\n  \n{\"b\":2}\n"), [1, 4]);
        assert_eq!(lines_of("{\"a\":1}\r\n{\"b\":2}"), [1, 2]);
        assert_eq!(records("{\"a\":1}\n{\"b\":\n").unwrap_err().0, 2);
    }

    #[test]
    fn array_records_know_their_line() {
        let text = "[\n  {\"a\": 1},\n  {\n    \"b\": 2\n  }\n]\n";
        assert_eq!(lines_of(text), [2, 3]);
        assert_eq!(lines_of("[]"), Vec::<usize>::new());
        assert_eq!(lines_of(" [ ] \n"), Vec::<usize>::new());
        assert_eq!(lines_of("[{\"s\":\"a],}\\\"[\"}, 1 ,\"x\"]"), [1, 1, 1]);
    }

    #[test]
    fn array_errors_know_their_line() {
        assert_eq!(records("[\n{\"a\":1},\n{\"b\" 2}\n]").unwrap_err().0, 3);
        assert_eq!(records("[\n{\"a\":1}\n{\"b\":2}\n]").unwrap_err().0, 3);
        assert_eq!(records("[\n{\"a\":1},\n").unwrap_err().0, 3);
        assert_eq!(records("[{\"a\":1}]\nx").unwrap_err().0, 2);
    }

    #[test]
    fn syntax_errors_do_not_quote_input() {
        let (_, msg) = records("{\"access_token\": \"s3cr3t\" \"x\"}").unwrap_err();
        assert!(!msg.contains("s3cr3t"), "{msg}");
    }

    #[test]
    fn a_record_longer_than_the_cap_is_refused_without_reading_on() {
        // An endless line (as /dev/zero is) stops at the cap.
        let endless = std::io::BufReader::new(std::io::repeat(0));
        let mut records = Records::new(endless);
        let (line, msg) = records.next().unwrap().unwrap_err();
        assert_eq!(line, 1);
        assert!(msg.contains("longer than 1 MiB"), "{msg}");
        assert!(records.next().is_none());
        // So does an endless array element.
        let endless = std::io::Read::chain(&b"[\n{\"a\":\""[..], std::io::repeat(b'x'));
        let mut records = Records::new(std::io::BufReader::new(endless));
        assert_eq!(records.next().unwrap().unwrap_err().0, 2);
    }

    /// Import texts from pieces that JSON arrays and lines are made of, and any text:
    /// reading never panics, and an error's line is a line of the text.
    mod properties {
        use super::records;
        use proptest::prelude::*;

        fn piece() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "[",
                "]",
                ",",
                "{}",
                "{\"id\":\"a\"}",
                "\"é\"",
                " ",
                "\n",
                "\r\n",
                "1",
                "null",
                "\"",
                "\\",
                "ü",
                "{",
                "}",
                ":",
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn records_never_panic_and_name_a_real_line(parts in prop::collection::vec(piece(), 0..40)) {
                let text: String = parts.concat();
                if let Err((line, _)) = records(&text) {
                    prop_assert!(line >= 1 && line <= text.split('\n').count(), "line {} of {:?}", line, text);
                }
            }

            #[test]
            fn any_text_is_read_or_refused(text in "\\PC{0,200}") {
                let _ = records(&text);
            }
        }
    }
}
