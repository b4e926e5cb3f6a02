/** A select of the store's experiments (most recent first). */
import { useEffect } from "react";
import { useApi } from "../components/common";

export interface Meta {
  version: string;
  store: string;
  tokenRequired: boolean;
  runs: number;
  experiments: Array<{ name: string; runs: number; latest: number }>;
}

export function ExperimentPicker({
  value,
  onChange,
}: {
  value: string | null;
  onChange: (experiment: string) => void;
}) {
  const meta = useApi<Meta>("/api/meta");
  const first = meta.data?.experiments[0]?.name;
  useEffect(() => {
    if (value === null && first !== undefined) onChange(first);
  }, [value, first, onChange]);
  return (
    <label className="picker">
      <span>experiment</span>
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value)} id="experiment">
        {value !== null && !meta.data?.experiments.some((e) => e.name === value) && (
          <option value={value}>{value}</option>
        )}
        {meta.data?.experiments.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name} ({e.runs})
          </option>
        ))}
      </select>
    </label>
  );
}
