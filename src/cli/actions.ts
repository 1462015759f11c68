/** A command made of actions (`vexil flags list`, `vexil segments create`…): one dispatcher for all. */
import { reportFailures } from './gateway-client.js';
import type { Command, CommandContext } from './main.js';

export type Action = (args: string[], context: CommandContext) => Promise<number>;

/** A Command running `actions[args[0]]`, with `--help` anywhere showing `usage`. */
export function commandWithActions(
  name: string,
  summary: string,
  usage: string,
  actions: Record<string, () => Promise<Action>>,
): Command {
  return {
    name,
    summary,
    usage,
    async run(args, context) {
      const [action, ...rest] = args;
      const load = action === undefined || !Object.hasOwn(actions, action) ? undefined : actions[action];
      if (!load) return context.usageError(action ? `unknown action '${action}'` : 'missing action');
      if (rest.includes('--help') || rest.includes('-h')) {
        context.stdout(usage);
        return 0;
      }
      const run = await load();
      return reportFailures(`${name} ${action}`, context, () => run(rest, context));
    },
  };
}

/** A command's run: `--help` anywhere shows `usage`; failures become their one line and exit code. */
export function runWithHelp(name: string, usage: string, body: Action): Command['run'] {
  return (args, context) => {
    if (args.includes('--help') || args.includes('-h')) {
      context.stdout(usage);
      return 0;
    }
    return reportFailures(name, context, () => body(args, context));
  };
}
