-- End to end: Neovim's built-in LSP client, set up by editors/nvim (the module users install),
-- drives `gapmine lsp` on a catalogue of five files as a user would: open a file, diagnostics
-- arrive, fix the typo and they clear, complete an id, go to a definition in another file, hover,
-- rename across files, format, and read the code lenses the records history setting gives.
-- Only APIs Neovim 0.7 has (Debian bookworm's).
--
-- Run by tests/e2e/nvim.sh, which sets GAPMINE_BIN, GAPMINE_E2E_DIR and GAPMINE_E2E_REPO.
-- Exits 0 when every step passed; otherwise prints the step and what went wrong, and exits 1.

local bin = assert(os.getenv('GAPMINE_BIN'), 'GAPMINE_BIN is not set')
local dir = assert(os.getenv('GAPMINE_E2E_DIR'), 'GAPMINE_E2E_DIR is not set')
local repo = assert(os.getenv('GAPMINE_E2E_REPO'), 'GAPMINE_E2E_REPO is not set')

-- How long to wait for the server, in milliseconds. Generous: CI machines are shared.
local TIMEOUT = 20000

local passed = 0
local current = 'setup'

local function say(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

local function fail(message)
  error({ step = current, message = message }, 0)
end

local function check(condition, message, ...)
  if not condition then
    fail(string.format(message, ...))
  end
end

local function step(name, body)
  current = name
  body()
  passed = passed + 1
  say('ok   ' .. name)
end

-- The catalogue -------------------------------------------------------------------------------

local files = {
  ['gapmine.kdl'] = [[
catalogue "e2e" version="1.0.0" {
    include "failure-modes/*.kdl" "interventions/*.kdl" "controls.kdl"
}
]],
  ['controls.kdl'] = [[
control "code-review" stage=1 {
    title "Code review"
}
]],
  ['failure-modes/code.kdl'] = [[
// Failure modes of the product's code.

failure-mode "unvalidated-input" {
    title "Unvalidated input"
    caught-by "code-review"
    signals {
        phrase "malformed" weight=0.6
    }
}

failure-mode "missing-null-check" {
    title "Missing null check"
    caught-by "code-review"
    signals {
        phrase "NullPointerException" weight=0.9
    }
}
]],
  ['interventions/code.kdl'] = [[
intervention "nullability-lint" {
    title "Turn on nullability checks"
    resolves "missing-null-chek" "unvalidated-input"
    hardens "code-review"
}
]],
  -- The escape-record history the setting `records.history` names: two null dereferences,
  -- one malformed payload, one record no failure mode matches.
  ['history/escapes.jsonl'] = table.concat({
    '{"id": "ESC-1", "title": "NullPointerException in PaymentCallback.onResult"}',
    '{"id": "ESC-2", "title": "Checkout crashed", "body": "java.lang.NullPointerException at Cart.total"}',
    '{"id": "ESC-3", "title": "malformed JSON payload crashed the import worker"}',
    '{"id": "ESC-4", "title": "Logo is blurry on retina screens"}',
  }, '\n') .. '\n',
  -- Valid, but not in the canonical layout.
  ['failure-modes/messy.kdl'] = [[
failure-mode   "slow-query"{
  title    "Slow query"
  caught-by "code-review"
      signals { phrase "slow query"   weight=0.6 }
}
intervention "query-review" { title "Review query plans"; resolves "slow-query" }
]],
}

-- A KDL file that is not part of any catalogue: the server must leave it alone.
local outsider = vim.fn.fnamemodify(dir, ':h') .. '/not-a-catalogue/layout.kdl'

local function path(relative)
  return dir .. '/' .. relative
end

local function write(file, text)
  vim.fn.mkdir(vim.fn.fnamemodify(file, ':h'), 'p')
  local handle = assert(io.open(file, 'w'))
  handle:write(text)
  handle:close()
end

-- Helpers -------------------------------------------------------------------------------------

-- Every publishDiagnostics the server sent, counted per file, so a step can wait for the next one.
local published = {}
local function on_publish(err, result, ctx, config)
  local entry = published[result.uri] or { count = 0 }
  entry.count = entry.count + 1
  entry.diagnostics = result.diagnostics
  published[result.uri] = entry
  return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
end

local function lines_of(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

local function text_of(bufnr)
  return table.concat(lines_of(bufnr), '\n') .. '\n'
end

--- The 0-based line and column of the first `needle` in the buffer (plain text search).
local function find(bufnr, needle)
  for i, line in ipairs(lines_of(bufnr)) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  fail(string.format('`%s` is not in %s', needle, vim.api.nvim_buf_get_name(bufnr)))
end

local function open(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  return vim.api.nvim_get_current_buf()
end

local function client_of(bufnr)
  local found
  vim.wait(TIMEOUT, function()
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      found = client
    end
    return found ~= nil and found.initialized
  end, 20)
  check(found ~= nil, 'no language client attached to %s', vim.api.nvim_buf_get_name(bufnr))
  check(found.initialized, 'the server did not answer `initialize` within %d ms', TIMEOUT)
  return found
end

local function request(client, bufnr, method, params)
  local response, err = client.request_sync(method, params, TIMEOUT, bufnr)
  check(response ~= nil, '%s: no answer within %d ms (%s)', method, TIMEOUT, tostring(err))
  check(response.err == nil, '%s: the server answered an error: %s', method, vim.inspect(response.err))
  return response.result
end

local function position_params(bufnr, line, character)
  return {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = character },
  }
end

--- Waits for a publishDiagnostics for `bufnr` after the `seen`-th one; returns its diagnostics.
local function next_diagnostics(bufnr, seen)
  local uri = vim.uri_from_bufnr(bufnr)
  local arrived = vim.wait(TIMEOUT, function()
    return published[uri] ~= nil and published[uri].count > seen
  end, 20)
  check(arrived, 'no diagnostics for %s within %d ms', uri, TIMEOUT)
  return published[uri].diagnostics, published[uri].count
end

-- The test ------------------------------------------------------------------------------------

local function run()
  for relative, text in pairs(files) do
    write(path(relative), text)
  end
  write(outsider, 'layout {\n    pane\n}\n')

  vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
  vim.o.swapfile = false
  vim.o.hidden = true
  require('gapmine').setup({
    cmd = { bin, 'lsp' },
    records = { history = 'history/escapes.jsonl' },
    handlers = { ['textDocument/publishDiagnostics'] = on_publish },
  })

  local interventions = open(path('interventions/code.kdl'))
  local client

  step('open a catalogue file: the filetype is kdl and the server attaches', function()
    check(vim.bo[interventions].filetype == 'kdl', 'filetype is `%s`', vim.bo[interventions].filetype)
    client = client_of(interventions)
    check(client.name == 'gapmine', 'the attached client is `%s`', client.name)
  end)

  step('diagnostics arrive: a dangling reference, where the typo is', function()
    local line = find(interventions, 'missing-null-chek')
    local diagnostics = {}
    local seen = 0
    -- The first publication may come before the whole catalogue is read; wait for the finding.
    vim.wait(TIMEOUT, function()
      local uri = vim.uri_from_bufnr(interventions)
      if published[uri] and published[uri].count > seen then
        diagnostics, seen = published[uri].diagnostics, published[uri].count
      end
      return #diagnostics > 0
    end, 20)
    check(#diagnostics == 1, 'expected 1 diagnostic, got %s', vim.inspect(diagnostics))
    local d = diagnostics[1]
    check(d.code == 'dangling-reference', 'the diagnostic is %s', vim.inspect(d))
    check(d.severity == 1, 'severity %s, not error (1)', tostring(d.severity))
    check(d.range.start.line == line, 'on line %d, not %d', d.range.start.line, line)
    check(d.message:find('missing-null-chek', 1, true), 'the message does not name the id: %s', d.message)
    published.fixed_from = seen
  end)

  step('fix the typo in the buffer: the diagnostics clear', function()
    local line = find(interventions, 'missing-null-chek')
    local text = lines_of(interventions)[line + 1]:gsub('missing%-null%-chek', 'missing-null-check')
    vim.api.nvim_buf_set_lines(interventions, line, line + 1, false, { text })
    local uri = vim.uri_from_bufnr(interventions)
    local cleared = vim.wait(TIMEOUT, function()
      return published[uri].count > published.fixed_from and #published[uri].diagnostics == 0
    end, 20)
    check(cleared, 'the diagnostics are still %s', vim.inspect(published[uri].diagnostics))
  end)

  step('outside a catalogue: a .kdl file is left alone', function()
    local other = open(outsider)
    check(vim.bo[other].filetype == 'kdl', 'filetype is `%s`', vim.bo[other].filetype)
    check(next(vim.lsp.buf_get_clients(other)) == nil, 'a client attached to %s', outsider)
    vim.cmd('buffer ' .. interventions)
  end)

  step('complete an id: `resolves "unv` offers unvalidated-input, and applying it writes the id', function()
    local line = find(interventions, 'hardens')
    vim.api.nvim_buf_set_lines(interventions, line, line, false, { '    resolves "unv"' })
    local character = #'    resolves "unv'
    local result = request(client, interventions, 'textDocument/completion', position_params(interventions, line, character))
    check(result ~= nil, 'no completion')
    local items = result.items or result
    local item
    local labels = {}
    for _, candidate in ipairs(items) do
      table.insert(labels, candidate.label)
      if candidate.label == 'unvalidated-input' then
        item = candidate
      end
    end
    check(item ~= nil, 'unvalidated-input is not among %s', table.concat(labels, ', '))
    for _, label in ipairs(labels) do
      check(label ~= 'code-review', 'a control (code-review) is offered where a failure mode belongs')
    end
    local edit = item.textEdit
    if edit ~= nil then
      edit = { range = edit.range or edit.replace, newText = edit.newText }
    else
      -- No edit: the client replaces the word before the cursor with the insert text.
      edit = {
        range = { start = { line = line, character = character - 3 }, ['end'] = { line = line, character = character } },
        newText = item.insertText or item.label,
      }
    end
    vim.lsp.util.apply_text_edits({ edit }, interventions, client.offset_encoding)
    local completed = lines_of(interventions)[line + 1]
    check(completed == '    resolves "unvalidated-input"', 'the completed line is `%s`', completed)
    vim.api.nvim_buf_set_lines(interventions, line, line + 1, false, {})
  end)

  local definition_line
  step('go to definition: the reference leads to the entry in failure-modes/code.kdl', function()
    local line, col = find(interventions, '"missing-null-check"')
    local result = request(client, interventions, 'textDocument/definition', position_params(interventions, line, col + 3))
    check(result ~= nil, 'no definition')
    local location = result
    if vim.tbl_islist(result) then
      check(#result == 1, 'expected one location, got %s', vim.inspect(result))
      location = result[1]
    end
    local uri = location.uri or location.targetUri
    local range = location.range or location.targetSelectionRange
    check(uri == vim.uri_from_fname(path('failure-modes/code.kdl')), 'the definition is in %s', uri)
    local target = vim.split(files['failure-modes/code.kdl'], '\n')
    for i, text in ipairs(target) do
      if text:find('failure-mode "missing-null-check"', 1, true) then
        definition_line = i - 1
      end
    end
    check(range.start.line == definition_line, 'line %d, not %d', range.start.line, definition_line)
  end)

  step('hover on a reference: the entry it names, with its title', function()
    local line, col = find(interventions, '"unvalidated-input"')
    local result = request(client, interventions, 'textDocument/hover', position_params(interventions, line, col + 3))
    check(result ~= nil, 'no hover')
    local contents = result.contents
    local text = type(contents) == 'string' and contents or contents.value or vim.inspect(contents)
    check(text:find('Unvalidated input', 1, true), 'the hover does not show the title:\n%s', text)
    check(text:find('failure-mode `unvalidated-input`', 1, true), 'the hover does not say what kind of entry it is:\n%s', text)
  end)

  step('rename across files: the entry and its reference both change', function()
    local line, col = find(interventions, '"missing-null-check"')
    local params = position_params(interventions, line, col + 3)
    params.newName = 'absent-null-check'
    local edit = request(client, interventions, 'textDocument/rename', params)
    check(edit ~= nil, 'no workspace edit')
    vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
    local failure_modes = vim.fn.bufnr(path('failure-modes/code.kdl'))
    check(failure_modes > 0, 'the rename did not touch failure-modes/code.kdl')
    local definition = lines_of(failure_modes)[definition_line + 1]
    check(definition == 'failure-mode "absent-null-check" {', 'the definition reads `%s`', definition)
    check(text_of(interventions):find('resolves "absent-null-check" "unvalidated-input"', 1, true),
      'the reference was not renamed:\n%s', text_of(interventions))
    for _, bufnr in ipairs({ interventions, failure_modes }) do
      check(not text_of(bufnr):find('missing-null-check', 1, true), 'the old id is left in %s', vim.api.nvim_buf_get_name(bufnr))
    end
    -- On disk, the renamed catalogue is consistent: `gapmine check` finds no error.
    vim.cmd('silent wall')
    local out = vim.fn.system({ bin, 'check', dir })
    check(vim.v.shell_error == 0, '`gapmine check` after the rename exited %d:\n%s', vim.v.shell_error, out)
  end)

  step('format: the edits turn the file into what `gapmine fmt` prints', function()
    local messy = open(path('failure-modes/messy.kdl'))
    local messy_client = client_of(messy)
    check(messy_client.id == client.id, 'a second server was started for the same catalogue')
    local expected = vim.fn.system({ bin, 'fmt', '-' }, files['failure-modes/messy.kdl'])
    check(vim.v.shell_error == 0, '`gapmine fmt -` exited %d:\n%s', vim.v.shell_error, expected)
    check(expected ~= text_of(messy), 'the file is already formatted: the step would prove nothing')
    local edits = request(client, messy, 'textDocument/formatting', {
      textDocument = { uri = vim.uri_from_bufnr(messy) },
      options = { tabSize = 4, insertSpaces = true },
    })
    check(edits ~= nil and #edits > 0, 'no formatting edits')
    vim.lsp.util.apply_text_edits(edits, messy, client.offset_encoding)
    check(text_of(messy) == expected, 'after formatting:\n%s\nexpected:\n%s', text_of(messy), expected)
  end)

  step('the records history setting: a code lens counts the records each failure mode matches', function()
    local failure_modes = open(path('failure-modes/code.kdl'))
    local lenses_client = client_of(failure_modes)
    local line = find(failure_modes, 'failure-mode "unvalidated-input"')
    local renamed = find(failure_modes, 'failure-mode "absent-null-check"')
    local titles
    -- The history may be read in the background when the catalogue opens: ask until it is
    -- counted, for at most TIMEOUT.
    local deadline = vim.loop.now() + TIMEOUT
    repeat
      titles = {}
      local result = request(lenses_client, failure_modes, 'textDocument/codeLens', {
        textDocument = { uri = vim.uri_from_bufnr(failure_modes) },
      }) or {}
      for _, lens in ipairs(result) do
        local title = lens.command and lens.command.title or ''
        titles[lens.range.start.line] = (titles[lens.range.start.line] or '') .. '|' .. title
      end
      local counted = (titles[line] or ''):find('in the history', 1, true) ~= nil
      if not counted then
        vim.wait(200)
      end
    until counted or vim.loop.now() > deadline
    local want = 'matches 1 of 4 records in the history'
    check((titles[line] or ''):find(want, 1, true), 'line %d has the lenses `%s`, not `%s`', line, titles[line] or '', want)
    want = 'matches 2 of 4 records in the history'
    check((titles[renamed] or ''):find(want, 1, true), 'line %d has the lenses `%s`, not `%s`', renamed, titles[renamed] or '', want)
  end)
end

local ok, err = xpcall(run, function(e)
  if type(e) == 'table' then
    return e
  end
  return { step = current, message = debug.traceback(tostring(e), 2) }
end)
if ok then
  say(string.format('%d passed, 0 failed', passed))
  vim.cmd('qall!')
else
  io.stderr:write(string.format('FAILED %s\n  %s\n', err.step, err.message))
  say(string.format('%d passed, 1 failed', passed))
  vim.cmd('cquit 1')
end
