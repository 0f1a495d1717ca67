//! The subset of `onnx.proto` that the native evaluators read ([`crate::native`]): field numbers are ONNX's,
//! everything else is skipped when decoding.

/// A model file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
}

/// The computation: nodes in topological order, constant tensors, the graph's inputs and outputs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    #[prost(string, tag = "1")]
    pub name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    #[prost(string, tag = "4")]
    pub op_type: String,
    #[prost(string, tag = "7")]
    pub domain: String,
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(float, optional, tag = "2")]
    pub f: Option<f32>,
    #[prost(int64, optional, tag = "3")]
    pub i: Option<i64>,
    #[prost(bytes = "vec", tag = "4")]
    pub s: Vec<u8>,
    #[prost(float, repeated, tag = "7")]
    pub floats: Vec<f32>,
    #[prost(int64, repeated, tag = "8")]
    pub ints: Vec<i64>,
    #[prost(bytes = "vec", repeated, tag = "9")]
    pub strings: Vec<Vec<u8>>,
}

/// A constant tensor. Its values are in `float_data` or, little-endian, in `raw_data` (numpy's export).
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    pub dims: Vec<i64>,
    #[prost(int32, tag = "2")]
    pub data_type: i32,
    #[prost(float, repeated, tag = "4")]
    pub float_data: Vec<f32>,
    #[prost(string, tag = "8")]
    pub name: String,
    #[prost(bytes = "vec", tag = "9")]
    pub raw_data: Vec<u8>,
}

/// `TensorProto.DataType.FLOAT`.
pub const FLOAT: i32 = 1;

impl TensorProto {
    /// The values of a float tensor, `None` for any other element type or a size that does not match `dims`.
    pub fn floats(&self) -> Option<Vec<f32>> {
        if self.data_type != FLOAT {
            return None;
        }
        let len = self
            .dims
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(usize::try_from(d).ok()?))?;
        let values: Vec<f32> = if self.raw_data.is_empty() {
            self.float_data.clone()
        } else if self.raw_data.len() == len.checked_mul(4)? {
            self.raw_data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        } else {
            return None;
        };
        (values.len() == len).then_some(values)
    }
}

impl GraphProto {
    /// The initializer called `name`.
    pub fn initializer(&self, name: &str) -> Option<&TensorProto> {
        self.initializer.iter().find(|t| t.name == name)
    }
}

/// Builders of the messages above for the native evaluators' tests.
#[cfg(test)]
pub(crate) mod build {
    use prost::Message;

    use super::*;

    pub fn ints(name: &str, v: &[i64]) -> AttributeProto {
        AttributeProto {
            name: name.to_owned(),
            ints: v.to_vec(),
            ..Default::default()
        }
    }

    pub fn floats(name: &str, v: &[f32]) -> AttributeProto {
        AttributeProto {
            name: name.to_owned(),
            floats: v.to_vec(),
            ..Default::default()
        }
    }

    pub fn strings(name: &str, v: &[&str]) -> AttributeProto {
        AttributeProto {
            name: name.to_owned(),
            strings: v.iter().map(|s| s.as_bytes().to_vec()).collect(),
            ..Default::default()
        }
    }

    pub fn text(name: &str, v: &str) -> AttributeProto {
        AttributeProto {
            name: name.to_owned(),
            s: v.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    /// A `TreeEnsembleClassifier` on `features` whose probabilities are `probabilities`.
    pub fn trees(attribute: Vec<AttributeProto>) -> NodeProto {
        NodeProto {
            input: vec!["features".to_owned()],
            output: vec!["label".to_owned(), "probabilities".to_owned()],
            op_type: "TreeEnsembleClassifier".to_owned(),
            domain: "ai.onnx.ml".to_owned(),
            attribute,
        }
    }

    /// A model file of `node` from the input `features` to the output `score`.
    pub fn model(node: Vec<NodeProto>, initializer: Vec<TensorProto>) -> Vec<u8> {
        let named = |name: &str| ValueInfoProto {
            name: name.to_owned(),
        };
        ModelProto {
            graph: Some(GraphProto {
                node,
                initializer,
                input: vec![named("features")],
                output: vec![named("score")],
            }),
        }
        .encode_to_vec()
    }
}
