// Which `.kdl` files are catalogue files: those in a folder that holds a `gapmine.kdl`, or below
// one. Only they get the language `gapmine-kdl`; every other KDL file keeps the language it had,
// so a KDL extension's files (Zellij layouts, other tools' configs) are never taken over.

import * as path from 'path';
import * as vscode from 'vscode';

export const LANGUAGE_ID = 'gapmine-kdl';
export const MANIFEST = 'gapmine.kdl';

/** Finds the catalogue a file belongs to, remembering what it learnt about each folder. */
export class CatalogueFinder {
  // Folder path -> whether it holds a `gapmine.kdl`.
  private readonly manifestIn = new Map<string, boolean>();

  /** Forgets what is known about `folder` (a `gapmine.kdl` was created or deleted there). */
  forget(folder: string): void {
    this.manifestIn.delete(folder);
  }

  /** The folder of the nearest `gapmine.kdl` at or above `file`'s folder, if there is one. */
  async root(file: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (file.scheme !== 'file') {
      return undefined;
    }
    let dir = path.dirname(file.fsPath);
    for (;;) {
      if (await this.holdsManifest(dir)) {
        return vscode.Uri.file(dir);
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        return undefined;
      }
      dir = parent;
    }
  }

  private async holdsManifest(dir: string): Promise<boolean> {
    const known = this.manifestIn.get(dir);
    if (known !== undefined) {
      return known;
    }
    let found = false;
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(path.join(dir, MANIFEST)));
      found = (stat.type & vscode.FileType.File) !== 0;
    } catch {
      found = false;
    }
    this.manifestIn.set(dir, found);
    return found;
  }
}

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
  if ((await finder.root(document.uri)) === undefined) {
    return;
  }
  await vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
}
