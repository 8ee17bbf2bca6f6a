//! Dangling references, references to the wrong kind of entry, and references to deprecated
//! entries: per file, against the catalogue's index.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{Catalogue, Db, SourceFile, file_facts, id_texts, index};
use crate::diagnostic::{SyntaxPath, Target, did_you_mean};
use crate::lower::article;

/// The reference problems of the entries of one file, added to `out`.
///
/// Per file (called from `cross_file_diagnostics`): when the index changes (an id renamed),
/// every file's references are checked again, which is cheap, and only files whose problems
/// changed render their diagnostics again.
pub fn check_references<'db>(db: &'db dyn Db, file: SourceFile, out: &mut Vec<Anchored<'db>>) {
    let index = index(db, Catalogue::get(db));
    for facts in file_facts(db, file) {
        let entry = facts.entry;
        for site in &facts.references {
            let at = (Anchor::Entry(entry), site.path.clone());
            let name = site.target.text(db);
            let Some(target) = index.get(site.target) else {
                let candidates = id_texts(db, Catalogue::get(db), site.expected)
                    .iter()
                    .map(String::as_str);
                let help = match did_you_mean(name, candidates) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "add a `{} \"{}\"` entry, or reference an existing {}",
                        site.expected.keyword(),
                        name,
                        site.expected.noun()
                    ),
                };
                out.push(Anchored {
                    code: Code::DanglingReference,
                    message: format!("no {} has the id `{}`", site.expected.noun(), name),
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
                        name,
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
                        format!("`{}` is {} {}", name, article(kind), kind.noun()),
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
                Some(replacement) => {
                    format!("reference its replacement, `{}`", replacement.text(db))
                }
                None => "reference an entry that is not deprecated".to_string(),
            };
            out.push(Anchored {
                code: Code::DeprecatedReference,
                message: format!("`{}` is deprecated", name),
                at,
                labels: vec![(
                    Anchor::Entry(target.entry),
                    SyntaxPath::new(&[], Target::Arg(0)),
                    format!("`{}` is defined here, deprecated", name),
                )],
                help: Some(help),
            });
        }
    }
}
