//! Schema model: attributes (with protocol-6 nested attributes), blocks, and the cty
//! type each implies. Descriptions are markdown.

use crate::value::Type;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttributeKind {
    Typed(Type),
    Nested(Nesting, Vec<Attribute>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl Schema {
    pub fn new(description: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Schema {
            version: 0,
            block: Block {
                attributes,
                description: description.into(),
                ..Block::default()
            },
        }
    }

    pub fn with_blocks(mut self, blocks: Vec<NestedBlock>) -> Self {
        self.block.blocks = blocks;
        self
    }

    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.attributes.iter().find(|a| a.name == name)
    }
}

impl NestedBlock {
    /// An optional block that may appear at most once (`timeouts { ... }`): null when
    /// absent. Terraform requires min_items = max_items for single nesting.
    pub fn optional_single(type_name: &str, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.to_string(),
            block,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        }
    }
}

impl Block {
    /// What Terraform would refuse in this block when loading the schema ("invalid
    /// schema ..., which is a bug in the provider"), as `path: problem` lines; empty
    /// when Terraform accepts it. Run it in a provider's unit tests.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_problems("", &mut out);
        out
    }

    fn collect_problems(&self, path: &str, out: &mut Vec<String>) {
        let mut names = std::collections::BTreeSet::new();
        for a in &self.attributes {
            let here = format!("{path}{}", a.name);
            if !names.insert(a.name.clone()) {
                out.push(format!("{here}: declared twice"));
            }
            attribute_problems(a, &here, out);
        }
        for b in &self.blocks {
            let here = format!("{path}{}", b.type_name);
            if !names.insert(b.type_name.clone()) {
                out.push(format!(
                    "{here}: name used by an attribute or block already"
                ));
            }
            if b.min_items < 0 || b.max_items < 0 {
                out.push(format!(
                    "{here}: MinItems and MaxItems must not be negative"
                ));
            }
            if b.nesting == Nesting::Single && (b.min_items != b.max_items || b.max_items > 1) {
                out.push(format!(
                    "{here}: MinItems and MaxItems must match and be 0 or 1 in single nesting"
                ));
            }
            if b.max_items != 0 && b.min_items > b.max_items {
                out.push(format!("{here}: MinItems greater than MaxItems"));
            }
            b.block.collect_problems(&format!("{here}."), out);
        }
    }
}

fn attribute_problems(a: &Attribute, here: &str, out: &mut Vec<String>) {
    let valid_name = !a.name.is_empty()
        && a.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !a.name.starts_with(|c: char| c.is_ascii_digit());
    if !valid_name {
        out.push(format!(
            "{here}: name must be lowercase letters, digits and _"
        ));
    }
    match (a.required, a.optional, a.computed) {
        (true, false, false) | (false, true, _) | (false, false, true) => {}
        _ => out.push(format!(
            "{here}: must be exactly one of required, optional, computed (or optional + computed)"
        )),
    }
    if let AttributeKind::Nested(_, inner) = &a.kind {
        for i in inner {
            attribute_problems(i, &format!("{here}.{}", i.name), out);
        }
    }
}

impl Block {
    /// The object type a value of this block has on the wire.
    pub fn value_type(&self) -> Type {
        let attrs = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()));
        let blocks = self.blocks.iter().map(|b| {
            let inner = b.block.value_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            (b.type_name.clone(), ty)
        });
        Type::object(attrs.chain(blocks))
    }
}

impl Attribute {
    fn base(name: &str, kind: AttributeKind) -> Self {
        Attribute {
            name: name.to_string(),
            kind,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
        }
    }

    /// An attribute of a plain cty type.
    pub fn typed(name: &str, ty: Type) -> Self {
        Self::base(name, AttributeKind::Typed(ty))
    }

    /// A protocol-6 nested attribute (objects of `attributes`, nested by `nesting`).
    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Self {
        Self::base(name, AttributeKind::Nested(nesting, attributes))
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Optional and computed: the provider fills in a default when config leaves it null.
    pub fn optional_computed(self) -> Self {
        self.optional().computed()
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Typed(t) => t.clone(),
            AttributeKind::Nested(nesting, attrs) => {
                let obj = Type::object(attrs.iter().map(|a| (a.name.clone(), a.value_type())));
                match nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_attributes_imply_collections_of_objects() {
        let s = Schema::new(
            "x",
            vec![
                Attribute::typed("name", Type::String).required(),
                Attribute::nested(
                    "items",
                    Nesting::List,
                    vec![Attribute::typed("id", Type::Number).computed()],
                )
                .computed(),
            ],
        );
        let expected = Type::object([
            ("name", Type::String),
            ("items", Type::list(Type::object([("id", Type::Number)]))),
        ]);
        assert_eq!(s.value_type(), expected);
        assert!(s.block.problems().is_empty());
    }

    #[test]
    fn problems_are_what_terraform_refuses() {
        let mut bad = NestedBlock::optional_single("timeouts", Block::default());
        bad.max_items = 1;
        let block = Block {
            attributes: vec![
                Attribute::typed("Name", Type::String).optional(),
                Attribute::typed("both", Type::String).required().computed(),
                Attribute::typed("neither", Type::String),
                Attribute::nested("n", Nesting::Map, vec![Attribute::typed("x", Type::String)])
                    .optional(),
            ],
            blocks: vec![
                bad,
                NestedBlock::optional_single("neither", Block::default()),
            ],
            ..Block::default()
        };
        assert_eq!(
            block.problems(),
            [
                "Name: name must be lowercase letters, digits and _",
                "both: must be exactly one of required, optional, computed (or optional + computed)",
                "neither: must be exactly one of required, optional, computed (or optional + computed)",
                "n.x: must be exactly one of required, optional, computed (or optional + computed)",
                "timeouts: MinItems and MaxItems must match and be 0 or 1 in single nesting",
                "neither: name used by an attribute or block already",
            ]
        );
        let good = NestedBlock::optional_single("timeouts", Block::default());
        assert!(Block {
            blocks: vec![good],
            ..Block::default()
        }
        .problems()
        .is_empty());
    }
}
