import { formatNumber } from '@cascade/core/contract';
import type { Cost } from '@cascade/core/protocol';
import { formatUsd } from '../components/format';
import { ScrollingTable } from '../components/ScrollingTable';

/**
 * A run's cost estimate line by line, with its total and what kind of figure it is: an estimate
 * at one region's AWS prices, also for a run on the local cloud (what it would have cost on AWS).
 */
export function CostTable({ cost, live }: { cost: Cost | undefined; live: boolean }) {
  if (cost) return <CostLines cost={cost} live={live} />;
  return (
    <div className="details-part cost">
      <h3 className="details-title">Cost</h3>
      <p className="muted small">There is no cost estimate for this run.</p>
    </div>
  );
}

const costColumns = [
  { heading: 'Service' },
  { heading: 'Quantity', numeric: true },
  { heading: 'Unit' },
  { heading: 'USD', numeric: true },
];

function CostLines({ cost, live }: { cost: Cost; live: boolean }) {
  return (
    <div className="details-part cost">
      <ScrollingTable
        label="Cost, scrollable"
        className="cost-table"
        caption={
          <caption>
            <h3 className="details-title">Cost</h3>
          </caption>
        }
        columns={costColumns}
      >
        <tbody>
          {cost.lines.map((line) => (
            <tr key={line.service}>
              <th scope="row">{line.service}</th>
              <td className="num">{formatNumber(line.quantity)}</td>
              <td>{line.unit}</td>
              <td className="num">{formatUsd(line.usd)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              {live ? 'Total so far' : 'Total'}
            </th>
            <td className="num">{formatUsd(cost.usd)}</td>
          </tr>
        </tfoot>
      </ScrollingTable>
      <p className="cost-note">
        {`An estimate at AWS's ${cost.region} prices: what the run costs on AWS, or would cost there when it ran on the local cloud. Retried steps count; a retried task start or Append does not.`}
      </p>
    </div>
  );
}
