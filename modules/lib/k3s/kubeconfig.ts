// The kubeconfig k3s writes points at https://127.0.0.1:6443, which is only right on the node.
// The copy for the controller gets the address the controller reaches the API server at.

const LOCAL_SERVER = /^(\s*server:\s*)["']?https:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):6443["']?\s*$/gm;

export function rewriteKubeconfig(text: string, server: string): { text: string; rewritten: number } {
  let rewritten = 0;
  const out = text.replace(LOCAL_SERVER, (_m, head: string) => {
    rewritten++;
    return `${head}${server}`;
  });
  return { text: out, rewritten };
}
