// Jest runs the frontend's unit tests offline, in a jsdom environment, on top of
// the configuration JupyterLab uses for its own packages.
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// Dependencies published as ES modules; babel-jest turns them into CommonJS.
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  // Only src/: the Python venv and the UI tests hold package.json files that
  // would collide in jest's module map.
  roots: ['<rootDir>/src'],
  setupFiles: [...baseConfig.setupFiles, '<rootDir>/src/__tests__/setup.js'],
  reporters: ['default'],
  testRegex: 'src/__tests__/.*\\.spec\\.tsx?$',
  transform: {
    ...baseConfig.transform,
    '^.+\\.tsx?$': [
      'ts-jest',
      {
        // The tests are excluded from tsconfig.json (they are not shipped), so
        // give ts-jest the options it needs to compile them to CommonJS.
        tsconfig: {
          esModuleInterop: true,
          jsx: 'react',
          module: 'commonjs',
          moduleResolution: 'node',
          skipLibCheck: true,
          strict: true,
          target: 'ES2020',
          types: ['jest']
        }
      }
    ]
  },
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
