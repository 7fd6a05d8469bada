// Lint: TypeScript rules plus the architecture of ../shared/DESIGN.md ("Layout"):
//   gateway -> adapters/kit, trust, schemas;  adapters/<x> -> adapters/kit, schemas;  trust -> nothing of ours.
// No import cycles anywhere. `test/` and `bench/` may import anything; production code may not import them.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const adapterNames = ['mawared', 'gov-cloud'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'var/', 'coverage/', 'docs/site/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './trust',
              from: ['./gateway', './adapters', './test', './bench'],
              message: 'trust/ is a library of its own: it imports nothing of ours (DESIGN.md, Layout).',
            },
            {
              target: './schemas',
              from: ['./gateway', './adapters', './trust', './test', './bench'],
              message: 'schemas/ holds the contracts; its locator code imports nothing of ours.',
            },
            {
              target: './adapters',
              from: ['./gateway', './trust', './test', './bench'],
              message: 'adapters may import only adapters/kit and schemas (DESIGN.md, Layout).',
            },
            {
              target: './adapters/kit',
              from: adapterNames.map((name) => `./adapters/${name}`),
              message: 'the adapter kit must not depend on a concrete adapter.',
            },
            ...adapterNames.map((name) => ({
              target: `./adapters/${name}`,
              from: adapterNames.filter((other) => other !== name).map((other) => `./adapters/${other}`),
              message: 'adapters must not import each other; join through federation instead.',
            })),
            {
              target: './gateway',
              from: ['./test', './bench', ...adapterNames.map((name) => `./adapters/${name}`)],
              message:
                'gateway/ reaches adapters only through adapters/kit (built-in adapters are loaded by name), never test/ or bench/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
