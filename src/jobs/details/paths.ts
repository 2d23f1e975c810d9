/**
 * Where a job's file is relative to the Jupyter server's root folder: the
 * document manager opens only paths inside it.
 */

/** Collapse `//`, `/./` and `x/..` in an absolute POSIX path. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return '/' + parts.join('/');
}

/**
 * The path of `file` relative to `root` for the document manager, or a
 * sentence saying why it cannot be opened there.
 */
export function pathInRoot(
  file: string,
  root: string
): { path: string } | { reason: string } {
  if (!file) {
    return { reason: 'The scheduler did not say where this output goes.' };
  }
  if (!file.startsWith('/')) {
    return { reason: `The output path ${file} is not absolute.` };
  }
  if (!root || !root.startsWith('/')) {
    return {
      reason:
        'The Jupyter server did not say where its root folder is, so the file cannot be found in the file browser.'
    };
  }
  const f = normalizePath(file);
  const r = normalizePath(root);
  if (r === '/') {
    return { path: f.slice(1) };
  }
  if (f.startsWith(r + '/')) {
    return { path: f.slice(r.length + 1) };
  }
  return {
    reason: `${f} is outside the Jupyter server's root folder (${r}), so JupyterLab cannot open it in an editor.`
  };
}
