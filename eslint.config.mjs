// ESLint flat config for the frontend: TypeScript-ESLint's recommended rules,
// with formatting left to Prettier (reported through eslint-plugin-prettier).
import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Only the frontend's own files; the rest of the repo has its own tools.
    ignores: [
      '**/node_modules/**',
      'lib/**',
      'coverage/**',
      '.venv/**',
      'server-extension/**',
      'ui-tests/**',
      'scripts/**',
      'docs/**',
      'style/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-unused-vars': [
        'warn',
        { args: 'none', caughtErrors: 'none' }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      curly: ['error', 'all'],
      eqeqeq: ['error', 'smart'],
      'prefer-arrow-callback': 'error',
      'no-console': ['warn', { allow: ['error', 'warn'] }]
    }
  },
  {
    // CommonJS config files run by Node.
    files: ['*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        __dirname: 'readonly',
        module: 'writable',
        require: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off'
    }
  },
  prettierRecommended
);
