//! Reading cty msgpack, guided by the expected type.

use std::collections::BTreeMap;

use rmp::Marker;

use super::{REFINED_UNKNOWN_EXT, UNKNOWN_EXT};
use crate::value::error::{attr_step, index_step, key_step};
use crate::value::{Number, Type, Value, ValueError};

/// Elements reserved up front for an array, at most.
const MAX_RESERVED_ITEMS: usize = 1024;

pub(super) fn decode(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut reader = Reader { bytes, pos: 0 };
    let value = reader.value(ty)?;
    if reader.pos != bytes.len() {
        return Err(ValueError::new(format!(
            "{} trailing bytes after the value",
            bytes.len() - reader.pos
        )));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| ValueError::new("msgpack data ends too early"))?;
        let taken = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(taken)
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], ValueError> {
        let mut buf = [0; N];
        buf.copy_from_slice(self.take(N)?);
        Ok(buf)
    }

    fn peek_marker(&self) -> Result<Marker, ValueError> {
        let byte = self.bytes.get(self.pos);
        let byte = byte.ok_or_else(|| ValueError::new("msgpack data ends too early"))?;
        Ok(Marker::from_u8(*byte))
    }

    fn marker(&mut self) -> Result<Marker, ValueError> {
        let marker = self.peek_marker()?;
        self.pos += 1;
        Ok(marker)
    }

    fn value(&mut self, ty: &Type) -> Result<Value, ValueError> {
        match self.peek_marker()? {
            Marker::Null => {
                self.pos += 1;
                return Ok(Value::Null);
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => return self.unknown(),
            _ => {}
        }
        match ty {
            Type::Bool => match self.marker()? {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                other => Err(unexpected(ty, other)),
            },
            Type::Number => self.number().map(Value::Number),
            Type::String => self.string(ty).map(Value::String),
            Type::List(element) => {
                let len = self.array_len(ty)?;
                Ok(Value::List(self.items(len, |_| element)?))
            }
            Type::Set(element) => {
                let len = self.array_len(ty)?;
                Ok(Value::Set(self.items(len, |_| element)?))
            }
            Type::Tuple(elements) => {
                let len = self.array_len(ty)?;
                if len != elements.len() {
                    return Err(ValueError::new(format!(
                        "tuple type has {} elements, value has {len}",
                        elements.len(),
                    )));
                }
                Ok(Value::Tuple(self.items(len, |i| &elements[i])?))
            }
            Type::Map(element) => {
                let mut entries = BTreeMap::new();
                for _ in 0..self.map_len(ty)? {
                    let key = self.string(&Type::String)?;
                    let item = self.value(element).map_err(|e| e.within(key_step(&key)))?;
                    entries.insert(key, item);
                }
                Ok(Value::Map(entries))
            }
            Type::Object(object) => {
                let mut entries = BTreeMap::new();
                for _ in 0..self.map_len(ty)? {
                    let name = self.string(&Type::String)?;
                    let Some(attr_ty) = object.attrs.get(&name) else {
                        return Err(
                            ValueError::new("unsupported attribute").within(attr_step(&name))
                        );
                    };
                    let item = self
                        .value(attr_ty)
                        .map_err(|e| e.within(attr_step(&name)))?;
                    entries.insert(name, item);
                }
                for name in object.attrs.keys() {
                    entries.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(entries))
            }
            Type::Dynamic => self.dynamic(),
        }
    }

    /// `[type JSON, value]`, the form of a known value whose type is `dynamic`.
    fn dynamic(&mut self) -> Result<Value, ValueError> {
        if self.array_len(&Type::Dynamic)? != 2 {
            return Err(ValueError::new(
                "a dynamic value must be a 2-element array [type, value]",
            ));
        }
        let type_json = match self.marker()? {
            Marker::Bin8 | Marker::Str8 => self.be::<1>()?[0] as usize,
            Marker::Bin16 | Marker::Str16 => u16::from_be_bytes(self.be()?) as usize,
            Marker::Bin32 | Marker::Str32 => u32::from_be_bytes(self.be()?) as usize,
            Marker::FixStr(len) => len as usize,
            _ => return Err(ValueError::new("the type of a dynamic value must be bytes")),
        };
        let concrete = Type::from_json(self.take(type_json)?)?;
        let inner = self.value(&concrete)?;
        Ok(Value::Dynamic(concrete, Box::new(inner)))
    }

    /// Any extension of type 0 or 12, whatever its payload: cty's unknown and
    /// refined unknown. The refinements are skipped.
    fn unknown(&mut self) -> Result<Value, ValueError> {
        let len = match self.marker()? {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.be::<1>()?[0] as usize,
            Marker::Ext16 => u16::from_be_bytes(self.be()?) as usize,
            _ => u32::from_be_bytes(self.be()?) as usize,
        };
        let ext_type = self.be::<1>()?[0] as i8;
        self.take(len)?;
        match ext_type {
            UNKNOWN_EXT | REFINED_UNKNOWN_EXT => Ok(Value::Unknown),
            other => Err(ValueError::new(format!(
                "unsupported msgpack extension type {other}"
            ))),
        }
    }

    fn number(&mut self) -> Result<Number, ValueError> {
        let marker = self.marker()?;
        let number = match marker {
            Marker::FixPos(n) => Number::Int(n.into()),
            Marker::FixNeg(n) => Number::Int(n.into()),
            Marker::U8 => Number::Int(self.be::<1>()?[0].into()),
            Marker::U16 => Number::Int(u16::from_be_bytes(self.be()?).into()),
            Marker::U32 => Number::Int(u32::from_be_bytes(self.be()?).into()),
            Marker::U64 => Number::from(u64::from_be_bytes(self.be()?)),
            Marker::I8 => Number::Int(i8::from_be_bytes(self.be()?).into()),
            Marker::I16 => Number::Int(i16::from_be_bytes(self.be()?).into()),
            Marker::I32 => Number::Int(i32::from_be_bytes(self.be()?).into()),
            Marker::I64 => Number::Int(i64::from_be_bytes(self.be()?)),
            Marker::F32 => float(f32::from_be_bytes(self.be()?).into())?,
            Marker::F64 => float(f64::from_be_bytes(self.be()?))?,
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                self.pos -= 1;
                Number::from_decimal(&self.string(&Type::Number)?)?
            }
            other => return Err(unexpected(&Type::Number, other)),
        };
        Ok(number)
    }

    fn string(&mut self, ty: &Type) -> Result<String, ValueError> {
        let len = match self.marker()? {
            Marker::FixStr(len) => len as usize,
            Marker::Str8 => self.be::<1>()?[0] as usize,
            Marker::Str16 => u16::from_be_bytes(self.be()?) as usize,
            Marker::Str32 => u32::from_be_bytes(self.be()?) as usize,
            other => return Err(unexpected(ty, other)),
        };
        let bytes = self.take(len)?;
        let text =
            std::str::from_utf8(bytes).map_err(|_| ValueError::new("string is not valid UTF-8"))?;
        Ok(text.to_owned())
    }

    /// `len` array elements, each decoded as the type `element_type(i)` gives.
    fn items<'t>(
        &mut self,
        len: usize,
        element_type: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, ValueError> {
        // The length is untrusted: never reserve more than the remaining bytes could hold
        // (an element takes at least one byte), nor more than a fixed batch, so nested
        // headers each claiming 2^32-1 elements cannot multiply the reservation. Longer
        // lists grow as their elements actually arrive.
        let mut items =
            Vec::with_capacity(len.min(self.bytes.len() - self.pos).min(MAX_RESERVED_ITEMS));
        for i in 0..len {
            let item = self
                .value(element_type(i))
                .map_err(|e| e.within(index_step(i)))?;
            items.push(item);
        }
        Ok(items)
    }

    fn array_len(&mut self, ty: &Type) -> Result<usize, ValueError> {
        match self.marker()? {
            Marker::FixArray(len) => Ok(len as usize),
            Marker::Array16 => Ok(u16::from_be_bytes(self.be()?) as usize),
            Marker::Array32 => Ok(u32::from_be_bytes(self.be()?) as usize),
            other => Err(unexpected(ty, other)),
        }
    }

    fn map_len(&mut self, ty: &Type) -> Result<usize, ValueError> {
        match self.marker()? {
            Marker::FixMap(len) => Ok(len as usize),
            Marker::Map16 => Ok(u16::from_be_bytes(self.be()?) as usize),
            Marker::Map32 => Ok(u32::from_be_bytes(self.be()?) as usize),
            other => Err(unexpected(ty, other)),
        }
    }
}

fn float(f: f64) -> Result<Number, ValueError> {
    if f.is_nan() {
        return Err(ValueError::new("NaN is not a number"));
    }
    Ok(Number::Float(f))
}

fn unexpected(ty: &Type, marker: Marker) -> ValueError {
    ValueError::new(format!("expected {ty}, got msgpack {}", name(marker)))
}

/// What a msgpack marker introduces, for error messages.
fn name(marker: Marker) -> &'static str {
    match marker {
        Marker::True | Marker::False => "bool",
        Marker::FixPos(_) | Marker::FixNeg(_) => "integer",
        Marker::U8 | Marker::U16 | Marker::U32 | Marker::U64 => "integer",
        Marker::I8 | Marker::I16 | Marker::I32 | Marker::I64 => "integer",
        Marker::F32 | Marker::F64 => "float",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "map",
        Marker::Null => "nil",
        Marker::Reserved => "reserved byte 0xc1",
        _ => "extension",
    }
}
