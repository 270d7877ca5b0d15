//! The few edits the proxy makes to moto's XML responses: find an element's
//! text, list the `<item>`s of a result set, drop some, rewrite a peering's
//! status. moto's responses are plain elements (no CDATA, no comments, no
//! attributes on the elements touched), so a tag scanner with a depth count
//! does it; a full XML parser would add a dependency for these three edits.

use std::ops::Range;

/// One tag: its byte range and its name, and whether it opens, closes or is empty.
struct Tag<'a> {
    range: Range<usize>,
    name: &'a str,
    closing: bool,
    empty: bool,
}

fn tags(xml: &str) -> impl Iterator<Item = Tag<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let start = at + xml[at..].find('<')?;
        let end = start + xml[start..].find('>')? + 1;
        at = end;
        let inner = &xml[start + 1..end - 1];
        if inner.starts_with('?') || inner.starts_with('!') {
            continue;
        }
        let closing = inner.starts_with('/');
        let empty = inner.ends_with('/');
        let name = inner
            .trim_start_matches('/')
            .trim_end_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        return Some(Tag {
            range: start..end,
            name,
            closing,
            empty,
        });
    })
}

/// The text of the first `<name>` element, anywhere.
pub fn element_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find('<')?;
    Some(&xml[start..end])
}

/// The text of `<name>` directly inside `item` (an `<item>...</item>`), not
/// inside its nested elements (a security group's rules name other groups).
pub fn child_text<'a>(item: &'a str, name: &str) -> Option<&'a str> {
    let mut depth = 0usize;
    for tag in tags(item) {
        if tag.closing {
            depth = depth.saturating_sub(1);
        } else if !tag.empty {
            depth += 1;
            if depth == 2 && tag.name == name {
                let rest = &item[tag.range.end..];
                return Some(&rest[..rest.find('<')?]);
            }
        }
    }
    None
}

/// The byte ranges of the `<item>` elements directly inside the first
/// `<set>` element.
pub fn set_items(xml: &str, set: &str) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let mut inside_set = false;
    let mut depth = 0usize;
    let mut item_start = None;
    for tag in tags(xml) {
        if !inside_set {
            if tag.name == set && !tag.closing && !tag.empty {
                inside_set = true;
            }
            continue;
        }
        if tag.closing {
            if depth == 0 {
                break; // the set's own closing tag
            }
            depth -= 1;
            if depth == 0 && tag.name == "item" {
                if let Some(start) = item_start.take() {
                    items.push(start..tag.range.end);
                }
            }
        } else if !tag.empty {
            if depth == 0 && tag.name == "item" {
                item_start = Some(tag.range.start);
            }
            depth += 1;
        }
    }
    items
}

/// `xml` with each item of `set` replaced by `edit(item)`: `None` drops it.
pub fn edit_items(xml: &str, set: &str, mut edit: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut copied = 0;
    for range in set_items(xml, set) {
        out.push_str(&xml[copied..range.start]);
        if let Some(kept) = edit(&xml[range.clone()]) {
            out.push_str(&kept);
        }
        copied = range.end;
    }
    out.push_str(&xml[copied..]);
    out
}

/// A peering item with its `<status>` code `from` changed to `to` (and the
/// message to `message`); `None` if its code is not `from`.
pub fn rewrite_status(item: &str, from: &str, to: &str, message: &str) -> Option<String> {
    let status_start = item.find("<status>")?;
    let status_end = status_start + item[status_start..].find("</status>")?;
    let status = &item[status_start..status_end];
    if element_text(status, "code") != Some(from) {
        return None;
    }
    let new_status = format!("<status><code>{to}</code><message>{message}</message>");
    Some(format!(
        "{}{new_status}{}",
        &item[..status_start],
        &item[status_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIBE: &str = "<?xml version=\"1.0\"?><R><requestId>r</requestId>\
        <securityGroupInfo><item><ipPermissions><item><groups><item><groupId>sg-b</groupId>\
        </item></groups></item></ipPermissions><groupId>sg-a</groupId><tagSet/></item>\
        <item><groupId>sg-b</groupId></item></securityGroupInfo></R>";

    #[test]
    fn items_are_the_direct_children_of_the_set() {
        let items = set_items(DESCRIBE, "securityGroupInfo");
        assert_eq!(items.len(), 2);
        assert_eq!(
            child_text(&DESCRIBE[items[0].clone()], "groupId"),
            Some("sg-a")
        );
        assert_eq!(
            child_text(&DESCRIBE[items[1].clone()], "groupId"),
            Some("sg-b")
        );
    }

    #[test]
    fn dropping_an_item_keeps_the_rest() {
        let edited = edit_items(DESCRIBE, "securityGroupInfo", |item| {
            (child_text(item, "groupId") != Some("sg-b")).then(|| item.to_string())
        });
        assert!(edited.contains("<groupId>sg-a</groupId>"));
        assert_eq!(set_items(&edited, "securityGroupInfo").len(), 1);
        assert!(edited.ends_with("</securityGroupInfo></R>"));
    }

    #[test]
    fn a_status_is_rewritten_only_from_the_expected_code() {
        let item = "<item><status><code>active</code><message>Active</message></status></item>";
        let rewritten = rewrite_status(item, "active", "provisioning", "Provisioning").unwrap();
        assert_eq!(
            rewritten,
            "<item><status><code>provisioning</code><message>Provisioning</message></status></item>"
        );
        assert_eq!(rewrite_status(item, "pending-acceptance", "x", "y"), None);
    }
}
