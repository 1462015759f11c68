/** Builds the executable schema once, and prints its SDL sorted (the committed `schema.graphql`). */
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './schema/index.js';

let schema: GraphQLSchema | null = null;

export function gatewaySchema(): GraphQLSchema {
  schema ??= builder.toSchema();
  return schema;
}

export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(gatewaySchema()))}\n`;
}
