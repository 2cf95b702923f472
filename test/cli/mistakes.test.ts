// Every mistake a user makes on the command line, as a table: each is one line `error SYN####: …` (after any
// diagnostics of `synth check`'s kind), exit 1, never "internal error" and never a stack trace (issue #17).
// The table covers every command × bad paths (missing, a folder, a file where a folder goes, a link to
// nothing), bad numbers, unknown names, bad --backend/--shard/--out/--format, a spec naming what does not work.
// `synth report`'s own mistakes (bad manifests, unreadable outputs) are in test/report/report.test.ts.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';
import { ROOT } from '../support/examples.js';
import { STARTER } from '../../cli/commands/init.js';

/** A project folder with a spec, a folder, links to nothing, and specs that name sources and paths badly. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-mistakes-'));
  writeFileSync(path.join(dir, 'spec.synth'), STARTER);
  mkdirSync(path.join(dir, 'd'));
  symlinkSync('nowhere.synth', path.join(dir, 'dangling.synth'));
  // a FIFO named like a spec: read, it would block; replaced by fmt --write's rename, a device would be lost
  // (found trying `synth fmt --write /dev/null`, which turned /dev/null into a regular file)
  execFileSync('mkfifo', [path.join(dir, 'pipe.synth')]);
  mkdirSync(path.join(dir, 'docs'));
  writeFileSync(path.join(dir, 'docs', 'a.md'), '# A\n');
  symlinkSync('moved.md', path.join(dir, 'docs', 'b.md'));
  const source = (glob: string) => `goal "g" { seed 1 }
source docs = files("${glob}")
struct R { t: string }
dataset d: R { for c in docs row = { t: c.text } output "out/d.jsonl" }
`;
  writeFileSync(path.join(dir, 'links.synth'), source('docs/*.md'));
  writeFileSync(path.join(dir, 'nofiles.synth'), source('nodocs/*.md'));
  writeFileSync(path.join(dir, 'outside.synth'), STARTER.replace('output "out/requests.jsonl"', 'output "../escaped.jsonl"'));
  writeFileSync(path.join(dir, 'imports-folder.synth'), 'import "d"\n' + STARTER);
  copyFileSync(path.join(ROOT, 'examples', 'tickets', 'tickets.synth'), path.join(dir, 'tickets.synth'));
  return dir;
}

type Case = [what: string, args: string[], code: string, message: RegExp];

const table: Case[] = [
  // the command line itself
  ['an unknown command', ['bogus'], 'SYN4103', /'bogus' is not a synth command \(one of: check, /],
  ['a misspelt command', ['chek', 'spec.synth'], 'SYN4103', /did you mean 'check'\?/],
  ['an unknown option', ['run', 'spec.synth', '--limt', '3'], 'SYN4102', /`synth run` has no option '--limt' — did you mean '--limit'\?/],
  ['a missing spec argument', ['run'], 'SYN4104', /`synth run` needs <file> \(spec file\) \(usage: synth run \[options\] <file>\)/],
  ['check without files', ['check'], 'SYN4104', /`synth check` needs <files\.\.\.>/],
  ['an option without its value', ['run', 'spec.synth', '--limit'], 'SYN4104', /needs a value after --limit/],
  ['two specs to run', ['run', 'spec.synth', 'other.synth'], 'SYN4105', /takes one argument; 'other\.synth' is one too many/],
  // numbers
  ['--limit -5', ['run', 'spec.synth', '--limit', '-5'], 'SYN4101', /--limit takes a whole number of at least 1, not '-5'/],
  ['--limit abc', ['run', 'spec.synth', '--limit', 'abc'], 'SYN4101', /not 'abc'/],
  ['--limit 0', ['run', 'spec.synth', '--limit', '0'], 'SYN4101', /not '0'/],
  ['--limit 2.5', ['run', 'spec.synth', '--limit', '2.5'], 'SYN4101', /not '2\.5'/],
  ['--limit 1e3', ['run', 'spec.synth', '--limit', '1e3'], 'SYN4101', /not '1e3'/],
  ['--limit beyond a safe integer', ['run', 'spec.synth', '--limit', '99999999999999999999'], 'SYN4101', /not '99999999999999999999'/],
  ['--concurrency 0', ['run', 'spec.synth', '--concurrency', '0'], 'SYN4101', /--concurrency takes a whole number of at least 1, not '0'/],
  ['--budget -1', ['run', 'spec.synth', '--budget', '-1'], 'SYN4101', /--budget takes an amount of USD/],
  ['--budget abc', ['run', 'spec.synth', '--budget', 'abc'], 'SYN4101', /not 'abc'/],
  ['--budget NaN', ['run', 'spec.synth', '--budget', 'NaN'], 'SYN4101', /not 'NaN'/],
  ['--budget Infinity', ['run', 'spec.synth', '--budget', 'Infinity'], 'SYN4101', /not 'Infinity'/],
  ['--max-diagnostics 0', ['check', 'spec.synth', '--max-diagnostics', '0'], 'SYN4101', /--max-diagnostics takes a whole number/],
  ['--shard 2/2', ['run', 'spec.synth', '--shard', '2/2'], 'SYN4101', /--shard takes i\/n with 0 ≤ i < n.*not '2\/2'/],
  ['--shard 0/0', ['run', 'spec.synth', '--shard', '0/0'], 'SYN4101', /not '0\/0'/],
  ['--shard abc', ['run', 'spec.synth', '--shard', 'abc'], 'SYN4101', /not 'abc'/],
  // numbers only as people write them (adv17): spaces, signs and leading zeros are refused, not trimmed
  ['--limit " 5" (spaces)', ['run', 'spec.synth', '--limit', ' 5'], 'SYN4101', /--limit takes a whole number of at least 1, not ' 5'/],
  ['--limit "5 " (spaces)', ['run', 'spec.synth', '--limit', '5 '], 'SYN4101', /not '5 '/],
  ['--limit +5', ['run', 'spec.synth', '--limit', '+5'], 'SYN4101', /not '\+5'/],
  ['--limit 05', ['run', 'spec.synth', '--limit', '05'], 'SYN4101', /not '05'/],
  ['--concurrency " 2"', ['run', 'spec.synth', '--concurrency', ' 2'], 'SYN4101', /not ' 2'/],
  ['--budget " 5"', ['run', 'spec.synth', '--budget', ' 5'], 'SYN4101', /not ' 5'/],
  ['--budget +1', ['run', 'spec.synth', '--budget', '+1'], 'SYN4101', /not '\+1'/],
  ['--shard " 0/2"', ['run', 'spec.synth', '--shard', ' 0/2'], 'SYN4101', /not ' 0\/2'/],
  ['--shard 00/2', ['run', 'spec.synth', '--shard', '00/2'], 'SYN4101', /not '00\/2'/],
  ['--max-memory abc', ['run', 'spec.synth', '--max-memory', 'abc'], 'SYN4101', /--max-memory takes a size above 0 such as 512MiB, 8GiB or unlimited, not 'abc'/],
  ['--max-memory -1', ['run', 'spec.synth', '--max-memory', '-1'], 'SYN4101', /--max-memory takes .*, not '-1'/],
  ['--max-memory 0', ['run', 'spec.synth', '--max-memory', '0'], 'SYN4101', /--max-memory takes .*, not '0'/],
  ['--max-memory 5XB', ['run', 'spec.synth', '--max-memory', '5XB'], 'SYN4101', /--max-memory takes .*, not '5XB'/],
  ['--socket 0', ['lsp', '--socket', '0'], 'SYN4101', /--socket takes a whole number of at least 1/],
  ['--socket 70000', ['lsp', '--socket', '70000'], 'SYN4101', /--socket takes a port number from 1 to 65535/],
  // names and choices
  ['--backend gpu', ['run', 'spec.synth', '--backend', 'gpu'], 'SYN4101', /--backend takes one of auto, cpu, webgpu, not 'gpu' — did you mean 'cpu'\?/],
  ['--format xml', ['check', 'spec.synth', '--format', 'xml'], 'SYN4101', /--format takes one of text, json, not 'xml'/],
  ['--format json without --dry-run', ['run', 'spec.synth', '--format', 'json'], 'SYN4110', /--format json works only with --dry-run/],
  ['--dataset nope', ['run', 'spec.synth', '--dataset', 'nope'], 'SYN4106', /--dataset nope: the spec has no dataset of that name \(one of: requests\)/],
  ['--dataset with a typo', ['run', 'spec.synth', '-d', 'request', '--dry-run'], 'SYN4106', /did you mean 'requests'\?/],
  ['--dataset __proto__', ['run', 'spec.synth', '-d', '__proto__'], 'SYN4106', /--dataset __proto__/],
  ['synth lsp without a transport', ['lsp'], 'SYN4109', /`synth lsp` talks to an editor over one transport: pass --stdio/],
  ['synth lsp with two transports', ['lsp', '--stdio', '--node-ipc'], 'SYN4109', /\(given: --stdio, --node-ipc\)/],
  // paths given to commands
  ['check a missing file', ['check', 'nope.synth'], 'SYN1008', /file 'nope\.synth' does not exist/],
  ['check a folder', ['check', 'd'], 'SYN1050', /cannot read 'd': it is a folder, not a \.synth file/],
  ['check a link to nothing', ['check', 'dangling.synth'], 'SYN1050', /it is a symbolic link to 'nowhere\.synth', which does not exist/],
  ['check a spec importing a folder', ['check', 'imports-folder.synth'], 'SYN1050', /cannot read 'd': it is a folder/],
  ['fmt a folder', ['fmt', 'd'], 'SYN1050', /it is a folder/],
  ['fmt --check a missing file', ['fmt', '--check', 'nope.synth'], 'SYN1008', /does not exist/],
  ['fmt a link to nothing', ['fmt', 'dangling.synth'], 'SYN1050', /symbolic link/],
  ['check a FIFO', ['check', 'pipe.synth'], 'SYN1050', /cannot read 'pipe\.synth': it is not a regular file/],
  ['fmt --write a FIFO', ['fmt', '--write', 'pipe.synth'], 'SYN1050', /it is not a regular file/],
  ['run a FIFO', ['run', 'pipe.synth'], 'SYN1050', /it is not a regular file/],
  ['build a folder', ['build', 'd'], 'SYN1050', /it is a folder/],
  ['build -o a file', ['build', 'spec.synth', '-o', 'spec.synth'], 'SYN4107', /'spec\.synth' \(-o\) is a file, not a folder/],
  ['run a folder', ['run', 'd'], 'SYN1050', /it is a folder/],
  ['run a missing file', ['run', 'nope.synth'], 'SYN1008', /does not exist/],
  ['run --out a file', ['run', 'spec.synth', '--out', 'spec.synth'], 'SYN4107', /'spec\.synth' \(--out\) is a file, not a folder/],
  // an output folder that cannot be written: refused before any work (`-o /proc/x` made Node's mkdir loop forever)
  ['run --out under /proc', ['run', 'spec.synth', '--out', '/proc/synth-x'], 'SYN4112', /'\/proc\/synth-x' \(--out\) cannot be written: the file system at '\/proc' makes no new folders/],
  ['run --out /proc itself', ['run', 'spec.synth', '--out', '/proc'], 'SYN4112', /'\/proc' \(--out\) cannot be written/],
  ['build -o under /proc', ['build', 'spec.synth', '-o', '/proc/synth-x'], 'SYN4112', /\(-o\) cannot be written/],
  ['init under /proc', ['init', '/proc/synth-x'], 'SYN4112', /\(synth init's folder\) cannot be written/],
  // an empty path is a mistake, not the current folder
  ['check an empty path', ['check', ''], 'SYN4111', /`synth check` was given an empty <files\.\.\.> \(spec files\)/],
  ['fmt an empty path', ['fmt', ''], 'SYN4111', /`synth fmt` was given an empty <files\.\.\.>/],
  ['run an empty path', ['run', ''], 'SYN4111', /`synth run` was given an empty <file> \(spec file\)/],
  ['report an empty path', ['report', ''], 'SYN4111', /`synth report` was given an empty <dir>/],
  ['run --out an empty path', ['run', 'spec.synth', '--out', ''], 'SYN4111', /`synth run` was given an empty value of --out/],
  ['run --dataset an empty name', ['run', 'spec.synth', '--dataset', ''], 'SYN4111', /empty value of --dataset/],
  ['report a missing folder', ['report', 'nope'], 'SYN5201', /'nope' does not exist: `synth report` reads the folder/],
  ['report a spec file', ['report', 'spec.synth'], 'SYN5201', /is a file, not a folder/],
  ['verify a missing folder', ['verify', 'nope'], 'SYN5201', /'nope' does not exist: `synth verify` reads/],
  ['verify a spec file', ['verify', 'spec.synth'], 'SYN5201', /'spec\.synth' is a file, not a folder.*synth run spec\.synth/],
  ['verify a folder without manifests', ['verify', 'd'], 'SYN5201', /holds no \*\.manifest\.json/],
  ['merge a missing folder', ['merge', 'nope'], 'SYN5201', /`synth merge` reads/],
  ['merge a spec file', ['merge', 'spec.synth'], 'SYN5201', /is a file, not a folder/],
  ['merge a folder without manifests', ['merge', 'd'], 'SYN5201', /holds no \*\.manifest\.json/],
  ['init into a file', ['init', 'spec.synth'], 'SYN4107', /'spec\.synth' \(synth init's folder\) is a file, not a folder/],
  ['init over an existing spec', ['init', '.'], 'SYN4108', /'spec\.synth' already exists; synth init does not overwrite it/],
  ['init --name with a folder', ['init', '.', '--name', 'a/b'], 'SYN4101', /--name takes a file name without folders/],
  // what a spec names
  ['a files() pattern matching a link to nothing', ['run', 'links.synth'], 'SYN5070', /files\("docs\/\*\.md"\) matches 'docs\/b\.md', a symbolic link to 'moved\.md', which does not exist/],
  ['… also in a dry run', ['run', 'links.synth', '--dry-run'], 'SYN5070', /docs\/b\.md/],
  ['a files() pattern matching nothing', ['run', 'nofiles.synth'], 'SYN5007', /matches no file/],
  ['an output outside the project', ['run', 'outside.synth'], 'SYN4002', /resolves outside the project folder/],
  ['a model without its API key', ['run', 'tickets.synth', '--limit', '1'], 'SYN5001', /model 'writer' has no API key: set the environment variable OPENAI_API_KEY/],
];

/** The run failed as a user's mistake should: one `error CODE: …` line matching `message`, exit 1, no stack trace. */
function expectOneCodedLine(r: { stderr: string; code: number | null }, code: string, message: RegExp): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |Error:/);
  const errors = r.stderr.split('\n').filter((l) => /error SYN\d{4}/.test(l));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toContain(`error ${code}: `);
  expect(errors[0]).toMatch(message);
  expect(r.code, r.stderr).toBe(1);
}

