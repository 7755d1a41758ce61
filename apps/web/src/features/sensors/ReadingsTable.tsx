/** The chart's numbers as a table (newest first, the latest 100): for screen readers and for checking values. */
import type { ChartData } from "./ReadingSeries"

const ROWS = 100

export const ReadingsTable = ({ data, caption }: { readonly data: ChartData; readonly caption: string }) => {
  const indexes = data.xs.map((_, i) => i).reverse().slice(0, ROWS)
  return (
    <details className="readings-table">
      <summary>Show the numbers{data.xs.length > ROWS ? ` (latest ${ROWS} of ${data.xs.length})` : ""}</summary>
      <div className="table-scroll readings-scroll">
        <table className="data-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {data.series.map((s) => <th key={s.label} scope="col">{s.label}</th>)}
            </tr>
          </thead>
          <tbody>
            {indexes.map((i) => (
              <tr key={data.xs[i]}>
                <th scope="row">{new Date(data.xs[i]! * 1000).toLocaleString()}</th>
                {data.series.map((s) => <td key={s.label}>{formatValue(s.values[i]!)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  )
}

export const formatValue = (value: number): string =>
  Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 10 ? 2 : 1)
