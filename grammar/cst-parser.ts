// The grammar of Synth, as a Chevrotain CstParser. This file is the language's syntax definition: read it
// top-down (one rule per construct) and see docs/grammar.html for the railroad diagrams generated from it.
//
// A file is split into top-level segments before parsing (see segments.ts), and each segment is parsed with
// the `decl` rule, so a mistake in one declaration never hides the next. Within a declaration Chevrotain's
// error recovery (re-sync and single-token insertion/deletion) keeps going.
import { CstParser, EarlyExitException, NoViableAltException, getLookaheadPaths, type IOrAlt, type IToken, type OrMethodOpts, type TokenType } from 'chevrotain';
import * as T from './lexer.js';

const K = T.Kw;

/** Chevrotain internals the error-message cache below uses (present at run time, absent from its typings). */
interface ParserInternals {
  getCurrRuleFullName(): string;
  maxLookahead: number;
  SAVE_ERROR(e: Error): Error;
  errorMessageProvider: {
    buildNoViableAltMessage(o: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; previous: IToken; customUserDescription?: string | undefined; ruleName: string }): string;
    buildEarlyExitMessage(o: { expectedIterationPaths: TokenType[][]; actual: IToken[]; previous: IToken; customUserDescription?: string | undefined; ruleName: string }): string;
  };
}

/** Chevrotain's production types, indexed as `raiseEarlyExitException` receives them. */
const PROD_NAMES = ['Option', 'Repetition', 'RepetitionMandatory', 'RepetitionMandatoryWithSeparator', 'RepetitionWithSeparator', 'Alternation'] as const;

/** The Chevrotain grammar of Synth: one rule per construct; `decl` and `expr` are the entry rules. */
export class SynthCstParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'onlyOffset', maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  /**
   * An OR's alternatives, built once and reused (Chevrotain's "cache arrays of alternatives" optimisation):
   * building the `{ ALT }` objects and closures on every call was a large share of parse time.
   */
  private readonly altCache = new Map<string, IOrAlt<unknown>[] | OrMethodOpts<unknown>>();
  private alts<A extends IOrAlt<unknown>[] | OrMethodOpts<unknown>>(key: string, make: () => A): A {
    let a = this.altCache.get(key);
    if (!a) this.altCache.set(key, (a = make()));
    return a as A;
  }

  /**
   * Chevrotain builds every "expected …" message by recomputing the grammar's lookahead paths for the failing
   * alternation or repetition (its source says "can be slow … consider caching"): on broken input that was most
   * of the parse time (milliseconds per error). The paths depend only on (rule, occurrence, production type), so
   * they are cached; the messages are byte for byte Chevrotain's.
   */
  private readonly lookaheadCache = new Map<string, TokenType[][][]>();
  private lookaheadPaths(ruleName: string, occurrence: number, prodType: (typeof PROD_NAMES)[number]): TokenType[][][] {
    const key = `${ruleName}\u0000${occurrence}\u0000${prodType}`;
    let hit = this.lookaheadCache.get(key);
    if (!hit) {
      const rule = this.getGAstProductions()[ruleName]!;
      hit = getLookaheadPaths({ occurrence, rule, prodType, maxLookahead: (this as unknown as ParserInternals).maxLookahead }) as TokenType[][][];
      this.lookaheadCache.set(key, hit);
    }
    return hit;
  }

  /**
   * The computations that error messages would otherwise do the first time each production fails — the lookahead
   * paths of every alternation and repetition (up to ~40 ms for one, ~80 ms for all) — as steps of one production
   * each, for a long-lived caller (the language server) to run in idle time, so that no edit pays them.
   */
  warmUpSteps(): Array<() => void> {
    const steps: Array<() => void> = [];
    const walk = (rule: string, node: { constructor: { name: string }; idx?: number; definition?: unknown[] }): void => {
      const kind = node.constructor.name as (typeof PROD_NAMES)[number] | 'NonTerminal';
      if (kind === 'NonTerminal') return; // a reference to another rule, walked as that rule
      if ((PROD_NAMES as readonly string[]).includes(kind) && node.idx !== undefined) {
        const occurrence = node.idx;
        steps.push(() => void this.lookaheadPaths(rule, occurrence, kind as (typeof PROD_NAMES)[number]));
      }
      for (const d of node.definition ?? []) walk(rule, d as typeof node);
    };
    for (const [name, rule] of Object.entries(this.getGAstProductions())) walk(name, rule as unknown as Parameters<typeof walk>[1]);
    return steps;
  }

  private actualTokens(): IToken[] {
    const out: IToken[] = [];
    for (let i = 1; i <= (this as unknown as ParserInternals).maxLookahead; i++) out.push(this.LA(i));
    return out;
  }

  /** The "Expecting: …" part of each no-viable-alternative message (it does not depend on the input). */
  private readonly noAltExpecting = new Map<string, string>();

