// The module registry as the validator and the compiler see it: the names, each module's argument
// schema, its free-form argument and its cross-field rules. The caller (the CLI) hands the registry in; nothing under
// engine/ imports modules/ to find it.
import type { ArgsSchema, ModuleRegistry } from '../module-contract.js';

export interface KnownModules {
  names: Set<string>;
  schemaOf(name: string): ArgsSchema | undefined;
  freeFormOf(name: string): string | undefined;
  /** the module's pure cross-field rules (ModuleDefinition.check), run on literal arguments */
  checkOf?(name: string): ((args: any) => string[]) | undefined;
}

export function knownModules(registry: ModuleRegistry): KnownModules {
  return {
    names: new Set(registry.keys()),
    schemaOf: (name) => registry.get(name)?.schema,
    freeFormOf: (name) => registry.get(name)?.freeForm,
    checkOf: (name) => registry.get(name)?.check,
  };
}
