// Where the `gapmine` binary is, from the setting `gapmine.server.path` or the `PATH`, and what
// to tell the user when it is not there. Plain Node.js (no `vscode`), tested by test/server.test.js.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The binary to run, or why there is none. */
export type ServerBinary = { command: string } | { problem: string };

/**
 * Resolves `gapmine.server.path` (empty: `gapmine` on the `PATH`) to an executable file; a
 * relative path with a separator is taken from `workspaceFolder`.
 */
export function resolveServerBinary(configured: string, workspaceFolder?: string): ServerBinary {
  const setting = configured.trim();
  if (setting === '') {
    const found = searchPath('gapmine');
    if (found !== undefined) {
      return { command: found };
    }
    return {
      problem:
        'gapmine: the `gapmine` binary is not on the PATH. Install it (`cargo install --path crates/gapmine-cli` in a clone of gapmine) or set `gapmine.server.path` to the binary.',
    };
  }
  let candidate = setting;
  if (candidate === '~' || candidate.startsWith('~/')) {
    candidate = path.join(os.homedir(), candidate.slice(1));
  }
  if (!path.isAbsolute(candidate) && hasSeparator(candidate)) {
    if (workspaceFolder !== undefined) {
      candidate = path.join(workspaceFolder, candidate);
    }
  } else if (!path.isAbsolute(candidate)) {
    // A bare name ("gapmine-nightly") is looked up on the PATH, as a shell would.
    const found = searchPath(candidate);
    if (found !== undefined) {
      return { command: found };
    }
    return {
      problem: `gapmine: \`${setting}\` (the setting \`gapmine.server.path\`) is not on the PATH. Set it to the binary's full path.`,
    };
  }
  if (!isExecutableFile(candidate)) {
    return {
      problem: `gapmine: \`${candidate}\` (the setting \`gapmine.server.path\`) is not an executable file. Build gapmine (\`cargo build --release -p gapmine-cli\`) or correct the setting.`,
    };
  }
  return { command: candidate };
}

function hasSeparator(p: string): boolean {
  return p.includes('/') || (process.platform === 'win32' && p.includes('\\'));
}

function searchPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  const extensions =
    process.platform === 'win32'
      ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').concat([''])
      : [''];
  for (const dir of dirs) {
    for (const ext of extensions) {
      const full = path.join(dir, name + ext);
      if (isExecutableFile(full)) {
        return full;
      }
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
