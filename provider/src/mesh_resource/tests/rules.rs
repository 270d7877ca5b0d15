//! The rules Terraform enforces on a provider's answers (protocol.md), as assertions:
//! a plan keeps every value the configuration sets, and an apply keeps every value the
//! plan knew. Checked on every plan and apply the tests make.

use tfplugin::schema::{Attribute, AttributeKind, Nesting};
use tfplugin::value::Value;

use crate::mesh_resource::schema::schema;

pub fn assert_valid_plan(config: &Value, _prior: &Value, planned: &Value) {
    let block = schema().block;
    let mut errors = Vec::new();
    // Attributes first; the blocks are checked below.
    let mut attributes_only = planned.clone();
    if let Value::Object(attrs) = &mut attributes_only {
        attrs.retain(|k, _| !block.blocks.iter().any(|b| &b.type_name == k));
    }
    check_object(&block.attributes, config, &attributes_only, "", &mut errors);
    for nested in &block.blocks {
        // The mesh's blocks (timeouts) hold only arguments: planned as written.
        let (cv, pv) = (
            config.get(&nested.type_name),
            planned.get(&nested.type_name),
        );
        if cv != pv {
            errors.push(format!(
                ".{}: planned {pv:?} does not match config value {cv:?}",
                nested.type_name
            ));
        }
    }
    assert!(
        errors.is_empty(),
        "Provider produced invalid plan:\n{}",
        errors.join("\n")
    );
}

fn check_object(
    attrs: &[Attribute],
    config: &Value,
    planned: &Value,
    at: &str,
    errors: &mut Vec<String>,
) {
    if let Some(extra) = planned
        .as_map()
        .and_then(|m| m.keys().find(|k| !attrs.iter().any(|a| &a.name == *k)))
    {
        errors.push(format!("{at}.{extra}: not an attribute of the schema"));
    }
    for a in attrs {
        let path = format!("{at}.{}", a.name);
        check_attribute(a, config.get(&a.name), planned.get(&a.name), &path, errors);
    }
}

fn check_attribute(a: &Attribute, cv: &Value, pv: &Value, path: &str, errors: &mut Vec<String>) {
    let from_config = !a.computed || !cv.is_null();
    if !from_config {
        return;
    }
    match &a.kind {
        AttributeKind::Typed(_) => {
            if cv != pv {
                errors.push(format!(
                    "{path}: planned {pv:?} does not match config value {cv:?}"
                ));
            }
        }
        AttributeKind::Nested(nesting, inner) => {
            if cv.is_null() || cv.is_unknown() {
                if cv != pv {
                    errors.push(format!(
                        "{path}: planned {pv:?} does not match config value {cv:?}"
                    ));
                }
                return;
            }
            match nesting {
                Nesting::Single => check_object(inner, cv, pv, path, errors),
                Nesting::Map => {
                    let (Some(c), Some(p)) = (cv.as_map(), pv.as_map()) else {
                        errors.push(format!("{path}: planned {pv:?} is not a map like config"));
                        return;
                    };
                    if c.keys().ne(p.keys()) {
                        errors.push(format!(
                            "{path}: planned keys {:?} differ from config keys {:?}",
                            p.keys().collect::<Vec<_>>(),
                            c.keys().collect::<Vec<_>>()
                        ));
                    }
                    for (k, cv) in c {
                        let pv = p.get(k).unwrap_or(&Value::Null);
                        if cv.is_unknown() {
                            if !pv.is_unknown() {
                                errors.push(format!(
                                    "{path}[{k}]: config is unknown, planned {pv:?}"
                                ));
                            }
                        } else {
                            check_object(inner, cv, pv, &format!("{path}[{k}]"), errors);
                        }
                    }
                }
                Nesting::List | Nesting::Set => {
                    unreachable!("the mesh schema has no list or set nested attributes")
                }
            }
        }
    }
}

/// Every known planned value equals the applied one.
pub fn assert_consistent_apply(planned: &Value, applied: &Value) {
    let mut errors = Vec::new();
    compatible(planned, applied, "", &mut errors);
    assert!(
        errors.is_empty(),
        "Provider produced inconsistent result after apply:\n{}",
        errors.join("\n")
    );
}

fn compatible(planned: &Value, applied: &Value, path: &str, errors: &mut Vec<String>) {
    match (planned, applied) {
        (Value::Unknown, _) => {}
        (Value::Object(p), Value::Object(a)) | (Value::Map(p), Value::Map(a)) => {
            if matches!(planned, Value::Map(_)) && p.keys().ne(a.keys()) {
                errors.push(format!(
                    "{path}: planned keys {:?}, applied {:?}",
                    p.keys().collect::<Vec<_>>(),
                    a.keys().collect::<Vec<_>>()
                ));
                return;
            }
            for (k, pv) in p {
                compatible(
                    pv,
                    a.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                    errors,
                );
            }
        }
        (Value::List(p), Value::List(a)) if p.len() == a.len() => {
            for (i, (pv, av)) in p.iter().zip(a).enumerate() {
                compatible(pv, av, &format!("{path}[{i}]"), errors);
            }
        }
        (p, a) if p == a => {}
        (p, a) => errors.push(format!("{path}: was {p:?}, but now {a:?}")),
    }
}

/// Values the plan leaves unknown, by path (for asserting exactly what changes).
pub fn unknown_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_unknown(v, String::new(), &mut out);
    out
}

fn collect_unknown(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Unknown => out.push(path),
        Value::Object(m) | Value::Map(m) => {
            for (k, x) in m {
                let sep = if path.is_empty() { "" } else { "." };
                collect_unknown(x, format!("{path}{sep}{k}"), out);
            }
        }
        Value::List(items) => {
            for (i, x) in items.iter().enumerate() {
                collect_unknown(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}
