// The packaged VS Code extension: the .vsix (`npm run package:vscode`) and, with SYNTH_E2E_VSCODE=1, a real VS
// Code (code-server, installed on demand into .cache/code-server/) driven by headless Chromium. Screenshots go
// to test-output/vscode/. Both parts share one build, so they live in one file (vitest runs files in parallel).
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipOrFail } from '../support/skip.js';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { ensureCodeServer, startCodeServer, type CodeServer } from './support/code-server.js';
import { ROOT } from './support/textmate.js';

const run = promisify(execFile);
const EXT = path.join(ROOT, 'vscode-extension');
const OUT = path.join(ROOT, 'test-output/vscode');
const manifest = JSON.parse(readFileSync(path.join(EXT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  main: string;
  activationEvents: string[];
  contributes: { languages: Array<{ id: string; extensions: string[] }>; grammars: Array<{ path: string }>; commands: Array<{ command: string; title: string }> };
};
const VSIX = path.join(EXT, `${manifest.name}-${manifest.version}.vsix`);

/** What the bundled server says it can do (undefined until the initialize test ran). */
let serverCapabilities: Record<string, unknown> | undefined;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  rmSync(VSIX, { force: true });
  await run('npm', ['run', 'package:vscode'], { cwd: ROOT, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
}, 300_000);

describe('the .vsix', () => {
  it('holds the manifest, both bundles and the contributions, and nothing else', async () => {
    const { stdout } = await run('unzip', ['-Z1', VSIX]);
    const entries = stdout.trim().split('\n').sort();
    expect(entries).toEqual(
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/LICENSE.txt',
        'extension/dist/extension.js',
        'extension/dist/server.js',
        'extension/language-configuration.json',
        'extension/package.json',
        'extension/readme.md',
        'extension/snippets/synth.code-snippets',
        'extension/syntaxes/synth.tmLanguage.json',
      ].sort(),
    );
  });

  it('declares the language, its activation, grammar and commands', () => {
    expect(manifest.activationEvents).toEqual(['onLanguage:synth']);
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.contributes.languages[0]).toMatchObject({ id: 'synth', extensions: ['.synth'] });
    expect(existsSync(path.join(EXT, manifest.contributes.grammars[0]!.path))).toBe(true);
    const titles = manifest.contributes.commands.map((c) => c.title);
    expect(titles).toEqual(expect.arrayContaining(['Run dataset', 'Dry run', 'Preview prompt', 'Show WGSL', 'Show plan']));
  });

  it('the client sources type-check (esbuild does not)', async () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', path.join(EXT, 'tsconfig.json')], { cwd: ROOT, timeout: 120_000 }).catch((err: { stdout?: string }) => {
      throw new Error(`tsc -p vscode-extension failed:\n${err.stdout ?? String(err)}`);
    });
  }, 120_000);

  it('its server bundle runs on plain Node over stdio and publishes diagnostics', async () => {
    const server = spawn(process.execPath, [path.join(EXT, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
    conn.listen();
    try {
      const init = (await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as {
        capabilities: Record<string, unknown>;
      };
      serverCapabilities = init.capabilities;
      expect(init.capabilities['textDocumentSync']).toBeTruthy();
      await conn.sendNotification('initialized', {});
      const file = path.join(ROOT, 'examples/tickets/tickets.synth');
      const uri = `file://${file}`;
      const diagnostics = new Promise<Array<{ message: string }>>((resolve) =>
        conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Array<{ message: string }> }) => {
          if (p.uri === uri) resolve(p.diagnostics);
        }),
      );
      const text = readFileSync(file, 'utf8') + '\ndataset broken: Tikcet { count 1 }\n';
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'synth', version: 1, text } });
      const ds = await diagnostics;
      expect(ds.map((d) => d.message).join('\n')).toContain('Tikcet');
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } catch (err) {
      throw new Error(`${String(err)}\nserver stderr:\n${stderr}`);
    } finally {
      conn.dispose();
      server.kill();
    }
  });
});

// ------------------------------------------------------------------------------------------------ end to end

const E2E = !!process.env['SYNTH_E2E_VSCODE'];

