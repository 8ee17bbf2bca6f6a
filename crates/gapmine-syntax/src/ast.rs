//! The typed view: thin, `Copy` wrappers over syntax nodes that know their shape.
//!
//! Every accessor returns `Option` or an iterator, because the tree may come from a file with
//! syntax errors: a node can lack a name, a property its value. Slashdashed parts are present
//! in the view (the formatter and the language server need them) and say so through
//! `is_slashdashed`; the `active_*` accessors leave them out.

use std::borrow::Cow;

use crate::plain;
use crate::value;
use crate::{SyntaxKind, SyntaxNode, SyntaxToken, TextRange};

/// The root of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document<'a> {
    syntax: SyntaxNode<'a>,
}

impl<'a> Document<'a> {
    pub(crate) fn new(syntax: SyntaxNode<'a>) -> Document<'a> {
        Document { syntax }
    }

    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        self.syntax
    }

    /// Every top-level node, slashdashed ones included.
    pub fn nodes(self) -> impl Iterator<Item = Node<'a>> + 'a {
        nodes_of(self.syntax)
    }

    /// The top-level nodes that are not slashdashed.
    pub fn active_nodes(self) -> impl Iterator<Item = Node<'a>> + 'a {
        self.nodes().filter(|n| !n.is_slashdashed())
    }

    /// The plain document: what this means, without trivia. Parts that did not parse (a node
    /// without a name, an entry without a value) are left out.
    pub fn to_plain(self) -> plain::Document {
        plain::Document {
            nodes: self.active_nodes().filter_map(|n| n.to_plain()).collect(),
        }
    }
}

fn nodes_of<'a>(syntax: SyntaxNode<'a>) -> impl Iterator<Item = Node<'a>> + 'a {
    syntax
        .child_nodes()
        .filter(|n| n.kind() == SyntaxKind::Node)
        .map(|syntax| Node { syntax })
}

fn slashdash_of(syntax: SyntaxNode<'_>) -> Option<SyntaxToken<'_>> {
    syntax
        .child_tokens()
        .find(|t| !t.kind().is_trivia())
        .filter(|t| t.kind() == SyntaxKind::Slashdash)
}

/// A KDL node: `(type)name arg key=value { children }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Node<'a> {
    syntax: SyntaxNode<'a>,
}

impl<'a> Node<'a> {
    /// Wraps a syntax node of kind `Node`.
    pub fn cast(syntax: SyntaxNode<'a>) -> Option<Node<'a>> {
        (syntax.kind() == SyntaxKind::Node).then_some(Node { syntax })
    }

    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        self.syntax
    }

    /// The node's range.
    pub fn range(self) -> TextRange {
        self.syntax.range()
    }

