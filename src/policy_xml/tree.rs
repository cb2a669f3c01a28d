//! Reading a (masked) policy document into an element tree that remembers where
//! each element starts, so later checks can point at it.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

use super::error::PolicyXmlError;
use super::mask::{mask, Masked};
use crate::snapshot::PolicyElement;

/// Deeper nesting than this is refused (no real policy comes close). Each element
/// is two levels of the snapshot (`{…, "children": […]}`): an operation's policy this
/// deep nests about 110 levels, within [`crate::snapshot::MAX_DEPTH`].
const MAX_DEPTH: usize = 50;

/// An element with its byte offset in the original document.
#[derive(Debug)]
pub(super) struct Node {
    pub name: String,
    pub attributes: Map<String, Value>,
    pub children: Vec<Node>,
    pub text: Option<String>,
    pub offset: usize,
}

impl Node {
    /// The snapshot form of this element and its subtree.
    pub fn into_element(self) -> PolicyElement {
        PolicyElement {
            name: self.name,
            attributes: self.attributes,
            children: self.children.into_iter().map(Node::into_element).collect(),
            text: self.text,
        }
    }
}

/// Parses `text` (expressions may be raw) into its root element.
pub(super) fn parse(text: &str) -> Result<Node, PolicyXmlError> {
    let masked = mask(text).map_err(|e| PolicyXmlError::at(text, e.offset, e.message))?;
    let mut reader = Reader::from_str(&masked.text);
    let mut stack: Vec<(Node, String)> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let at = masked.original_offset(reader.error_position() as usize);
            PolicyXmlError::at(text, at, format!("not well-formed XML: {e}"))
        })?;
        let original = masked.original_offset(start);
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(PolicyXmlError::at(
                        text,
                        original,
                        "elements are nested too deeply",
                    ));
                }
                let node = node(&e, original, &masked, text)?;
                stack.push((node, String::new()));
            }
            Event::Empty(e) => {
                let node = node(&e, original, &masked, text)?;
                attach(node, &mut stack, &mut root, text)?;
            }
            Event::End(_) => {
                let (mut node, buffer) = stack
                    .pop()
                    .expect("quick-xml checks end tags against start tags");
                let trimmed = buffer.trim();
                if !trimmed.is_empty() {
                    node.text = Some(masked.unmask(trimmed));
                }
                attach(node, &mut stack, &mut root, text)?;
            }
            Event::Text(t) => {
                let decoded = t.decode().map_err(|e| {
                    PolicyXmlError::at(text, original, format!("not well-formed XML: {e}"))
                })?;
                push_text(&mut stack, &decoded, original, text)?;
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| {
                    PolicyXmlError::at(text, original, format!("not well-formed XML: {e}"))
                })?;
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    resolve_predefined_entity(&name).map(str::to_string)
                };
                let resolved = resolved.unwrap_or_else(|| format!("&{name};"));
                push_text(&mut stack, &resolved, original, text)?;
            }
            Event::CData(c) => {
                let decoded = c.decode().map_err(|e| {
                    PolicyXmlError::at(text, original, format!("not well-formed XML: {e}"))
                })?;
                push_text(&mut stack, &decoded, original, text)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some((open, _)) = stack.last() {
        return Err(PolicyXmlError::at(
            text,
            open.offset,
            format!("<{}> is not closed", open.name),
        ));
    }
    root.ok_or_else(|| PolicyXmlError::at(text, 0, "the document has no element"))
}

fn node(
    e: &BytesStart<'_>,
    offset: usize,
    masked: &Masked,
    text: &str,
) -> Result<Node, PolicyXmlError> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attributes = Map::new();
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|err| {
            PolicyXmlError::at(text, offset, format!("bad attribute in <{name}>: {err}"))
        })?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        // rawxml may carry a bare `&` in a literal; keep such a value as written.
        let value = match attribute.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&attribute.value).into_owned(),
        };
        attributes.insert(key, Value::String(masked.unmask(&value)));
    }
    Ok(Node {
        name,
        attributes,
        children: Vec::new(),
        text: None,
        offset,
    })
}

fn attach(
    node: Node,
    stack: &mut [(Node, String)],
    root: &mut Option<Node>,
    text: &str,
) -> Result<(), PolicyXmlError> {
    match stack.last_mut() {
        Some((parent, _)) => parent.children.push(node),
        None if root.is_some() => {
            return Err(PolicyXmlError::at(
                text,
                node.offset,
                "a second root element; a policy document has exactly one",
            ))
        }
        None => *root = Some(node),
    }
    Ok(())
}

fn push_text(
    stack: &mut [(Node, String)],
    piece: &str,
    offset: usize,
    text: &str,
) -> Result<(), PolicyXmlError> {
    match stack.last_mut() {
        Some((_, buffer)) => buffer.push_str(piece),
        // Whitespace (and a byte-order mark, common in policy.xml files) around the root is fine.
        None if piece
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .is_empty() => {}
        None => {
            return Err(PolicyXmlError::at(
                text,
                offset,
                "text outside the root element",
            ))
        }
    }
    Ok(())
}
