// --list-tasks, --list-tags and --list-hosts, in Ansible's layout so habits and scripts carry over.
import { hasSelected, isSelected, type TagSelection } from './tags.js';
import type { CompiledPlaybook, TaskNode } from './types.js';

function walk(nodes: TaskNode[], sel: TagSelection, out: { name: string; tags: string[] }[]): void {
  for (const n of nodes) {
    if (!hasSelected(n, sel)) continue;
    if (n.kind === 'task') {
      if (isSelected(n.eff.tags, sel)) out.push({ name: n.eff.role ? `${n.eff.role.name} : ${n.name}` : n.name, tags: n.eff.tags });
    } else if (n.kind === 'block') {
      walk([...n.block, ...n.rescue, ...n.always], sel, out);
    } else {
      out.push({ name: n.name, tags: n.eff.tags });
      if (n.precompiled) walk(n.precompiled.nodes, sel, out);
    }
  }
}

function tasksOf(pb: CompiledPlaybook, index: number, sel: TagSelection): { name: string; tags: string[] }[] {
  const play = pb.plays[index]!;
  const out: { name: string; tags: string[] }[] = [];
  walk([...play.sections.pre_tasks, ...play.sections.tasks, ...play.sections.post_tasks], sel, out);
  return out;
}

const fmtTags = (t: string[]): string => `[${[...t].sort().join(', ')}]`;

export function listTasks(pb: CompiledPlaybook, sel: TagSelection): string {
  const lines = [`playbook: ${pb.file}`, ''];
  pb.plays.forEach((play, i) => {
    lines.push(`  play #${i + 1} (${play.hosts.join(',')}): ${play.name}\tTAGS: ${fmtTags(play.tags)}`);
    lines.push('    tasks:');
    for (const t of tasksOf(pb, i, sel)) lines.push(`      ${t.name}\tTAGS: ${fmtTags(t.tags)}`);
    lines.push('');
  });
  return lines.join('\n');
}

export function listTags(pb: CompiledPlaybook, sel: TagSelection): string {
  const lines = [`playbook: ${pb.file}`, ''];
  pb.plays.forEach((play, i) => {
    const tags = new Set<string>();
    for (const t of tasksOf(pb, i, sel)) for (const tag of t.tags) tags.add(tag);
    lines.push(`  play #${i + 1} (${play.hosts.join(',')}): ${play.name}\tTAGS: ${fmtTags(play.tags)}`);
    lines.push(`      TASK TAGS: ${fmtTags([...tags])}`);
    lines.push('');
  });
  return lines.join('\n');
}

export function listHosts(pb: CompiledPlaybook, hostsOf: (playIndex: number) => string[]): string {
  const lines = [`playbook: ${pb.file}`, ''];
  pb.plays.forEach((play, i) => {
    const hosts = hostsOf(i);
    lines.push(`  play #${i + 1} (${play.hosts.join(',')}): ${play.name}\tTAGS: ${fmtTags(play.tags)}`);
    lines.push(`    pattern: ${JSON.stringify(play.hosts).replace(/"/g, "'")}`);
    lines.push(`    hosts (${hosts.length}):`);
    for (const h of hosts) lines.push(`      ${h}`);
    lines.push('');
  });
  return lines.join('\n');
}