    /// The `/-` in front of the node, if it is slashdashed.
    pub fn slashdash(self) -> Option<SyntaxToken<'a>> {
        slashdash_of(self.syntax)
    }

    /// Whether the node itself is slashdashed (commented out).
    pub fn is_slashdashed(self) -> bool {
        self.slashdash().is_some()
    }

    /// Whether the node or any node or children block around it is slashdashed.
    pub fn is_commented_out(self) -> bool {
        self.syntax.ancestors().any(|n| {
            matches!(n.kind(), SyntaxKind::Node | SyntaxKind::Children) && slashdash_of(n).is_some()
        })
    }

    /// The type annotation before the name, if any.
    pub fn ty(self) -> Option<TypeAnnotation<'a>> {
        self.syntax
            .child_of_kind(SyntaxKind::Type)
            .map(|syntax| TypeAnnotation { syntax })
    }

    /// The node's name.
    pub fn name(self) -> Option<StringToken<'a>> {
        self.syntax
            .child_tokens()
            .find(|t| t.kind().is_string())
            .map(|token| StringToken { token })
    }

    /// The node's name, decoded; `None` where it is missing.
    pub fn name_text(self) -> Option<Cow<'a, str>> {
        self.name().map(|n| n.value())
    }

    /// The arguments and properties, in order, slashdashed ones included.
    pub fn entries(self) -> impl Iterator<Item = Entry<'a>> + 'a {
        self.syntax.child_nodes().filter_map(Entry::cast)
    }

    /// The arguments and properties that are not slashdashed.
    pub fn active_entries(self) -> impl Iterator<Item = Entry<'a>> + 'a {
        self.entries().filter(|e| !e.is_slashdashed())
    }

    /// The arguments that are not slashdashed.
    pub fn arguments(self) -> impl Iterator<Item = Argument<'a>> + 'a {
        self.active_entries().filter_map(|e| match e {
            Entry::Argument(a) => Some(a),
            Entry::Property(_) => None,
        })
    }

    /// The properties that are not slashdashed.
    pub fn properties(self) -> impl Iterator<Item = Property<'a>> + 'a {
        self.active_entries().filter_map(|e| match e {
            Entry::Property(p) => Some(p),
            Entry::Argument(_) => None,
        })
    }

    /// The last property with this key that is not slashdashed (KDL: the rightmost wins).
    pub fn property(self, key: &str) -> Option<Property<'a>> {
        self.properties()
            .filter(|p| p.key().is_some_and(|k| k.value() == key))
            .last()
    }

    /// Every children block, slashdashed ones included.
    pub fn children_blocks(self) -> impl Iterator<Item = Children<'a>> + 'a {
        self.syntax
            .child_nodes()
            .filter(|n| n.kind() == SyntaxKind::Children)
            .map(|syntax| Children { syntax })
    }

    /// The children block that is not slashdashed, if any.
    pub fn children(self) -> Option<Children<'a>> {
        self.children_blocks().find(|c| !c.is_slashdashed())
    }

    /// The child nodes that are not slashdashed, of the active children block.
    pub fn child_nodes(self) -> impl Iterator<Item = Node<'a>> + 'a {
        self.children()
            .into_iter()
            .flat_map(|c| c.nodes().filter(|n| !n.is_slashdashed()))
    }

    /// The `;` that ends the node, if any.
    pub fn semicolon(self) -> Option<SyntaxToken<'a>> {
        self.syntax.token_of_kind(SyntaxKind::Semicolon)
    }

    /// The parent node, if this node is inside a children block.
    pub fn parent(self) -> Option<Node<'a>> {
        self.syntax.parent()?.parent().and_then(Node::cast)
    }

    /// This node as a plain node; `None` if it has no name.
    pub fn to_plain(self) -> Option<plain::Node> {
        let name = self.name()?.value().into_owned();
        let entries = self.active_entries().filter_map(|e| e.to_plain()).collect();
        let children = self.children().map(|c| {
            c.nodes()
                .filter(|n| !n.is_slashdashed())
                .filter_map(|n| n.to_plain())
                .collect()
        });
        Some(plain::Node {
            ty: self
                .ty()
                .and_then(|t| t.name())
                .map(|n| n.value().into_owned()),
            name,
            entries,
            children,
        })
    }
}

