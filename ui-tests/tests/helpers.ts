/**
 * What several specs do the same way: read the submit tab's script editor, and
 * take a screenshot in the light and the dark theme without the toasts.
 */
import type { Locator, TestInfo } from '@playwright/test';

import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

/** The script in the submit tab's editor. */
export async function editorText(page: IJupyterLabPageFixture): Promise<string> {
  return page.locator('.jp-hpc-submit-codemirror .cm-content').innerText();
}

/**
 * `<name>-light.png` and `<name>-dark.png` of the page (or of `target`),
 * attached to the test; the theme is light again afterwards.
 */
export async function shootBoth(
  page: IJupyterLabPageFixture,
  testInfo: TestInfo,
  name: string,
  target?: Locator
): Promise<void> {
  const hide = await page.addStyleTag({ content: '.Toastify { display: none !important; }' });
  for (const theme of ['light', 'dark']) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    const shot = testInfo.outputPath(`${name}-${theme}.png`);
    await (target ?? page).screenshot({ path: shot });
    await testInfo.attach(`${name}-${theme}`, { path: shot, contentType: 'image/png' });
  }
  await page.theme.setLightTheme();
  await hide.evaluate(node => node.remove());
}
