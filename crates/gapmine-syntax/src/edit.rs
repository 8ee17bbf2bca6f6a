//! Format-preserving edits: text edits computed on the tree's ranges.
