// How the cluster reports (cluster-report.ts, shortfall-report.ts, steady-report.ts) print their
// numbers: µs and ms, commands per second, factors, shares, bytes, and a spread as
// "median (min - max)". A value that is missing (NaN) prints as "n/a".

import { f, n } from './report.js';
import type { Spread } from './cluster-results.js';

export const ms = (micros: number): string => (Number.isFinite(micros) ? `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)} ms` : 'n/a');
export const us = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)} µs` : 'n/a');
export const num = (x: number): string => (Number.isFinite(x) ? n(x) : 'n/a');
export const x2 = (x: number): string => (Number.isFinite(x) ? `${f(x)}x` : 'n/a');
export const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');
export const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : 'n/a');
export const bytes = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 10_000 ? `${(x / 1024).toFixed(1)} KiB` : `${Math.round(x)} B`) : 'n/a');
/** "median (min - max)" when there is more than one run, else the value. */
export const range = (s: Spread, fmt: (x: number) => string): string => (s.min === s.max ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)} - ${fmt(s.max)})`);
