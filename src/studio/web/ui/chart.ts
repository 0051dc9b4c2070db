import { extentOf, polylinePoints, Series } from '../curves.js';
import { PALETTE } from '../label-colors.js';
import { clear, h, svg } from './dom.js';

/** A line chart in an SVG of viewBox 480×220: axes, the first and last step, the top value, one polyline per series. */

const WIDTH = 480;
const HEIGHT = 220;
const MARGIN = { left: 52, right: 10, top: 10, bottom: 24 };

export function drawChart(target: SVGSVGElement, series: readonly Series[], legend?: HTMLElement, format: (value: number) => string = (v) => v.toPrecision(3)): void {
  clear(target);
  if (legend) clear(legend);
  const drawn = series.filter((one) => one.points.length > 0);
  const extent = extentOf(drawn);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const plot = svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` });
  target.append(plot);
  plot.append(svg('line', { class: 'axis', x1: 0, y1: plotHeight, x2: plotWidth, y2: plotHeight }), svg('line', { class: 'axis', x1: 0, y1: 0, x2: 0, y2: plotHeight }));
  if (!extent) {
    plot.append(svg('text', { x: plotWidth / 2, y: plotHeight / 2, 'text-anchor': 'middle' }, 'no steps yet'));
    return;
  }
  plot.append(
    svg('text', { x: -6, y: 4, 'text-anchor': 'end' }, format(extent.y[1])),
    svg('text', { x: -6, y: plotHeight, 'text-anchor': 'end' }, format(extent.y[0])),
    svg('text', { x: 0, y: plotHeight + 16 }, `step ${extent.x[0]}`),
    svg('text', { x: plotWidth, y: plotHeight + 16, 'text-anchor': 'end' }, `step ${extent.x[1]}`),
  );
  drawn.forEach((one, index) => {
    const colour = PALETTE[index % PALETTE.length];
    plot.append(svg('polyline', { points: polylinePoints(one, extent, plotWidth, plotHeight), stroke: colour, 'data-series': one.name }, svg('title', {}, one.name)));
    const last = one.points[one.points.length - 1];
    legend?.append(h('span', { style: `color: ${colour}`, 'data-series': one.name }, `${one.name} ${format(last[1])}`));
  });
}