/**
 * Chevrotain's no-viable-alternative error with the "Expecting: …" part cached per rule and occurrence (it does
 * not depend on the input), so recovery on broken input does not recompute lookahead paths. Always throws.
 */
  raiseNoAltException(occurrence: number, errMsgTypes?: string): never {
    const self = this as unknown as ParserInternals;
    const ruleName = self.getCurrRuleFullName();
    const previous = this.LA(0);
    const key = `${ruleName}\u0000${occurrence}`;
    const suffix = `\nbut found: '${this.LA(1).image}'`;
    let msg: string;
    const expecting = errMsgTypes === undefined ? this.noAltExpecting.get(key) : undefined;
    if (expecting !== undefined) msg = expecting + suffix;
    else {
      msg = self.errorMessageProvider.buildNoViableAltMessage({
        expectedPathsPerAlt: this.lookaheadPaths(ruleName, occurrence, 'Alternation'),
        actual: this.actualTokens(),
        previous,
        customUserDescription: errMsgTypes,
        ruleName,
      });
      if (errMsgTypes === undefined && msg.endsWith(suffix)) this.noAltExpecting.set(key, msg.slice(0, -suffix.length));
    }
    throw self.SAVE_ERROR(new NoViableAltException(msg, this.LA(1), previous));
  }

