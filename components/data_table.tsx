/**
 * @module
 * A data table for workflow cards: the server renders every row as a plain
 * `<table>` (readable without script), and `static/widgets.js` turns it into a
 * Tabulator table — sortable by any column, filtered by the box above it,
 * paged past 100 rows. The CSV link is the step's own download.
 */

/** A column: the row key it shows, its heading, and whether it sorts as numbers. */
export interface TableColumn {
  key: string;
  label: string;
  numeric?: boolean;
}

/** A cell's value. */
export type TableCell = string | number | boolean | null | undefined;

/** Props of {@linkcode DataTable}. */
export interface DataTableProps {
  /** Unique on the page: the filter box finds its table by it. */
  id: string;
  columns: TableColumn[];
  rows: Record<string, TableCell>[];
  /** What the table holds, for screen readers. */
  caption: string;
  /** The URL of a CSV download of the same rows. */
  csv?: string;
  /** Rows per page once there are more (100 when omitted). */
  pageSize?: number;
}

function cellText(value: TableCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

function rowCount(n: number): string {
  return n === 1 ? "1 row" : `${n} rows`;
}

/** A sortable, filterable, paged table of `rows`. */
export function DataTable(props: DataTableProps) {
  const tableId = `table-${props.id}`;
  return (
    <div class="data-table">
      <div class="data-table-tools">
        <label>
          Filter{" "}
          <input
            type="search"
            data-table-filter={tableId}
            aria-controls={tableId}
            placeholder="Type to filter rows"
            autocomplete="off"
          />
        </label>
        <span class="muted" data-table-count={tableId} aria-live="polite">
          {rowCount(props.rows.length)}
        </span>
        {props.csv && <a href={props.csv} download>Download CSV</a>}
      </div>
      <table id={tableId} class="data" data-table data-page-size={props.pageSize ?? 100}>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                scope="col"
                tabulator-field={c.key}
                tabulator-sorter={c.numeric ? "number" : "string"}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              {props.columns.map((c) => <td>{cellText(row[c.key])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
