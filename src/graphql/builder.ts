/** The Pothos schema builder: code-first, non-null outputs by default, the JSON scalar. */
import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from './context.js';
import { JsonScalar } from './json-scalar.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: { JSON: { Input: unknown; Output: unknown } };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.addScalarType('JSON', JsonScalar);
builder.queryType({});
builder.mutationType({});
