//! A small namespace-aware XML tree for WebDAV answers, read with quick-xml.
//!
//! Elements are named by (namespace URI, local name), so `<D:href>`, `<href xmlns="DAV:">` and
//! `<x:href xmlns:x="DAV:">` are the same thing. Limits: nesting depth, element count, and no
//! DTD at all (so no entity tricks); the input is already size-capped by the HTTP layer.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

pub(crate) const DAV: &str = "DAV:";
pub(crate) const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub(crate) const CALSERVER: &str = "http://calendarserver.org/ns/";

/// Deepest nesting accepted. A multistatus answer nests six deep
/// (multistatus › response › propstat › prop › resourcetype › calendar).
pub(crate) const MAX_DEPTH: usize = 24;
/// Most elements accepted in one document.
pub(crate) const MAX_ELEMENTS: usize = 200_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    /// The namespace URI (empty when unbound).
    pub(crate) ns: String,
    pub(crate) name: String,
    /// Attributes by local name.
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    /// Text directly inside, entities resolved.
    pub(crate) text: String,
}

impl Element {
    pub(crate) fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub(crate) fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub(crate) fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text, trimmed; `None` when empty.
    pub(crate) fn trimmed(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }
}

/// Parses `text` into its root element. The error is a short reason for a message.
pub(crate) fn parse(text: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("invalid XML: {e}"))?;
        match event {
            Event::Start(start) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(too_big(stack.len()));
                }
                let element = element(&resolved, &start)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(too_big(stack.len()));
                }
                let element = element(&resolved, &start)?;
                if let Some(done) = attach(&mut stack, element) {
                    return Ok(done);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err("invalid XML: an end tag without a start".to_string());
                };
                if let Some(root) = attach(&mut stack, done) {
                    return Ok(root);
                }
            }
            Event::Text(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => resolve_predefined_entity(&r.xml10_content())
                        .ok_or_else(|| "invalid XML: an unknown entity".to_string())?
                        .to_string(),
                    Err(_) => return Err("invalid XML: a bad character reference".to_string()),
                };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::DocType(_) => {
                return Err("a document type declaration is not accepted".to_string());
            }
            Event::Eof => return Err("the document ended early or is empty".to_string()),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
}

fn too_big(depth: usize) -> String {
    if depth >= MAX_DEPTH {
        format!("XML nested deeper than {MAX_DEPTH} levels")
    } else {
        format!("more than {MAX_ELEMENTS} XML elements")
    }
}

/// Puts a finished element into its parent; returns it when it is the root.
fn attach(stack: &mut [Element], done: Element) -> Option<Element> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            None
        }
        None => Some(done),
    }
}

fn element(resolved: &ResolveResult, start: &BytesStart) -> Result<Element, String> {
    let ns = match resolved {
        ResolveResult::Bound(ns) => ns.into_inner().to_string(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(_) => {
            return Err("invalid XML: an undeclared namespace prefix".to_string());
        }
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|_| "invalid XML: a bad attribute".to_string())?;
        let key = attr.key.local_name().into_inner().to_string();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|_| "invalid XML: a bad attribute value".to_string())?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        ns,
        name: start.local_name().into_inner().to_string(),
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_resolved_by_namespace_not_prefix() {
        let root = parse(
            r#"<?xml version="1.0"?><x:multistatus xmlns:x="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
            <response xmlns="DAV:"><href>/a&amp;b/</href><c:comp name="VEVENT"/></response></x:multistatus>"#,
        )
        .unwrap();
        assert!(root.is(DAV, "multistatus"));
        let response = root.child(DAV, "response").unwrap();
        assert_eq!(response.child(DAV, "href").unwrap().text, "/a&b/");
        assert_eq!(
            response.child(CALDAV, "comp").unwrap().attr("name"),
            Some("VEVENT")
        );
    }

    #[test]
    fn character_references_are_kept_in_text() {
        let root = parse("<d:x xmlns:d=\"DAV:\">A&#13;&#10;B&#x41;</d:x>").unwrap();
        assert_eq!(root.text, "A\r\nBA");
    }

    #[test]
    fn refuses_deep_nesting_dtds_and_garbage() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).unwrap_err().contains("nested"));
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><a>&lol;</a>"#;
        assert!(parse(bomb).unwrap_err().contains("document type"));
        assert!(parse("<a>&unknown;</a>").is_err());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<p:a/>").is_err());
    }
}
