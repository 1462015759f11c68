/**
 * GraphQL Code Generator: typed operations (TypedDocumentNode) for the tests, the benchmarks and the
 * playground, generated from schema.graphql and src/client/operations/*.graphql. Run `npm run codegen`
 * after changing either; a test checks the generated files are current.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/client/operations/**/*.graphql'],
  generates: {
    'src/client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // ESM with NodeNext resolution needs explicit .js extensions in the generated imports.
        emitLegacyCommonJSImports: false,
        scalars: { JSON: 'unknown' },
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
