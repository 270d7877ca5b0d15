//! cty's msgpack form: what `DynamicValue.msgpack` holds on the wire.
//!
//! Objects are maps with every attribute of the type present (Null as nil); lists,
//! sets and tuples are arrays; numbers are ints when integral and within i64,
//! float64 otherwise, decimal strings when neither fits; Unknown is extension type
//! 0 (refined unknowns, extension type 12, decode as Unknown too); a known value of
//! type `dynamic` is `[type JSON bytes, value]`.

use rmp::encode as enc;

use super::error::{attr_step, index_step, key_step};
use super::number::f64_to_i64;
use super::shape::{dynamic_parts, mismatch, object_attrs, under_static};
use super::{Number, Type, Value, ValueError};

mod decode;

/// cty's extension type for an unknown value.
pub(crate) const UNKNOWN_EXT: i8 = 0;
/// cty's extension type for an unknown value with refinements.
pub(crate) const REFINED_UNKNOWN_EXT: i8 = 12;

/// Encodes `v` as a value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    write_value(&mut out, v, ty)?;
    Ok(out)
}

/// Decodes msgpack bytes holding a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    decode::decode(bytes, ty)
}

fn write_value(out: &mut Vec<u8>, v: &Value, ty: &Type) -> Result<(), ValueError> {
    match v {
        Value::Unknown => {
            // cty's own form: fixext1, type 0, one zero byte.
            enc::write_ext_meta(out, 1, UNKNOWN_EXT).map_err(write_failed)?;
            out.push(0);
            return Ok(());
        }
        Value::Null => return enc::write_nil(out).map_err(write_failed),
        _ => {}
    }
    if *ty == Type::Dynamic {
        let (concrete, inner) = dynamic_parts(v)?;
        enc::write_array_len(out, 2).map_err(write_failed)?;
        enc::write_bin(out, &concrete.to_json()).map_err(write_failed)?;
        return write_value(out, inner, &concrete);
    }
    match (ty, under_static(v, ty)?) {
        (_, inner @ (Value::Unknown | Value::Null)) => write_value(out, inner, ty),
        (Type::Bool, Value::Bool(b)) => enc::write_bool(out, *b).map_err(write_failed),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::String, Value::String(s)) => enc::write_str(out, s).map_err(write_failed),
        (
            Type::List(element) | Type::Set(element),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => {
            write_array_len(out, items.len())?;
            for (i, item) in items.iter().enumerate() {
                write_value(out, item, element).map_err(|e| e.within(index_step(i)))?;
            }
            Ok(())
        }
        (Type::Tuple(elements), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != elements.len() {
                return Err(ValueError::new(format!(
                    "tuple type has {} elements, value has {}",
                    elements.len(),
                    items.len()
                )));
            }
            write_array_len(out, items.len())?;
            for (i, (item, element)) in items.iter().zip(elements).enumerate() {
                write_value(out, item, element).map_err(|e| e.within(index_step(i)))?;
            }
            Ok(())
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => {
            write_map_len(out, entries.len())?;
            for (key, item) in entries {
                enc::write_str(out, key).map_err(write_failed)?;
                write_value(out, item, element).map_err(|e| e.within(key_step(key)))?;
            }
            Ok(())
        }
        (Type::Object(object), Value::Object(entries) | Value::Map(entries)) => {
            write_map_len(out, object.attrs.len())?;
            for (name, attr_ty, item) in object_attrs(object, entries)? {
                enc::write_str(out, name).map_err(write_failed)?;
                write_value(out, item, attr_ty).map_err(|e| e.within(attr_step(name)))?;
            }
            Ok(())
        }
        (ty, other) => Err(mismatch(ty, other)),
    }
}

fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<(), ValueError> {
    match n.normalized() {
        Number::Int(i) => enc::write_sint(out, i).map(drop).map_err(write_failed),
        Number::Float(f) if f.is_nan() => Err(ValueError::new("NaN is not a number")),
        Number::Float(f) => {
            debug_assert!(
                f64_to_i64(f).is_none(),
                "normalized floats are not integral i64s"
            );
            enc::write_f64(out, f).map_err(write_failed)
        }
        Number::Big(text) => enc::write_str(out, &text).map_err(write_failed),
    }
}

fn write_array_len(out: &mut Vec<u8>, len: usize) -> Result<(), ValueError> {
    let len = u32::try_from(len).map_err(|_| ValueError::new("collection too large"))?;
    enc::write_array_len(out, len)
        .map(drop)
        .map_err(write_failed)
}

fn write_map_len(out: &mut Vec<u8>, len: usize) -> Result<(), ValueError> {
    let len = u32::try_from(len).map_err(|_| ValueError::new("collection too large"))?;
    enc::write_map_len(out, len).map(drop).map_err(write_failed)
}

/// Writing into a Vec cannot fail, but rmp's signatures allow it.
fn write_failed(e: impl std::fmt::Display) -> ValueError {
    ValueError::new(format!("writing msgpack: {e}"))
}
