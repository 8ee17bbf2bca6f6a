//! Rename an id: its definitions and every reference to it, in every file of the catalogue,
//! each string keeping its style (`gapmine_syntax::edit::rename`). Refused where the new id is
//! not a valid id or is already taken.

use std::fmt;

use gapmine_check::db::Name;
use gapmine_model::Id;
use gapmine_syntax::edit;

use crate::context;
use crate::navigation::{definitions, site_at, uses_of};
use crate::{FilePosition, FileRange, Snap, SourceChange};

/// Why a rename cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    /// The cursor is not on an entry's id or a reference to one.
    NoId,
    /// The new name is not a valid id.
    InvalidId {
        /// The name asked for.
        name: String,
    },
    /// Another entry already has the new id.
    Taken {
        /// The id.
        name: String,
        /// Where the entry that has it is.
        at: FileRange,
    },
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::NoId => f.write_str(
                "there is no id here: put the cursor on an entry's id or on a reference to one",
            ),
            RenameError::InvalidId { name } => write!(
                f,
                "`{name}` is not a valid id: ids are kebab-case (lower-case letters and digits in words joined by single hyphens, starting with a letter)"
            ),
            RenameError::Taken { name, at } => write!(
                f,
                "the id `{name}` is already taken (in {}): ids are unique across the catalogue, choose another",
                at.path
            ),
        }
    }
}

impl std::error::Error for RenameError {}

pub(crate) fn prepare_rename(
    snap: Snap<'_>,
    position: &FilePosition,
) -> Result<FileRange, RenameError> {
    let (_, site) = site_at(snap, position).ok_or(RenameError::NoId)?;
    Ok(FileRange {
        path: position.path.clone(),
        range: context::inner_range(site.token),
    })
}

pub(crate) fn rename(
    snap: Snap<'_>,
    position: &FilePosition,
    new_name: &str,
) -> Result<SourceChange, RenameError> {
    let (_, site) = site_at(snap, position).ok_or(RenameError::NoId)?;
    if !Id::is_valid(new_name) {
        return Err(RenameError::InvalidId {
            name: new_name.to_string(),
        });
    }
    let mut change = SourceChange::default();
    if new_name == site.text {
        return Ok(change);
    }
    let taken = Name::new(snap.db, new_name.to_string());
    if gapmine_check::db::resolve(snap.db, snap.catalogue, taken).is_some() {
        let at = definitions(snap, new_name)
            .into_iter()
            .next()
            .map(|t| FileRange {
                path: t.path,
                range: t.focus_range,
            })
            .ok_or(RenameError::NoId)?;
        return Err(RenameError::Taken {
            name: new_name.to_string(),
            at,
        });
    }
    let mut sites: Vec<FileRange> = definitions(snap, &site.text)
        .into_iter()
        .map(|t| FileRange {
            path: t.path,
            range: t.focus_range,
        })
        .collect();
    sites.extend(uses_of(snap, &site.text));
    // The site itself, where its file is not one the catalogue includes.
    let here = FileRange {
        path: position.path.clone(),
        range: context::inner_range(site.token),
    };
    if !sites.contains(&here) {
        sites.push(here);
    }
    for site in sites {
        let Some(file) = snap.file(&site.path) else {
            continue;
        };
        let tree = snap.parse(file).tree();
        let Some(token) = context::string_token_at(tree, site.range.start) else {
            continue;
        };
        if let Ok(edits) = edit::rename(token, new_name) {
            change.extend(&site.path, edits);
        }
    }
    Ok(change)
}
