//! Dangling references, references to the wrong kind of entry, and references to deprecated
//! entries: per bucket of ids, for the references to the ids of the bucket.

use super::{Anchor, Anchored};
use crate::codes::Code;
use crate::db::{BucketEntries, Db, Referrer, suggestion};
use crate::diagnostic::{SyntaxPath, Target};
use crate::lower::article;

/// The problems of `referrers`, the references to the ids of one bucket (see
/// [`super::bucket_checks`]): each resolves to the first of the bucket's `entries` with its id,
/// as [`crate::db::resolve`] would, without reading the bucket again for each.
pub(crate) fn check<'db>(
    db: &'db dyn Db,
    entries: &BucketEntries<'db>,
    referrers: impl Iterator<Item = &'db Referrer<'db>>,
    out: &mut Vec<Anchored<'db>>,
) {
    for Referrer { entry, site } in referrers {
        let entry = *entry;
        let at = (Anchor::Entry(entry), site.path());
        let resolved = entries.definitions.iter().find(|e| e.id == site.target);
        if resolved.is_some_and(|t| t.kind == site.expected && !(t.deprecated && t.entry != entry))
        {
            continue;
        }
        // Only a problem needs the id's text.
        let name = site.target.text(db);
        let Some(target) = resolved else {
            let help = match suggestion(db, site.target, site.expected) {
                Some(near) => format!("did you mean `{}`?", near.text(db)),
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
