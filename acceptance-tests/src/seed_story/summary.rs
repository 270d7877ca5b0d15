//! The story for people: a chapter as text (its matrix from the data
//! source's `report`, the causes, the diagnosis) and a closing summary line.

use std::fmt::Write as _;

use super::observation::Observation;
use super::story::Chapter;

/// A chapter as text: title, story, the report's matrix, the diagnosis.
pub fn render(chapter: &Chapter) -> String {
    let o = &chapter.observation;
    let mut text = String::new();
    let rule = "=".repeat(78);
    let _ = writeln!(
        text,
        "{rule}\n{}. {}\n{rule}",
        chapter.number, chapter.title
    );
    let _ = writeln!(text, "{}\n", wrap(&chapter.story, 78));
    let _ = writeln!(text, "{}", o.report.trim_end());
    let _ = writeln!(text, "\nall_as_expected = {}", o.all_as_expected);
    let _ = write!(text, "{}", causes(o));
    let _ = write!(text, "diagnosis:\n{}", o.diagnosis_text());
    let _ = writeln!(text, "({:.1} s)", chapter.elapsed.as_secs_f64());
    text
}

/// Each distinct `cause` once, with the pairs it explains.
fn causes(o: &Observation) -> String {
    let mut by_cause: Vec<(&str, Vec<String>)> = Vec::new();
    for r in o.pairs() {
        let Some(cause) = r.cause.as_deref() else {
            continue;
        };
        let pair = format!("{}->{}", r.from, r.to);
        match by_cause.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, pairs)) => pairs.push(pair),
            None => by_cause.push((cause, vec![pair])),
        }
    }
    let mut text = String::new();
    if !by_cause.is_empty() {
        text.push_str("causes:\n");
    }
    for (cause, pairs) in by_cause {
        let _ = writeln!(text, "  {}: {cause}", pairs.join(", "));
    }
    text
}

/// One line for a closing summary: how many pairs answered, whether all was
/// as expected, how many sentences the diagnosis had.
pub fn summary_line(chapter: &Chapter) -> String {
    let o = &chapter.observation;
    let answered = o.reachable_pairs().len();
    let total = o.pairs().count();
    format!(
        "{}. {:<34} {answered:>2}/{total} pairs answer, all_as_expected = {:<5}, diagnosis: {} sentence(s)",
        chapter.number,
        chapter.title,
        o.all_as_expected,
        o.diagnosis.len()
    )
}

/// Breaks `text` into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("a line");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}
