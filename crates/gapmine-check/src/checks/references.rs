//! Dangling references, references to the wrong kind of entry, and references to deprecated
//! entries: per file, against the catalogue's index.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, SourceFile, file_facts, index};
use crate::diagnostic::{SyntaxPath, Target, did_you_mean};
use crate::lower::article;

/// The reference problems of the entries of one file.
///
/// Per file: when the index changes (an id renamed), every file's references are checked
/// again, which is cheap, and only files whose problems changed re-render their diagnostics.
#[salsa::tracked(returns(ref))]
pub fn check_references(db: &dyn Db, file: SourceFile) -> Vec<Anchored<'_>> {
    let index = index(db, Catalogue::get(db));
    let mut out = Vec::new();
    for facts in file_facts(db, file) {
        let entry = facts.entry;
        for site in &facts.references {
            let at = (Anchor::Entry(entry), site.path.clone());
            let Some(target) = index.get(&site.target) else {
                let candidates = index.ids_of(site.expected).iter().map(String::as_str);
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
            let kind = target.kind;
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
                        Anchor::Entry(target.entry),
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
            if target.entry == entry || !target.deprecated {
                continue;
            }
            let help = match &target.replaced_by {
                Some(replacement) => format!("reference its replacement, `{replacement}`"),
                None => "reference an entry that is not deprecated".to_string(),
            };
            out.push(Anchored {
                code: Code::DeprecatedReference,
                message: format!("`{}` is deprecated", site.target),
                at,
                labels: vec![(
                    Anchor::Entry(target.entry),
                    SyntaxPath::new(&[], Target::Arg(0)),
                    format!("`{}` is defined here, deprecated", site.target),
                )],
                help: Some(help),
            });
        }
    }
    out
}
