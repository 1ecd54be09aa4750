// The processes page's two plots, drawn as SVG: runs per hour stacked by status, and the
// duration percentiles. Sizes are in the viewBox's units; the SVG scales to its box.
import { useApp } from "../ui/context.js";
import { formatDuration } from "../ui/format.js";

const STACK = ["completed", "error", "aborted", "running", "queued"];
const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

export function HourlyChart({ hours }) {
  const { t } = useApp();
  const most = Math.max(1, ...hours.map((h) => h.total));
  const top = niceCeiling(most);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, hours.length);
  const bar = Math.max(1, slot * 0.75);
  const y = (count) => PAD.top + plotHeight - (count / top) * plotHeight;
  const labelEvery = Math.ceil(hours.length / 8);
  const total = hours.reduce((sum, h) => sum + h.total, 0);

  return (
    <figure class="chart" data-testid="chart-hourly" data-total={total}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t("charts.perHour")}>
        {[0, top / 2, top].filter(Number.isInteger).map((tick) => (
          <g key={tick}>
            <line class="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text class="axis" x={PAD.left - 6} y={y(tick) + 4} text-anchor="end">
              {formatCount(tick)}
            </text>
          </g>
        ))}
        {hours.map((hour, index) => {
          const x = PAD.left + index * slot + (slot - bar) / 2;
          let base = 0;
          return (
            <g key={hour.hour} class="bar">
              <title>
                {`${hourLabel(hour.hour, true)}: ${hour.total}` +
                  STACK.filter((s) => hour[s]).map((s) => `\n${t(`status.${s}`)}: ${hour[s]}`).join("")}
              </title>
              <rect class="hit" x={PAD.left + index * slot} y={PAD.top} width={slot} height={plotHeight} />
              {STACK.map((status) => {
                const count = hour[status] || 0;
                if (!count) return null;
                const rect = (
                  <rect
                    key={status}
                    class={`fill-${status}`}
                    x={x}
                    width={bar}
                    y={y(base + count)}
                    height={y(base) - y(base + count)}
                  />
                );
                base += count;
                return rect;
              })}
              {index % labelEvery === 0 && (
                <text class="axis" x={x + bar / 2} y={HEIGHT - 6} text-anchor="middle">
                  {hourLabel(hour.hour, false)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {STACK.map((status) => (
          <span key={status}>
            <i class={`swatch fill-${status}`} /> {t(`status.${status}`)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function DurationChart({ durations }) {
  const { t } = useApp();
  const rows = ["p50", "p90", "p99"].map((name) => ({ name, value: durations[name] }));
  if (!durations.count) {
    return <p class="empty" data-testid="chart-durations">{t("charts.noDurations")}</p>;
  }
  const most = Math.max(1, ...rows.map((r) => r.value || 0));
  // Its own, narrower box: the chart sits in a third of the row and its labels must stay legible.
  const width = 300;
  const height = 30 * rows.length + 8;
  const left = 34;
  const right = 72;
  const span = width - left - right;
  return (
    <figure class="chart" data-testid="chart-durations">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t("charts.durations")}>
        {rows.map((row, index) => {
          const length = ((row.value || 0) / most) * span;
          const y = 6 + index * 30;
          return (
            <g key={row.name}>
              <text class="axis" x={left - 8} y={y + 15} text-anchor="end">
                {row.name}
              </text>
              <rect class={`fill-p fill-${row.name}`} x={left} y={y} width={Math.max(1, length)} height={20} rx={3} />
              <text class="value" x={left + length + 6} y={y + 15}>
                {formatDuration(row.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="muted small-text">{t("charts.endedCount", { count: durations.count })}</figcaption>
    </figure>
  );
}

function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

function formatCount(value) {
  return String(value);
}

function hourLabel(iso, withDay) {
  const moment = new Date(iso);
  const time = moment.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return withDay ? `${moment.toLocaleDateString()} ${time}` : time;
}