describe.runIf(E2E)(`in VS Code (code-server + headless Chromium)${E2E ? '' : ' (skipped: opt-in, set SYNTH_E2E_VSCODE=1; .ci/run does)'}`, () => {
  let codeServer: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  const file = () => path.join(workspace, 'tickets.synth');
  const shot = (name: string) => page.screenshot({ path: path.join(OUT, name) });
  /** The real language server has completion and hover; a development stub may not. */
  const realServer = () => !!serverCapabilities?.['completionProvider'] && !!serverCapabilities?.['hoverProvider'];

  beforeAll(async () => {
    const bin = await ensureCodeServer();
    workspace = mkdtempSync(path.join(os.tmpdir(), 'synth-e2e-workspace-'));
    cpSync(path.join(ROOT, 'examples/tickets/tickets.synth'), file());
    codeServer = await startCodeServer({
      bin,
      vsix: VSIX,
      workspace,
      log: path.join(OUT, 'code-server.log'),
      settings: {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'chat.commandCenter.enabled': false,
        'editor.minimap.enabled': false,
        'files.autoSave': 'off',
        'synth.cli.path': path.join(ROOT, 'dist/cli/main.js'),
      },
    });
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(workspace)}`);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await codeServer?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  /** Runs a command from the palette by its title. */
  async function command(title: string) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  /** Moves the cursor to the end of the line holding `needle` (1-based line from the file on disk). */
  async function gotoEndOfLine(needle: string) {
    const lines = readFileSync(file(), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes(needle)) + 1;
    expect(line).toBeGreaterThan(0);
    await page.keyboard.press('Control+g');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
  }

  it('opens a .synth file: highlighted, language server ready', async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.getByRole('treeitem', { name: 'tickets.synth' }).click({ timeout: 60_000 });
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'write_ticket' }).waitFor();
    await page.getByLabel('Synth language server: ready').first().waitFor({ timeout: 60_000 });
    // TextMate tokens are coloured: the `struct` keyword does not have the default foreground class (mtk1)
    await expect
      .poll(() =>
        editor.evaluate((el) => {
          const span = [...el.querySelectorAll('.view-line span span')].find((s) => s.textContent === 'struct');
          return span ? span.className : 'not rendered';
        }),
      )
      .toMatch(/^mtk(?!1$)\d+/);
    await expect.poll(() => page.locator('.statusbar').innerText()).toContain('Synth');
    await shot('01-opened.png');
  }, 180_000);

  it('Dry run from the CodeLens streams `synth run --dry-run` into the Synth output channel', async () => {
    await gotoEndOfLine('dataset tickets'); // scroll it into view
    const lens = page.locator('.codelens-decoration a', { hasText: 'Dry run' }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 });
    await lens.click();
    const output = page.locator('.part.panel .view-lines');
    // the panel wraps long lines where its width ends (the command line holds the checkout's path, so where it
    // wraps depends on the folder the tests run in): words may be parted by any white space, a line break included
    await expect.poll(async () => ((await output.count()) ? (await output.first().innerText()).replace(/\u00a0/g, ' ') : ''), { timeout: 60_000 }).toMatch(
      /--dataset\s+tickets\s+--dry-run[\s\S]*tickets[\s\S]*Nothing\s+was\s+sent/,
    );
    await shot('02-dry-run.png');
    await page.keyboard.press('Control+j'); // hide the panel
  }, 120_000);

  it('shows a diagnostic squiggle after a planted mistake', async (ctx) => {
    if (!realServer()) skipOrFail(ctx, 'the packaged language server announced no completion or hover provider (a development stub?)');
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('dataset broken: Tikcet { count 1 }\n');
    const squiggle = page.locator('.editor-instance .squiggly-error').first();
    await squiggle.waitFor({ timeout: 60_000 });
    // the hover shows the diagnostic with its code (the Problems panel below checks the message itself).
    // Decorations lie under the text layer: hover by position. A re-render (diagnostics republished, the
    // squiggle redrawn) can dismiss a hover that was about to show, so move away and back until it stays.
    const hover = page.locator('.monaco-hover', { hasText: /SYN\d{4}/ }).first();
    await expect
      .poll(
        async () => {
          const box = await squiggle.boundingBox();
          if (!box) return false;
          const x = box.x + Math.min(box.width / 2, 20);
          const y = box.y + box.height / 2;
          await page.mouse.move(x, y - 60);
          await page.mouse.move(x, y);
          await page.mouse.move(x + 2, y);
          return hover.waitFor({ state: 'visible', timeout: 4_000 }).then(
            () => true,
            () => false,
          );
        },
        { timeout: 45_000, interval: 250 },
      )
      .toBe(true);
    await expect.poll(() => hover.evaluate((el) => getComputedStyle(el).opacity)).toBe('1'); // fade-in done
    await shot('03-diagnostic.png');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+M');
    await expect.poll(() => page.locator('.markers-panel').first().innerText().catch(() => ''), { timeout: 30_000 }).toContain('Tikcet');
    await shot('04-problems.png');
    await page.keyboard.press('Control+j');
    // remove the mistake (the last line): the squiggles go away
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.editor-instance .squiggly-error').count(), { timeout: 30_000 }).toBe(0);
  }, 120_000);

  it('completes a prompt parameter inside a template', async (ctx) => {
    if (!realServer()) skipOrFail(ctx, 'the packaged language server announced no completion or hover provider (a development stub?)');
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await gotoEndOfLine('Write the ticket they send.');
    await page.keyboard.type(' Mention the {pro');
    await page.keyboard.press('Control+Space');
    const item = page.locator('.suggest-widget .monaco-list-row', { hasText: 'product' }).first();
    await item.waitFor({ timeout: 30_000 });
    await shot('05-completion.png');
    await item.click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    await expect.poll(() => readFileSync(file(), 'utf8'), { timeout: 30_000 }).toMatch(/Mention the \{product\}?/);
  }, 120_000);

  it('Synth: Preview prompt renders the prompt beside the editor', async (ctx) => {
    if (!realServer()) skipOrFail(ctx, 'the packaged language server announced no completion or hover provider (a development stub?)');
    await gotoEndOfLine('A {tier} customer');
    await command('Synth: Preview prompt');
    const tab = page.locator('.tab', { hasText: 'write_ticket' });
    await tab.first().waitFor({ timeout: 60_000 });
    const preview = page.locator('.editor-instance .view-lines', { hasText: 'You write realistic customer-support tickets' });
    await preview.first().waitFor({ timeout: 30_000 });
    expect((await preview.first().innerText()).replace(/\u00a0/g, ' ')).toMatch(/Mention the \S+/);
    await shot('06-preview.png');
  }, 120_000);
});
