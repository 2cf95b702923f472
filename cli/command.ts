// commander's Command with its usage errors as coded SynthErrors: an unknown option or command (with a "did
// you mean"), a missing argument or option value, too many arguments. commander would print its own uncoded
// line; these overrides throw instead, main.ts prints the one coded line and exits 1 (cli/errors.ts).
// The overridden methods are commander 14's (lib/command.js: unknownOption, unknownCommand, missingArgument,
// optionMissingArgument, _excessArguments); test/cli/mistakes.test.ts holds each to its code.
import { Command, type Option } from 'commander';
import { synthError } from '../base/diagnostics.js';
import { closest } from '../compiler/suggest.js';

/** A `Command` whose usage errors are SYN4102–SYN4105 (see the file's header); subcommands are SynthCommands too. */
export class SynthCommand extends Command {
  override createCommand(name?: string): SynthCommand {
    return new SynthCommand(name);
  }

  /**
   * SYN4111 for an empty argument or option value (`synth check ''`, `--out ''`): an empty path would otherwise
   * name the current folder, or be ignored as unset. Called before each action (main.ts's preAction hook).
   */
  refuseEmptyValues(): void {
    this.registeredArguments.forEach((arg, i) => {
      const v: unknown = this.processedArgs[i];
      if ((Array.isArray(v) ? v : [v]).includes('')) {
        const shown = `<${arg.name()}${arg.variadic ? '...' : ''}>`;
        throw synthError('SYN4111', { command: this.path(), what: arg.description ? `${shown} (${arg.description})` : shown });
      }
    });
    for (const o of this.options) {
      const v: unknown = this.getOptionValue(o.attributeName());
      if ((Array.isArray(v) ? v : [v]).includes('')) throw synthError('SYN4111', { command: this.path(), what: `value of ${o.long ?? o.flags}` });
    }
  }

  /** `synth run`, `synth`: the command as typed. */
  private path(): string {
    const names: string[] = [];
    for (let c: Command | null = this; c; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  }

  unknownOption(flag: string): void {
    if ((this as unknown as { _allowUnknownOption?: boolean })._allowUnknownOption) return;
    const flags: string[] = [];
    for (let c: Command | null = this; c; c = c.parent) for (const o of c.createHelp().visibleOptions(c)) if (o.long) flags.push(o.long);
    const suggestion = flag.startsWith('--') ? closest(flag.split('=')[0]!, flags) : undefined;
    throw synthError('SYN4102', { command: this.path(), option: flag }, suggestion ? { suggestion } : {});
  }

  unknownCommand(): void {
    const name = String(this.args[0]);
    const names = this.createHelp().visibleCommands(this).map((c) => c.name());
    const suggestion = closest(name, names);
    throw synthError('SYN4103', { name }, suggestion ? { suggestion } : { choices: names });
  }

  missingArgument(name: string): void {
    const arg = this.registeredArguments.find((a) => a.name() === name);
    const shown = `<${name}${arg?.variadic ? '...' : ''}>`;
    const what = arg?.description ? `${shown} (${arg.description})` : shown;
    throw synthError('SYN4104', { command: this.path(), what, usage: this.usage() });
  }

  optionMissingArgument(option: Option): void {
    throw synthError('SYN4104', { command: this.path(), what: `a value after ${option.long ?? option.flags}`, usage: this.usage() });
  }

  _excessArguments(received: string[]): void {
    if ((this as unknown as { _allowExcessArguments?: boolean })._allowExcessArguments) return;
    const n = this.registeredArguments.length;
    const expected = n === 0 ? 'no arguments' : n === 1 ? 'one argument' : `${n} arguments`;
    throw synthError('SYN4105', { command: this.path(), expected, extra: String(received[n]), usage: this.usage() });
  }
}
