// The gapmine extension: gives catalogue files their language, runs `gapmine lsp` as the
// language server for them, and shows its state in the status bar.

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { LANGUAGE_ID, claimIfCatalogueFile } from './catalogue';
import { CatalogueFinder, MANIFEST } from './roots';
import { resolveServerBinary } from './server';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let lastProblem: string | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('gapmine');
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.command = 'gapmine.showServerStatus';
  context.subscriptions.push(output, status);

  const finder = new CatalogueFinder();
  const claim = (document: vscode.TextDocument) => {
    if (vscode.workspace.getConfiguration('gapmine').get<boolean>('claimCatalogueFiles', true)) {
      claimIfCatalogueFile(finder, document).catch((e) => output.appendLine(`${e}`));
    }
  };
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(claim));
  vscode.workspace.textDocuments.forEach(claim);

  // A `gapmine.kdl` created or deleted changes which files are catalogue files.
  const manifests = vscode.workspace.createFileSystemWatcher(`**/${MANIFEST}`);
  const forget = (uri: vscode.Uri) => finder.forget(vscode.Uri.joinPath(uri, '..').fsPath);
  manifests.onDidCreate((uri) => {
    forget(uri);
    vscode.workspace.textDocuments.forEach(claim);
  });
  manifests.onDidDelete(forget);
  context.subscriptions.push(manifests);

  context.subscriptions.push(
    vscode.commands.registerCommand('gapmine.restartServer', restart),
    vscode.commands.registerCommand('gapmine.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('gapmine.showServerStatus', showStatus),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gapmine.server.path')) {
        void restart();
      } else if (
        (e.affectsConfiguration('gapmine.records.history') || e.affectsConfiguration('gapmine.decisions')) &&
        client?.isRunning()
      ) {
        void client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { gapmine: serverSettings() },
        });
      }
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/**
 * The settings the server reads, in the shape it documents (docs/lsp.md): `records` is the path
 * of the escape-record history, `decisions` the path of pending `gapmine learn` decisions. They go
 * to the server as initializationOptions, and again under `gapmine` in
 * workspace/didChangeConfiguration whenever they change.
 */
function serverSettings(): { records: string | null; decisions: string | null } {
  const config = vscode.workspace.getConfiguration('gapmine');
  const path = (key: string): string | null => {
    const value = config.get<string>(key, '').trim();
    return value === '' ? null : value;
  };
  return { records: path('records.history'), decisions: path('decisions') };
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration('gapmine').get<string>('server.path', '');
  const binary = resolveServerBinary(configured, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  if ('problem' in binary) {
    lastProblem = binary.problem;
    showState('not running', binary.problem, true);
    output.appendLine(binary.problem);
    const choice = await vscode.window.showErrorMessage(binary.problem, 'Open Settings');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'gapmine.server.path');
    }
    return;
  }
  lastProblem = undefined;

  const serverOptions: ServerOptions = {
    command: binary.command,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: LANGUAGE_ID }],
    initializationOptions: serverSettings(),
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  client = new LanguageClient('gapmine', 'gapmine', serverOptions, clientOptions);
  client.onDidChangeState((e) => {
    switch (e.newState) {
      case State.Starting:
        showState('starting', `Starting ${binary.command} lsp`, false);
        break;
      case State.Running: {
        const info = client?.initializeResult?.serverInfo;
        const version = info?.version ? ` ${info.version}` : '';
        showState('running', `${binary.command} lsp${version}`, false);
        break;
      }
      case State.Stopped:
        showState('stopped', 'The language server stopped; click to restart it.', true);
        break;
    }
  });
  output.appendLine(`Starting ${binary.command} lsp`);
  try {
    await client.start();
  } catch (e) {
    lastProblem = `gapmine: the language server did not start: ${e}`;
    showState('not running', lastProblem, true);
    void vscode.window.showErrorMessage(lastProblem);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.dispose();
  }
}

async function restart(): Promise<void> {
  output.appendLine('Restarting the language server');
  await stop();
  await start();
}

function showState(state: string, tooltip: string, warning: boolean): void {
  status.text = `${warning ? '$(warning)' : '$(check)'} gapmine`;
  status.tooltip = `gapmine: ${state}. ${tooltip}`;
  status.backgroundColor = warning
    ? new vscode.ThemeColor('statusBarItem.warningBackground')
    : undefined;
  status.show();
}

async function showStatus(): Promise<void> {
  const state =
    client === undefined
      ? 'not running'
      : client.state === State.Running
        ? 'running'
        : client.state === State.Starting
          ? 'starting'
          : 'stopped';
  const detail = lastProblem ?? `The language server is ${state}.`;
  const choice = await vscode.window.showInformationMessage(
    detail,
    'Restart the server',
    'Show the output',
  );
  if (choice === 'Restart the server') {
    await restart();
  } else if (choice === 'Show the output') {
    output.show(true);
  }
}
