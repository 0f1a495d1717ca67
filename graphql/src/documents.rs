//! Parsed query documents, kept by their text.
//!
//! async-graphql parses every request's query text again; a dApp sends the
//! same few documents over and over (with other variables), so the server
//! keeps the parsed form of the documents it has seen and hands a copy to
//! the request. Only parsing is skipped: validation (depth, complexity,
//! variables, the operation to run) runs on every request, since its result
//! depends on the variables.
//!
//! Bounded: at most [`MAX_DOCUMENTS`] documents of at most [`MAX_TEXT`]
//! bytes each; when full, the whole set is dropped and filled again by the
//! documents that come next (no bookkeeping per hit). Texts that do not
//! parse are not kept: the schema parses them again and reports the error.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::Request;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most documents kept.
pub const MAX_DOCUMENTS: usize = 256;
/// Longest query text kept, bytes.
pub const MAX_TEXT: usize = 16 * 1024;

/// The parsed documents, shared by every request.
#[derive(Clone, Default)]
pub struct Documents(Arc<Mutex<HashMap<String, Arc<ExecutableDocument>>>>);

impl Documents {
    /// Gives `req` the parsed form of its query: a copy of the kept one, or
    /// one parsed now (and kept, when it parses and the set has room).
    pub fn prepare(&self, req: &mut Request) {
        if req.query.len() > MAX_TEXT {
            return;
        }
        // Copied outside the lock: the lock is held for a lookup only.
        let kept = self.lock().get(&req.query).cloned();
        if let Some(doc) = kept {
            req.set_parsed_query(ExecutableDocument::clone(&doc));
            return;
        }
        let Ok(doc) = req.parsed_query() else {
            return;
        };
        let doc = Arc::new(doc.clone());
        let mut kept = self.lock();
        if kept.len() >= MAX_DOCUMENTS {
            kept.clear();
        }
        kept.insert(req.query.clone(), doc);
    }

    /// Documents kept now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ExecutableDocument>>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_parsed_documents_and_only_those() {
        let docs = Documents::default();
        let mut a = Request::new("{ a }");
        docs.prepare(&mut a);
        assert_eq!(docs.len(), 1);
        // The same text again is served from the set, parsed.
        let mut again = Request::new("{ a }");
        docs.prepare(&mut again);
        assert_eq!(docs.len(), 1);
        assert!(again.parsed_query().is_ok());
        // Text that does not parse is not kept.
        docs.prepare(&mut Request::new("{ a "));
        assert_eq!(docs.len(), 1);
        // Long text is neither parsed here nor kept.
        let long = format!("{{ a {} }}", " ".repeat(MAX_TEXT));
        docs.prepare(&mut Request::new(long));
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn stays_bounded() {
        let docs = Documents::default();
        for i in 0..MAX_DOCUMENTS * 3 + 7 {
            docs.prepare(&mut Request::new(format!("{{ f{i} }}")));
            assert!(docs.len() <= MAX_DOCUMENTS);
        }
        assert_eq!(docs.len(), 7);
    }
}
