//! The formatter: one canonical layout for KDL files, keeping every comment.
