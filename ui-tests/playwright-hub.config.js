/**
 * The hub tests (`make test-hub`): a real JupyterHub on loopback (hub/jupyterhub_config.py,
 * run from the shared environment scripts/hub-venv makes), the users scripts/hub-users
 * made, Debian's Chromium. Plain Playwright, not Galata's fixtures: Galata talks to one
 * token-less server at the root URL, while here every request goes through the hub's
 * login and the user's /user/<name>/ prefix, with XSRF checks on.
 *
 * HUB_UI_TEST_PORT (default 8600) is the first hub's public port; each hub takes the next
 * two as well, and the second hub starts 10 higher.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const basePort = Number(process.env.HUB_UI_TEST_PORT || '8600');
const hubPrefix = process.env.HUB_PREFIX || '/opt/jupyterlab-hpc-hub';
const venv = path.join(hubPrefix, 'venv');

// One hub per spawner (HUB_TEST_SPAWNERS picks some), each with its ports (10 apart), its
// state folder and its log, which the specs read (spawn times). The same specs run
// against each hub, as one Playwright project per spawner.
// The folders are made once and handed on in the environment: Playwright loads this file
// again in each worker, which must find the same logs.
const hubs = (process.env.HUB_TEST_SPAWNERS || 'localprocess,slurm')
  .split(',')
  .map((spawner, i) => {
    const key = `HUB_TEST_STATE_${spawner.toUpperCase()}`;
    if (!process.env[key]) {
      process.env[key] = fs.mkdtempSync(
        path.join(os.tmpdir(), `jupyterlab-hpc-hub-${spawner}-`)
      );
    }
    const state = process.env[key];
    return {
      spawner,
      port: basePort + 10 * i,
      state,
      log: path.join(state, 'jupyterhub.log')
    };
  });

// What a service manager would give the hub: no variable of the shell that ran the tests
// (env -i), the shared environment first on PATH, then the system's.
function hubCommand(hub) {
  const env = [
    `PATH=${venv}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    'LANG=C.UTF-8',
    'HOME=/root',
    `HUB_TEST_PORT=${hub.port}`,
    `HUB_TEST_STATE=${hub.state}`,
    `HUB_TEST_SPAWNER=${hub.spawner}`
  ];
  return `env -i ${env.join(' ')} ${venv}/bin/jupyterhub -f hub/jupyterhub_config.py >>${hub.log} 2>&1`;
}

module.exports = {
  testDir: 'hub',
  testMatch: '*.hub.ts',
  // A SlurmSpawner login waits for the job to start.
  timeout: 240000,
  expect: { timeout: 30000 },
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/hub',
  use: {
    viewport: { width: 1280, height: 800 },
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
  projects: hubs.map(hub => ({
    name: hub.spawner,
    use: { baseURL: `http://127.0.0.1:${hub.port}` },
    metadata: { spawner: hub.spawner, log: hub.log }
  })),
  webServer: hubs.map(hub => ({
    command: hubCommand(hub),
    url: `http://127.0.0.1:${hub.port}/hub/health`,
    timeout: 60 * 1000,
    reuseExistingServer: false,
    // SIGTERM, so the hub stops the users' servers (cleanup_servers: the process, or
    // scancel of the job) and its proxy.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30 * 1000 }
  }))
};
