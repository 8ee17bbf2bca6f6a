//! Dangling references, references to the wrong kind of entry, and references to deprecated
//! entries: per entry, against the catalogue's index.

use gapmine_model::EntryKind;

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, EntryNode, header, index, references};
use crate::diagnostic::{SyntaxPath, Target, did_you_mean};
use crate::lower::article;

/// The reference problems of one entry.
#[salsa::tracked(returns(ref))]
pub fn check_references<'db>(
    db: &'db dyn Db,
    catalogue: Catalogue,
    entry: EntryNode<'db>,
) -> Vec<Anchored<'db>> {
    let index = index(db, catalogue);
    let mut out = Vec::new();
    for site in references(db, entry) {
        let at = (Anchor::Entry(entry), site.path.clone());
        let Some(target) = index.get(&site.target) else {
            let candidates = index
                .by_id
                .iter()
                .filter(|(_, entries)| entries[0].kind(db) == Some(site.expected))
                .map(|(id, _)| id.as_str());
            let help = match did_you_mean(&site.target, candidates) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "add a `{} \"{}\"` entry, or reference an existing {}",
                    site.expected.keyword(),
                    site.target,
                    site.expected.noun()
                ),
            };
            out.push(Anchored {
                code: Code::DanglingReference,
                message: format!("no {} has the id `{}`", site.expected.noun(), site.target),
                at,
                labels: Vec::new(),
                help: Some(help),
            });
            continue;
        };
        let kind = target.kind(db).unwrap_or(EntryKind::FailureMode);
        if kind != site.expected {
            out.push(Anchored {
                code: Code::WrongReferenceKind,
                message: format!(
                    "`{}` names {} {}, but `{}` expects {} {}",
                    site.target,
                    article(kind),
                    kind.noun(),
                    site.via,
                    article(site.expected),
                    site.expected.noun()
                ),
                at,
                labels: vec![(
                    Anchor::Entry(target),
                    SyntaxPath::new(&[], Target::Arg(0)),
                    format!("`{}` is {} {}", site.target, article(kind), kind.noun()),
                )],
                help: Some(format!(
                    "`{}` takes the id of {} {}",
                    site.via,
                    article(site.expected),
                    site.expected.noun()
                )),
            });
            continue;
        }
        if target == entry {
            continue;
        }
        if let Some(h) = header(db, target).as_ref().filter(|h| h.deprecated) {
            let help = match &h.replaced_by {
                Some(replacement) => format!("reference its replacement, `{replacement}`"),
                None => "reference an entry that is not deprecated".to_string(),
            };
            out.push(Anchored {
                code: Code::DeprecatedReference,
                message: format!("`{}` is deprecated", site.target),
                at,
                labels: vec![(
                    Anchor::Entry(target),
                    SyntaxPath::new(&[], Target::Arg(0)),
                    format!("`{}` is defined here, deprecated", site.target),
                )],
                help: Some(help),
            });
        }
    }
    out
}
