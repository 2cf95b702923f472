// Source of the TextMate grammar for `.synth` files. `node scripts/build-extension.mjs` writes it to
// synth.tmLanguage.json (the file VS Code loads); test/vscode/grammar.test.ts checks that the JSON is up to date
// and tokenizes fixtures with vscode-textmate.
//
// The grammar follows the language's structure, because one piece of highlighting depends on context: strings
// are templates (with `{expr}` holes) inside `prompt` bodies and `format` clauses, plain strings elsewhere. Each
// declaration is a region from its keyword to the `}` closing its body; a body left open ends at the next
// unindented declaration header, so one missing brace does not repaint the rest of the file.
//
// Soft keywords (goal, struct, count, row, ...) are only keywords where the language treats them as such (a
// declaration header at the top level, a clause at the start of a line in a dataset): `count: int` in a struct
// is a field and `row.body` is a value. Hard keywords (true false if else for in let emit where when default)
// are keywords everywhere.

const ID = '[A-Za-z_][A-Za-z0-9_]*';
/** Where a clause or setting starts: the start of a line, or just after `{` or `;` (`sim s { worlds 4 }`). */
const LINE_START = String.raw`(?:^|(?<=[{;]))\s*`;
/** not a keyword use when followed by these: `count: int`, `row.body`, `check(x)`, `source = ...`, `a, b` */
const NOT_KW = String.raw`(?![A-Za-z0-9_])(?!\()(?!\s*(?::|=(?!=)|\.(?!\.)|,|\)|\]))`;
const DECL_KEYWORDS = ['goal', 'enum', 'struct', 'model', 'prompt', 'source', 'sim', 'dataset'];
/** An unindented declaration header: where an unclosed body gives up. */
const DECL_HEADER_AHEAD = String.raw`^(?=(?:${DECL_KEYWORDS.join('|')})\s+(?:${ID}|")[^\n]*\{)`;

export const PRIMITIVE_TYPES = ['string', 'int', 'float', 'bool', 'image', 'date', 'datetime', 'f32', 'i32', 'u32', 'vec2f', 'vec3f', 'vec4f'];
/** Built-in functions and samplers (compiler/builtins.ts, compiler/sim/builtins.ts, the samplers of `vary`). */
export const BUILTIN_FUNCTIONS = [
  // dataset expressions
  'len', 'words', 'lower', 'upper', 'trim', 'contains', 'starts_with', 'ends_with', 'str', 'join', 'round', 'floor',
  'ceil', 'abs', 'min', 'max', 'if_else', 'date', 'datetime',
  // expect aggregates and reductions
  'share', 'mean', 'sum', 'count', 'quantile', 'any', 'all',
  // samplers and sources
  'uniform', 'one_of', 'weighted', 'normal', 'randint', 'bernoulli', 'poisson', 'fake', 'env', 'files',
  // simulation built-ins
  'clamp', 'sqrt', 'exp', 'log', 'sin', 'cos', 'tanh', 'pow', 'select', 'length', 'dot', 'normalize', 'distance',
];
export const DATASET_CLAUSES = ['count', 'vary', 'check', 'keep', 'unique', 'judge', 'expect', 'output'];

const s = (name) => (name ? `${name}.synth` : undefined);
const include = (...names) => names.map((n) => ({ include: n.startsWith('$') ? n : `#${n}` }));

/** `${prefix}expression` and its groups `${prefix}parens|brackets|braces`, which nest the same family. */
function expressionFamily(prefix, strings, extra) {
  const group = (kind, open, close, patterns) => ({
    name: s(`meta.${kind}`),
    begin: open,
    beginCaptures: { 0: { name: s(`punctuation.section.${kind}.begin`) } },
    end: close,
    endCaptures: { 0: { name: s(`punctuation.section.${kind}.end`) } },
    patterns,
  });
  return {
    [`${prefix}expression`]: {
      patterns: [...include('comments'), ...strings, ...extra, ...include(`${prefix}parens`, `${prefix}brackets`, `${prefix}braces`, 'atoms')],
    },
    [`${prefix}parens`]: group('parens', String.raw`\(`, String.raw`\)`, include(`${prefix}expression`)),
    [`${prefix}brackets`]: group('brackets', String.raw`\[`, String.raw`\]`, include(`${prefix}expression`)),
    [`${prefix}braces`]: group('braces', String.raw`\{`, String.raw`\}`, include('record-key', `${prefix}expression`)),
  };
}

