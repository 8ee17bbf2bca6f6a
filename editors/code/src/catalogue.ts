// Gives the language `gapmine-kdl` to the `.kdl` files of a catalogue (src/roots.ts says which).
// Every other KDL file keeps the language it had, so a KDL extension's files (Zellij layouts,
// other tools' configs) are never taken over.

import * as vscode from 'vscode';

import { CatalogueFinder } from './roots';

export const LANGUAGE_ID = 'gapmine-kdl';

/** Whether a document is a `.kdl` file on disk that does not have the catalogue language yet. */
export function isUnclaimedKdl(document: vscode.TextDocument): boolean {
  return (
    document.uri.scheme === 'file' &&
    document.languageId !== LANGUAGE_ID &&
    document.uri.fsPath.toLowerCase().endsWith('.kdl')
  );
}

/**
 * Gives the catalogue language to `document` when it is a `.kdl` file inside a catalogue.
 * VS Code then closes and reopens it under the new language, which is when the language client
 * starts syncing it with the server.
 */
export async function claimIfCatalogueFile(
  finder: CatalogueFinder,
  document: vscode.TextDocument,
): Promise<void> {
  if (!isUnclaimedKdl(document)) {
    return;
  }
  if ((await finder.root(document.uri.fsPath)) === undefined) {
    return;
  }
  await vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
}
