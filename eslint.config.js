// Lint rules: typescript-eslint's recommended set; formatting is prettier's alone (eslint-config-prettier).
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['node_modules/', 'dist/', 'coverage/', '.orgctl-demo/', 'test/.artifacts/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {...globals.node}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', {allowEmptyCatch: true}],
      // Terminal safety means matching control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {files: ['**/*.cjs', 'bin/**/*.js'], rules: {'@typescript-eslint/no-require-imports': 'off'}},
  prettier,
)
