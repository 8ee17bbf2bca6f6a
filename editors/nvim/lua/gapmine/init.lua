-- gapmine's language server for Neovim's built-in LSP client, Neovim 0.7 and later.
--
--   require('gapmine').setup({})                -- `gapmine` on the PATH
--   require('gapmine').setup({ cmd = { '/path/to/gapmine', 'lsp' },
--                              records = { history = 'history/escapes.jsonl' } })
--
-- `.kdl` files get the filetype `kdl` (Neovim 0.9 and later detect it themselves; `setfiletype`
-- never overrides a filetype already set). The server is attached only to the `.kdl` files of a
-- catalogue: those in a folder that holds a `gapmine.kdl`, or below one. Every other KDL file is
-- left alone. One client runs per catalogue and is shared by all of its files.
-- docs/editors.md describes the setup and what the editor shows.

local M = {}

M.MANIFEST = 'gapmine.kdl'

local defaults = {
  -- The command that runs the server.
  cmd = { 'gapmine', 'lsp' },
  -- The escape records the server reads (a JSONL file; relative to the catalogue's folder).
  records = { history = nil },
  -- Pending `gapmine learn` decisions (a JSONL file; relative to the catalogue's folder), offered
  -- as code actions in the entries they name.
  decisions = nil,
  -- Passed on to the client as they are (see `:help vim.lsp.start_client()`).
  on_attach = nil,
  capabilities = nil,
  handlers = nil,
  -- The filetypes to attach to.
  filetypes = { 'kdl' },
}

local options = vim.deepcopy(defaults)

-- Catalogue root -> client id, for Neovim 0.7, which has no `vim.lsp.start` to reuse clients.
local clients = {}

--- The folder of the nearest `gapmine.kdl` at or above the folder of `path`, or nil.
function M.root_dir(path)
  if path == nil or path == '' then
    return nil
  end
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while true do
    local stat = (vim.uv or vim.loop).fs_stat(dir .. '/' .. M.MANIFEST)
    if stat and stat.type == 'file' then
      return dir
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The settings the server reads, in the shape it documents (docs/lsp.md): `records` is the
--- path of the escape-record history, `decisions` the path of pending `gapmine learn` decisions.
function M.server_settings(opts)
  local settings = {}
  local history = opts.records and opts.records.history or nil
  if history ~= nil and history ~= '' then
    settings.records = history
  end
  if opts.decisions ~= nil and opts.decisions ~= '' then
    settings.decisions = opts.decisions
  end
  return settings
end

local function client_config(root)
  local settings = M.server_settings(options)
  return {
    name = 'gapmine',
    cmd = options.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    settings = { gapmine = settings },
    on_attach = options.on_attach,
    capabilities = options.capabilities,
    handlers = options.handlers,
  }
end

--- Attaches the server of the buffer's catalogue to `bufnr`, starting it when needed; does
--- nothing for a file outside every catalogue. Returns the client id, or nil.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr))
  if root == nil then
    return nil
  end
  if vim.lsp.start ~= nil then
    -- Neovim 0.8 and later reuse the client whose name and root match.
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if client == nil or client.is_stopped() then
    id = vim.lsp.start_client(client_config(root))
    if id == nil then
      vim.notify('gapmine: could not start ' .. table.concat(options.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Sets the options and the autocommands; call it once, from your init.lua.
function M.setup(opts)
  options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  if vim.fn.executable(options.cmd[1]) ~= 1 then
    vim.notify(
      'gapmine: `' .. options.cmd[1] .. '` is not an executable; install gapmine '
        .. '(cargo install --path crates/gapmine-cli) or pass its path as cmd',
      vim.log.levels.WARN
    )
  end
  local group = vim.api.nvim_create_augroup('gapmine', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = '*.kdl',
    command = 'setfiletype kdl',
  })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = options.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
end

return M
