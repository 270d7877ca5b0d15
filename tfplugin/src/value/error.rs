//! The one error type of the value layer: a message and where it happened.

/// A value did not fit its type, or bytes did not decode. `path` holds readable
/// steps from the root, e.g. `[".hosts", "[\"a\"]", "[0]"]`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(.path, .message))]
pub struct ValueError {
    pub path: Vec<String>,
    pub message: String,
}

fn render(path: &[String], message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{}: {}", path.concat(), message)
    }
}

impl ValueError {
    pub fn new(message: impl Into<String>) -> Self {
        ValueError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// The path as one string, e.g. `.hosts["a"]`.
    pub fn path_string(&self) -> String {
        self.path.concat()
    }

    /// Records that the error happened inside `step`. Errors bubble up from the
    /// leaf, so each enclosing level prepends its own step.
    pub(crate) fn within(mut self, step: String) -> Self {
        self.path.insert(0, step);
        self
    }
}

/// `.name`: an object attribute.
pub(crate) fn attr_step(name: &str) -> String {
    format!(".{name}")
}

/// `["key"]`: a map key, quoted the way JSON quotes strings.
pub(crate) fn key_step(key: &str) -> String {
    let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
    format!("[{quoted}]")
}

/// `[0]`: a list, set or tuple element.
pub(crate) fn index_step(index: usize) -> String {
    format!("[{index}]")
}

impl serde::de::Error for ValueError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ValueError::new(msg.to_string())
    }
}