/// An argument or a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry<'a> {
    /// A positional value.
    Argument(Argument<'a>),
    /// A `key=value` pair.
    Property(Property<'a>),
}

impl<'a> Entry<'a> {
    /// Wraps a syntax node of kind `Argument` or `Property`.
    pub fn cast(syntax: SyntaxNode<'a>) -> Option<Entry<'a>> {
        match syntax.kind() {
            SyntaxKind::Argument => Some(Entry::Argument(Argument { syntax })),
            SyntaxKind::Property => Some(Entry::Property(Property { syntax })),
            _ => None,
        }
    }

    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        match self {
            Entry::Argument(a) => a.syntax,
            Entry::Property(p) => p.syntax,
        }
    }

    /// Whether the entry is slashdashed.
    pub fn is_slashdashed(self) -> bool {
        slashdash_of(self.syntax()).is_some()
    }

    /// The value's type annotation, if any.
    pub fn ty(self) -> Option<TypeAnnotation<'a>> {
        self.syntax()
            .child_of_kind(SyntaxKind::Type)
            .map(|syntax| TypeAnnotation { syntax })
    }

    /// The value.
    pub fn value(self) -> Option<ValueToken<'a>> {
        match self {
            Entry::Argument(a) => a.value(),
            Entry::Property(p) => p.value(),
        }
    }

    /// This entry as a plain entry; `None` if it has no value (or a property no key).
    pub fn to_plain(self) -> Option<plain::Entry> {
        let name = match self {
            Entry::Argument(_) => None,
            Entry::Property(p) => Some(p.key()?.value().into_owned()),
        };
        Some(plain::Entry {
            name,
            ty: self
                .ty()
                .and_then(|t| t.name())
                .map(|n| n.value().into_owned()),
            value: self.value()?.value(),
        })
    }
}

/// A positional entry: `(type)value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argument<'a> {
    syntax: SyntaxNode<'a>,
}

impl<'a> Argument<'a> {
    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        self.syntax
    }

    /// Whether the argument is slashdashed.
    pub fn is_slashdashed(self) -> bool {
        slashdash_of(self.syntax).is_some()
    }

    /// The value's type annotation, if any.
    pub fn ty(self) -> Option<TypeAnnotation<'a>> {
        Entry::Argument(self).ty()
    }

    /// The value.
    pub fn value(self) -> Option<ValueToken<'a>> {
        self.syntax
            .child_tokens()
            .find(|t| t.kind().is_value())
            .map(|token| ValueToken { token })
    }
}

/// A named entry: `key=(type)value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Property<'a> {
    syntax: SyntaxNode<'a>,
}

impl<'a> Property<'a> {
    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        self.syntax
    }

    /// Whether the property is slashdashed.
    pub fn is_slashdashed(self) -> bool {
        slashdash_of(self.syntax).is_some()
    }

    /// The key, before the `=`.
    pub fn key(self) -> Option<StringToken<'a>> {
        self.syntax
            .child_tokens()
            .take_while(|t| t.kind() != SyntaxKind::Eq)
            .find(|t| t.kind().is_string())
            .map(|token| StringToken { token })
    }

    /// The `=` token.
    pub fn eq_token(self) -> Option<SyntaxToken<'a>> {
        self.syntax.token_of_kind(SyntaxKind::Eq)
    }

    /// The value's type annotation, if any.
    pub fn ty(self) -> Option<TypeAnnotation<'a>> {
        Entry::Property(self).ty()
    }

    /// The value, after the `=`.
    pub fn value(self) -> Option<ValueToken<'a>> {
        self.syntax
            .child_tokens()
            .skip_while(|t| t.kind() != SyntaxKind::Eq)
            .find(|t| t.kind().is_value())
            .map(|token| ValueToken { token })
    }
}

/// A type annotation: `(name)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeAnnotation<'a> {
    syntax: SyntaxNode<'a>,
}

impl<'a> TypeAnnotation<'a> {
    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        self.syntax
    }

    /// The type's name.
    pub fn name(self) -> Option<StringToken<'a>> {
        self.syntax
            .child_tokens()
            .find(|t| t.kind().is_string())
            .map(|token| StringToken { token })
    }
}

/// A children block: `{ nodes }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Children<'a> {
    syntax: SyntaxNode<'a>,
}

impl<'a> Children<'a> {
    /// The underlying syntax node.
    pub fn syntax(self) -> SyntaxNode<'a> {
        self.syntax
    }

    /// Whether the block is slashdashed.
    pub fn is_slashdashed(self) -> bool {
        slashdash_of(self.syntax).is_some()
    }

    /// Every node in the block, slashdashed ones included.
    pub fn nodes(self) -> impl Iterator<Item = Node<'a>> + 'a {
        nodes_of(self.syntax)
    }

    /// The `{`.
    pub fn l_brace(self) -> Option<SyntaxToken<'a>> {
        self.syntax.token_of_kind(SyntaxKind::LBrace)
    }

    /// The `}`; `None` where the block is unclosed.
    pub fn r_brace(self) -> Option<SyntaxToken<'a>> {
        self.syntax.token_of_kind(SyntaxKind::RBrace)
    }
}

