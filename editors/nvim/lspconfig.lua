-- gapmine with nvim-lspconfig, for those who configure every server through it. Copy the block
-- for your Neovim into your init.lua. (Without nvim-lspconfig, use the module in
-- editors/nvim/lua/gapmine: `require('gapmine').setup({})`.) docs/editors.md has the details.
--
-- The server is attached only to `.kdl` files with a `gapmine.kdl` at or above their folder:
-- other KDL files get no gapmine server.

-- Neovim 0.11 and later (nvim-lspconfig 2.x, or no plugin at all): `vim.lsp.config`.
if vim.lsp.config ~= nil then
  vim.lsp.config('gapmine', {
    cmd = { 'gapmine', 'lsp' },
    filetypes = { 'kdl' },
    -- Only inside a catalogue: the client starts only when `on_dir` is called.
    root_dir = function(bufnr, on_dir)
      local root = vim.fs.root(bufnr, { 'gapmine.kdl' })
      if root then
        on_dir(root)
      end
    end,
    -- The escape-record history (JSONL), relative to the catalogue's folder:
    -- init_options = { records = 'history/escapes.jsonl' },
  })
  vim.lsp.enable('gapmine')
  return
end

-- Neovim 0.7 to 0.10 with nvim-lspconfig 0.1 to 1.x: a custom server.
local configs = require('lspconfig.configs')
local util = require('lspconfig.util')
if configs.gapmine == nil then
  configs.gapmine = {
    default_config = {
      cmd = { 'gapmine', 'lsp' },
      filetypes = { 'kdl' },
      root_dir = util.root_pattern('gapmine.kdl'),
      -- Without a catalogue root, no server: other KDL files are left alone.
      single_file_support = false,
      init_options = {},
      settings = {},
    },
    docs = {
      description = 'gapmine: catalogues of failure modes (https://github.com/gapmine/gapmine)',
    },
  }
end
require('lspconfig').gapmine.setup({
  -- init_options = { records = 'history/escapes.jsonl' },
})
-- Neovim before 0.9 does not know the `kdl` filetype.
vim.cmd('autocmd BufRead,BufNewFile *.kdl setfiletype kdl')
