/**
 * Galata's defaults, with Debian's Chromium (Playwright cannot download its own browsers
 * here) and the server started from jupyter_server_test_config.py under a base URL.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// UI_TEST_PORT lets two work trees run their UI tests at once.
const port = process.env.UI_TEST_PORT || '8888';

module.exports = {
  ...baseConfig,
  timeout: 90000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: `jupyter lab --config jupyter_server_test_config.py --port=${port}`,
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
