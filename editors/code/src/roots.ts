// Which `.kdl` files are catalogue files: those in a folder that holds a `gapmine.kdl`, or below
// one. The nearest such folder is the file's catalogue root. Plain Node.js (no `vscode`), so it
// is tested on its own (test/roots.test.js).

import { promises as fs } from 'fs';
import * as path from 'path';

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
  async root(file: string): Promise<string | undefined> {
    let dir = path.dirname(path.resolve(file));
    for (;;) {
      if (await this.holdsManifest(dir)) {
        return dir;
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
    let found: boolean;
    try {
      found = (await fs.stat(path.join(dir, MANIFEST))).isFile();
    } catch {
      found = false;
    }
    this.manifestIn.set(dir, found);
    return found;
  }
}
