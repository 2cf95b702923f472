// Further commands register here (build, fmt, run, lsp, ...).
import type { Command } from "commander";
export function register(_program: Command, _exit: (code: number | Promise<number>) => void): void {}
