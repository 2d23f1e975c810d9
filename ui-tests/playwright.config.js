/**
 * Galata's defaults, with Debian's Chromium (Playwright cannot download its own browsers
 * here) and the server started from jupyter_server_test_config.py under a base URL.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// The server's Jupyter data folder (where user kernels live) is a fresh temporary folder,
// so the UI tests never read or change the real user's kernels. The tests read it too.
if (!process.env.HPC_UI_DATA_DIR) {
  process.env.HPC_UI_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-hpc-ui-data-'));
}
// A JUPYTER_PATH folder with a kernel the user cannot change (a site-wide kernel).
if (!process.env.HPC_UI_SHARED_DIR) {
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-hpc-ui-shared-'));
  const spec = path.join(shared, 'kernels', 'site-python');
  fs.mkdirSync(spec, { recursive: true });
  fs.writeFileSync(
    path.join(spec, 'kernel.json'),
    JSON.stringify(
      {
        argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
        display_name: 'Site Python (shared)',
        language: 'python',
        env: { OMP_NUM_THREADS: '1' }
      },
      null,
      1
    )
  );
  if (process.getuid && process.getuid() === 0) {
    fs.chownSync(spec, 65534, 65534); // root can write anywhere: make it someone else's
  } else {
    fs.chmodSync(spec, 0o555);
  }
  process.env.HPC_UI_SHARED_DIR = shared;
}

// UI_TEST_PORT lets two work trees run their UI tests at once. The PBS server (a second
// JupyterLab whose batch system is the test-only PBS replay) listens 100 ports higher.
const port = process.env.UI_TEST_PORT || '8888';
process.env.UI_TEST_PBS_PORT = process.env.UI_TEST_PBS_PORT || String(Number(port) + 100);
const pbsPort = process.env.UI_TEST_PBS_PORT;
// A third JupyterLab, on the test-only Torque stand-ins, 200 ports higher. Its state file
// is chosen here so the Torque spec can read what the stand-ins were asked (their calls).
process.env.UI_TEST_TORQUE_PORT =
  process.env.UI_TEST_TORQUE_PORT || String(Number(port) + 200);
const torquePort = process.env.UI_TEST_TORQUE_PORT;
if (!process.env.UI_TEST_TORQUE_STATE) {
  process.env.UI_TEST_TORQUE_STATE = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-hpc-ui-torque-state-')),
    'torque-state.json'
  );
}

// The demo (`make demo`'s server config, demo/jupyter_server_config.py), 300 ports higher,
// with its state in a fresh folder and a token, as a newcomer's browser meets it.
process.env.UI_TEST_DEMO_PORT = process.env.UI_TEST_DEMO_PORT || String(Number(port) + 300);
const demoPort = process.env.UI_TEST_DEMO_PORT;
if (!process.env.UI_TEST_DEMO_STATE) {
  process.env.UI_TEST_DEMO_STATE = fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-hpc-ui-demo-'));
}
process.env.UI_TEST_DEMO_TOKEN = process.env.UI_TEST_DEMO_TOKEN || 'ui-test-demo-token';

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
  webServer: [
    {
      command: `jupyter lab --config jupyter_server_test_config.py --port=${port}`,
      url: `http://localhost:${port}/lab`,
      timeout: 120 * 1000,
      env: {
        ...process.env,
        JUPYTER_DATA_DIR: process.env.HPC_UI_DATA_DIR,
        JUPYTER_PATH: process.env.HPC_UI_SHARED_DIR
      },
      reuseExistingServer: !process.env.CI
    },
    {
      command: `jupyter lab --config jupyter_server_pbs_config.py --port=${pbsPort}`,
      url: `http://localhost:${pbsPort}/lab`,
      timeout: 120 * 1000,
      env: {
        ...process.env,
        JUPYTER_DATA_DIR: process.env.HPC_UI_DATA_DIR,
        JUPYTER_PATH: process.env.HPC_UI_SHARED_DIR
      },
      reuseExistingServer: !process.env.CI
    },
    {
      command: `jupyter lab --config jupyter_server_torque_config.py --port=${torquePort}`,
      url: `http://localhost:${torquePort}/lab`,
      timeout: 120 * 1000,
      env: {
        ...process.env,
        JUPYTER_DATA_DIR: process.env.HPC_UI_DATA_DIR,
        JUPYTER_PATH: process.env.HPC_UI_SHARED_DIR
      },
      reuseExistingServer: !process.env.CI
    },
    {
      command: `jupyter lab --config ../demo/jupyter_server_config.py --port=${demoPort} --no-browser --IdentityProvider.token=${process.env.UI_TEST_DEMO_TOKEN}`,
      url: `http://localhost:${demoPort}/api/status?token=${process.env.UI_TEST_DEMO_TOKEN}`,
      timeout: 120 * 1000,
      env: {
        ...process.env,
        DEMO_STATE: process.env.UI_TEST_DEMO_STATE,
        JUPYTER_DATA_DIR: path.join(process.env.UI_TEST_DEMO_STATE, 'data')
      },
      reuseExistingServer: !process.env.CI
    }
  ]
};
