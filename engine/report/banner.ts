// Ansible's section header: a blank line, then the title padded with stars to the line width.
export function banner(title: string, width = 80): string {
  return `\n${title} ${'*'.repeat(Math.max(3, width - title.length - 1))}\n`;
}
