//! Our [`Value`](crate::property::Value) as a D-Bus variant for rustbus.
//!
//! The only place that names rustbus's marshalling types.

use rustbus::wire::marshal::MarshalContext;
use rustbus::wire::marshal::traits::{Marshal, Signature, SignatureBuffer};

use crate::property::{Property, Value};

/// A property value marshalled as `v`.
#[derive(Debug)]
pub(crate) struct VariantOf<'a>(pub &'a Value);

impl Signature for VariantOf<'_> {
    fn signature() -> rustbus::signature::Type {
        rustbus::signature::Type::Container(rustbus::signature::Container::Variant)
    }
    fn alignment() -> usize {
        1
    }
    fn sig_str(s_buf: &mut SignatureBuffer) {
        s_buf.push_static("v");
    }
    fn has_sig(sig: &str) -> bool {
        sig.starts_with('v')
    }
}

impl Marshal for VariantOf<'_> {
    fn marshal(
        &self,
        ctx: &mut MarshalContext<'_, '_>,
    ) -> Result<(), rustbus::wire::errors::MarshalError> {
        match self.0 {
            Value::Bool(v) => v.marshal_as_variant(ctx),
            Value::Str(v) => v.marshal_as_variant(ctx),
            Value::StrList(v) => v.marshal_as_variant(ctx),
            Value::U64(v) => v.marshal_as_variant(ctx),
            Value::U32List(v) => v.marshal_as_variant(ctx),
            Value::Bytes(v) => v.marshal_as_variant(ctx),
            Value::PairList(v) => v.marshal_as_variant(ctx),
        }
    }
}

/// Properties as `a(sv)`.
pub(crate) fn props(list: &[Property]) -> Vec<(&str, VariantOf<'_>)> {
    list.iter()
        .map(|p| (p.name.as_str(), VariantOf(&p.value)))
        .collect()
}