describe('synth: every user mistake is one coded line and exit 1', () => {
  it.concurrent.each(table)('%s → %s', async (_what, args, code, message) => {
    const dir = project();
    const r = await synthAsync(args, { cwd: dir, env: { OPENAI_API_KEY: '' } });
    expectOneCodedLine(r, code, message);
    if (args.includes('pipe.synth')) expect(lstatSync(path.join(dir, 'pipe.synth')).isFIFO()).toBe(true);
  });
});

/** Mistakes in the environment: [what, args, environment, code, message]. */
const envTable: Array<[string, string[], Record<string, string>, string, RegExp]> = [
  ['SYNTH_CPU_WORKERS=abc', ['run', 'spec.synth'], { SYNTH_CPU_WORKERS: 'abc' }, 'SYN4113', /the environment variable SYNTH_CPU_WORKERS takes a whole number of at least 1 .*, not 'abc'/],
  ['SYNTH_CPU_WORKERS=0', ['run', 'spec.synth', '--dry-run'], { SYNTH_CPU_WORKERS: '0' }, 'SYN4113', /not '0'/],
  ['SYNTH_CPU_WORKERS=-2', ['run', 'spec.synth'], { SYNTH_CPU_WORKERS: '-2' }, 'SYN4113', /not '-2'/],
  ['SYNTH_CPU_WORKERS=1.5', ['run', 'spec.synth'], { SYNTH_CPU_WORKERS: '1.5' }, 'SYN4113', /not '1\.5'/],
  ['SYNTH_CPU_WORKERS=" 4"', ['run', 'spec.synth'], { SYNTH_CPU_WORKERS: ' 4' }, 'SYN4113', /not ' 4'/],
];

