/**
 * The committed contract: schema.graphql is the printed schema, the generated typed operations are
 * current (graphql-codegen --check), and every root field has an operation and a test. (The CLI's
 * `schema --check` is in cli.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema, type GraphQLObjectType, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema } from '../../src/graphql/schema-builder.js';
import { coveredRootFields } from '../fixtures/gateway/covered-fields.js';
import { cliEnv, repoRoot, run } from '../support/gateway.js';

const committed = readFileSync(join(repoRoot, 'schema.graphql'), 'utf8');
const sdl = buildSchema(committed);
const fieldsOf = (type: GraphQLObjectType | null | undefined) => Object.keys(type?.getFields() ?? {}).sort();

describe('schema.graphql', () => {
  it('equals printGatewaySchema() of the code-first schema', () => {
    expect(printGatewaySchema()).toBe(committed);
  });

  it('has a test for every Query field', () => {
    expect(fieldsOf(sdl.getQueryType())).toEqual(Object.keys(coveredRootFields.Query).sort());
  });

  it('has a test for every Mutation field', () => {
    expect(fieldsOf(sdl.getMutationType())).toEqual(Object.keys(coveredRootFields.Mutation).sort());
  });

  it('lists only test files that exist and call the field', async () => {
    for (const [field, files] of [
      ...Object.entries(coveredRootFields.Query),
      ...Object.entries(coveredRootFields.Mutation),
    ]) {
      for (const file of files) {
        const text = await readFile(join(repoRoot, 'test/gateway', file), 'utf8');
        const documentName = `${field[0]!.toUpperCase()}${field.slice(1)}Document`;
        expect(
          text.includes(documentName) || text.includes(`${field}(`) || text.includes(`'${field}'`),
          `${file} does not call ${field}`,
        ).toBe(true);
      }
    }
  });
});

describe('typed client operations (src/client/operations)', () => {
  const operations = readdirSync(join(repoRoot, 'src/client/operations'))
    .filter((file) => file.endsWith('.graphql'))
    .flatMap((file) => parse(readFileSync(join(repoRoot, 'src/client/operations', file), 'utf8')).definitions);
  const rootFieldsUsed = new Set(
    operations.flatMap((definition) =>
      definition.kind === 'OperationDefinition'
        ? definition.selectionSet.selections.flatMap((selection) =>
            selection.kind === 'Field' ? [`${definition.operation}.${selection.name.value}`] : [],
          )
        : [],
    ),
  );

  /** Root fields without a typed operation; the tests call them with hand-written documents. */
  const withoutOperation = ['segment'];

  it('include an operation for every Query field but segment', () => {
    expect(fieldsOf(sdl.getQueryType()).filter((field) => !rootFieldsUsed.has(`query.${field}`))).toEqual(
      withoutOperation,
    );
  });

  it('include an operation for every Mutation field', () => {
    expect(fieldsOf(sdl.getMutationType()).filter((field) => !rootFieldsUsed.has(`mutation.${field}`))).toEqual([]);
  });

  it('are current: graphql-codegen --check finds nothing to regenerate', async () => {
    const codegen = join(repoRoot, 'node_modules/@graphql-codegen/cli/esm/bin.js');
    const result = await run(
      process.execPath,
      [codegen, '--config', 'codegen.ts', '--check'],
      cliEnv({ CI: 'true' }),
      repoRoot,
      120_000,
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  }, 120_000);
});
