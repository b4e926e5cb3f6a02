/** Small pieces every page uses: data loading, error boxes, verdict badges, status dots, CI bars. */
import { useEffect, useState, type ReactNode } from "react";
import { getJson } from "../api";
import { fmtCi, fmtDelta } from "../format";

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly loading: boolean;
  reload(): void;
}

export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    getJson<T>(path, ctl.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (e: Error) => {
        if (!ctl.signal.aborted) setState({ data: null, error: e.message, loading: false });
      },
    );
    return () => ctl.abort();
  }, [path, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function ErrorBox({ message }: { message: string }) {
  return (
    <pre className="error" role="alert">
      {message}
    </pre>
  );
}

export function Loading() {
  return <p className="muted">loading…</p>;
}

export function Page<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  if (loaded.error !== null) return <ErrorBox message={loaded.error} />;
  if (loaded.data === null) return <Loading />;
  return <>{children(loaded.data)}</>;
}

export function VerdictBadge({ verdict }: { verdict: string }) {
  return <span className={`verdict verdict-${verdict.replace(/[^a-z_]/g, "")}`}>{verdict.replace(/_/g, " ")}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status.replace(/[^a-z]/g, "")}`}>{status}</span>;
}

/**
 * A delta and its interval drawn on a shared axis from −scale to +scale; the zero line marks "no
 * effect", the shaded band the practical-equivalence band.
 */
export function CiBar({
  delta,
  lo,
  hi,
  scale,
  band = 0,
  width = 160,
}: {
  delta: number;
  lo: number;
  hi: number;
  scale: number;
  band?: number;
  width?: number;
}) {
  const s = scale > 0 ? scale : 1;
  const x = (v: number): number => Math.max(0, Math.min(width, ((v + s) / (2 * s)) * width));
  const color = lo > 0 ? "var(--good)" : hi < 0 ? "var(--bad)" : "var(--muted)";
  return (
    <svg width={width} height={16} className="cibar" aria-label={`${fmtDelta(delta)} ${fmtCi(lo, hi)}`}>
      {band > 0 && <rect x={x(-band)} y={2} width={x(band) - x(-band)} height={12} className="band" />}
      <line x1={x(0)} x2={x(0)} y1={0} y2={16} className="zero" />
      <line x1={x(lo)} x2={x(hi)} y1={8} y2={8} stroke={color} strokeWidth={2} />
      <circle cx={x(delta)} cy={8} r={3.5} fill={color} />
    </svg>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