/// A string token (bare, quoted or raw) in a name, key or type position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StringToken<'a> {
    token: SyntaxToken<'a>,
}

impl<'a> StringToken<'a> {
    /// The token.
    pub fn token(self) -> SyntaxToken<'a> {
        self.token
    }

    /// The token's range, quotes included.
    pub fn range(self) -> TextRange {
        self.token.range()
    }

    /// The decoded string: escapes resolved, multi-line strings dedented. Borrowed where
    /// nothing needed decoding.
    pub fn value(self) -> Cow<'a, str> {
        value::decode_string(self.token.kind(), self.token.text())
    }
}

/// A value token: a string, a number or a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValueToken<'a> {
    token: SyntaxToken<'a>,
}

impl<'a> ValueToken<'a> {
    /// The token.
    pub fn token(self) -> SyntaxToken<'a> {
        self.token
    }

    /// The token's range.
    pub fn range(self) -> TextRange {
        self.token.range()
    }

    /// Whether the value is a string (bare, quoted or raw).
    pub fn is_string(self) -> bool {
        self.token.kind().is_string()
    }

    /// The string, decoded, if the value is one.
    pub fn as_string(self) -> Option<Cow<'a, str>> {
        self.is_string()
            .then(|| value::decode_string(self.token.kind(), self.token.text()))
    }

    /// The decoded value. A token that did not lex as a valid value (already reported as a
    /// syntax error) decodes as best it can.
    pub fn value(self) -> plain::Value {
        value::decode_value(self.token.kind(), self.token.text())
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;
    use crate::plain::Value;

    #[test]
    fn typed_view_skips_what_is_slashdashed() {
        let text =
            r##"(t)"node one" 1 /-2 k=#"a"# /-k=b k="c" /-{ x } { child; /-gone; (u)kid 3 }"##;
        let parse = parse(text);
        assert!(parse.is_ok(), "{:?}", parse.errors());
        let node = parse.document().nodes().next().unwrap();
        assert_eq!(node.name_text().unwrap(), "node one");
        assert_eq!(node.ty().unwrap().name().unwrap().value(), "t");
        assert_eq!(node.entries().count(), 5);
        let args: Vec<_> = node
            .arguments()
            .map(|a| a.value().unwrap().value())
            .collect();
        assert_eq!(args.len(), 1);
        assert_eq!(args[0].as_number().unwrap().as_i64(), Some(1));
        // The rightmost property wins.
        let k = node.property("k").unwrap();
        assert_eq!(k.value().unwrap().value(), Value::String("c".into()));
        assert_eq!(node.children_blocks().count(), 2);
        let kids: Vec<_> = node.child_nodes().map(|n| n.name_text().unwrap()).collect();
        assert_eq!(kids, ["child", "kid"]);
        let kid = node.child_nodes().nth(1).unwrap();
        assert_eq!(kid.parent(), Some(node));
        assert!(!kid.is_commented_out());
        let plain = parse.plain();
        assert_eq!(plain.nodes[0].entries.len(), 3);
        assert_eq!(plain.nodes[0].children.as_ref().unwrap().len(), 2);
    }

    #[test]
    fn commented_out_reaches_through_slashdashed_blocks() {
        let parse = parse("a /-{ b { c } }");
        let a = parse.document().nodes().next().unwrap();
        let block = a.children_blocks().next().unwrap();
        let b = block.nodes().next().unwrap();
        let c = b.children().unwrap().nodes().next().unwrap();
        assert!(!b.is_slashdashed());
        assert!(c.is_commented_out());
        assert!(a.children().is_none());
    }
}
