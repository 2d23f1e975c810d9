/**
 * The Launcher's badge on kernels that run in batch jobs: the partition (or
 * queue) they ask for, or the job they join, drawn on the kernel's card.
 *
 * The Launcher draws its cards itself (React) and offers no place for a
 * badge, so the badge is a style sheet: one rule per batch kernel, matching
 * the card by the kernel's display name (the card's title) and drawing the
 * words with `::after`. Nothing is added to the Launcher's own elements, so
 * its re-renders never lose or duplicate a badge.
 */
import type { KernelSpec } from '@jupyterlab/services';

import { PROVISIONER_NAME } from './placement';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The badge's words for one kernelspec; null when it runs on the server. */
export function badgeOf(spec: KernelSpec.ISpecModel): string | null {
  const stanza = (spec.metadata as Json | undefined)?.kernel_provisioner;
  if (!isObject(stanza) || stanza.provisioner_name !== PROVISIONER_NAME) {
    return null;
  }
  const config = isObject(stanza.config) ? stanza.config : {};
  const allocation = String(config.allocation ?? '').trim();
  if (allocation) {
    return `job ${allocation}`;
  }
  const partition = String(config.partition ?? '').trim();
  return partition || 'batch job';
}

/** A CSS string literal holding any text. */
function cssString(text: string): string {
  return `"${Array.from(text)
    .map(c =>
      /[A-Za-z0-9 _.,:;()\-[\]/]/.test(c)
        ? c
        : `\\${c.codePointAt(0)!.toString(16)} `
    )
    .join('')}"`;
}

/** The style sheet's text: one rule per batch kernel of `specs`. */
export function badgeRules(
  specs: KernelSpec.ISpecModels | null | undefined
): string {
  const rules: string[] = [];
  for (const spec of Object.values(specs?.kernelspecs ?? {})) {
    if (!spec) {
      continue;
    }
    const badge = badgeOf(spec);
    if (badge === null) {
      continue;
    }
    const title = cssString(spec.display_name);
    rules.push(
      `.jp-LauncherCard[title=${title}] .jp-LauncherCard-icon::after { content: ${cssString(badge)}; }`
    );
  }
  return rules.join('\n');
}

/** Keeps the badges' style sheet in step with the kernelspecs. */
export function showLauncherBadges(
  specs: KernelSpec.IManager,
  doc: Document = document
): () => void {
  const sheet = doc.createElement('style');
  sheet.dataset.jpHpc = 'launcher-badges';
  doc.head.appendChild(sheet);
  const update = () => {
    sheet.textContent = badgeRules(specs.specs);
  };
  specs.specsChanged.connect(update);
  update();
  return () => {
    specs.specsChanged.disconnect(update);
    sheet.remove();
  };
}
