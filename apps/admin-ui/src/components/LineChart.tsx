/**
 * A line chart over uPlot (canvas; fast with tens of thousands of points), sized to its container. The figure
 * has a caption and a text summary of the last point for screen readers; where there is no canvas (jsdom in
 * component tests) only that text is drawn.
 */
import { Box, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
  dash?: number[];
  /** Draw points only (a scatter), no line. */
  pointsOnly?: boolean;
}

export interface LineChartProps {
  title: string;
  /** X values: epoch seconds for time axes, plain numbers otherwise. */
  x: number[];
  series: ChartSeries[];
  formatValue: (value: number) => string;
  /** Default time; `number` for a numeric x axis (formatted with formatX). */
  xKind?: 'time' | 'number';
  formatX?: (value: number) => string;
  height?: number;
  /** Fixed axis ranges (e.g. [0, 1] for rates). */
  xRange?: [number, number];
  yRange?: [number, number];
}

const SPARSE_POINTS = 30;

function hasCanvas(): boolean {
  if (typeof navigator !== 'undefined' && /jsdom/i.test(navigator.userAgent)) return false;
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

/** The last non-null value of each series, in words. */
export function chartSummary(series: ChartSeries[], formatValue: (v: number) => string): string {
  return series
    .map((s) => {
      const last = [...s.values].reverse().find((v) => v !== null && v !== undefined);
      return `${s.label}: ${last === undefined || last === null ? 'no data' : formatValue(last)}`;
    })
    .join('; ');
}

export function LineChart({ title, x, series, formatValue, xKind = 'time', formatX, height = 240, xRange, yRange }: LineChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const summary = chartSummary(series, formatValue);

  useEffect(() => {
    const el = target.current;
    if (!el || !hasCanvas()) return;
    const width = Math.max(240, el.clientWidth);
    const options: uPlot.Options = {
      width,
      height,
      scales: { x: { time: xKind === 'time', ...(xRange && { range: xRange }) }, ...(yRange && { y: { range: yRange } }) },
      axes: [
        { ...(xKind === 'number' && formatX && { values: (_u: uPlot, ticks: number[]) => ticks.map(formatX) }) },
        { values: (_u: uPlot, ticks: number[]) => ticks.map(formatValue), size: 70 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          // Few values (a new cluster, a sparse window): draw the points, a lone value has no line.
          ...(s.values.filter((v) => v !== null).length < SPARSE_POINTS && !s.pointsOnly && { points: { show: true, size: 6, fill: s.color } }),
          ...(s.dash && { dash: s.dash }),
          ...(s.pointsOnly && { paths: () => null, points: { show: true, size: 8, fill: s.color } }),
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : formatValue(v)),
        })),
      ],
      legend: { show: true },
    };
    const data = [x, ...series.map((s) => s.values)] as uPlot.AlignedData;
    const plot = new uPlot(options, data, el);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height }));
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [x, series, formatValue, formatX, xKind, height, xRange, yRange]);

  return (
    <Box component="figure" m={0} miw={0} aria-label={title}>
      <Text component="figcaption" size="sm" fw={600} mb={4}>
        {title}
      </Text>
      <div ref={target} role="img" aria-label={`${title}. ${summary}`} style={{ width: '100%', overflow: 'hidden' }} />
      <Text size="xs" c="dimmed" data-testid="chart-summary">
        {summary}
      </Text>
    </Box>
  );
}