describe('synth: a bad environment variable is one coded line and exit 1, before any work', () => {
  it.concurrent.each(envTable)('%s', async (_what, args, env, code, message) => {
    const dir = project();
    const r = await synthAsync(args, { cwd: dir, env: { OPENAI_API_KEY: '', ...env } });
    expectOneCodedLine(r, code, message);
    expect(existsSync(path.join(dir, 'out')), 'nothing was written').toBe(false);
  });
});

describe('exit codes of coded errors and bugs', () => {
  it('every code of the registry has an exit code: 1 for the user’s mistakes, 2 for a run stopped on an error or a bug', async () => {
    const { DIAGNOSTICS } = await import('../../base/diagnostics.js');
    const { exitCodeOf } = await import('../../cli/exit-codes.js');
    for (const code of Object.keys(DIAGNOSTICS)) {
      const expected = /^SYN[0-4]/.test(code) || /^SYN5[12]/.test(code) ? 1 : undefined;
      if (expected !== undefined) expect(exitCodeOf(code), code).toBe(expected);
      else expect([1, 2], code).toContain(exitCodeOf(code));
    }
    // what stops a run, outside the user's input, keeps exit 2 (docs/runtime.md)
    for (const code of ['SYN5002', 'SYN5003', 'SYN5004', 'SYN5020', 'SYN5021', 'SYN5023', 'SYN5027', 'SYN6001', 'SYN6002', 'SYN6003', 'SYN6004', 'SYN6006', 'SYN6007', 'SYN6008', 'SYN6009', 'SYN9001']) expect(exitCodeOf(code), code).toBe(2);
    // the situations SYN5006/SYN5007/SYN5001 were split into keep those codes' exit 1
    for (const code of ['SYN5006', 'SYN5007', 'SYN5009', 'SYN5010', 'SYN5011', 'SYN5012', 'SYN5013', 'SYN5014', 'SYN5015', 'SYN5016', 'SYN5017', 'SYN5018', 'SYN5030', 'SYN5031', 'SYN5101', 'SYN5109']) expect(exitCodeOf(code), code).toBe(1);
  });

  it('an exception that is not a SynthError is said to be a bug in one line, exit 2, without a stack', async () => {
    const { reportError } = await import('../../cli/errors.js');
    const { synthError } = await import('../../base/diagnostics.js');
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (written.push(String(s)), true)) as typeof process.stderr.write;
    const debug = process.env['SYNTH_DEBUG'];
    delete process.env['SYNTH_DEBUG'];
    try {
      expect(reportError(new TypeError('x is undefined\u001b[2J'))).toBe(2);
      expect(reportError(synthError('SYN4101', { option: '--limit', expected: 'a whole number of at least 1', value: '0' }))).toBe(1);
      expect(reportError(synthError('SYN5023', { file: 'out/x.jsonl', reason: 'the disk is full' }))).toBe(2);
    } finally {
      process.stderr.write = write;
      if (debug !== undefined) process.env['SYNTH_DEBUG'] = debug;
    }
    const text = written.join('');
    expect(text).toContain('synth: internal error: x is undefined\ufffd[2J\n');
    expect(text).toContain('This is a bug in synth, not in your input: please report it');
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).toContain("error SYN4101: --limit takes a whole number of at least 1, not '0'\n");
  });
});
