//! A small JSON reader that keeps number text as written.
//!
//! serde_json (without its `arbitrary_precision` feature) turns every number into
//! an i64, u64 or f64, which would lose cty numbers such as
//! `123456789012345678901234567890`. Strings are still unescaped by serde_json.

use crate::value::ValueError;

/// Parsed JSON with numbers left as text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order; later duplicates win when looked up via `get`.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// What a JSON node is, for error messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "boolean",
            Node::Number(_) => "number",
            Node::String(_) => "string",
            Node::Array(_) => "array",
            Node::Object(_) => "object",
        }
    }

    /// The same document as a serde_json value (numbers go through f64 or ints,
    /// which is fine for the places this is used: type JSON has no numbers).
    pub(crate) fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(*b),
            Node::Number(text) => serde_json::from_str(text).unwrap_or(Json::Null),
            Node::String(s) => Json::String(s.clone()),
            Node::Array(items) => Json::Array(items.iter().map(Node::to_serde).collect()),
            Node::Object(members) => Json::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// Deep enough for any Terraform state, shallow enough not to overflow the stack.
const MAX_DEPTH: usize = 256;

pub(crate) fn parse(bytes: &[u8]) -> Result<Node, ValueError> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| ValueError::new("JSON is not valid UTF-8"))?;
    let mut reader = Reader { text, pos: 0 };
    let node = reader.node(0)?;
    reader.skip_whitespace();
    if reader.pos != text.len() {
        return Err(reader.error("trailing characters after the JSON value"));
    }
    Ok(node)
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> ValueError {
        ValueError::new(format!("invalid JSON at byte {}: {what}", self.pos))
    }

    fn skip_whitespace(&mut self) {
        let rest = &self.text[self.pos..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        self.pos += rest.len() - trimmed.len();
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Consumes `expected` (after whitespace) or fails.
    fn expect(&mut self, expected: u8) -> Result<(), ValueError> {
        if self.peek() != Some(expected) {
            return Err(self.error(&format!("expected '{}'", expected as char)));
        }
        self.pos += 1;
        Ok(())
    }

    fn node(&mut self, depth: usize) -> Result<Node, ValueError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Node::String),
            Some(b'-' | b'0'..=b'9') => Ok(self.number()),
            Some(_) => {
                for (word, node) in [
                    ("null", Node::Null),
                    ("true", Node::Bool(true)),
                    ("false", Node::Bool(false)),
                ] {
                    if self.text[self.pos..].starts_with(word) {
                        self.pos += word.len();
                        return Ok(node);
                    }
                }
                Err(self.error("expected a JSON value"))
            }
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, ValueError> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node::Object(members));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.expect(b':')?;
            members.push((key, self.node(depth + 1)?));
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, ValueError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::Array(items));
        }
        loop {
            items.push(self.node(depth + 1)?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    /// A string starting at the current '"': finds its end, lets serde_json
    /// unescape it.
    fn string(&mut self) -> Result<String, ValueError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut at = start + 1;
        loop {
            match bytes.get(at) {
                Some(b'"') => break,
                Some(b'\\') => at += 2,
                Some(_) => at += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
        let raw = &self.text[start..=at];
        let unescaped: String =
            serde_json::from_str(raw).map_err(|e| self.error(&format!("bad string: {e}")))?;
        self.pos = at + 1;
        Ok(unescaped)
    }

    /// Number text, taken as written; whether it is a valid number is checked when
    /// it is converted (see `Number::from_decimal`).
    fn number(&mut self) -> Node {
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
            .unwrap_or(rest.len());
        self.pos += len;
        Node::Number(rest[..len].to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_number_text_and_unescapes_strings() {
        let node = parse(br#" {"n": 123456789012345678901234567890, "s": "a\"\u00e9\n", "l": [true, null, -1.5e3]} "#)
            .unwrap();
        assert_eq!(
            node,
            Node::Object(vec![
                (
                    "n".into(),
                    Node::Number("123456789012345678901234567890".into())
                ),
                ("s".into(), Node::String("a\"\u{e9}\n".into())),
                (
                    "l".into(),
                    Node::Array(vec![
                        Node::Bool(true),
                        Node::Null,
                        Node::Number("-1.5e3".into())
                    ])
                ),
            ])
        );
    }

    #[test]
    fn rejects_malformed_documents() {
        for bad in [
            &b"{"[..],
            b"[1,]",
            b"{\"a\" 1}",
            b"\"open",
            b"nul",
            b"1 2",
            b"{1: 2}",
            b"\"\\x\"",
        ] {
            assert!(
                parse(bad).is_err(),
                "{:?} accepted",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn depth_is_limited() {
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(parse(deep.as_bytes()).is_err());
        let fine = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(fine.as_bytes()).is_ok());
    }
}
