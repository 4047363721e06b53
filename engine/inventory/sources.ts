// Reads the `-i` sources into one InventoryData: YAML/JSON inventory files, Ansible's INI files,
// directories of them (with their own group_vars/ and host_vars/), and Ansible's comma host lists
// (`-i 'web1,web2,'`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError, type GxError } from '../errors.js';
import { validateInventoryDoc } from '../load/validate.js';
import { parseYamlFile, parseYamlText } from '../load/yaml.js';
import { IniInventoryReader } from './ini-inventory.js';
import { InventoryData } from './data.js';
import { collectErrors } from './errors-util.js';
import { VarsDir } from './vars-dirs.js';
import { YamlInventoryReader } from './yaml-inventory.js';

const YAML_FILE = /\.(ya?ml|json)$/;
// in a directory, as Ansible's INVENTORY_IGNORE_EXTS leaves them: YAML/JSON and files without an
// extension (`hosts`, which may be INI); .ini/.cfg files there are skipped, as Ansible skips them
const INVENTORY_FILE = /(\.(ya?ml|json)|^[^.]+)$/;

/**
 * Ansible tries its YAML plugin first on a file without a YAML extension, then its INI plugin: a
 * file that reads as a YAML mapping is a YAML inventory, anything else (`[web]`, `host1 k=v`) is INI.
 */
function yamlInventoryDoc(text: string, file: string): Record<string, unknown> | undefined {
  try {
    const doc = parseYamlText(text, file);
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
const VARS_DIRS = new Set(['group_vars', 'host_vars']);

export interface ReadSources {
  data: InventoryData;
  /** one per file or directory source, in source order: where its group_vars/host_vars live */
  inventoryDirs: VarsDir[];
  problems: GxError[];
}

function stat(path: string): 'file' | 'dir' | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

function inventoryFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || VARS_DIRS.has(entry)) continue;
    const p = join(dir, entry);
    const kind = stat(p);
    if (kind === 'dir') out.push(...inventoryFilesIn(p));
    else if (kind === 'file' && INVENTORY_FILE.test(entry)) out.push(p);
  }
  return out;
}

export function readSources(sources: string[]): ReadSources {
  const data = new InventoryData();
  const problems: GxError[] = [];
  const dirs = new Map<string, VarsDir>();
  const inventoryDirs: VarsDir[] = [];
  const dirFor = (base: string): VarsDir => {
    let d = dirs.get(base);
    if (!d) dirs.set(base, (d = new VarsDir(base, problems)));
    return d;
  };

  const readFile = (file: string): void => {
    let doc: unknown;
    if (!YAML_FILE.test(file)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        collectErrors(err, problems);
        return;
      }
      // parsed once: the YAML document it is, or else INI (parseYamlText remembered the text either way)
      doc = yamlInventoryDoc(text, file);
      if (doc === undefined) {
        new IniInventoryReader(data, problems, file).read(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        return;
      }
    } else {
      try {
        doc = parseYamlFile(file);
      } catch (err) {
        collectErrors(err, problems);
        return;
      }
    }
    // the shape (engine/schema/inventory.schema.json), then what a schema cannot say (the reader)
    problems.push(...validateInventoryDoc(doc, file));
    new YamlInventoryReader(data, problems, file).read(doc);
  };

  for (const source of sources) {
    const kind = stat(source);
    if (kind === 'dir') {
      for (const f of inventoryFilesIn(source)) readFile(f);
      inventoryDirs.push(dirFor(resolve(source)));
    } else if (kind === 'file') {
      readFile(source);
      inventoryDirs.push(dirFor(resolve(dirname(source))));
    } else if (source.includes(',')) {
      for (const name of source.split(',').map((s) => s.trim()).filter((s) => s !== '')) data.addHostTo('ungrouped', name, {});
    } else {
      throw new UsageError(`inventory source '${source}' not found`, { hint: "give -i a YAML or INI inventory file, a directory of them, or a host list such as 'web1,web2,'" });
    }
  }
  return { data, inventoryDirs, problems };
}
