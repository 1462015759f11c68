/** A diff as a table: field, before, after. */
import { type DiffRow, show } from './diff.js';

export function DiffTable({ rows, caption }: { rows: DiffRow[]; caption: string }) {
  if (rows.length === 0) return <p class="sub">No field changed.</p>;
  return (
    <table class="diff">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.path}>
            <th scope="row">
              <code>{row.path}</code>
            </th>
            <td class="before">
              <code>{show(row.before)}</code>
            </td>
            <td class="after">
              <code>{show(row.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