/**
 * Chevrotain's early-exit error (a `+` repetition with no iteration), built from the same lookahead paths.
 * Always throws.
 */
  raiseEarlyExitException(occurrence: number, prodType: number, userDefinedErrMsg?: string): never {
    const self = this as unknown as ParserInternals;
    const ruleName = self.getCurrRuleFullName();
    const msg = self.errorMessageProvider.buildEarlyExitMessage({
      expectedIterationPaths: this.lookaheadPaths(ruleName, occurrence, PROD_NAMES[prodType] ?? 'Repetition')[0]!,
      actual: this.actualTokens(),
      previous: this.LA(0),
      customUserDescription: userDefinedErrMsg,
      ruleName,
    });
    throw self.SAVE_ERROR(new EarlyExitException(msg, this.LA(1), this.LA(0)));
  }

  /** A name: an identifier or a soft keyword (soft keywords are in the Identifier category). */
  private name(label = 'name'): IToken {
    return this.CONSUME(T.Identifier, { LABEL: label });
  }

  // ------------------------------------------------------------------ declarations

  public decl = this.RULE('decl', () => {
    this.OR(this.alts('decl1', () => [
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.goalDecl) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.structDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.promptDecl) },
      { ALT: () => this.SUBRULE(this.sourceDecl) },
      { ALT: () => this.SUBRULE(this.simDecl) },
      { ALT: () => this.SUBRULE(this.datasetDecl) },
    ]));
  });

  public importDecl = this.RULE('importDecl', () => {
    this.CONSUME(K.import);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
    this.OPTION(() => this.CONSUME(T.Semi));
  });

  public goalDecl = this.RULE('goalDecl', () => {
    this.CONSUME(K.goal);
    this.OPTION(() => this.CONSUME(T.StringLit, { LABEL: 'description' }));
    this.SUBRULE(this.settingsBlock);
  });

  public enumDecl = this.RULE('enumDecl', () => {
    this.CONSUME(K.enum);
    this.name();
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.CONSUME2(T.Identifier, { LABEL: 'case' });
      this.OPTION(() => this.OR(this.alts('enumDecl1', () => [{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semi) }])));
    });
    this.CONSUME(T.RCurly);
  });

  public structDecl = this.RULE('structDecl', () => {
    this.CONSUME(K.struct);
    this.name();
    this.SUBRULE(this.fieldList);
  });

  public fieldList = this.RULE('fieldList', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.fieldDecl);
      this.OPTION(() => this.OR(this.alts('fieldList1', () => [{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semi) }])));
    });
    this.CONSUME(T.RCurly);
  });

  public fieldDecl = this.RULE('fieldDecl', () => {
    this.name();
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.MANY(() => this.SUBRULE(this.constraint));
  });

  public constraint = this.RULE('constraint', () => {
    this.CONSUME(T.At);
    this.name();
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr, { LABEL: 'args' }) });
      this.CONSUME(T.RParen);
    });
  });

  public typeRef = this.RULE('typeRef', () => {
    this.OR(this.alts('typeRef1', () => [
      {
        ALT: () => {
          this.CONSUME(T.StringLit, { LABEL: 'member' });
          this.MANY(() => {
            this.CONSUME(T.Pipe);
            this.CONSUME2(T.StringLit, { LABEL: 'member' });
          });
        },
      },
      { ALT: () => this.name() },
    ]));
    this.MANY2(() =>
      this.OR2(this.alts('typeRef2', () => [
        {
          ALT: () => {
            this.CONSUME(T.LBracket, { LABEL: 'array' });
            this.CONSUME(T.RBracket);
          },
        },
        { ALT: () => this.CONSUME(T.Question, { LABEL: 'optional' }) },
      ])),
    );
  });

  public modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(K.model);
    this.name();
    this.SUBRULE(this.settingsBlock);
  });

  public promptDecl = this.RULE('promptDecl', () => {
    this.CONSUME(K.prompt);
    this.name();
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.typeRef, { LABEL: 'returnType' });
    });
    this.SUBRULE(this.settingsBlock);
  });

  public param = this.RULE('param', () => {
    this.name();
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
  });

  /** `source docs = files("…") { … }` or, with a row type, `source people: Person = table("seed/people.csv")`. */
  public sourceDecl = this.RULE('sourceDecl', () => {
    this.CONSUME(K.source);
    this.name();
    this.OPTION2(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef, { LABEL: 'rowType' });
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr, { LABEL: 'init' });
    this.OPTION(() => this.SUBRULE(this.settingsBlock));
  });

  public settingsBlock = this.RULE('settingsBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.setting));
    this.CONSUME(T.RCurly);
  });

  /** `key value` — the checker knows which keys each block accepts. */
  public setting = this.RULE('setting', () => {
    this.name('key');
    this.SUBRULE(this.expr, { LABEL: 'value' });
    this.OPTION(() => this.OR(this.alts('setting1', () => [{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semi) }])));
  });

  // ------------------------------------------------------------------ simulations

  public simDecl = this.RULE('simDecl', () => {
    this.CONSUME(K.sim);
    this.name();
    this.CONSUME(T.LCurly);
    this.MANY(() =>
      this.OR(this.alts('simDecl1', () => ({
        IGNORE_AMBIGUITIES: true, // soft keywords first, then the generic `key value` setting
        DEF: [
          { ALT: () => this.SUBRULE(this.simVar) },
          { ALT: () => this.SUBRULE(this.ruleDecl) },
          { ALT: () => this.SUBRULE(this.eventDecl) },
          { ALT: () => this.SUBRULE(this.observeDecl) },
          { ALT: () => this.SUBRULE(this.simCheck) },
          { ALT: () => this.SUBRULE(this.setting) },
        ],
      }))),
    );
    this.CONSUME(T.RCurly);
  });

  public simVar = this.RULE('simVar', () => {
    this.OR(this.alts('simVar1', () => [{ ALT: () => this.CONSUME(K.param, { LABEL: 'role' }) }, { ALT: () => this.CONSUME(K.state, { LABEL: 'role' }) }]));
    this.name();
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr, { LABEL: 'init' });
    });
    this.OPTION2(() => this.CONSUME(T.Semi));
  });

  public ruleDecl = this.RULE('ruleDecl', () => {
    this.CONSUME(K.rule);
    this.name();
    this.OPTION(() => {
      this.CONSUME(K.when);
      this.SUBRULE(this.expr, { LABEL: 'when' });
    });
    this.SUBRULE(this.block);
  });

  public eventDecl = this.RULE('eventDecl', () => {
    this.CONSUME(K.event);
    this.name();
    this.SUBRULE(this.fieldList);
  });

  public observeDecl = this.RULE('observeDecl', () => {
    this.CONSUME(K.observe);
    this.CONSUME(K.every);
    this.SUBRULE(this.expr, { LABEL: 'every' });
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.CONSUME(T.Identifier, { LABEL: 'field' });
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  public simCheck = this.RULE('simCheck', () => {
    this.CONSUME(K.check);
    this.SUBRULE(this.expr);
    this.OPTION(() => this.CONSUME(T.Semi));
  });

  public block = this.RULE('block', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RCurly);
  });

  public stmt = this.RULE('stmt', () => {
    this.OR(this.alts('stmt1', () => [
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.emitStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]));
    this.OPTION(() => this.CONSUME(T.Semi));
  });

  public letStmt = this.RULE('letStmt', () => {
    this.CONSUME(K.let);
    this.name();
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  public ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(K.if);
    this.SUBRULE(this.expr, { LABEL: 'cond' });
    this.SUBRULE(this.block, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(K.else);
      this.OR(this.alts('ifStmt1', () => [
        { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: 'elseIf' }) },
        { ALT: () => this.SUBRULE2(this.block, { LABEL: 'else' }) },
      ]));
    });
  });

  public emitStmt = this.RULE('emitStmt', () => {
    this.CONSUME(K.emit);
    this.name('event');
    this.SUBRULE(this.recordLit);
  });

  public assignStmt = this.RULE('assignStmt', () => {
    this.name('target');
    this.OR(this.alts('assignStmt1', () => [
      { ALT: () => this.CONSUME(T.Equals, { LABEL: 'op' }) },
      { ALT: () => this.CONSUME(T.PlusEq, { LABEL: 'op' }) },
      { ALT: () => this.CONSUME(T.MinusEq, { LABEL: 'op' }) },
      { ALT: () => this.CONSUME(T.StarEq, { LABEL: 'op' }) },
      { ALT: () => this.CONSUME(T.SlashEq, { LABEL: 'op' }) },
    ]));
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  // ------------------------------------------------------------------ datasets

  public datasetDecl = this.RULE('datasetDecl', () => {
    this.CONSUME(K.dataset);
    this.name();
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef, { LABEL: 'rowType' });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.clause));
    this.CONSUME(T.RCurly);
  });

  public clause = this.RULE('clause', () => {
    this.OR(this.alts('clause1', () => ({
      IGNORE_AMBIGUITIES: true, // clause keywords first, then the generic `key value` setting
      DEF: [
        { ALT: () => this.SUBRULE(this.countClause) },
        { ALT: () => this.SUBRULE(this.forClause) },
        { ALT: () => this.SUBRULE(this.varyClause) },
        { ALT: () => this.SUBRULE(this.letClause) },
        { ALT: () => this.SUBRULE(this.rowClause) },
        { ALT: () => this.SUBRULE(this.checkClause) },
        { ALT: () => this.SUBRULE(this.keepClause) },
        { ALT: () => this.SUBRULE(this.uniqueClause) },
        { ALT: () => this.SUBRULE(this.judgeClause) },
        { ALT: () => this.SUBRULE(this.expectClause) },
        { ALT: () => this.SUBRULE(this.outputClause) },
        { ALT: () => this.SUBRULE(this.formatClause) },
        { ALT: () => this.SUBRULE(this.setting) },
      ],
    })));
    this.OPTION(() => this.CONSUME(T.Semi));
  });

  public countClause = this.RULE('countClause', () => {
    this.CONSUME(K.count);
    this.SUBRULE(this.expr);
  });

  public forClause = this.RULE('forClause', () => {
    this.CONSUME(K.for);
    this.name('binder');
    this.CONSUME(K.in);
    this.SUBRULE(this.expr, { LABEL: 'iterable' });
    this.OPTION(() => {
      this.CONSUME(K.each);
      this.SUBRULE2(this.expr, { LABEL: 'each' });
    });
    this.OPTION2(() => {
      this.CONSUME(K.where);
      this.SUBRULE3(this.expr, { LABEL: 'where' });
    });
  });

  public varyClause = this.RULE('varyClause', () => {
    this.CONSUME(K.vary);
    this.name();
    this.OR(this.alts('varyClause1', () => [
      {
        ALT: () => {
          this.CONSUME(T.Tilde, { LABEL: 'sample' });
          this.SUBRULE(this.distribution);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.in, { LABEL: 'grid' });
          this.SUBRULE(this.expr, { LABEL: 'domain' });
        },
      },
    ]));
  });

  /** `weighted { a: 0.6, b: 0.4 }` (a sampler applied to a record) or any expression such as `normal(0, 1)`. */
  public distribution = this.RULE('distribution', () => {
    this.OR(this.alts('distribution1', () => [
      {
        GATE: () => this.LA(2).tokenType === T.LCurly,
        ALT: () => {
          this.name('sampler');
          this.SUBRULE(this.recordLit);
        },
      },
      { ALT: () => this.SUBRULE(this.expr) },
    ]));
  });

  public letClause = this.RULE('letClause', () => {
    this.CONSUME(K.let);
    this.name();
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  public rowClause = this.RULE('rowClause', () => {
    this.CONSUME(K.row);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  public checkClause = this.RULE('checkClause', () => {
    this.CONSUME(K.check);
    this.SUBRULE(this.expr);
  });

  public keepClause = this.RULE('keepClause', () => {
    this.CONSUME(K.keep);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier, { LABEL: 'names' }) });
  });

  public uniqueClause = this.RULE('uniqueClause', () => {
    this.CONSUME(K.unique);
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.CONSUME(K.similarity);
      this.SUBRULE2(this.expr, { LABEL: 'similarity' });
    });
  });

  public judgeClause = this.RULE('judgeClause', () => {
    this.CONSUME(K.judge);
    this.name();
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  public expectClause = this.RULE('expectClause', () => {
    this.CONSUME(K.expect);
    this.SUBRULE(this.expr);
  });

  public outputClause = this.RULE('outputClause', () => {
    this.CONSUME(K.output);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
  });

  public formatClause = this.RULE('formatClause', () => {
    this.CONSUME(K.format);
    this.name('style');
    this.SUBRULE(this.recordLit);
  });

  // ------------------------------------------------------------------ expressions

  /**
   * `operand (op operand)*` with every binary operator at one level: precedence and associativity are applied
   * when the AST is built (to-ast.ts, BINARY_PRECEDENCE), which keeps the parser shallow (one rule per operand
   * instead of one per precedence level) and fast.
   */
  public expr = this.RULE('expr', () => {
    this.SUBRULE(this.unaryExpr, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(T.BinaryOp, { LABEL: 'op' });
      this.SUBRULE2(this.unaryExpr, { LABEL: 'operand' });
    });
  });

  /** Prefix operators `-` and `!`, any number of them, then a postfix expression. */
  public unaryExpr = this.RULE('unaryExpr', () => {
    this.MANY(() => this.CONSUME(T.PrefixOp, { LABEL: 'op' }));
    this.SUBRULE(this.postfixExpr);
  });

  public postfixExpr = this.RULE('postfixExpr', () => {
    this.SUBRULE(this.primary);
    this.MANY(() =>
      this.OR(this.alts('postfixExpr1', () => [
        {
          ALT: () => {
            this.CONSUME(T.Dot, { LABEL: 'dot' });
            this.CONSUME(T.Identifier, { LABEL: 'member' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket, { LABEL: 'index' });
            this.SUBRULE(this.expr, { LABEL: 'indexExpr' });
            this.CONSUME(T.RBracket);
          },
        },
      ])),
    );
  });

  public primary = this.RULE('primary', () => {
    this.OR(this.alts('primary1', () => [
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.TripleString) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(K.true) },
      { ALT: () => this.CONSUME(K.false) },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr, { LABEL: 'paren' });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.recordLit) },
      { ALT: () => this.SUBRULE(this.arrayLit) },
    ]));
  });

  /**
   * `name`, `f(a, b)`, `f(a, name: b)` (a named argument: `fake("person.fullName", locale: "de")`), or a reduction
   * `min(o.x - x for o in agents where c, default 0)`.
   */
  public nameOrCall = this.RULE('nameOrCall', () => {
    this.name();
    this.OPTION(() => {
      this.CONSUME(T.LParen, { LABEL: 'call' });
      this.OPTION2(() => {
        this.OR(this.alts('nameOrCall2', () => [
          { ALT: () => this.SUBRULE(this.namedArg, { LABEL: 'named' }) },
          {
            ALT: () => {
              this.SUBRULE(this.expr, { LABEL: 'args' });
              this.OPTION3(() => {
                this.CONSUME(K.for);
                this.CONSUME2(T.Identifier, { LABEL: 'binder' });
                this.CONSUME(K.in);
                this.SUBRULE2(this.expr, { LABEL: 'domain' });
                this.OPTION4(() => {
                  this.CONSUME(K.where);
                  this.SUBRULE3(this.expr, { LABEL: 'where' });
                });
              });
            },
          },
        ]));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.OR2(this.alts('nameOrCall1', () => [
            {
              ALT: () => {
                this.CONSUME(K.default);
                this.SUBRULE4(this.expr, { LABEL: 'default' });
              },
            },
            { ALT: () => this.SUBRULE2(this.namedArg, { LABEL: 'named' }) },
            { ALT: () => this.SUBRULE5(this.expr, { LABEL: 'args' }) },
          ]));
        });
      });
      this.CONSUME(T.RParen);
    });
  });

  /** `locale: "de"` — a named argument of a call (two tokens of lookahead tell it from an expression). */
  public namedArg = this.RULE('namedArg', () => {
    this.name();
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  public recordLit = this.RULE('recordLit', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.recordEntry);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  public recordEntry = this.RULE('recordEntry', () => {
    this.OR(this.alts('recordEntry1', () => [{ ALT: () => this.name('key') }, { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'key' }) }]));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expr, { LABEL: 'value' });
  });

  public arrayLit = this.RULE('arrayLit', () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.expr, { LABEL: 'items' });
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });
}

/** One parser instance, reused: Chevrotain parsers are expensive to construct and cheap to reset. */
let instance: SynthCstParser | undefined;
/** The shared parser instance; set `input` before each use (grammar/parse.ts does). */
export function getParser(): SynthCstParser {
  instance ??= new SynthCstParser();
  return instance;
}
