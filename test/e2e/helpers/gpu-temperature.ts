import type { VigilProcess } from './vigil-process';

/** Ingests `gpu_temperature_celsius{gpu="0",node="trainer-1"}` = `value` now, as the alerting scenarios do. */
export const pushTemperature = async (vigil: VigilProcess, value: number): Promise<void> => {
  const res = await fetch(`${vigil.url}/ingest/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      samples: [
        {
          name: 'gpu_temperature_celsius',
          labels: { gpu: '0', node: 'trainer-1' },
          value,
          timestamp: Date.now(),
        },
      ],
    }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`ingest: ${res.status} ${text}`);
};
