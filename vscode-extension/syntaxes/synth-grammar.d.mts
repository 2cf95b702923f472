export declare const PRIMITIVE_TYPES: string[];
export declare const BUILTIN_FUNCTIONS: string[];
export declare const DATASET_CLAUSES: string[];
/** The grammar as the JSON text written to synth.tmLanguage.json. */
export declare function grammarJson(): string;
