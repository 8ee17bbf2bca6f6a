// The TextMate grammar of catalogue files, tokenized by the engine VS Code itself uses
// (vscode-textmate with the Oniguruma regex library), on the constructs of KDL v2 and on the
// starter catalogue. Run with `npm test`.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const root = path.join(__dirname, '..');
const grammarPath = path.join(root, 'syntaxes', 'gapmine-kdl.tmLanguage.json');

const grammarPromise = (async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.gapmine-kdl'
        ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath)
        : null,
  });
  return registry.loadGrammar('source.gapmine-kdl');
})();

/** The tokens of `text`: each with its line (0-based), its columns, its text and its scopes. */
async function tokenize(text) {
  const grammar = await grammarPromise;
  let stack = textmate.INITIAL;
  const lines = text.split('\n');
  const tokens = [];
  lines.forEach((line, lineNo) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      tokens.push({
        line: lineNo,
        start: t.startIndex,
        end: t.endIndex,
        text: line.slice(t.startIndex, t.endIndex),
        scopes: t.scopes,
      });
    }
    stack = result.ruleStack;
  });
  tokens.lines = lines;
  return tokens;
}

/**
 * The scopes of every token that the first occurrence of `text` (on `line`, when given) spans;
 * a scope holds for the text when it holds for each of them.
 */
function scopesOf(tokens, text, line) {
  for (let l = 0; l < tokens.lines.length; l++) {
    if (line !== undefined && l !== line) {
      continue;
    }
    const col = findWord(tokens.lines[l], text);
    if (col < 0) {
      continue;
    }
    const spanned = tokens.filter((t) => t.line === l && t.end > col && t.start < col + text.length);
    return spanned[0].scopes.filter((s) => spanned.every((t) => t.scopes.includes(s)));
  }
  assert.fail(`\`${text}\` is not in the text`);
}

