/**
 * Which subscription operations may share results between their subscribers: those whose results
 * depend on the event payload and the selection alone. A root field declares that it qualifies (its
 * resolve() and everything under it read neither its arguments nor the context) with the
 * SHARED_RESULTS extension; the operation must then select only that field, and read no variable
 * below it. Used by src/server/plugins/use-shared-subscription-results.ts.
 */
import {
  type ASTNode,
  BREAK,
  type DocumentNode,
  type FragmentDefinitionNode,
  getOperationAST,
  type GraphQLSchema,
  Kind,
  visit,
} from 'graphql';

/** The field extension by which a subscription field declares that its results may be shared. */
export const SHARED_RESULTS = 'vexilSharedResults';

/** Whether anything in `nodes`, or in the fragments they spread, reads a variable. */
function readsVariables(document: DocumentNode, nodes: readonly ASTNode[]): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const pending = [...nodes];
  const spread = new Set<string>();
  let found = false;
  while (pending.length > 0 && !found) {
    visit(pending.pop()!, {
      Variable() {
        found = true;
        return BREAK;
      },
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !spread.has(node.name.value)) pending.push(fragment);
        spread.add(node.name.value);
      },
    });
  }
  return found;
}

/** Whether the results of this operation may be shared between its subscribers (see above). */
export function isShareable(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription') return false;
  const [root, ...others] = operation.selectionSet.selections;
  if (root?.kind !== Kind.FIELD || others.length > 0) return false;
  if (schema.getSubscriptionType()?.getFields()[root.name.value]?.extensions[SHARED_RESULTS] !== true) return false;
  // The root field's own arguments only pick the source stream; what runs per payload is below it.
  return !readsVariables(document, [...(root.directives ?? []), ...(root.selectionSet ? [root.selectionSet] : [])]);
}