function grammar() {
  const repository = {
    // ------------------------------------------------------------------ comments
    comments: {
      patterns: [
        {
          name: s('comment.line.triple-slash.documentation'),
          begin: '///',
          beginCaptures: { 0: { name: s('punctuation.definition.comment') } },
          end: '$',
        },
        {
          name: s('comment.line.double-slash'),
          begin: '//',
          beginCaptures: { 0: { name: s('punctuation.definition.comment') } },
          end: '$',
        },
        {
          name: s('comment.block'),
          begin: String.raw`/\*`,
          beginCaptures: { 0: { name: s('punctuation.definition.comment.begin') } },
          end: String.raw`\*/`,
          endCaptures: { 0: { name: s('punctuation.definition.comment.end') } },
        },
      ],
    },

    // ------------------------------------------------------------------ literals
    escape: { name: s('constant.character.escape'), match: String.raw`\\(?:[{}"\\nrt0]|u\{[0-9A-Fa-f]+\}|.)` },
    'string-triple': {
      name: s('string.quoted.triple'),
      begin: '"""',
      beginCaptures: { 0: { name: s('punctuation.definition.string.begin') } },
      end: '"""',
      endCaptures: { 0: { name: s('punctuation.definition.string.end') } },
      patterns: include('escape'),
    },
    'string-double': {
      name: s('string.quoted.double'),
      begin: '"',
      beginCaptures: { 0: { name: s('punctuation.definition.string.begin') } },
      end: '(")|$',
      endCaptures: { 1: { name: s('punctuation.definition.string.end') } },
      patterns: include('escape'),
    },
    strings: { patterns: include('string-triple', 'string-double') },
    'template-triple': {
      name: s('string.quoted.triple.template'),
      begin: '"""',
      beginCaptures: { 0: { name: s('punctuation.definition.string.begin') } },
      end: '"""',
      endCaptures: { 0: { name: s('punctuation.definition.string.end') } },
      patterns: include('escape', 'hole-triple'),
    },
    'template-double': {
      name: s('string.quoted.double.template'),
      begin: '"',
      beginCaptures: { 0: { name: s('punctuation.definition.string.begin') } },
      end: '(")|$',
      endCaptures: { 1: { name: s('punctuation.definition.string.end') } },
      patterns: include('escape', 'hole-double'),
    },
    templates: { patterns: include('template-triple', 'template-double') },
    // `{expr}` in a template. Its content is `meta.embedded`, so themes paint it as code and VS Code offers
    // completions there (quick suggestions are off inside strings by default).
    'hole-triple': {
      name: s('meta.template.expression'),
      contentName: s('meta.embedded.line'),
      begin: String.raw`\{`,
      beginCaptures: { 0: { name: s('punctuation.definition.template-expression.begin') } },
      end: String.raw`(\})|(?=""")`,
      endCaptures: { 1: { name: s('punctuation.definition.template-expression.end') } },
      patterns: include('expression'),
    },
    'hole-double': {
      // a single-line string ends at its closing quote, so the hole does too
      name: s('meta.template.expression'),
      contentName: s('meta.embedded.line'),
      begin: String.raw`\{`,
      beginCaptures: { 0: { name: s('punctuation.definition.template-expression.begin') } },
      end: String.raw`(\})|(?=")|$`,
      endCaptures: { 1: { name: s('punctuation.definition.template-expression.end') } },
      patterns: include('expression-without-strings'),
    },
    duration: {
      name: s('constant.numeric.duration'),
      match: String.raw`\b\d[\d_]*(?:\.\d[\d_]*)?(ms|s|m|h)(?![A-Za-z0-9_])`,
      captures: { 1: { name: s('keyword.other.unit') } },
    },
    number: {
      patterns: [
        { name: s('constant.numeric.float'), match: String.raw`\b\d[\d_]*(?:\.\d[\d_]*(?:[eE][+-]?\d+)?|[eE][+-]?\d+)(?![A-Za-z0-9_])` },
        { name: s('constant.numeric.integer'), match: String.raw`\b\d[\d_]*(?![A-Za-z0-9_]|\.(?!\.))` },
      ],
    },
    boolean: { name: s('constant.language.boolean'), match: String.raw`\b(?:true|false)\b` },

    // ------------------------------------------------------------------ keywords and operators
    'hard-keywords': {
      patterns: [
        { name: s('keyword.control.conditional'), match: String.raw`\b(?:if|else)\b` },
        { name: s('keyword.control.loop'), match: String.raw`\bfor\b` },
        { name: s('keyword.operator.expression.in'), match: String.raw`\bin\b` },
        { name: s('keyword.control'), match: String.raw`\b(?:where|when|default)\b` },
        { name: s('keyword.control.emit'), match: String.raw`\bemit\b` },
        { name: s('storage.type.let'), match: String.raw`\blet\b` },
      ],
    },
    operators: {
      patterns: [
        { name: s('keyword.operator.arrow'), match: '->' },
        { name: s('keyword.operator.range'), match: String.raw`\.\.` },
        { name: s('keyword.operator.comparison'), match: '==|!=|<=|>=|<|>' },
        { name: s('keyword.operator.logical'), match: String.raw`&&|\|\||!` },
        { name: s('keyword.operator.assignment.compound'), match: String.raw`\+=|-=|\*=|/=` },
        { name: s('keyword.operator.assignment'), match: '=' },
        { name: s('keyword.operator.sample'), match: '~' },
        { name: s('keyword.operator.arithmetic'), match: String.raw`\+|-|\*|/|%` },
        { name: s('keyword.operator.type.union'), match: String.raw`\|` },
        { name: s('keyword.operator.type.optional'), match: String.raw`\?` },
      ],
    },
    punctuation: {
      patterns: [
        { name: s('punctuation.separator.comma'), match: ',' },
        { name: s('punctuation.terminator.statement'), match: ';' },
        { name: s('punctuation.separator.key-value'), match: ':' },
      ],
    },

    // ------------------------------------------------------------------ expressions
    call: {
      patterns: [
        {
          match: String.raw`\b(${BUILTIN_FUNCTIONS.join('|')}|${PRIMITIVE_TYPES.join('|')})\s*(?=\()`,
          captures: { 1: { name: s('support.function.builtin') } },
        },
        { match: String.raw`\b(${ID})\s*(?=\()`, captures: { 1: { name: s('entity.name.function') } } },
      ],
    },
    member: {
      match: String.raw`(\.)(?!\.)\s*(${ID})`,
      captures: { 1: { name: s('punctuation.accessor') }, 2: { name: s('variable.other.property') } },
    },
    'type-name-in-expression': { name: s('entity.name.type'), match: String.raw`\b[A-Z][A-Za-z0-9_]*\b` },
    identifier: { name: s('variable.other.readwrite'), match: String.raw`\b${ID}\b` },
    'record-key': {
      match: String.raw`(?:\b(${ID})|("(?:[^"\\]|\\.)*"))\s*(:)(?!:)`,
      captures: {
        1: { name: s('variable.other.property') },
        2: { name: s('string.quoted.double') },
        3: { name: s('punctuation.separator.key-value') },
      },
    },
    // Expressions come in families, one per context, so that nested groups keep their context: `expression`
    // (plain strings), `template-expression` (strings are templates: prompt bodies, format clauses),
    // `sim-expression` (`agents`, `step`), `dataset-expression` (`row`).
    ...expressionFamily('', include('strings'), []),
    ...expressionFamily('template-', include('templates'), []),
    ...expressionFamily('sim-', include('strings'), include('sim-language-variable')),
    ...expressionFamily('dataset-', include('strings'), [
      { name: s('keyword.other.similarity'), match: String.raw`(?<=\s)similarity(?=\s+[\d.])` },
      { name: s('keyword.other.each'), match: String.raw`(?<=\s)each(?=\s+[\dA-Za-z_(])` },
      { name: s('variable.language.row'), match: String.raw`\brow\b(?!\s*:)` },
    ]),
    /** Atoms and operators: everything but strings and groups. */
    atoms: {
      patterns: include('duration', 'number', 'boolean', 'hard-keywords', 'weighted', 'call', 'member', 'operators', 'punctuation', 'type-name-in-expression', 'identifier'),
    },
    weighted: { match: String.raw`\b(weighted)\b(?=\s*\{)`, captures: { 1: { name: s('support.function.builtin') } } },
    /** Inside `{...}` of a single-line template: no strings (the quote ends the template), no nested groups. */
    'expression-without-strings': { patterns: include('atoms') },

    // ------------------------------------------------------------------ types
    type: {
      patterns: [
        ...include('comments'),
        { name: s('support.type.primitive'), match: String.raw`\b(?:${PRIMITIVE_TYPES.join('|')})\b` },
        { name: s('entity.name.type'), match: String.raw`\b${ID}\b` },
        { name: s('string.quoted.double'), match: String.raw`"(?:[^"\\]|\\.)*"` },
        { name: s('punctuation.definition.type.array'), match: String.raw`\[\s*\]` },
        { name: s('keyword.operator.type.optional'), match: String.raw`\?` },
        { name: s('keyword.operator.type.union'), match: String.raw`\|` },
      ],
    },
    decorator: {
      patterns: [
        {
          name: s('meta.decorator'),
          begin: String.raw`(@)(${ID})\s*(\()`,
          beginCaptures: {
            1: { name: s('punctuation.decorator') },
            2: { name: s('entity.name.function.decorator') },
            3: { name: s('punctuation.section.parens.begin') },
          },
          end: String.raw`\)`,
          endCaptures: { 0: { name: s('punctuation.section.parens.end') } },
          patterns: include('expression'),
        },
        {
          name: s('meta.decorator'),
          match: String.raw`(@)(${ID})`,
          captures: { 1: { name: s('punctuation.decorator') }, 2: { name: s('entity.name.function.decorator') } },
        },
      ],
    },
    /** `name: Type @len(1..5)` in struct and event bodies */
    'field-decl': {
      name: s('meta.field.declaration'),
      begin: String.raw`\b(${ID})\s*(:)`,
      beginCaptures: { 1: { name: s('variable.other.property') }, 2: { name: s('punctuation.separator.key-value') } },
      end: String.raw`(?=[@,}]|//|/\*)|$`,
      patterns: include('type'),
    },
    'fields-body': {
      name: s('meta.block'),
      begin: String.raw`\{`,
      beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
      end: String.raw`\}|${DECL_HEADER_AHEAD}`,
      endCaptures: { 0: { name: s('punctuation.section.block.end') } },
      patterns: include('comments', 'decorator', 'field-decl', 'punctuation'),
    },

    // ------------------------------------------------------------------ bodies made of `key value` settings
    'setting-key': {
      match: String.raw`${LINE_START}(${ID})(?=\s+(?:[A-Za-z_0-9"\[{(!]|-\d|\.\d)|\s*[{\["]|\s*(?://.*)?$)`,
      captures: { 1: { name: s('support.type.property-name') } },
    },
    'settings-body': {
      name: s('meta.block'),
      begin: String.raw`\{`,
      beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
      end: String.raw`\}|${DECL_HEADER_AHEAD}`,
      endCaptures: { 0: { name: s('punctuation.section.block.end') } },
      patterns: include('comments', 'setting-key', 'expression'),
    },

    // ------------------------------------------------------------------ declarations
    import: {
      match: String.raw`${LINE_START}(import)${NOT_KW}`,
      captures: { 1: { name: s('keyword.control.import') } },
    },
    goal: {
      name: s('meta.goal.declaration'),
      begin: String.raw`${LINE_START}(goal)${NOT_KW}`,
      beginCaptures: { 1: { name: s('storage.type.goal') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: include('comments', 'strings', 'settings-body'),
    },
    enum: {
      name: s('meta.enum.declaration'),
      begin: String.raw`${LINE_START}(enum)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.enum') }, 2: { name: s('entity.name.type.enum') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: [
        ...include('comments'),
        {
          name: s('meta.block'),
          begin: String.raw`\{`,
          beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
          end: String.raw`\}|${DECL_HEADER_AHEAD}`,
          endCaptures: { 0: { name: s('punctuation.section.block.end') } },
          patterns: [
            ...include('comments', 'punctuation'),
            { name: s('variable.other.enummember'), match: String.raw`\b${ID}\b` },
          ],
        },
      ],
    },
    struct: {
      name: s('meta.struct.declaration'),
      begin: String.raw`${LINE_START}(struct)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.struct') }, 2: { name: s('entity.name.type.struct') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: include('comments', 'fields-body'),
    },
    model: {
      name: s('meta.model.declaration'),
      begin: String.raw`${LINE_START}(model)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.model') }, 2: { name: s('entity.name.type.model') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: include('comments', 'settings-body'),
    },
    prompt: {
      name: s('meta.prompt.declaration'),
      begin: String.raw`${LINE_START}(prompt)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.prompt') }, 2: { name: s('entity.name.function.prompt') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: [
        ...include('comments'),
        {
          name: s('meta.parameters'),
          begin: String.raw`\(`,
          beginCaptures: { 0: { name: s('punctuation.definition.parameters.begin') } },
          end: String.raw`\)`,
          endCaptures: { 0: { name: s('punctuation.definition.parameters.end') } },
          patterns: [
            ...include('comments'),
            {
              begin: String.raw`\b(${ID})\s*(:)`,
              beginCaptures: { 1: { name: s('variable.parameter') }, 2: { name: s('punctuation.separator.key-value') } },
              end: String.raw`(?=[,)])`,
              patterns: include('type'),
            },
            ...include('punctuation'),
          ],
        },
        {
          name: s('meta.return-type'),
          begin: '->',
          beginCaptures: { 0: { name: s('keyword.operator.arrow') } },
          end: String.raw`(?=\{)|$`,
          patterns: include('type'),
        },
        {
          name: s('meta.block'),
          begin: String.raw`\{`,
          beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
          end: String.raw`\}|${DECL_HEADER_AHEAD}`,
          endCaptures: { 0: { name: s('punctuation.section.block.end') } },
          patterns: [
            ...include('comments'),
            {
              match: String.raw`${LINE_START}(system|user|assistant)\b(?=\s*(?:"|$))`,
              captures: { 1: { name: s('support.type.property-name.message') } },
            },
            ...include('setting-key', 'template-expression'),
          ],
        },
      ],
    },
    source: {
      name: s('meta.source.declaration'),
      begin: String.raw`${LINE_START}(source)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.source') }, 2: { name: s('entity.name.type.source') } },
      end: String.raw`(?<=\})|$(?<!\{)|${DECL_HEADER_AHEAD}`,
      patterns: include('comments', 'settings-body', 'expression-without-braces'),
    },
    'expression-without-braces': { patterns: include('strings', 'parens', 'brackets', 'atoms') },

    // ------------------------------------------------------------------ simulations
    sim: {
      name: s('meta.sim.declaration'),
      begin: String.raw`${LINE_START}(sim)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.sim') }, 2: { name: s('entity.name.type.sim') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: [
        ...include('comments'),
        {
          name: s('meta.block.sim'),
          begin: String.raw`\{`,
          beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
          end: String.raw`\}|${DECL_HEADER_AHEAD}`,
          endCaptures: { 0: { name: s('punctuation.section.block.end') } },
          patterns: include('comments', 'sim-var', 'rule', 'event', 'observe', 'sim-check', 'setting-key', 'sim-expression'),
        },
      ],
    },
    'sim-var': {
      match: String.raw`${LINE_START}(param|state)${NOT_KW}\s*(${ID})?\s*(?:(:)\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*\[\s*\])?\??))?`,
      captures: {
        1: { name: s('storage.type.$1') },
        2: { name: s('variable.other.definition') },
        3: { name: s('punctuation.separator.key-value') },
        4: { patterns: include('type') },
      },
    },
    'sim-language-variable': { name: s('variable.language'), match: String.raw`\b(?:agents|step)\b(?!\s*:)` },
    rule: {
      name: s('meta.rule.declaration'),
      begin: String.raw`${LINE_START}(rule)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.rule') }, 2: { name: s('entity.name.function.rule') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: include('comments', 'statement-block', 'sim-expression'),
    },
    'statement-block': {
      name: s('meta.block'),
      begin: String.raw`\{`,
      beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
      end: String.raw`\}|${DECL_HEADER_AHEAD}`,
      endCaptures: { 0: { name: s('punctuation.section.block.end') } },
      patterns: include('comments', 'let', 'emit', 'assignment', 'statement-block', 'sim-expression'),
    },
    let: {
      match: String.raw`\b(let)\s+(${ID})(?:\s*(:)\s*([A-Za-z_][A-Za-z0-9_]*))?`,
      captures: {
        1: { name: s('storage.type.let') },
        2: { name: s('variable.other.definition') },
        3: { name: s('punctuation.separator.key-value') },
        4: { patterns: include('type') },
      },
    },
    emit: {
      name: s('meta.emit'),
      begin: String.raw`\b(emit)\b\s*(${ID})?`,
      beginCaptures: { 1: { name: s('keyword.control.emit') }, 2: { name: s('entity.name.type.event') } },
      end: String.raw`(?<=\})|(?=;)|$(?<![{,])`,
      patterns: include('comments', 'sim-braces'),
    },
    assignment: {
      match: String.raw`(?:^|(?<=[{;]))\s*(${ID})\s*(\+=|-=|\*=|/=|=(?!=))`,
      captures: { 1: { name: s('variable.other.readwrite') }, 2: { patterns: include('operators') } },
    },
    event: {
      name: s('meta.event.declaration'),
      begin: String.raw`${LINE_START}(event)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.event') }, 2: { name: s('entity.name.type.event') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: include('comments', 'fields-body'),
    },
    observe: {
      name: s('meta.observe'),
      begin: String.raw`${LINE_START}(observe)${NOT_KW}`,
      beginCaptures: { 1: { name: s('keyword.other.observe') } },
      end: String.raw`(?<=\})|$`,
      patterns: [
        ...include('comments'),
        { name: s('keyword.other.every'), match: String.raw`\bevery\b(?!\s*[:=.,)])` },
        ...include('sim-expression'),
      ],
    },
    'sim-check': {
      match: String.raw`${LINE_START}(check)${NOT_KW}(?:\s+(finite)\b(?!\s*[.(]))?`,
      captures: { 1: { name: s('keyword.other.check') }, 2: { name: s('constant.language.finite') } },
    },

    // ------------------------------------------------------------------ datasets
    dataset: {
      name: s('meta.dataset.declaration'),
      begin: String.raw`${LINE_START}(dataset)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('storage.type.dataset') }, 2: { name: s('entity.name.type.dataset') } },
      end: String.raw`(?<=\})|${DECL_HEADER_AHEAD}`,
      patterns: [
        ...include('comments'),
        {
          begin: ':',
          beginCaptures: { 0: { name: s('punctuation.separator.key-value') } },
          end: String.raw`(?=\{)|$`,
          patterns: include('type'),
        },
        {
          name: s('meta.block.dataset'),
          begin: String.raw`\{`,
          beginCaptures: { 0: { name: s('punctuation.section.block.begin') } },
          end: String.raw`\}|${DECL_HEADER_AHEAD}`,
          endCaptures: { 0: { name: s('punctuation.section.block.end') } },
          patterns: include('comments', 'format-clause', 'clause', 'setting-key', 'dataset-expression'),
        },
      ],
    },
    clause: {
      patterns: [
        {
          match: String.raw`${LINE_START}(row)(?=\s*=(?!=))`,
          captures: { 1: { name: s('keyword.other.row') } },
        },
        {
          match: String.raw`${LINE_START}(vary)${NOT_KW}\s*(${ID})?`,
          captures: { 1: { name: s('keyword.other.vary') }, 2: { name: s('variable.other.definition') } },
        },
        {
          match: String.raw`${LINE_START}(judge)${NOT_KW}\s*(${ID})?`,
          captures: { 1: { name: s('keyword.other.judge') }, 2: { name: s('variable.other.definition') } },
        },
        {
          match: String.raw`${LINE_START}(for)\s+(${ID})?`,
          captures: { 1: { name: s('keyword.control.loop') }, 2: { name: s('variable.other.definition') } },
        },
        {
          match: String.raw`${LINE_START}(let)\s+(${ID})?`,
          captures: { 1: { name: s('storage.type.let') }, 2: { name: s('variable.other.definition') } },
        },
        {
          match: String.raw`${LINE_START}(${DATASET_CLAUSES.join('|')})${NOT_KW}`,
          captures: { 1: { name: s('keyword.other.$1') } },
        },
      ],
    },
    'format-clause': {
      name: s('meta.format'),
      begin: String.raw`${LINE_START}(format)${NOT_KW}\s*(${ID})?`,
      beginCaptures: { 1: { name: s('keyword.other.format') }, 2: { name: s('entity.name.tag.format-style') } },
      end: String.raw`(?<=\})|$(?<!\{)`,
      patterns: include('comments', 'template-expression'),
    },
  };

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Synth',
    scopeName: 'source.synth',
    fileTypes: ['synth'],
    patterns: include('comments', 'import', 'goal', 'enum', 'struct', 'model', 'prompt', 'source', 'sim', 'dataset', 'expression'),
    repository,
  };
}

/** The grammar as the JSON text written to synth.tmLanguage.json. */
export function grammarJson() {
  return JSON.stringify(grammar(), null, 2) + '\n';
}
