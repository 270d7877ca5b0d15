//! The one error type of the value layer: a message and where it happened.

use crate::diag::{AttributePath, Diagnostic, PathStep};

/// A value did not fit its type, or bytes did not decode. `path` leads from the value
/// that was decoded to where the problem is; for a whole configuration, state or plan
/// that is the attribute path Terraform shows next to a diagnostic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(.path, .message))]
pub struct ValueError {
    pub path: AttributePath,
    pub message: String,
}

fn render(path: &AttributePath, message: &str) -> String {
    if path.0.is_empty() {
        message.to_owned()
    } else {
        format!("{path}: {message}")
    }
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        ValueError {
            path: AttributePath::default(),
            message: message.into(),
        }
    }

    /// Records that the decoded value itself sat at `prefix` (e.g. a nested attribute
    /// decoded on its own), so the path leads from the root again.
    pub fn under(mut self, prefix: &AttributePath) -> Self {
        self.path.0.splice(0..0, prefix.0.iter().cloned());
        self
    }

    /// An error diagnostic pointing at the attribute the error names (none when the
    /// error is about the value as a whole).
    pub fn diagnostic(&self, summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        let diagnostic = Diagnostic::error(summary, detail);
        if self.path.0.is_empty() {
            diagnostic
        } else {
            diagnostic.at(self.path.clone())
        }
    }

    /// Records that the error happened inside `step`. Errors bubble up from the
    /// leaf, so each enclosing level prepends its own step.
    pub(crate) fn within(mut self, step: PathStep) -> Self {
        self.path.0.insert(0, step);
        self
    }
}

/// An object attribute.
pub(crate) fn attr_step(name: &str) -> PathStep {
    PathStep::Attr(name.to_owned())
}

/// A map key.
pub(crate) fn key_step(key: &str) -> PathStep {
    PathStep::Key(key.to_owned())
}

/// A list, set or tuple element. Protocol paths count elements in i64; no collection
/// comes near that.
pub(crate) fn index_step(index: usize) -> PathStep {
    PathStep::Index(i64::try_from(index).unwrap_or(i64::MAX))
}

impl serde::de::Error for ValueError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ValueError::new(msg.to_string())
    }
}
