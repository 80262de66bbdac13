// Formatting shared by the node agent's and the simulated agent's pod status.

/** normalizeImage fully qualifies an image reference as containerd reports it ("nginx" → "docker.io/library/nginx:latest"). */
export function normalizeImage(image: string): string {
  const at = image.indexOf('@');
  let name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : '';
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const first = name.split('/')[0] ?? '';
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  if (!tag && !digest) tag = ':latest';
  return `${name}${tag}${digest}`;
}

/** goDuration prints milliseconds as Go's time.Duration does for whole seconds ("10s", "1m20s", "5m0s"). */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 1000 ? `${ms}ms` : `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${m}m${s % 60}s`;
}

/** goList prints names as Go prints a []string: "[a b]". */
export function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}
