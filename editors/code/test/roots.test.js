// Which `.kdl` files the extension treats as catalogue files (src/roots.ts), on real folders.
// Run with `npm test`, which compiles src/ first.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { CatalogueFinder } = require('../out/roots');

function tree(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gapmine-roots-'));
  for (const file of files) {
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), '');
  }
  return root;
}

test('a file at or below a gapmine.kdl belongs to the nearest one; others to none', async () => {
  const root = tree([
    'catalogue/gapmine.kdl',
    'catalogue/controls.kdl',
    'catalogue/failure-modes/code.kdl',
    'catalogue/nested/gapmine.kdl',
    'catalogue/nested/deep/x.kdl',
    'zellij/layout.kdl',
  ]);
  const finder = new CatalogueFinder();
  const at = (file) => finder.root(path.join(root, file));
  assert.equal(await at('catalogue/gapmine.kdl'), path.join(root, 'catalogue'));
  assert.equal(await at('catalogue/controls.kdl'), path.join(root, 'catalogue'));
  assert.equal(await at('catalogue/failure-modes/code.kdl'), path.join(root, 'catalogue'));
  assert.equal(await at('catalogue/nested/deep/x.kdl'), path.join(root, 'catalogue', 'nested'));
  assert.equal(await at('zellij/layout.kdl'), undefined);
});

test('a folder named gapmine.kdl is not a manifest', async () => {
  const root = tree(['gapmine.kdl/inner.kdl']);
  assert.equal(await new CatalogueFinder().root(path.join(root, 'gapmine.kdl', 'inner.kdl')), undefined);
});

test('a manifest created later is seen once its folder is forgotten', async () => {
  const root = tree(['later/a.kdl']);
  const finder = new CatalogueFinder();
  const file = path.join(root, 'later', 'a.kdl');
  assert.equal(await finder.root(file), undefined);
  fs.writeFileSync(path.join(root, 'later', 'gapmine.kdl'), '');
  finder.forget(path.join(root, 'later'));
  assert.equal(await finder.root(file), path.join(root, 'later'));
});
