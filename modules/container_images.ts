// What an image list is held to: the images rendered Kubernetes objects really run. The offline
// bundle's image list is kept by hand in inventory.yaml and artifacts.yaml; collect-bundle.yaml
// renders every chart with the gauntlet's values (`helm template`) and our own manifests, and this
// module compares: an image they run that the list lacks would sit in ImagePullBackOff offline; an
// image the list carries that nothing runs is dead weight, or a sign the list names the wrong
// version. Both fail the task, so the list cannot drift from the charts.
import { parseAllDocuments } from 'yaml';
import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { canonical, imagesOf, type WantedImage } from './lib/k8s/images.js';

interface Manifests {
  /** what rendered them, for the messages ("chart gitea 11.0.1") */
  source: string;
  text: string;
}

type Expected = string | { registry?: string; repository: string; version?: string; tag?: string };

/** A registered command result (`helm template` in a loop): its stdout, named by its loop item. */
interface CommandResult {
  stdout: string;
  item?: unknown;
  cmd?: unknown;
}

type ManifestsArg = Manifests | CommandResult | ManifestsArg[];

export interface ContainerImagesArgs {
  manifests: ManifestsArg[];
  expected?: Expected[];
  unrendered?: string[];
}

export interface ContainerImagesData {
  images: Array<WantedImage & { source: string }>;
  /** rendered, not in expected */
  missing: Array<WantedImage & { source: string }>;
  /** in expected, rendered by nothing and not listed in unrendered */
  unused: string[];
}

const key = (image: string) => {
  const c = canonical(image);
  return `${c.registry}/${c.repository}@${c.ref}`;
};

function refOf(e: Expected): string {
  if (typeof e === 'string') return e;
  const tag = e.version ?? e.tag;
  return `${e.registry ? `${e.registry}/` : ''}${e.repository}${tag !== undefined ? `:${String(tag)}` : ''}`;
}

function sourceOf(r: CommandResult): string {
  const item = r.item;
  if (item && typeof item === 'object' && 'name' in item) return String((item as { name: unknown }).name);
  if (item !== undefined) return typeof item === 'string' ? item : JSON.stringify(item);
  return Array.isArray(r.cmd) ? r.cmd.join(' ') : 'command output';
}

function flatten(list: ManifestsArg[]): Manifests[] {
  return list.flatMap((m): Manifests[] => {
    if (Array.isArray(m)) return flatten(m);
    if (m && typeof m === 'object' && typeof (m as Manifests).text === 'string') return [m as Manifests];
    if (m && typeof m === 'object' && typeof (m as CommandResult).stdout === 'string') return [{ source: sourceOf(m as CommandResult), text: (m as CommandResult).stdout }];
    throw new ModuleError(`manifests: ${JSON.stringify(m)?.slice(0, 80)} is neither {source, text} nor a command result with stdout`);
  });
}

export const container_images = defineModule<ContainerImagesArgs, ContainerImagesData>({
  name: 'container_images',
  summary: 'List the container images that rendered Kubernetes manifests run, and hold an image list to them.',
  description:
    'Reads each text of `manifests` (YAML documents, e.g. the stdout of `helm template` or a rendered manifest template) and lists every image its ' +
    'workloads run (containers, init and ephemeral containers of Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs; a ' +
    'CloudNativePG Cluster\'s imageName). With `expected`, it fails when a rendered image is not in that list (`missing`), or when an image of the list ' +
    'is rendered by nothing and not named in `unrendered` (`unused`). References compare as a registry names them (Docker Hub\'s `library/` and ' +
    '`docker.io` defaults applied). It only reads, so check mode runs it as it is; it runs on the controller.',
  schema: {
    type: 'object',
    properties: {
      manifests: {
        type: 'array',
        description:
          'The rendered manifests: each `{source, text}` (source names what rendered them, for the messages), or a registered command result ' +
          '(`{stdout, item}`: the `results` of a looped `helm template` register, named by `item.name` or the item), or a list of those (flattened).',
        items: {
          anyOf: [
            { type: 'object', properties: { source: { type: 'string', minLength: 1 }, text: { type: 'string' } }, required: ['source', 'text'], additionalProperties: false },
            { type: 'object', properties: { stdout: { type: 'string' } }, required: ['stdout'] },
            // a list of either (a register's `results`), checked item by item when flattened
            { type: 'array' },
          ],
        },
      },
      expected: {
        type: 'array',
        description: 'The image list to hold to them: references ("quay.io/keycloak/keycloak:26.1.4") or `{registry, repository, version}` entries (inventory.yaml\'s `images`).',
        items: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'object', properties: { registry: { type: 'string' }, repository: { type: 'string' }, version: { type: ['string', 'number'] }, tag: { type: ['string', 'number'] } }, required: ['repository'] },
          ],
        },
      },
      unrendered: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'References of `expected` that nothing renders on purpose (e.g. a base image other images are built on); they are not reported as unused.',
      },
    },
    required: ['manifests'],
    additionalProperties: false,
  },
  examples: [
    `- name: every image the charts render is in the bundle's list
  container_images:
    manifests:
      - { source: "chart gitea 11.0.1", text: "{{ gitea_rendered.stdout }}" }
    expected: "{{ images }}"
    unrendered: ["docker.io/library/node:20.19.0-bookworm-slim"]`,
  ],
  returns: {
    images: { type: 'list', description: 'Every image the manifests run: image, where (kind name, container), source.', returned: 'always' },
    missing: { type: 'list', description: 'Rendered images not in `expected`.', returned: 'always' },
    unused: { type: 'list', description: 'References of `expected` rendered by nothing and not in `unrendered`.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  async plan(_ctx, a) {
    const images: ContainerImagesData['images'] = [];
    for (const m of flatten(a.manifests)) {
      const parsed = parseAllDocuments(m.text);
      const err = parsed.flatMap((d) => d.errors)[0];
      if (err) throw new ModuleError(`${m.source}: not YAML: ${err.message.split('\n')[0]}`);
      const docs = parsed.map((d) => d.toJS() as unknown);
      for (const w of imagesOf(docs)) if (!images.some((i) => key(i.image) === key(w.image))) images.push({ ...w, source: m.source });
    }
    if (a.expected === undefined) return { changed: false, msg: `${images.length} images`, data: { images, missing: [], unused: [] } };
    const expected = a.expected.map(refOf);
    const have = new Set(expected.map(key));
    const rendered = new Set(images.map((i) => key(i.image)));
    const exempt = new Set((a.unrendered ?? []).map(key));
    const missing = images.filter((i) => !have.has(key(i.image)));
    const unused = expected.filter((e) => !rendered.has(key(e)) && !exempt.has(key(e)));
    const data = { images, missing, unused };
    if (missing.length === 0 && unused.length === 0) return { changed: false, msg: `the ${images.length} images the manifests run are the list's (${exempt.size} more not rendered on purpose)`, data };
    const lines = [
      ...missing.map((m) => `  missing: ${m.image} — ${m.source}: ${m.where}`),
      ...unused.map((u) => `  unused:  ${u} — rendered by nothing (a wrong version, or name it in unrendered if nothing renders it on purpose)`),
    ];
    return {
      changed: false,
      failed: true,
      msg: `the image list does not match what the manifests run:\n${lines.join('\n')}\nadd what is missing (inventory.yaml \`images\` and playbooks/bundle/artifacts.yaml), remove or correct what is unused`,
      data,
    };
  },
});

export default container_images;
