// Where the extension finds the `gapmine` binary (src/server.ts): the setting
// `gapmine.server.path`, or the PATH; and what it tells the user when there is none.
// Run with `npm test`, which compiles src/ first.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { resolveServerBinary } = require('../out/server');

function executable(dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

function withPath(dirs, body) {
  const saved = process.env.PATH;
  process.env.PATH = dirs.join(path.delimiter);
  try {
    return body();
  } finally {
    process.env.PATH = saved;
  }
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gapmine-server-'));

test('empty: gapmine on the PATH', () => {
  const bin = executable(path.join(scratch, 'bin'), 'gapmine');
  const found = withPath([path.join(scratch, 'empty'), path.join(scratch, 'bin')], () =>
    resolveServerBinary(''),
  );
  assert.deepEqual(found, { command: bin });
});

test('empty, and no gapmine on the PATH: the problem says how to fix it', () => {
  const found = withPath([path.join(scratch, 'nowhere')], () => resolveServerBinary('  '));
  assert.ok('problem' in found);
  assert.match(found.problem, /not on the PATH/);
  assert.match(found.problem, /gapmine\.server\.path/);
  assert.match(found.problem, /cargo install/);
});

test('an absolute path, and a relative one taken from the workspace folder', () => {
  const bin = executable(path.join(scratch, 'ws', 'target', 'release'), 'gapmine');
  assert.deepEqual(resolveServerBinary(bin), { command: bin });
  assert.deepEqual(resolveServerBinary('target/release/gapmine', path.join(scratch, 'ws')), {
    command: bin,
  });
});

test('a bare name other than gapmine is looked up on the PATH', () => {
  const bin = executable(path.join(scratch, 'bin2'), 'gapmine-nightly');
  const found = withPath([path.join(scratch, 'bin2')], () => resolveServerBinary('gapmine-nightly'));
  assert.deepEqual(found, { command: bin });
});

test('a path that is missing or not executable is a problem naming it', () => {
  const missing = path.join(scratch, 'missing', 'gapmine');
  const found = resolveServerBinary(missing);
  assert.ok('problem' in found);
  assert.ok(found.problem.includes(missing), found.problem);
  const plain = path.join(scratch, 'plain');
  fs.writeFileSync(plain, 'not a program', { mode: 0o644 });
  assert.ok('problem' in resolveServerBinary(plain));
});
