//! What is wrong with a mesh, said in the mesh's own terms: a summary, a detail that
//! names the fix, and the path of the offending attribute (`vpcs["a"].cidr_block`). The
//! resource turns these into Terraform diagnostics; the mesh engine knows no Terraform.
//! Names in messages are quoted with [`quote`], never with Rust's `Debug`.

use std::fmt;

/// One step of a [`Path`]: an attribute, a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    Key(String),
    Index(usize),
}

/// Where in the mesh's configuration a problem is, e.g. `vpcs["a"].subnets["b"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path(pub Vec<Step>);

impl Path {
    pub fn root(attr: impl Into<String>) -> Self {
        Path(vec![Step::Attr(attr.into())])
    }

    pub fn attr(mut self, attr: impl Into<String>) -> Self {
        self.0.push(Step::Attr(attr.into()));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(Step::Key(key.into()));
        self
    }

    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Step::Index(index));
        self
    }
}

/// The path as Terraform writes an expression: `vpcs["a"].subnets["b"]`, `connections[0]`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{}]", quote(k))?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One problem of a mesh; every problem is an error (the mesh cannot be applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: Path,
    pub summary: String,
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.summary, self.detail)
    }
}

/// Every problem found, in the order found: validation does not stop at the first, so
/// the user sees all of them at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, path: Path, summary: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Problem {
            path,
            summary: summary.into(),
            detail: detail.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// One problem a line (test failures and logs show them this way).
impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// A name or value as the user wrote it, in double quotes the way HCL writes a string:
/// `"shared"`. Quotes, backslashes and control characters are escaped as HCL escapes
/// them, so the text stays one readable line whatever the name holds.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Names each [`quote`]d and joined with `separator`: `"a", "b"` or `"a" and "b"`.
pub fn quote_all<S: AsRef<str>>(names: impl IntoIterator<Item = S>, separator: &str) -> String {
    names
        .into_iter()
        .map(|n| quote(n.as_ref()))
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_like_hcl_strings() {
        assert_eq!(quote("shared"), r#""shared""#);
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("two\nlines\t\u{7}"), r#""two\nlines\t\u0007""#);
        assert_eq!(quote("zürich"), "\"zürich\"");
        assert_eq!(quote_all(["a", "b"], " and "), r#""a" and "b""#);
        assert_eq!(quote_all(Vec::<String>::new(), ", "), "");
    }

    #[test]
    fn paths_render_like_terraform_expressions() {
        let p = Path::root("vpcs").key("a").attr("subnets").key("b");
        assert_eq!(p.to_string(), r#"vpcs["a"].subnets["b"]"#);
        assert_eq!(
            Path::root("connections").index(2).to_string(),
            "connections[2]"
        );
    }

    #[test]
    fn problems_keep_their_order_and_show_one_a_line() {
        let mut problems = Problems::new();
        problems.push(Path::root("name"), "Invalid mesh name", "rename it");
        problems.push(Path::root("vpcs"), "Too few VPCs", "add one");
        assert_eq!(problems.len(), 2);
        assert_eq!(
            problems.to_string(),
            "name: Invalid mesh name: rename it\nvpcs: Too few VPCs: add one\n"
        );
    }
}