/** Where `text` stands in `line` not as a part of a longer name (`in` in `missing`), or -1. */
function findWord(line, text) {
  const nameChar = /[\w#-]/;
  for (let col = line.indexOf(text); col >= 0; col = line.indexOf(text, col + 1)) {
    const before = col > 0 && nameChar.test(text[0]) && nameChar.test(line[col - 1]);
    const end = col + text.length;
    const after = end < line.length && nameChar.test(text[text.length - 1]) && nameChar.test(line[end]);
    if (!before && !after) {
      return col;
    }
  }
  return -1;
}

function assertScope(tokens, text, scope, line) {
  const scopes = scopesOf(tokens, text, line);
  assert.ok(
    scopes.some((s) => s === scope),
    `\`${text}\` has the scopes ${scopes.join(' ')}, not ${scope}`,
  );
}

function assertNoScope(tokens, text, prefix, line) {
  const scopes = scopesOf(tokens, text, line);
  assert.ok(
    !scopes.some((s) => s.startsWith(prefix)),
    `\`${text}\` has the scopes ${scopes.join(' ')}, one of them starting with ${prefix}`,
  );
}

test('an entry: its kind, its id, known children and properties, and a misspelt node', async () => {
  const tokens = await tokenize(
    [
      'failure-mode "missing-null-check" {',
      '    title "Missing null check"',
      '    titel "a typo"',
      '    signals {',
      '        phrase "NullPointerException" weight=0.9 in="body" colour=1',
      '    }',
      '}',
    ].join('\n'),
  );
  assertScope(tokens, 'failure-mode', 'keyword.other.entry.gapmine-kdl');
  assertScope(tokens, '"missing-null-check"', 'entity.name.type.id.gapmine-kdl');
  assertScope(tokens, 'title', 'entity.name.tag.gapmine-kdl');
  assertScope(tokens, 'titel', 'variable.other.node.kdl');
  assertScope(tokens, 'signals', 'entity.name.tag.gapmine-kdl');
  assertScope(tokens, 'phrase', 'entity.name.tag.gapmine-kdl');
  assertScope(tokens, 'weight', 'entity.other.attribute-name.gapmine-kdl');
  assertScope(tokens, '0.9', 'constant.numeric.decimal.kdl');
  assertScope(tokens, 'in', 'entity.other.attribute-name.gapmine-kdl');
  assertScope(tokens, 'colour', 'entity.other.attribute-name.kdl');
  assertScope(tokens, '}', 'punctuation.section.block.end.kdl', 6);
});

test('the manifest', async () => {
  const tokens = await tokenize(
    'catalogue "team" version="1.0.0" {\n    include "failure-modes/*.kdl"\n    threshold 0.5\n}',
  );
  assertScope(tokens, 'catalogue', 'keyword.other.entry.gapmine-kdl');
  assertScope(tokens, 'version', 'entity.other.attribute-name.gapmine-kdl');
  assertScope(tokens, 'include', 'entity.name.tag.gapmine-kdl');
  assertScope(tokens, 'threshold', 'entity.name.tag.gapmine-kdl');
});

test('strings: quoted with escapes, raw, multi-line, bare', async () => {
  const tokens = await tokenize(
    [
      'pattern #"(?i)\\bnull"# weight=0.5',
      'pattern ##"a "# b"## x',
      'summary """',
      '    title is not a node here',
      '    """',
      'title "tab\\t here \\q"',
      'tags bare-word',
    ].join('\n'),
  );
  assertScope(tokens, '(?i)\\bnull', 'string.quoted.raw.kdl');
  assertScope(tokens, 'weight', 'entity.other.attribute-name.gapmine-kdl', 0);
  assertScope(tokens, 'a "# b', 'string.quoted.raw.kdl');
  assertScope(tokens, 'x', 'string.unquoted.kdl', 1);
  assertScope(tokens, '    title is not a node here', 'string.quoted.triple.kdl');
  assertScope(tokens, '\\t', 'constant.character.escape.kdl');
  assertScope(tokens, '\\q', 'invalid.illegal.escape.kdl');
  assertScope(tokens, 'bare-word', 'string.unquoted.kdl');
});

test('keywords and numbers', async () => {
  const tokens = await tokenize(
    'node #true #false #null #inf #-inf #nan true 0xff_ff 0o17 0b1010 -1.5e10 1_000',
  );
  assertScope(tokens, '#true', 'constant.language.boolean.kdl');
  assertScope(tokens, '#false', 'constant.language.boolean.kdl');
  assertScope(tokens, '#null', 'constant.language.null.kdl');
  assertScope(tokens, '#-inf', 'constant.language.numeric.kdl');
  assertScope(tokens, 'true', 'invalid.illegal.keyword-without-hash.kdl');
  assertScope(tokens, '0xff_ff', 'constant.numeric.hex.kdl');
  assertScope(tokens, '0o17', 'constant.numeric.octal.kdl');
  assertScope(tokens, '0b1010', 'constant.numeric.binary.kdl');
  assertScope(tokens, '-1.5e10', 'constant.numeric.decimal.kdl');
  assertScope(tokens, '1_000', 'constant.numeric.decimal.kdl');
});

test('comments and slashdash', async () => {
  const tokens = await tokenize(
    [
      '// a line comment',
      '/* a /* nested */ block */ title "after"',
      '/-failure-mode "gone" {',
      '    title "commented out"',
      '}',
      'objective "kept" /-"dropped" "shown" /-weight=1 {',
      '    title "inside" // trailing',
      '}',
      'control "c" /-{ title "x" }',
    ].join('\n'),
  );
  assertScope(tokens, ' a line comment', 'comment.line.double-slash.kdl');
  assertScope(tokens, ' nested ', 'comment.block.kdl');
  assertScope(tokens, 'title', 'entity.name.tag.gapmine-kdl', 1);
  assertScope(tokens, '"gone"', 'comment.block.slashdash.kdl');
  assertScope(tokens, '{', 'comment.block.slashdash.kdl', 2);
  assert.ok(
    tokens.filter((t) => t.line === 2).every((t) => !t.scopes.some((s) => s.startsWith('keyword'))),
    'a slashdashed entry is highlighted as an entry',
  );
  assertScope(tokens, '"commented out"', 'comment.block.slashdash.kdl');
  assertScope(tokens, 'objective', 'keyword.other.entry.gapmine-kdl');
  assertScope(tokens, '/-"dropped"', 'comment.block.slashdash.kdl');
  assertScope(tokens, '"shown"', 'string.quoted.double.kdl');
  assertNoScope(tokens, '"shown"', 'comment', 5);
  assertScope(tokens, '/-weight=1', 'comment.block.slashdash.kdl');
  assertScope(tokens, 'title', 'entity.name.tag.gapmine-kdl', 6);
  assertScope(tokens, ' trailing', 'comment.line.double-slash.kdl');
  assertScope(tokens, 'control', 'keyword.other.entry.gapmine-kdl');
  assertScope(tokens, 'title', 'comment.block.slashdash.block.kdl', 8);
});

test('type annotations, semicolons and line continuations', async () => {
  const tokens = await tokenize(
    ['evidence (date)"2026-03-02"; since "0.1.0"', 'tags "a" \\ // more', '    "b"', 'title "t"'].join(
      '\n',
    ),
  );
  assertScope(tokens, 'date', 'entity.name.type.annotation.kdl');
  assertScope(tokens, ';', 'punctuation.terminator.node.kdl');
  assertScope(tokens, 'since', 'entity.name.tag.gapmine-kdl');
  assertScope(tokens, '\\', 'constant.character.escape.line-continuation.kdl');
  assertScope(tokens, '"b"', 'meta.node.gapmine-kdl');
  assertScope(tokens, 'title', 'entity.name.tag.gapmine-kdl', 3);
});

test('the starter catalogue: every entry kind is found and nothing is flagged invalid', async () => {
  const folder = path.join(root, '..', '..', 'catalogues', 'starter');
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.kdl')) {
        files.push(full);
      }
    }
  };
  walk(folder);
  assert.ok(files.length > 5, `found only ${files.length} files under ${folder}`);
  let entries = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const tokens = await tokenize(text);
    for (const t of tokens) {
      const bad = t.scopes.find((s) => s.startsWith('invalid'));
      assert.equal(bad, undefined, `${file}:${t.line + 1}: \`${t.text}\` is ${bad}`);
    }
    const expected = text.split('\n').filter((l) =>
      /^(failure-mode|intervention|objective|control|catalogue) /.test(l),
    ).length;
    const found = tokens.filter((t) =>
      t.scopes.includes('keyword.other.entry.gapmine-kdl'),
    ).length;
    assert.equal(found, expected, `${file}: ${found} entry keywords highlighted, ${expected} entries`);
    entries += found;
  }
  assert.ok(entries > 20, `only ${entries} entries in the starter catalogue`);
});
