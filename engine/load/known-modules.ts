// The module registry as the validator and the compiler see it: the names, each module's argument
// schema and its free-form argument. The caller (the CLI) hands the registry in; nothing under
// engine/ imports modules/ to find it.
import type { ArgsSchema, ModuleRegistry } from '../module-contract.js';

export interface KnownModules {
  names: Set<string>;
  schemaOf(name: string): ArgsSchema | undefined;
  freeFormOf(name: string): string | undefined;
}

export function knownModules(registry: ModuleRegistry): KnownModules {
  return {
    names: new Set(registry.keys()),
    schemaOf: (name) => registry.get(name)?.schema,
    freeFormOf: (name) => registry.get(name)?.freeForm,
  };
}
